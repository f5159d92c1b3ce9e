// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * pcimock: an LD_PRELOAD model of the kernel's PCI bind semantics over a fake sysfs tree built by
 * tests/mksysfs.py, in the spirit of libvirt's tests/virpcimock.c. The real earlybind binary runs
 * unchanged; its writes to sysfs attributes and its module insertions land here.
 *
 *   EB_MOCK_SYSFS=DIR        the fake sysfs root (required; without it module insertion fails)
 *   EB_MOCK_FAIL=ATTR:N:ERR  the Nth write to ATTR (driver_override, unbind, bind, drivers_probe)
 *                            fails with ERR (EBUSY, ENODEV, EIO, ...); comma-separated list
 *   EB_MOCK_REFUSE=ADDR=DRV  driver DRV's probe of ADDR fails (a driver refusing a device)
 *   EB_MOCK_LOADFAIL=MOD     inserting module MOD fails with ENOEXEC
 *   EB_MOCK_LOG=FILE         every emulated action is appended to FILE
 *   EB_MOCK_VANISH=ADDR      the device is hot-removed while a module is being inserted
 *   EB_MOCK_LETGO=ADDR       its driver lets go of the device by itself (a failed asynchronous
 *                            probe) when driver_override is written
 *   EB_MOCK_GRAB=ADDR=DRV    an asynchronous probe of DRV binds the unbound device just before
 *                            driver_override is written (after the scan saw it unbound)
 *
 * Kernel rules modelled (drivers/pci/pci-driver.c, pci-sysfs.c, drivers/base/bus.c):
 *   - driver_override: "NAME\n" sets, "\n" clears (reads "(null)"); when set, only the driver of
 *     that name matches the device, and it always matches.
 *   - otherwise a driver matches its native devices (DIR/.mock/native: "ADDR DRIVER" lines) and
 *     its dynamic ids (drivers/NAME/.dynids: "V D SV SD CLASS MASK" hex lines), which the module
 *     parameter ids= of vfio_pci / pci_stub adds (and tests/mksysfs.py --builtin for a driver
 *     built in), matched as pci_match_one_device() does; drivers/NAME/remove_id removes the first
 *     dynamic id remove_id_store() would (-ENODEV when none matches).
 *   - drivers/X/unbind: -ENODEV unless bound to X. drivers/X/bind: -EBUSY when bound, -ENODEV
 *     when X does not match, the probe error when it refuses. drivers_probe: -ENODEV for no such
 *     device, otherwise succeeds whether or not a driver binds.
 *   - vfio-pci refuses devices without an IOMMU group and header types other than 0.
 *   - inserting a module creates DIR/module/NAME and registers its PCI driver, which then binds
 *     every unbound device it matches (driver_attach).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_FD 4096

static char *root;	      /* realpath of EB_MOCK_SYSFS */
static char *tracked[MAX_FD]; /* attribute path of an fd opened for writing */
static unsigned write_count[8];

static int (*real_open)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static ssize_t (*real_write)(int, const void *, size_t);
static int (*real_close)(int);
static long (*real_syscall)(long, ...);

static void init(void)
{
	static bool done;
	const char *r;

	if (done)
		return;
	done = true;
	real_open = dlsym(RTLD_NEXT, "open");
	real_openat = dlsym(RTLD_NEXT, "openat");
	real_write = dlsym(RTLD_NEXT, "write");
	real_close = dlsym(RTLD_NEXT, "close");
	real_syscall = dlsym(RTLD_NEXT, "syscall");
	r = getenv("EB_MOCK_SYSFS");
	if (r)
		root = realpath(r, NULL);
}

static void mlog(const char *fmt, ...)
{
	const char *p = getenv("EB_MOCK_LOG");
	va_list ap;
	FILE *f;

	if (!p || !(f = fopen(p, "ae")))
		return;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fclose(f);
}

/* ---- the fake tree ---- */

static void pathf(char *buf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, PATH_MAX, fmt, ap);
	va_end(ap);
}

static bool exists(const char *p)
{
	struct stat st;

	return lstat(p, &st) == 0;
}

static int read_small(const char *p, char *buf, size_t n)
{
	FILE *f = fopen(p, "re");
	size_t len;

	if (!f)
		return -1;
	len = fread(buf, 1, n - 1, f);
	fclose(f);
	buf[len] = '\0';
	while (len && (buf[len - 1] == '\n'))
		buf[--len] = '\0';
	return 0;
}

static void write_small(const char *p, const char *s)
{
	FILE *f = fopen(p, "we");

	if (f) {
		fputs(s, f);
		fclose(f);
	}
}

/* The real directory of a device, or NULL. */
static char *dev_dir(const char *addr)
{
	char p[PATH_MAX];

	if (strchr(addr, '/'))
		return NULL;
	pathf(p, "%s/bus/pci/devices/%s", root, addr);
	return realpath(p, NULL);
}

/* The bound driver of a device into buf ("" when unbound). */
static void dev_driver(const char *dir, char *buf)
{
	char p[PATH_MAX], l[PATH_MAX];
	ssize_t n;

	buf[0] = '\0';
	pathf(p, "%s/driver", dir);
	n = readlink(p, l, sizeof(l) - 1);
	if (n > 0) {
		l[n] = '\0';
		strcpy(buf, strrchr(l, '/') ? strrchr(l, '/') + 1 : l);
	}
}

static void set_uevent_driver(const char *dir, const char *drv)
{
	char p[PATH_MAX], line[512], out[8192] = "";
	FILE *f;

	pathf(p, "%s/uevent", dir);
	f = fopen(p, "re");
	if (!f)
		return;
	if (drv)
		snprintf(out, sizeof(out), "DRIVER=%s\n", drv);
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "DRIVER=", 7) != 0)
			strncat(out, line, sizeof(out) - strlen(out) - 1);
	fclose(f);
	write_small(p, out);
}

/* A relative symlink from link to target, both absolute. */
static void rel_symlink(const char *target, const char *link)
{
	char rel[PATH_MAX] = "";
	const char *t = target, *l = link;
	const char *lt = t, *ll = l;

	/* common prefix at a '/' boundary */
	while (*t && *t == *l) {
		if (*t == '/') {
			lt = t;
			ll = l;
		}
		t++, l++;
	}
	for (const char *s = ll + 1; *s; s++)
		if (*s == '/')
			strcat(rel, "../");
	strcat(rel, lt + 1);
	symlink(rel, link);
}

static void do_bind(const char *dir, const char *addr, const char *drv)
{
	char dd[PATH_MAX], p[PATH_MAX];

	pathf(dd, "%s/bus/pci/drivers/%s", root, drv);
	pathf(p, "%s/driver", dir);
	rel_symlink(dd, p);
	pathf(p, "%s/%s", dd, addr);
	rel_symlink(dir, p);
	set_uevent_driver(dir, drv);
	mlog("bind %s %s", addr, drv);
}

static void do_unbind(const char *dir, const char *addr, const char *drv)
{
	char p[PATH_MAX];

	pathf(p, "%s/driver", dir);
	unlink(p);
	pathf(p, "%s/bus/pci/drivers/%s/%s", root, drv, addr);
	unlink(p);
	set_uevent_driver(dir, NULL);
	mlog("unbind %s %s", addr, drv);
}

static bool in_list(const char *env, const char *item)
{
	const char *l = getenv(env);
	size_t n = strlen(item);

	while (l && *l) {
		if (strncmp(l, item, n) == 0 && (l[n] == ',' || l[n] == '\0'))
			return true;
		l = strchr(l, ',');
		if (l)
			l++;
	}
	return false;
}

static bool native_of(const char *addr, const char *drv)
{
	char p[PATH_MAX], a[64], d[128];
	bool yes = false;
	FILE *f;

	pathf(p, "%s/.mock/native", root);
	f = fopen(p, "re");
	if (!f)
		return false;
	while (!yes && fscanf(f, "%63s %127s", a, d) == 2)
		yes = strcmp(a, addr) == 0 && strcmp(d, drv) == 0;
	fclose(f);
	return yes;
}

#define ANY 0xffffffffu

static unsigned attr_hex(const char *dir, const char *name)
{
	char p[PATH_MAX], v[32];

	pathf(p, "%s/%s", dir, name);
	return read_small(p, v, sizeof(v)) < 0 ? 0 : (unsigned)strtoul(v, NULL, 16);
}

/* A device's dynamic id of a driver matches it (pci_match_one_device()). */
static bool dynid_match(const unsigned id[6], const char *dir)
{
	return (id[0] == ANY || id[0] == attr_hex(dir, "vendor")) &&
	       (id[1] == ANY || id[1] == attr_hex(dir, "device")) &&
	       (id[2] == ANY || id[2] == attr_hex(dir, "subsystem_vendor")) &&
	       (id[3] == ANY || id[3] == attr_hex(dir, "subsystem_device")) &&
	       !((id[4] ^ attr_hex(dir, "class")) & id[5]);
}

/* The driver's dynamic ids: "V D SV SD CLASS MASK" lines in drivers/NAME/.dynids. */
static bool dynid_of(const char *dir, const char *drv)
{
	char p[PATH_MAX], line[256];
	bool yes = false;
	FILE *f;

	pathf(p, "%s/bus/pci/drivers/%s/.dynids", root, drv);
	f = fopen(p, "re");
	if (!f)
		return false;
	while (!yes && fgets(line, sizeof(line), f)) {
		unsigned id[6];

		yes = sscanf(line, "%x %x %x %x %x %x", &id[0], &id[1], &id[2], &id[3], &id[4],
			     &id[5]) == 6 &&
		      dynid_match(id, dir);
	}
	fclose(f);
	return yes;
}

/* remove_id_store(): the first dynamic id the written fields name goes; -ENODEV for none. */
static int remove_dynid(const char *drv, const char *val)
{
	unsigned w[6] = {0, 0, ANY, ANY, 0, 0};
	char p[PATH_MAX], line[256], out[8192] = "";
	bool removed = false;
	FILE *f;

	if (sscanf(val, "%x %x %x %x %x %x", &w[0], &w[1], &w[2], &w[3], &w[4], &w[5]) < 2)
		return -EINVAL;
	pathf(p, "%s/bus/pci/drivers/%s/.dynids", root, drv);
	f = fopen(p, "re");
	if (!f)
		return -ENODEV;
	while (fgets(line, sizeof(line), f)) {
		unsigned id[6];

		if (!removed &&
		    sscanf(line, "%x %x %x %x %x %x", &id[0], &id[1], &id[2], &id[3], &id[4],
			   &id[5]) == 6 &&
		    id[0] == w[0] && id[1] == w[1] && (w[2] == ANY || id[2] == w[2]) &&
		    (w[3] == ANY || id[3] == w[3]) && !((id[4] ^ w[4]) & w[5])) {
			removed = true;
			continue;
		}
		strncat(out, line, sizeof(out) - strlen(out) - 1);
	}
	fclose(f);
	if (!removed)
		return -ENODEV;
	write_small(p, out);
	mlog("remove_id %s %s", drv, val);
	return 0;
}

static bool matches(const char *dir, const char *addr, const char *drv)
{
	char p[PATH_MAX], ov[256];

	pathf(p, "%s/driver_override", dir);
	if (read_small(p, ov, sizeof(ov)) == 0 && strcmp(ov, "(null)") != 0 && ov[0])
		return strcmp(ov, drv) == 0;
	return dynid_of(dir, drv) || native_of(addr, drv);
}

/* 0 or -errno: what the driver's probe() returns. */
static int probe(const char *dir, const char *addr, const char *drv)
{
	char item[256], p[PATH_MAX];
	unsigned char cfg[64];
	FILE *f;

	snprintf(item, sizeof(item), "%s=%s", addr, drv);
	if (in_list("EB_MOCK_REFUSE", item)) {
		mlog("probe %s %s refused", addr, drv);
		return -ENODEV;
	}
	if (strcmp(drv, "vfio-pci") == 0) {
		pathf(p, "%s/iommu_group", dir);
		if (!exists(p)) {
			mlog("probe %s %s refused: no iommu_group", addr, drv);
			return -EINVAL;
		}
		pathf(p, "%s/config", dir);
		f = fopen(p, "re");
		if (f) {
			size_t n = fread(cfg, 1, sizeof(cfg), f);

			fclose(f);
			if (n > 0x0e && (cfg[0x0e] & 0x7f) != 0)
				return -EINVAL;
		}
	}
	return 0;
}

/* Whether a registered driver is built in: no module behind it, or one without initstate. */
static bool driver_builtin(const char *drv)
{
	char p[PATH_MAX];

	pathf(p, "%s/bus/pci/drivers/%s/module", root, drv);
	if (!exists(p))
		return true;
	pathf(p, "%s/bus/pci/drivers/%s/module/initstate", root, drv);
	return !exists(p);
}

/* Registration order, as bus_for_each_drv() walks it: the built-in drivers first (they
 * registered at boot), then the others by name. */
static int cmp_drv(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	bool bx = driver_builtin(x), by = driver_builtin(y);

	if (bx != by)
		return bx ? -1 : 1;
	return strcmp(x, y);
}

/* device_attach(): the first registered driver that matches and probes. */
static void attach(const char *dir, const char *addr)
{
	char p[PATH_MAX], *names[256];
	struct dirent *de;
	int n = 0;
	DIR *dp;

	pathf(p, "%s/bus/pci/drivers", root);
	dp = opendir(p);
	if (!dp)
		return;
	while ((de = readdir(dp)) && n < 256)
		if (de->d_name[0] != '.')
			names[n++] = strdup(de->d_name);
	closedir(dp);
	qsort(names, (size_t)n, sizeof(*names), cmp_drv);
	for (int i = 0; i < n; i++) {
		char cur[256];

		dev_driver(dir, cur);
		if (!cur[0] && matches(dir, addr, names[i]) && probe(dir, addr, names[i]) == 0)
			do_bind(dir, addr, names[i]);
		free(names[i]);
	}
}

static const char *driver_of_module(const char *mod)
{
	if (strcmp(mod, "vfio_pci") == 0)
		return "vfio-pci";
	if (strcmp(mod, "pci_stub") == 0)
		return "pci-stub";
	if (strcmp(mod, "xhci_pci") == 0)
		return "xhci_hcd";
	if (strcmp(mod, "e1000e") == 0 || strcmp(mod, "e1000") == 0 || strcmp(mod, "igb") == 0 ||
	    strcmp(mod, "nouveau") == 0 || strcmp(mod, "snd_hda_intel") == 0 ||
	    strcmp(mod, "nvme") == 0)
		return mod;
	return NULL;
}

/* insmod: the module goes live and registers its driver, which attaches to what it matches. */
static int insert(const char *mod, const char *args)
{
	char p[PATH_MAX], dd[PATH_MAX];
	const char *drv;
	struct dirent *de;
	DIR *dp;

	if (!root)
		return -ENOSYS;
	mlog("insmod %s %s", mod, args ? args : "");
	if (in_list("EB_MOCK_LOADFAIL", mod))
		return -ENOEXEC;
	if (getenv("EB_MOCK_VANISH")) {
		char *dir = dev_dir(getenv("EB_MOCK_VANISH")), cmd[PATH_MAX * 3];

		if (dir) {
			/* pci_stop_and_remove_bus_device(): the link and the directory go away */
			pathf(p, "%s/bus/pci/devices/%s", root, getenv("EB_MOCK_VANISH"));
			unlink(p);
			snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
			if (system(cmd) != 0)
				return -EIO;
			mlog("vanish %s", getenv("EB_MOCK_VANISH"));
			free(dir);
		}
	}
	pathf(p, "%s/module/%s", root, mod);
	if (exists(p))
		return -EEXIST;
	mkdir(p, 0755);
	pathf(p, "%s/module/%s/initstate", root, mod);
	write_small(p, "live\n");
	pathf(p, "%s/module/%s/.args", root, mod);
	write_small(p, args ? args : "");
	drv = driver_of_module(mod);
	if (!drv)
		return 0;
	pathf(dd, "%s/bus/pci/drivers/%s", root, drv);
	mkdir(dd, 0755);
	for (const char *f = "bind\0unbind\0new_id\0remove_id\0"; *f; f += strlen(f) + 1) {
		pathf(p, "%s/%s", dd, f);
		write_small(p, "");
	}
	if (args) {
		const char *ids = strstr(args, "ids=");

		if (ids && (ids == args || ids[-1] == ' ')) {
			char v[4096], out[8192] = "", *tok, *save = NULL;

			snprintf(v, sizeof(v), "%s", ids + 4);
			v[strcspn(v, " ")] = '\0';
			/* vfio_pci_fill_ids(): each entry a dynamic id */
			for (tok = strtok_r(v, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
				unsigned id[6] = {0, 0, ANY, ANY, 0, 0};
				char line[128];

				if (sscanf(tok, "%x:%x:%x:%x:%x:%x", &id[0], &id[1], &id[2], &id[3],
					   &id[4], &id[5]) < 2)
					continue;
				snprintf(line, sizeof(line), "%x %x %x %x %x %x\n", id[0], id[1],
					 id[2], id[3], id[4], id[5]);
				strncat(out, line, sizeof(out) - strlen(out) - 1);
			}
			pathf(p, "%s/.dynids", dd);
			write_small(p, out);
		}
	}
	/* driver_attach() */
	pathf(p, "%s/bus/pci/devices", root);
	dp = opendir(p);
	while (dp && (de = readdir(dp))) {
		char *dir, cur[256];

		if (de->d_name[0] == '.' || !(dir = dev_dir(de->d_name)))
			continue;
		dev_driver(dir, cur);
		if (!cur[0] && matches(dir, de->d_name, drv) && probe(dir, de->d_name, drv) == 0)
			do_bind(dir, de->d_name, drv);
		free(dir);
	}
	if (dp)
		closedir(dp);
	return 0;
}

/* ---- attribute writes ---- */

enum attr { A_NONE = -1, A_OVERRIDE, A_UNBIND, A_BIND, A_PROBE, A_REMOVE_ID };

static enum attr attr_of(const char *path)
{
	const char *b = strrchr(path, '/');

	if (!b)
		return A_NONE;
	b++;
	if (strcmp(b, "driver_override") == 0)
		return A_OVERRIDE;
	if (strcmp(b, "unbind") == 0)
		return A_UNBIND;
	if (strcmp(b, "bind") == 0)
		return A_BIND;
	if (strcmp(b, "drivers_probe") == 0)
		return A_PROBE;
	if (strcmp(b, "remove_id") == 0)
		return A_REMOVE_ID;
	return A_NONE;
}

static int injected(enum attr a)
{
	static const char *const names[] = {"driver_override", "unbind", "bind", "drivers_probe",
					    "remove_id"};
	static const struct {
		const char *n;
		int e;
	} errs[] = {{"EBUSY", EBUSY},	{"ENODEV", ENODEV}, {"EIO", EIO},
		    {"EINVAL", EINVAL}, {"ENOMEM", ENOMEM}, {"EPERM", EPERM}};
	const char *l = getenv("EB_MOCK_FAIL");
	unsigned nth = ++write_count[a];
	char item[64];

	while (l && *l) {
		char name[32], err[16];
		unsigned n;

		snprintf(item, sizeof(item), "%.*s", (int)strcspn(l, ","), l);
		if (sscanf(item, "%31[^:]:%u:%15s", name, &n, err) == 3 &&
		    strcmp(name, names[a]) == 0 && n == nth) {
			for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
				if (strcmp(errs[i].n, err) == 0) {
					mlog("inject %s #%u %s", names[a], nth, err);
					return -errs[i].e;
				}
			return -atoi(err);
		}
		l = strchr(l, ',');
		if (l)
			l++;
	}
	return 0;
}

/* ".../drivers/NAME/unbind" -> "NAME" */
static void driver_of_attr(const char *path, char *drv, size_t n)
{
	snprintf(drv, n, "%s", path);
	*strrchr(drv, '/') = '\0';
	memmove(drv, strrchr(drv, '/') + 1, strlen(strrchr(drv, '/') + 1) + 1);
}

static int emulate(const char *path, const char *buf, size_t len)
{
	enum attr a = attr_of(path);
	char val[4096], cur[256], *dir = NULL, drv[256];
	int r;

	if (a == A_NONE)
		return 1; /* not ours: a plain write */
	r = injected(a);

	if (r < 0)
		return r;
	snprintf(val, sizeof(val), "%.*s", (int)len, buf);
	val[strcspn(val, "\n")] = '\0';
	switch (a) {
	case A_OVERRIDE:
		if (getenv("EB_MOCK_LETGO") && strstr(path, getenv("EB_MOCK_LETGO")) &&
		    (dir = dev_dir(getenv("EB_MOCK_LETGO")))) {
			dev_driver(dir, cur);
			if (cur[0])
				do_unbind(dir, getenv("EB_MOCK_LETGO"), cur);
			free(dir);
			dir = NULL;
		}
		if (getenv("EB_MOCK_GRAB") && strchr(getenv("EB_MOCK_GRAB"), '=')) {
			char who[256], *eq;

			snprintf(who, sizeof(who), "%s", getenv("EB_MOCK_GRAB"));
			eq = strchr(who, '=');
			*eq++ = '\0';
			if (strstr(path, who) && (dir = dev_dir(who))) {
				dev_driver(dir, cur);
				if (!cur[0])
					do_bind(dir, who, eq);
				free(dir);
				dir = NULL;
			}
		}
		write_small(path, val[0] ? val : "(null)");
		{
			FILE *f = fopen(path, "ae");

			if (f) {
				fputc('\n', f);
				fclose(f);
			}
		}
		mlog("override %s %s", path + strlen(root), val[0] ? val : "(null)");
		return 0;
	case A_UNBIND:
		driver_of_attr(path, drv, sizeof(drv));
		dir = dev_dir(val);
		if (!dir)
			return -ENODEV;
		dev_driver(dir, cur);
		if (strcmp(cur, drv) != 0)
			r = -ENODEV;
		else
			do_unbind(dir, val, drv);
		break;
	case A_BIND:
		driver_of_attr(path, drv, sizeof(drv));
		dir = dev_dir(val);
		if (!dir)
			return -ENODEV;
		dev_driver(dir, cur);
		if (cur[0])
			r = -EBUSY;
		else if (!matches(dir, val, drv))
			r = -ENODEV;
		else if ((r = probe(dir, val, drv)) == 0)
			do_bind(dir, val, drv);
		break;
	case A_REMOVE_ID:
		driver_of_attr(path, drv, sizeof(drv));
		return remove_dynid(drv, val);
	case A_PROBE:
		dir = dev_dir(val);
		if (!dir)
			return -ENODEV;
		mlog("drivers_probe %s", val);
		dev_driver(dir, cur);
		if (!cur[0])
			attach(dir, val);
		break;
	default:
		return 1; /* not ours: a plain write */
	}
	free(dir);
	return r;
}

/* ---- interposed libc entry points ---- */

static void track(int fd, const char *path, int flags)
{
	char *real;

	if (fd < 0 || fd >= MAX_FD || !root || !(flags & (O_WRONLY | O_RDWR)))
		return;
	real = realpath(path, NULL);
	if (!real)
		return;
	/* every attribute under the tree: the known ones emulated, the others (d3cold_allowed,
	 * power/control, reset_method...) replaced by what is written, as a sysfs store does */
	if (strncmp(real, root, strlen(root)) == 0 && !strstr(real, "/.mock/")) {
		free(tracked[fd]);
		tracked[fd] = real;
		return;
	}
	free(real);
}

int open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;
	int fd;

	init();
	va_start(ap, flags);
	if (flags & (O_CREAT | O_TMPFILE))
		mode = va_arg(ap, mode_t);
	va_end(ap);
	fd = real_open(path, flags, mode);
	track(fd, path, flags);
	return fd;
}
int open64(const char *path, int flags, ...) __attribute__((alias("open")));

int openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;
	int fd;

	init();
	va_start(ap, flags);
	if (flags & (O_CREAT | O_TMPFILE))
		mode = va_arg(ap, mode_t);
	va_end(ap);
	fd = real_openat(dirfd, path, flags, mode);
	if (path[0] == '/')
		track(fd, path, flags);
	return fd;
}
int openat64(int dirfd, const char *path, int flags, ...) __attribute__((alias("openat")));

ssize_t write(int fd, const void *buf, size_t len)
{
	int r;

	init();
	if (fd < 0 || fd >= MAX_FD || !tracked[fd])
		return real_write(fd, buf, len);
	r = emulate(tracked[fd], buf, len);
	if (r == 1) { /* a plain attribute: its new content */
		if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0)
			return -1;
		return real_write(fd, buf, len);
	}
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return (ssize_t)len;
}

int close(int fd)
{
	init();
	if (fd >= 0 && fd < MAX_FD && tracked[fd]) {
		free(tracked[fd]);
		tracked[fd] = NULL;
	}
	return real_close(fd);
}

static int module_name_from_fd(int fd, char *name, size_t n)
{
	char p[64], l[PATH_MAX];
	ssize_t len;
	char *b;

	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	len = readlink(p, l, sizeof(l) - 1);
	if (len < 0)
		return -1;
	l[len] = '\0';
	b = strrchr(l, '/') ? strrchr(l, '/') + 1 : l;
	snprintf(name, n, "%.200s", b);
	name[strcspn(name, ".")] = '\0';
	for (char *s = name; *s; s++)
		if (*s == '-')
			*s = '_';
	return 0;
}

static int module_name_from_image(const void *mem, unsigned long len, char *name, size_t n)
{
	const char *p = memmem(mem, len, "\0name=", 6);

	if (!p)
		return -1;
	snprintf(name, n, "%s", p + 6);
	return 0;
}

static long finish(int r)
{
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return 0;
}

long syscall(long nr, ...)
{
	long a[6];
	va_list ap;
	char name[256];

	init();
	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (nr == SYS_finit_module) {
		if (module_name_from_fd((int)a[0], name, sizeof(name)) < 0)
			return finish(-EBADF);
		return finish(insert(name, (const char *)a[1]));
	}
	if (nr == SYS_init_module) {
		if (module_name_from_image((const void *)a[0], (unsigned long)a[1], name,
					   sizeof(name)) < 0)
			return finish(-ENOEXEC);
		return finish(insert(name, (const char *)a[2]));
	}
	if (nr == SYS_delete_module)
		return finish(-EPERM);
	return real_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

int init_module(void *mem, unsigned long len, const char *args)
{
	char name[256];

	init();
	if (module_name_from_image(mem, len, name, sizeof(name)) < 0)
		return (int)finish(-ENOEXEC);
	return (int)finish(insert(name, args));
}

int finit_module(int fd, const char *args, int flags)
{
	char name[256];

	(void)flags;
	init();
	if (module_name_from_fd(fd, name, sizeof(name)) < 0)
		return (int)finish(-EBADF);
	return (int)finish(insert(name, args));
}
