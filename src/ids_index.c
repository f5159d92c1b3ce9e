// SPDX-License-Identifier: LGPL-2.1-or-later
#include "ids_index.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static int by_vendor_cmp(const void *a, const void *b, void *ud)
{
	const struct id_sel *v = ud;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	uint32_t vx = v[x].vendor, vy = v[y].vendor;

	if (vx != vy)
		return vx < vy ? -1 : 1;
	return x < y ? -1 : x > y;
}

void ids_index_build(struct ids_index *x, const struct id_sel *v, size_t n)
{
	ids_index_free(x);
	x->by_vendor = xcalloc(n ? n : 1, sizeof(*x->by_vendor));
	for (size_t i = 0; i < n; i++)
		x->by_vendor[i] = i;
	if (n)
		qsort_r(x->by_vendor, n, sizeof(*x->by_vendor), by_vendor_cmp, (void *)v);
	for (size_t i = 0; i < n; i++) {
		unsigned h = ids_index_hash(v[i].vendor);

		if (v[i].vendor == PCI_ANY_ID)
			x->any_vendor = true;
		else
			x->vendor_bits[h / 64] |= 1ull << (h % 64);
	}
}

void ids_index_free(struct ids_index *x)
{
	free(x->by_vendor);
	*x = (struct ids_index){0};
}

/* The first match, in list order, among the entries with this vendor field. */
static const struct id_sel *match_vendor(const struct ids_index *x, const struct id_sel *v,
					 size_t n, uint32_t vendor, enum drv drv,
					 const struct pci_ids *ids)
{
	size_t lo = 0, hi = n;

	/* lower bound of vendor in the (vendor, position) order */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[x->by_vendor[mid]].vendor < vendor)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n && v[x->by_vendor[lo]].vendor == vendor; lo++) {
		const struct id_sel *s = &v[x->by_vendor[lo]];

		if (s->drv == drv && id_match(s, ids))
			return s;
	}
	return NULL;
}

const struct id_sel *ids_index_match(const struct ids_index *x, const struct id_sel *v, size_t n,
				     enum drv drv, const struct pci_ids *ids)
{
	const struct id_sel *a, *b;
	unsigned h;

	if (!x->by_vendor) { /* not built: the plain scan */
		for (size_t i = 0; i < n; i++)
			if (v[i].drv == drv && id_match(&v[i], ids))
				return &v[i];
		return NULL;
	}
	h = ids_index_hash(ids->vendor);
	a = x->vendor_bits[h / 64] >> (h % 64) & 1 ? match_vendor(x, v, n, ids->vendor, drv, ids)
						   : NULL;
	b = x->any_vendor ? match_vendor(x, v, n, PCI_ANY_ID, drv, ids) : NULL;
	if (a && b)
		return a < b ? a : b;
	return a ? a : b;
}
