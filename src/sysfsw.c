// SPDX-License-Identifier: LGPL-2.1-or-later
#include "sysfsw.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

int sysfsw_init(struct sysfsw *w, const char *root, bool dry_run)
{
	*w = (struct sysfsw){.root = root, .dry_run = dry_run};
	w->real = realpath(root, NULL);
	return w->real ? 0 : -errno;
}

void sysfsw_free(struct sysfsw *w)
{
	free(w->real);
	w->real = NULL;
}

static bool below(const char *real_root, const char *p)
{
	size_t n = strlen(real_root);

	if (strcmp(real_root, "/") == 0)
		return true;
	return strncmp(p, real_root, n) == 0 && p[n] == '/';
}

int sysfsw_write(const struct sysfsw *w, const char *rel, const char *value)
{
	_cleanup_free_ char *real = NULL;
	_cleanup_close_ int fd = -1;
	char path[PATH_MAX];
	size_t len = strlen(value);
	ssize_t n;
	int r;

	if (strstr(rel, ".."))
		return -EPERM;
	r = path_fmt(path, sizeof(path), "%s/%s", w->root, rel);
	if (r < 0)
		return r;
	real = realpath(path, NULL);
	if (!real)
		return -errno;
	if (!below(w->real, real))
		return -EPERM;
	if (w->dry_run)
		return 0;
	fd = open(real, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	n = write(fd, value, len);
	if (n < 0)
		return -errno;
	if ((size_t)n != len)
		return -EIO;
	return 0;
}
