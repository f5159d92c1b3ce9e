// SPDX-License-Identifier: LGPL-2.1-or-later
/* The read-only commands: plan and status. */
#include "commands.h"

#include <stdio.h>
#include <string.h>

#include "report.h"

static int show(const struct opts *o, int argc, char **argv, bool status)
{
	struct ctx c;
	int r;

	(void)argv;
	if (argc > 0) {
		fprintf(stderr, "earlybind: %s takes no arguments\n", status ? "status" : "plan");
		return 2;
	}
	r = pipeline_plan(&c, o, o->json || status);
	diag_finish(&c.diag);
	if (r < 0) {
		fprintf(stderr, "earlybind: %s\n", c.diag.msgs[c.diag.n - 1]);
		ctx_free(&c);
		return 1;
	}
	if (o->json)
		report_json(stdout, &c, status ? "status" : "plan", NULL);
	else if (status)
		report_status(stdout, &c);
	else
		report_plan(stdout, &c);
	ctx_free(&c);
	return 0;
}

static int cmd_plan(const struct opts *o, int argc, char **argv)
{
	return show(o, argc, argv, false);
}

static int cmd_status(const struct opts *o, int argc, char **argv)
{
	return show(o, argc, argv, true);
}

static const struct command commands[] = {
	{"plan", cmd_plan},
	{"status", cmd_status},
};

const struct command *command_find(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}
