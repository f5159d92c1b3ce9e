// SPDX-License-Identifier: LGPL-2.1-or-later
#include "bootdev.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cmdline.h"
#include "dlib.h"
#include "scan.h"

static void boot_list_add(struct boot_list *b, const char *physpath, uint16_t v, uint16_t dv,
			  const char *addr, const char *what)
{
	struct boot_dev *e;

	grow((void **)&b->v, &b->cap, b->n, sizeof(*b->v));
	e = &b->v[b->n++];
	*e = (struct boot_dev){
	    .physpath = xstrdup(physpath), .vendor = v, .device = dv, .what = xstrdup(what)};
	snprintf(e->addr, sizeof(e->addr), "%s", addr);
}

int bootdev_parse_file(const char *path, struct boot_list *b, struct diag *d)
{
	_cleanup_free_ char *text = NULL;
	char *line, *save = NULL;
	unsigned lineno = 0;
	int r = read_file(path, &text, NULL);

	if (r < 0)
		return r;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char phys[512], ids[32], addr[64];
		int what = 0;
		uint32_t v, dv;
		char *colon;

		lineno++;
		while (*line == ' ' || *line == '\t')
			line++;
		if (!*line || *line == '#')
			continue;
		if (sscanf(line, "%511s %31s %63s %n", phys, ids, addr, &what) < 3 ||
		    !(colon = strchr(ids, ':'))) {
			diag_warn(d, DIAG_SYSFS, "%s:%u: malformed boot-device line; ignored", path,
				  lineno);
			continue;
		}
		*colon = '\0';
		if (parse_hex_u32(ids, &v) < 0 || parse_hex_u32(colon + 1, &dv) < 0 || v > 0xffff ||
		    dv > 0xffff) {
			diag_warn(d, DIAG_SYSFS, "%s:%u: malformed ids; ignored", path, lineno);
			continue;
		}
		boot_list_add(b, phys, (uint16_t)v, (uint16_t)dv, addr,
			      what && line[what] ? line + what : "a boot file system");
	}
	return 0;
}

void bootdev_load_for_plan(const struct opts *o, const struct rules *rules, struct boot_list *b,
			   struct diag *d)
{
	_cleanup_free_ char *def = NULL;
	const char *path = o->boot_devices;
	int r;

	if (!path)
		path = def = root_path(o, BOOTDEV_DEFAULT_FILE);
	r = bootdev_parse_file(path, b, d);
	if (r < 0 && (o->boot_devices || r != -ENOENT))
		diag_warn(d, DIAG_SYSFS, "cannot read the boot-device list %s: %s", path,
			  strerror(-r));
	if (o->resolve_root)
		bootdev_resolve(o, rules, b, d);
}

static bool boot_list_has(const struct boot_list *b, const char *physpath)
{
	for (size_t i = 0; i < b->n; i++)
		if (strcmp(b->v[i].physpath, physpath) == 0)
			return true;
	return false;
}

/* The PCI function at the deepest PCI component of a sysfs device path (relative to the root). */
static void add_pci_of(const char *sysfs_real, const char *devpath, const char *what,
		       struct boot_list *b, struct diag *d)
{
	_cleanup_free_ char *p = xstrdup(devpath + strlen(sysfs_real));
	_cleanup_free_ char *phys = NULL;
	char *cut = NULL, *s, attr[PATH_MAX], buf[32];
	uint32_t v = 0, dv = 0;

	for (s = strtok(p, "/"); s; s = strtok(NULL, "/")) {
		struct pci_addr a;

		if (pci_addr_parse(s, &a) == 0)
			cut = s + strlen(s);
	}
	if (!cut) {
		diag_warn(d, DIAG_SYSFS, "%s is not on a PCI device (%s)", what, devpath);
		return;
	}
	/* strtok replaced the separators: rebuild up to the PCI component. */
	for (char *q = p; q < cut; q++)
		if (!*q)
			*q = '/';
	*cut = '\0';
	phys = scan_physpath_of(p);
	if (!phys || boot_list_has(b, phys))
		return;
	if (path_fmt(attr, sizeof(attr), "%s%s/vendor", sysfs_real, p) < 0 ||
	    read_attr_at(AT_FDCWD, attr, buf, sizeof(buf)) < 0 || parse_hex_u32(buf, &v) < 0 ||
	    path_fmt(attr, sizeof(attr), "%s%s/device", sysfs_real, p) < 0 ||
	    read_attr_at(AT_FDCWD, attr, buf, sizeof(buf)) < 0 || parse_hex_u32(buf, &dv) < 0) {
		diag_warn(d, DIAG_SYSFS, "%s: cannot read the ids of %s", what, p);
		return;
	}
	boot_list_add(b, phys, (uint16_t)v, (uint16_t)dv, path_basename(p), what);
}

static bool is_file(const char *dir, const char *name)
{
	char p[PATH_MAX];
	struct stat st;

	return path_fmt(p, sizeof(p), "%s/%s", dir, name) > 0 && stat(p, &st) == 0;
}

/* A block device's sysfs directory (real path) to the PCI functions beneath it. */
static void walk_block(const char *sysfs_real, const char *dir, const char *what, int depth,
		       struct boot_list *b, struct diag *d)
{
	char p[PATH_MAX];
	struct dirent *de;
	bool slaves = false;
	DIR *dp;

	if (depth > 16)
		return;
	/* A partition: its disk is the parent directory. */
	if (is_file(dir, "partition")) {
		_cleanup_free_ char *parent = xstrdup(dir);

		*strrchr(parent, '/') = '\0';
		walk_block(sysfs_real, parent, what, depth + 1, b, d);
		return;
	}
	/* dm, md, LVM: the slaves carry it. */
	if (path_fmt(p, sizeof(p), "%s/slaves", dir) > 0 && (dp = opendir(p))) {
		while ((de = readdir(dp))) {
			char sp[PATH_MAX * 2];
			_cleanup_free_ char *real = NULL;

			if (de->d_name[0] == '.')
				continue;
			snprintf(sp, sizeof(sp), "%s/%s", p, de->d_name);
			real = realpath(sp, NULL);
			if (real) {
				slaves = true;
				walk_block(sysfs_real, real, what, depth + 1, b, d);
			}
		}
		closedir(dp);
		if (slaves)
			return;
	}
	/* NVMe multipath: the head lives under the subsystem; its controllers are links there. */
	if (strstr(dir, "/devices/virtual/nvme-subsystem/")) {
		_cleanup_free_ char *subsys = xstrdup(dir);
		char *s = strstr(subsys, "/nvme-subsystem/") + strlen("/nvme-subsystem/");

		s = strchr(s, '/');
		if (s)
			*s = '\0';
		dp = opendir(subsys);
		if (!dp)
			return;
		while ((de = readdir(dp))) {
			char sp[PATH_MAX * 2];
			_cleanup_free_ char *real = NULL;
			unsigned n;
			char tail;

			if (sscanf(de->d_name, "nvme%u%c", &n, &tail) != 1)
				continue;
			snprintf(sp, sizeof(sp), "%s/%s", subsys, de->d_name);
			real = realpath(sp, NULL);
			if (real)
				add_pci_of(sysfs_real, real, what, b, d);
		}
		closedir(dp);
		return;
	}
	add_pci_of(sysfs_real, dir, what, b, d);
}

static void resolve_devt(const struct opts *o, const char *sysfs_real, dev_t devt, const char *what,
			 struct boot_list *b, struct diag *d)
{
	char p[PATH_MAX];
	_cleanup_free_ char *real = NULL;

	if (path_fmt(p, sizeof(p), "%s/dev/block/%u:%u", o->sysfs, major(devt), minor(devt)) < 0)
		return;
	real = realpath(p, NULL);
	if (!real) {
		diag_warn(d, DIAG_SYSFS, "%s: no %s", what, p);
		return;
	}
	walk_block(sysfs_real, real, what, 0, b, d);
}

/* root=UUID=..., /dev/..., LABEL=... through libblkid. */
static void resolve_spec(const struct opts *o, const char *sysfs_real, const char *key,
			 const char *spec, struct boot_list *b, struct diag *d)
{
	blkid_cache cache = NULL;
	_cleanup_free_ char *devname = NULL;
	struct strbuf what;
	struct stat st;

	const char *why = NULL;

	if (!spec || !*spec)
		return;
	if (dlopen_blkid(&why) < 0) {
		diag_warn(d, DIAG_SYSFS, "%s=%s: cannot resolve it without libblkid (%s)", key,
			  spec, why);
		return;
	}
	sb_init(&what);
	sb_addf(&what, "%s=%s", key, spec);
	devname = sym_blkid_evaluate_spec(spec, &cache);
	if (cache)
		sym_blkid_put_cache(cache);
	if (!devname)
		diag_warn(d, DIAG_SYSFS, "%s: no such block device (yet)", what.s);
	else if (stat(devname, &st) < 0 || !S_ISBLK(st.st_mode))
		diag_warn(d, DIAG_SYSFS, "%s: %s is not a block device", what.s, devname);
	else
		resolve_devt(o, sysfs_real, st.st_rdev, what.s, b, d);
	sb_free(&what);
}

/* "/" and "/usr" from mountinfo: "ID PARENT MAJ:MIN ROOT MOUNTPOINT ... - FSTYPE SOURCE ...". */
static void resolve_mounts(const struct opts *o, const char *sysfs_real, struct boot_list *b,
			   struct diag *d)
{
	_cleanup_free_ char *path = root_path(o, "/proc/self/mountinfo");
	_cleanup_free_ char *text = NULL;
	char *line, *save = NULL;

	if (read_file(path, &text, NULL) < 0)
		return;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned maj, mn;
		char mp[PATH_MAX], *dash, src[PATH_MAX], what[PATH_MAX + 8];
		struct stat st;

		if (sscanf(line, "%*u %*u %u:%u %*s %4095s", &maj, &mn, mp) != 3)
			continue;
		if (strcmp(mp, "/") != 0 && strcmp(mp, "/usr") != 0)
			continue;
		snprintf(what, sizeof(what), "mount %s", mp);
		if (maj != 0) {
			resolve_devt(o, sysfs_real, makedev(maj, mn), what, b, d);
			continue;
		}
		/* btrfs and friends report an anonymous device: use the source. */
		dash = strstr(line, " - ");
		if (dash && sscanf(dash, " - %*s %4095s", src) == 1 && src[0] == '/' &&
		    stat(src, &st) == 0 && S_ISBLK(st.st_mode))
			resolve_devt(o, sysfs_real, st.st_rdev, what, b, d);
	}
}

void bootdev_resolve(const struct opts *o, const struct rules *r, struct boot_list *b,
		     struct diag *d)
{
	_cleanup_free_ char *sysfs_real = realpath(o->sysfs, NULL);

	if (!sysfs_real)
		return;
	if (strcmp(sysfs_real, "/") == 0)
		sysfs_real[0] = '\0';
	resolve_mounts(o, sysfs_real, b, d);
	resolve_spec(o, sysfs_real, "root", r->root_spec, b, d);
	resolve_spec(o, sysfs_real, "resume", r->resume_spec, b, d);
}

int bootdev_write(const char *path, const struct boot_list *b)
{
	FILE *f = fopen(path, "we");
	int r = 0;

	if (!f)
		return -errno;
	fputs("# earlybind boot-devices: PHYSICAL-PATH VENDOR:DEVICE ADDRESS WHAT\n", f);
	for (size_t i = 0; i < b->n; i++)
		fprintf(f, "%s %04x:%04x %s %s\n", b->v[i].physpath, b->v[i].vendor, b->v[i].device,
			b->v[i].addr, b->v[i].what);
	if (ferror(f))
		r = -EIO;
	if (fclose(f) != 0 && r == 0)
		r = -errno;
	return r;
}

int cmd_boot_devices(const struct opts *o, int argc, char **argv)
{
	struct boot_list b = {0};
	struct rules rules;
	struct diag d, quiet;
	int r = 0;

	(void)argv;
	if (argc > 0) {
		fprintf(stderr, "earlybind: boot-devices takes no arguments\n");
		return 2;
	}
	/* Only root= and resume= matter here: warnings about other keys belong to plan. */
	diag_init(&quiet);
	rules_init(&rules, &quiet);
	cmdline_load(o->root, o->cmdline_files, o->ncmdline, rules_add, &rules, &quiet);
	diag_init(&d);
	bootdev_resolve(o, &rules, &b, &d);
	diag_finish(&d);
	rules_free(&rules);
	diag_free(&quiet);
	if (o->json) {
		struct strbuf sb;

		sb_init(&sb);
		sb_add(&sb, "{\"boot_devices\":[");
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
