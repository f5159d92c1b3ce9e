/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vfio-pci variant drivers (Linux >= 5.16): modules whose aliases read "vfio_pci:v...d...", made
 * by PCI_DRIVER_OVERRIDE_DEVICE_VFIO() entries; they bind only through driver_override. A device
 * wants the variant with the most specific alias matching "vfio_" + its modalias (the most
 * exact fields, weighed vendor, device, subsystem, class in that order); plain vfio-pci
 * ("vfio_pci:v*d*sv*sd*bc*sc*i*") is the fallback and never a variant.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "pci.h"

struct variant_alias {
	char *pattern;	 /* "vfio_pci:v00008086d000010D3sv*sd*bc*sc*i*" */
	char module[56]; /* "ebtest_vfio_pci" */
	unsigned score;	 /* specificity: a bit per exact field, vendor highest */
};

struct variants {
	struct variant_alias *v;
	size_t n;
};

/* Reads the vfio_pci: aliases (vfio_pci's own excepted) of MODDIR/modules.alias.bin, or of
 * MODDIR/modules.alias when the index is missing or unreadable. Returns 0 or -errno (vs stays
 * empty). */
int variants_load(const char *moddir, struct variants *vs);
/* The most specific alias matching the device; NULL when none, or when two modules tie (*tie). */
const struct variant_alias *variants_best(const struct variants *vs, const struct pci_ids *ids,
					  bool *tie);
/* An alias of the module named (as modprobe compares names: '-' and '_' alike), or NULL. */
const struct variant_alias *variants_by_module(const struct variants *vs, const char *module);
/* "vfio_pci:v%08Xd%08X..." for the device, as "vfio_" + the kernel's modalias; buf of 96. */
void variant_modalias(const struct pci_ids *ids, char *buf, size_t size);
void variants_free(struct variants *vs);
