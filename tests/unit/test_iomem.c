// SPDX-License-Identifier: LGPL-2.1-or-later
/* /proc/iomem: which PCI function's BAR holds a firmware framebuffer. */
#include "unit.h"

#include <errno.h>

#include "iomem.h"

static const struct iomem_fb *fb_at(const struct iomem_fbs *f, const char *addr)
{
	struct pci_addr a;

	pci_addr_parse(addr, &a);
	return iomem_fb_of(f, &a);
}

static void test_nesting(void)
{
	struct iomem_fbs f;
	const struct iomem_fb *fb;

	/* nested two bridges deep, in the second of two BARs; a sibling function holds none */
	iomem_parse("c0000000-febfffff : PCI Bus 0000:00\n"
		    "  e0000000-f1ffffff : PCI Bus 0000:08\n"
		    "    e0000000-efffffff : 0000:08:00.0\n"
		    "    f0000000-f1ffffff : 0000:08:00.0\n"
		    "      f1000000-f11d4fff : efifb\n"
		    "    f2000000-f2003fff : 0000:08:00.1\n"
		    "      f2000000-f2003fff : ICH HD audio\n",
		    &f);
	CHECK(f.n == 1, "one framebuffer, got %zu", f.n);
	fb = fb_at(&f, "0000:08:00.0");
	CHECK(fb && strcmp(fb->name, "efifb") == 0 && fb->start == 0xf1000000 &&
		  fb->end == 0xf11d4fff,
	      "efifb in 08:00.0");
	CHECK(!fb_at(&f, "0000:08:00.1"), "none in the audio function");
	iomem_free(&f);

	/* BOOTFB with its driver's range nested in it: the outer name, once */
	iomem_parse("e0000000-efffffff : 0000:00:02.0\n"
		    "  e0000000-e07e8fff : BOOTFB\n"
		    "    e0000000-e07e8fff : simplefb\n",
		    &f);
	fb = fb_at(&f, "0000:00:02.0");
	CHECK(fb && strcmp(fb->name, "BOOTFB") == 0, "BOOTFB first");
	iomem_free(&f);

	/* sysfb's BOOTFB with simpledrm's own request nested in it (simpledrm.c:
	 * devm_request_mem_region(..., drv->name)), as simplefb's is in the real dumps */
	iomem_parse("80000000-8fffffff : 0000:01:00.0\n"
		    "  80000000-802fffff : BOOTFB\n"
		    "    80000000-802fffff : simpledrm\n"
		    "90000000-902fffff : 0000:02:00.0\n"
		    "  90000000-902fffff : simpledrm\n",
		    &f);
	CHECK(f.n == 3, "every range, nested ones too: %zu", f.n);
	fb = fb_at(&f, "0000:01:00.0");
	CHECK(fb && strcmp(fb->name, "BOOTFB") == 0, "BOOTFB, the outer range");
	fb = fb_at(&f, "0000:02:00.0");
	CHECK(fb && strcmp(fb->name, "simpledrm") == 0 && fb->end == 0x902fffff,
	      "simpledrm on its own");
	iomem_free(&f);

	/* read as a user: all zero, only the nesting tells */
	iomem_parse("00000000-00000000 : PCI Bus 0000:00\n"
		    "  00000000-00000000 : 0000:01:00.0\n"
		    "    00000000-00000000 : efifb\n"
		    "00000000-00000000 : vesafb\n",
		    &f);
	CHECK(f.n == 1 && fb_at(&f, "0000:01:00.0") && f.v[0].end == 0,
	      "nested zero range kept, the loose zero one dropped (n=%zu)", f.n);
	iomem_free(&f);
}

static void test_loose_and_bad(void)
{
	struct iomem_fbs f;

	/* not nested: the BAR that contains its range; one that no BAR contains is dropped */
	iomem_parse("fb000000-fbffffff : 0000:00:02.0\n"
		    "fb000000-fb2fffff : vesafb\n"
		    "80000000-802fffff : efifb\n",
		    &f);
	CHECK(f.n == 1 && fb_at(&f, "0000:00:02.0") && strcmp(f.v[0].name, "vesafb") == 0,
	      "loose vesafb by address (n=%zu)", f.n);
	iomem_free(&f);

	/* garbage, a function name without a domain, other names, an indented first line */
	iomem_parse("        9c000000-9c2fffff : efifb\n"
		    "not a line\n"
		    "zz-10 : efifb\n"
		    "10000000-1fffffff : 01:00.0\n"
		    "  10000000-102fffff : efifb\n"
		    "20000000-2fffffff : 0000:02:00.0\n"
		    "  20000000-202fffff : efifb-like\n"
		    "  20300000-203fffff : nvidia\n",
		    &f);
	CHECK(f.n == 0, "nothing from malformed or foreign lines, got %zu", f.n);
	iomem_free(&f);

	iomem_parse("", &f);
	CHECK(f.n == 0 && !f.v, "empty text");
	CHECK(iomem_load("/nonexistent/iomem", &f) == -ENOENT && f.n == 0, "missing file");
}

void test_iomem(void)
{
	test_nesting();
	test_loose_and_bad();
}
