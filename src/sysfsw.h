/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The only writer of sysfs. Every write goes to a path below the sysfs root, checked after
 * resolving symlinks, as one write() on a raw fd; the bytes written are compared.
 */
#pragma once

#include <stdbool.h>

struct sysfsw {
	const char *root; /* as given */
	char *real;	  /* realpath of root */
	bool dry_run;	  /* when set, nothing is written and every write "succeeds" */
};

int sysfsw_init(struct sysfsw *w, const char *root, bool dry_run);
void sysfsw_free(struct sysfsw *w);
/* Writes value to ROOT/rel. Returns 0 or -errno (-EPERM for a path outside the root). */
int sysfsw_write(const struct sysfsw *w, const char *rel, const char *value);
