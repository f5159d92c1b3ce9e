/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ROOT/run/earlybind: `results` (one line per touched device, the merge base for concurrent
 * `apply --device` runs) and `state.json` (the plan, the results and the final drivers), both
 * replaced atomically (temporary file + rename) under ROOT/run/earlybind/lock.
 */
#pragma once

#include "apply.h"
#include "pipeline.h"

struct state_entry {
	struct pci_addr addr;
	enum result res;
	enum drv target;
	char *orig_driver, *final_driver, *error;
};

struct state {
	struct state_entry *v;
	size_t n, cap;
};

/* Merges the outcomes of this run into the saved results and rewrites both files. */
int state_save(struct ctx *c, const struct outcome *out, const char *command);
/* Reads ROOT/run/earlybind/results. Returns 0, -ENOENT when there is none, or -errno. */
int state_load(const struct opts *o, struct state *s);
const struct state_entry *state_find(const struct state *s, const struct pci_addr *a);
void state_free(struct state *s);
