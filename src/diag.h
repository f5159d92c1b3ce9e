/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Warnings about input: collected where the decision is made, reported once by the report stage.
 * Each kind is capped so that a hostile command line or a broken tree cannot flood the console.
 */
#pragma once

#include <stddef.h>

#include "util.h"

enum diag_kind {
	DIAG_CMDLINE, /* sources, words, keys */
	DIAG_IDS,     /* ids= entries */
	DIAG_ADDR,    /* claim/keep/force addresses */
	DIAG_SYSFS,   /* unreadable or odd sysfs entries */
	DIAG_PLAN,    /* decisions worth a warning (boot VGA, both drivers match ...) */
	DIAG__MAX
};

#define DIAG_CAP 20

struct diag {
	char **msgs;
	size_t n, cap;
	unsigned shown[DIAG__MAX];
	unsigned dropped[DIAG__MAX];
};

void diag_init(struct diag *d);
void diag_free(struct diag *d);
void diag_warn(struct diag *d, enum diag_kind kind, const char *fmt, ...) _printf_(3, 4);
/* Drops the messages after the first n (a stage that runs again says its warnings again). */
void diag_truncate(struct diag *d, size_t n);
/* Appends the "N more" lines for capped kinds; call once before reporting. */
void diag_finish(struct diag *d);
