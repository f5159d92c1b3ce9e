// SPDX-License-Identifier: LGPL-2.1-or-later
/* libFuzzer: a whole command line through rules and into a plan over a small fixed machine. */
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "plan.h"

static void machine(struct pci_list *l)
{
	static const struct {
		const char *addr;
		struct pci_ids ids;
		const char *driver;
		int group;
	} devs[] = {
	    {"0000:00:01.0", {0x8086, 0x1901, 0, 0, 0x060400}, "pcieport", 1},
	    {"0000:01:00.0", {0x10de, 0x1b80, 0x1043, 0x85a0, 0x030000}, "nouveau", 1},
	    {"0000:01:00.1", {0x10de, 0x10f0, 0x1043, 0x85a0, 0x040300}, NULL, 1},
	    {"0000:02:00.0", {0x10de, 0x1b80, 0x1043, 0x85a0, 0x030000}, "vfio-pci", 2},
	    {"0000:03:00.0", {0x144d, 0xa808, 0x144d, 0xa801, 0x010802}, "nvme", 2},
	    {"10000:e1:00.0", {0x8086, 0x10d3, 0, 0, 0x020000}, "e1000e", -1},
	};

	*l = (struct pci_list){0};
	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		struct pci_dev d = {.ids = devs[i].ids,
				    .iommu_group = devs[i].group,
				    .header_type = -1,
				    .sriov_numvfs = i == 4 ? 2 : -1,
				    .boot_vga = i == 1,
				    .has_detail = true};

		pci_addr_parse(devs[i].addr, &d.addr);
		pci_addr_fmt(&d.addr, d.name);
		d.driver = devs[i].driver;
		grow((void **)&l->v, &l->cap, l->n, sizeof(*l->v));
		l->v[l->n++] = d;
	}
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char *buf = malloc(size + 1);
	struct boot_list boot = {0};
	struct pci_list l;
	struct rules r;
	struct diag d;
	struct plan p;

	memcpy(buf, data, size);
	buf[size] = '\0';
	diag_init(&d);
	rules_init(&r, &d);
	cmdline_split(buf, "fuzz", rules_add, &r);
	rules_finish(&r);
	machine(&l);
	plan_build(&r, &l, &(struct plan_facts){.boot = &boot}, &p, &d);
	diag_finish(&d);
	for (size_t i = 0; i < p.n; i++)
		if (p.dec[i].action >= ACT__MAX || !decision_reason(&p.dec[i]))
			abort();
	plan_free(&p);
	pci_list_free(&l);
	rules_free(&r);
	diag_free(&d);
	free(buf);
	return 0;
}
