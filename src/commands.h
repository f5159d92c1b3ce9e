/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The commands of earlybind(8), by name: what each takes and its help. */
#pragma once

#include "opts.h"

struct command {
	const char *name;
	/* Returns the exit status. */
	int (*run)(const struct opts *o, int argc, char **argv);
	unsigned opts;	  /* the OPT_* it takes */
	const char *help; /* `earlybind COMMAND --help` */
};

const struct command *command_find(const char *name);
