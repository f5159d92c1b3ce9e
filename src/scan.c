// SPDX-License-Identifier: LGPL-2.1-or-later
#include "scan.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void dev_clear_detail(struct pci_dev *dev)
{
	free(dev->driver_override);
	free(dev->physpath);
	free(dev->chain);
	dev->driver_override = dev->physpath = NULL;
	dev->chain = NULL;
	dev->nchain = 0;
	dev->fb = (struct iomem_fb){0};
	dev->variant = NULL;
	dev->variant_missing = false;
	dev->iommu_group = dev->header_type = dev->sriov_numvfs = dev->boot_vga = -1;
	dev->has_detail = false;
}

void pci_list_free(struct pci_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].driver);
		dev_clear_detail(&l->v[i]);
	}
	free(l->v);
	*l = (struct pci_list){0};
}

bool pci_is_bridge(const struct pci_dev *dev)
{
	uint32_t cls = dev->ids.class >> 8;

	if (cls == 0x0600 || cls == 0x0601 || cls == 0x0604 || cls == 0x0609)
		return true;
	return dev->header_type > 0;
}

/* "10DE:1B80" -> two 16-bit values. */
static int parse_pair(const char *s, uint16_t *a, uint16_t *b)
{
	const char *c = strchr(s, ':');
	char tmp[16];
	uint32_t x, y;

	if (!c || (size_t)(c - s) >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, s, (size_t)(c - s));
	tmp[c - s] = '\0';
	if (parse_hex_u32(tmp, &x) < 0 || parse_hex_u32(c + 1, &y) < 0 || x > 0xffff || y > 0xffff)
		return -EINVAL;
	*a = (uint16_t)x;
	*b = (uint16_t)y;
	return 0;
}

/*
 * uevent carries everything the plan needs for an unmatched device:
 * DRIVER=, PCI_CLASS= (uppercase, no leading zero), PCI_ID=, PCI_SUBSYS_ID=.
 * Returns a bit mask of what was found: 1 ids, 2 subsystem, 4 class.
 */
static int parse_uevent(char *buf, struct pci_dev *dev)
{
	int found = 0;
	char *line = buf, *nl;

	for (; *line; line = nl ? nl + 1 : line + strlen(line)) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		switch (line[0]) {
		case 'D':
			if (strncmp(line, "DRIVER=", 7) == 0) {
				free(dev->driver);
				dev->driver = line[7] ? xstrdup(line + 7) : NULL;
			}
			break;
		case 'P':
			if (strncmp(line, "PCI_ID=", 7) == 0) {
				if (parse_pair(line + 7, &dev->ids.vendor, &dev->ids.device) == 0)
					found |= 1;
			} else if (strncmp(line, "PCI_SUBSYS_ID=", 14) == 0) {
				if (parse_pair(line + 14, &dev->ids.subvendor,
					       &dev->ids.subdevice) == 0)
					found |= 2;
			} else if (strncmp(line, "PCI_CLASS=", 10) == 0) {
				uint32_t c;

				if (parse_hex_u32(line + 10, &c) == 0 && c <= 0xffffff) {
					dev->ids.class = c;
					found |= 4;
				}
			}
			break;
		}
		if (!nl)
			break;
	}
	return found;
}

/* DIR/NAME (a device's attribute) into buf; the length or -errno. */
static int read_dev_attr(int dfd, const char *dir, const char *name, char *buf, size_t size)
{
	char path[128];
	int r = path_fmt(path, sizeof(path), "%s/%s", dir, name);

	return r < 0 ? r : read_attr_at(dfd, path, buf, size);
}

static int read_hex_attr(int dfd, const char *dir, const char *name, uint32_t *out)
{
	char buf[32];
	int r = read_dev_attr(dfd, dir, name, buf, sizeof(buf));

	return r < 0 ? r : parse_hex_u32(buf, out);
}

static int read_int_attr(int dfd, const char *dir, const char *name, int *out)
{
	char buf[32], *end;
	long v;
	int r = read_dev_attr(dfd, dir, name, buf, sizeof(buf));

	if (r < 0)
		return r;
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || end == buf || *end || v < 0 || v > 0x7fffffff)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

/* The same facts from the individual attributes, for trees whose uevent is missing or odd. */
static int scan_attrs(int dfd, struct pci_dev *dev, int found)
{
	uint32_t v, d, sv = 0, sd = 0, cls;
	char path[128], link[512];

	if (!(found & 1)) {
		if (read_hex_attr(dfd, dev->name, "vendor", &v) < 0 ||
		    read_hex_attr(dfd, dev->name, "device", &d) < 0 || v > 0xffff || d > 0xffff)
			return -ENODATA;
		dev->ids.vendor = (uint16_t)v;
		dev->ids.device = (uint16_t)d;
		free(dev->driver);
		dev->driver = NULL;
		if (path_fmt(path, sizeof(path), "%s/driver", dev->name) > 0 &&
		    readlink_at(dfd, path, link, sizeof(link)) > 0)
			dev->driver = xstrdup(path_basename(link));
	}
	if (!(found & 2)) {
		if (read_hex_attr(dfd, dev->name, "subsystem_vendor", &sv) == 0 && sv <= 0xffff &&
		    read_hex_attr(dfd, dev->name, "subsystem_device", &sd) == 0 && sd <= 0xffff) {
			dev->ids.subvendor = (uint16_t)sv;
			dev->ids.subdevice = (uint16_t)sd;
		}
	}
	if (!(found & 4)) {
		if (read_hex_attr(dfd, dev->name, "class", &cls) < 0 || cls > 0xffffff)
			return -ENODATA;
		dev->ids.class = cls;
	}
	return 0;
}

static int scan_basic(int dfd, struct pci_dev *dev)
{
	char path[PCI_ADDR_MAX + 8], buf[1024];
	size_t n = strlen(dev->name);
	int r, found = 0;

	/* The hot path: one open, one read, one close per function. */
	memcpy(path, dev->name, n);
	memcpy(path + n, "/uevent", 8);
	r = read_attr_at(dfd, path, buf, sizeof(buf));
	if (r >= 0)
		found = parse_uevent(buf, dev);
	if (found == 7)
		return 0;
	return scan_attrs(dfd, dev, found);
}

static uint64_t addr_key(const struct pci_addr *a)
{
	return (uint64_t)a->domain << 16 | (uint64_t)a->bus << 8 | (uint64_t)(a->dev << 3 | a->fn);
}

static int dev_cmp(const void *a, const void *b)
{
	uint64_t x = addr_key(&((const struct pci_dev *)a)->addr);
	uint64_t y = addr_key(&((const struct pci_dev *)b)->addr);

	return x < y ? -1 : x > y;
}

struct sort_key {
	uint64_t key;
	size_t i;
};

/* A bottom-up merge sort of the keys, stable, with the comparison inline (qsort's calls
 * through a function pointer were an eighth of a big plan's instructions). */
static void sort_keys(struct sort_key *k, size_t n)
{
	_cleanup_free_ struct sort_key *tmp = xmalloc(n * sizeof(*tmp));
	struct sort_key *src = k, *dst = tmp, *t;

	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t a = lo, b = mid, o = lo;

			while (a < mid && b < hi)
				dst[o++] = src[b].key < src[a].key ? src[b++] : src[a++];
			while (a < mid)
				dst[o++] = src[a++];
			while (b < hi)
				dst[o++] = src[b++];
		}
		t = src;
		src = dst;
		dst = t;
	}
	if (src != k)
		memcpy(k, src, n * sizeof(*k));
}

/* Address order. readdir of sysfs is hash order, so this sorts small keys, then moves each
 * device once. */
static void sort_devs(struct pci_list *l)
{
	_cleanup_free_ struct sort_key *k = NULL;
	struct pci_dev *v;
	size_t i;

	for (i = 1; i < l->n; i++)
		if (dev_cmp(&l->v[i - 1], &l->v[i]) > 0)
			break;
	if (i >= l->n)
		return;
	k = xmalloc(l->n * sizeof(*k));
	for (i = 0; i < l->n; i++)
		k[i] = (struct sort_key){addr_key(&l->v[i].addr), i};
	sort_keys(k, l->n);
	v = xmalloc(l->cap * sizeof(*v));
	for (i = 0; i < l->n; i++)
		v[i] = l->v[k[i].i];
	free(l->v);
	l->v = v;
}

static int open_devices_dir(const char *sysfs)
{
	char path[4096];
	int r = path_fmt(path, sizeof(path), "%s/bus/pci/devices", sysfs);

	if (r < 0)
		return r;
	r = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return r < 0 ? -errno : r;
}

/* The pci drivers of SYSFS/module/MOD/drivers ("pci:NAME" entries). */
static void note_drivers_of(const char *sysfs, const char *mod)
{
	char path[4096];
	struct dirent *de;
	DIR *dp;

	if (path_fmt(path, sizeof(path), "%s/module/%s/drivers", sysfs, mod) < 0 ||
	    !(dp = opendir(path)))
		return;
	while ((de = readdir(dp)))
		if (strncmp(de->d_name, "pci:", 4) == 0 && de->d_name[4])
			drv_note_vfio_family(de->d_name + 4);
	closedir(dp);
}

void scan_vfio_family(const char *sysfs)
{
	char path[4096];
	struct dirent *de;
	DIR *dp;

	if (path_fmt(path, sizeof(path), "%s/module/vfio_pci_core/holders", sysfs) < 0 ||
	    !(dp = opendir(path)))
		return;
	while ((de = readdir(dp)))
		if (de->d_name[0] != '.')
			note_drivers_of(sysfs, de->d_name);
	closedir(dp);
}

int scan_devices(const char *sysfs, struct pci_list *l, struct diag *d)
{
	_cleanup_close_ int dfd = -1;
	struct dirent *de;
	DIR *dp;

	dfd = open_devices_dir(sysfs);
	if (dfd < 0)
		return dfd;
	scan_vfio_family(sysfs);
	dp = fdopendir(dup(dfd));
	if (!dp)
		return -errno;
	while ((de = readdir(dp))) {
		struct pci_dev dev = {0};
		int r;

		if (de->d_name[0] == '.')
			continue;
		if (pci_addr_parse(de->d_name, &dev.addr) < 0 ||
		    strlen(de->d_name) >= PCI_ADDR_MAX) {
			diag_warn(d, DIAG_SYSFS, "bus/pci/devices/%s: not a PCI address; skipped",
				  de->d_name);
			continue;
		}
		memcpy(dev.name, de->d_name, strlen(de->d_name) + 1);
		dev.iommu_group = dev.header_type = dev.sriov_numvfs = dev.boot_vga = -1;
		r = scan_basic(dfd, &dev);
		if (r < 0) {
			diag_warn(d, DIAG_SYSFS, "%s: cannot read its ids (%s); skipped", dev.name,
				  strerror(-r));
			free(dev.driver);
			continue;
		}
		grow((void **)&l->v, &l->cap, l->n, sizeof(*l->v));
		l->v[l->n++] = dev;
	}
	closedir(dp);
	sort_devs(l);
	return 0;
}

int scan_device(const char *sysfs, const struct pci_addr *a, struct pci_dev *dev)
{
	scan_vfio_family(sysfs);
	*dev = (struct pci_dev){.addr = *a};
	pci_addr_fmt(a, dev->name);
	dev->iommu_group = dev->header_type = dev->sriov_numvfs = dev->boot_vga = -1;
	return scan_refresh(sysfs, dev);
}

int scan_refresh(const char *sysfs, struct pci_dev *dev)
{
	_cleanup_close_ int dfd = open_devices_dir(sysfs);

	if (dfd < 0)
		return dfd;
	free(dev->driver);
	dev->driver = NULL;
	return scan_basic(dfd, dev);
}

/*
 * Walks the components of a device's sysfs link target below "devices/": into phys (when not
 * NULL) the physical path, a PCI function as "DD.F" and anything else as it is; into chain
 * (when not NULL) the PCI functions, root first. Returns how many functions.
 */
static size_t walk_devpath(const char *target, struct strbuf *phys, struct pci_addr **chain)
{
	const char *p = strstr(target, "devices/");
	size_t n = 0, cap = 0;

	if (!p)
		return 0;
	for (p += 8; *p;) {
		const char *e = strchrnul(p, '/');
		char comp[64];
		struct pci_addr a;
		size_t len = (size_t)(e - p);

		if (len && len < sizeof(comp)) {
			bool fn;

			memcpy(comp, p, len);
			comp[len] = '\0';
			fn = pci_addr_parse(comp, &a) == 0;
			if (phys) {
				if (phys->len)
					sb_addc(phys, '/');
				if (fn)
					sb_addf(phys, "%02x.%x", a.dev, a.fn);
				else
					sb_add(phys, comp);
			}
			if (fn && chain) {
				grow((void **)chain, &cap, n, sizeof(**chain));
				(*chain)[n] = a;
			}
			n += fn;
		}
		p = *e ? e + 1 : e;
	}
	return n;
}

char *scan_physpath_of(const char *target)
{
	struct strbuf sb;

	if (!strstr(target, "devices/"))
		return NULL;
	sb_init(&sb);
	sb_add(&sb, "");
	walk_devpath(target, &sb, NULL);
	return sb.s;
}

size_t scan_chain_of(const char *target, struct pci_addr **out)
{
	*out = NULL;
	return walk_devpath(target, NULL, out);
}

/* at: the device's directory */
static int read_header_type(int at)
{
	unsigned char cfg[64];
	_cleanup_close_ int fd = -1;
	ssize_t n;

	fd = openat(at, "config", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, cfg, sizeof(cfg));
	if (n < 16)
		return -1;
	return cfg[0x0e] & 0x7f;
}

/*
 * The kernel keeps a function's class consistent with its header type: pci_setup_device()
 * accepts header type 1 only with class 0x0604 and type 2 only with 0x0607, and clears the
 * class of a function that contradicts its header ("ignoring class ... doesn't match header
 * type"). So only an undefined class or a CardBus one leaves the type open: config is read
 * for those alone.
 */
static int header_type_of(int at, const struct pci_dev *dev)
{
	uint32_t cls = dev->ids.class >> 8;

	if (cls == 0x0000 || cls == 0x0607)
		return read_header_type(at);
	return cls == 0x0604 ? 1 : 0;
}

int scanner_open(struct scanner *s, const char *sysfs)
{
	s->sysfs = sysfs;
	s->dfd = open_devices_dir(sysfs);
	return s->dfd < 0 ? s->dfd : 0;
}

void scanner_close(struct scanner *s)
{
	closep(&s->dfd);
	s->dfd = -1;
}

void scan_detail(struct scanner *s, struct pci_dev *dev, unsigned want, struct diag *d)
{
	_cleanup_close_ int at = -1;
	char buf[512];
	int dfd = s->dfd, r;

	if (dev->has_detail)
		return;
	dev_clear_detail(dev);
	dev->has_detail = true;
	if (dfd < 0)
		return;
	/* The device's directory once: each attribute then costs no walk of its sysfs link. */
	at = openat(dfd, dev->name, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (at < 0)
		return;
	if ((want & DETAIL_OVERRIDE) && read_attr_at(at, "driver_override", buf, sizeof(buf)) > 0 &&
	    strcmp(buf, "(null)") != 0)
		dev->driver_override = xstrdup(buf);
	{
		r = readlink_at(at, "iommu_group", buf, sizeof(buf));
		if (r > 0) {
			const char *b = path_basename(buf);
			char *end;
			unsigned long v = strtoul(b, &end, 10);

			if (*b && !*end && v <= 0x7fffffff)
				dev->iommu_group = (int)v;
			else
				diag_warn(d, DIAG_SYSFS, "%s: odd iommu_group link %s", dev->name,
					  buf);
		} else if (r != -ENOENT) {
			diag_warn(d, DIAG_SYSFS, "%s: cannot read iommu_group: %s", dev->name,
				  strerror(-r));
		}
	}
	dev->header_type = header_type_of(at, dev);
	if (read_int_attr(at, ".", "sriov_numvfs", &dev->sriov_numvfs) < 0)
		dev->sriov_numvfs = -1;
	/* The kernel has boot_vga only on VGA-class functions (pci_dev_attrs_are_visible()). */
	if ((dev->ids.class >> 8) == 0x0300 &&
	    read_int_attr(at, ".", "boot_vga", &dev->boot_vga) < 0)
		dev->boot_vga = -1;
	if ((want & DETAIL_PHYSPATH) && readlink_at(dfd, dev->name, buf, sizeof(buf)) > 0) {
		dev->physpath = scan_physpath_of(buf);
		dev->nchain = scan_chain_of(buf, &dev->chain);
	}
}

void scan_physpath(struct scanner *s, struct pci_dev *dev)
{
	char buf[512];

	if (!dev->physpath && s->dfd >= 0 && readlink_at(s->dfd, dev->name, buf, sizeof(buf)) > 0) {
		dev->physpath = scan_physpath_of(buf);
		dev->nchain = scan_chain_of(buf, &dev->chain);
	}
}

int scan_group_members(const char *sysfs, int group, struct pci_addr **out)
{
	char path[4096];
	struct dirent *de;
	size_t n = 0, cap = 0;
	DIR *dp;

	*out = NULL;
	if (path_fmt(path, sizeof(path), "%s/kernel/iommu_groups/%d/devices", sysfs, group) < 0)
		return -ENAMETOOLONG;
	dp = opendir(path);
	if (!dp)
		return -errno;
	while ((de = readdir(dp))) {
		struct pci_addr a;

		if (pci_addr_parse(de->d_name, &a) < 0)
			continue;
		grow((void **)out, &cap, n, sizeof(**out));
		(*out)[n++] = a;
	}
	closedir(dp);
	return (int)n;
}

int scan_device_group(const char *sysfs, const struct pci_addr *a)
{
	char path[4096], link[4096], name[PCI_ADDR_MAX];
	const char *base;
	ssize_t n;
	char *end;
	long v;

	if (path_fmt(path, sizeof(path), "%s/bus/pci/devices/%s/iommu_group", sysfs,
		     pci_addr_fmt(a, name)) < 0)
		return -ENAMETOOLONG;
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	base = path_basename(link);
	v = strtol(base, &end, 10);
	if (end == base || *end || v < 0 || v > INT_MAX)
		return -EINVAL;
	return (int)v;
}

bool scan_have_iommu(const char *sysfs)
{
	char path[4096];
	struct dirent *de;
	bool any = false;
	DIR *dp;

	if (path_fmt(path, sizeof(path), "%s/kernel/iommu_groups", sysfs) < 0)
		return false;
	dp = opendir(path);
	if (!dp)
		return false;
	while (!any && (de = readdir(dp)))
		any = de->d_name[0] != '.';
	closedir(dp);
	return any;
}

struct pci_dev *pci_list_find(const struct pci_list *l, const struct pci_addr *a)
{
	struct pci_dev key = {.addr = *a};

	if (!l->n)
		return NULL;
	return bsearch(&key, l->v, l->n, sizeof(*l->v), dev_cmp);
}
