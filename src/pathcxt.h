/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A directory held open and the paths read under it, as util-linux's path_cxt: the sysfs root and
 * the root are each opened once (O_PATH), and every reader opens what it reads relative to that
 * descriptor, naming it by a printf-style relative path. A leading '/' in the path is skipped, so
 * "/proc/swaps" under the root reads ROOT/proc/swaps. The prefix stays for what needs a path as a
 * string (libkmod's config directories, realpath comparisons, messages).
 */
#pragma once

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct path_cxt {
	const char *prefix; /* the directory as given; "" for "/" */
	int dfd; /* O_PATH|O_DIRECTORY; -errno when it could not be opened (then paths are joined
		  * to the prefix and opened as they are) */
};

/* Opens dir ("" or NULL: "/"). A directory that cannot be opened yet (a root whose run/ the first
 * run makes) leaves dfd < 0: reads under it then open PREFIX/REL, as a path would. */
void path_cxt_open(struct path_cxt *pc, const char *dir);
void path_cxt_close(struct path_cxt *pc);

/* PREFIX/REL as a string. Caller frees. */
char *path_cxt_abs(const struct path_cxt *pc, const char *fmt, ...) _printf_(2, 3);

/* open(2) of REL; the fd or -errno. O_CLOEXEC is added. */
int pc_openf(const struct path_cxt *pc, int flags, const char *fmt, ...) _printf_(3, 4);
/* One attribute (read_attr_at()): its length, trailing newlines and NULs dropped, or -errno. */
int pc_readf(const struct path_cxt *pc, char *buf, size_t size, const char *fmt, ...)
    _printf_(4, 5);
/* A whole file (read_file()): 0 and a malloc'd string, or -errno. */
int pc_read_filef(const struct path_cxt *pc, char **out, size_t *len, const char *fmt, ...)
    _printf_(4, 5);
/* readlink(2) into buf, NUL-terminated: the length or -errno. */
int pc_readlinkf(const struct path_cxt *pc, char *buf, size_t size, const char *fmt, ...)
    _printf_(4, 5);
/* A directory to read, or NULL with errno. */
DIR *pc_opendirf(const struct path_cxt *pc, const char *fmt, ...) _printf_(2, 3);
/* Whether REL exists (faccessat F_OK). */
bool pc_existsf(const struct path_cxt *pc, const char *fmt, ...) _printf_(2, 3);
