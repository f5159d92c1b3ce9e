// SPDX-License-Identifier: LGPL-2.1-or-later
#include "apply.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "modload.h"
#include "scan.h"
#include "sysfsw.h"

struct applier {
	struct ctx *c;
	struct sysfsw w;
	struct logger *log;
	bool dry_run;
	int drv_state[DRV__MAX]; /* 0 unknown, 1 available, -errno unavailable */
	char *drv_error[DRV__MAX];
};

const char *result_name(enum result r)
{
	static const char *const names[] = {"none",    "claimed", "already",  "failed",
					    "refused", "dry-run", "released", "returned"};

	return names[r];
}

enum result result_parse(const char *s)
{
	for (int i = RES_NONE; i < RES__MAX; i++)
		if (strcmp(s, result_name(i)) == 0)
			return i;
	return RES_NONE;
}

void outcome_free(struct outcome *oc)
{
	free(oc->orig_driver);
	free(oc->final_driver);
	free(oc->error);
	free(oc->driver);
	free(oc->restore);
	free(oc->selector);
	*oc = (struct outcome){0};
}

void outcomes_free(struct outcome *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		outcome_free(&out[i]);
	free(out);
}

static void oc_error(struct outcome *oc, const char *fmt, ...) _printf_(2, 3);
static void oc_error(struct outcome *oc, const char *fmt, ...)
{
	struct strbuf sb;
	va_list ap;

	sb_init(&sb);
	if (oc->error) {
		sb_add(&sb, oc->error);
		sb_add(&sb, "; ");
		free(oc->error);
	}
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	oc->error = sb.s;
}

/* A driver name as it appears in a path: no '/', no "..", nothing odd. */
static bool sane_name(const char *s)
{
	if (!s || !*s || strlen(s) > 64 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (; *s; s++)
		if (!(*s == '-' || *s == '_' || *s == '.' || (*s >= '0' && *s <= '9') ||
		      (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
			return false;
	return true;
}

static bool driver_registered(const struct path_cxt *sys, const char *name)
{
	_cleanup_close_ int fd = pc_openf(sys, O_PATH | O_DIRECTORY, "bus/pci/drivers/%s", name);

	return fd >= 0;
}

static const char *oc_driver(const struct outcome *oc)
{
	return oc->driver ? oc->driver : drv_name(oc->target);
}

/* Step 1 for a vfio-pci variant: its module live (libkmod) and the name of its pci driver
 * (SYSFS/module/MOD/drivers/pci:NAME) in *name. */
static int ensure_variant(struct applier *a, const char *mod, char **name)
{
	const struct path_cxt *sys = &a->c->env->sys;
	_cleanup_free_ char *notes = NULL;
	struct strbuf what;
	struct dirent *de;
	DIR *dp;
	int r;

	*name = NULL;
	if (a->dry_run) {
		*name = xstrdup(mod);
		return 0;
	}
	if (!a->c->mod && (r = modload_new(&a->c->mod, a->c->env)) < 0)
		return r;
	sb_init(&what);
	r = modload_load(a->c->mod, sys, mod, &a->c->rules, &what);
	notes = modload_take_notes(a->c->mod);
	if (notes)
		log_line(a->log, LOG_WARNING, "loading %s: %s", mod, notes);
	if (r < 0) {
		log_line(a->log, LOG_WARNING, "cannot load the vfio-pci variant %s: %s", mod,
			 what.s ? what.s : strerror(-r));
		sb_free(&what);
		return r;
	}
	sb_free(&what);
	if (!(dp = pc_opendirf(sys, "module/%s/drivers", mod)))
		return -ENODEV;
	while (!*name && (de = readdir(dp)))
		if (strncmp(de->d_name, "pci:", 4) == 0 && sane_name(de->d_name + 4))
			*name = xstrdup(de->d_name + 4);
	closedir(dp);
	if (!*name) {
		log_line(a->log, LOG_WARNING, "%s loaded but registered no pci driver", mod);
		return -ENODEV;
	}
	scan_vfio_family(sys);
	return 0;
}

/* Step 1: the target driver exists before the device is touched. */
static int ensure_driver(struct applier *a, enum drv drv)
{
	const struct path_cxt *sys = &a->c->env->sys;
	_cleanup_free_ char *notes = NULL, *opts = NULL;
	struct strbuf what;
	int r;

	if (a->drv_state[drv])
		return a->drv_state[drv] > 0 ? 0 : a->drv_state[drv];
	if (driver_registered(sys, drv_name(drv)) || a->dry_run) {
		if (!driver_registered(sys, drv_name(drv)))
			log_line(a->log, LOG_INFO, "dry run: would load %s", drv_module(drv));
		a->drv_state[drv] = 1;
		return 0;
	}
	sb_init(&what);
	if (!a->c->mod && (r = modload_new(&a->c->mod, a->c->env)) < 0) {
		a->drv_state[drv] = r;
		a->drv_error[drv] = xasprintf("no libkmod context: %s", strerror(-r));
		log_line(a->log, LOG_ERR, "cannot load %s: %s", drv_module(drv), a->drv_error[drv]);
		return r;
	}
	opts = modload_options(a->c->mod, &a->c->rules, drv_module(drv));
	r = modload_load(a->c->mod, sys, drv_module(drv), &a->c->rules, &what);
	notes = modload_take_notes(a->c->mod);
	if (notes)
		log_line(a->log, LOG_WARNING, "loading %s: %s", drv_module(drv), notes);
	if (r == 0 && !driver_registered(sys, drv_name(drv))) {
		r = -ENODEV;
		sb_addf(&what, "%s loaded but no %s driver registered", drv_module(drv),
			drv_name(drv));
	}
	if (r < 0) {
		a->drv_error[drv] = what.s ? xstrdup(what.s) : xstrdup(strerror(-r));
		log_line(a->log, LOG_ERR, "cannot load %s: %s", drv_module(drv), a->drv_error[drv]);
	} else {
		log_line(a->log, LOG_INFO, "loaded %s%s%s", drv_module(drv), *opts ? " with " : "",
			 opts);
	}
	a->drv_state[drv] = r < 0 ? r : 1;
	sb_free(&what);
	return r;
}

static int write_attr(struct applier *a, const char *value, const char *fmt, ...) _printf_(3, 4);
static int write_attr(struct applier *a, const char *value, const char *fmt, ...)
{
	char rel[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(rel))
		return -ENAMETOOLONG;
	return sysfsw_write(&a->w, rel, value);
}

/* Re-reads the device's driver into dev and returns it (NULL when unbound). */
static const char *reread(struct applier *a, struct pci_dev *dev)
{
	if (scan_refresh(&a->c->env->sys, dev) < 0)
		dev->driver = NULL;
	return dev->driver;
}

/* Step 5: clear the override and let the original driver take the device back. Only our own
 * target is unbound: a device some other driver took meanwhile stays with it. */
static void roll_back(struct applier *a, struct pci_dev *dev, struct outcome *oc)
{
	const char *now;
	int r;

	r = write_attr(a, "\n", "bus/pci/devices/%s/driver_override", dev->name);
	if (r < 0)
		oc_error(oc, "clearing driver_override: %s", strerror(-r));
	now = reread(a, dev);
	if (now && strcmp(now, oc_driver(oc)) == 0 &&
	    (!oc->orig_driver || strcmp(now, oc->orig_driver) != 0)) {
		r = write_attr(a, dev->name, "bus/pci/drivers/%s/unbind", now);
		if (r < 0)
			oc_error(oc, "unbinding %s: %s", now, strerror(-r));
		now = reread(a, dev);
	}
	if (!now && oc->orig_driver) {
		r = write_attr(a, dev->name, "bus/pci/drivers_probe");
		if (r < 0)
			oc_error(oc, "reprobing: %s", strerror(-r));
		now = reread(a, dev);
	}
	oc->final_driver = now ? xstrdup(now) : NULL;
	/* A driver that bound by itself during the claim is where the kernel would have put it. */
	if (now && !oc->orig_driver && strcmp(now, oc_driver(oc)) != 0)
		return;
	if ((now == NULL) != (oc->orig_driver == NULL) ||
	    (now && strcmp(now, oc->orig_driver) != 0))
		oc_error(oc, "rollback left it on %s, not %s", now ? now : "no driver",
			 oc->orig_driver ? oc->orig_driver : "no driver");
}

/* One device attribute (ATTR of bus/pci/devices/NAME) set to value, its old content appended to
 * restore ("ATTR=OLD;"). Returns 0 or -errno. */
static int set_dev_attr(struct applier *a, const struct pci_dev *dev, const char *attr,
			const char *value, struct strbuf *restore)
{
	char old[128];
	int r;

	if (pc_readf(&a->c->env->sys, old, sizeof(old), "bus/pci/devices/%s/%s", dev->name, attr) <
	    0)
		return -ENOENT;
	if (strcmp(old, value) == 0)
		return 0;
	r = write_attr(a, value[0] ? value : "\n", "bus/pci/devices/%s/%s", dev->name, attr);
	if (r == 0)
		sb_addf(restore, "%s%s=%s", restore->len ? ";" : "", attr, old);
	return r;
}

/*
 * What the plan prepares a device with, before its driver first touches it: earlybind.d3cold
 * (d3cold_allowed=0 and power/control=on: never parked in D3cold) and earlybind.reset (its
 * reset_method). What was there goes into oc->restore for release.
 */
static void prepare(struct applier *a, const struct pci_dev *dev, const struct decision *dc,
		    struct outcome *oc)
{
	struct strbuf restore;
	int r;

	if (!dc->d3cold && !dc->reset)
		return;
	sb_init(&restore);
	if (dc->d3cold && ((r = set_dev_attr(a, dev, "d3cold_allowed", "0", &restore)) < 0 ||
			   (r = set_dev_attr(a, dev, "power/control", "on", &restore)) < 0))
		log_line(a->log, LOG_WARNING, "%s: cannot keep it out of D3cold: %s", dev->name,
			 strerror(-r));
	if (dc->reset && (r = set_dev_attr(a, dev, "reset_method", dc->reset, &restore)) < 0)
		log_line(a->log, LOG_WARNING, "%s: cannot set reset_method to \"%s\": %s",
			 dev->name, dc->reset, strerror(-r));
	free(oc->restore);
	oc->restore = restore.s;
}

static void claim_one(struct applier *a, struct pci_dev *dev, const struct decision *dc,
		      struct outcome *oc)
{
	enum drv t = dc->target;
	const char *variant = dc->variant, *target = drv_name(t);
	const char *now;
	int r = -ENOENT;

	oc->target = t;
	oc->orig_driver = dev->driver ? xstrdup(dev->driver) : NULL;
	/* a variant that cannot be had leaves plain vfio-pci, the fallback */
	if (variant && (r = ensure_variant(a, variant, &oc->driver)) == 0)
		target = oc->driver;
	else if (variant)
		log_line(a->log, LOG_WARNING, "%s: variant %s unavailable: plain %s", dev->name,
			 variant, target);
	if (!oc->driver)
		r = ensure_driver(a, t);
	if (r < 0) {
		oc->res = RES_FAILED;
		oc_error(oc, "%s is not available (%s); device not touched", target,
			 a->drv_error[t] ? a->drv_error[t] : strerror(-r));
		oc->final_driver = oc->orig_driver ? xstrdup(oc->orig_driver) : NULL;
		return;
	}
	/* Step 2: from here on no other driver can take the device. */
	r = write_attr(a, target, "bus/pci/devices/%s/driver_override", dev->name);
	if (r < 0) {
		oc_error(oc, "writing driver_override: %s", strerror(-r));
		goto fail;
	}
	/* prepared before its new driver first touches it (vfio-pci resets and powers it) */
	prepare(a, dev, dc, oc);
	/* Step 3: take it from whatever holds it now. The scan may be stale: a driver probing
	 * asynchronously (nvme on a new VF) can bind between the scan and the override. */
	if (!a->dry_run)
		reread(a, dev);
	if (dev->driver && strcmp(dev->driver, target) != 0) {
		if (!sane_name(dev->driver)) {
			oc_error(oc, "odd driver name \"%s\"", dev->driver);
			goto fail;
		}
		r = write_attr(a, dev->name, "bus/pci/drivers/%s/unbind", dev->driver);
		/* -ENODEV: it is not on that driver any more. A driver probing asynchronously (nvme
		 * on a hot-added VF) may let go by itself between the scan and now: carry on when
		 * the device is free. */
		if (r == -ENODEV && !a->dry_run && !reread(a, dev))
			r = 0;
		if (r < 0) {
			oc_error(oc, "unbinding %s: %s", dev->driver, strerror(-r));
			goto fail;
		}
	}
	/* Step 4: probe; only the driver link counts. */
	r = write_attr(a, dev->name, "bus/pci/drivers_probe");
	if (r < 0) {
		oc_error(oc, "drivers_probe: %s", strerror(-r));
		goto fail;
	}
	if (a->dry_run) {
		oc->res = RES_DRYRUN;
		oc->final_driver = oc->orig_driver ? xstrdup(oc->orig_driver) : NULL;
		return;
	}
	now = reread(a, dev);
	if (now && strcmp(now, target) == 0) {
		oc->res = RES_CLAIMED;
		oc->final_driver = xstrdup(now);
		/* vfio-pci's probe allows runtime PM (power/control back to auto): on again */
		if (dc->d3cold &&
		    (r = write_attr(a, "on", "bus/pci/devices/%s/power/control", dev->name)) < 0)
			log_line(a->log, LOG_WARNING, "%s: cannot keep power/control on: %s",
				 dev->name, strerror(-r));
		return;
	}
	oc_error(oc, "%s did not bind it (now %s)", target, now ? now : "unbound");
fail:
	oc->res = RES_FAILED;
	if (a->dry_run) {
		oc->final_driver = oc->orig_driver ? xstrdup(oc->orig_driver) : NULL;
		return;
	}
	roll_back(a, dev, oc);
}

/*
 * Removes every dynamic id of vfio-pci and pci-stub that matches the device: each ids entry that
 * matches it, written to the driver's remove_id as the kernel's remove_id_store() reads it ("%x %x
 * %x %x %x %x"; one matching dynamic id goes a write, -ENODEV when none is left).
 */
static void remove_dynids(struct applier *a, const struct pci_dev *dev, struct outcome *oc)
{
	const struct rules *r = &a->c->rules;

	for (size_t i = 0; i < r->nids; i++) {
		const struct id_sel *s = &r->ids[i];
		const char *drv = drv_name(s->drv);
		char val[64];
		int w = 0;

		if (!id_match(s, &dev->ids) || !driver_registered(&a->c->env->sys, drv))
			continue;
		snprintf(val, sizeof(val), "%x %x %x %x %x %x", s->vendor, s->device, s->subvendor,
			 s->subdevice, s->class, s->class_mask);
		for (int k = 0; k < 16 && w == 0; k++)
			w = write_attr(a, val, "bus/pci/drivers/%s/remove_id", drv);
		if (w < 0 && w != -ENODEV)
			oc_error(oc, "removing %s's dynamic id %s: %s", drv, val, strerror(-w));
	}
}

/* ACT_RETURN: the device leaves the driver whose ids took it for its own driver (bound now when
 * it is loaded, else when it loads: udev's coldplug loads it). */
static void return_one(struct applier *a, struct pci_dev *dev, const struct decision *dc,
		       struct outcome *oc)
{
	const char *now;
	int r;

	oc->target = dc->target;
	oc->orig_driver = xstrdup(dev->driver);
	remove_dynids(a, dev, oc);
	r = write_attr(a, dev->name, "bus/pci/drivers/%s/unbind", dev->driver);
	if (r == 0)
		r = write_attr(a, dev->name, "bus/pci/drivers_probe");
	if (a->dry_run) {
		oc->res = RES_DRYRUN;
		oc->final_driver = xstrdup(dev->driver);
		return;
	}
	now = reread(a, dev);
	oc->final_driver = now ? xstrdup(now) : NULL;
	if (r < 0)
		oc_error(oc, "%s", strerror(-r));
	else if (now && drv_from_bound(now) != DRV_NONE)
		oc_error(oc, "%s took it again", now);
	oc->res = oc->error ? RES_FAILED : RES_RETURNED;
}

static void log_outcome(struct logger *log, const struct pci_dev *dev, const struct decision *dc,
			const struct outcome *oc)
{
	const char *orig = oc->orig_driver ? oc->orig_driver : "no driver";

	switch (oc->res) {
	case RES_CLAIMED:
		log_line(log, LOG_INFO, "%s %04x:%04x: claimed for %s (was on %s) [%s]", dev->name,
			 dev->ids.vendor, dev->ids.device, oc_driver(oc), orig, dc->reason);
		break;
	case RES_DRYRUN:
		if (dc->action == ACT_RETURN)
			log_line(log, LOG_INFO,
				 "%s %04x:%04x: dry run: would give it back (on %s) [%s]",
				 dev->name, dev->ids.vendor, dev->ids.device, orig, dc->reason);
		else
			log_line(log, LOG_INFO,
				 "%s %04x:%04x: dry run: would claim for %s (on %s) [%s]",
				 dev->name, dev->ids.vendor, dev->ids.device, oc_driver(oc), orig,
				 dc->reason);
		break;
	case RES_RETURNED:
		log_line(log, LOG_NOTICE, "%s %04x:%04x: given back (was on %s, now on %s) [%s]",
			 dev->name, dev->ids.vendor, dev->ids.device, orig,
			 oc->final_driver ? oc->final_driver
					  : "no driver: its own binds it when it loads",
			 dc->reason);
		break;
	case RES_FAILED:
		if (dc->action == ACT_RETURN)
			log_line(log, LOG_ERR,
				 "%s %04x:%04x: giving it back failed: %s; now on %s [%s]",
				 dev->name, dev->ids.vendor, dev->ids.device, oc->error,
				 oc->final_driver ? oc->final_driver : "no driver", dc->reason);
		else
			log_line(log, LOG_ERR, "%s %04x:%04x: claim for %s failed: %s; now on %s",
				 dev->name, dev->ids.vendor, dev->ids.device, oc_driver(oc),
				 oc->error, oc->final_driver ? oc->final_driver : "no driver");
		break;
	case RES_REFUSED:
		log_line(log, LOG_WARNING, "%s %04x:%04x: refused: %s", dev->name, dev->ids.vendor,
			 dev->ids.device, dc->reason);
		break;
	default:
		break;
	}
}

int apply_run(struct ctx *c, const struct pci_addr *only_dev, bool dry_run, struct outcome *out,
	      struct logger *log)
{
	struct applier a = {.c = c, .log = log, .dry_run = dry_run};
	int failed = 0, r;

	r = sysfsw_init(&a.w, c->env->sysfs, dry_run);
	if (r < 0)
		return r;
	/* Whenever ids are given for a driver, it is made live here, without ids=, even with
	 * nothing to claim (every match kept or refused): a later `modprobe vfio_pci`
	 * (rd.driver.pre=, a softdep, modules-load.d) would otherwise insert it with the ids and
	 * bind kept devices. */
	for (enum drv d = DRV_VFIO; !only_dev && !c->rules.disabled && d < DRV__MAX; d++)
		if (c->rules.ids_given[d])
			ensure_driver(&a, d);
	for (size_t i = 0; i < c->devs.n; i++) {
		struct pci_dev *dev = &c->devs.v[i];
		const struct decision *dc = &c->plan.dec[i];
		struct outcome *oc = &out[i];

		if (only_dev && pci_addr_cmp(only_dev, &dev->addr) != 0)
			continue;
		if (dc->action == ACT_CLAIM || dc->action == ACT_ALREADY) /* up to the notes */
			oc->selector =
			    xstrndup(decision_reason(dc), strcspn(decision_reason(dc), ";"));
		switch (dc->action) {
		case ACT_CLAIM:
			claim_one(&a, dev, dc, oc);
			failed += oc->res == RES_FAILED;
			break;
		case ACT_ALREADY:
			oc->res = RES_ALREADY;
			oc->target = dc->target;
			oc->orig_driver = xstrdup(dev->driver);
			oc->final_driver = xstrdup(dev->driver);
			prepare(&a, dev, dc, oc);
			break;
		case ACT_RETURN:
			return_one(&a, dev, dc, oc);
			failed += oc->res == RES_FAILED;
			break;
		case ACT_REFUSE:
			oc->res = RES_REFUSED;
			oc->target = dc->target;
			oc->orig_driver = dev->driver ? xstrdup(dev->driver) : NULL;
			oc->final_driver = dev->driver ? xstrdup(dev->driver) : NULL;
			break;
		default:
			continue;
		}
		log_outcome(log, dev, dc, oc);
	}
	for (int d = 0; d < DRV__MAX; d++)
		free(a.drv_error[d]);
	sysfsw_free(&a.w);
	return failed;
}

/* What preparing changed ("ATTR=OLD;..."), written back. */
static void unprepare(struct applier *a, const struct pci_dev *dev, const char *restore)
{
	_cleanup_free_ char *buf = restore ? xstrdup(restore) : NULL;
	char *p = buf, *item;

	while (p && (item = strsep(&p, ";"))) {
		char *eq = strchr(item, '=');
		int r;

		if (!eq)
			continue;
		*eq++ = '\0';
		r = write_attr(a, *eq ? eq : "\n", "bus/pci/devices/%s/%s", dev->name, item);
		if (r < 0)
			log_line(a->log, LOG_WARNING, "%s: cannot restore %s=%s: %s", dev->name,
				 item, eq, strerror(-r));
	}
}

int apply_release(struct ctx *c, struct pci_dev *dev, const char *restore, struct outcome *oc,
		  struct logger *log)
{
	struct applier a = {.c = c, .log = log};
	const char *now;
	int r;

	oc->orig_driver = dev->driver ? xstrdup(dev->driver) : NULL;
	oc->target = drv_from_bound(dev->driver);
	if (oc->target == DRV_NONE) {
		oc->res = RES_FAILED;
		oc_error(oc, "not on vfio-pci or pci-stub (on %s); nothing to release",
			 dev->driver ? dev->driver : "no driver");
		oc->final_driver = oc->orig_driver ? xstrdup(oc->orig_driver) : NULL;
		return -EINVAL;
	}
	r = sysfsw_init(&a.w, c->env->sysfs, false);
	if (r < 0)
		return r;
	r = write_attr(&a, "\n", "bus/pci/devices/%s/driver_override", dev->name);
	if (r == 0)
		r = write_attr(&a, dev->name, "bus/pci/drivers/%s/unbind", dev->driver);
	if (r == 0)
		r = write_attr(&a, dev->name, "bus/pci/drivers_probe");
	now = reread(&a, dev);
	oc->final_driver = now ? xstrdup(now) : NULL;
	if (r == 0)
		unprepare(&a, dev, restore);
	if (r < 0) {
		oc_error(oc, "%s", strerror(-r));
	} else if (now && drv_from_bound(now) != DRV_NONE) {
		oc_error(oc, "still on %s", now);
		r = -EBUSY;
	}
	oc->res = r < 0 ? RES_FAILED : RES_RELEASED;
	if (r < 0)
		log_line(log, LOG_ERR, "%s: release failed: %s", dev->name, oc->error);
	else
		log_line(log, LOG_INFO, "%s: released from %s, now on %s", dev->name,
			 oc->orig_driver, now ? now : "no driver");
	sysfsw_free(&a.w);
	return r;
}

static int write_pf(struct ctx *c, const struct pci_dev *pf, const char *attr, const char *value)
{
	struct sysfsw w;
	char rel[128];
	int r = sysfsw_init(&w, c->env->sysfs, false);

	if (r < 0)
		return r;
	r = path_fmt(rel, sizeof(rel), "bus/pci/devices/%s/%s", pf->name, attr);
	if (r >= 0)
		r = sysfsw_write(&w, rel, value);
	sysfsw_free(&w);
	return r < 0 ? r : 0;
}

int apply_sriov_make(struct ctx *c, const struct sriov_job *j, struct pci_addr **vfs,
		     struct logger *log)
{
	const struct pci_dev *pf = &c->devs.v[j->pf];
	char n[16], link[512];
	size_t k, m = 0, cap = 0;
	int r;

	*vfs = NULL;
	r = write_pf(c, pf, "sriov_drivers_autoprobe", "0");
	if (r < 0) {
		log_line(log, LOG_ERR,
			 "%s: cannot turn sriov_drivers_autoprobe off: %s; no VFs made [%s]",
			 pf->name, strerror(-r), j->sel->pf.text);
		return r;
	}
	snprintf(n, sizeof(n), "%u", j->sel->nvfs);
	r = write_pf(c, pf, "sriov_numvfs", n);
	if (r < 0) {
		log_line(log, LOG_ERR, "%s: cannot make %u VFs (sriov_numvfs: %s) [%s]", pf->name,
			 j->sel->nvfs, strerror(-r), j->sel->pf.text);
		apply_sriov_done(c, pf, log);
		return r;
	}
	for (k = 0; k < j->sel->nvfs; k++) {
		struct pci_addr a;

		if (pc_readlinkf(&c->env->sys, link, sizeof(link), "bus/pci/devices/%s/virtfn%zu",
				 pf->name, k) < 0 ||
		    pci_addr_parse(path_basename(link), &a) < 0)
			continue;
		grow((void **)vfs, &cap, m, sizeof(**vfs));
		(*vfs)[m++] = a;
	}
	if (m < j->sel->nvfs)
		log_line(log, LOG_WARNING,
			 "%s: sriov_numvfs took %u, but %zu VF%s appeared (virtfnN links) [%s]",
			 pf->name, j->sel->nvfs, m, m == 1 ? "" : "s", j->sel->pf.text);
	else
		log_line(log, LOG_INFO, "%s: made %u VF%s with VF autoprobe off [%s]", pf->name,
			 j->sel->nvfs, j->sel->nvfs == 1 ? "" : "s", j->sel->pf.text);
	if (!m)
		apply_sriov_done(c, pf, log);
	return (int)m;
}

void apply_probe(struct ctx *c, const struct pci_dev *dev, struct logger *log)
{
	struct sysfsw w;
	int r = sysfsw_init(&w, c->env->sysfs, false);

	if (r == 0)
		r = sysfsw_write(&w, "bus/pci/drivers_probe", dev->name);
	sysfsw_free(&w);
	if (r < 0)
		log_line(log, LOG_WARNING, "%s: cannot probe it (drivers_probe): %s", dev->name,
			 strerror(-r));
}

void apply_sriov_done(struct ctx *c, const struct pci_dev *pf, struct logger *log)
{
	int r = write_pf(c, pf, "sriov_drivers_autoprobe", "1");

	if (r < 0)
		log_line(log, LOG_WARNING, "%s: cannot turn sriov_drivers_autoprobe back on: %s",
			 pf->name, strerror(-r));
}
