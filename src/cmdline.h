/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Stage 1: the kernel command line and dracut's /etc/cmdline{,.d}, split into key/value words
 * exactly as the kernel's next_arg() does.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

/* val is NULL for a bare word ("earlybind.dryrun"), "" for "key=". src names the file. */
typedef void (*cmdline_cb)(const char *key, const char *val, const char *src, void *ud);

/* Splits buf in place with the kernel's rules; stops at "--" (the rest belongs to init). */
void cmdline_split(char *buf, const char *src, cmdline_cb cb, void *ud);

/* The kernel's parameq(): '-' and '_' compare equal. */
bool cmdline_key_eq(const char *a, const char *b);

/*
 * Reads every source in order and feeds its words to cb. With nfiles == 0 the defaults are used:
 * ROOT/etc/cmdline, ROOT/etc/cmdline.d/\*.conf (byte order), ROOT/etc/earlybind/cmdline.conf,
 * ROOT/proc/cmdline.
 * A missing /etc source is normal; any other unreadable source is a warning.
 */
void cmdline_load(const char *root, char *const *files, size_t nfiles, cmdline_cb cb, void *ud,
		  struct diag *d);
