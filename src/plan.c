// SPDX-License-Identifier: LGPL-2.1-or-later
#include "plan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "variant.h"

const char *decision_reason(const struct decision *dc)
{
	return dc->reason ? dc->reason : "no selector matches";
}

const char *action_name(enum action a)
{
	static const char *const names[] = {"none",   "claim", "already", "keep",
					    "refuse", "skip",  "return"};

	return names[a];
}

static const struct id_sel *match_ids(const struct rules *r, const struct pci_dev *dev,
				      enum drv *target, bool *both)
{
	const struct id_sel *v, *s;

	*both = false;
	*target = DRV_VFIO;
	if (!rules_ids_may_match(r, dev->ids.vendor))
		return NULL;
	v = rules_match_ids(r, DRV_VFIO, &dev->ids);
	s = rules_match_ids(r, DRV_STUB, &dev->ids);
	*both = v && s;
	if (s) {
		*target = DRV_STUB;
		return s;
	}
	*target = DRV_VFIO;
	return v;
}

bool plan_select(const struct rules *r, const struct pci_dev *dev, const struct pci_dev *pf,
		 struct selection *s)
{
	const struct claim_sel *c;
	const struct id_sel *ids;

	*s = (struct selection){.target = DRV_VFIO};
	if (r->disabled)
		return false;
	if (r->nsriov)
		s->sriov_pf = rules_find_sriov(r, &dev->addr, dev->chain, dev->nchain, &dev->ids);
	c = rules_find_claim(r, &dev->addr);
	if (rules_need_chain(r)) {
		/* an address claim and a path or pci: claim of one device: the later typed wins */
		const struct claim_sel *x =
		    rules_match_xclaim(r, dev->chain, dev->nchain, &dev->ids);

		if (c && x)
			s->lost = c->order < x->order ? c : x;
		if (!c || (x && x->order > c->order))
			c = x;
	}
	if (c) {
		s->claim = c;
		s->target = c->drv;
		s->why = c->text;
		/* pci:VVVV:DDDD names every device with those ids, twins included: by ids */
		s->by_addr = c->kind != SEL_PCIIDS;
		return true;
	}
	ids = match_ids(r, dev, &s->target, &s->both);
	s->why = ids ? ids->text : NULL;
	if (!s->why && pf && r->nsriov &&
	    (s->sriov_vf = rules_find_sriov(r, &pf->addr, pf->chain, pf->nchain, &pf->ids))) {
		s->why = s->sriov_vf->pf.text;
		s->target = s->sriov_vf->pf.drv;
		s->by_addr = true;
	}
	return s->why || s->sriov_pf;
}

const struct boot_dev *boot_list_find(const struct boot_list *b, const struct pci_dev *dev)
{
	if (!b || !dev->physpath)
		return NULL;
	for (size_t i = 0; i < b->n; i++)
		if (b->v[i].vendor == dev->ids.vendor && b->v[i].device == dev->ids.device &&
		    strcmp(b->v[i].physpath, dev->physpath) == 0)
			return &b->v[i];
	return NULL;
}

/* An absent recorded entry with the device's ids (it may be that device, moved), or NULL. */
static const struct boot_dev *boot_list_absent(const struct boot_list *b, const struct pci_dev *dev)
{
	for (size_t i = 0; b && i < b->n; i++)
		if (b->v[i].absent && b->v[i].vendor == dev->ids.vendor &&
		    b->v[i].device == dev->ids.device)
			return &b->v[i];
	return NULL;
}

void boot_list_free(struct boot_list *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->v[i].physpath);
		free(b->v[i].what);
	}
	free(b->v);
	free(b->fallback);
	*b = (struct boot_list){0};
}

static void set(struct decision *dc, enum action a, enum drv t, const char *fmt, ...)
    _printf_(4, 5);
static void set(struct decision *dc, enum action a, enum drv t, const char *fmt, ...)
{
	va_list ap;

	free(dc->reason);
	va_start(ap, fmt);
	/* most reasons are a selector's text as it is: no formatting for those */
	dc->reason =
	    strcmp(fmt, "%s") == 0 ? xstrdup(va_arg(ap, const char *)) : xvasprintf(fmt, ap);
	va_end(ap);
	dc->action = a;
	dc->target = t;
	dc->variant = NULL;
	dc->d3cold = false;
	dc->reset = NULL;
}

/*
 * A firmware framebuffer in a BAR keeps that BAR busy. vfio-pci removes it when it binds a
 * VGA-class device (vfio_pci_vga_init(): aperture_remove_conflicting_pci_devices(), Linux >= 6.0);
 * for any other device, or for pci-stub, nothing does and the VMM's request of the BAR fails.
 */
static void warn_framebuffer(const struct pci_dev *dev, enum drv t, const struct plan_facts *f,
			     struct diag *d)
{
	const struct iomem_fb *in_bar;
	char fb[96];

	if (pci_base_class(&dev->ids) != PCI_BASE_CLASS_DISPLAY || !f->fbs ||
	    !(in_bar = iomem_fb_of(f->fbs, &dev->addr)))
		return;
	plan_fb_desc(in_bar, fb, sizeof(fb));
	if (t == DRV_VFIO && pci_class(&dev->ids) == PCI_CLASS_DISPLAY_VGA)
		diag_warn(
		    d, DIAG_PLAN,
		    "%s: the firmware framebuffer %s lies in its BAR: vfio-pci removes it when "
		    "it binds (the kernel does so for VGA-class devices), and a host console on "
		    "it goes dark; video=efifb:off video=vesafb:off (or "
		    "initcall_blacklist=sysfb_init) keeps the firmware console off it from the "
		    "start",
		    dev->name, fb);
	else
		diag_warn(
		    d, DIAG_PLAN,
		    "%s: the firmware framebuffer %s lies in its BAR and nothing removes it for "
		    "%s (the kernel does so only for VGA-class devices bound to vfio-pci): the "
		    "VM's start fails with \"BAR N: can't reserve\"; add video=efifb:off "
		    "video=vesafb:off or initcall_blacklist=sysfb_init to the kernel command line",
		    dev->name, fb, drv_name(t));
}

/*
 * The vfio-pci variant a claim for vfio-pci binds: the one its claim names (*missing when the
 * target kernel has no such module), else, unless the claim says exactly vfio-pci or
 * earlybind.variant=off, the one whose alias matches the device most specifically. Two equally
 * specific ones leave plain vfio-pci, with a warning.
 */
static const struct variant_alias *pick_variant(const struct rules *r, const struct pci_dev *dev,
						const struct selection *sel,
						const struct plan_facts *f, bool *missing,
						struct diag *d)
{
	const struct variant_alias *a;
	bool tie = false;

	*missing = false;
	if (sel->target != DRV_VFIO)
		return NULL;
	if (sel->claim && sel->claim->variant[0]) {
		a = f->variants ? variants_by_module(f->variants, sel->claim->variant) : NULL;
		*missing = !a;
		return a;
	}
	if ((sel->claim && sel->claim->exact) || r->variant_off || !f->variants)
		return NULL;
	a = variants_best(f->variants, &dev->ids, &tie);
	if (tie)
		diag_warn(d, DIAG_PLAN,
			  "%s: two vfio-pci variants match it equally well: plain vfio-pci "
			  "(earlybind.claim=%s=MODULE picks one)",
			  dev->name, dev->name);
	return a;
}

static void append_reason(struct decision *dc, const char *more)
{
	char *r = xasprintf("%s%s", dc->reason, more);

	free(dc->reason);
	dc->reason = r;
}

/* A claim for vfio-pci binds the device's variant; the reason says which alias chose it. */
static void use_variant(const struct variant_alias *v, enum drv t, struct decision *dc)
{
	char *r;

	if (t != DRV_VFIO || !v)
		return;
	dc->variant = v->module;
	r = xasprintf("%s; variant %s (%s)", dc->reason, v->module, v->pattern);
	free(dc->reason);
	dc->reason = r;
}

/* The checks every claim passes, selector or companion alike. Returns false if it was refused. */
static bool claimable(const struct rules *r, const struct pci_dev *dev, const struct plan_facts *f,
		      struct decision *dc, enum drv t, const char *why, bool by_addr, size_t idx)
{
	const struct boot_list *boot = f->boot;
	const char *held = f->usage ? f->usage[idx] : NULL;
	const struct boot_dev *bd;
	char a[PCI_ADDR_MAX];

	if (pci_is_bridge(dev)) {
		unsigned cls = pci_class(&dev->ids);

		if (pci_class_is_bridge(cls))
			set(dc, ACT_SKIP, t, "bridge (class %04x): never claimed (%s)", cls, why);
		else
			set(dc, ACT_SKIP, t,
			    "header type %d: only type 0 functions are claimed (%s)",
			    dev->header_type, why);
		return false;
	}
	if (dev->sriov_numvfs > 0) {
		set(dc, ACT_REFUSE, t,
		    "SR-IOV PF with %d VFs enabled: set sriov_numvfs to 0 first (%s)",
		    dev->sriov_numvfs, why);
		return false;
	}
	if (boot && boot->fallback && !by_addr &&
	    pci_base_class(&dev->ids) == PCI_BASE_CLASS_STORAGE &&
	    !rules_forces(r, &dev->addr, dev->chain, dev->nchain, &dev->ids)) {
		set(dc, ACT_REFUSE, t,
		    "mass storage selected only by ids while %s: it may carry the root; "
		    "earlybind.claim=%s claims it, or regenerate the image on this machine (%s)",
		    boot->fallback, pci_addr_fmt(&dev->addr, a), why);
		return false;
	}
	bd = boot_list_find(boot, dev);
	if (bd && !rules_forces(r, &dev->addr, dev->chain, dev->nchain, &dev->ids)) {
		set(dc, ACT_REFUSE, t,
		    "boot device: carries %s; earlybind.force=%s claims it anyway (%s)", bd->what,
		    pci_addr_fmt(&dev->addr, a), why);
		return false;
	}
	if (!by_addr && (bd = boot_list_absent(boot, dev)) &&
	    !rules_forces(r, &dev->addr, dev->chain, dev->nchain, &dev->ids)) {
		set(dc, ACT_REFUSE, t,
		    "selected only by ids and may be the boot device %s %04x:%04x (%s), which is "
		    "not at its recorded place (moved slots?); earlybind.claim=%s claims it (%s)",
		    bd->physpath, bd->vendor, bd->device, bd->what, pci_addr_fmt(&dev->addr, a),
		    why);
		return false;
	}
	if (held && !rules_forces(r, &dev->addr, dev->chain, dev->nchain, &dev->ids)) {
		pci_addr_fmt(&dev->addr, a);
		set(dc, ACT_REFUSE, t,
		    "in use: %s; earlybind.force=%s (by hand: apply --force %s) claims it anyway "
		    "(%s)",
		    held, a, a, why);
		return false;
	}
	return true;
}

/*
 * vfio-pci's denylist: the devices vfio_pci_dev_in_denylist() makes vfio-pci refuse unless
 * vfio_pci.disable_denylist=1 (drivers/vfio/pci/vfio_pci.c of Debian's linux-source-6.1,
 * 6.1.192: Intel QAT C3xxx, C62x and DH895xCC with their VFs, DSA and IAX of Sapphire Rapids;
 * include/linux/pci_ids.h for the numbers). Its variants (vfio_pci_core) have no denylist.
 */
static bool vfio_denylisted(const struct pci_ids *ids)
{
	static const uint16_t intel[] = {
	    0x19e2, 0x19e3, /* PCI_DEVICE_ID_INTEL_QAT_C3XXX, _VF */
	    0x37c8, 0x37c9, /* PCI_DEVICE_ID_INTEL_QAT_C62X, _VF */
	    0x0435, 0x0443, /* PCI_DEVICE_ID_INTEL_QAT_DH895XCC, _VF */
	    0x0b25,	    /* PCI_DEVICE_ID_INTEL_DSA_SPR0 */
	    0x0cfe,	    /* PCI_DEVICE_ID_INTEL_IAX_SPR0 */
	};

	if (ids->vendor != 0x8086)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(intel); i++)
		if (ids->device == intel[i])
			return true;
	return false;
}

/* A device on a vfio-pci-family driver is already claimed unless the claim names another one:
 * exactly vfio-pci (=vfio-pci), or a variant by its module (=MODULE). */
static bool on_named_driver(const struct pci_dev *dev, const struct selection *sel)
{
	if (!sel->claim || sel->target != DRV_VFIO)
		return true;
	if (sel->claim->exact)
		return strcmp(dev->driver, "vfio-pci") == 0;
	if (sel->claim->variant[0])
		return same_module(dev->driver, sel->claim->variant);
	return true;
}

/*
 * What a claimed device is prepared with before vfio-pci or pci-stub first touches it, in the
 * kernel's own words: earlybind.d3cold (d3cold_allowed=0, power/control=on; a companion of a
 * device that has it too) and earlybind.reset (a reset_method the device offers).
 */
static void prepare(const struct rules *r, const struct pci_dev *dev, const struct pci_dev *lead,
		    struct decision *dc, struct diag *d)
{
	const struct reset_sel *rs;

	dc->d3cold =
	    rules_find_d3cold(r, &dev->addr, dev->chain, dev->nchain, &dev->ids) ||
	    (lead && rules_find_d3cold(r, &lead->addr, lead->chain, lead->nchain, &lead->ids));
	rs = rules_find_reset(r, &dev->addr, dev->chain, dev->nchain, &dev->ids);
	if (dc->d3cold)
		append_reason(dc, "; d3cold off (d3cold_allowed=0, power/control=on)");
	if (!rs)
		return;
	if (!dev->reset_methods)
		diag_warn(
		    d, DIAG_PLAN,
		    "%s: %s has no reset_method (a kernel before 5.15, or no reset the kernel "
		    "knows for it): ignored",
		    rs->sel.text, dev->name);
	else if (rs->method[0] && strcmp(rs->method, "default") != 0 &&
		 !word_in(dev->reset_methods, rs->method))
		diag_warn(d, DIAG_PLAN, "%s: the kernel offers \"%s\" for %s, not %s: ignored",
			  rs->sel.text, dev->reset_methods, dev->name, rs->method);
	else {
		_cleanup_free_ char *what =
		    xasprintf("; reset_method %s", rs->method[0] ? rs->method : "none");

		dc->reset = rs->method;
		append_reason(dc, what);
	}
}

/* What every claim is told, selector or companion alike: the firmware framebuffer in its BAR,
 * the console it takes, the IOMMU it needs. */
static void warn_claim(const struct pci_dev *dev, enum drv t, const struct plan_facts *f,
		       struct diag *d)
{
	warn_framebuffer(dev, t, f, d);
	if (dev->boot_vga == 1)
		diag_warn(d, DIAG_PLAN,
			  "%s is the boot VGA device: the console goes dark when %s takes it (make "
			  "another GPU primary in the firmware, or use a serial console: "
			  "console=ttyS0)",
			  dev->name, drv_name(t));
	else if (dev->boot_display == 1)
		diag_warn(
		    d, DIAG_PLAN,
		    "%s is the boot display device (boot_display): the console goes dark when "
		    "%s takes it (make another display primary in the firmware, or use a "
		    "serial console: console=ttyS0)",
		    dev->name, drv_name(t));
	if (dev->iommu_group < 0 && t == DRV_VFIO && f->noiommu == NOIOMMU_ON)
		diag_warn(
		    d, DIAG_PLAN,
		    "%s has no IOMMU group: vfio-pci binds it in no-IOMMU mode "
		    "(vfio.enable_unsafe_noiommu_mode=1; /dev/vfio/noiommu-N): the kernel is "
		    "tainted and the device's DMA is unprotected — whatever opens it can reach "
		    "all memory; fit only for a process the host trusts (DPDK), never a VM",
		    dev->name);
	else if (dev->iommu_group < 0 && t == DRV_VFIO && f->noiommu == NOIOMMU_UNSUPPORTED)
		diag_warn(
		    d, DIAG_PLAN,
		    "%s has no IOMMU group and this kernel has no no-IOMMU mode (built without "
		    "CONFIG_VFIO_NOIOMMU: vfio ignores vfio.enable_unsafe_noiommu_mode): "
		    "vfio-pci will refuse it; pci-stub needs no IOMMU",
		    dev->name);
	else if (dev->iommu_group < 0 && t == DRV_VFIO)
		diag_warn(
		    d, DIAG_PLAN,
		    "%s has no IOMMU group: vfio-pci will refuse it (IOMMU off? "
		    "intel_iommu=on / amd_iommu=on; without an IOMMU, "
		    "vfio.enable_unsafe_noiommu_mode=1 binds it unprotected; pci-stub needs no "
		    "IOMMU)",
		    dev->name);
}

/* earlybind.keep= names the device: kept, whatever else names it. */
static bool kept_by_host(const struct rules *r, const struct pci_dev *dev,
			 const struct selection *sel, struct decision *dc, struct diag *d)
{
	const char *kept = rules_keeps(r, &dev->addr, dev->chain, dev->nchain, &dev->ids);

	if (!kept)
		return false;
	if (sel->why && sel->claim)
		diag_warn(d, DIAG_PLAN, "%s: %s and %s both name it: kept", dev->name, sel->why,
			  kept);
	if (sel->why)
		set(dc, ACT_KEEP, sel->target, "earlybind.keep: kept by the host (matched %s)",
		    sel->why);
	else
		set(dc, ACT_KEEP, DRV_NONE, "earlybind.keep: kept by the host");
	return true;
}

/* What the selector itself rules out: a PF whose VFs an sriov entry makes, and a claim whose @
 * check no longer matches the hardware. */
static bool refused_by_selector(const struct pci_dev *dev, const struct selection *sel,
				struct decision *dc)
{
	if (sel->sriov_pf) {
		set(dc, ACT_REFUSE, sel->target,
		    "%s makes its VFs: the PF keeps its driver (%s), which makes and serves them "
		    "(%s)",
		    sel->sriov_pf->pf.text, dev->driver ? dev->driver : "none yet", sel->why);
		return true;
	}
	if (sel->claim && sel->claim->has_ids &&
	    (sel->claim->vendor != dev->ids.vendor || sel->claim->device != dev->ids.device)) {
		set(dc, ACT_REFUSE, sel->target,
		    "hardware changed: %s expects %04x:%04x, found %04x:%04x", sel->why,
		    sel->claim->vendor, sel->claim->device, dev->ids.vendor, dev->ids.device);
		return true;
	}
	return false;
}

/* Both drivers' ids match: which one wins, and why. */
static void warn_both(const struct pci_dev *dev, const struct selection *sel,
		      const struct plan_facts *f, struct diag *d)
{
	if (sel->both && f->builtin[DRV_STUB])
		diag_warn(d, DIAG_PLAN,
			  "%s matches both vfio-pci.ids and pci-stub.ids: the built-in pci-stub "
			  "holds it from the start, earlybind moves it to vfio-pci",
			  dev->name);
	else if (sel->both)
		diag_warn(d, DIAG_PLAN,
			  "%s matches both vfio-pci.ids and pci-stub.ids: pci-stub wins, as a "
			  "built-in pci-stub would",
			  dev->name);
}

static void decide_selected(const struct rules *r, const struct pci_list *devs,
			    const struct pci_dev *dev, const struct pci_dev *pf,
			    const struct plan_facts *f, struct decision *dc, struct diag *d)
{
	_cleanup_free_ char *vf_why = NULL;
	const struct variant_alias *v;
	struct selection sel;
	enum drv t;
	bool missing;

	if (r->disabled) {
		set(dc, ACT_NONE, DRV_NONE, "earlybind is off (%s)",
		    r->disabled_by ? r->disabled_by : "earlybind=0");
		return;
	}
	plan_select(r, dev, pf, &sel);
	if (sel.sriov_vf)
		sel.why = vf_why = xasprintf("%s, VF %d of %s", sel.why, dev->vf_index, pf->name);
	if (sel.both && f->builtin[DRV_STUB]) {
		/* a built-in pci-stub holds it from the first instant; vfio-pci is where it goes */
		sel.target = DRV_VFIO;
		sel.why = rules_match_ids(r, DRV_VFIO, &dev->ids)->text;
	}
	t = sel.target;
	if (kept_by_host(r, dev, &sel, dc, d))
		return;
	if (sel.lost && (sel.lost->drv != sel.claim->drv || sel.lost->exact != sel.claim->exact ||
			 strcmp(sel.lost->variant, sel.claim->variant) != 0))
		diag_warn(d, DIAG_ADDR, "%s is overridden by the later %s", sel.lost->text,
			  sel.why);
	if (!sel.why) {
		/* The common case on a big machine: no allocation, see decision_reason(). */
		dc->action = ACT_NONE;
		return;
	}
	if (refused_by_selector(dev, &sel, dc))
		return;
	v = pick_variant(r, dev, &sel, f, &missing, d);
	if (missing) {
		set(dc, ACT_REFUSE, t,
		    "%s names %s, but no module of that name carries a vfio_pci: alias in the "
		    "target kernel's modules.alias",
		    sel.why, sel.claim->variant);
		return;
	}
	warn_both(dev, &sel, f, d);
	if (t == DRV_VFIO && !v && !r->vfio_denylist_off && vfio_denylisted(&dev->ids)) {
		set(dc, ACT_REFUSE, t,
		    "vfio-pci's denylist holds %04x:%04x (devices with known errata): vfio-pci "
		    "refuses to bind it unless vfio_pci.disable_denylist=1 is given (%s)",
		    dev->ids.vendor, dev->ids.device, sel.why);
		return;
	}
	if (!claimable(r, dev, f, dc, t, sel.why, sel.by_addr, (size_t)(dev - devs->v)))
		return;
	if (drv_from_bound(dev->driver) == t && on_named_driver(dev, &sel)) {
		warn_framebuffer(dev, t, f, d);
		set(dc, ACT_ALREADY, t, "%s", sel.why);
		dc->variant = v ? v->module : NULL;
		prepare(r, dev, NULL, dc, d);
		return;
	}
	set(dc, ACT_CLAIM, t, "%s", sel.why);
	use_variant(v, t, dc);
	prepare(r, dev, NULL, dc, d);
	warn_claim(dev, t, f, d);
}

/*
 * A device on vfio-pci or pci-stub without a driver_override got there through one of the
 * driver's dynamic ids: its ids= — the kernel's own, applied at the driver's registration when
 * it is built in, before any initramfs code runs. When earlybind would not claim it (kept,
 * refused), it is given back to its own driver: apply removes the matching dynamic ids, so that
 * no reprobe, rescan or module load gives it to them again, and reprobes it.
 */
static void give_back(const struct rules *r, const struct pci_dev *dev, const struct plan_facts *f,
		      struct decision *dc)
{
	enum drv on = drv_from_bound(dev->driver);
	const struct id_sel *ids;
	char *why;

	if ((dc->action != ACT_KEEP && dc->action != ACT_REFUSE) || on == DRV_NONE ||
	    strcmp(dev->driver, drv_name(on)) != 0 || dev->driver_override ||
	    !(ids = rules_match_ids(r, on, &dev->ids)))
		return;
	if (f->builtin[on])
		why = xasprintf("given back to its own driver: %s is built in and took it through "
				"the kernel's %s before earlybind ran, but %s",
				drv_module(on), ids->text, decision_reason(dc));
	else
		why = xasprintf("given back to its own driver: %s took it through %s, but %s",
				drv_name(on), ids->text, decision_reason(dc));
	free(dc->reason);
	dc->reason = why;
	dc->action = ACT_RETURN;
	dc->target = on;
	dc->variant = NULL;
}

static void decide(const struct rules *r, const struct pci_list *devs, const struct pci_dev *dev,
		   const struct plan_facts *f, struct decision *dc, struct diag *d)
{
	const struct pci_dev *pf = dev->is_vf ? pci_list_find(devs, &dev->physfn) : NULL;

	decide_selected(r, devs, dev, pf, f, dc, d);
	give_back(r, dev, f, dc);
}

const char *plan_fb_desc(const struct iomem_fb *fb, char *buf, size_t size)
{
	if (fb->end)
		snprintf(buf, size, "%s [mem 0x%08llx-0x%08llx]", fb->name,
			 (unsigned long long)fb->start, (unsigned long long)fb->end);
	else
		snprintf(buf, size, "%s (range hidden: /proc/iomem read without root)", fb->name);
	return buf;
}

static bool is_claimed(const struct decision *dc)
{
	return dc->action == ACT_CLAIM || dc->action == ACT_ALREADY;
}

static void add_companions(const struct rules *r, const struct pci_list *devs,
			   const struct plan_facts *f, struct plan *p, const size_t *idx, size_t n,
			   struct diag *d)
{
	enum drv t = r->group == GROUP_VFIO ? DRV_VFIO : DRV_STUB;
	const struct pci_dev *lead = NULL, *holder = NULL;
	const char *held = NULL;
	char a[PCI_ADDR_MAX], why[160];

	for (size_t i = 0; i < n && !lead; i++)
		if (is_claimed(&p->dec[idx[i]]) && !p->dec[idx[i]].companion)
			lead = &devs->v[idx[i]];
	if (!lead)
		return;
	snprintf(why, sizeof(why), "IOMMU group %d companion of %s, earlybind.group=%s",
		 lead->iommu_group, pci_addr_fmt(&lead->addr, a), drv_name(t));
	/* a member the host keeps means the group can never be viable: no companions then */
	for (size_t i = 0; i < n && !held; i++) {
		const struct pci_dev *dev = &devs->v[idx[i]];
		const struct decision *dc = &p->dec[idx[i]];

		held =
		    dc->action == ACT_KEEP     ? "kept"
		    : dc->action == ACT_REFUSE ? "refused"
		    : dc->action == ACT_RETURN ? "given back"
		    : dc->action == ACT_NONE && pci_base_class(&dev->ids) == PCI_BASE_CLASS_STORAGE
			? "mass storage"
			: NULL;
		holder = dev;
	}
	if (held)
		diag_warn(d, DIAG_PLAN,
			  "IOMMU group %d cannot be viable: %s stays with the host (%s); its other "
			  "members are not claimed as companions",
			  lead->iommu_group, holder->name, held);
	for (size_t i = 0; i < n; i++) {
		const struct pci_dev *dev = &devs->v[idx[i]];
		struct decision *dc = &p->dec[idx[i]];
		bool missing;

		if (dc->action != ACT_NONE || pci_is_bridge(dev))
			continue;
		if (pci_base_class(&dev->ids) == PCI_BASE_CLASS_STORAGE) {
			set(dc, ACT_NONE, DRV_NONE,
			    "mass storage: never claimed as a companion (%s)", why);
			continue;
		}
		if (held) {
			set(dc, ACT_NONE, DRV_NONE,
			    "not claimed as a companion: IOMMU group %d cannot be viable while %s "
			    "stays with the host (%s)",
			    lead->iommu_group, holder->name, held);
			continue;
		}
		dc->companion = true;
		if (!claimable(r, dev, f, dc, t, why, false, idx[i]))
			continue;
		const struct selection sel = {.why = why, .target = t};
		const struct variant_alias *v = pick_variant(r, dev, &sel, f, &missing, d);

		if (drv_from_bound(dev->driver) == t) {
			warn_framebuffer(dev, t, f, d);
			set(dc, ACT_ALREADY, t, "%s", why);
			dc->variant = v ? v->module : NULL;
		} else {
			set(dc, ACT_CLAIM, t, "%s", why);
			use_variant(v, t, dc);
			warn_claim(dev, t, f, d);
		}
		prepare(r, dev, lead, dc, d);
		dc->companion = true;
	}
}

bool group_member_ok(const struct pci_dev *dev, const char *driver, bool now)
{
	/* the drivers that leave DMA to the group's owner (driver_managed_dma): the vfio
	 * drivers, pci-stub, pcieport; any other bound driver blocks, on a bridge too */
	if (drv_from_bound(driver) != DRV_NONE || (driver && strcmp(driver, "pcieport") == 0))
		return true;
	if (driver)
		return false;
	/* unbound: fine now; after coldplug an endpoint will have its driver, a bridge not */
	return now || pci_is_bridge(dev);
}

static void judge_group(const struct pci_list *devs, struct plan *p, const size_t *idx, size_t n)
{
	struct group_rep g = {.group = devs->v[idx[0]].iommu_group};
	bool any = false;

	for (size_t i = 0; i < n; i++)
		any = any || is_claimed(&p->dec[idx[i]]);
	if (!any)
		return;
	g.members = xcalloc(n, sizeof(*g.members));
	g.blocking = xcalloc(n, sizeof(*g.blocking));
	for (size_t i = 0; i < n; i++) {
		const struct pci_dev *dev = &devs->v[idx[i]];
		const struct decision *dc = &p->dec[idx[i]];
		const char *fin = is_claimed(dc) ? drv_name(dc->target) : dev->driver;

		g.members[g.nmembers++] = dev->addr;
		if (!group_member_ok(dev, fin, false))
			g.blocking[g.nblocking++] = dev->addr;
	}
	g.viable = g.nblocking == 0;
	p->groups = xrealloc(p->groups, (p->ngroups + 1) * sizeof(*p->groups));
	p->groups[p->ngroups++] = g;
}

static int group_idx_cmp(const void *a, const void *b, void *ud)
{
	const struct pci_list *devs = ud;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int gx = devs->v[x].iommu_group, gy = devs->v[y].iommu_group;

	if (gx != gy)
		return gx < gy ? -1 : 1;
	return x < y ? -1 : x > y;
}

/*
 * earlybind.sriov=: a PF with no VFs gets a job, made now when its driver is bound (writing
 * sriov_numvfs needs the driver's sriov_configure), else by the udev rule when the driver binds.
 * A PF that already has VFs is left as it is.
 */
static void plan_sriov(const struct rules *r, const struct pci_list *devs, struct plan *p,
		       struct diag *d)
{
	size_t cap = 0;

	for (size_t k = 0; k < r->nsriov; k++) {
		bool found = false;

		for (size_t i = 0; i < devs->n; i++) {
			const struct pci_dev *dev = &devs->v[i];
			const struct sriov_sel *s =
			    rules_find_sriov(r, &dev->addr, dev->chain, dev->nchain, &dev->ids);

			if (s != &r->sriov[k])
				continue;
			found = true;
			if (dev->sriov_numvfs < 0) {
				diag_warn(d, DIAG_PLAN,
					  "%s: %s is not an SR-IOV PF (no sriov_numvfs)",
					  s->pf.text, dev->name);
			} else if (dev->sriov_numvfs > 0 &&
				   (unsigned)dev->sriov_numvfs != s->nvfs) {
				/* the VFs asked for are the entry's to claim; other VFs are not
				 * ours */
				diag_warn(
				    d, DIAG_PLAN,
				    "%s: %s has %d VF%s, not %u: left as it is (earlybind makes "
				    "VFs only on a PF that has none)",
				    s->pf.text, dev->name, dev->sriov_numvfs,
				    dev->sriov_numvfs == 1 ? "" : "s", s->nvfs);
			} else if (dev->sriov_numvfs > 0) {
				continue;
			} else if (dev->sriov_totalvfs >= 0 &&
				   s->nvfs > (unsigned)dev->sriov_totalvfs) {
				diag_warn(
				    d, DIAG_PLAN,
				    "%s: %s offers at most %d VF%s (sriov_totalvfs): no VFs made",
				    s->pf.text, dev->name, dev->sriov_totalvfs,
				    dev->sriov_totalvfs == 1 ? "" : "s");
			} else {
				grow((void **)&p->sriov, &cap, p->nsriov, sizeof(*p->sriov));
				p->sriov[p->nsriov++] = (struct sriov_job){
				    .pf = i, .sel = s, .now = dev->driver != NULL};
			}
		}
		if (!found && r->sriov[k].pf.kind == SEL_ADDR)
			diag_warn(d, DIAG_ADDR, "%s: no PCI device at that address",
				  r->sriov[k].pf.text);
	}
}

/* The devices a path or pci: entry names; *unselected: how many of them no selector claims. */
static size_t x_matches(const struct claim_sel *x, const struct pci_list *devs,
			const struct plan *p, size_t *unselected)
{
	size_t n = 0;

	*unselected = 0;
	for (size_t i = 0; i < devs->n; i++) {
		const struct pci_dev *dev = &devs->v[i];

		if (!sel_matches(x, dev->chain, dev->nchain, &dev->ids))
			continue;
		n++;
		*unselected += p->dec[i].action == ACT_NONE;
	}
	return n;
}

static void warn_force_alone(const char *text, const char *what, struct diag *d)
{
	diag_warn(d, DIAG_ADDR,
		  "%s: no selector claims %s; force only lets a claim take a device the guard "
		  "refuses",
		  text, what);
}

/* Entries that name no device here, and force= entries no selector goes with, are said. */
static void warn_unmatched(const struct rules *r, const struct pci_list *devs, const struct plan *p,
			   struct diag *d)
{
	size_t unselected;
	char a[PCI_ADDR_MAX];

	for (size_t i = 0; i < r->nclaims; i++)
		if (!pci_list_find(devs, &r->claims[i].addr))
			diag_warn(d, DIAG_ADDR, "%s: no PCI device at that address",
				  r->claims[i].text);
	for (size_t i = 0; i < r->keep.n; i++)
		if (!pci_list_find(devs, &r->keep.v[i].addr))
			diag_warn(d, DIAG_ADDR, "%s: no PCI device at that address",
				  r->keep.v[i].text);
	for (size_t i = 0; i < r->force.n; i++) {
		const struct pci_dev *dev = pci_list_find(devs, &r->force.v[i].addr);

		if (!dev)
			diag_warn(d, DIAG_ADDR, "%s: no PCI device at that address",
				  r->force.v[i].text);
		else if (p->dec[dev - devs->v].action == ACT_NONE)
			warn_force_alone(r->force.v[i].text, pci_addr_fmt(&dev->addr, a), d);
	}
	for (size_t i = 0; i < r->nxclaims; i++)
		if (!x_matches(&r->xclaims[i], devs, p, &unselected))
			diag_warn(d, DIAG_ADDR, "%s: no PCI device matches it", r->xclaims[i].text);
	for (size_t i = 0; i < r->nxkeep; i++)
		if (!x_matches(&r->xkeep[i], devs, p, &unselected))
			diag_warn(d, DIAG_ADDR, "%s: no PCI device matches it", r->xkeep[i].text);
	for (size_t i = 0; i < r->nxforce; i++) {
		if (!x_matches(&r->xforce[i], devs, p, &unselected))
			diag_warn(d, DIAG_ADDR, "%s: no PCI device matches it", r->xforce[i].text);
		else if (unselected)
			warn_force_alone(r->xforce[i].text, "the devices it names", d);
	}
	for (size_t i = 0; i < r->nsriov; i++)
		if (r->sriov[i].pf.kind != SEL_ADDR &&
		    !x_matches(&r->sriov[i].pf, devs, p, &unselected))
			diag_warn(d, DIAG_ADDR, "%s: no PCI device matches it",
				  r->sriov[i].pf.text);
}

void plan_build(const struct rules *r, const struct pci_list *devs, const struct plan_facts *f,
		struct plan *p, struct diag *d)
{
	size_t *idx, n = 0;

	*p = (struct plan){.dec = xcalloc(devs->n, sizeof(*p->dec)), .n = devs->n};
	for (enum drv drv = DRV_VFIO; !r->disabled && drv < DRV__MAX; drv++)
		if (f->builtin[drv] && r->kernel_key_seen[drv])
			diag_warn(d, DIAG_PLAN,
				  "%s is built into this kernel: the kernel applies %s.ids itself "
				  "before earlybind runs; earlybind gives back what it would not "
				  "claim (kept, refused) to its own driver",
				  drv_module(drv), drv_name(drv));
	for (size_t i = 0; i < devs->n; i++)
		decide(r, devs, &devs->v[i], f, &p->dec[i], d);
	if (!r->disabled)
		warn_unmatched(r, devs, p, d);

	/* Group members, ordered by group: one pass per group, no quadratic search. */
	idx = xcalloc(devs->n, sizeof(*idx));
	for (size_t i = 0; i < devs->n; i++)
		if (devs->v[i].iommu_group >= 0)
			idx[n++] = i;
	qsort_r(idx, n, sizeof(*idx), group_idx_cmp, (void *)devs);
	for (size_t s = 0, e; s < n; s = e) {
		for (e = s + 1; e < n && devs->v[idx[e]].iommu_group == devs->v[idx[s]].iommu_group;
		     e++)
			;
		if (r->group != GROUP_OFF)
			add_companions(r, devs, f, p, idx + s, e - s, d);
		judge_group(devs, p, idx + s, e - s);
	}
	free(idx);
	if (!r->disabled)
		plan_sriov(r, devs, p, d);
}

void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->dec[i].reason);
	for (size_t i = 0; i < p->ngroups; i++) {
		free(p->groups[i].members);
		free(p->groups[i].blocking);
	}
	free(p->dec);
	free(p->groups);
	free(p->sriov);
	*p = (struct plan){0};
}
