/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every command shares: the command line's flags, and the checks of its arguments. */
#pragma once

#include "env.h"
#include "pipeline.h"

/* The command line's flags: where to read (env) and what each command is asked. */
struct opts {
	struct env env;
	bool json;
	bool prometheus;	/* status --prometheus */
	bool dry_run;		/* apply --dry-run */
	bool hostonly;		/* initramfs-modules --hostonly */
	const char *device;	/* apply --device ADDR */
	const char *write_file; /* --write FILE (boot-devices, status --prometheus) */
	const char *initramfs;	/* --initramfs FILE (doctor) */
	const char *force;	/* apply --force ADDR[,ADDR...]: as earlybind.force= */
};

/* The options, as bits: which ones a command takes (others are a usage error). */
enum {
	OPT_SYSFS = 1 << 0,
	OPT_ROOT = 1 << 1,
	OPT_CMDLINE = 1 << 2,
	OPT_BOOT_DEVICES = 1 << 3,
	OPT_JSON = 1 << 4,
	OPT_PROMETHEUS = 1 << 5,
	OPT_DRY_RUN = 1 << 6,
	OPT_DEVICE = 1 << 7,
	OPT_KMSG = 1 << 8,
	OPT_MODDIR = 1 << 9,
	OPT_WRITE = 1 << 10,
	OPT_INITRAMFS = 1 << 11,
	OPT_HOSTONLY = 1 << 12,
	OPT_FORCE = 1 << 13,
	/* where the plan reads: every command that plans takes these */
	OPT_PLAN = OPT_SYSFS | OPT_ROOT | OPT_CMDLINE | OPT_BOOT_DEVICES | OPT_MODDIR,
};

/* The name of an OPT_* bit, "--sysfs". */
const char *option_name(unsigned bit);
/* Every argument a well-formed PCI address: 0, or the usage exit status 2 (said on stderr). */
int check_addr_args(const char *cmd, int argc, char **argv);
/* The device an address argument names, or NULL (said on stderr). */
struct pci_dev *find_arg_dev(const struct ctx *c, const char *arg);
