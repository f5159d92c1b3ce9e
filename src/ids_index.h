/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An index over a list of ids selectors, so that a big machine's devices are matched in
 * O(log n) each however long the list: the entries sorted by (vendor, position), and a bit per
 * vendor hash, so that most devices miss at one look.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "names.h"
#include "pci.h"
#include "selector.h"

struct ids_index {
	size_t *by_vendor;	 /* entry positions sorted by (vendor, position); NULL: not built */
	uint64_t vendor_bits[4]; /* a bit per vendor hash */
	bool any_vendor;	 /* some entry has no vendor (PCI_ANY_ID) */
};

/* (Re)builds the index over v[0..n). */
void ids_index_build(struct ids_index *x, const struct id_sel *v, size_t n);
void ids_index_free(struct ids_index *x);

static inline unsigned ids_index_hash(uint32_t vendor)
{
	return (vendor ^ vendor >> 8) & 0xff;
}

/* False when no entry of the n indexed can match this vendor. */
static inline bool ids_index_may_match(const struct ids_index *x, size_t n, uint32_t vendor)
{
	unsigned h = ids_index_hash(vendor);

	if (!x->by_vendor)
		return n > 0;
	return x->any_vendor || (x->vendor_bits[h / 64] >> (h % 64) & 1);
}

/* The first entry of v[0..n) for drv that matches ids, in list order, or NULL. Without an index
 * built, a plain scan. */
const struct id_sel *ids_index_match(const struct ids_index *x, const struct id_sel *v, size_t n,
				     enum drv drv, const struct pci_ids *ids);
