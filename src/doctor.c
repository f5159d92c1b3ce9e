// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * earlybind doctor: inspects the host and says what will go wrong and how to fix it. Each
 * finding is one line with its fix; exit 1 when any is a problem. Read-only.
 */
#include "suggest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apply.h"
#include "cmdline.h"
#include "kmodidx.h"
#include "modload.h"
#include "state.h"

enum sev { SEV_OK, SEV_NOTE, SEV_PROBLEM };

struct findings {
	struct strbuf json;
	unsigned n, problems;
	bool as_json;
};

static void finding(struct findings *f, enum sev s, const char *fix, const char *fmt, ...)
    _printf_(4, 5);
static void finding(struct findings *f, enum sev s, const char *fix, const char *fmt, ...)
{
	static const char *const names[] = {"ok", "note", "problem"};
	_cleanup_free_ char *text = NULL;
	va_list ap;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	if (s == SEV_PROBLEM)
		f->problems++;
	if (f->as_json) {
		sb_addf(&f->json, "%s{\"severity\":\"%s\",\"finding\":", f->n ? "," : "", names[s]);
		sb_add_json_str(&f->json, text);
		sb_add(&f->json, ",\"fix\":");
		sb_add_json_str(&f->json, fix);
		sb_addc(&f->json, '}');
	} else {
		printf("[%s]%*s %s\n", names[s], (int)(7 - strlen(names[s])), "", text);
		if (fix)
			printf("          fix: %s\n", fix);
	}
	f->n++;
}

/* cmdline_split() callback: whether the kernel command line asks for an IOMMU (intel_iommu=on,
 * amd_iommu=on; both take comma-separated options). */
static void find_iommu_on(const char *key, const char *val, const char *src, void *ud)
{
	bool *on = ud;
	_cleanup_free_ char *opts = NULL;
	char *p, *w;

	(void)src;
	if (!val || !(cmdline_key_eq(key, "intel_iommu") || cmdline_key_eq(key, "amd_iommu")))
		return;
	p = opts = xstrdup(val);
	while ((w = strsep(&p, ",")))
		if (strcmp(w, "on") == 0)
			*on = true;
}

static void check_iommu(struct findings *f, const struct opts *o)
{
	_cleanup_free_ char *cmdline = NULL;
	bool asked = false;

	if (pc_read_filef(&o->env.rootd, &cmdline, NULL, "/proc/cmdline") == 0)
		cmdline_split(cmdline, "/proc/cmdline", find_iommu_on, &asked);
	if (scan_have_iommu(&o->env.sys)) {
		finding(f, SEV_OK, NULL, "the IOMMU is on (IOMMU groups exist)");
		return;
	}
	if (!asked)
		finding(
		    f, SEV_PROBLEM,
		    "enable VT-d / AMD-Vi in the firmware and add intel_iommu=on (Intel) or "
		    "amd_iommu=on (AMD) to the kernel command line",
		    "the IOMMU is off: no IOMMU groups, and the command line does not ask for one; "
		    "vfio-pci will refuse every device");
	else
		finding(f, SEV_PROBLEM, "enable VT-d / AMD-Vi in the firmware setup",
			"the IOMMU is off although the command line asks for it: the firmware has "
			"it disabled");
}

static void check_plan(struct findings *f, const struct ctx *c)
{
	size_t claims = 0;
	char a[PCI_ADDR_MAX];

	for (size_t i = 0; i < c->devs.n; i++) {
		const struct pci_dev *d = &c->devs.v[i];
		const struct decision *dc = &c->plan.dec[i];

		if (dc->action == ACT_CLAIM || dc->action == ACT_ALREADY)
			claims++;
		if ((dc->action == ACT_CLAIM || dc->action == ACT_ALREADY) && d->boot_vga == 1)
			finding(
			    f, SEV_NOTE,
			    "use another GPU for the console, or accept a dark console after boot",
			    "%s is the boot VGA device and is selected: the console goes dark when "
			    "%s takes it",
			    d->name, drv_name(dc->target));
		if (dc->action == ACT_REFUSE && d->sriov_numvfs > 0)
			finding(f, SEV_PROBLEM,
				"do not enable VFs on it (sriov_numvfs) before earlybind runs, or "
				"select the VFs instead",
				"%s is an SR-IOV PF with %d VFs enabled: it cannot be claimed",
				d->name, d->sriov_numvfs);
		else if (dc->action == ACT_REFUSE)
			finding(f, SEV_PROBLEM, "check the selector; see `earlybind plan`",
				"%s is refused: %s", d->name, decision_reason(dc));
	}
	if (!claims && !c->rules.disabled)
		finding(f, SEV_NOTE, "earlybind suggest ADDR prints the words for a device",
			"no device is selected by the command line");
	if (c->rules.disabled)
		finding(f, SEV_NOTE, "remove earlybind=0 from the command line",
			"earlybind is off (%s)",
			c->rules.disabled_by ? c->rules.disabled_by : "earlybind=0");
	for (size_t i = 0; i < c->plan.ngroups; i++) {
		const struct group_rep *g = &c->plan.groups[i];
		struct strbuf who;

		if (g->viable) {
			finding(f, SEV_OK, NULL, "IOMMU group %d is viable", g->group);
			continue;
		}
		sb_init(&who);
		for (size_t k = 0; k < g->nblocking; k++) {
			const struct pci_dev *d = pci_list_find(&c->devs, &g->blocking[k]);

			sb_addf(&who, "%s%s (%s)", k ? ", " : "", pci_addr_fmt(&g->blocking[k], a),
				d && d->driver ? d->driver : "unbound");
		}
		finding(f, SEV_PROBLEM,
			"add earlybind.group=vfio-pci (or pci-stub), claim those functions too, or "
			"move the card "
			"to a slot with its own group",
			"IOMMU group %d is not viable: %s stay outside vfio-pci/pci-stub", g->group,
			who.s);
		sb_free(&who);
	}
}

/* modprobe.d: ids that generic images drop, and softdep/blacklist workarounds earlybind replaces.
 */
static void check_modprobe(struct findings *f, const struct opts *o)
{
	static const char *const gpu[] = {"nouveau", "nvidia",	      "amdgpu", "radeon",
					  "i915",    "snd_hda_intel", NULL};

	for (size_t i = 0; modload_conf_dirs[i]; i++) {
		_cleanup_free_ char *dir = root_path(&o->env, modload_conf_dirs[i]);
		struct dirent *de;
		DIR *dp = opendir(dir);

		while (dp && (de = readdir(dp))) {
			_cleanup_free_ char *text = NULL;
			struct strbuf p;
			char *line, *save = NULL;

			if (!modload_conf_name(de->d_name))
				continue;
			sb_init(&p);
			sb_addf(&p, "%s/%s", dir, de->d_name);
			if (read_file(p.s, &text, NULL) < 0) {
				sb_free(&p);
				continue;
			}
			for (line = strtok_r(text, "\n", &save); line;
			     line = strtok_r(NULL, "\n", &save)) {
				char w1[32], w2[64];

				if (sscanf(line, "%31s %63s", w1, w2) != 2)
					continue;
				if (strcmp(w1, "options") == 0 &&
				    (cmdline_key_eq(w2, "vfio_pci") ||
				     cmdline_key_eq(w2, "pci_stub")) &&
				    strstr(line, "ids="))
					finding(f, SEV_PROBLEM,
						"put the ids on the kernel command line "
						"(vfio-pci.ids=) or use "
						"earlybind.claim=; earlybind reads modprobe.d too, "
						"but only where the "
						"image has it",
						"%s: \"%s\": a generic (non-hostonly) dracut image "
						"does not carry this file, "
						"so those ids are silently dropped at boot",
						p.s, line);
				else if (strcmp(w1, "softdep") == 0 && strstr(line, "vfio"))
					finding(f, SEV_NOTE,
						"remove it: earlybind claims the device before any "
						"driver loads",
						"%s: \"%s\": a softdep workaround earlybind makes "
						"unnecessary",
						p.s, line);
				else if (strcmp(w1, "blacklist") == 0 && str_in(w2, gpu))
					finding(f, SEV_NOTE,
						"remove it unless the host must never use that "
						"driver: earlybind keeps it off "
						"the selected devices only",
						"%s: \"%s\": a blacklist also takes the driver "
						"from the host's own devices",
						p.s, line);
			}
			sb_free(&p);
		}
		if (dp)
			closedir(dp);
	}
}

/* driverctl keeps its overrides in /etc/driverctl.d/pci-ADDR. */
static void check_driverctl(struct findings *f, const struct opts *o, const struct ctx *c)
{
	_cleanup_free_ char *dir = root_path(&o->env, "/etc/driverctl.d");
	struct dirent *de;
	DIR *dp = opendir(dir);

	while (dp && (de = readdir(dp))) {
		struct pci_addr a;
		const struct pci_dev *d;

		if (strncmp(de->d_name, "pci-", 4) != 0 || pci_addr_parse(de->d_name + 4, &a) < 0)
			continue;
		d = pci_list_find(&c->devs, &a);
		if (d && c->plan.dec[d - c->devs.v].action != ACT_NONE)
			finding(f, SEV_PROBLEM,
				"driverctl unset-override ADDR (earlybind does it earlier)",
				"%s has a driverctl override (%s/%s) and is also selected for "
				"earlybind: two tools "
				"race for it",
				d->name, dir, de->d_name);
		else
			finding(f, SEV_NOTE, NULL, "driverctl also overrides %s (%s/%s)",
				de->d_name + 4, dir, de->d_name);
	}
	if (dp)
		closedir(dp);
}

/*
 * Lists an image with TOOL (lsinitrd or lsinitramfs, no shell) and says whether it holds the
 * binary. Returns 1 found, 0 not found, -errno when the tool is missing or could not list it
 * (*why says how).
 */
static int image_has_earlybind(const char *tool, const char *img, char **why)
{
	int pipefd[2], status;
	bool found = false;
	char line[1024];
	pid_t pid;
	FILE *f;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -errno;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

		dup2(pipefd[1], STDOUT_FILENO);
		if (null >= 0)
			dup2(null, STDERR_FILENO);
		execlp(tool, tool, "--", img, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	f = fdopen(pipefd[0], "r");
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, "usr/bin/earlybind") || strstr(line, "bin/earlybind\n"))
			found = true;
	if (f)
		fclose(f);
	else
		close(pipefd[0]);
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		*why = xasprintf("%s is not installed", tool);
		return -ENOENT;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		*why = xasprintf("%s failed (exit %d)", tool,
				 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		return -EIO;
	}
	return found;
}

/*
 * Whether the current initramfs has earlybind. initramfs-tools names its images initrd.img-*
 * and lists them with lsinitramfs; dracut's are initramfs-*.img, listed by lsinitrd. The other
 * tool is the fallback; an image no tool could list is its own finding, never "missing".
 */
static void check_initramfs(struct findings *f, const struct opts *o)
{
	const char *img = o->initramfs;
	_cleanup_free_ char *def = NULL;
	const char *tools[2] = {"lsinitrd", "lsinitramfs"};
	struct strbuf whys;
	struct utsname u;
	int r = -ENOENT;

	if (!img) {
		/* dracut's name, then initramfs-tools' */
		const char *const pre[] = {"/boot/initramfs-", "/boot/initrd.img-"};
		const char *const post[] = {".img", ""};

		if (uname(&u) < 0)
			return;
		for (size_t i = 0; i < ARRAY_SIZE(pre) && !def; i++) {
			struct strbuf sb;

			sb_init(&sb);
			sb_addf(&sb, "%s%s%s", pre[i], u.release, post[i]);
			def = root_path(&o->env, sb.s);
			sb_free(&sb);
			if (access(def, R_OK) != 0) {
				free(def);
				def = NULL;
			}
		}
		img = def;
	}
	if (!img) {
		finding(f, SEV_NOTE, "pass --initramfs FILE",
			"no initramfs of the running kernel found in /boot");
		return;
	}
	if (strncmp(path_basename(img), "initrd.img", 10) == 0) {
		tools[0] = "lsinitramfs";
		tools[1] = "lsinitrd";
	}
	sb_init(&whys);
	for (size_t i = 0; i < ARRAY_SIZE(tools) && r < 0; i++) {
		_cleanup_free_ char *why = NULL;

		r = image_has_earlybind(tools[i], img, &why);
		if (r < 0)
			sb_addf(&whys, "%s%s", whys.len ? "; " : "", why ? why : strerror(-r));
	}
	if (r > 0)
		finding(f, SEV_OK, NULL, "the initramfs %s carries earlybind", img);
	else if (r == 0)
		finding(f, SEV_PROBLEM, "regenerate it: dracut -f (or update-initramfs -u)",
			"the initramfs %s does not carry earlybind: nothing is claimed at boot",
			img);
	else
		finding(f, SEV_NOTE,
			"install lsinitramfs (initramfs-tools) or lsinitrd (dracut), or check the "
			"image by hand",
			"could not inspect the initramfs %s: %s", img, whys.s ? whys.s : "?");
	sb_free(&whys);
}

static void check_boot_state(struct findings *f, const struct opts *o, const struct ctx *c)
{
	struct state s;
	unsigned lost = 0, failed = 0;

	if (state_load(&o->env, &s) < 0) {
		finding(f, SEV_NOTE, NULL,
			"no state from this boot (/run/earlybind): earlybind did not run");
		return;
	}
	for (size_t i = 0; i < s.n; i++) {
		const struct state_entry *e = &s.v[i];
		const struct pci_dev *d = pci_list_find(&c->devs, &e->addr);
		char a[PCI_ADDR_MAX];

		pci_addr_fmt(&e->addr, a);
		if (state_find(&s, &e->addr) != e) /* superseded by a later hand run */
			continue;
		if (e->res == RES_FAILED) {
			failed++;
			finding(f, SEV_PROBLEM, "see `earlybind status` and dmesg | grep earlybind",
				"%s: the claim for %s failed at boot: %s", a, drv_name(e->target),
				e->error ? e->error : "?");
		} else if (state_claim_lost(&s, e, d)) {
			lost++;
			finding(f, SEV_PROBLEM, "earlybind apply --device ADDR takes it back",
				"%s: claimed for %s at boot, now on %s", a, drv_name(e->target),
				d && d->driver ? d->driver : "no driver");
		}
	}
	if (!lost && !failed)
		finding(f, SEV_OK, NULL, "every claim from this boot is in effect");
	state_free(&s);
}

/* vfio_pci or pci_stub built in: the running kernel's (sysfs) or the module tree's
 * (modules.builtin, what the next image boots). */
static void check_builtin(struct findings *f, const struct opts *o)
{
	_cleanup_free_ char *moddir = env_moddir(&o->env);

	for (enum drv drv = DRV_VFIO; drv < DRV__MAX; drv++) {
		const char *mod = drv_module(drv);
		bool live = scan_module_builtin(&o->env.sys, mod);

		if (!live && !(moddir && kmodidx_builtin(moddir, mod)))
			continue;
		finding(
		    f, SEV_NOTE,
		    "earlybind.claim=ADDR (earlybind suggest ADDR) selects by address: the "
		    "kernel never sees it",
		    "%s is built into %s: the kernel applies %s.ids itself before earlybind "
		    "runs; what earlybind would not claim (earlybind.keep, boot devices, refusals) "
		    "it gives back to its own driver",
		    mod, live ? "this kernel" : "the module tree's kernel (modules.builtin)",
		    drv_name(drv));
	}
}

int cmd_doctor(const struct opts *o, int argc, char **argv)
{
	struct findings f = {.as_json = o->json};
	struct ctx c;
	int r;

	(void)argv;
	if (argc > 0) {
		fprintf(stderr, "earlybind: doctor takes no arguments\n");
		return 2;
	}
	sb_init(&f.json);
	sb_add(&f.json, "{\"schema\":1,\"command\":\"doctor\",\"findings\":[");
	r = pipeline_plan(&c, &o->env, PLAN_ALL_DETAIL);
	diag_finish(&c.diag);
	if (r < 0) {
		fprintf(stderr, "earlybind: %s\n", c.diag.msgs[c.diag.n - 1]);
		ctx_free(&c);
		sb_free(&f.json);
		return 1;
	}
	check_iommu(&f, o);
	check_builtin(&f, o);
	check_plan(&f, &c);
	check_modprobe(&f, o);
	check_driverctl(&f, o, &c);
	check_initramfs(&f, o);
	check_boot_state(&f, o, &c);
	for (size_t i = 0; i < c.diag.n; i++)
		finding(&f, SEV_NOTE, "see kernel-cmdline/ or earlybind.cmdline(7)", "%s",
			c.diag.msgs[i]);
	if (f.as_json) {
		sb_addf(&f.json, "],\"problems\":%u}\n", f.problems);
		fputs(f.json.s, stdout);
	} else {
		printf("%u finding%s, %u problem%s\n", f.n, f.n == 1 ? "" : "s", f.problems,
		       f.problems == 1 ? "" : "s");
	}
	sb_free(&f.json);
	ctx_free(&c);
	return f.problems ? 1 : 0;
}
