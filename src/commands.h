/* SPDX-License-Identifier: LGPL-2.1-or-later */
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
};

struct command {
	const char *name;
	/* Returns the exit status. */
	int (*run)(const struct opts *o, int argc, char **argv);
	const char *help; /* `earlybind COMMAND --help` */
};

const struct command *command_find(const char *name);
/* Every argument a well-formed PCI address: 0, or the usage exit status 2 (said on stderr). */
int check_addr_args(const char *cmd, int argc, char **argv);
/* The device an address argument names, or NULL (said on stderr). */
struct pci_dev *find_arg_dev(const struct ctx *c, const char *arg);
