/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Decision and action lines for /dev/kmsg ("<L>earlybind: ..."), or stderr when kmsg is not
 * writable. /dev/kmsg rate-limits each open file to 10 lines per 5 s and drops the rest silently,
 * so callers keep the count small; the writer starts a new open file every few lines.
 */
#pragma once

#include "util.h"

enum log_level { LOG_ERR = 3, LOG_WARNING = 4, LOG_NOTICE = 5, LOG_INFO = 6 };

struct logger {
	const char *path; /* NULL: /dev/kmsg */
	int fd;		  /* -1: stderr */
	unsigned lines;	  /* on the current fd */
	unsigned total;
};

void log_open(struct logger *l, const char *path);
void log_close(struct logger *l);
void log_line(struct logger *l, enum log_level level, const char *fmt, ...) _printf_(3, 4);
