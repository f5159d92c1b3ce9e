/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A minimal test harness: CHECK counts, main prints "N passed, N failed". */
#pragma once

#include <stdio.h>
#include <string.h>

extern int unit_passed, unit_failed;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (cond) {                                                                        \
			unit_passed++;                                                             \
		} else {                                                                           \
			unit_failed++;                                                             \
			fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);            \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
		}                                                                                  \
	} while (0)

#define STREQ(a, b) ((a) && (b) ? strcmp((a), (b)) == 0 : (a) == (b))

void test_cmdline(void);
void test_rules(void);
void test_plan(void);
void test_iomem(void);
void test_variant(void);
void test_kmodidx(void);
void test_pathcxt(void);
