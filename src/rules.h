/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Stage 2: command-line keys -> selectors. Each key's value is parsed by selector.h's grammars;
 * here the keys are dispatched, kept in the order typed, de-duplicated, warned about where the
 * kernel alone would have done otherwise, and looked up (ids through ids_index.h).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "ids_index.h"
#include "names.h"
#include "pci.h"
#include "selector.h"
#include "util.h"

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
	struct ids_index ids_index; /* over ids; built by rules_finish() */
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

/* False when no ids entry can match this vendor: most devices of a big machine, at one look. */
static inline bool rules_ids_may_match(const struct rules *r, uint32_t vendor)
{
	return ids_index_may_match(&r->ids_index, r->nids, vendor);
}

/* The first ids selector for drv that matches, in the order typed, or NULL. */
const struct id_sel *rules_match_ids(const struct rules *r, enum drv drv,
				     const struct pci_ids *ids);
