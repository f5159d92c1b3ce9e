// SPDX-License-Identifier: LGPL-2.1-or-later
#include "scan.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "names.h"
#include "util.h"

static void dev_clear_detail(struct pci_dev *dev)
{
	free(dev->driver_override);
	free(dev->physpath);
	free(dev->chain);
	free(dev->reset_methods);
	dev->driver_override = dev->physpath = dev->reset_methods = NULL;
	dev->chain = NULL;
	dev->nchain = 0;
	dev->iommu_group = dev->header_type = dev->sriov_numvfs = dev->sriov_totalvfs = -1;
	dev->boot_vga = dev->boot_display = -1;
	dev->has_detail = false;
}

void pci_list_free(struct pci_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		dev_clear_detail(&l->v[i]);
	free(l->v);
	*l = (struct pci_list){0};
}

bool pci_is_bridge(const struct pci_dev *dev)
{
	unsigned cls = pci_class(&dev->ids);

	if (pci_class_is_bridge(cls))
		return true;
	return dev->header_type > 0;
}

/* "10DE:1B80" (up to the end e) -> two 16-bit values. */
static int parse_pair(const char *s, const char *e, uint16_t *a, uint16_t *b)
{
	const char *c;
	uint32_t x, y;

	/* the kernel's "%04X:%04X"; "0x" is allowed as parse_hex_n allows it */
	c = memchr(s, ':', (size_t)(e - s));

	if (!c || parse_hex_n(s, (size_t)(c - s), &x) < 0 ||
	    parse_hex_n(c + 1, (size_t)(e - c - 1), &y) < 0 || x > 0xffff || y > 0xffff)
		return -EINVAL;
	*a = (uint16_t)x;
	*b = (uint16_t)y;
	return 0;
}

static bool has_key(const char *line, const char *e, const char *key, size_t n)
{
	return (size_t)(e - line) >= n && memcmp(line, key, n) == 0;
}

/*
 * uevent carries everything the plan needs for an unmatched device:
 * DRIVER=, PCI_CLASS= (uppercase, no leading zero), PCI_ID=, PCI_SUBSYS_ID=.
 * Returns a bit mask of what was found: 1 ids, 2 subsystem, 4 class.
 */
static int parse_uevent(const char *buf, size_t len, struct pci_dev *dev)
{
	const char *line = buf, *end = buf + len;
	int found = 0;

	while (line < end) {
		const char *e = memchr(line, '\n', (size_t)(end - line));
		uint32_t c;

		if (!e)
			e = end;
		if (line[0] == 'D' && has_key(line, e, "DRIVER=", 7)) {
			dev->driver =
			    e > line + 7 ? str_intern(line + 7, (size_t)(e - line - 7)) : NULL;
		} else if (line[0] == 'P' && has_key(line, e, "PCI_", 4)) {
			const char *k = line + 4;

			if (has_key(k, e, "ID=", 3)) {
				if (parse_pair(k + 3, e, &dev->ids.vendor, &dev->ids.device) == 0)
					found |= 1;
			} else if (has_key(k, e, "SUBSYS_ID=", 10)) {
				if (parse_pair(k + 10, e, &dev->ids.subvendor,
					       &dev->ids.subdevice) == 0)
					found |= 2;
			} else if (has_key(k, e, "CLASS=", 6)) {
				if (parse_hex_n(k + 6, (size_t)(e - k - 6), &c) == 0 &&
				    c <= 0xffffff) {
					dev->ids.class = c;
					found |= 4;
				}
			}
		}
		line = e + 1;
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

/* A decimal attribute `name` of the device directory open as at. */
static int read_int_attr(int at, const char *name, int *out)
{
	char buf[32], *end;
	long v;
	int r = read_attr_at(at, name, buf, sizeof(buf));

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
		dev->driver = NULL;
		if (path_fmt(path, sizeof(path), "%s/driver", dev->name) > 0 &&
		    readlink_at(dfd, path, link, sizeof(link)) > 0) {
			const char *b = path_basename(link);

			dev->driver = str_intern(b, strlen(b));
		}
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
		found = parse_uevent(buf, (size_t)r, dev);
	if (found == 7)
		return 0;
	return scan_attrs(dfd, dev, found);
}

static uint64_t addr_key(const struct pci_addr *a)
{
	return (uint64_t)a->domain << 16 | (uint64_t)a->bus << 8 | (uint64_t)(a->dev << 3 | a->fn);
}

static struct pci_addr key_addr(uint64_t k)
{
	return (struct pci_addr){.domain = (uint32_t)(k >> 16),
				 .bus = (uint8_t)(k >> 8),
				 .dev = (uint8_t)((k >> 3) & 0x1f),
				 .fn = (uint8_t)(k & 7)};
}

/*
 * A stable LSD radix sort of the keys, a byte at a time, skipping the bytes that are the same in
 * every key (a domain's high bytes, mostly): three passes over a usual tree, where a comparison
 * sort of thousands of functions made a tenth of a big plan's instructions.
 */
static void sort_keys(uint64_t *k, size_t n)
{
	_cleanup_free_ uint64_t *tmp = NULL;
	uint64_t *src = k, *dst, *t;
	uint64_t all_or = 0, all_and = UINT64_MAX;

	for (size_t i = 0; i < n; i++) {
		all_or |= k[i];
		all_and &= k[i];
	}
	dst = tmp = xmalloc(n * sizeof(*tmp));
	for (unsigned shift = 0; shift < 64; shift += 8) {
		size_t count[256] = {0}, pos = 0;

		if ((((all_or ^ all_and) >> shift) & 0xff) == 0)
			continue;
		for (size_t i = 0; i < n; i++)
			count[(src[i] >> shift) & 0xff]++;
		for (size_t d = 0; d < 256; d++) {
			size_t c = count[d];

			count[d] = pos;
			pos += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[count[(src[i] >> shift) & 0xff]++] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
	if (src != k)
		memcpy(k, src, n * sizeof(*k));
}

static int open_devices_dir(const struct path_cxt *sys)
{
	return pc_openf(sys, O_RDONLY | O_DIRECTORY, "bus/pci/devices");
}

/* The pci drivers of SYSFS/module/MOD/drivers ("pci:NAME" entries). */
static void note_drivers_of(const struct path_cxt *sys, const char *mod)
{
	struct dirent *de;
	DIR *dp = pc_opendirf(sys, "module/%s/drivers", mod);

	if (!dp)
		return;
	while ((de = readdir(dp)))
		if (strncmp(de->d_name, "pci:", 4) == 0 && de->d_name[4])
			drv_note_vfio_family(de->d_name + 4);
	closedir(dp);
}

void scan_vfio_family(const struct path_cxt *sys)
{
	struct dirent *de;
	DIR *dp = pc_opendirf(sys, "module/vfio_pci_core/holders");

	if (!dp)
		return;
	while ((de = readdir(dp)))
		if (de->d_name[0] != '.')
			note_drivers_of(sys, de->d_name);
	closedir(dp);
}

/* A directory name that is not the canonical form of its address (never seen from the kernel). */
struct odd_name {
	uint64_t key;
	char name[PCI_ADDR_MAX];
};

struct fn_list {
	uint64_t *keys; /* addr_key() of each, in address order */
	size_t n;
	struct odd_name *odd;
	size_t nodd;
};

/* A parsed address of the kernel's 12 characters ("0000:01:00.0") with no uppercase digit is
 * what pci_addr_fmt() makes of it. */
static bool canonical(const char *name, size_t len)
{
	if (len != 12)
		return false;
	for (size_t i = 0; i < len; i++)
		if (name[i] >= 'A' && name[i] <= 'F')
			return false;
	return true;
}

/* The PCI functions in the open bus/pci/devices, in address order (readdir of sysfs is hash
 * order). Names are kept only where they are not what pci_addr_fmt() makes of the address. */
static void list_functions(int dfd, struct fn_list *fl, struct diag *d)
{
	_cleanup_free_ char *buf = xmalloc(32768);
	size_t cap = 0, ocap = 0;
	bool sorted = true;
	ssize_t got;

	*fl = (struct fn_list){0};
	/* getdents64 on the directory itself: no stream, no second descriptor */
	while ((got = getdents64(dfd, buf, 32768)) > 0) {
		for (ssize_t off = 0; off < got;) {
			const struct dirent64 *de = (const struct dirent64 *)(buf + off);
			size_t len = strlen(de->d_name);
			char canon[PCI_ADDR_MAX];
			struct pci_addr a;
			uint64_t key;

			off += de->d_reclen;
			if (de->d_name[0] == '.')
				continue;
			if (len >= PCI_ADDR_MAX || pci_addr_parse(de->d_name, &a) < 0) {
				diag_warn(d, DIAG_SYSFS,
					  "bus/pci/devices/%s: not a PCI address; skipped",
					  de->d_name);
				continue;
			}
			key = addr_key(&a);
			if (!canonical(de->d_name, len) &&
			    memcmp(pci_addr_fmt(&a, canon), de->d_name, len + 1) != 0) {
				grow((void **)&fl->odd, &ocap, fl->nodd, sizeof(*fl->odd));
				fl->odd[fl->nodd].key = key;
				memcpy(fl->odd[fl->nodd++].name, de->d_name, len + 1);
			}
			grow((void **)&fl->keys, &cap, fl->n, sizeof(*fl->keys));
			fl->keys[fl->n] = key;
			sorted = sorted && (fl->n == 0 || fl->keys[fl->n - 1] < key);
			fl->n++;
		}
	}
	if (!sorted)
		sort_keys(fl->keys, fl->n);
	/* an address under a name of the kernel's and under another too: the kernel's name wins */
	for (size_t i = 0; i < fl->nodd;) {
		size_t names = 0, odd = 0;

		for (size_t k = 0; k < fl->n; k++)
			names += fl->keys[k] == fl->odd[i].key;
		for (size_t k = 0; k < fl->nodd; k++)
			odd += fl->odd[k].key == fl->odd[i].key;
		if (names > odd)
			fl->odd[i] = fl->odd[--fl->nodd];
		else
			i++;
	}
}

/* The directory name of the function with this key. */
static void fn_name(const struct fn_list *fl, uint64_t key, char *name)
{
	struct pci_addr a = key_addr(key);

	for (size_t i = 0; i < fl->nodd; i++)
		if (fl->odd[i].key == key) {
			memcpy(name, fl->odd[i].name, sizeof(fl->odd[i].name));
			return;
		}
	pci_addr_fmt(&a, name);
}

int scan_devices(const struct path_cxt *sys, struct pci_list *l, struct diag *d)
{
	struct scanner s;
	int r = scanner_open(&s, sys);

	if (r == 0)
		scan_devices_in(&s, l, d);
	scanner_close(&s);
	return r;
}

void scan_devices_in(struct scanner *s, struct pci_list *l, struct diag *d)
{
	int dfd = s->dfd;
	struct fn_list fl;

	scan_vfio_family(s->sys);
	list_functions(dfd, &fl, d);
	/* each function is read in address order straight into its place */
	l->v = fl.n ? xmalloc(fl.n * sizeof(*l->v)) : NULL;
	l->cap = fl.n;
	l->n = 0;
	for (size_t k = 0; k < fl.n; k++) {
		struct pci_dev *dev = &l->v[l->n];
		int r;

		if (k > 0 && fl.keys[k] == fl.keys[k - 1]) {
			char a[PCI_ADDR_MAX];
			struct pci_addr pa = key_addr(fl.keys[k]);

			diag_warn(d, DIAG_SYSFS,
				  "bus/pci/devices names %s more than once: read once",
				  pci_addr_fmt(&pa, a));
			continue;
		}
		*dev = (struct pci_dev){.addr = key_addr(fl.keys[k]),
					.iommu_group = -1,
					.header_type = -1,
					.sriov_numvfs = -1,
					.sriov_totalvfs = -1,
					.boot_vga = -1,
					.boot_display = -1};
		fn_name(&fl, fl.keys[k], dev->name);
		r = scan_basic(dfd, dev);
		if (r < 0) {
			diag_warn(d, DIAG_SYSFS, "%s: cannot read its ids (%s); skipped", dev->name,
				  strerror(-r));
			continue;
		}
		l->n++;
	}
	free(fl.keys);
	free(fl.odd);
}

int scan_device(const struct path_cxt *sys, const struct pci_addr *a, struct pci_dev *dev)
{
	scan_vfio_family(sys);
	*dev = (struct pci_dev){.addr = *a};
	pci_addr_fmt(a, dev->name);
	dev->iommu_group = dev->header_type = dev->sriov_numvfs = dev->sriov_totalvfs = -1;
	dev->boot_vga = dev->boot_display = -1;
	return scan_refresh(sys, dev);
}

int scan_refresh(const struct path_cxt *sys, struct pci_dev *dev)
{
	_cleanup_close_ int dfd = open_devices_dir(sys);

	if (dfd < 0)
		return dfd;
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
	unsigned cls = pci_class(&dev->ids);

	if (cls == PCI_CLASS_NOT_DEFINED || cls == PCI_CLASS_BRIDGE_CARDBUS)
		return read_header_type(at);
	return cls == PCI_CLASS_BRIDGE_PCI ? 1 : 0;
}

void scan_header_type(struct scanner *s, struct pci_dev *dev)
{
	unsigned cls = pci_class(&dev->ids);
	_cleanup_close_ int at = -1;

	if (dev->has_detail || dev->header_type >= 0)
		return;
	if (cls != PCI_CLASS_NOT_DEFINED &&
	    cls != PCI_CLASS_BRIDGE_CARDBUS) { /* the class tells, as header_type_of() says */
		dev->header_type = cls == PCI_CLASS_BRIDGE_PCI ? 1 : 0;
		return;
	}
	at = s->dfd < 0 ? -1 : openat(s->dfd, dev->name, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (at >= 0)
		dev->header_type = header_type_of(at, dev);
}

int scanner_open(struct scanner *s, const struct path_cxt *sys)
{
	s->sys = sys;
	s->gfd = -1;
	s->boot_vga_seen = s->boot_display_seen = false;
	s->dfd = open_devices_dir(sys);
	return s->dfd < 0 ? s->dfd : 0;
}

void scanner_close(struct scanner *s)
{
	closep(&s->dfd);
	closep(&s->gfd);
	s->dfd = s->gfd = -1;
}

/* The group number an iommu_group link ("../../../kernel/iommu_groups/12") names, or -EINVAL. */
static int group_of_link(const char *target)
{
	const char *b = path_basename(target);
	char *end;
	unsigned long v = strtoul(b, &end, 10);

	return *b >= '0' && *b <= '9' && !*end && v <= INT_MAX ? (int)v : -EINVAL;
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
	/* on vfio-pci or pci-stub: by a driver_override, or by a dynamic id (ids=)? */
	if ((want & DETAIL_OVERRIDE || drv_from_bound(dev->driver) != DRV_NONE) &&
	    read_attr_at(at, "driver_override", buf, sizeof(buf)) > 0 && strcmp(buf, "(null)") != 0)
		dev->driver_override = xstrdup(buf);
	r = readlink_at(at, "iommu_group", buf, sizeof(buf));
	if (r > 0 && group_of_link(buf) >= 0)
		dev->iommu_group = group_of_link(buf);
	else if (r > 0)
		diag_warn(d, DIAG_SYSFS, "%s: odd iommu_group link %s", dev->name, buf);
	else if (r != -ENOENT)
		diag_warn(d, DIAG_SYSFS, "%s: cannot read iommu_group: %s", dev->name,
			  strerror(-r));
	dev->header_type = header_type_of(at, dev);
	if (read_int_attr(at, "sriov_numvfs", &dev->sriov_numvfs) < 0)
		dev->sriov_numvfs = -1;
	else if (read_int_attr(at, "sriov_totalvfs", &dev->sriov_totalvfs) < 0)
		dev->sriov_totalvfs = -1;
	/*
	 * The kernel has boot_vga only on VGA-class functions (pci_dev_attrs_are_visible()), and
	 * it is 1 on one of them at most (vga_default_device()): once that one is read, the rest
	 * are 0 without a read.
	 */
	if (pci_class(&dev->ids) == PCI_CLASS_DISPLAY_VGA) {
		if (s->boot_vga_seen)
			dev->boot_vga = 0;
		else if (read_int_attr(at, "boot_vga", &dev->boot_vga) < 0)
			dev->boot_vga = -1;
		else if (dev->boot_vga == 1)
			s->boot_vga_seen = true;
	}
	/* kernels >= 6.18 mark the boot display of any display class (an APU's 0380 too) with
	 * boot_display, present on that one function only (video_is_primary_device()); a VGA one
	 * says it with boot_vga already */
	if (pci_base_class(&dev->ids) == PCI_BASE_CLASS_DISPLAY &&
	    pci_class(&dev->ids) != PCI_CLASS_DISPLAY_VGA && !s->boot_display_seen &&
	    read_int_attr(at, "boot_display", &dev->boot_display) == 0 && dev->boot_display == 1)
		s->boot_display_seen = true;
	if ((want & DETAIL_RESET) && read_attr_at(at, "reset_method", buf, sizeof(buf)) >= 0)
		dev->reset_methods = xstrdup(buf);
	if ((want & DETAIL_PHYSPATH) && readlink_at(dfd, dev->name, buf, sizeof(buf)) > 0) {
		dev->physpath = scan_physpath_of(buf);
		dev->nchain = scan_chain_of(buf, &dev->chain);
	}
}

int scan_vfs(struct scanner *s, const struct pci_dev *pf, struct pci_addr **out)
{
	size_t n = 0, cap = 0;

	*out = NULL;
	for (int k = 0; k < pf->sriov_numvfs; k++) {
		char rel[PCI_ADDR_MAX + 24], link[512];
		struct pci_addr a;

		if (path_fmt(rel, sizeof(rel), "%s/virtfn%d", pf->name, k) < 0 ||
		    readlink_at(s->dfd, rel, link, sizeof(link)) < 0 ||
		    pci_addr_parse(path_basename(link), &a) < 0)
			continue;
		grow((void **)out, &cap, n, sizeof(**out));
		(*out)[n++] = a;
	}
	return (int)n;
}

int scan_physfn(const struct path_cxt *sys, struct pci_dev *dev)
{
	char path[4096], link[512];
	struct pci_dev pf;
	struct pci_addr *vfs = NULL;
	struct scanner s;
	int r, n;

	r = pc_readlinkf(sys, link, sizeof(link), "bus/pci/devices/%s/physfn", dev->name);
	if (r < 0)
		return r;
	if (pci_addr_parse(path_basename(link), &dev->physfn) < 0)
		return -EINVAL;
	pf = (struct pci_dev){.addr = dev->physfn};
	pci_addr_fmt(&pf.addr, pf.name);
	if ((r = scanner_open(&s, sys)) < 0)
		return r;
	if (path_fmt(path, sizeof(path), "%s/sriov_numvfs", pf.name) < 0 ||
	    read_attr_at(s.dfd, path, link, sizeof(link)) < 0)
		pf.sriov_numvfs = 0;
	else
		pf.sriov_numvfs = atoi(link);
	n = scan_vfs(&s, &pf, &vfs);
	scanner_close(&s);
	for (int k = 0; k < n; k++)
		if (pci_addr_cmp(&vfs[k], &dev->addr) == 0) {
			dev->vf_index = k;
			dev->is_vf = true;
		}
	free(vfs);
	return dev->is_vf ? 0 : -ENOENT;
}

void scan_physpath(struct scanner *s, struct pci_dev *dev)
{
	char buf[512];

	if (!dev->physpath && s->dfd >= 0 && readlink_at(s->dfd, dev->name, buf, sizeof(buf)) > 0) {
		dev->physpath = scan_physpath_of(buf);
		dev->nchain = scan_chain_of(buf, &dev->chain);
	}
}

/* The PCI addresses in an open directory (an IOMMU group's devices), which it closes. */
static int read_members(int fd, struct pci_addr **out)
{
	_cleanup_close_ int dfd = fd;
	char buf[4096];
	size_t n = 0, cap = 0;
	ssize_t got;

	*out = NULL;
	while ((got = getdents64(dfd, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < got;) {
			const struct dirent64 *de = (const struct dirent64 *)(buf + off);
			struct pci_addr a;

			off += de->d_reclen;
			if (pci_addr_parse(de->d_name, &a) < 0)
				continue;
			grow((void **)out, &cap, n, sizeof(**out));
			(*out)[n++] = a;
		}
	}
	if (got < 0) {
		free(*out);
		*out = NULL;
		return -errno;
	}
	return (int)n;
}

int scan_group_members(const struct path_cxt *sys, int group, struct pci_addr **out)
{
	int fd = pc_openf(sys, O_RDONLY | O_DIRECTORY, "kernel/iommu_groups/%d/devices", group);

	*out = NULL;
	return fd < 0 ? fd : read_members(fd, out);
}

int scanner_group_members(struct scanner *s, int group, struct pci_addr **out)
{
	char num[UINT_STR_MAX], rel[32];
	const char *n = fmt_uint((unsigned)group, num);
	size_t len = strlen(n);
	int fd;

	*out = NULL;
	if (s->gfd < 0) {
		s->gfd = pc_openf(s->sys, O_PATH | O_DIRECTORY, "kernel/iommu_groups");
		if (s->gfd < 0)
			return s->gfd;
	}
	/* "N/devices" without printf: a plan lists a group per claimed slot */
	memcpy(rel, n, len);
	memcpy(rel + len, "/devices", 9);
	fd = openat(s->gfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : read_members(fd, out);
}

int scan_device_group(const struct path_cxt *sys, const struct pci_addr *a)
{
	char link[4096], name[PCI_ADDR_MAX];
	int n = pc_readlinkf(sys, link, sizeof(link), "bus/pci/devices/%s/iommu_group",
			     pci_addr_fmt(a, name));

	return n < 0 ? n : group_of_link(link);
}

bool scan_module_builtin(const struct path_cxt *sys, const char *module)
{
	_cleanup_close_ int fd = pc_openf(sys, O_PATH | O_DIRECTORY, "module/%s", module);

	/* a built-in module with parameters (vfio_pci and pci_stub have ids=) has its directory,
	 * a loaded one also its initstate */
	return fd >= 0 && faccessat(fd, "initstate", F_OK, 0) != 0;
}

int scan_override(const struct path_cxt *sys, struct pci_dev *dev)
{
	char buf[256];
	int r = pc_readf(sys, buf, sizeof(buf), "bus/pci/devices/%s/driver_override", dev->name);

	if (r < 0)
		return r;
	free(dev->driver_override);
	dev->driver_override = r > 0 && strcmp(buf, "(null)") != 0 ? xstrdup(buf) : NULL;
	return 0;
}

bool scan_group_noiommu(const struct path_cxt *sys, int group)
{
	char name[32];

	return pc_readf(sys, name, sizeof(name), "kernel/iommu_groups/%d/name", group) > 0 &&
	       strcmp(name, "vfio-noiommu") == 0;
}

bool scan_have_iommu(const struct path_cxt *sys)
{
	struct dirent *de;
	bool any = false;
	DIR *dp = pc_opendirf(sys, "kernel/iommu_groups");

	if (!dp)
		return false;
	while (!any && (de = readdir(dp)))
		any = de->d_name[0] != '.';
	closedir(dp);
	return any;
}

struct pci_dev *pci_list_find(const struct pci_list *l, const struct pci_addr *a)
{
	uint64_t key = addr_key(a);
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint64_t k = addr_key(&l->v[mid].addr);

		if (k == key)
			return &l->v[mid];
		if (k < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
