/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Stage 4: one decision per PCI function and one viability verdict per IOMMU group that holds a
 * claimed function. Pure: reads its inputs, writes only the plan and warnings.
 */
#pragma once

#include "diag.h"
#include "iomem.h"
#include "rules.h"
#include "scan.h"
#include "variant.h"

enum action {
	ACT_NONE = 0,
	ACT_CLAIM,
	ACT_ALREADY,
	ACT_KEEP,
	ACT_REFUSE,
	ACT_SKIP,
	ACT_RETURN, /* on vfio-pci/pci-stub by their ids= (the kernel's, when built in), and kept or
		     * refused: given back to its own driver */
	ACT__MAX
};

/* A device the machine needs to boot, identified by where it sits and what it is. */
struct boot_dev {
	char *physpath; /* "pci0000:00/01.1/00.0" */
	uint16_t vendor, device;
	char addr[PCI_ADDR_MAX]; /* where it was when recorded (informative) */
	char *what;		 /* "mount /", "root=UUID=..." */
	/* In the initramfs, a recorded entry with no device of its ids at its physical path: the
	 * disk moved slots (or the image boots other hardware). Devices with its ids are then
	 * claimed only by address. */
	bool absent;
};

struct boot_list {
	struct boot_dev *v;
	size_t n, cap;
	/*
	 * In the initramfs, when the image carries no boot-device list or none of its entries is
	 * here (the image boots other hardware, a disk moved) and nothing could be resolved live:
	 * mass storage (class 01xxxx) selected only by ids is refused. Says why, or NULL.
	 */
	char *fallback;
};

struct decision {
	enum action action;
	enum drv target;     /* set for claim/already, and for keep/refuse/skip: what was asked */
	char *reason;	     /* NULL: "no selector matches"; read it through decision_reason() */
	bool companion;	     /* claimed as an IOMMU-group companion */
	const char *variant; /* claim/already for vfio-pci: the variant module to bind, or NULL */
	bool d3cold; /* claim/already: d3cold_allowed=0, power/control=on (earlybind.d3cold) */
	const char *reset; /* claim/already: the reset_method to write (earlybind.reset), or NULL */
};

struct group_rep {
	int group;
	bool viable;
	struct pci_addr *members, *blocking;
	size_t nmembers, nblocking;
};

/* An earlybind.sriov= PF with no VFs: made now when its driver is bound, else when it binds. */
struct sriov_job {
	size_t pf; /* index in pci_list.v */
	const struct sriov_sel *sel;
	bool now;
};

struct plan {
	struct decision *dec; /* parallel to pci_list.v */
	size_t n;
	struct group_rep *groups;
	size_t ngroups;
	struct sriov_job *sriov;
	size_t nsriov;
};

/* What the plan decides from besides the rules and the scanned devices: facts other stages
 * gathered, each NULL when it was not needed (and so not read). */
struct plan_facts {
	const struct boot_list *boot;	 /* the boot-critical devices */
	const struct variants *variants; /* the target kernel's vfio-pci variants */
	const struct iomem_fbs *fbs;	 /* firmware framebuffers in /proc/iomem */
	/* per device: what holds it right now ("mount /mnt/d (vdb1)"), NULL when free or not
	 * asked (inuse.h) */
	char *const *usage;
	/* per driver: built into the kernel (it applies its ids= itself, before any initramfs) */
	bool builtin[DRV__MAX];
	/* a device to claim for vfio-pci has no IOMMU group: vfio's no-IOMMU mode (asked for
	 * with vfio.enable_unsafe_noiommu_mode=1, and the kernel has it), else why not */
	enum noiommu { NOIOMMU_NOT_ASKED = 0, NOIOMMU_ON, NOIOMMU_UNSUPPORTED } noiommu;
};

/* What selects a device, and for which driver. */
struct selection {
	const char *why;		  /* the selector as typed; NULL: nothing selects it */
	enum drv target;		  /* the driver it asks for */
	const struct claim_sel *claim;	  /* the earlybind.claim= entry, or NULL (ids) */
	const struct claim_sel *lost;	  /* an earlier claim of the same device it overrides */
	const struct sriov_sel *sriov_pf; /* the device is a PF earlybind.sriov= names */
	const struct sriov_sel *sriov_vf; /* the device is a VF of such a PF, selected by it */
	bool by_addr;			  /* named by address or path, not by ids */
	bool both;			  /* both vfio-pci.ids and pci-stub.ids match */
};

const char *action_name(enum action a);
const char *decision_reason(const struct decision *dc);
/*
 * The one answer to "does a selector want this device, and for which driver": the plan, the
 * udev path's first question and the pipeline's choice of what to read all ask it. True when a
 * claim or ids selector names it, it is a PF an earlybind.sriov= entry names, or a VF of such a
 * PF (pf: the VF's PF, NULL for a device not known to be a VF), which the entry claims unless a
 * selector of its own names it.
 */
bool plan_select(const struct rules *r, const struct pci_dev *dev, const struct pci_dev *pf,
		 struct selection *s);
void plan_build(const struct rules *r, const struct pci_list *devs, const struct plan_facts *f,
		struct plan *p, struct diag *d);
void plan_free(struct plan *p);
/* The boot entry that this device is, or NULL. */
const struct boot_dev *boot_list_find(const struct boot_list *b, const struct pci_dev *dev);
/*
 * Whether a group member on `driver` (NULL: unbound) keeps its IOMMU group viable. `now`: as the
 * kernel (and so QEMU) judges it at this moment — a vfio driver or pci-stub, no driver, or a
 * bridge. Otherwise the plan's prediction for after coldplug, when unbound endpoints will have
 * their drivers: only a vfio driver or pci-stub, or a bridge on no driver or pcieport.
 */
bool group_member_ok(const struct pci_dev *dev, const char *driver, bool now);
void boot_list_free(struct boot_list *b);
/* "efifb [mem 0x9c000000-0x9c2fffff]" (or the range hidden when /proc/iomem was read as a user). */
const char *plan_fb_desc(const struct iomem_fb *fb, char *buf, size_t size);
