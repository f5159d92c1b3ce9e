// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * earlybind suggest ADDR...: the command-line words that claim those devices on this machine.
 * An ids selector when the ids are unique here (with the subsystem ids if that is what makes
 * them unique), otherwise an address claim with the @VVVV:DDDD check; the other endpoint
 * functions of each device's IOMMU group are added the same way (the GPU's audio function).
 * Read-only, like plan.
 */
#include "suggest.h"

#include <stdio.h>
#include <string.h>

#include "inuse.h"
#include "opts.h"
#include "report.h"

struct pick {
	const struct pci_dev *dev;
	const struct pci_dev *lead; /* the device asked for (itself, or whose group it shares) */
	char *selector;		    /* "10de:2203" or "0000:0b:00.0@10de:2203" */
	bool by_ids;
};

static size_t count_ids(const struct pci_list *l, const struct pci_dev *d, bool subsys)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++) {
		const struct pci_ids *x = &l->v[i].ids;

		if (x->vendor == d->ids.vendor && x->device == d->ids.device &&
		    (!subsys ||
		     (x->subvendor == d->ids.subvendor && x->subdevice == d->ids.subdevice)))
			n++;
	}
	return n;
}

static void pick_for(const struct pci_list *l, const struct pci_dev *d, struct pick *p)
{
	struct strbuf sb;

	sb_init(&sb);
	p->by_ids = true;
	if (count_ids(l, d, false) == 1)
		sb_addf(&sb, "%04x:%04x", d->ids.vendor, d->ids.device);
	else if (count_ids(l, d, true) == 1)
		sb_addf(&sb, "%04x:%04x:%04x:%04x", d->ids.vendor, d->ids.device, d->ids.subvendor,
			d->ids.subdevice);
	else {
		/* behind bridges the kernel's path form survives bus renumbering; the @ pin stays
		 */
		_cleanup_free_ char *path = sel_path_of(d->chain, d->nchain);

		p->by_ids = false;
		sb_addf(&sb, "%s@%04x:%04x", path ? path : d->name, d->ids.vendor, d->ids.device);
	}
	p->selector = sb.s;
}

static bool host_needs(const struct pci_dev *d, const struct boot_list *boot, const char **why)
{
	if (pci_base_class(&d->ids) == PCI_BASE_CLASS_STORAGE) {
		*why = "a storage controller";
		return true;
	}
	if (boot_list_find(boot, d)) {
		*why = "a boot device";
		return true;
	}
	if (d->boot_vga == 1) {
		*why = "the boot VGA device";
		return true;
	}
	return false;
}

struct picks {
	struct pick *v;
	size_t n, cap;
};

static bool picked(const struct picks *p, const struct pci_dev *d)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].dev == d)
			return true;
	return false;
}

static void pick_add(struct picks *p, const struct pci_list *l, const struct pci_dev *d,
		     const struct pci_dev *lead)
{
	grow((void **)&p->v, &p->cap, p->n, sizeof(*p->v));
	p->v[p->n] = (struct pick){.dev = d, .lead = lead};
	pick_for(l, d, &p->v[p->n++]);
}

static void picks_free(struct picks *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i].selector);
	free(p->v);
}

/* One device asked for: it, and the other endpoint functions of its IOMMU group, which must go
 * with it; warnings for what the host needs or holds. */
static void pick_device(struct picks *p, const struct ctx *c, const struct pci_dev *d,
			struct inuse *u, struct diag *warn)
{
	_cleanup_free_ char *held = u ? inuse_holders(u, d) : NULL;
	const char *why;

	if (pci_is_bridge(d)) {
		diag_warn(warn, DIAG_PLAN, "%s is a bridge: bridges are never claimed", d->name);
		return;
	}
	if (!picked(p, d))
		pick_add(p, &c->devs, d, d);
	if (host_needs(d, &c->boot, &why))
		diag_warn(warn, DIAG_PLAN, "%s is %s: the host may need it", d->name, why);
	if (held)
		diag_warn(warn, DIAG_PLAN,
			  "%s is in use: %s; earlybind refuses it while it is "
			  "(earlybind.force=%s claims it anyway)",
			  d->name, held, d->name);
	if (d->iommu_group < 0)
		return;
	for (size_t k = 0; k < c->devs.n; k++) {
		const struct pci_dev *m = &c->devs.v[k];

		if (m == d || m->iommu_group != d->iommu_group || pci_is_bridge(m) || picked(p, m))
			continue;
		if (host_needs(m, &c->boot, &why)) {
			diag_warn(warn, DIAG_PLAN,
				  "IOMMU group %d of %s also holds %s, %s the host needs: "
				  "the group cannot be passed through whole",
				  d->iommu_group, d->name, m->name, why);
			continue;
		}
		pick_add(p, &c->devs, m, d);
	}
}

/* The words: "vfio-pci.ids=..." for the unique ids, "earlybind.claim=..." for the rest. */
static void suggest_words(const struct picks *p, struct strbuf *out)
{
	struct strbuf ids, claims;

	sb_init(&ids);
	sb_init(&claims);
	for (size_t i = 0; i < p->n; i++) {
		struct strbuf *sb = p->v[i].by_ids ? &ids : &claims;

		sb_add(sb, sb->len ? "," : "");
		sb_add(sb, p->v[i].selector);
	}
	sb_init(out);
	if (ids.len)
		sb_addf(out, "vfio-pci.ids=%s", ids.s);
	if (claims.len)
		sb_addf(out, "%searlybind.claim=%s", out->len ? " " : "", claims.s);
	sb_free(&ids);
	sb_free(&claims);
}

static void print_json(const struct picks *p, const char *words, bool iommu,
		       const struct diag *warn)
{
	struct strbuf js;

	sb_init(&js);
	sb_add(&js, "{\"schema\":1,\"command\":\"suggest\",\"words\":");
	sb_add_json_str(&js, words);
	sb_add(&js, ",\"devices\":[");
	for (size_t i = 0; i < p->n; i++) {
		sb_addf(&js, "%s{\"address\":", i ? "," : "");
		sb_add_json_str(&js, p->v[i].dev->name);
		sb_add(&js, ",\"selector\":");
		sb_add_json_str(&js, p->v[i].selector);
		sb_addf(&js, ",\"by\":\"%s\",\"for\":", p->v[i].by_ids ? "ids" : "address");
		sb_add_json_str(&js, p->v[i].lead->name);
		sb_addc(&js, '}');
	}
	sb_addf(&js, "],\"iommu\":%s,\"warnings\":", iommu ? "true" : "false");
	sb_add_json_strv(&js, warn->msgs, warn->n);
	sb_add(&js, "}\n");
	fputs(js.s, stdout);
	sb_free(&js);
}

/* The words on stdout (what a script takes), the why of each device and the warnings on stderr. */
static void print_text(const struct picks *p, const char *words, const struct diag *warn)
{
	if (*words)
		printf("%s\n", words);
	fflush(stdout);
	for (size_t i = 0; i < p->n; i++) {
		const struct pick *k = &p->v[i];

		fprintf(stderr, "# %s %04x:%04x: %s%s%s\n", k->dev->name, k->dev->ids.vendor,
			k->dev->ids.device,
			k->by_ids ? "ids unique on this machine" : "ids not unique: by address",
			k->lead != k->dev ? ", IOMMU-group companion of " : "",
			k->lead != k->dev ? k->lead->name : "");
	}
	for (size_t i = 0; i < warn->n; i++)
		fprintf(stderr, "warning: %s\n", warn->msgs[i]);
	if (*words)
		fputs("# add these words to the kernel command line or /etc/cmdline.d/, then "
		      "regenerate the initramfs\n",
		      stderr);
}

int cmd_suggest(const struct opts *o, int argc, char **argv)
{
	struct picks picks = {0};
	struct strbuf words;
	struct diag warn;
	struct ctx c;
	bool iommu, by_addr = false;
	struct inuse *u = NULL;
	int r, bad = 0;

	if ((r = check_addr_args("suggest", argc, argv)))
		return r;
	r = pipeline_plan(&c, &o->env, PLAN_ALL_DETAIL | PLAN_RESOLVE_ROOT);
	if (r < 0) {
		diag_finish(&c.diag);
		fprintf(stderr, "earlybind: %s\n", c.diag.msgs[c.diag.n - 1]);
		ctx_free(&c);
		return 1;
	}
	diag_init(&warn);
	iommu = scan_have_iommu(&o->env.sys);
	if (!iommu)
		diag_warn(
		    &warn, DIAG_PLAN,
		    "the IOMMU is off (no %s/kernel/iommu_groups): vfio-pci will refuse every "
		    "device; enable VT-d/AMD-Vi in the firmware and add intel_iommu=on or "
		    "amd_iommu=on",
		    o->env.sysfs);
	if (env_live(&o->env))
		u = inuse_open(&o->env, !in_initramfs(&o->env));
	for (int i = 0; i < argc; i++) {
		const struct pci_dev *d = find_arg_dev(&c, argv[i]);

		if (d)
			pick_device(&picks, &c, d, u, &warn);
		else
			bad++;
	}
	for (size_t i = 0; i < picks.n; i++)
		by_addr = by_addr || !picks.v[i].by_ids;
	if (scan_module_builtin(&o->env.sys, drv_module(DRV_VFIO)))
		diag_warn(&warn, DIAG_PLAN,
			  "vfio_pci is built into this kernel: it binds every device that "
			  "vfio-pci.ids= matches when it registers, before earlybind runs; %s",
			  by_addr ? "the devices whose ids other devices here share are claimed by "
				    "address, which the kernel never sees"
				  : "the ids above match only the devices asked for");
	suggest_words(&picks, &words);
	diag_finish(&warn);
	if (o->json)
		print_json(&picks, words.s ? words.s : "", iommu, &warn);
	else
		print_text(&picks, words.s ? words.s : "", &warn);
	picks_free(&picks);
	sb_free(&words);
	diag_free(&warn);
	inuse_close(u);
	ctx_free(&c);
	return bad ? 1 : 0;
}
