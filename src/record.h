/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The boot's record as data: each result with its origin (the initramfs run, a udev run, or a
 * hand run after boot) and time, and the questions asked of it — which entry is in force for a
 * device, and whether a claim is no longer in effect. The state file (state.h) reads and writes
 * it; the JSON objects (json.h) and the reports show it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "apply.h"
#include "names.h"
#include "pci.h"
#include "scan.h"

enum origin { ORIGIN_INITRAMFS = 0, ORIGIN_UDEV, ORIGIN_HAND };

const char *origin_name(enum origin o);
/* The origin a name says; the initramfs for anything else. */
enum origin origin_parse(const char *s);

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
