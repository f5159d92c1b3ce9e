// SPDX-License-Identifier: LGPL-2.1-or-later
#include "rules.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "ids_index.h"
#include "names.h"
#include "selector.h"

/* The kernel's module_param_string(ids, ids, 1024, 0) buffer. */
#define KERNEL_IDS_MAX 1023

static int addr_cmp_v(const void *a, const void *b)
{
	return pci_addr_cmp(a, b);
}

const struct addr_entry *addr_set_find(const struct addr_set *s, const struct pci_addr *a)
{
	return s->n ? bsearch(a, s->v, s->n, sizeof(*s->v), addr_cmp_v) : NULL;
}

void rules_init(struct rules *r, struct diag *d)
{
	*r = (struct rules){.d = d};
}

void rules_free(struct rules *r)
{
	for (size_t i = 0; i < r->nids; i++)
		free(r->ids[i].text);
	for (size_t i = 0; i < r->nclaims; i++)
		free(r->claims[i].text);
	free(r->ids);
	ids_index_free(&r->ids_index);
	free(r->claims);
	for (size_t i = 0; i < r->keep.n; i++)
		free(r->keep.v[i].text);
	for (size_t i = 0; i < r->force.n; i++)
		free(r->force.v[i].text);
	free(r->keep.v);
	free(r->force.v);
	for (size_t i = 0; i < r->nxclaims; i++)
		free(r->xclaims[i].text);
	for (size_t i = 0; i < r->nxkeep; i++)
		free(r->xkeep[i].text);
	for (size_t i = 0; i < r->nxforce; i++)
		free(r->xforce[i].text);
	for (size_t i = 0; i < r->nsriov; i++)
		free(r->sriov[i].pf.text);
	free(r->sriov);
	for (size_t i = 0; i < r->nd3cold; i++)
		free(r->d3cold[i].text);
	free(r->d3cold);
	for (size_t i = 0; i < r->nreset; i++)
		free(r->reset[i].sel.text);
	free(r->reset);
	free(r->xclaims);
	free(r->xkeep);
	free(r->xforce);
	free(r->disabled_by);
	for (size_t i = 0; i < r->nmodparams; i++) {
		free(r->modparams[i].module);
		free(r->modparams[i].word);
	}
	free(r->modparams);
	sb_free(&r->modconf_words);
	*r = (struct rules){0};
}

/* Calls fn for every non-empty ','-separated entry of val, as the kernel's strsep loop does. */
static void for_each_entry(const char *val, void (*fn)(struct rules *, const char *, const char *),
			   struct rules *r, const char *key)
{
	_cleanup_free_ char *buf = xstrdup(val);
	char *p = buf, *e;

	while ((e = strsep(&p, ",")))
		if (*e)
			fn(r, key, e);
}

static void add_id(struct rules *r, const char *key, const char *e, enum drv drv)
{
	struct id_sel sel;
	const char *rest;
	bool overflow;
	int n = id_parse(e, &sel, &rest, &overflow);
	static const char *const names[] = {"vendor", "device", "subvendor", "subdevice"};
	uint32_t f[4];

	if (n < 2) {
		diag_warn(
		    r->d, DIAG_IDS,
		    "%s: invalid id \"%s\" (needs vendor:device): skipped, as the kernel does", key,
		    e);
		return;
	}
	if (*rest)
		diag_warn(r->d, DIAG_IDS, "%s: \"%s\": trailing \"%s\" ignored, as the kernel does",
			  key, e, rest);
	if (overflow)
		diag_warn(r->d, DIAG_IDS,
			  "%s: \"%s\": a field has more than 32 bits; the kernel truncates it", key,
			  e);
	f[0] = sel.vendor;
	f[1] = sel.device;
	f[2] = sel.subvendor;
	f[3] = sel.subdevice;
	for (int i = 0; i < 4; i++)
		if (f[i] > 0xffff && f[i] != PCI_ANY_ID)
			diag_warn(r->d, DIAG_IDS,
				  "%s: \"%s\": %s 0x%x is wider than 16 bits and never matches",
				  key, e, names[i], f[i]);
	if (n == 5 || (n == 6 && sel.class_mask == 0 && sel.class != 0))
		diag_warn(r->d, DIAG_IDS,
			  "%s: \"%s\": class without a mask is ignored, as the kernel does", key,
			  e);
	sel.drv = drv;
	sel.text = NULL;
	{
		struct strbuf t;

		sb_init(&t);
		sb_addf(&t, "%s=%s", key, e);
		sel.text = t.s;
	}
	grow((void **)&r->ids, &r->capids, r->nids, sizeof(*r->ids));
	r->ids[r->nids++] = sel;
}

static void add_vfio_id(struct rules *r, const char *key, const char *e)
{
	add_id(r, key, e, DRV_VFIO);
}

static void add_stub_id(struct rules *r, const char *key, const char *e)
{
	add_id(r, key, e, DRV_STUB);
}

static void add_claim(struct rules *r, const char *key, const char *e)
{
	struct claim_sel c;
	const char *why = NULL;
	struct strbuf t;

	if (claim_parse(e, &c, &why) < 0) {
		diag_warn(r->d, DIAG_ADDR, "%s: \"%s\": %s: skipped", key, e, why);
		return;
	}
	sb_init(&t);
	sb_addf(&t, "%s=%s", key, e);
	c.text = t.s;
	c.order = r->nclaimwords++;
	if (c.kind != SEL_ADDR) {
		grow((void **)&r->xclaims, &r->capxclaims, r->nxclaims, sizeof(*r->xclaims));
		r->xclaims[r->nxclaims++] = c;
		return;
	}
	grow((void **)&r->claims, &r->capclaims, r->nclaims, sizeof(*r->claims));
	r->claims[r->nclaims++] = c;
}

static void add_d3cold(struct rules *r, const char *key, const char *e)
{
	struct claim_sel c;
	const char *why = NULL;

	if (prep_sel_parse(e, &c, &why) < 0) {
		diag_warn(r->d, DIAG_ADDR, "%s: \"%s\": %s: skipped", key, e, why);
		return;
	}
	c.text = xasprintf("%s=%s", key, e);
	grow((void **)&r->d3cold, &r->capd3cold, r->nd3cold, sizeof(*r->d3cold));
	r->d3cold[r->nd3cold++] = c;
}

static void add_reset(struct rules *r, const char *key, const char *e)
{
	struct reset_sel s;
	const char *why = NULL;

	if (reset_parse(e, &s, &why) < 0) {
		diag_warn(r->d, DIAG_ADDR, "%s: \"%s\": %s: skipped", key, e, why);
		return;
	}
	s.sel.text = xasprintf("%s=%s", key, e);
	grow((void **)&r->reset, &r->capreset, r->nreset, sizeof(*r->reset));
	r->reset[r->nreset++] = s;
}

static void add_sriov(struct rules *r, const char *key, const char *e)
{
	struct sriov_sel s;
	const char *why = NULL;

	if (sriov_parse(e, &s, &why) < 0) {
		diag_warn(r->d, DIAG_ADDR, "%s: \"%s\": %s: skipped", key, e, why);
		return;
	}
	s.pf.text = xasprintf("%s=%s", key, e);
	grow((void **)&r->sriov, &r->capsriov, r->nsriov, sizeof(*r->sriov));
	r->sriov[r->nsriov++] = s;
}

static void add_addr(struct rules *r, const char *key, const char *e, struct addr_set *set,
		     struct claim_sel **xv, size_t *xn, size_t *xcap)
{
	struct claim_sel c = {0};
	const char *why = NULL;

	if (where_parse(e, &c, &why) < 0) {
		diag_warn(r->d, DIAG_ADDR, "%s: \"%s\": %s: skipped", key, e, why);
		return;
	}
	if (c.kind != SEL_ADDR) {
		c.text = xasprintf("%s=%s", key, e);
		grow((void **)xv, xcap, *xn, sizeof(**xv));
		(*xv)[(*xn)++] = c;
		return;
	}
	grow((void **)&set->v, &set->cap, set->n, sizeof(*set->v));
	set->v[set->n++] = (struct addr_entry){.addr = c.addr, .text = xasprintf("%s=%s", key, e)};
}

static void add_keep(struct rules *r, const char *key, const char *e)
{
	add_addr(r, key, e, &r->keep, &r->xkeep, &r->nxkeep, &r->capxkeep);
}

static void add_force(struct rules *r, const char *key, const char *e)
{
	add_addr(r, key, e, &r->force, &r->xforce, &r->nxforce, &r->capxforce);
}

/* 1 for true words, 0 for false words, -1 otherwise. A bare key is true. */
static int parse_bool(const char *v)
{
	static const char *const yes[] = {"1", "y", "yes", "true", "on", NULL};
	static const char *const no[] = {"0", "n", "no", "false", "off", NULL};

	if (!v || str_in(v, yes))
		return 1;
	if (str_in(v, no))
		return 0;
	return -1;
}

static void add_ids_key(struct rules *r, const char *key, const char *val, const char *src,
			enum drv drv, bool kernel_key)
{
	if (!val) {
		diag_warn(r->d, DIAG_IDS, "%s: needs a value (%s)", key, src);
		return;
	}
	if (kernel_key)
		r->kernel_key_seen[drv]++;
	/* The ids a later `modprobe vfio_pci` would pass: the kernel's key or modprobe.d. */
	if (kernel_key || strncmp(key, "options ", 8) == 0)
		r->ids_given[drv]++;
	if (strlen(val) > KERNEL_IDS_MAX)
		diag_warn(r->d, DIAG_IDS,
			  "%s: value is %zu bytes (%s); the kernel refuses more than %d and would "
			  "drop it all",
			  key, strlen(val), src, KERNEL_IDS_MAX);
	for_each_entry(val, drv == DRV_VFIO ? add_vfio_id : add_stub_id, r, key);
}

static void add_own_key(struct rules *r, const char *key, const char *k, const char *val,
			const char *src)
{
	if (cmdline_key_eq(k, "earlybind")) {
		int b = parse_bool(val);

		if (b < 0) {
			diag_warn(r->d, DIAG_CMDLINE,
				  "%s=%s: not a boolean (0/off/no/false, 1/on/yes/true); ignored",
				  key, val);
			return;
		}
		r->disabled = !b;
		free(r->disabled_by);
		r->disabled_by = NULL;
		if (!b) {
			struct strbuf t;

			sb_init(&t);
			sb_addf(&t, "%s=%s", key, val);
			r->disabled_by = t.s;
		}
	} else if (cmdline_key_eq(k, "earlybind.dryrun")) {
		int b = parse_bool(val);

		if (b < 0)
			diag_warn(r->d, DIAG_CMDLINE, "%s=%s: not a boolean; ignored", key, val);
		else
			r->dryrun = b;
	} else if (cmdline_key_eq(k, "earlybind.group")) {
		enum drv drv;

		if (val && strcmp(val, "off") == 0)
			r->group = GROUP_OFF;
		else if (val && drv_parse(val, &drv) == 0)
			r->group = drv == DRV_VFIO ? GROUP_VFIO : GROUP_STUB;
		else
			diag_warn(r->d, DIAG_CMDLINE,
				  "%s=%s: expected off, vfio-pci or pci-stub; ignored", key,
				  val ? val : "");
	} else if (cmdline_key_eq(k, "earlybind.claim") || cmdline_key_eq(k, "earlybind.keep") ||
		   cmdline_key_eq(k, "earlybind.force")) {
		void (*fn)(struct rules *, const char *, const char *) =
		    cmdline_key_eq(k, "earlybind.claim")  ? add_claim
		    : cmdline_key_eq(k, "earlybind.keep") ? add_keep
							  : add_force;
		if (!val) {
			diag_warn(r->d, DIAG_ADDR, "%s: needs a value (%s)", key, src);
			return;
		}
		for_each_entry(val, fn, r, key);
	} else if (cmdline_key_eq(k, "earlybind.variant")) {
		if (val && (strcmp(val, "off") == 0 || strcmp(val, "0") == 0))
			r->variant_off = true;
		else if (val && (strcmp(val, "on") == 0 || strcmp(val, "1") == 0))
			r->variant_off = false;
		else
			diag_warn(r->d, DIAG_CMDLINE, "%s=%s: expected off or on; ignored", key,
				  val ? val : "");
	} else if (cmdline_key_eq(k, "earlybind.sriov") || cmdline_key_eq(k, "earlybind.d3cold") ||
		   cmdline_key_eq(k, "earlybind.reset")) {
		if (!val) {
			diag_warn(r->d, DIAG_ADDR, "%s: needs a value (%s)", key, src);
			return;
		}
		for_each_entry(val,
			       cmdline_key_eq(k, "earlybind.sriov")    ? add_sriov
			       : cmdline_key_eq(k, "earlybind.d3cold") ? add_d3cold
								       : add_reset,
			       r, key);
	} else if (strncmp(k, "earlybind.", 10) == 0) {
		diag_warn(r->d, DIAG_CMDLINE, "%s: unknown earlybind key; ignored", key);
	}
}

static void note_bool(const char *word, const char *name, bool *flag)
{
	static const char *const yes[] = {"1", "y", "Y", "on", NULL};
	size_t n = strlen(name);

	if (strncmp(word, name, n) != 0)
		return;
	if (!word[n])
		*flag = true;
	else if (word[n] == '=')
		*flag = str_in(word + n + 1, yes);
}

void rules_note_option(struct rules *r, const char *module, const char *word)
{
	if (strcmp(module, "vfio_pci") == 0)
		note_bool(word, "disable_denylist", &r->vfio_denylist_off);
	else if (strcmp(module, "vfio") == 0)
		note_bool(word, "enable_unsafe_noiommu_mode", &r->noiommu_asked);
}

/* "vfio_iommu_type1.allow_unsafe_interrupts=1": an option for a module we may insert. */
static bool add_modparam(struct rules *r, const char *key, const char *val)
{
	struct modparam mp;

	if (!modparam_split(key, val, &mp.module, &mp.word))
		return false;
	rules_note_option(r, mp.module, mp.word);
	grow((void **)&r->modparams, &r->capmodparams, r->nmodparams, sizeof(*r->modparams));
	r->modparams[r->nmodparams++] = mp;
	return true;
}

void rules_module_options(const struct rules *r, const char *module, struct strbuf *out)
{
	_cleanup_free_ char *name = module_name(module, strlen(module));

	for (size_t i = 0; i < r->nmodparams; i++) {
		if (strcmp(r->modparams[i].module, name) != 0)
			continue;
		if (out->len)
			sb_addc(out, ' ');
		sb_add(out, r->modparams[i].word);
	}
}

struct modconf {
	struct rules *r;
	const char *module;
	enum drv drv;
};

/* One option of a modprobe.d "options MODULE ..." line, split as the kernel splits it. */
static void modconf_word(const char *key, const char *val, const char *src, void *ud)
{
	struct modconf *m = ud;
	_cleanup_free_ char *word = modparam_word(key, val);

	rules_note_option(m->r, m->module, word);
	if (m->drv == DRV_NONE || strcmp(key, "ids") != 0 || !val)
		return;
	add_ids_key(m->r, m->drv == DRV_VFIO ? "options vfio_pci ids" : "options pci_stub ids", val,
		    src, m->drv, false);
	if (!strpbrk(val, " \t\"")) /* it would not survive as a word; ids never have those */
		sb_addf(&m->r->modconf_words, "%s%s.ids=%s", m->r->modconf_words.len ? " " : "",
			drv_name(m->drv), val);
}

void rules_add_modconf(struct rules *r, const char *module, const char *options, const char *src)
{
	_cleanup_free_ char *buf = xstrdup(options);
	struct modconf m = {.r = r, .module = module};

	if (drv_parse(module, &m.drv) < 0)
		m.drv = DRV_NONE;
	/* the kernel parses module options as it parses its command line (parse_args()) */
	cmdline_split(buf, src, modconf_word, &m);
}

void rules_add(const char *key, const char *val, const char *src, void *ud)
{
	struct rules *r = ud;
	const char *k = key;

	if (cmdline_key_eq(key, "vfio-pci.ids")) {
		add_ids_key(r, key, val, src, DRV_VFIO, true);
		return;
	}
	if (cmdline_key_eq(key, "vfio.ids")) {
		add_ids_key(r, key, val, src, DRV_VFIO, false);
		return;
	}
	if (cmdline_key_eq(key, "pci-stub.ids")) {
		add_ids_key(r, key, val, src, DRV_STUB, true);
		return;
	}
	if (add_modparam(r, key, val))
		return;
	if (strncmp(key, "rd.", 3) == 0) {
		k = key + 3;
		if (cmdline_key_eq(k, "vfio-pci.ids") || cmdline_key_eq(k, "pci-stub.ids") ||
		    cmdline_key_eq(k, "vfio.ids")) {
			diag_warn(r->d, DIAG_CMDLINE,
				  "%s: the kernel's keys have no rd. form; use %s", key, k);
			return;
		}
	}
	if (strcmp(k, "earlybind") == 0 || strncmp(k, "earlybind.", 10) == 0)
		add_own_key(r, key, k, val, src);
}

static int claim_cmp(const void *a, const void *b)
{
	const struct claim_sel *x = a, *y = b;
	int c = pci_addr_cmp(&x->addr, &y->addr);

	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static void addr_set_finish(struct addr_set *s)
{
	size_t o = 0;

	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), addr_cmp_v);
	for (size_t i = 0; i < s->n; i++) {
		if (o == 0 || pci_addr_cmp(&s->v[o - 1].addr, &s->v[i].addr) != 0)
			s->v[o++] = s->v[i];
		else
			free(s->v[i].text);
	}
	s->n = o;
}

void rules_finish(struct rules *r)
{
	size_t o = 0;

	ids_index_build(&r->ids_index, r->ids, r->nids);
	for (int drv = DRV_VFIO; drv < DRV__MAX; drv++)
		if (r->kernel_key_seen[drv] > 1)
			diag_warn(r->d, DIAG_IDS,
				  "%s.ids given %u times: the kernel alone keeps only the last; "
				  "earlybind uses all of them",
				  drv_name(drv), r->kernel_key_seen[drv]);

	/* The last claim of an address wins. */
	if (r->nclaims)
		qsort(r->claims, r->nclaims, sizeof(*r->claims), claim_cmp);
	for (size_t i = 0; i < r->nclaims; i++) {
		if (i + 1 < r->nclaims &&
		    pci_addr_cmp(&r->claims[i].addr, &r->claims[i + 1].addr) == 0) {
			if (r->claims[i].drv != r->claims[i + 1].drv)
				diag_warn(r->d, DIAG_ADDR, "%s is overridden by the later %s",
					  r->claims[i].text, r->claims[i + 1].text);
			free(r->claims[i].text);
			continue;
		}
		r->claims[o++] = r->claims[i];
	}
	r->nclaims = o;
	addr_set_finish(&r->keep);
	addr_set_finish(&r->force);
}

static int claim_key_cmp(const void *key, const void *elem)
{
	return pci_addr_cmp(key, &((const struct claim_sel *)elem)->addr);
}

bool rules_any_selector(const struct rules *r)
{
	return !r->disabled && (r->nids || r->nclaims || r->nxclaims || r->nsriov);
}

bool rules_need_chain(const struct rules *r)
{
	for (size_t i = 0; i < r->nsriov; i++)
		if (r->sriov[i].pf.kind != SEL_ADDR)
			return true;
	for (size_t i = 0; i < r->nd3cold; i++)
		if (r->d3cold[i].kind == SEL_PATH)
			return true;
	for (size_t i = 0; i < r->nreset; i++)
		if (r->reset[i].sel.kind == SEL_PATH)
			return true;
	return r->nxclaims || r->nxkeep || r->nxforce;
}

static const struct claim_sel *match_x(const struct claim_sel *v, size_t n,
				       const struct pci_addr *chain, size_t nchain,
				       const struct pci_ids *ids)
{
	const struct claim_sel *last = NULL;

	for (size_t i = 0; i < n; i++)
		if (sel_matches(&v[i], chain, nchain, ids))
			last = &v[i];
	return last;
}

const struct claim_sel *rules_match_xclaim(const struct rules *r, const struct pci_addr *chain,
					   size_t nchain, const struct pci_ids *ids)
{
	return match_x(r->xclaims, r->nxclaims, chain, nchain, ids);
}

/* The address entry, else the last path/pci: entry naming the device: its text, or NULL. */
static const char *addr_or_x(const struct addr_set *set, const struct claim_sel *xv, size_t xn,
			     const struct pci_addr *a, const struct pci_addr *chain, size_t nchain,
			     const struct pci_ids *ids)
{
	const struct addr_entry *e = addr_set_find(set, a);
	const struct claim_sel *x = e ? NULL : match_x(xv, xn, chain, nchain, ids);

	return e ? e->text : x ? x->text : NULL;
}

const char *rules_keeps(const struct rules *r, const struct pci_addr *a,
			const struct pci_addr *chain, size_t nchain, const struct pci_ids *ids)
{
	return addr_or_x(&r->keep, r->xkeep, r->nxkeep, a, chain, nchain, ids);
}

const char *rules_forces(const struct rules *r, const struct pci_addr *a,
			 const struct pci_addr *chain, size_t nchain, const struct pci_ids *ids)
{
	return addr_or_x(&r->force, r->xforce, r->nxforce, a, chain, nchain, ids);
}

/* An address entry by its address (a device without a chain has one), any other on the chain. */
static bool names(const struct claim_sel *w, const struct pci_addr *a, const struct pci_addr *chain,
		  size_t nchain, const struct pci_ids *ids)
{
	return w->kind == SEL_ADDR ? pci_addr_cmp(&w->addr, a) == 0
				   : sel_matches(w, chain, nchain, ids);
}

const struct claim_sel *rules_find_d3cold(const struct rules *r, const struct pci_addr *a,
					  const struct pci_addr *chain, size_t nchain,
					  const struct pci_ids *ids)
{
	for (size_t i = 0; i < r->nd3cold; i++)
		if (names(&r->d3cold[i], a, chain, nchain, ids))
			return &r->d3cold[i];
	return NULL;
}

const struct reset_sel *rules_find_reset(const struct rules *r, const struct pci_addr *a,
					 const struct pci_addr *chain, size_t nchain,
					 const struct pci_ids *ids)
{
	const struct reset_sel *last = NULL;

	for (size_t i = 0; i < r->nreset; i++)
		if (names(&r->reset[i].sel, a, chain, nchain, ids))
			last = &r->reset[i];
	return last;
}

const struct sriov_sel *rules_find_sriov(const struct rules *r, const struct pci_addr *a,
					 const struct pci_addr *chain, size_t nchain,
					 const struct pci_ids *ids)
{
	const struct sriov_sel *last = NULL;

	for (size_t i = 0; i < r->nsriov; i++) {
		const struct claim_sel *w = &r->sriov[i].pf;

		if (w->kind == SEL_ADDR ? pci_addr_cmp(&w->addr, a) == 0
					: sel_matches(w, chain, nchain, ids))
			last = &r->sriov[i];
	}
	return last;
}

const struct claim_sel *rules_find_claim(const struct rules *r, const struct pci_addr *a)
{
	if (!r->nclaims)
		return NULL;
	return bsearch(a, r->claims, r->nclaims, sizeof(*r->claims), claim_key_cmp);
}

const struct id_sel *rules_match_ids(const struct rules *r, enum drv drv, const struct pci_ids *ids)
{
	return ids_index_match(&r->ids_index, r->ids, r->nids, drv, ids);
}
