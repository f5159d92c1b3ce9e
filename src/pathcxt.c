// SPDX-License-Identifier: LGPL-2.1-or-later
#include "pathcxt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

void path_cxt_open(struct path_cxt *pc, const char *dir)
{
	const char *p = dir && *dir ? dir : "/";

	pc->prefix = dir && strcmp(dir, "/") != 0 ? dir : "";
	pc->dfd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (pc->dfd < 0)
		pc->dfd = -errno;
}

void path_cxt_close(struct path_cxt *pc)
{
	if (pc->dfd >= 0)
		close(pc->dfd);
	pc->dfd = -EBADF;
}

static int vrel(char *buf, size_t size, const char *fmt, va_list ap) _printf_(3, 0);
static int vrel(char *buf, size_t size, const char *fmt, va_list ap)
{
	int n = vsnprintf(buf, size, fmt, ap);
	size_t skip = 0;

	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= size)
		return -ENAMETOOLONG;
	while (buf[skip] == '/')
		skip++;
	if (skip)
		memmove(buf, buf + skip, (size_t)n - skip + 1);
	if (!buf[0]) /* the directory itself */
		memcpy(buf, ".", 2);
	return 0;
}

/*
 * Where a pc_*f() call opens: the held directory and the relative path, or — when the directory
 * could not be held (it did not exist yet when the process started: the state directory's root
 * is made by the first run) — the current directory and PREFIX/REL. Returns the dirfd or -errno.
 */
static int vat(const struct path_cxt *pc, char *buf, size_t size, const char *fmt, va_list ap)
    _printf_(4, 0);
static int vat(const struct path_cxt *pc, char *buf, size_t size, const char *fmt, va_list ap)
{
	char rel[4096];
	int r = vrel(rel, sizeof(rel), fmt, ap);

	if (r < 0)
		return r;
	if (pc->dfd >= 0) {
		memcpy(buf, rel, strlen(rel) + 1);
		return pc->dfd;
	}
	r = snprintf(buf, size, "%s/%s", *pc->prefix ? pc->prefix : "", rel);
	return r < 0 || (size_t)r >= size ? -ENAMETOOLONG : AT_FDCWD;
}

char *path_cxt_abs(const struct path_cxt *pc, const char *fmt, ...)
{
	_cleanup_free_ char *rel = NULL;
	va_list ap;

	va_start(ap, fmt);
	rel = xvasprintf(fmt, ap);
	va_end(ap);
	return xasprintf("%s/%s", pc->prefix, rel[0] == '/' ? rel + 1 : rel);
}

/* The dirfd and path of a pc_*f() call into (at, path); returns -errno from the function. */
#define AT(pc, at, path, fmt)                                                                      \
	do {                                                                                       \
		va_list ap_;                                                                       \
                                                                                                   \
		va_start(ap_, fmt);                                                                \
		at = vat(pc, path, sizeof(path), fmt, ap_);                                        \
		va_end(ap_);                                                                       \
		if (at < 0 && at != AT_FDCWD)                                                      \
			return at;                                                                 \
	} while (0)

int pc_openf(const struct path_cxt *pc, int flags, const char *fmt, ...)
{
	char path[4096];
	int at, fd;

	AT(pc, at, path, fmt);
	fd = openat(at, path, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int pc_readf(const struct path_cxt *pc, char *buf, size_t size, const char *fmt, ...)
{
	char path[4096];
	int at;

	AT(pc, at, path, fmt);
	return read_attr_at(at, path, buf, size);
}

int pc_read_filef(const struct path_cxt *pc, char **out, size_t *len, const char *fmt, ...)
{
	char path[4096];
	int at;

	AT(pc, at, path, fmt);
	return read_file_at(at, path, out, len);
}

int pc_readlinkf(const struct path_cxt *pc, char *buf, size_t size, const char *fmt, ...)
{
	char path[4096];
	int at;

	AT(pc, at, path, fmt);
	return readlink_at(at, path, buf, size);
}

DIR *pc_opendirf(const struct path_cxt *pc, const char *fmt, ...)
{
	char path[4096];
	va_list ap;
	DIR *dp;
	int at, fd;

	va_start(ap, fmt);
	at = vat(pc, path, sizeof(path), fmt, ap);
	va_end(ap);
	if (at < 0 && at != AT_FDCWD) {
		errno = -at;
		return NULL;
	}
	fd = openat(at, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	dp = fdopendir(fd);
	if (!dp)
		close(fd);
	return dp;
}

bool pc_existsf(const struct path_cxt *pc, const char *fmt, ...)
{
	char path[4096];
	va_list ap;
	int at;

	va_start(ap, fmt);
	at = vat(pc, path, sizeof(path), fmt, ap);
	va_end(ap);
	return (at >= 0 || at == AT_FDCWD) && faccessat(at, path, F_OK, 0) == 0;
}
