// SPDX-License-Identifier: LGPL-2.1-or-later
/* The commands: each reads its arguments, runs the pipeline and decides the exit status. */
#include "commands.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apply.h"
#include "bootdev.h"
#include "cmdline.h"
#include "dlib.h"
#include "kmodidx.h"
#include "log.h"
#include "modload.h"
#include "report.h"
#include "sriov.h"
#include "state.h"
#include "suggest.h"

static int no_args(const char *cmd, int argc)
{
	if (argc > 0) {
		fprintf(stderr, "earlybind: %s takes no arguments\n", cmd);
		return 2;
	}
	return 0;
}

/* Runs the pipeline; on failure prints why and returns the exit status 1. */
static int plan_or_fail(struct ctx *c, const struct opts *o, unsigned flags)
{
	int r = pipeline_plan(c, &o->env, flags);

	diag_finish(&c->diag);
	if (r < 0) {
		fprintf(stderr, "earlybind: %s\n", c->diag.msgs[c->diag.n - 1]);
		return 1;
	}
	return 0;
}

static int cmd_plan(const struct opts *o, int argc, char **argv)
{
	struct ctx c;
	int r;

	(void)argv;
	if ((r = no_args("plan", argc)))
		return r;
	r = plan_or_fail(&c, o, o->json ? PLAN_ALL_DETAIL : 0);
	if (r == 0) {
		if (o->json)
			report_json(stdout, &c, "plan", NULL);
		else
			report_plan(stdout, &c);
	}
	ctx_free(&c);
	return r;
}

/* status --prometheus [--write FILE]: stdout, or FILE replaced atomically (node_exporter reads
 * its textfile directory at any moment). */
static int status_prometheus(const struct opts *o, const struct ctx *c, const struct state *s)
{
	struct strbuf sb;
	int r = 0;

	sb_init(&sb);
	sb_add(&sb, "");
	report_prometheus(&sb, c, s);
	if (o->write_file) {
		_cleanup_free_ char *dir = xstrdup(o->write_file);
		char *slash = strrchr(dir, '/');

		if (slash)
			*slash = '\0';
		r = write_atomic(slash ? (*dir ? dir : "/") : ".", path_basename(o->write_file),
				 sb.s);
		if (r < 0)
			fprintf(stderr, "earlybind: cannot write %s: %s\n", o->write_file,
				strerror(-r));
	} else {
		fputs(sb.s, stdout);
	}
	sb_free(&sb);
	return r < 0 ? 1 : 0;
}

static int cmd_status(const struct opts *o, int argc, char **argv)
{
	struct state s;
	struct ctx c;
	int r;

	(void)argv;
	if ((r = no_args("status", argc)))
		return r;
	r = plan_or_fail(&c, o, PLAN_ALL_DETAIL);
	if (r == 0) {
		bool have = state_load(&o->env, &s) == 0;

		if (o->prometheus) {
			r = status_prometheus(o, &c, have ? &s : NULL);
			if (report_nfd(&c) < 0)
				r = 1;
		} else if (o->json) {
			struct strbuf extra;

			sb_init(&extra);
			report_state_json(&extra, have ? &s : NULL);
			report_json(stdout, &c, "status", extra.s);
			sb_free(&extra);
		} else {
			report_status(stdout, &c, have ? &s : NULL);
		}
		state_free(&s);
	}
	ctx_free(&c);
	return r;
}

/*
 * Who runs this: udev (an `apply --device` with udev's environment), the initramfs (its
 * marker file), or someone by hand on the booted system.
 */
static bool released_by_hand(const struct opts *o, const struct pci_addr *a)
{
	const struct state_entry *e;
	struct state s;
	bool yes;

	if (state_load(&o->env, &s) < 0)
		return false;
	e = state_find(&s, a);
	yes = e && e->origin == ORIGIN_HAND && e->res == RES_RELEASED;
	state_free(&s);
	return yes;
}

static bool udev_action_is(const char *action)
{
	const char *a = getenv("ACTION");

	return getenv("DEVPATH") && a && strcmp(a, action) == 0;
}

static enum origin run_origin(const struct opts *o)
{
	if (o->device && getenv("DEVPATH") && getenv("ACTION"))
		return ORIGIN_UDEV;
	return in_initramfs(&o->env) ? ORIGIN_INITRAMFS : ORIGIN_HAND;
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

static void log_plan(struct logger *log, const struct ctx *c, bool dry, double plan_ms)
{
	unsigned n[ACT__MAX] = {0};
	size_t shown = 0;

	for (size_t i = 0; i < c->devs.n; i++)
		n[c->plan.dec[i].action]++;
	if (c->rules.disabled) {
		log_line(log, LOG_NOTICE, "off (%s): nothing done",
			 c->rules.disabled_by ? c->rules.disabled_by : "earlybind=0");
		return;
	}
	log_line(log, LOG_NOTICE,
		 "%zu PCI functions: %u to claim, %u already claimed, %u kept, %u refused, %u to "
		 "give back, %zu warnings%s (planned in %.1f ms)",
		 c->devs.n, n[ACT_CLAIM], n[ACT_ALREADY], n[ACT_KEEP], n[ACT_REFUSE], n[ACT_RETURN],
		 c->diag.n, dry ? " (dry run)" : "", plan_ms);
	/* kmsg keeps few lines: the first warnings, then where to find the rest. */
	for (; shown < c->diag.n && shown < 6; shown++)
		log_line(log, LOG_WARNING, "warning: %s", c->diag.msgs[shown]);
	if (shown < c->diag.n)
		log_line(log, LOG_WARNING, "%zu more warnings: run earlybind status",
			 c->diag.n - shown);
	for (size_t i = 0; i < c->plan.ngroups; i++)
		if (!c->plan.groups[i].viable)
			log_line(
			    log, LOG_WARNING,
			    "IOMMU group %d is not viable: %zu members not on vfio-pci/pci-stub",
			    c->plan.groups[i].group, c->plan.groups[i].nblocking);
}

static void print_outcomes(const struct ctx *c, const struct outcome *out)
{
	for (size_t i = 0; i < c->devs.n; i++) {
		const struct outcome *oc = &out[i];

		if (oc->res == RES_NONE)
			continue;
		printf("%s %-8s %-8s %s -> %s%s%s\n", c->devs.v[i].name, result_name(oc->res),
		       oc->target ? drv_name(oc->target) : "-",
		       oc->orig_driver ? oc->orig_driver : "-",
		       oc->final_driver ? oc->final_driver : "-", oc->error ? ": " : "",
		       oc->error ? oc->error : "");
	}
}

static int cmd_apply(const struct opts *o, int argc, char **argv)
{
	struct made_vfs made = {0};
	struct pci_addr only;
	struct outcome *out;
	struct logger log;
	enum origin origin;
	struct timespec t0;
	struct ctx c;
	bool dry;
	int r, failed;

	clock_gettime(CLOCK_MONOTONIC, &t0);

	(void)argv;
	if ((r = no_args("apply", argc)))
		return r;
	if (o->device && pci_addr_parse(o->device, &only) < 0) {
		fprintf(stderr, "earlybind: --device %s: not a PCI address\n", o->device);
		return 2;
	}
	/* udev runs this for every PCI function at each coldplug and hotplug: decide from the
	 * command-line sources and the device's own uevent first, and pay for libkmod, libblkid and
	 * the state only when a selector can want it. */
	if (o->device && !pipeline_device_wanted(&o->env, &only))
		return 0;
	/* A device released by hand stays released until the next boot (a hand run without
	 * --device may still claim it). */
	if (o->device && released_by_hand(o, &only))
		return 0;
	pipeline_rules(&c, &o->env);
	if (o->force) { /* by hand, what earlybind.force= says on the command line */
		rules_add("earlybind.force", o->force, "--force", &c.rules);
		rules_finish(&c.rules);
	}
	log_open(&log, o->env.kmsg);
	r = pipeline_scan_plan(&c, 0);
	/* VFs are made on a PF's bind event (its add event comes first, the driver not bound yet
	 * or binding) or by a full run */
	if (r >= 0 && c.plan.nsriov && !(o->device && udev_action_is("add")))
		sriov_make(&c, o->device ? &only : NULL, o->dry_run || c.rules.dryrun, &made, &log);
	diag_finish(&c.diag);
	if (r < 0) {
		log_line(&log, LOG_ERR, "%s; nothing done", c.diag.msgs[c.diag.n - 1]);
		ctx_free(&c);
		log_close(&log);
		return 1;
	}
	dry = o->dry_run || c.rules.dryrun;
	origin = run_origin(o);
	if (!o->device)
		log_plan(&log, &c, dry, ms_since(&t0));
	out = xcalloc(c.devs.n, sizeof(*out));
	if (o->device && made.nvfs) /* the PF's bind event: its new VFs, nothing else */
		failed = sriov_apply_made(&c, &made, dry, out, &log);
	else
		failed = apply_run(&c, o->device ? &only : NULL, dry, out, &log);
	sriov_finish(&c, &made, out, &log);
	if (failed < 0) {
		log_line(&log, LOG_ERR, "cannot use sysfs at %s: %s", o->env.sysfs,
			 strerror(-failed));
	} else if (!o->dry_run && (!c.rules.dryrun || origin != ORIGIN_HAND)) {
		/* --dry-run writes nothing, nor does a hand run under earlybind.dryrun; the boot's
		 * own earlybind.dryrun run is the boot's record. */
		r = state_save(&c, out, "apply", origin);
		if (r < 0)
			log_line(&log, LOG_WARNING, "cannot write the state file: %s",
				 strerror(-r));
		if ((r = report_nfd(&c)) < 0)
			log_line(&log, LOG_WARNING, "cannot write the feature file: %s",
				 strerror(-r));
	}
	if (o->json) {
		struct strbuf extra;

		sb_init(&extra);
		report_outcomes_json(&extra, &c, out);
		report_json(stdout, &c, "apply", extra.s);
		sb_free(&extra);
	} else {
		print_outcomes(&c, out);
	}
	outcomes_free(out, c.devs.n);
	ctx_free(&c);
	log_close(&log);
	return failed != 0 ? 1 : 0;
}

static int cmd_release(const struct opts *o, int argc, char **argv)
{
	struct state s = {0};
	bool have;
	struct outcome *out;
	struct logger log;
	struct ctx c;
	int r, bad = 0;

	if ((r = check_addr_args("release", argc, argv)))
		return r;
	r = plan_or_fail(&c, o, 0);
	if (r) {
		ctx_free(&c);
		return r;
	}
	log_open(&log, o->env.kmsg);
	out = xcalloc(c.devs.n, sizeof(*out));
	have = state_load(&o->env, &s) == 0;
	for (int i = 0; i < argc; i++) {
		struct pci_dev *dev = find_arg_dev(&c, argv[i]);
		const struct state_entry *e = dev && have ? state_find(&s, &dev->addr) : NULL;

		if (!dev) {
			bad++;
			continue;
		}
		/* what preparing it changed, as its claim recorded it */
		if (apply_release(&c, dev, e ? e->restore : NULL, &out[dev - c.devs.v], &log) < 0)
			bad++;
	}
	if (have)
		state_free(&s);
	r = state_save(&c, out, "release", ORIGIN_HAND);
	if (r < 0)
		fprintf(stderr, "earlybind: cannot write the state file: %s\n", strerror(-r));
	print_outcomes(&c, out);
	outcomes_free(out, c.devs.n);
	ctx_free(&c);
	log_close(&log);
	return bad ? 1 : 0;
}

static int cmd_check(const struct opts *o, int argc, char **argv)
{
	struct pci_list l = {0};
	struct diag d;
	struct state s;
	int r, diff = 0;

	(void)argv;
	if ((r = no_args("check", argc)))
		return r;
	r = state_load(&o->env, &s);
	if (r == -ENOENT) {
		puts("no state: earlybind applied nothing this boot");
		return 0;
	}
	if (r < 0) {
		fprintf(stderr, "earlybind: cannot read the state: %s\n", strerror(-r));
		return 1;
	}
	diag_init(&d);
	r = scan_devices(&o->env.sys, &l, &d);
	for (size_t i = 0; r == 0 && i < s.n; i++) {
		const struct state_entry *e = &s.v[i];
		const char *when = e->origin == ORIGIN_HAND ? "by hand" : "at boot";
		struct pci_dev *dev;
		char a[PCI_ADDR_MAX];

		dev = pci_list_find(&l, &e->addr);
		if (!state_claim_lost(&s, e, dev))
			continue;
		pci_addr_fmt(&e->addr, a);
		if (!dev)
			printf("%s: claimed for %s %s, now gone\n", a, drv_name(e->target), when);
		else
			printf("%s: claimed for %s %s, now on %s\n", a, drv_name(e->target), when,
			       dev->driver ? dev->driver : "no driver");
		diff++;
	}
	if (r < 0)
		fprintf(stderr, "earlybind: cannot read %s/bus/pci/devices: %s\n", o->env.sysfs,
			strerror(-r));
	else if (!diff)
		puts("every claim from the boot and by hand is in effect");
	pci_list_free(&l);
	diag_free(&d);
	state_free(&s);
	return r < 0 || diff ? 1 : 0;
}

static int cmd_boot_devices(const struct opts *o, int argc, char **argv)
{
	struct boot_list b = {0};
	struct boot_spec spec = {0};
	struct diag d, quiet;
	int r = 0;

	(void)argv;
	if (argc > 0) {
		fprintf(stderr, "earlybind: boot-devices takes no arguments\n");
		return 2;
	}
	/* Only root=, resume=, netroot= and ip= matter here: warnings about the rest belong to
	 * plan. */
	diag_init(&quiet);
	cmdline_load(o->env.root, o->env.cmdline_files, o->env.ncmdline, boot_spec_add, &spec,
		     &quiet);
	diag_init(&d);
	bootdev_resolve(&o->env, &spec, &b, &d);
	/* An empty list must never look like success. */
	if (!b.n)
		diag_warn(&d, DIAG_SYSFS,
			  "no boot device found: nothing the boot needs resolved to a PCI device; "
			  "an image with this list refuses mass storage selected only by ids");
	diag_finish(&d);
	boot_spec_free(&spec);
	diag_free(&quiet);
	if (o->json) {
		struct strbuf sb;

		sb_init(&sb);
		sb_add(&sb, "{\"schema\":1,\"command\":\"boot-devices\",\"boot_devices\":[");
		for (size_t i = 0; i < b.n; i++) {
			sb_addf(&sb, "%s{\"physical_path\":", i ? "," : "");
			sb_add_json_str(&sb, b.v[i].physpath);
			sb_addf(&sb, ",\"vendor\":\"%04x\",\"device\":\"%04x\",\"address\":",
				b.v[i].vendor, b.v[i].device);
			sb_add_json_str(&sb, b.v[i].addr);
			sb_add(&sb, ",\"what\":");
			sb_add_json_str(&sb, b.v[i].what);
			sb_addc(&sb, '}');
		}
		sb_add(&sb, "],\"warnings\":");
		sb_add_json_strv(&sb, d.msgs, d.n);
		sb_add(&sb, "}\n");
		fputs(sb.s, stdout);
		sb_free(&sb);
	} else {
		for (size_t i = 0; i < b.n; i++)
			printf("%s %04x:%04x %s %s\n", b.v[i].physpath, b.v[i].vendor,
			       b.v[i].device, b.v[i].addr, b.v[i].what);
		for (size_t i = 0; i < d.n; i++)
			fprintf(stderr, "earlybind: warning: %s\n", d.msgs[i]);
	}
	if (o->write_file) {
		r = bootdev_write(o->write_file, &b);
		if (r < 0)
			fprintf(stderr, "earlybind: cannot write %s: %s\n", o->write_file,
				strerror(-r));
	}
	boot_list_free(&b);
	diag_free(&d);
	return r < 0 ? 1 : 0;
}

/* Names, each once, in the order first seen. */
struct names_once {
	const char **v;
	size_t n, cap;
};

static bool add_once(struct names_once *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], name) == 0)
			return false;
	grow((void **)&l->v, &l->cap, l->n, sizeof(*l->v));
	l->v[l->n++] = xstrdup(name);
	return true;
}

static void names_once_free(struct names_once *l)
{
	for (size_t i = 0; i < l->n; i++)
		free((char *)l->v[i]);
	free(l->v);
}

/*
 * The vfio-pci variant modules an image needs: all the target kernel has (a generic image), or
 * with --hostonly those this host's plan binds, the variants of the devices it claims or finds
 * already claimed for vfio-pci. 0, or an exit status.
 */
static int image_variants(const struct opts *o, struct names_once *out)
{
	_cleanup_free_ char *moddir = NULL;
	struct ctx c;
	int r;

	if (!o->hostonly) {
		struct variants vs;

		moddir = env_moddir(&o->env);
		if (!moddir || variants_load(moddir, &vs) < 0)
			return 0;
		for (size_t i = 0; i < vs.n; i++)
			add_once(out, vs.v[i].module);
		variants_free(&vs);
		return 0;
	}
	if ((r = plan_or_fail(&c, o, 0))) {
		ctx_free(&c);
		return r;
	}
	for (size_t i = 0; i < c.devs.n; i++) {
		const struct decision *dc = &c.plan.dec[i];

		if ((dc->action == ACT_CLAIM || dc->action == ACT_ALREADY) &&
		    dc->target == DRV_VFIO && dc->variant)
			add_once(out, dc->variant);
	}
	ctx_free(&c);
	return 0;
}

/* For the initramfs generators: the variant modules alone, one a line. */
static int cmd_initramfs_modules(const struct opts *o, int argc, char **argv)
{
	struct names_once v = {0};
	int r;

	(void)argv;
	if ((r = no_args("initramfs-modules", argc)))
		return r;
	r = image_variants(o, &v);
	for (size_t i = 0; i < v.n; i++)
		puts(v.v[i]);
	names_once_free(&v);
	return r;
}

/*
 * What every image carries, whatever generator builds it — decided here once, the three hooks
 * only copy: "module NAME" for the vfio stack and the drivers we bind (those the target tree has
 * as files: vfio_virqfd is gone on >= 6.2, a built-in one needs none; every name when its
 * modules.dep.bin cannot be read), "variant NAME" for the vfio-pci variants (image_variants()),
 * and "library PATH" for each library we dlopen(), which no ldd walk of the binary finds.
 */
static int cmd_initramfs_recipe(const struct opts *o, int argc, char **argv)
{
	static const char *const stack[] = {
	    "vfio",	"vfio_iommu_type1", "vfio_virqfd", "vfio_pci_core",
	    "vfio_pci", "irqbypass",	    "pci_stub",	   NULL};
	_cleanup_free_ char *moddir = env_moddir(&o->env);
	struct names_once v = {0};
	int r;

	(void)argv;
	if ((r = no_args("initramfs-recipe", argc)))
		return r;
	for (size_t i = 0; stack[i]; i++)
		if (!moddir || kmodidx_has(moddir, "modules.dep.bin", stack[i]) != 0)
			printf("module %s\n", stack[i]);
	r = image_variants(o, &v);
	for (size_t i = 0; i < v.n; i++)
		printf("variant %s\n", v.v[i]);
	names_once_free(&v);
	for (size_t i = 0; dlib_sonames[i]; i++) {
		_cleanup_free_ char *path = dlib_path(dlib_sonames[i]);

		if (path)
			printf("library %s\n", path);
		else
			fprintf(stderr,
				"earlybind: warning: %s not found: the image cannot load "
				"drivers or resolve disks without it\n",
				dlib_sonames[i]);
	}
	return r;
}

static const struct command commands[] = {
    {"plan", cmd_plan, OPT_PLAN | OPT_JSON,
     "Usage: earlybind plan [--sysfs DIR] [--root DIR] [--cmdline FILE]... [--boot-devices FILE] "
     "[--json]\n"
     "What would be done to each PCI function and why, the IOMMU groups of claimed functions,\n"
     "and the warnings. Read-only. Exit 0, or 1 when bus/pci/devices cannot be read.\n"},
    {"status", cmd_status, OPT_PLAN | OPT_JSON | OPT_PROMETHEUS | OPT_WRITE | OPT_KMSG,
     "Usage: earlybind status [--sysfs DIR] [--root DIR] [--cmdline FILE]... [--json]\n"
     "       earlybind status --prometheus [--write FILE]\n"
     "Every PCI function like lspci -nnk: driver, driver_override, IOMMU group, the plan, and\n"
     "what apply did at boot (/run/earlybind). Read-only.\n"},
    {"apply", cmd_apply, OPT_PLAN | OPT_JSON | OPT_DRY_RUN | OPT_DEVICE | OPT_KMSG | OPT_FORCE,
     "Usage: earlybind apply [--sysfs DIR] [--root DIR] [--cmdline FILE]... [--device ADDR]\n"
     "                       [--dry-run] [--force ADDR[,ADDR...]] [--kmsg FILE] [--moddir DIR]\n"
     "                       [--boot-devices FILE] [--json]\n"
     "Claim the devices of the plan: load the driver (libkmod), write driver_override, unbind,\n"
     "drivers_probe, verify; roll back on failure. A device in use (mounted, held, carrying\n"
     "the network, open) or the boot needs is refused unless --force (earlybind.force=) names\n"
     "it. Exit 1 when any claim failed.\n"},
    {"release", cmd_release, OPT_PLAN | OPT_KMSG,
     "Usage: earlybind release ADDR...\n"
     "Give claimed devices back: clear driver_override, unbind, reprobe the default driver.\n"},
    {"check", cmd_check, OPT_SYSFS | OPT_ROOT | OPT_MODDIR | OPT_KMSG,
     "Usage: earlybind check [--sysfs DIR] [--root DIR]\n"
     "Exit 1, listing each claim from this boot that is no longer in effect.\n"},
    {"initramfs-modules", cmd_initramfs_modules, OPT_PLAN | OPT_HOSTONLY,
     "Usage: earlybind initramfs-modules [--moddir DIR] [--hostonly] [--sysfs DIR] [--root DIR]\n"
     "The vfio-pci variant modules an initramfs needs, one a line: every one the kernel has, or\n"
     "with --hostonly those this host's plan binds.\n"},
    {"initramfs-recipe", cmd_initramfs_recipe, OPT_PLAN | OPT_HOSTONLY,
     "Usage: earlybind initramfs-recipe [--moddir DIR] [--hostonly] [--sysfs DIR] [--root DIR]\n"
     "What an initramfs needs, one item a line, for the generators' hooks to copy:\n"
     "\"module NAME\" (the vfio stack and pci_stub the kernel has as files), \"variant NAME\"\n"
     "(as initramfs-modules), \"library PATH\" (the libraries loaded with dlopen()).\n"},
    {"boot-devices", cmd_boot_devices, OPT_SYSFS | OPT_ROOT | OPT_CMDLINE | OPT_JSON | OPT_WRITE,
     "Usage: earlybind boot-devices [--sysfs DIR] [--root DIR] [--cmdline FILE]... [--write FILE] "
     "[--json]\n"
     "The PCI functions that carry /, /usr, root= and resume=, with ids and physical path.\n"},
    {"suggest", cmd_suggest, OPT_PLAN | OPT_JSON,
     "Usage: earlybind suggest [--sysfs DIR] [--json] ADDR...\n"
     "The command-line words that claim those devices (and their IOMMU-group companions) here.\n"},
    {"doctor", cmd_doctor, OPT_PLAN | OPT_JSON | OPT_INITRAMFS,
     "Usage: earlybind doctor [--sysfs DIR] [--root DIR] [--initramfs FILE] [--json]\n"
     "What will go wrong on this host, each finding with its fix. Exit 1 on any problem.\n"},
};

const struct command *command_find(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}
