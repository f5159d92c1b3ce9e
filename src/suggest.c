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

#include "commands.h"
#include "inuse.h"
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

static bool picked(const struct pick *v, size_t n, const struct pci_dev *d)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].dev == d)
			return true;
	return false;
}

int cmd_suggest(const struct opts *o, int argc, char **argv)
{
	struct pick *picks = NULL;
	size_t np = 0, cap = 0;
	struct strbuf ids, claims, out;
	struct diag warn;
	struct ctx c;
	bool iommu, builtin, by_addr = false;
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
	iommu = scan_have_iommu(o->env.sysfs);
	if (!iommu)
		diag_warn(
		    &warn, DIAG_PLAN,
		    "the IOMMU is off (no %s/kernel/iommu_groups): vfio-pci will refuse every "
		    "device; "
		    "enable VT-d/AMD-Vi in the firmware and add intel_iommu=on or amd_iommu=on",
		    o->env.sysfs);
	builtin = scan_module_builtin(o->env.sysfs, drv_module(DRV_VFIO));
	if (env_live(&o->env))
		u = inuse_open(&o->env, !in_initramfs(&o->env));
	for (int i = 0; i < argc; i++) {
		const struct pci_dev *d = find_arg_dev(&c, argv[i]);

		if (!d) {
			bad++;
			continue;
		}
		if (pci_is_bridge(d)) {
			diag_warn(&warn, DIAG_PLAN, "%s is a bridge: bridges are never claimed",
				  d->name);
			continue;
		}
		if (!picked(picks, np, d)) {
			grow((void **)&picks, &cap, np, sizeof(*picks));
			picks[np] = (struct pick){.dev = d, .lead = d};
			pick_for(&c.devs, d, &picks[np++]);
		}
		{
			_cleanup_free_ char *held = u ? inuse_holders(u, d) : NULL;
			const char *why;

			if (host_needs(d, &c.boot, &why))
				diag_warn(&warn, DIAG_PLAN, "%s is %s: the host may need it",
					  d->name, why);
			if (held)
				diag_warn(&warn, DIAG_PLAN,
					  "%s is in use: %s; earlybind refuses it while it is "
					  "(earlybind.force=%s claims it anyway)",
					  d->name, held, d->name);
		}
		if (d->iommu_group < 0)
			continue;
		/* The other endpoint functions of its group must go with it. */
		for (size_t k = 0; k < c.devs.n; k++) {
			const struct pci_dev *m = &c.devs.v[k];
			const char *why;

			if (m == d || m->iommu_group != d->iommu_group || pci_is_bridge(m) ||
			    picked(picks, np, m))
				continue;
			if (host_needs(m, &c.boot, &why)) {
				diag_warn(&warn, DIAG_PLAN,
					  "IOMMU group %d of %s also holds %s, %s the host needs: "
					  "the group cannot be passed through whole",
					  d->iommu_group, d->name, m->name, why);
				continue;
			}
			grow((void **)&picks, &cap, np, sizeof(*picks));
			picks[np] = (struct pick){.dev = m, .lead = d};
			pick_for(&c.devs, m, &picks[np++]);
		}
	}

	for (size_t i = 0; i < np; i++)
		by_addr = by_addr || !picks[i].by_ids;
	if (builtin)
		diag_warn(&warn, DIAG_PLAN,
			  "vfio_pci is built into this kernel: it binds every device that "
			  "vfio-pci.ids= matches when it registers, before earlybind runs; %s",
			  by_addr ? "the devices whose ids other devices here share are claimed by "
				    "address, which the kernel never sees"
				  : "the ids above match only the devices asked for");
	sb_init(&ids);
	sb_init(&claims);
	for (size_t i = 0; i < np; i++) {
		struct strbuf *sb = picks[i].by_ids ? &ids : &claims;

		sb_add(sb, sb->len ? "," : "");
		sb_add(sb, picks[i].selector);
	}
	sb_init(&out);
	if (ids.len)
		sb_addf(&out, "vfio-pci.ids=%s", ids.s);
	if (claims.len)
		sb_addf(&out, "%searlybind.claim=%s", out.len ? " " : "", claims.s);
	diag_finish(&warn);
	if (o->json) {
		struct strbuf js;

		sb_init(&js);
		sb_add(&js, "{\"schema\":1,\"command\":\"suggest\",\"words\":");
		sb_add_json_str(&js, out.s ? out.s : "");
		sb_add(&js, ",\"devices\":[");
		for (size_t i = 0; i < np; i++) {
			sb_addf(&js, "%s{\"address\":", i ? "," : "");
			sb_add_json_str(&js, picks[i].dev->name);
			sb_add(&js, ",\"selector\":");
			sb_add_json_str(&js, picks[i].selector);
			sb_addf(&js,
				",\"by\":\"%s\",\"for\":", picks[i].by_ids ? "ids" : "address");
			sb_add_json_str(&js, picks[i].lead->name);
			sb_addc(&js, '}');
		}
		sb_addf(&js, "],\"iommu\":%s,\"warnings\":", iommu ? "true" : "false");
		sb_add_json_strv(&js, warn.msgs, warn.n);
		sb_add(&js, "}\n");
		fputs(js.s, stdout);
		sb_free(&js);
	} else {
		if (out.len)
			printf("%s\n", out.s);
		/* The words first: they are what a script takes from stdout. */
		fflush(stdout);
		for (size_t i = 0; i < np; i++)
			fprintf(stderr, "# %s %04x:%04x: %s%s%s\n", picks[i].dev->name,
				picks[i].dev->ids.vendor, picks[i].dev->ids.device,
				picks[i].by_ids ? "ids unique on this machine"
						: "ids not unique: by address",
				picks[i].lead != picks[i].dev ? ", IOMMU-group companion of " : "",
				picks[i].lead != picks[i].dev ? picks[i].lead->name : "");
		for (size_t i = 0; i < warn.n; i++)
			fprintf(stderr, "warning: %s\n", warn.msgs[i]);
		if (out.len)
			fputs("# add these words to the kernel command line or /etc/cmdline.d/, "
			      "then regenerate the "
			      "initramfs\n",
			      stderr);
	}
	for (size_t i = 0; i < np; i++)
		free(picks[i].selector);
	free(picks);
	sb_free(&ids);
	sb_free(&claims);
	sb_free(&out);
	diag_free(&warn);
	inuse_close(u);
	ctx_free(&c);
	return bad ? 1 : 0;
}
