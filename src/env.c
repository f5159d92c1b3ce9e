// SPDX-License-Identifier: LGPL-2.1-or-later
#include "env.h"

#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "util.h"

void env_open(struct env *e)
{
	path_cxt_open(&e->sys, e->sysfs);
	path_cxt_open(&e->rootd, e->root);
}

void env_close(struct env *e)
{
	path_cxt_close(&e->sys);
	path_cxt_close(&e->rootd);
}

char *root_path(const struct env *e, const char *path)
{
	return path_cxt_abs(&e->rootd, "%s", path);
}

bool in_initramfs(const struct env *e)
{
	return pc_existsf(&e->rootd, "/etc/initrd-release");
}

bool env_live(const struct env *e)
{
	struct stat a, b;

	if (e->root && *e->root && strcmp(e->root, "/") != 0)
		return true;
	/* the tree is /sys itself (by any path): one directory, not a walk of each component */
	return stat(e->sysfs, &a) == 0 && stat("/sys", &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

char *env_moddir(const struct env *e)
{
	_cleanup_free_ char *rel = NULL;
	struct utsname u;

	if (e->moddir)
		return xstrdup(e->moddir);
	if (uname(&u) < 0)
		return NULL;
	rel = xasprintf("/lib/modules/%s", u.release);
	return root_path(e, rel);
}
