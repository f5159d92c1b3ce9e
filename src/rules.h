/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Stage 2: command-line keys -> selectors. The ids= grammar is the kernel's (pci-stub.c,
 * vfio_pci.c: sscanf "%x:%x:%x:%x:%x:%x", fewer than two fields skipped), matching is
 * pci_match_one_device() from drivers/pci/pci.h.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "names.h"
#include "pci.h"
#include "util.h"

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
struct pci_dev;
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

/* keep= and force= by address: sorted by address after rules_finish(), each with its text. */
struct addr_entry {
	struct pci_addr addr; /* first: the set is searched by address */
	char *text;	      /* "earlybind.keep=0000:01:00.0" */
};
struct addr_set {
	struct addr_entry *v;
	size_t n, cap;
};
/* The entry for the address, or NULL. */
const struct addr_entry *addr_set_find(const struct addr_set *s, const struct pci_addr *a);

enum group_mode { GROUP_OFF = 0, GROUP_VFIO, GROUP_STUB };

struct rules {
	struct id_sel *ids;
	size_t nids, capids;
	struct claim_sel *claims; /* sorted by address after rules_finish() */
	size_t nclaims, capclaims;
	struct addr_set keep, force;
	struct claim_sel *xclaims, *xkeep, *xforce; /* path and pci: forms, in the order typed */
	struct sriov_sel *sriov;		    /* earlybind.sriov=, in the order typed */
	size_t nsriov, capsriov;
	struct claim_sel *d3cold; /* earlybind.d3cold=, in the order typed */
	size_t nd3cold, capd3cold;
	struct reset_sel *reset; /* earlybind.reset=, in the order typed */
	size_t nreset, capreset;
	size_t nxclaims, capxclaims, nxkeep, capxkeep, nxforce, capxforce;
	size_t nclaimwords; /* claims of either kind so far: their order typed (claim_sel.order) */
	enum group_mode group;
	bool variant_off;	/* earlybind.variant=off: always plain vfio-pci */
	bool vfio_denylist_off; /* vfio_pci.disable_denylist=1 (command line or modprobe.d) */
	bool noiommu_asked;	/* vfio.enable_unsafe_noiommu_mode=1 (likewise) */
	bool disabled;
	char *disabled_by; /* the word that switched us off */
	bool dryrun;
	char *root_spec, *resume_spec; /* root= and resume=, for the boot-device guard */
	char *netroot_spec;	       /* netroot= (iSCSI, NBD, NFS in dracut's syntax) */
	char *ip_iface;		       /* the interface ip= names, if it names one */
	size_t *by_vendor; /* ids indexes sorted by (vendor, index); built by rules_finish() */
	uint64_t vendor_bits[4]; /* a bit per vendor hash (rules_finish()): most devices miss */
	bool any_vendor_ids;	 /* some ids entry has no vendor (PCI_ANY_ID) */
	unsigned
	    kernel_key_seen[DRV__MAX]; /* per drv: how often the kernel's own ids key appeared */
	unsigned
	    ids_given[DRV__MAX]; /* per drv: ids= a later modprobe would pass (cmdline or conf) */
	struct modparam *modparams;  /* MODULE.PARAM[=VAL] words, for every module we insert */
	struct strbuf modconf_words; /* modprobe.d's ids as command-line words, for the udev path */
	size_t nmodparams, capmodparams;
	struct diag *d;
};

void rules_init(struct rules *r, struct diag *d);
void rules_free(struct rules *r);
/* The cmdline callback: one key/value word from a source. Unknown keys are ignored. */
void rules_add(const char *key, const char *val, const char *src, void *rules);
/* The options modprobe.d gives a module ("vfio_pci", "pci_stub", "vfio"): ids= honoured like
 * the command line's, the rest noted (rules_note_option()). */
void rules_add_modconf(struct rules *r, const char *module, const char *options, const char *src);
/* Sorts and de-duplicates; warns about what the kernel alone would have done differently. */
void rules_finish(struct rules *r);

/* The earlybind.d3cold= entry naming the device, or NULL. */
const struct claim_sel *rules_find_d3cold(const struct rules *r, const struct pci_addr *a,
					  const struct pci_addr *chain, size_t nchain,
					  const struct pci_ids *ids);
/* The last earlybind.reset= entry naming the device, or NULL. */
const struct reset_sel *rules_find_reset(const struct rules *r, const struct pci_addr *a,
					 const struct pci_addr *chain, size_t nchain,
					 const struct pci_ids *ids);
/* The earlybind.sriov= entry that names the PF (address, or path/pci: form on its chain). */
const struct sriov_sel *rules_find_sriov(const struct rules *r, const struct pci_addr *a,
					 const struct pci_addr *chain, size_t nchain,
					 const struct pci_ids *ids);
const struct claim_sel *rules_find_claim(const struct rules *r, const struct pci_addr *a);
/* Whether any selector (ids, claim, earlybind.sriov) is given and earlybind is on. */
bool rules_any_selector(const struct rules *r);
/* Whether path or pci: selectors exist (then every device's chain is read). */
bool rules_need_chain(const struct rules *r);
/* The last path/pci: claim naming the device, or NULL (devices without a chain match none). */
const struct claim_sel *rules_match_xclaim(const struct rules *r, const struct pci_addr *chain,
					   size_t nchain, const struct pci_ids *ids);
/* keep= / force= by address or by a path/pci: form: the entry's text, or NULL. */
const char *rules_keeps(const struct rules *r, const struct pci_addr *a,
			const struct pci_addr *chain, size_t nchain, const struct pci_ids *ids);
const char *rules_forces(const struct rules *r, const struct pci_addr *a,
			 const struct pci_addr *chain, size_t nchain, const struct pci_ids *ids);
/* Notes what one option word of a module ("disable_denylist=1" of vfio_pci,
 * "enable_unsafe_noiommu_mode" of vfio) changes in the plan; module spelled with '_'. */
void rules_note_option(struct rules *r, const char *module, const char *word);
/* Appends the command line's options for `module` (either spelling) to out, space-separated. */
void rules_module_options(const struct rules *r, const char *module, struct strbuf *out);

/* The hash behind rules.vendor_bits. */
static inline unsigned rules_vendor_hash(uint32_t vendor)
{
	return (vendor ^ vendor >> 8) & 0xff;
}

/* False when no ids entry can match this vendor: most devices of a big machine, at one look. */
static inline bool rules_ids_may_match(const struct rules *r, uint32_t vendor)
{
	unsigned h = rules_vendor_hash(vendor);

	if (!r->by_vendor)
		return r->nids > 0;
	return r->any_vendor_ids || (r->vendor_bits[h / 64] >> (h % 64) & 1);
}

/* The first ids selector for drv that matches, or NULL. */
const struct id_sel *rules_match_ids(const struct rules *r, enum drv drv,
				     const struct pci_ids *ids);
