// SPDX-License-Identifier: LGPL-2.1-or-later
#include "inuse.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dlib.h"

#define MAX_HOLDERS 4

struct block {
	char *name, *real; /* "vda1", its real sysfs directory */
	char devno[16];	   /* "254:1" */
};

struct inuse {
	const struct env *e;
	bool booted;
	struct block *blocks; /* SYSFS/class/block, listed once */
	size_t nblocks;
	char *mountinfo, *swaps; /* ROOT/proc files, read on first use */
	char *route, *route6, *inet6;
	/* per device */
	char *devdir; /* the function's real sysfs directory */
	struct strbuf out;
	unsigned n;
};

static void add(struct inuse *u, const char *fmt, ...) _printf_(2, 3);
static void add(struct inuse *u, const char *fmt, ...)
{
	va_list ap;

	if (u->n++ >= MAX_HOLDERS) {
		if (u->n == MAX_HOLDERS + 1)
			sb_add(&u->out, "; ...");
		return;
	}
	if (u->out.len)
		sb_add(&u->out, "; ");
	va_start(ap, fmt);
	sb_vaddf(&u->out, fmt, ap);
	va_end(ap);
}

/* ROOT/proc/FILE, read once ("" when unreadable). */
static const char *proc_file(struct inuse *u, char **slot, const char *rel)
{
	if (!*slot && pc_read_filef(&u->e->rootd, slot, NULL, "%s", rel) < 0)
		*slot = xstrdup("");
	return *slot;
}

/* Whether the real path p lies below the function's directory. */
static bool below_dev(const struct inuse *u, const char *p)
{
	size_t n = strlen(u->devdir);

	return strncmp(p, u->devdir, n) == 0 && p[n] == '/';
}

/* An NVMe namespace of a multipath subsystem (devices/virtual/nvme-subsystem/SUBSYS/NAME): is
 * one of the subsystem's controllers (SUBSYS/nvmeN links) ours? */
static bool nvme_head_ours(const struct inuse *u, const char *real)
{
	_cleanup_free_ char *subsys = xstrdup(real);
	char *s = strstr(subsys, "/nvme-subsystem/");
	struct dirent *de;
	bool ours = false;
	DIR *dp;

	if (!s || !(s = strchr(s + strlen("/nvme-subsystem/"), '/')))
		return false;
	*s = '\0';
	if (!(dp = opendir(subsys)))
		return false;
	while (!ours && (de = readdir(dp))) {
		_cleanup_free_ char *link = NULL, *ctrl = NULL;

		if (strncmp(de->d_name, "nvme", 4) != 0 || !strchr("0123456789", de->d_name[4]))
			continue;
		link = xasprintf("%s/%s", subsys, de->d_name);
		ctrl = realpath(link, NULL);
		ours = ctrl && below_dev(u, ctrl);
	}
	closedir(dp);
	return ours;
}

/* A mount of the block device: by its number in mountinfo, or by its /dev name as the source. */
static void block_mounts(struct inuse *u, const char *name, const char *devno)
{
	const char *text = proc_file(u, &u->mountinfo, "/proc/self/mountinfo");
	_cleanup_free_ char *dev = xasprintf("/dev/%s", name);

	for (const char *line = text; *line;) {
		const char *nl = strchrnul(line, '\n');
		char mj[32], mp[4096], src[4096];
		const char *dash = memmem(line, (size_t)(nl - line), " - ", 3);

		if (dash && sscanf(line, "%*u %*u %31s %*s %4095s", mj, mp) == 2 &&
		    sscanf(dash, " - %*s %4095s", src) == 1 &&
		    (strcmp(mj, devno) == 0 || strcmp(src, dev) == 0))
			add(u, "mount %s (%s)", mp, name);
		line = *nl ? nl + 1 : nl;
	}
}

static bool block_swap(struct inuse *u, const char *name)
{
	const char *text = proc_file(u, &u->swaps, "/proc/swaps");
	_cleanup_free_ char *dev = xasprintf("/dev/%s", name);
	bool any = false;

	for (const char *line = text; *line;) {
		const char *nl = strchrnul(line, '\n');
		size_t n = strcspn(line, " \t\n");

		if (n == strlen(dev) && strncmp(line, dev, n) == 0) {
			add(u, "swap %s", dev);
			any = true;
		}
		line = *nl ? nl + 1 : nl;
	}
	return any;
}

/* Block devices stacked on it (dm, md, bcache): SYSFS/class/block/NAME/holders. */
static bool block_holders(struct inuse *u, const char *name)
{
	struct dirent *de;
	bool any = false;
	DIR *dp = pc_opendirf(&u->e->sys, "class/block/%s/holders", name);

	while (dp && (de = readdir(dp))) {
		char dmname[128];

		if (de->d_name[0] == '.')
			continue;
		any = true;
		if (pc_readf(&u->e->sys, dmname, sizeof(dmname),
			     "class/block/%s/holders/%s/dm/name", name, de->d_name) > 0)
			add(u, "holder %s (%s) on %s", de->d_name, dmname, name);
		else
			add(u, "holder %s on %s", de->d_name, name);
	}
	if (dp)
		closedir(dp);
	return any;
}

/* The kernel's own answer for anything else holding it exclusively (a ZFS vdev): an O_EXCL open
 * of the node fails with EBUSY. A ZFS member says its pool (libblkid). */
static void block_exclusive(struct inuse *u, const char *name)
{
	_cleanup_free_ char *node = path_cxt_abs(&u->e->rootd, "/dev/%s", name);
	const char *type = NULL, *label = NULL;
	int fd = open(node, O_RDONLY | O_EXCL | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	blkid_probe pr;

	if (fd >= 0) {
		close(fd);
		return;
	}
	if (errno != EBUSY)
		return;
	if (dlopen_blkid(NULL) == 0 && (pr = sym_blkid_new_probe_from_filename(node))) {
		sym_blkid_probe_enable_superblocks(pr, 1);
		sym_blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_LABEL | BLKID_SUBLKS_TYPE);
		if (sym_blkid_do_safeprobe(pr) == 0 &&
		    sym_blkid_probe_lookup_value(pr, "TYPE", &type, NULL) == 0 &&
		    strcmp(type, "zfs_member") == 0 &&
		    sym_blkid_probe_lookup_value(pr, "LABEL", &label, NULL) == 0) {
			add(u, "ZFS pool %s (%s)", label, name);
			label = "";
		}
		sym_blkid_free_probe(pr);
	}
	if (!label)
		add(u, "%s held open exclusively (a ZFS pool or another holder)", name);
}

static void list_blocks(struct inuse *u)
{
	_cleanup_free_ char *dir = path_cxt_abs(&u->e->sys, "class/block");
	size_t cap = 0;
	struct dirent *de;
	DIR *dp = opendir(dir);

	while (dp && (de = readdir(dp))) {
		_cleanup_free_ char *link = NULL, *devf = NULL;
		struct block b = {0};

		if (de->d_name[0] == '.')
			continue;
		link = xasprintf("%s/%s", dir, de->d_name);
		if (!(b.real = realpath(link, NULL)))
			continue;
		devf = xasprintf("%s/dev", b.real);
		if (read_attr_at(AT_FDCWD, devf, b.devno, sizeof(b.devno)) < 0)
			b.devno[0] = '\0';
		b.name = xstrdup(de->d_name);
		grow((void **)&u->blocks, &cap, u->nblocks, sizeof(*u->blocks));
		u->blocks[u->nblocks++] = b;
	}
	if (dp)
		closedir(dp);
}

static void blocks(struct inuse *u)
{
	for (size_t i = 0; i < u->nblocks; i++) {
		const struct block *b = &u->blocks[i];
		unsigned before = u->n;
		bool held;

		if (!below_dev(u, b->real) &&
		    !(strstr(b->real, "/nvme-subsystem/") && nvme_head_ours(u, b->real)))
			continue;
		block_mounts(u, b->name, b->devno);
		held = block_swap(u, b->name) || u->n > before;
		held = block_holders(u, b->name) || held;
		if (!held)
			block_exclusive(u, b->name);
	}
}

/* 0x0002000A (host order, as /proc/net/route prints it) -> "10.0.2.0" */
static void ip4(unsigned v, char *out, size_t size)
{
	snprintf(out, size, "%u.%u.%u.%u", v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff,
		 (v >> 24) & 0xff);
}

static int prefix_len(unsigned mask)
{
	int n = 0;

	for (; mask; mask &= mask - 1)
		n++;
	return n;
}

/* What makes an interface in use: a route through it (IPv4 /proc/net/route, IPv6
 * /proc/net/ipv6_route but link-local and multicast), or a global IPv6 address. Its text, or
 * NULL. Caller frees. */
static char *iface_use(struct inuse *u, const char *ifc)
{
	const char *route = proc_file(u, &u->route, "/proc/net/route");
	const char *route6 = proc_file(u, &u->route6, "/proc/net/ipv6_route");
	const char *inet6 = proc_file(u, &u->inet6, "/proc/net/if_inet6");

	for (const char *line = route; *line;) {
		const char *nl = strchrnul(line, '\n');
		char name[64], a[20];
		unsigned dst, flags, mask;

		if (sscanf(line, "%63s %x %*s %x %*d %*d %*d %x", name, &dst, &flags, &mask) == 4 &&
		    strcmp(name, ifc) == 0 && (flags & 1)) {
			if (mask == 0)
				return xstrdup("carries the default route");
			ip4(dst, a, sizeof(a));
			return xasprintf("carries a route to %s/%d", a, prefix_len(mask));
		}
		line = *nl ? nl + 1 : nl;
	}
	for (const char *line = route6; *line;) {
		const char *nl = strchrnul(line, '\n');
		char dst[40], name[64];
		unsigned len;

		if (sscanf(line, "%39s %x %*s %*s %*s %*s %*s %*s %*s %63s", dst, &len, name) ==
			3 &&
		    strcmp(name, ifc) == 0 && strncmp(dst, "fe80", 4) != 0 &&
		    strncmp(dst, "ff", 2) != 0)
			return xstrdup(len == 0 ? "carries the default IPv6 route"
						: "carries an IPv6 route");
		line = *nl ? nl + 1 : nl;
	}
	for (const char *line = inet6; *line;) {
		const char *nl = strchrnul(line, '\n');
		char addr[40], name[64];
		unsigned scope;

		if (sscanf(line, "%39s %*s %*s %x %*s %63s", addr, &scope, name) == 3 &&
		    strcmp(name, ifc) == 0 && scope == 0)
			return xasprintf("has the global address %.4s:%.4s:...", addr, addr + 4);
		line = *nl ? nl + 1 : nl;
	}
	return NULL;
}

/* The interfaces of the function: SYSFS/class/net entries below its directory (a virtio NIC's
 * sit under its virtioN child). */
static void nets(struct inuse *u)
{
	_cleanup_free_ char *dir = path_cxt_abs(&u->e->sys, "class/net");
	struct dirent *de;
	DIR *dp = opendir(dir);

	while (dp && (de = readdir(dp))) {
		_cleanup_free_ char *use = NULL, *link = NULL, *real = NULL;
		const char *ifc = de->d_name;
		char master[256];

		if (ifc[0] == '.')
			continue;
		link = xasprintf("%s/%s", dir, ifc);
		if (!(real = realpath(link, NULL)) || !below_dev(u, real))
			continue;
		if ((use = iface_use(u, ifc))) {
			add(u, "interface %s %s", ifc, use);
			continue;
		}
		/* a bond or bridge port: what its master carries (a bridge over a bond: two steps)
		 */
		snprintf(master, sizeof(master), "%s", ifc);
		for (int depth = 0; depth < 2; depth++) {
			char target[4096];

			if (pc_readlinkf(&u->e->sys, target, sizeof(target), "class/net/%s/master",
					 master) < 0)
				break;
			snprintf(master, sizeof(master), "%s", path_basename(target));
			if ((use = iface_use(u, master))) {
				add(u, "interface %s is enslaved to %s, which %s", ifc, master,
				    use);
				break;
			}
		}
	}
	if (dp)
		closedir(dp);
}

#define MAX_NODES  16
#define NODE_DEPTH 4 /* function/nvme/nvme0/nvme0n1/nvme0n1p1, function/virtio2/block/vda/vda1 */

struct nodes {
	char v[MAX_NODES][48];
	size_t n;
};

static bool is_pci_addr(const char *name)
{
	struct pci_addr a;

	return pci_addr_parse(name, &a) == 0;
}

/* The DEVNAME= of a uevent ("dri/card1"), its length in *len; NULL when it has none. */
static const char *devname_of(const char *ue, int *len)
{
	for (const char *l = ue; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, "DEVNAME=", 8) == 0) {
			*len = (int)strcspn(l + 8, "\n");
			return l + 8;
		}
	return NULL;
}

/* The device nodes at and below one directory of the function: each directory whose uevent names
 * a DEVNAME (DRM nodes, a sound card's, block devices, an NVMe controller...). Links (driver,
 * subsystem, iommu_group) are not followed, nor the functions below a bridge. Takes dfd. */
static void nodes_below(int dfd, unsigned depth, struct nodes *nd)
{
	char ue[512];
	const char *name;
	struct dirent *de;
	int len;
	DIR *dp;

	if (read_attr_at(dfd, "uevent", ue, sizeof(ue)) >= 0 && (name = devname_of(ue, &len)))
		snprintf(nd->v[nd->n++], sizeof(nd->v[0]), "/dev/%.*s", len, name);
	if (depth == 0 || !(dp = fdopendir(dfd))) {
		close(dfd);
		return;
	}
	while (nd->n < MAX_NODES && (de = readdir(dp))) {
		int fd;

		if (de->d_name[0] == '.' || (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN) ||
		    is_pci_addr(de->d_name))
			continue;
		fd = openat(dirfd(dp), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0)
			nodes_below(fd, depth - 1, nd);
	}
	closedir(dp);
}

/* The device nodes of a function: those sysfs names under it, and the NVIDIA driver's
 * /dev/nvidiaN (/proc/driver/nvidia/gpus/ADDR/information, "Device Minor:"). */
static void dev_nodes(struct inuse *u, const struct pci_dev *dev, struct nodes *nd)
{
	_cleanup_free_ char *info = NULL;
	const char *minor;
	int fd = open(u->devdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	nd->n = 0;
	if (fd >= 0)
		nodes_below(fd, NODE_DEPTH, nd);
	if (nd->n < MAX_NODES && pci_base_class(&dev->ids) == PCI_BASE_CLASS_DISPLAY &&
	    pc_read_filef(&u->e->rootd, &info, NULL, "/proc/driver/nvidia/gpus/%s/information",
			  dev->name) == 0 &&
	    (minor = strstr(info, "Device Minor:")))
		snprintf(nd->v[nd->n++], sizeof(nd->v[0]), "/dev/nvidia%d", atoi(minor + 13));
}

/* The processes with one of the nodes open: ROOT/proc/PID/fd links. */
static void openers(struct inuse *u, const struct nodes *nd)
{
	_cleanup_free_ char *proc = root_path(u->e, "/proc");
	struct dirent *de;
	DIR *dp = opendir(proc);

	while (dp && (de = readdir(dp))) {
		_cleanup_free_ char *fds = NULL;
		struct dirent *fe;
		DIR *fp;

		if (!strchr("123456789", de->d_name[0]))
			continue;
		fds = xasprintf("%s/%s/fd", proc, de->d_name);
		if (!(fp = opendir(fds)))
			continue;
		while ((fe = readdir(fp))) {
			char link[256], comm[64] = "?";
			_cleanup_free_ char *commp = NULL;
			size_t k;

			if (fe->d_name[0] == '.' ||
			    readlink_at(dirfd(fp), fe->d_name, link, sizeof(link)) < 0)
				continue;
			for (k = 0; k < nd->n && strcmp(link, nd->v[k]) != 0; k++)
				;
			if (k == nd->n)
				continue;
			commp = xasprintf("%s/%s/comm", proc, de->d_name);
			read_attr_at(AT_FDCWD, commp, comm, sizeof(comm));
			add(u, "process %s (pid %s) has %s open", comm, de->d_name, link);
			break;
		}
		closedir(fp);
	}
	if (dp)
		closedir(dp);
}

/* The entries of a directory that pass keep (NULL: all but dot files); closes dp. -1 when dp is
 * NULL (it could not be opened). */
static int count_entries(DIR *dp, bool (*keep)(const char *))
{
	struct dirent *de;
	int n = 0;

	if (!dp)
		return -1;
	while ((de = readdir(dp)))
		if (de->d_name[0] != '.' && (!keep || keep(de->d_name)))
			n++;
	closedir(dp);
	return n;
}

/*
 * The references on the function's driver module beyond those its holder modules take (a module
 * using another takes one on it): open handles of a kind not looked for above, or a kernel client
 * such as a framebuffer console. Said only when that module drives this function alone — one
 * driver, one device bound — since otherwise the references cannot be told apart.
 */
static void module_users(struct inuse *u, const struct pci_dev *dev)
{
	const struct path_cxt *sys = &u->e->sys;
	char link[PATH_MAX], refcnt[32];
	const char *mod;
	long users;
	int holders;

	if (!dev->driver ||
	    pc_readlinkf(sys, link, sizeof(link), "bus/pci/drivers/%s/module", dev->driver) < 0)
		return; /* unbound, or built in: no references kept */
	mod = path_basename(link);
	if (pc_readf(sys, refcnt, sizeof(refcnt), "module/%s/refcnt", mod) < 0 ||
	    (holders = count_entries(pc_opendirf(sys, "module/%s/holders", mod), NULL)) < 0)
		return;
	users = strtol(refcnt, NULL, 10) - holders;
	if (users > 0 && count_entries(pc_opendirf(sys, "module/%s/drivers", mod), NULL) == 1 &&
	    count_entries(pc_opendirf(sys, "bus/pci/drivers/%s", dev->driver), is_pci_addr) == 1)
		add(u, "module %s, which drives only this function, has %ld user%s", mod, users,
		    users == 1 ? "" : "s");
}

struct inuse *inuse_open(const struct env *e, bool booted)
{
	struct inuse *u = xcalloc(1, sizeof(*u));

	*u = (struct inuse){.e = e, .booted = booted};
	list_blocks(u);
	return u;
}

void inuse_close(struct inuse *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->nblocks; i++) {
		free(u->blocks[i].name);
		free(u->blocks[i].real);
	}
	free(u->blocks);
	free(u->mountinfo);
	free(u->swaps);
	free(u->route);
	free(u->route6);
	free(u->inet6);
	free(u);
}

char *inuse_holders(struct inuse *u, const struct pci_dev *dev)
{
	_cleanup_free_ char *link = path_cxt_abs(&u->e->sys, "bus/pci/devices/%s", dev->name);
	struct nodes nd;

	if (!(u->devdir = realpath(link, NULL)))
		return NULL;
	sb_init(&u->out);
	u->n = 0;
	blocks(u);
	nets(u);
	/* open handles and module references: on a booted system only (in the initramfs no session
	 * holds a device, and plymouth's or a console's hold on a GPU is no one's data) */
	if (u->booted) {
		dev_nodes(u, dev, &nd);
		if (nd.n)
			openers(u, &nd);
		if (!u->n)
			module_users(u, dev);
	}
	free(u->devdir);
	u->devdir = NULL;
	return u->out.s;
}
