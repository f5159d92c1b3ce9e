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

int path_cxt_rel(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vrel(buf, size, fmt, ap);
	va_end(ap);
	return r;
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

/* The relative path of a pc_*f() call into a local buffer; returns -errno from the function. */
#define REL(pc, buf, fmt)                                                                          \
	do {                                                                                       \
		va_list ap_;                                                                       \
		int r_;                                                                            \
                                                                                                   \
		if ((pc)->dfd < 0)                                                                 \
			return (pc)->dfd;                                                          \
		va_start(ap_, fmt);                                                                \
		r_ = vrel(buf, sizeof(buf), fmt, ap_);                                             \
		va_end(ap_);                                                                       \
		if (r_ < 0)                                                                        \
			return r_;                                                                 \
	} while (0)

int pc_openf(const struct path_cxt *pc, int flags, const char *fmt, ...)
{
	char rel[4096];
	int fd;

	REL(pc, rel, fmt);
	fd = openat(pc->dfd, rel, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int pc_readf(const struct path_cxt *pc, char *buf, size_t size, const char *fmt, ...)
{
	char rel[4096];

	REL(pc, rel, fmt);
	return read_attr_at(pc->dfd, rel, buf, size);
}

int pc_read_filef(const struct path_cxt *pc, char **out, size_t *len, const char *fmt, ...)
{
	char rel[4096];

	REL(pc, rel, fmt);
	return read_file_at(pc->dfd, rel, out, len);
}

int pc_readlinkf(const struct path_cxt *pc, char *buf, size_t size, const char *fmt, ...)
{
	char rel[4096];

	REL(pc, rel, fmt);
	return readlink_at(pc->dfd, rel, buf, size);
}

DIR *pc_opendirf(const struct path_cxt *pc, const char *fmt, ...)
{
	char rel[4096];
	va_list ap;
	DIR *dp;
	int fd, r;

	if (pc->dfd < 0) {
		errno = -pc->dfd;
		return NULL;
	}
	va_start(ap, fmt);
	r = vrel(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	if (r < 0) {
		errno = -r;
		return NULL;
	}
	fd = openat(pc->dfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	dp = fdopendir(fd);
	if (!dp)
		close(fd);
	return dp;
}

bool pc_existsf(const struct path_cxt *pc, const char *fmt, ...)
{
	char rel[4096];
	va_list ap;
	int r;

	if (pc->dfd < 0)
		return false;
	va_start(ap, fmt);
	r = vrel(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	return r == 0 && faccessat(pc->dfd, rel, F_OK, 0) == 0;
}
