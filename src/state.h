/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ROOT/run/earlybind: `results` (one line per device and origin, the merge base for concurrent
 * runs), `boot.json` (the boot's plan and warnings, written by boot runs only) and `state.json`
 * (boot.json and every result), all replaced atomically (temporary file + rename) under
 * ROOT/run/earlybind/lock.
 *
 * The boot's record belongs to the boot: each result carries its origin — the initramfs run,
 * a udev `apply --device` run, or a hand run after boot — and its time. A hand run never
 * replaces a boot entry; it adds or replaces the device's hand entry beside it. A dry run by hand
 * writes nothing at all.
 */
#pragma once

#include <time.h>

#include "apply.h"
#include "pipeline.h"

enum origin { ORIGIN_INITRAMFS = 0, ORIGIN_UDEV, ORIGIN_HAND };

const char *origin_name(enum origin o);

struct state_entry {
	struct pci_addr addr;
	enum result res;
	enum drv target;
	enum origin origin;
	long long time; /* seconds since the epoch; 0 when unknown */
	char *orig_driver, *final_driver, *error;
	char *restore;	/* what preparing the device changed (outcome.restore), or NULL */
	char *selector; /* what chose it (outcome.selector), or NULL */
};

struct state {
	struct state_entry *v; /* sorted by address, the boot entry before the hand entry */
	size_t n, cap;
};

/* Merges the outcomes of this run into the saved results and rewrites the files. */
int state_save(struct ctx *c, const struct outcome *out, const char *command, enum origin origin);
/* Reads ROOT/run/earlybind/results. Returns 0, -ENOENT when there is none, or -errno. */
int state_load(const struct env *e, struct state *s);
/* The device's boot entry (initramfs or udev; hand == false) or its hand entry, or NULL. */
const struct state_entry *state_find_origin(const struct state *s, const struct pci_addr *a,
					    bool hand);
/* What is in force for the device: its hand entry when there is one, else its boot entry. */
const struct state_entry *state_find(const struct state *s, const struct pci_addr *a);
/*
 * Whether e is a claim no longer in effect: the entry in force for its device (a later hand
 * entry supersedes the boot's), claimed or already, and the device (dev, NULL when gone) is not
 * on its target. What check, doctor, status and the metrics all count.
 */
bool state_claim_lost(const struct state *s, const struct state_entry *e,
		      const struct pci_dev *dev);
void state_free(struct state *s);
