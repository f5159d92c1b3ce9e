/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Stage 3: PCI functions under SYSFS/bus/pci/devices. The hot path reads one file per function
 * (uevent: ids, class, driver); details are read only for the devices that need them.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "pathcxt.h"
#include "pci.h"

struct pci_dev {
	struct pci_addr addr;
	char name[PCI_ADDR_MAX]; /* the directory name, "0000:01:00.0" */
	struct pci_ids ids;
	const char *driver; /* NULL when unbound; interned (str_intern()), never freed */
	bool has_detail;
	char *driver_override;	/* NULL when the kernel shows "(null)" or there is no such file */
	int iommu_group;	/* -1: no group */
	int header_type;	/* -1: config unreadable */
	int sriov_numvfs;	/* -1: not a PF */
	int sriov_totalvfs;	/* -1: not a PF (or unreadable) */
	bool is_vf;		/* known to be a VF (its PF's virtfnN, or its physfn link) */
	struct pci_addr physfn; /* a VF's PF */
	int vf_index;		/* a VF's N in its PF's virtfnN */
	int boot_vga;		/* -1: no boot_vga attribute */
	int boot_display;	/* -1: none (kernels >= 6.18 have it on the boot display only) */
	char *physpath;		/* "pci0000:00/01.1/00.0" */
	char *reset_methods; /* reset_method ("flr bus"); NULL: none (kernel < 5.15, or no reset) */
	struct pci_addr
	    *chain; /* the PCI functions from the root down to this one (with physpath) */
	size_t nchain;
};

struct pci_list {
	struct pci_dev *v; /* sorted by address */
	size_t n, cap;
};

/* Returns 0, or -errno when bus/pci/devices cannot be read at all. Bad entries are warnings. */
int scan_devices(const struct path_cxt *sys, struct pci_list *l, struct diag *d);
struct scanner;
/* The same through an open scanner (scanner_open() succeeded). */
void scan_devices_in(struct scanner *s, struct pci_list *l, struct diag *d);
/* What scan_detail() reads beyond what the plan always needs (group, header, SR-IOV, boot VGA). */
enum {
	DETAIL_OVERRIDE = 1 << 0, /* driver_override (status, --json) */
	DETAIL_PHYSPATH = 1 << 1, /* the physical path (boot-device matching, --json) */
	DETAIL_RESET = 1 << 2,	  /* reset_method (earlybind.reset) */
};

/* An open bus/pci/devices directory for repeated detail reads. */
struct scanner {
	const struct path_cxt *sys;
	int dfd;		/* bus/pci/devices */
	int gfd;		/* kernel/iommu_groups, opened on first use (O_PATH) */
	bool boot_vga_seen;	/* a boot_vga of 1 was read (the kernel has one such device) */
	bool boot_display_seen; /* likewise a boot_display */
};
int scanner_open(struct scanner *s, const struct path_cxt *sys);
void scanner_close(struct scanner *s);
/* Reads the IOMMU group, header type, SR-IOV state, boot_vga and what `want` asks for. */
void scan_detail(struct scanner *s, struct pci_dev *dev, unsigned want, struct diag *d);
/* The VFs of a PF with VFs enabled (its virtfnN links, in N order). Returns the count or -errno. */
int scan_vfs(struct scanner *s, const struct pci_dev *pf, struct pci_addr **out);
/* A VF's PF and its index among the PF's VFs (dev->physfn, dev->vf_index), from its physfn link.
 * Returns 0, or -errno (not a VF: -ENOENT). */
int scan_physfn(const struct path_cxt *sys, struct pci_dev *dev);
/* Only the header type (a config read for an undefined or CardBus class alone). */
void scan_header_type(struct scanner *s, struct pci_dev *dev);
/* Only the physical path, whether or not the details were read. */
void scan_physpath(struct scanner *s, struct pci_dev *dev);
/*
 * Notes the vfio-pci variant drivers registered now (drv_note_vfio_family()): the pci drivers of
 * the modules in SYSFS/module/vfio_pci_core/holders. Called by scan_devices() and scan_device().
 */
void scan_vfio_family(const struct path_cxt *sys);
/* Reads one device by address (name and ids/driver only). Returns 0 or -errno. */
int scan_device(const struct path_cxt *sys, const struct pci_addr *a, struct pci_dev *dev);
/* Re-reads the ids and the bound driver of one device (after apply changed it). */
int scan_refresh(const struct path_cxt *sys, struct pci_dev *dev);
/* The addresses in SYSFS/kernel/iommu_groups/N/devices. Returns the count or -errno. */
int scan_group_members(const struct path_cxt *sys, int group, struct pci_addr **out);
/* The same through the scanner's kept directory handles. */
int scanner_group_members(struct scanner *s, int group, struct pci_addr **out);
/* The IOMMU group number of one device (its iommu_group link), or -errno. */
int scan_device_group(const struct path_cxt *sys, const struct pci_addr *a);
/* Whether the running kernel has `module` built in: SYSFS/module/NAME without initstate. */
bool scan_module_builtin(const struct path_cxt *sys, const char *module);
/* Reads the driver_override of one device into dev (NULL for "(null)"). Returns 0 or -errno. */
int scan_override(const struct path_cxt *sys, struct pci_dev *dev);
/* Whether IOMMU group N is one vfio made for no-IOMMU mode (its name: "vfio-noiommu"). */
bool scan_group_noiommu(const struct path_cxt *sys, int group);
/* Whether SYSFS/kernel/iommu_groups has any group (the IOMMU is on). */
bool scan_have_iommu(const struct path_cxt *sys);
/* The physical path of a device directory link target (see struct pci_dev). */
char *scan_physpath_of(const char *link_target);
/* The PCI addresses along a device's sysfs path, root first. Returns how many (0 for none). */
size_t scan_chain_of(const char *link_target, struct pci_addr **out);

struct pci_dev *pci_list_find(const struct pci_list *l, const struct pci_addr *a);
void pci_list_free(struct pci_list *l);

/* Bridges vfio-pci refuses and earlybind never touches: host, ISA, PCI-PCI, semi-transparent. */
bool pci_is_bridge(const struct pci_dev *dev);
