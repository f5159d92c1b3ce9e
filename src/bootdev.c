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

/*
 * ip= names the interface of a network root: the kernel's
 * "client:server:gw:netmask:hostname:DEVICE:autoconf..." (Documentation/admin-guide/nfs/
 * nfsroot.rst) and dracut's "DEVICE:dhcp|on|any|dhcp6|auto6|ibft|..." forms.
 */
static void add_ip(struct boot_spec *s, const char *val)
{
	static const char *const autoconf[] = {"dhcp", "on",	  "any",   "dhcp6",	  "auto6",
					       "ibft", "either6", "link6", "single-dhcp", NULL};
	_cleanup_free_ char *buf = xstrdup(val);
	char *f[8] = {0}, *p = buf;
	int n = 0;

	while (n < 8 && (f[n] = strsep(&p, ":")))
		n++;
	free(s->ip_iface);
	s->ip_iface = NULL;
	if (n >= 6 && *f[5])
		s->ip_iface = xstrdup(f[5]);
	else if (n == 2 && *f[0] && str_in(f[1], autoconf))
		s->ip_iface = xstrdup(f[0]);
}

void boot_spec_add(const char *key, const char *val, const char *src, void *ud)
{
	struct boot_spec *s = ud;
	char **slot = NULL;

	(void)src;
	if (!val)
		return;
	if (strcmp(key, "ip") == 0) {
		add_ip(s, val);
		return;
	}
	if (strcmp(key, "root") == 0)
		slot = &s->root;
	else if (strcmp(key, "resume") == 0)
		slot = &s->resume;
	else if (strcmp(key, "netroot") == 0)
		slot = &s->netroot;
	if (slot) {
		free(*slot);
		*slot = xstrdup(val);
	}
}

void boot_spec_free(struct boot_spec *s)
{
	free(s->root);
	free(s->resume);
	free(s->netroot);
	free(s->ip_iface);
	*s = (struct boot_spec){0};
}

void bootdev_load_for_plan(const struct env *e, struct boot_list *b, struct diag *d)
{
	_cleanup_free_ char *def = NULL;
	const char *path = e->boot_devices;
	int r;

	if (!path)
		path = def = root_path(e, BOOTDEV_DEFAULT_FILE);
	r = bootdev_parse_file(path, b, d);
	if (r < 0 && (e->boot_devices || r != -ENOENT))
		diag_warn(d, DIAG_SYSFS, "cannot read the boot-device list %s: %s", path,
			  strerror(-r));
}

/* Whether block devices exist yet (disks, not loop or ram devices). */
static bool have_block_devices(const struct env *e)
{
	static const char *const virt[] = {"loop", "ram", "zram", "nbd", NULL};
	struct dirent *de;
	bool any = false;
	DIR *dp = pc_opendirf(&e->sys, "class/block");

	if (!dp)
		return false;
	while (!any && (de = readdir(dp))) {
		bool v = de->d_name[0] == '.';

		for (size_t i = 0; !v && virt[i]; i++)
			v = strncmp(de->d_name, virt[i], strlen(virt[i])) == 0;
		any = !v;
	}
	closedir(dp);
	return any;
}

static bool sysroot_mounted(const struct env *e)
{
	_cleanup_free_ char *text = NULL;

	return pc_read_filef(&e->rootd, &text, NULL, "/proc/self/mountinfo") == 0 &&
	       strstr(text, " /sysroot ");
}

/* Whether a recorded entry is here: a device with its ids at its physical path. */
static bool entry_present(const struct boot_dev *e, struct pci_list *devs, struct scanner *s)
{
	for (size_t i = 0; i < devs->n; i++) {
		struct pci_dev *dev = &devs->v[i];

		if (dev->ids.vendor != e->vendor || dev->ids.device != e->device)
			continue;
		scan_physpath(s, dev);
		if (dev->physpath && strcmp(dev->physpath, e->physpath) == 0)
			return true;
	}
	return false;
}

void bootdev_settle(const struct env *e, const struct boot_spec *spec, struct pci_list *devs,
		    struct boot_list *b, struct diag *d)
{
	bool initramfs = in_initramfs(e);
	size_t recorded = b->n, present = 0;
	struct scanner s;

	if (env_live(e) && (!initramfs || sysroot_mounted(e) || have_block_devices(e)))
		bootdev_resolve(e, spec, b, d);
	if (!initramfs)
		return;
	if (scanner_open(&s, &e->sys) == 0) {
		for (size_t i = 0; i < recorded; i++) {
			b->v[i].absent = !entry_present(&b->v[i], devs, &s);
			present += !b->v[i].absent;
		}
		scanner_close(&s);
	}
	/* some entries here, others not: say which moved (none here is the fallback's to say) */
	for (size_t i = 0; present && i < recorded; i++)
		if (b->v[i].absent)
			diag_warn(
			    d, DIAG_SYSFS,
			    "the boot device %s %04x:%04x (%s) of the boot-device list is not "
			    "here (moved slots?): devices with its ids are claimed only by "
			    "address",
			    b->v[i].physpath, b->v[i].vendor, b->v[i].device, b->v[i].what);
	if (present || b->n > recorded)
		return;
	b->fallback = xstrdup(recorded ? "none of the image's boot devices is present here"
				       : "the image's boot-device list is missing or empty");
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

static void resolve_devt(const struct env *e, const char *sysfs_real, dev_t devt, const char *what,
			 struct boot_list *b, struct diag *d)
{
	_cleanup_free_ char *p = path_cxt_abs(&e->sys, "dev/block/%u:%u", major(devt), minor(devt));
	_cleanup_free_ char *real = realpath(p, NULL);

	if (!real) {
		diag_warn(d, DIAG_SYSFS, "%s: no %s", what, p);
		return;
	}
	walk_block(sysfs_real, real, what, 0, b, d);
}

/* root=UUID=..., /dev/..., LABEL=... through libblkid. */
static void resolve_spec(const struct env *e, const char *sysfs_real, const char *key,
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
	if (strchr(key, ' ')) /* already a description: "fstab /var" */
		sb_addf(&what, "%s (%s)", key, spec);
	else
		sb_addf(&what, "%s=%s", key, spec);
	devname = sym_blkid_evaluate_spec(spec, &cache);
	if (cache)
		sym_blkid_put_cache(cache);
	if (!devname)
		diag_warn(d, DIAG_SYSFS, "%s: no such block device (yet)", what.s);
	else if (stat(devname, &st) < 0 || !S_ISBLK(st.st_mode))
		diag_warn(d, DIAG_SYSFS, "%s: %s is not a block device", what.s, devname);
	else
		resolve_devt(e, sysfs_real, st.st_rdev, what.s, b, d);
	sb_free(&what);
}

/* A block device by kernel name ("sda2", "dm-1"), as the sysfs tree has it. */
static bool resolve_name(const struct env *e, const char *sysfs_real, const char *name,
			 const char *what, struct boot_list *b, struct diag *d)
{
	_cleanup_free_ char *real = NULL, *p = NULL;

	if (strchr(name, '/'))
		return false;
	p = path_cxt_abs(&e->sys, "class/block/%s", name);
	real = realpath(p, NULL);
	if (!real)
		return false;
	walk_block(sysfs_real, real, what, 0, b, d);
	return true;
}

/* A /dev path: by its kernel name when the tree knows it, else by the node's device number. */
static void resolve_devnode(const struct env *e, const char *sysfs_real, const char *node,
			    const char *what, struct boot_list *b, struct diag *d)
{
	struct stat st;

	if (strncmp(node, "/dev/", 5) == 0 && resolve_name(e, sysfs_real, node + 5, what, b, d))
		return;
	if (stat(node, &st) == 0 && S_ISBLK(st.st_mode))
		resolve_devt(e, sysfs_real, st.st_rdev, what, b, d);
	else
		diag_warn(d, DIAG_SYSFS, "%s: %s is not a block device here", what, node);
}

/*
 * ZFS: the pool's member devices are the block devices whose superblock is a zfs_member labelled
 * with the pool's name. Every block device of the tree is probed (libblkid's low-level probe of
 * ROOT/dev/NAME: no cache, nothing written).
 */
static void resolve_zfs(const struct env *e, const char *sysfs_real, const char *dataset,
			const char *what, struct boot_list *b, struct diag *d)
{
	_cleanup_free_ char *pool = xstrdup(dataset);
	const char *why = NULL;
	struct dirent *de;
	unsigned found = 0;
	DIR *dp;

	pool[strcspn(pool, "/@")] = '\0';
	if (dlopen_blkid(&why) < 0) {
		diag_warn(d, DIAG_SYSFS,
			  "%s: cannot find the members of pool %s without libblkid (%s)", what,
			  pool, why);
		return;
	}
	if (!(dp = pc_opendirf(&e->sys, "class/block"))) {
		diag_warn(d, DIAG_SYSFS, "%s: no block devices to look for pool %s in", what, pool);
		return;
	}
	while ((de = readdir(dp))) {
		_cleanup_free_ char *node = NULL, *rel = NULL;
		const char *type = NULL, *label = NULL;
		blkid_probe pr;

		if (de->d_name[0] == '.')
			continue;
		rel = xasprintf("/dev/%s", de->d_name);
		node = root_path(e, rel);
		pr = sym_blkid_new_probe_from_filename(node);
		if (!pr)
			continue;
		sym_blkid_probe_enable_superblocks(pr, 1);
		sym_blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_LABEL | BLKID_SUBLKS_TYPE);
		if (sym_blkid_do_safeprobe(pr) == 0 &&
		    sym_blkid_probe_lookup_value(pr, "TYPE", &type, NULL) == 0 &&
		    strcmp(type, "zfs_member") == 0 &&
		    sym_blkid_probe_lookup_value(pr, "LABEL", &label, NULL) == 0 &&
		    strcmp(label, pool) == 0) {
			_cleanup_free_ char *w = xasprintf("zfs pool %s (%s)", pool, what);

			found += resolve_name(e, sysfs_real, de->d_name, w, b, d);
		}
		sym_blkid_free_probe(pr);
	}
	closedir(dp);
	if (!found)
		diag_warn(d, DIAG_SYSFS, "%s: no member device of ZFS pool %s found", what, pool);
}

/* btrfs over several devices: every device of the file system the source device belongs to. */
static bool resolve_btrfs(const struct env *e, const char *sysfs_real, const char *source,
			  const char *what, struct boot_list *b, struct diag *d)
{
	const char *name = path_basename(source);
	_cleanup_free_ char *p = path_cxt_abs(&e->sys, "fs/btrfs");
	struct dirent *fs;
	bool done = false;
	DIR *dp = opendir(p);

	if (!dp)
		return false;
	while (!done && (fs = readdir(dp))) {
		char devs[PATH_MAX * 2], one[PATH_MAX * 3];
		struct dirent *de;
		struct stat st;
		DIR *dd;

		if (fs->d_name[0] == '.')
			continue;
		snprintf(devs, sizeof(devs), "%s/%s/devices", p, fs->d_name);
		snprintf(one, sizeof(one), "%s/%s", devs, name);
		if (lstat(one, &st) < 0 || !(dd = opendir(devs)))
			continue;
		while ((de = readdir(dd))) {
			snprintf(one, sizeof(one), "%s/%s", devs, de->d_name);
			_cleanup_free_ char *real =
			    de->d_name[0] == '.' ? NULL : realpath(one, NULL);

			if (real)
				walk_block(sysfs_real, real, what, 0, b, d);
		}
		closedir(dd);
		done = true;
	}
	closedir(dp);
	return done;
}

/* The interface that carries traffic to a server: ROOT/proc/net/route, longest prefix. */
static char *route_iface(const struct env *e, const char *server)
{
	_cleanup_free_ char *text = NULL;
	char *line, *save = NULL, *best = NULL;
	int best_len = -1;
	unsigned a[4];
	uint32_t dst = 0;
	bool numeric = server && sscanf(server, "%u.%u.%u.%u", &a[0], &a[1], &a[2], &a[3]) == 4;

	if (numeric) /* /proc/net/route prints addresses in host (little-endian) order */
		dst = a[0] | a[1] << 8 | a[2] << 16 | (uint32_t)a[3] << 24;
	if (pc_read_filef(&e->rootd, &text, NULL, "/proc/net/route") < 0)
		return NULL;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char ifc[64];
		unsigned net, gw, flags, mask;
		int len = 0;

		if (sscanf(line, "%63s %x %x %x %*d %*d %*d %x", ifc, &net, &gw, &flags, &mask) !=
			5 ||
		    !(flags & 1))
			continue;
		for (unsigned m = mask; m; m &= m - 1)
			len++;
		if (numeric ? (dst & mask) != net : net != 0)
			continue;
		if (len > best_len) {
			free(best);
			best = xstrdup(ifc);
			best_len = len;
		}
	}
	return best;
}

/* A network root: the NIC under the interface, recorded like a disk. */
static void resolve_iface(const struct env *e, const char *sysfs_real, const char *iface,
			  const char *what, struct boot_list *b, struct diag *d)
{
	_cleanup_free_ char *real = NULL, *p = NULL;

	if (iface && !strchr(iface, '/')) {
		p = path_cxt_abs(&e->sys, "class/net/%s/device", iface);
		real = realpath(p, NULL);
	}
	if (!real) {
		diag_warn(d, DIAG_SYSFS, "%s: cannot tell which network interface carries it%s%s",
			  what, iface ? "; no PCI device under " : "", iface ? iface : "");
		return;
	}
	add_pci_of(sysfs_real, real, what, b, d);
}

/* "server:/export" or "//server/share": the server. */
static char *net_server(const char *source)
{
	const char *s = source;
	size_t n;

	if (strncmp(s, "//", 2) == 0)
		s += 2;
	n = strcspn(s, ":/");
	return n ? xstrndup(s, n) : NULL;
}

static bool is_net_fs(const char *fstype)
{
	static const char *const net[] = {"nfs", "nfs4", "cifs", "smb3", "ceph", "glusterfs", NULL};

	return str_in(fstype, net);
}

/* One file system the boot needs: by its device number, its source, or its type. */
static void resolve_fs(const struct env *e, const struct boot_spec *r, const char *sysfs_real,
		       unsigned maj, unsigned mn, const char *fstype, const char *source,
		       const char *what, struct boot_list *b, struct diag *d)
{
	size_t before = b->n;

	if (strcmp(fstype, "zfs") == 0) {
		resolve_zfs(e, sysfs_real, source, what, b, d);
		return;
	}
	if (is_net_fs(fstype)) {
		_cleanup_free_ char *server = net_server(source);
		_cleanup_free_ char *iface =
		    r && r->ip_iface ? xstrdup(r->ip_iface) : route_iface(e, server);

		resolve_iface(e, sysfs_real, iface, what, b, d);
		return;
	}
	if (strcmp(fstype, "btrfs") == 0 && resolve_btrfs(e, sysfs_real, source, what, b, d))
		return;
	if (maj != 0)
		resolve_devt(e, sysfs_real, makedev(maj, mn), what, b, d);
	else if (source[0] == '/')
		resolve_devnode(e, sysfs_real, source, what, b, d);
	if (b->n == before)
		diag_warn(d, DIAG_SYSFS, "%s (%s %s) resolves to no PCI device", what, fstype,
			  source);
}

struct mount {
	unsigned maj, mn;
	char mp[PATH_MAX], fstype[64], source[PATH_MAX];
};

/* ROOT/proc/self/mountinfo: "ID PARENT MAJ:MIN ROOT MOUNTPOINT ... - FSTYPE SOURCE ...". */
static size_t read_mounts(const struct env *e, struct mount **out)
{
	_cleanup_free_ char *text = NULL;
	char *line, *save = NULL;
	size_t n = 0, cap = 0;

	*out = NULL;
	if (pc_read_filef(&e->rootd, &text, NULL, "/proc/self/mountinfo") < 0)
		return 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct mount m = {0};
		char *dash = strstr(line, " - ");

		if (!dash || sscanf(line, "%*u %*u %u:%u %*s %4095s", &m.maj, &m.mn, m.mp) != 3 ||
		    sscanf(dash, " - %63s %4095s", m.fstype, m.source) != 2)
			continue;
		grow((void **)out, &cap, n, sizeof(**out));
		(*out)[n++] = m;
	}
	return n;
}

static const struct mount *find_mount(const struct mount *m, size_t n, const char *mp)
{
	const struct mount *last = NULL;

	for (size_t i = 0; i < n; i++) /* the last mount on a mount point is the visible one */
		if (strcmp(m[i].mp, mp) == 0)
			last = &m[i];
	return last;
}

/* Whether an fstab options field has one of the words. */
static bool has_opt(const char *opts, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = opts; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, word, n) == 0 && (p[n] == ',' || p[n] == '\0' || p[n] == '='))
			return true;
	return false;
}

/*
 * ROOT/etc/fstab (ROOT/sysroot/etc/fstab in the initramfs once the root is mounted): every entry
 * the boot waits for — neither noauto nor nofail, and no x-systemd.automount — with a device
 * behind it. A mounted entry is resolved through its mount, the rest through libblkid.
 */
static void resolve_fstab(const struct env *e, const struct boot_spec *r, const char *sysfs_real,
			  const char *fstab, const struct mount *m, size_t nm, struct boot_list *b,
			  struct diag *d)
{
	_cleanup_free_ char *text = NULL;
	char *line, *save = NULL;

	if (pc_read_filef(&e->rootd, &text, NULL, "%s", fstab) < 0)
		return;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char spec[PATH_MAX], file[PATH_MAX], type[64], opts[1024] = "", what[PATH_MAX + 16];
		const struct mount *mt;

		while (*line == ' ' || *line == '\t')
			line++;
		if (*line == '#' ||
		    sscanf(line, "%4095s %4095s %63s %1023s", spec, file, type, opts) < 3)
			continue;
		if (has_opt(opts, "noauto") || has_opt(opts, "nofail") ||
		    has_opt(opts, "x-systemd.automount"))
			continue;
		if (strcmp(type, "swap") == 0) {
			snprintf(what, sizeof(what), "fstab swap %s", spec);
		} else {
			if (strcmp(file, "/") == 0 || strcmp(file, "/usr") == 0)
				continue; /* the mounts themselves say it */
			snprintf(what, sizeof(what), "fstab %s", file);
		}
		/* only what has a device (or a pool, or a server) behind it */
		if (strcmp(type, "zfs") != 0 && !is_net_fs(type) && spec[0] != '/' &&
		    !strchr(spec, '='))
			continue;
		mt = strcmp(type, "swap") == 0 ? NULL : find_mount(m, nm, file);
		if (mt)
			resolve_fs(e, r, sysfs_real, mt->maj, mt->mn, mt->fstype, mt->source, what,
				   b, d);
		else if (strcmp(type, "zfs") == 0 || is_net_fs(type))
			resolve_fs(e, r, sysfs_real, 0, 0, type, spec, what, b, d);
		else if (spec[0] == '/')
			resolve_devnode(e, sysfs_real, spec, what, b, d);
		else
			resolve_spec(e, sysfs_real, what, spec, b, d);
	}
}

/* ROOT/proc/swaps: every active swap (a partition, or a file on some file system). */
static void resolve_swaps(const struct env *e, const char *sysfs_real, struct boot_list *b,
			  struct diag *d)
{
	_cleanup_free_ char *text = NULL;
	char *line, *save = NULL;

	if (pc_read_filef(&e->rootd, &text, NULL, "/proc/swaps") < 0)
		return;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[PATH_MAX], type[32], what[PATH_MAX + 8];
		struct stat st;

		if (sscanf(line, "%4095s %31s", name, type) != 2 || strcmp(name, "Filename") == 0)
			continue;
		snprintf(what, sizeof(what), "swap %s", name);
		if (strcmp(type, "file") == 0) {
			if (stat(name, &st) == 0)
				resolve_devt(e, sysfs_real, st.st_dev, what, b, d);
			else
				diag_warn(d, DIAG_SYSFS, "%s: cannot stat the swap file", what);
		} else {
			resolve_devnode(e, sysfs_real, name, what, b, d);
		}
	}
}

/* root= and resume=: ZFS=pool/dataset, network roots, or a block device spec. */
static void resolve_cmdline(const struct env *e, const struct boot_spec *r, const char *sysfs_real,
			    struct boot_list *b, struct diag *d)
{
	const char *root = r->root;

	if (root && strncmp(root, "ZFS=", 4) == 0) {
		_cleanup_free_ char *w = xasprintf("root=%s", root);

		resolve_zfs(e, sysfs_real, root + 4, w, b, d);
	} else if (root && (strncmp(root, "nfs", 3) == 0 || strncmp(root, "cifs", 4) == 0 ||
			    strncmp(root, "nbd", 3) == 0 || strcmp(root, "dhcp") == 0 ||
			    strncmp(root, "iscsi", 5) == 0 || strcmp(root, "/dev/nfs") == 0)) {
		_cleanup_free_ char *w = xasprintf("netroot (root=%s)", root);
		_cleanup_free_ char *iface =
		    r->ip_iface ? xstrdup(r->ip_iface) : route_iface(e, NULL);

		resolve_iface(e, sysfs_real, iface, w, b, d);
	} else {
		resolve_spec(e, sysfs_real, "root", root, b, d);
	}
	if (r->netroot) {
		_cleanup_free_ char *w = xasprintf("netroot (netroot=%s)", r->netroot);
		_cleanup_free_ char *iface =
		    r->ip_iface ? xstrdup(r->ip_iface) : route_iface(e, NULL);

		resolve_iface(e, sysfs_real, iface, w, b, d);
	}
	resolve_spec(e, sysfs_real, "resume", r->resume, b, d);
}

void bootdev_resolve(const struct env *e, const struct boot_spec *r, struct boot_list *b,
		     struct diag *d)
{
	_cleanup_free_ char *sysfs_real = realpath(e->sysfs, NULL);
	bool initramfs = in_initramfs(e);
	/* In the initramfs the real root is mounted on /sysroot (once it is). */
	const char *const booted[] = {"/", "/usr", NULL};
	const char *const initrd[] = {"/sysroot", "/sysroot/usr", NULL};
	const char *const *mps = initramfs ? initrd : booted;
	struct mount *m = NULL;
	size_t nm;

	if (!sysfs_real)
		return;
	if (strcmp(sysfs_real, "/") == 0)
		sysfs_real[0] = '\0';
	nm = read_mounts(e, &m);
	for (size_t i = 0; mps[i]; i++) {
		const struct mount *mt = find_mount(m, nm, mps[i]);
		char what[64];

		if (!mt)
			continue;
		snprintf(what, sizeof(what), "mount %s", mps[i] + (initramfs ? 8 : 0));
		if (!what[6])
			snprintf(what, sizeof(what), "mount /");
		resolve_fs(e, r, sysfs_real, mt->maj, mt->mn, mt->fstype, mt->source, what, b, d);
	}
	resolve_fstab(e, r, sysfs_real, initramfs ? "/sysroot/etc/fstab" : "/etc/fstab", m, nm, b,
		      d);
	free(m);
	if (!initramfs)
		resolve_swaps(e, sysfs_real, b, d);
	resolve_cmdline(e, r, sysfs_real, b, d);
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
