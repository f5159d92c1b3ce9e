/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The selector grammars, each parsed on its own: the kernel's ids= entry (pci-stub.c,
 * vfio_pci.c: sscanf "%x:%x:%x:%x:%x:%x"; matching is pci_match_one_device() from
 * drivers/pci/pci.h), a device WHERE (an address or one of the kernel's pci= device forms), and
 * the values of earlybind.claim=, .sriov=, .d3cold= and .reset=. Pure: no state, no I/O.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "names.h"
#include "pci.h"

struct id_sel {
	uint32_t vendor, device, subvendor, subdevice, class, class_mask;
	enum drv drv;
	char *text; /* "vfio-pci.ids=10de:1b80" as typed */
};

/*
 * Parses one ids entry the way the kernel's sscanf does. Returns the number of fields parsed
 * (the kernel skips an entry with fewer than 2). *rest points at what the kernel ignored, and
 * *overflow says whether a field had more than 32 bits of digits (the kernel truncates).
 */
int id_parse(const char *s, struct id_sel *out, const char **rest, bool *overflow);
bool id_match(const struct id_sel *sel, const struct pci_ids *ids);

/* How a selector names devices: by address, by the kernel's path form, or by ids. */
enum sel_kind { SEL_ADDR = 0, SEL_PATH, SEL_PCIIDS };

#define SEL_PATH_MAX 16

struct claim_sel {
	enum sel_kind kind;
	struct pci_addr addr; /* SEL_ADDR; for SEL_PATH the function at the top of the path */
	uint8_t below[SEL_PATH_MAX][2]; /* SEL_PATH: dev, fn of each "/DD.F", top down */
	size_t nbelow;
	uint16_t pv, pd, psv, psd; /* SEL_PCIIDS: "pci:VVVV:DDDD[:SSSS:SSSS]", 0 = any */
	bool has_ids;
	uint16_t vendor, device;
	enum drv drv;
	bool exact; /* "=vfio-pci" typed: exactly vfio-pci, no variant */
	char
	    variant[56]; /* "=mlx5_vfio_pci": a vfio-pci variant by module name ('-' read as '_') */
	char *text;	 /* "earlybind.claim=0000:01:00.0@10de:1b80" */
	size_t order;	 /* claims of every form, in the order typed: the later wins */
};

/*
 * Parses "WHERE[@VVVV:DDDD][=DRIVER]"; DRIVER is vfio-pci, pci-stub or the module name of a
 * vfio-pci variant (whether such a module exists is the plan's question); WHERE is an address
 * "[DOMAIN:]BB:DD.F", or one of the kernel's pci= device forms (drivers/pci/pci.c,
 * pci_dev_str_match()): the path
 * "[DOMAIN:]BB:DD.F/DD.F/..." from a function down through bridges, which survives bus
 * renumbering, or "pci:VVVV:DDDD[:SSSS:SSSS]" (0 matches any). Returns 0 or -EINVAL with *why.
 */
int claim_parse(const char *s, struct claim_sel *out, const char **why);
/* Parses WHERE alone (keep=, force=). */
int where_parse(const char *s, struct claim_sel *out, const char **why);
/*
 * Whether a path or ids selector names the device: the path as pci_dev_str_match_path() walks
 * it (each "/DD.F" from the device up through its upstream bridges, then the top function in
 * full), against the device's chain of PCI functions (scan_chain_of()).
 */
bool sel_matches(const struct claim_sel *s, const struct pci_addr *chain, size_t nchain,
		 const struct pci_ids *ids);
/* "0000:00:1c.0/00.0": a device's path form, from its chain. NULL for a root-bus device. */
char *sel_path_of(const struct pci_addr *chain, size_t nchain);

/* earlybind.sriov=WHERE:N[=DRIVER]: make N VFs on the PF at WHERE and claim each for DRIVER. */
struct sriov_sel {
	struct claim_sel pf; /* where, drv (the VFs' driver), text */
	unsigned nvfs;
};
/* Parses "WHERE:N[=DRIVER]" (N: 1-65535). Returns 0 or -EINVAL with *why. */
int sriov_parse(const char *s, struct sriov_sel *out, const char **why);

/* earlybind.reset=SEL:METHOD: the reset_method a claimed device gets. */
struct reset_sel {
	struct claim_sel sel; /* where (any form), or pci:VVVV:DDDD; text */
	char method[24];      /* a method the kernel names (flr, pm, bus, ...), "default", or ""
			       * (no reset at all) */
};
/* A device selector of the prepare keys: any form WHERE takes, or "VVVV:DDDD" (every device
 * with those ids). Returns 0 or -EINVAL with *why. */
int prep_sel_parse(const char *s, struct claim_sel *out, const char **why);
/* Parses "SEL:METHOD" (METHOD may be empty). Returns 0 or -EINVAL with *why. */
int reset_parse(const char *s, struct reset_sel *out, const char **why);
