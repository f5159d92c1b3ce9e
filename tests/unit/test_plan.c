// SPDX-License-Identifier: LGPL-2.1-or-later
/* The plan rules on devices built in memory: precedence, refusals, skips, groups, viability. */
#include "unit.h"

#include <stdlib.h>

#include "cmdline.h"
#include "plan.h"

struct world {
	struct diag d;
	struct rules r;
	struct pci_list l;
	struct boot_list boot;
	struct plan p;
};

static void dev(struct world *w, const char *addr, uint16_t v, uint16_t d, uint32_t cls,
		const char *driver, int group)
{
	struct pci_dev x = {0};

	pci_addr_parse(addr, &x.addr);
	pci_addr_fmt(&x.addr, x.name);
	x.ids = (struct pci_ids){v, d, 0x1043, 0x8000, cls};
	x.driver = driver ? str_intern(driver, strlen(driver)) : NULL;
	x.has_detail = true;
	x.iommu_group = group;
	x.header_type = (cls >> 8) == 0x0604 ? 1 : 0;
	x.sriov_numvfs = -1;
	x.boot_vga = -1;
	grow((void **)&w->l.v, &w->l.cap, w->l.n, sizeof(*w->l.v));
	w->l.v[w->l.n++] = x;
}

static struct pci_dev *get(struct world *w, const char *addr)
{
	struct pci_addr a;

	pci_addr_parse(addr, &a);
	return pci_list_find(&w->l, &a);
}

static void run(struct world *w, const char *line)
{
	char *buf = strdup(line);

	diag_init(&w->d);
	rules_init(&w->r, &w->d);
	cmdline_split(buf, "test", rules_add, &w->r);
	rules_finish(&w->r);
	free(buf);
	plan_build(&w->r, &w->l, &(struct plan_facts){.boot = &w->boot}, &w->p, &w->d);
}

static const struct decision *dec(struct world *w, const char *addr)
{
	return &w->p.dec[get(w, addr) - w->l.v];
}

static bool is(struct world *w, const char *addr, enum action a, enum drv t)
{
	const struct decision *dc = dec(w, addr);

	return dc->action == a && (t == DRV_NONE || dc->target == t);
}

static bool warned(struct world *w, const char *needle)
{
	for (size_t i = 0; i < w->d.n; i++)
		if (strstr(w->d.msgs[i], needle))
			return true;
	return false;
}

static void reset(struct world *w)
{
	plan_free(&w->p);
	rules_free(&w->r);
	diag_free(&w->d);
}

static void finish(struct world *w)
{
	reset(w);
	pci_list_free(&w->l);
	boot_list_free(&w->boot);
}

/* A small machine: root port, twin GPUs each with audio, an NVMe, a NIC PF with VFs. */
static void machine(struct world *w)
{
	*w = (struct world){0};
	dev(w, "00:00.0", 0x8086, 0x1234, 0x060000, NULL, 0);
	dev(w, "00:01.0", 0x8086, 0x1901, 0x060400, "pcieport", 1);
	dev(w, "01:00.0", 0x10de, 0x1b80, 0x030000, "nouveau", 1);
	dev(w, "01:00.1", 0x10de, 0x10f0, 0x040300, "snd_hda_intel", 1);
	dev(w, "02:00.0", 0x10de, 0x1b80, 0x030000, "nouveau", 2);
	dev(w, "02:00.1", 0x10de, 0x10f0, 0x040300, NULL, 2);
	dev(w, "03:00.0", 0x144d, 0xa808, 0x010802, "nvme", 3);
	dev(w, "04:00.0", 0x8086, 0x1572, 0x020000, "i40e", 4);
	get(w, "04:00.0")->sriov_numvfs = 4;
	get(w, "01:00.0")->boot_vga = 1;
}

void test_plan(void)
{
	struct world w;

	machine(&w);
	run(&w, "vfio-pci.ids=10de:1b80");
	CHECK(is(&w, "01:00.0", ACT_CLAIM, DRV_VFIO) && is(&w, "02:00.0", ACT_CLAIM, DRV_VFIO),
	      "ids claim both twins");
	CHECK(is(&w, "01:00.1", ACT_NONE, DRV_NONE) && is(&w, "03:00.0", ACT_NONE, DRV_NONE),
	      "others untouched");
	CHECK(STREQ(dec(&w, "01:00.0")->reason, "vfio-pci.ids=10de:1b80"), "reason names selector");
	CHECK(warned(&w, "0000:01:00.0 is the boot VGA"), "boot VGA warns");
	CHECK(w.p.ngroups == 2 && !w.p.groups[0].viable,
	      "group 1 not viable (audio on snd_hda_intel)");
	CHECK(w.p.groups[0].nblocking == 1 && w.p.groups[0].blocking[0].fn == 1,
	      "the audio function blocks");
	CHECK(!w.p.groups[1].viable, "an unbound member that nothing claims is not viable");
	reset(&w);

	run(&w, "vfio-pci.ids=10de:1b80 earlybind.keep=01:00.0");
	CHECK(is(&w, "01:00.0", ACT_KEEP, DRV_NONE) && is(&w, "02:00.0", ACT_CLAIM, DRV_VFIO),
	      "keep splits twins");
	reset(&w);

	run(&w, "earlybind.claim=02:00.0");
	CHECK(is(&w, "01:00.0", ACT_NONE, DRV_NONE) && is(&w, "02:00.0", ACT_CLAIM, DRV_VFIO),
	      "address claim takes one twin");
	reset(&w);

	run(&w, "vfio-pci.ids=10de:1b80 earlybind.claim=02:00.0=pci-stub earlybind.keep=02:00.0");
	CHECK(is(&w, "02:00.0", ACT_KEEP, DRV_NONE), "keep beats address claim");
	reset(&w);

	run(&w, "vfio-pci.ids=10de:1b80 earlybind.claim=02:00.0=pci-stub");
	CHECK(is(&w, "02:00.0", ACT_CLAIM, DRV_STUB), "address claim beats ids");
	reset(&w);

	run(&w, "vfio-pci.ids=10de:1b80 pci-stub.ids=10de:1b80");
	CHECK(is(&w, "01:00.0", ACT_CLAIM, DRV_STUB), "both ids: pci-stub wins");
	CHECK(warned(&w, "pci-stub wins"), "and says so");
	reset(&w);

	run(&w, "earlybind.claim=02:00.0@10de:1b81");
	CHECK(is(&w, "02:00.0", ACT_REFUSE, DRV_NONE) &&
		  strstr(dec(&w, "02:00.0")->reason, "hardware changed"),
	      "@ids mismatch refused");
	reset(&w);
	run(&w, "earlybind.claim=02:00.0@10de:1b80");
	CHECK(is(&w, "02:00.0", ACT_CLAIM, DRV_VFIO), "@ids match claimed");
	reset(&w);

	run(&w, "vfio-pci.ids=ffffffff:ffffffff:ffffffff:ffffffff:060000:ff0000");
	CHECK(is(&w, "00:00.0", ACT_SKIP, DRV_NONE) && is(&w, "00:01.0", ACT_SKIP, DRV_NONE),
	      "bridges skipped");
	reset(&w);

	get(&w, "03:00.0")->header_type = 1;
	run(&w, "earlybind.claim=03:00.0");
	CHECK(is(&w, "03:00.0", ACT_SKIP, DRV_NONE) &&
		  strstr(dec(&w, "03:00.0")->reason, "header type 1"),
	      "header type 1 skipped");
	get(&w, "03:00.0")->header_type = 0;
	reset(&w);

	run(&w, "earlybind.claim=04:00.0");
	CHECK(is(&w, "04:00.0", ACT_REFUSE, DRV_NONE) &&
		  strstr(dec(&w, "04:00.0")->reason, "SR-IOV"),
	      "PF with VFs refused");
	reset(&w);

	run(&w, "vfio-pci.ids=10de:1b80 earlybind=0");
	CHECK(is(&w, "01:00.0", ACT_NONE, DRV_NONE) &&
		  strstr(dec(&w, "01:00.0")->reason, "earlybind=0"),
	      "earlybind=0: none, and says why");
	CHECK(w.p.ngroups == 0, "no groups when off");
	reset(&w);

	get(&w, "02:00.0")->driver = "vfio-pci";
	run(&w, "earlybind.claim=02:00.0");
	CHECK(is(&w, "02:00.0", ACT_ALREADY, DRV_VFIO), "already on target");
	reset(&w);

	run(&w, "earlybind.claim=02:00.0 earlybind.group=vfio-pci");
	CHECK(is(&w, "02:00.1", ACT_CLAIM, DRV_VFIO) && dec(&w, "02:00.1")->companion,
	      "group companion claimed");
	CHECK(w.p.ngroups == 1 && w.p.groups[0].viable, "group 2 viable with the companion");
	reset(&w);

	run(&w, "earlybind.claim=02:00.0 earlybind.group=pci-stub earlybind.keep=02:00.1");
	CHECK(is(&w, "02:00.1", ACT_KEEP, DRV_NONE), "a kept member is not a companion");
	CHECK(w.p.ngroups == 1 && !w.p.groups[0].viable, "and blocks the group");
	reset(&w);

	/* An NVMe in the GPU's group: never a companion, the group is named non-viable, and as it
	 * can never be viable the audio function is left to the host too. */
	get(&w, "03:00.0")->iommu_group = 2;
	run(&w, "earlybind.claim=02:00.0 earlybind.group=pci-stub");
	CHECK(
	    is(&w, "02:00.1", ACT_NONE, DRV_NONE) &&
		strstr(decision_reason(dec(&w, "02:00.1")), "cannot be viable while 0000:03:00.0"),
	    "no companion for a group storage keeps unviable");
	CHECK(is(&w, "03:00.0", ACT_NONE, DRV_NONE) &&
		  strstr(decision_reason(dec(&w, "03:00.0")), "mass storage"),
	      "storage never a companion");
	CHECK(w.p.ngroups == 1 && !w.p.groups[0].viable && w.p.groups[0].nblocking == 2 &&
		  w.p.groups[0].blocking[1].bus == 3,
	      "storage blocks the group");
	get(&w, "03:00.0")->iommu_group = 3;
	reset(&w);

	/* Boot devices: refused unless forced; a twin at another path is still claimed. */
	dev(&w, "05:00.0", 0x144d, 0xa808, 0x010802, "nvme", 5);
	get(&w, "03:00.0")->physpath = strdup("pci0000:00/03.0/00.0");
	get(&w, "05:00.0")->physpath = strdup("pci0000:00/05.0/00.0");
	grow((void **)&w.boot.v, &w.boot.cap, 0, sizeof(*w.boot.v));
	w.boot.v[0] = (struct boot_dev){.physpath = strdup("pci0000:00/03.0/00.0"),
					.vendor = 0x144d,
					.device = 0xa808,
					.what = strdup("/")};
	w.boot.n = 1;
	run(&w, "vfio-pci.ids=144d:a808");
	CHECK(is(&w, "03:00.0", ACT_REFUSE, DRV_NONE) &&
		  strstr(dec(&w, "03:00.0")->reason, "boot device"),
	      "boot disk refused");
	CHECK(is(&w, "05:00.0", ACT_CLAIM, DRV_VFIO), "its twin at another path claimed");
	reset(&w);
	run(&w, "vfio-pci.ids=144d:a808 earlybind.force=03:00.0");
	CHECK(is(&w, "03:00.0", ACT_CLAIM, DRV_VFIO), "force claims the boot disk");
	reset(&w);

	run(&w, "earlybind.claim=09:00.0");
	CHECK(warned(&w, "no PCI device at that address"), "claim of a missing device warns");
	finish(&w);
}
