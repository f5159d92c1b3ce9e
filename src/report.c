// SPDX-License-Identifier: LGPL-2.1-or-later
#include "report.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "json.h"

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

/* A line per group, formatted by hand into one buffer: a big plan has a group per claimed slot. */
static void report_groups(FILE *f, const struct ctx *c)
{
	char a[PCI_ADDR_MAX], num[UINT_STR_MAX];
	struct strbuf sb;

	if (!c->plan.ngroups)
		return;
	sb_init(&sb);
	sb_add(&sb, "\nIOMMU groups of claimed devices:\n");
	for (size_t i = 0; i < c->plan.ngroups; i++) {
		const struct group_rep *g = &c->plan.groups[i];

		sb_add(&sb, "  group ");
		sb_add(&sb, fmt_uint((unsigned)g->group, num));
		sb_add(&sb, g->viable ? ": viable, members" : ": NOT viable, members");
		for (size_t k = 0; k < g->nmembers; k++) {
			sb_addc(&sb, ' ');
			sb_add(&sb, pci_addr_fmt(&g->members[k], a));
		}
		if (g->nblocking) {
			sb_add(&sb, "; blocked by");
			for (size_t k = 0; k < g->nblocking; k++) {
				const struct pci_dev *dev =
				    pci_list_find(&c->devs, &g->blocking[k]);

				sb_addc(&sb, ' ');
				sb_add(&sb, pci_addr_fmt(&g->blocking[k], a));
				sb_add(&sb, " (");
				sb_add(&sb, dev && dev->driver ? dev->driver : "unbound");
				sb_addc(&sb, ')');
			}
		}
		sb_addc(&sb, '\n');
	}
	fwrite(sb.s, 1, sb.len, f);
	sb_free(&sb);
}

static void report_sriov(FILE *f, const struct ctx *c)
{
	if (!c->plan.nsriov)
		return;
	fputs("\nSR-IOV:\n", f);
	for (size_t i = 0; i < c->plan.nsriov; i++) {
		const struct sriov_job *j = &c->plan.sriov[i];

		fprintf(f, "  %s: make %u VF%s and claim %s for %s, %s [%s]\n",
			c->devs.v[j->pf].name, j->sel->nvfs, j->sel->nvfs == 1 ? "" : "s",
			j->sel->nvfs == 1 ? "it" : "them", drv_name(j->sel->pf.drv),
			j->now ? "now" : "when its driver binds", j->sel->pf.text);
	}
}

static void report_warnings(FILE *f, const struct ctx *c)
{
	if (!c->diag.n)
		return;
	fputs("\nWarnings:\n", f);
	for (size_t i = 0; i < c->diag.n; i++)
		fprintf(f, "  %s\n", c->diag.msgs[i]);
}

/* s, then spaces up to width (at least one). */
static char *put_col(char *p, const char *s, size_t width)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	p += n;
	do
		*p++ = ' ';
	while (++n < width);
	return p;
}

/* Rows are formatted into one buffer and written a chunk at a time. */
struct rows {
	FILE *f;
	char buf[16384];
	size_t len;
};

static void rows_flush(struct rows *w)
{
	fwrite(w->buf, 1, w->len, w->f);
	w->len = 0;
}

/* One table row per function. Formatted by hand: this is the hot path of a big machine. */
static void plan_row(struct rows *w, const struct pci_dev *dev, const struct decision *dc)
{
	bool tgt = dc->action == ACT_CLAIM || dc->action == ACT_ALREADY;
	const char *reason = decision_reason(dc);
	size_t rlen = strlen(reason);
	size_t need = 96 + rlen + (dev->driver ? strlen(dev->driver) : 0);
	_cleanup_free_ char *big = NULL;
	char *p;

	if (w->len + need > sizeof(w->buf))
		rows_flush(w);
	p = need <= sizeof(w->buf) ? w->buf + w->len : (big = xmalloc(need));
	p = put_col(p, dev->name, 14);
	p = hex_put(p, dev->ids.vendor, 4);
	*p++ = ':';
	p = hex_put(p, dev->ids.device, 4);
	*p++ = ' ';
	p = hex_put(p, dev->ids.class, 6);
	*p++ = ' ';
	p = put_col(p, or_dash(dev->driver), 15);
	p = put_col(p, action_name(dc->action), 8);
	p = put_col(p, tgt ? drv_name(dc->target) : "-", 9);
	memcpy(p, reason, rlen);
	p += rlen;
	*p++ = '\n';
	if (big)
		fwrite(big, 1, (size_t)(p - big), w->f);
	else
		w->len = (size_t)(p - w->buf);
}

void report_plan(FILE *f, const struct ctx *c)
{
	unsigned counts[ACT__MAX] = {0};

	fprintf(f, "%-13s %-9s %-6s %-14s %-7s %-8s %s\n", "ADDRESS", "ID", "CLASS", "DRIVER",
		"ACTION", "TARGET", "REASON");
	_cleanup_free_ struct rows *w = xmalloc(sizeof(*w));

	w->f = f;
	w->len = 0;
	for (size_t i = 0; i < c->devs.n; i++) {
		counts[c->plan.dec[i].action]++;
		plan_row(w, &c->devs.v[i], &c->plan.dec[i]);
	}
	rows_flush(w);
	fprintf(f,
		"\n%zu devices: %u claim, %u already, %u keep, %u refuse, %u skip, %u return%s\n",
		c->devs.n, counts[ACT_CLAIM], counts[ACT_ALREADY], counts[ACT_KEEP],
		counts[ACT_REFUSE], counts[ACT_SKIP], counts[ACT_RETURN],
		c->rules.dryrun ? " (earlybind.dryrun: nothing will be written)" : "");
	report_groups(f, c);
	report_sriov(f, c);
	report_warnings(f, c);
}

/* One line of the record: what the boot did ("at boot", the initramfs or a udev run), or
 * what was done by hand later, with its time. Only the entry in force can be "lost". */
static void status_entry(FILE *f, const struct pci_dev *dev, const struct state *s,
			 const struct state_entry *e)
{
	char when[64] = "";
	bool lost;

	if (!e)
		return;
	lost = state_claim_lost(s, e, dev);
	if (e->origin == ORIGIN_HAND) {
		time_t t = (time_t)e->time;
		struct tm tm;

		if (e->time && localtime_r(&t, &tm))
			strftime(when, sizeof(when), " %Y-%m-%d %H:%M:%S", &tm);
		fprintf(f, "\tby hand%s: ", when);
	} else {
		fprintf(f, "\tat boot (%s): ", origin_name(e->origin));
	}
	if (e->res == RES_DRYRUN)
		fprintf(f, "dry run, would claim for %s (on %s)\n", drv_name(e->target),
			or_dash(e->orig_driver));
	else
		fprintf(f, "%s %s (was on %s)%s%s%s\n", result_name(e->res),
			e->target ? drv_name(e->target) : "-", or_dash(e->orig_driver),
			e->error ? ": " : "", e->error ? e->error : "",
			lost ? "; NO LONGER IN EFFECT" : "");
}

/*
 * For a device on vfio-pci: its device nodes and whether its IOMMU group is viable right now, as
 * the kernel (and so QEMU) judges it: every member on a vfio driver, on pci-stub or on no driver;
 * bridges (header type other than 0) never block.
 */
static void status_vfio(FILE *f, const struct ctx *c, const struct pci_dev *dev)
{
	char a[PCI_ADDR_MAX];
	struct dirent *de;
	bool viable = true;
	DIR *dp;

	if (drv_from_bound(dev->driver) != DRV_VFIO || dev->iommu_group < 0)
		return;
	if (scan_group_noiommu(&c->env->sys, dev->iommu_group))
		fprintf(f,
			"\tvfio: /dev/vfio/noiommu-%d (no-IOMMU mode: the kernel is tainted, DMA "
			"unprotected)",
			dev->iommu_group);
	else
		fprintf(f, "\tvfio: /dev/vfio/%d", dev->iommu_group);
	/* the cdev interface (CONFIG_VFIO_DEVICE_CDEV, >= 6.6): /dev/vfio/devices/vfioN + iommufd
	 */
	if ((dp = pc_opendirf(&c->env->sys, "bus/pci/devices/%s/vfio-dev", dev->name))) {
		while ((de = readdir(dp)))
			if (strncmp(de->d_name, "vfio", 4) == 0)
				fprintf(f, ", /dev/vfio/devices/%s (with /dev/iommu)", de->d_name);
		closedir(dp);
	}
	for (size_t i = 0; i < c->devs.n; i++) {
		const struct pci_dev *m = &c->devs.v[i];

		if (m->iommu_group != dev->iommu_group || group_member_ok(m, m->driver, true))
			continue;
		fprintf(f, "%s %s (%s)", viable ? "; group NOT viable now: blocked by" : ",",
			pci_addr_fmt(&m->addr, a), m->driver);
		viable = false;
	}
	fputs(viable ? "; group viable now\n" : "\n", f);
}

void report_status(FILE *f, const struct ctx *c, const struct state *s)
{
	if (!s)
		fputs("(no boot state: earlybind apply has not run this boot)\n\n", f);
	for (size_t i = 0; i < c->devs.n; i++) {
		const struct pci_dev *dev = &c->devs.v[i];
		const struct decision *dc = &c->plan.dec[i];

		fprintf(f, "%s [%06x]: %04x:%04x (subsystem %04x:%04x)\n", dev->name,
			dev->ids.class, dev->ids.vendor, dev->ids.device, dev->ids.subvendor,
			dev->ids.subdevice);
		fprintf(f, "\tKernel driver in use: %s\n", or_dash(dev->driver));
		fprintf(f, "\tdriver_override: %s\n", or_dash(dev->driver_override));
		if (dev->iommu_group >= 0)
			fprintf(f, "\tIOMMU group: %d\n", dev->iommu_group);
		else
			fputs("\tIOMMU group: -\n", f);
		if (dc->action == ACT_CLAIM || dc->action == ACT_ALREADY) {
			_cleanup_free_ char *path = sel_path_of(dev->chain, dev->nchain);

			fprintf(f, "\tearlybind: %s -> %s (%s)\n", action_name(dc->action),
				drv_name(dc->target), decision_reason(dc));
			if (path)
				fprintf(f, "\tpath: %s (survives bus renumbering)\n", path);
		} else
			fprintf(f, "\tearlybind: %s (%s)\n", action_name(dc->action),
				decision_reason(dc));
		status_vfio(f, c, dev);
		if (s) {
			status_entry(f, dev, s, state_find_origin(s, &dev->addr, false));
			status_entry(f, dev, s, state_find_origin(s, &dev->addr, true));
		}
	}
	report_groups(f, c);
	report_sriov(f, c);
	report_warnings(f, c);
}

static void json_addrs(struct strbuf *sb, const struct pci_addr *v, size_t n)
{
	char a[PCI_ADDR_MAX];

	sb_addc(sb, '[');
	for (size_t k = 0; k < n; k++) {
		if (k)
			sb_addc(sb, ',');
		sb_add_json_str(sb, pci_addr_fmt(&v[k], a));
	}
	sb_addc(sb, ']');
}

void report_json(FILE *f, const struct ctx *c, const char *command, const char *extra)
{
	struct strbuf sb;

	sb_init(&sb);
	sb_add(&sb, "{\"schema\":1,\"command\":");
	sb_add_json_str(&sb, command);
	sb_addf(&sb, ",\"enabled\":%s,\"dryrun\":%s,\"group_mode\":",
		c->rules.disabled ? "false" : "true", c->rules.dryrun ? "true" : "false");
	sb_add_json_str(&sb, c->rules.group == GROUP_OFF
				 ? "off"
				 : drv_name(c->rules.group == GROUP_VFIO ? DRV_VFIO : DRV_STUB));
	sb_add(&sb, ",\"devices\":[");
	for (size_t i = 0; i < c->devs.n; i++) {
		if (i)
			sb_addc(&sb, ',');
		json_device(&sb, &c->devs.v[i], c->plan.dec ? &c->plan.dec[i] : NULL);
	}
	sb_add(&sb, "],\"groups\":[");
	for (size_t i = 0; i < c->plan.ngroups; i++) {
		const struct group_rep *g = &c->plan.groups[i];

		if (i)
			sb_addc(&sb, ',');
		sb_addf(&sb, "{\"group\":%d,\"viable\":%s,\"members\":", g->group,
			g->viable ? "true" : "false");
		json_addrs(&sb, g->members, g->nmembers);
		sb_add(&sb, ",\"blocking\":");
		json_addrs(&sb, g->blocking, g->nblocking);
		sb_addc(&sb, '}');
	}
	sb_add(&sb, "],\"sriov\":");
	json_sriov(&sb, &c->plan, &c->devs);
	sb_add(&sb, ",\"warnings\":");
	sb_add_json_strv(&sb, c->diag.msgs, c->diag.n);
	if (extra)
		sb_addf(&sb, ",%s", extra);
	sb_add(&sb, "}\n");
	fputs(sb.s, f);
	sb_free(&sb);
}

void report_state_json(struct strbuf *sb, const struct state *s)
{
	if (!s) {
		sb_add(sb, "\"state\":null");
		return;
	}
	sb_add(sb, "\"state\":[");
	for (size_t i = 0; i < s->n; i++) {
		const struct state_entry *e = &s->v[i];

		if (i)
			sb_addc(sb, ',');
		json_recorded(sb, e);
	}
	sb_addc(sb, ']');
}

void report_outcomes_json(struct strbuf *sb, const struct ctx *c, const struct outcome *out)
{
	bool first = true;

	sb_add(sb, "\"results\":[");
	for (size_t i = 0; i < c->devs.n; i++) {
		const struct outcome *oc = &out[i];

		if (oc->res == RES_NONE)
			continue;
		if (!first)
			sb_addc(sb, ',');
		first = false;
		json_result(sb, c->devs.v[i].name, oc->res, oc->target, oc->orig_driver,
			    oc->final_driver, oc->error);
	}
	sb_addc(sb, ']');
}

int report_nfd(const struct ctx *c)
{
	const char *env = getenv("EARLYBIND_NFD_DIR");
	_cleanup_free_ char *dir =
	    env && *env ? xstrdup(env)
			: root_path(c->env, "/etc/kubernetes/node-feature-discovery/features.d");
	struct {
		enum drv t;
		uint16_t v, d;
		unsigned n;
	} *count = NULL;
	size_t n = 0, cap = 0;
	struct strbuf sb;
	struct stat st;
	int r;

	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	for (size_t i = 0; i < c->devs.n; i++) {
		const struct pci_dev *dev = &c->devs.v[i];
		const struct decision *dc = &c->plan.dec[i];
		size_t k;

		if ((dc->action != ACT_CLAIM && dc->action != ACT_ALREADY) ||
		    drv_from_bound(dev->driver) != dc->target)
			continue;
		for (k = 0; k < n && !(count[k].t == dc->target && count[k].v == dev->ids.vendor &&
				       count[k].d == dev->ids.device);
		     k++)
			;
		if (k == n) {
			grow((void **)&count, &cap, n, sizeof(*count));
			count[n++] =
			    (typeof(*count)){dc->target, dev->ids.vendor, dev->ids.device, 0};
		}
		count[k].n++;
	}
	sb_init(&sb);
	sb_add(&sb, "# earlybind: devices bound on purpose, by vendor-device (earlybind(8))\n");
	for (size_t k = 0; k < n; k++)
		sb_addf(&sb, "earlybind.%s-%04x-%04x=%u\n",
			count[k].t == DRV_VFIO ? "vfio" : "pci-stub", count[k].v, count[k].d,
			count[k].n);
	free(count);
	r = write_atomic(dir, "earlybind", sb.s);
	sb_free(&sb);
	return r;
}

static void prom_head(struct strbuf *sb, const char *name, const char *help)
{
	sb_addf(sb, "# HELP earlybind_%s %s\n# TYPE earlybind_%s gauge\n", name, help, name);
}

void report_prometheus(struct strbuf *sb, const struct ctx *c, const struct state *s)
{
	unsigned lost = 0, refused = 0, failed = 0;
	long long last = 0;

	prom_head(sb, "device_on_target",
		  "Whether a device the selectors claim is on its target driver (1) or not (0).");
	for (size_t i = 0; i < c->devs.n; i++) {
		const struct pci_dev *d = &c->devs.v[i];
		const struct decision *dc = &c->plan.dec[i];

		if (dc->action != ACT_CLAIM && dc->action != ACT_ALREADY)
			continue;
		sb_addf(sb,
			"earlybind_device_on_target{address=\"%s\",vendor=\"%04x\",device=\"%04x\","
			"target=\"%s\",driver=\"%s\"} %d\n",
			d->name, d->ids.vendor, d->ids.device, drv_name(dc->target),
			d->driver ? d->driver : "", dc->action == ACT_ALREADY);
	}
	prom_head(sb, "noiommu_device",
		  "A device on a vfio driver in no-IOMMU mode (kernel tainted, DMA unprotected).");
	for (size_t i = 0; i < c->devs.n; i++) {
		const struct pci_dev *d = &c->devs.v[i];

		if (drv_from_bound(d->driver) == DRV_VFIO && d->iommu_group >= 0 &&
		    scan_group_noiommu(&c->env->sys, d->iommu_group))
			sb_addf(sb,
				"earlybind_noiommu_device{address=\"%s\",group=\"noiommu-%d\"} 1\n",
				d->name, d->iommu_group);
	}
	prom_head(sb, "iommu_group_viable",
		  "Whether the IOMMU group of a claimed device is viable (1) or not (0).");
	for (size_t i = 0; i < c->plan.ngroups; i++)
		sb_addf(sb, "earlybind_iommu_group_viable{group=\"%d\"} %d\n",
			c->plan.groups[i].group, c->plan.groups[i].viable);
	for (size_t i = 0; s && i < s->n; i++) {
		const struct state_entry *e = &s->v[i];
		const struct pci_dev *d = pci_list_find(&c->devs, &e->addr);

		if (e->time > last)
			last = e->time;
		if (e->origin == ORIGIN_HAND)
			continue;
		refused += e->res == RES_REFUSED;
		failed += e->res == RES_FAILED;
		/* a boot claim superseded by a hand release is no loss */
		lost += state_claim_lost(s, e, d);
	}
	prom_head(sb, "boot_claims_lost", "Claims made at boot that are no longer in effect.");
	sb_addf(sb, "earlybind_boot_claims_lost %u\n", lost);
	prom_head(sb, "boot_refused", "Devices the boot's runs refused to claim.");
	sb_addf(sb, "earlybind_boot_refused %u\n", refused);
	prom_head(sb, "boot_failed", "Claims that failed at boot.");
	sb_addf(sb, "earlybind_boot_failed %u\n", failed);
	prom_head(
	    sb, "last_apply_timestamp_seconds",
	    "When apply last recorded a result (seconds since the epoch; 0: never this boot).");
	sb_addf(sb, "earlybind_last_apply_timestamp_seconds %lld\n", last);
}
