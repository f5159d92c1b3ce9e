/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "pipeline.h"

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
