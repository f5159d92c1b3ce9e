// SPDX-License-Identifier: LGPL-2.1-or-later
#include "pipeline.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bootdev.h"
#include "cmdline.h"
#include "inuse.h"
#include "iomem.h"
#include "kmodidx.h"
#include "modload.h"

static int int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return x < y ? -1 : x > y;
}

/* The PFs earlybind.sriov= names, read first: their VFs (virtfnN) are known as such before any
 * device's selection is asked. */
static void mark_vfs(struct ctx *c, struct scanner *s, unsigned want)
{
	for (size_t i = 0; i < c->devs.n; i++) {
		struct pci_dev *pf = &c->devs.v[i];
		struct pci_addr *vfs = NULL;
		int n;

		if (!rules_find_sriov(&c->rules, &pf->addr, pf->chain, pf->nchain, &pf->ids))
			continue;
		scan_detail(s, pf, want, &c->diag);
		n = pf->sriov_numvfs > 0 ? scan_vfs(s, pf, &vfs) : 0;
		for (int k = 0; k < n; k++) {
			struct pci_dev *vf = pci_list_find(&c->devs, &vfs[k]);

			if (vf) {
				vf->is_vf = true;
				vf->physfn = pf->addr;
				vf->vf_index = k;
			}
		}
		free(vfs);
	}
}

/* Details for the devices the plan needs, and for every member of their IOMMU groups. */
static size_t gather(struct ctx *c, struct scanner *s, bool all)
{
	unsigned want = all ? DETAIL_OVERRIDE | DETAIL_PHYSPATH : 0;
	int *groups = NULL;
	size_t ng = 0, cap = 0, wanted = 0;

	if (c->boot.n || rules_need_chain(&c->rules))
		want |= DETAIL_PHYSPATH;
	if (c->rules.nreset)
		want |= DETAIL_RESET;
	/* path selectors: every device's chain first, to know which ones they name */
	for (size_t i = 0; rules_need_chain(&c->rules) && i < c->devs.n; i++)
		scan_physpath(s, &c->devs.v[i]);
	free(c->wanted);
	c->wanted = xcalloc(c->devs.n, sizeof(*c->wanted));
	if (c->rules.nsriov)
		mark_vfs(c, s, want);
	for (size_t i = 0; i < c->devs.n; i++) {
		struct pci_dev *dev = &c->devs.v[i];
		const struct pci_dev *pf =
		    dev->is_vf ? pci_list_find(&c->devs, &dev->physfn) : NULL;
		struct selection sel;
		bool w = c->wanted[i] = plan_select(&c->rules, dev, pf, &sel);

		wanted += w;
		if (!all && !w)
			continue;
		scan_detail(s, dev, want, &c->diag);
		if (dev->iommu_group >= 0) {
			grow((void **)&groups, &cap, ng, sizeof(*groups));
			groups[ng++] = dev->iommu_group;
		}
	}
	/* Functions of one slot share a group: list each group once. */
	if (ng)
		qsort(groups, ng, sizeof(*groups), int_cmp);
	for (size_t g = 0; !all && g < ng; g++) {
		struct pci_addr *m = NULL;
		int n;

		if (g > 0 && groups[g] == groups[g - 1])
			continue;
		n = scanner_group_members(s, groups[g], &m);
		for (int k = 0; k < n; k++) {
			struct pci_dev *dev = pci_list_find(&c->devs, &m[k]);
			char a[PCI_ADDR_MAX];

			if (!dev) {
				diag_warn(
				    &c->diag, DIAG_SYSFS,
				    "IOMMU group %d lists %s, which is not in bus/pci/devices",
				    groups[g], pci_addr_fmt(&m[k], a));
				continue;
			}
			/* Viability needs only class and driver (from uevent) and the group (from
			 * this listing); companions need every check a claim passes. */
			if (c->rules.group == GROUP_OFF) {
				if (!dev->has_detail)
					dev->iommu_group = groups[g];
				/* bridges never block: the same answer as with details */
				scan_header_type(s, dev);
			} else {
				scan_detail(s, dev, want, &c->diag);
			}
		}
		free(m);
	}
	free(groups);
	return wanted;
}

/* One word of the command line to the two stages that read it: the selectors and what the boot
 * needs. */
static void cmdline_word(const char *key, const char *val, const char *src, void *ud)
{
	struct ctx *c = ud;

	rules_add(key, val, src, &c->rules);
	boot_spec_add(key, val, src, &c->spec);
}

void pipeline_rules(struct ctx *c, const struct env *e)
{
	*c = (struct ctx){.env = e};
	diag_init(&c->diag);
	rules_init(&c->rules, &c->diag);
	/* modprobe.d first: the command line is the later, stronger source. libkmod is loaded for
	 * it only when some file there can hold ids; apply loads it when it has a driver to load.
	 */
	if (modload_conf_mentions_ids(e) && modload_new(&c->mod, e) == 0) {
		static const char *const modules[] = {"vfio_pci", "pci_stub", "vfio"};

		for (size_t i = 0; i < ARRAY_SIZE(modules); i++) {
			_cleanup_free_ char *opts = modload_conf_options(c->mod, modules[i]);

			if (opts)
				rules_add_modconf(&c->rules, modules[i], opts, "modprobe.d");
		}
	}
	cmdline_load(e->root, e->cmdline_files, e->ncmdline, cmdline_word, c, &c->diag);
	rules_finish(&c->rules);
	bootdev_load_for_plan(e, &c->boot, &c->diag);
}

static void physpaths_of_wanted(struct ctx *c, struct scanner *s)
{
	for (size_t i = 0; i < c->devs.n; i++) {
		struct pci_dev *dev = &c->devs.v[i];

		/* the wanted devices and the group members read with them */
		if (dev->has_detail || c->wanted[i])
			scan_physpath(s, dev);
	}
}

static bool is_display(const struct pci_dev *dev)
{
	return pci_base_class(&dev->ids) == PCI_BASE_CLASS_DISPLAY;
}

/* A function the plan may claim: a selector wants it, or group mode may take it as a companion
 * (its details were read with its group). */
static bool candidate(const struct ctx *c, size_t i)
{
	return c->wanted[i] || (c->rules.group != GROUP_OFF && c->devs.v[i].has_detail);
}

/* Firmware framebuffers live in display functions' BARs: /proc/iomem is read once, and only when
 * the plan may claim a display function. */
static void framebuffers(struct ctx *c)
{
	_cleanup_free_ char *path = NULL;
	bool any = false;

	for (size_t i = 0; i < c->devs.n && !any; i++)
		any = c->devs.v[i].has_detail && is_display(&c->devs.v[i]) && candidate(c, i);
	if (!any || c->have_fbs)
		return;
	path = root_path(c->env, "/proc/iomem");
	c->have_fbs = iomem_load(path, &c->fbs) == 0;
}

/*
 * vfio-pci variants, for the plan to choose from when it may claim a device for vfio-pci: the
 * target kernel's aliases, read once and only then — the vfio_pci: keys of modules.alias.bin (a
 * few nodes of its trie), or modules.alias without it.
 */
static void variants(struct ctx *c)
{
	_cleanup_free_ char *moddir = NULL;
	bool any = false;

	for (size_t i = 0; i < c->devs.n && !any; i++)
		any = c->wanted[i] || (c->rules.group == GROUP_VFIO && c->devs.v[i].has_detail);
	if (!any || c->have_variants || !(moddir = env_moddir(c->env)))
		return;
	variants_load(moddir, &c->variants);
	c->have_variants = true;
}

/* What holds each device the plan may claim right now, on a tree that is this machine's: asked
 * only for those candidates not on a driver of ours yet. */
static void usage(struct ctx *c)
{
	struct inuse *u = NULL;

	for (size_t i = 0; i < c->nusage; i++)
		free(c->usage[i]);
	free(c->usage);
	c->usage = xcalloc(c->devs.n, sizeof(*c->usage));
	c->nusage = c->devs.n;
	for (size_t i = 0; i < c->devs.n; i++) {
		const struct pci_dev *dev = &c->devs.v[i];

		if (!candidate(c, i) || drv_from_bound(dev->driver) != DRV_NONE)
			continue;
		if (!u && !env_live(c->env))
			return;
		if (!u)
			u = inuse_open(c->env, !in_initramfs(c->env));
		c->usage[i] = inuse_holders(u, dev);
	}
	inuse_close(u);
}

/*
 * Which of vfio_pci and pci_stub the running kernel has built in: asked only when its ids are
 * given or a device is on it. SYSFS/module/NAME without initstate says it for vfio_pci; pci_stub's
 * only parameter is hidden (mode 0), so a built-in pci_stub has no such directory: the module
 * tree's modules.builtin.bin (which the images carry) says it then.
 */
static void builtins(const struct ctx *c, bool *builtin)
{
	_cleanup_free_ char *moddir = NULL;

	for (enum drv drv = DRV_VFIO; drv < DRV__MAX; drv++) {
		bool ask = c->rules.kernel_key_seen[drv] > 0;

		for (size_t i = 0; !ask && i < c->devs.n; i++)
			ask =
			    c->devs.v[i].driver && strcmp(c->devs.v[i].driver, drv_name(drv)) == 0;
		builtin[drv] = ask && scan_module_builtin(&c->env->sys, drv_module(drv));
		if (ask && !builtin[drv] && (moddir || (moddir = env_moddir(c->env))))
			builtin[drv] = kmodidx_builtin(moddir, drv_module(drv));
	}
}

/*
 * vfio's no-IOMMU mode, settled only when a device the plan may claim has no IOMMU group: asked
 * for (vfio.enable_unsafe_noiommu_mode on the command line or in modprobe.d, or already on), and
 * does the kernel have it (the parameter: SYSFS/module/vfio/parameters, else vfio's modinfo)?
 */
static enum noiommu noiommu(struct ctx *c)
{
	char v[8] = "";
	bool any = false, live;

	for (size_t i = 0; i < c->devs.n && !any; i++)
		any = candidate(c, i) && c->devs.v[i].has_detail && c->devs.v[i].iommu_group < 0;
	if (!any)
		return NOIOMMU_NOT_ASKED;
	live = pc_readf(&c->env->sys, v, sizeof(v),
			"module/vfio/parameters/enable_unsafe_noiommu_mode") >= 0;
	if (!c->rules.noiommu_asked && v[0] != 'Y')
		return NOIOMMU_NOT_ASKED;
	if (live)
		return NOIOMMU_ON;
	if (!c->mod && modload_new(&c->mod, c->env) < 0)
		return NOIOMMU_ON; /* cannot tell: the claim will say */
	return modload_has_param(c->mod, "vfio", "enable_unsafe_noiommu_mode")
		   ? NOIOMMU_ON
		   : NOIOMMU_UNSUPPORTED;
}

int pipeline_scan_plan(struct ctx *c, unsigned flags)
{
	struct scanner s;
	int r = scanner_open(&s, &c->env->sys);

	if (!c->scanned) {
		c->scanned = true;
		c->diag_rules = c->diag.n;
	}

	if (r < 0) {
		diag_warn(&c->diag, DIAG_SYSFS, "cannot read %s/bus/pci/devices: %s", c->env->sysfs,
			  strerror(-r));
		return r;
	}
	/* one handle on bus/pci/devices (and on the groups) for the scan and every detail */
	scan_devices_in(&s, &c->devs, &c->diag);
	/* Boot-device facts cost libblkid and disk probing: only when a selector wants a device
	 * (or the command asks for them), and then for every command alike. */
	if ((gather(c, &s, flags & PLAN_ALL_DETAIL) || (flags & PLAN_RESOLVE_ROOT)) &&
	    !c->boot_settled) {
		size_t recorded = c->boot.n;

		c->boot_settled = true;
		bootdev_settle(c->env, &c->spec, &c->devs, &c->boot, &c->diag);
		/* boot devices found only now: the wanted devices' physical paths are needed too */
		if (c->boot.n && !recorded)
			physpaths_of_wanted(c, &s);
	}
	scanner_close(&s);
	framebuffers(c);
	variants(c);
	usage(c);
	{
		struct plan_facts f = {.boot = &c->boot,
				       .usage = c->usage,
				       .variants = c->have_variants ? &c->variants : NULL,
				       .fbs = c->have_fbs ? &c->fbs : NULL};

		builtins(c, f.builtin);
		f.noiommu = noiommu(c);
		plan_build(&c->rules, &c->devs, &f, &c->plan, &c->diag);
	}
	return 0;
}

int pipeline_rescan(struct ctx *c)
{
	pci_list_free(&c->devs);
	plan_free(&c->plan);
	diag_truncate(&c->diag, c->diag_rules);
	return pipeline_scan_plan(c, 0);
}

int pipeline_plan(struct ctx *c, const struct env *e, unsigned flags)
{
	pipeline_rules(c, e);
	return pipeline_scan_plan(c, flags);
}

void ctx_free(struct ctx *c)
{
	variants_free(&c->variants);
	iomem_free(&c->fbs);
	free(c->wanted);
	for (size_t i = 0; i < c->nusage; i++)
		free(c->usage[i]);
	free(c->usage);
	c->usage = NULL;
	plan_free(&c->plan);
	boot_list_free(&c->boot);
	pci_list_free(&c->devs);
	rules_free(&c->rules);
	boot_spec_free(&c->spec);
	diag_free(&c->diag);
	modload_free(c->mod);
	c->mod = NULL;
}

/* The chain of PCI functions down to one device, from its bus/pci/devices link. */
static size_t chain_of(const struct env *e, const struct pci_dev *dev, struct pci_addr **chain)
{
	char buf[4096];

	*chain = NULL;
	if (pc_readlinkf(&e->sys, buf, sizeof(buf), "bus/pci/devices/%s", dev->name) <= 0)
		return 0;
	return scan_chain_of(buf, chain);
}

/* Wanted by a selector itself, and not already on a driver of ours. */
static bool wanted_one(const struct env *e, const struct rules *r, const struct pci_addr *a,
		       bool *ours)
{
	struct pci_dev dev, pf;
	enum drv on;
	bool w = false;

	if (scan_device(&e->sys, a, &dev) < 0)
		return false;
	on = drv_from_bound(dev.driver);
	*ours = on != DRV_NONE;
	/* on vfio-pci or pci-stub through their ids (no driver_override): the plan may give it
	 * back (a built-in driver takes a hot-added device before udev hears of it) */
	if (*ours && strcmp(dev.driver, drv_name(on)) == 0 && rules_match_ids(r, on, &dev.ids) &&
	    scan_override(&e->sys, &dev) == 0 && !dev.driver_override)
		*ours = false;
	free(dev.driver_override);
	if (rules_need_chain(r)) /* its chain, for path selectors: one readlink */
		dev.nchain = chain_of(e, &dev, &dev.chain);
	/* a VF: its PF, for the earlybind.sriov= entry that may name it */
	if (r->nsriov && scan_physfn(&e->sys, &dev) == 0 &&
	    scan_device(&e->sys, &dev.physfn, &pf) == 0) {
		if (rules_need_chain(r))
			pf.nchain = chain_of(e, &pf, &pf.chain);
		w = plan_select(r, &dev, &pf, &(struct selection){0});
		free(pf.chain);
	} else {
		w = plan_select(r, &dev, NULL, &(struct selection){0});
	}
	free(dev.chain);
	return w;
}

bool pipeline_device_wanted(const struct env *e, const struct pci_addr *a)
{
	_cleanup_free_ char *recorded = root_path(e, MODPROBE_IDS_FILE);
	char *files[1] = {recorded};
	struct rules r;
	struct diag d;
	bool ours = false, wanted;

	diag_init(&d);
	rules_init(&r, &d);
	cmdline_load(e->root, e->cmdline_files, e->ncmdline, rules_add, &r, &d);
	if (access(recorded, F_OK) == 0)
		cmdline_load(e->root, files, 1, rules_add, &r, &d);
	rules_finish(&r);
	wanted = rules_any_selector(&r) && wanted_one(e, &r, a, &ours);
	if (!wanted && !ours && rules_any_selector(&r) && r.group != GROUP_OFF) {
		/* a companion: wanted when a member of its IOMMU group is */
		struct pci_addr *m = NULL;
		int g = scan_device_group(&e->sys, a);
		int n = g >= 0 ? scan_group_members(&e->sys, g, &m) : 0;

		for (int k = 0; k < n && !wanted; k++) {
			bool member_ours;

			wanted =
			    pci_addr_cmp(&m[k], a) != 0 && wanted_one(e, &r, &m[k], &member_ours);
		}
		free(m);
	}
	rules_free(&r);
	diag_free(&d);
	return wanted && !ours;
}
