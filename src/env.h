/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Where earlybind reads the machine: the sysfs root, the root prefixed to every other host file
 * (/etc, /proc, /run, /dev nodes, /boot, /lib/modules, the modprobe.d directories; not /dev/kmsg,
 * see kmsg), the command-line sources, the boot-device list and the module tree. Below every stage:
 * each reads its paths from here, never from the command's flags.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "pathcxt.h"

struct env {
	const char *sysfs;    /* --sysfs, default /sys */
	const char *root;     /* --root: prefix of every host file but sysfs and kmsg; default "" */
	char **cmdline_files; /* --cmdline, in order; none: the default sources */
	size_t ncmdline;
	const char *boot_devices; /* --boot-devices FILE */
	const char *moddir;	  /* --moddir DIR (modules for libkmod) */
	const char *kmsg;	  /* --kmsg FILE */
	struct path_cxt sys;	  /* sysfs, held open: every sysfs reader reads under it */
	struct path_cxt rootd;	  /* the root, likewise for every host file */
};

/* Opens the two path contexts (env_close() closes them). */
void env_open(struct env *e);
void env_close(struct env *e);

/* ROOT/path (root "" or "/" means none). Caller frees. */
char *root_path(const struct env *e, const char *path);
/* Whether this runs in an initramfs: ROOT/etc/initrd-release exists, as systemd decides it. */
bool in_initramfs(const struct env *e);
/*
 * Whether the mounts, swaps, routes and processes under ROOT describe the machine of the sysfs
 * tree: both are the live ones, or a --root is given with the tree. A --sysfs tree alone (a
 * snapshot of another machine) has no such facts here.
 */
bool env_live(const struct env *e);
/* The module directory: --moddir, or ROOT/lib/modules/$(uname -r). NULL (errno) if unknown. */
char *env_moddir(const struct env *e);
