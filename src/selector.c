// SPDX-License-Identifier: LGPL-2.1-or-later
#include "selector.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/*
 * The kernel's vsscanf(s, "%x:%x:%x:%x:%x:%x", ...): a literal ':' must match between fields,
 * an empty rest stops, spaces before a number are skipped, "0x" is skipped, digits accumulate
 * into 64 bits (wrapping) and are stored truncated to unsigned int.
 */
int id_parse(const char *s, struct id_sel *out, const char **rest, bool *overflow)
{
	uint32_t v[6] = {0, 0, PCI_ANY_ID, PCI_ANY_ID, 0, 0};
	const char *p = s;
	int n = 0;

	*overflow = false;
	while (n < 6) {
		const char *start = p;
		uint64_t acc = 0;

		if (n > 0) {
			if (*p != ':')
				break;
			p++;
		}
		if (!*p) {
			p = start;
			break;
		}
		while (k_isspace(*p))
			p++;
		if (hex_value(*p) < 0) {
			p = start;
			break;
		}
		if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
			p += 2;
		for (; hex_value(*p) >= 0; p++) {
			if (acc > 0x0fffffffu)
				*overflow = true;
			acc = acc << 4 | (uint64_t)hex_value(*p);
		}
		v[n++] = (uint32_t)acc;
	}
	out->vendor = v[0];
	out->device = v[1];
	out->subvendor = v[2];
	out->subdevice = v[3];
	out->class = v[4];
	out->class_mask = v[5];
	*rest = p;
	return n;
}

bool id_match(const struct id_sel *m, const struct pci_ids *d)
{
	return (m->vendor == PCI_ANY_ID || m->vendor == d->vendor) &&
	       (m->device == PCI_ANY_ID || m->device == d->device) &&
	       (m->subvendor == PCI_ANY_ID || m->subvendor == d->subvendor) &&
	       (m->subdevice == PCI_ANY_ID || m->subdevice == d->subdevice) &&
	       !((m->class ^ d->class) & m->class_mask);
}

/* A hex number of 1-8 digits as sscanf's %x reads it here; returns where it ended, or NULL. */
static const char *hexnum(const char *s, uint32_t *out)
{
	const char *p = s;
	uint32_t v = 0;

	while (hex_value(*p) >= 0 && p - s < 8)
		p++;
	if (p == s || hex_value(*p) >= 0 || hex_digits(s, (size_t)(p - s), &v) < 0)
		return NULL;
	*out = v;
	return p;
}

/* "[SEG:]BUS:DEV.FN" at the top of a path, in the kernel's lenient hex. */
static int path_top(const char *s, const char *end, struct pci_addr *a)
{
	uint32_t f[4];
	const char *p = s;
	int n = 0;

	/* hex fields separated by ':' up to the '.', then the function up to end */
	while (n < 3) {
		p = hexnum(p, &f[n++]);
		if (!p || p >= end)
			return -EINVAL;
		if (*p == '.')
			break;
		if (*p != ':')
			return -EINVAL;
		p++;
	}
	if (*p != '.' || n < 2 || !(p = hexnum(p + 1, &f[n++])) || p != end)
		return -EINVAL;
	if (n == 3) {
		f[3] = f[2], f[2] = f[1], f[1] = f[0], f[0] = 0;
	}
	if (f[1] > 0xff || f[2] > 0x1f || f[3] > 7)
		return -EINVAL;
	*a = (struct pci_addr){
	    .domain = f[0], .bus = (uint8_t)f[1], .dev = (uint8_t)f[2], .fn = (uint8_t)f[3]};
	return 0;
}

int where_parse(const char *s, struct claim_sel *out, const char **why)
{
	const char *slash;

	if (strncmp(s, "pci:", 4) == 0) {
		uint32_t f[4] = {0};
		const char *p = s + 4;
		int n = 0;

		while (n < 4) {
			p = hexnum(p, &f[n]);
			if (!p || f[n] > 0xffff)
				break;
			n++;
			if (*p != ':')
				break;
			p++;
		}
		if (!p || *p || (n != 2 && n != 4)) {
			*why = "not a PCI address: pci: needs VVVV:DDDD or VVVV:DDDD:SSSS:SSSS";
			return -EINVAL;
		}
		out->kind = SEL_PCIIDS;
		out->pv = (uint16_t)f[0];
		out->pd = (uint16_t)f[1];
		out->psv = (uint16_t)f[2];
		out->psd = (uint16_t)f[3];
		return 0;
	}
	slash = strchr(s, '/');
	if (!slash) {
		if (pci_addr_parse(s, &out->addr) < 0) {
			*why = "not a PCI address ([DOMAIN:]BB:DD.F), path (BB:DD.F/DD.F) or "
			       "pci:VVVV:DDDD";
			return -EINVAL;
		}
		out->kind = SEL_ADDR;
		return 0;
	}
	if (path_top(s, slash, &out->addr) < 0) {
		*why = "not a PCI address: a path starts with [DOMAIN:]BB:DD.F";
		return -EINVAL;
	}
	out->kind = SEL_PATH;
	out->nbelow = 0;
	for (const char *p = slash; *p;) {
		uint32_t d, f;
		const char *q;

		if (*p != '/' || out->nbelow >= SEL_PATH_MAX || !(q = hexnum(p + 1, &d)) ||
		    *q != '.' || !(q = hexnum(q + 1, &f)) || (*q && *q != '/') || d > 0x1f ||
		    f > 7) {
			*why = "not a PCI address: each step of a path is /DD.F (at most 16)";
			return -EINVAL;
		}
		out->below[out->nbelow][0] = (uint8_t)d;
		out->below[out->nbelow][1] = (uint8_t)f;
		out->nbelow++;
		p = q;
	}
	return 0;
}

/* [A-Za-z0-9_-]+, shorter than size: what can name a kernel module */
static bool module_name_ok(const char *s, size_t size)
{
	size_t n = strlen(s);

	return n > 0 && n < size &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789_-") == n;
}

int claim_parse(const char *s, struct claim_sel *out, const char **why)
{
	_cleanup_free_ char *buf = xstrdup(s);
	char *eq, *at;

	*out = (struct claim_sel){.drv = DRV_VFIO};
	eq = strchr(buf, '=');
	if (eq) {
		*eq++ = '\0';
		if (drv_parse(eq, &out->drv) == 0) {
			out->exact = out->drv == DRV_VFIO;
		} else if (module_name_ok(eq, sizeof(out->variant))) {
			/* a vfio-pci variant, as modprobe names modules */
			_cleanup_free_ char *m = module_name(eq, strlen(eq));

			strcpy(out->variant, m);
		} else {
			*why = "not a driver (vfio-pci, pci-stub or a vfio-pci variant module)";
			return -EINVAL;
		}
	}
	at = strchr(buf, '@');
	if (at) {
		char *colon;
		size_t nv, nd;
		uint32_t v, d;

		*at++ = '\0';
		colon = strchr(at, ':');
		nv = colon ? (size_t)(colon - at) : 0;
		nd = colon ? strlen(colon + 1) : 0;
		if (nv > 4 || nd > 4 || hex_digits(at, nv, &v) < 0 ||
		    hex_digits(colon + 1, nd, &d) < 0) {
			*why = "the @ check must be VVVV:DDDD";
			return -EINVAL;
		}
		out->has_ids = true;
		out->vendor = (uint16_t)v;
		out->device = (uint16_t)d;
	}
	return where_parse(buf, out, why);
}

bool sel_matches(const struct claim_sel *s, const struct pci_addr *chain, size_t nchain,
		 const struct pci_ids *ids)
{
	const struct pci_addr *top;

	switch (s->kind) {
	case SEL_PCIIDS:
		return (!s->pv || s->pv == ids->vendor) && (!s->pd || s->pd == ids->device) &&
		       (!s->psv || s->psv == ids->subvendor) &&
		       (!s->psd || s->psd == ids->subdevice);
	case SEL_PATH:
		if (nchain < s->nbelow + 1)
			return false;
		for (size_t k = 0; k < s->nbelow; k++) {
			const struct pci_addr *a = &chain[nchain - s->nbelow + k];

			if (a->dev != s->below[k][0] || a->fn != s->below[k][1])
				return false;
		}
		top = &chain[nchain - s->nbelow - 1];
		return pci_addr_cmp(top, &s->addr) == 0;
	default:
		return nchain && pci_addr_cmp(&chain[nchain - 1], &s->addr) == 0;
	}
}

char *sel_path_of(const struct pci_addr *chain, size_t nchain)
{
	struct strbuf sb;
	char a[PCI_ADDR_MAX];

	if (nchain < 2)
		return NULL;
	sb_init(&sb);
	sb_add(&sb, pci_addr_fmt(&chain[0], a));
	for (size_t i = 1; i < nchain; i++)
		sb_addf(&sb, "/%02x.%x", chain[i].dev, chain[i].fn);
	return sb.s;
}

int sriov_parse(const char *s, struct sriov_sel *out, const char **why)
{
	_cleanup_free_ char *buf = xstrdup(s);
	char *eq = strchr(buf, '='), *colon, *end;
	enum drv drv = DRV_VFIO;
	unsigned long n;

	*out = (struct sriov_sel){0};
	if (eq) {
		*eq++ = '\0';
		if (drv_parse(eq, &drv) < 0) {
			*why = "unknown driver (vfio-pci or pci-stub)";
			return -EINVAL;
		}
	}
	colon = strrchr(buf, ':');
	if (!colon || !colon[1]) {
		*why = "expected WHERE:N, N the number of VFs";
		return -EINVAL;
	}
	*colon++ = '\0';
	errno = 0;
	n = strtoul(colon, &end, 10);
	if (errno || *end || !isdigit((unsigned char)*colon) || n < 1 || n > 65535) {
		*why = "the number of VFs must be 1-65535";
		return -EINVAL;
	}
	if (where_parse(buf, &out->pf, why) < 0)
		return -EINVAL;
	out->pf.drv = drv;
	out->nvfs = (unsigned)n;
	return 0;
}

int prep_sel_parse(const char *s, struct claim_sel *out, const char **why)
{
	_cleanup_free_ char *pci = NULL;
	size_t n = strlen(s);

	*out = (struct claim_sel){0};
	/* "VVVV:DDDD": the ids of the kernel's pci: form (an address always has a '.') */
	if (n == 9 && s[4] == ':' && !strchr(s, '.') && strspn(s, "0123456789abcdefABCDEF:") == 9) {
		pci = xasprintf("pci:%s", s);
		s = pci;
	}
	return where_parse(s, out, why);
}

int reset_parse(const char *s, struct reset_sel *out, const char **why)
{
	static const char *const methods[] = {
	    "flr",  "af_flr",	       "pm",	  "bus", "cxl_bus",
	    "acpi", "device_specific", "default", "",	 NULL};
	_cleanup_free_ char *buf = xstrdup(s);
	char *colon = strrchr(buf, ':');

	*out = (struct reset_sel){0};
	if (!colon) {
		*why = "expected SEL:METHOD";
		return -EINVAL;
	}
	*colon++ = '\0';
	if (!str_in(colon, methods)) {
		*why = "not a reset method of the kernel's (flr, af_flr, pm, bus, cxl_bus, acpi, "
		       "device_specific, default, or nothing for none)";
		return -EINVAL;
	}
	snprintf(out->method, sizeof(out->method), "%s", colon);
	return prep_sel_parse(buf, &out->sel, why);
}
