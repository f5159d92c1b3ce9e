// SPDX-License-Identifier: LGPL-2.1-or-later
#include "record.h"

#include <stdlib.h>
#include <string.h>

void state_free(struct state *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].orig_driver);
		free(s->v[i].final_driver);
		free(s->v[i].error);
		free(s->v[i].restore);
		free(s->v[i].selector);
	}
	free(s->v);
	*s = (struct state){0};
}

const char *origin_name(enum origin o)
{
	static const char *const names[] = {"initramfs", "udev", "hand"};

	return names[o];
}

enum origin origin_parse(const char *s)
{
	for (int i = ORIGIN_INITRAMFS; i <= ORIGIN_HAND; i++)
		if (strcmp(s, origin_name(i)) == 0)
			return i;
	return ORIGIN_INITRAMFS;
}

const struct state_entry *state_find_origin(const struct state *s, const struct pci_addr *a,
					    bool hand)
{
	for (size_t i = 0; i < s->n; i++)
		if (pci_addr_cmp(&s->v[i].addr, a) == 0 && (s->v[i].origin == ORIGIN_HAND) == hand)
			return &s->v[i];
	return NULL;
}

const struct state_entry *state_find(const struct state *s, const struct pci_addr *a)
{
	const struct state_entry *e = state_find_origin(s, a, true);

	return e ? e : state_find_origin(s, a, false);
}

bool state_claim_lost(const struct state *s, const struct state_entry *e, const struct pci_dev *dev)
{
	return state_find(s, &e->addr) == e && (e->res == RES_CLAIMED || e->res == RES_ALREADY) &&
	       (!dev || drv_from_bound(dev->driver) != e->target);
}
