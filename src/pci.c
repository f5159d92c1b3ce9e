// SPDX-License-Identifier: LGPL-2.1-or-later
#include "pci.h"

#include <errno.h>
#include <string.h>

#include "util.h"

/* Exactly `min`..`max` hex digits up to `end`. */
static int hex_field(const char *s, const char *end, size_t min, size_t max, uint32_t *out)
{
	size_t n = (size_t)(end - s);

	return n < min || n > max ? -EINVAL : hex_digits(s, n, out);
}

/* Two hex digits, or -1. */
static int hex2(const char *s)
{
	uint32_t v;

	return hex_digits(s, 2, &v) < 0 ? -1 : (int)v;
}

int pci_addr_parse(const char *s, struct pci_addr *out)
{
	const char *dot = strchr(s, '.');
	const char *c1, *c2;
	uint32_t dom = 0, bus, dev, fn;

	/* the kernel's own form, "DDDD:BB:DD.F", as every bus/pci/devices entry is named */
	if (dot && dot - s == 10 && dot[1] && !dot[2] && s[4] == ':' && s[7] == ':') {
		int d0 = hex2(s), d1 = hex2(s + 2), b = hex2(s + 5), d = hex2(s + 8);
		int f = s[11] >= '0' && s[11] <= '7' ? s[11] - '0' : -1;

		if (d0 < 0 || d1 < 0 || b < 0 || d < 0 || d > 0x1f || f < 0)
			return -EINVAL;
		*out = (struct pci_addr){.domain = (uint32_t)(d0 << 8 | d1),
					 .bus = (uint8_t)b,
					 .dev = (uint8_t)d,
					 .fn = (uint8_t)f};
		return 0;
	}
	if (!dot || dot[1] == '\0' || dot[2] != '\0')
		return -EINVAL;
	c1 = memchr(s, ':', (size_t)(dot - s));
	if (!c1)
		return -EINVAL;
	c2 = memchr(c1 + 1, ':', (size_t)(dot - c1 - 1));
	if (c2) {
		if (memchr(c2 + 1, ':', (size_t)(dot - c2 - 1)))
			return -EINVAL;
		if (hex_field(s, c1, 1, 8, &dom) < 0)
			return -EINVAL;
		s = c1 + 1;
		c1 = c2;
	}
	if (hex_field(s, c1, 2, 2, &bus) < 0 || hex_field(c1 + 1, dot, 2, 2, &dev) < 0 ||
	    dev > 0x1f || hex_field(dot + 1, dot + 2, 1, 1, &fn) < 0 || fn > 7)
		return -EINVAL;
	*out = (struct pci_addr){
	    .domain = dom, .bus = (uint8_t)bus, .dev = (uint8_t)dev, .fn = (uint8_t)fn};
	return 0;
}

/* "%04x:%02x:%02x.%x" without printf: the table and the JSON print one per function. */
char *pci_addr_fmt(const struct pci_addr *a, char *buf)
{
	int digits = 4;
	char *p;

	while (digits < 8 && a->domain >> (4 * digits))
		digits++;
	p = hex_put(buf, a->domain, digits);
	*p++ = ':';
	p = hex_put(p, a->bus, 2);
	*p++ = ':';
	p = hex_put(p, a->dev, 2);
	*p++ = '.';
	p = hex_put(p, a->fn, 1);
	*p = '\0';
	return buf;
}

int pci_addr_cmp(const struct pci_addr *a, const struct pci_addr *b)
{
	if (a->domain != b->domain)
		return a->domain < b->domain ? -1 : 1;
	if (a->bus != b->bus)
		return a->bus < b->bus ? -1 : 1;
	if (a->dev != b->dev)
		return a->dev < b->dev ? -1 : 1;
	if (a->fn != b->fn)
		return a->fn < b->fn ? -1 : 1;
	return 0;
}
