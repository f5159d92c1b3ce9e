// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The ids grammar, addresses, claims and key handling. Every expectation here is written by hand
 * from the kernel's code: vsscanf() in lib/vsprintf.c ("%x:%x:%x:%x:%x:%x", a literal ':' must
 * match, spaces skipped before a number, "0x" skipped, digits accumulate in 64 bits and are stored
 * into an unsigned int), vfio_pci_fill_ids()/pci_stub_init() (fewer than 2 fields: skipped) and
 * pci_match_one_device().
 */
#include "unit.h"

#include <stdlib.h>

#include "cmdline.h"
#include "rules.h"

#define ANY PCI_ANY_ID

struct id_case {
	const char *in;
	int fields;
	uint32_t v, d, sv, sd, cls, mask;
	const char *rest;
	int overflow;
};

static const struct id_case id_cases[] = {
    {"10de:1b80", 2, 0x10de, 0x1b80, ANY, ANY, 0, 0, "", 0},
    {"0x10de:0x1b80", 2, 0x10de, 0x1b80, ANY, ANY, 0, 0, "", 0},
    {"0X10DE:0X1B80", 2, 0x10de, 0x1b80, ANY, ANY, 0, 0, "", 0},
    {"10DE:1B80", 2, 0x10de, 0x1b80, ANY, ANY, 0, 0, "", 0},
    {"abcd:ef01", 2, 0xabcd, 0xef01, ANY, ANY, 0, 0, "", 0},
    {"10de", 1, 0x10de, 0, ANY, ANY, 0, 0, "", 0},
    {"10de:", 1, 0x10de, 0, ANY, ANY, 0, 0, ":", 0},
    {":1b80", 0, 0, 0, ANY, ANY, 0, 0, ":1b80", 0},
    {"", 0, 0, 0, ANY, ANY, 0, 0, "", 0},
    {"g:1b80", 0, 0, 0, ANY, ANY, 0, 0, "g:1b80", 0},
    {"x10de:1b80", 0, 0, 0, ANY, ANY, 0, 0, "x10de:1b80", 0},
    {"-1:1b80", 0, 0, 0, ANY, ANY, 0, 0, "-1:1b80", 0},
    {"10de:g", 1, 0x10de, 0, ANY, ANY, 0, 0, ":g", 0},
    {"10de::1b80", 1, 0x10de, 0, ANY, ANY, 0, 0, "::1b80", 0},
    {"10de :1b80", 1, 0x10de, 0, ANY, ANY, 0, 0, " :1b80", 0},
    {"10de: 1b80", 2, 0x10de, 0x1b80, ANY, ANY, 0, 0, "", 0},
    {" 10de:1b80", 2, 0x10de, 0x1b80, ANY, ANY, 0, 0, "", 0},
    {"\t10de:1b80", 2, 0x10de, 0x1b80, ANY, ANY, 0, 0, "", 0},
    {"10de:1b80 ", 2, 0x10de, 0x1b80, ANY, ANY, 0, 0, " ", 0},
    {"10de:1b80junk", 2, 0x10de, 0x1b80, ANY, ANY, 0, 0, "junk", 0},
    {"10de:1b80:::", 2, 0x10de, 0x1b80, ANY, ANY, 0, 0, ":::", 0},
    {"10de:1b80:g", 2, 0x10de, 0x1b80, ANY, ANY, 0, 0, ":g", 0},
    {"10de:1b80:1043", 3, 0x10de, 0x1b80, 0x1043, ANY, 0, 0, "", 0},
    {"10de:1b80:1043:85a0", 4, 0x10de, 0x1b80, 0x1043, 0x85a0, 0, 0, "", 0},
    {"10de:1b80:0:0", 4, 0x10de, 0x1b80, 0, 0, 0, 0, "", 0},
    {"10de:1b80:ffff:ffff", 4, 0x10de, 0x1b80, 0xffff, 0xffff, 0, 0, "", 0},
    {"10de:1b80:ffffffff:ffffffff", 4, 0x10de, 0x1b80, ANY, ANY, 0, 0, "", 0},
    {"8086:ffffffff", 2, 0x8086, ANY, ANY, ANY, 0, 0, "", 0},
    {"10de:1b80:1043:85a0:030000", 5, 0x10de, 0x1b80, 0x1043, 0x85a0, 0x030000, 0, "", 0},
    {"10de:1b80:1043:85a0:030000:ff0000", 6, 0x10de, 0x1b80, 0x1043, 0x85a0, 0x030000, 0xff0000, "",
     0},
    {"10de:1b80:1043:85a0:0x030000:0xff0000", 6, 0x10de, 0x1b80, 0x1043, 0x85a0, 0x030000, 0xff0000,
     "", 0},
    {"ffffffff:ffffffff:ffffffff:ffffffff:030000:ff0000", 6, ANY, ANY, ANY, ANY, 0x030000, 0xff0000,
     "", 0},
    {"ffffffff:ffffffff:ffffffff:ffffffff:0c0330:ffffff", 6, ANY, ANY, ANY, ANY, 0x0c0330, 0xffffff,
     "", 0},
    {"10de:1b80:1043:85a0:030000:ff0000:extra", 6, 0x10de, 0x1b80, 0x1043, 0x85a0, 0x030000,
     0xff0000, ":extra", 0},
    {"10de:1b80:1043:85a0:030000:ff0000:", 6, 0x10de, 0x1b80, 0x1043, 0x85a0, 0x030000, 0xff0000,
     ":", 0},
    {"ffffffff:ffffffff::::", 2, ANY, ANY, ANY, ANY, 0, 0, "::::", 0},
    {"0x:1b80", 2, 0, 0x1b80, ANY, ANY, 0, 0, "", 0},
    {"10de:0x", 2, 0x10de, 0, ANY, ANY, 0, 0, "", 0},
    {"0:0", 2, 0, 0, ANY, ANY, 0, 0, "", 0},
    {"00000000010de:1b80", 2, 0x10de, 0x1b80, ANY, ANY, 0, 0, "", 0},
    {"10de0:1b80", 2, 0x10de0, 0x1b80, ANY, ANY, 0, 0, "", 0},
    {"1ffffffff:1b80", 2, 0xffffffff, 0x1b80, ANY, ANY, 0, 0, "", 1},
    {"100000000:1b80", 2, 0, 0x1b80, ANY, ANY, 0, 0, "", 1},
    {"10de:123456789", 2, 0x10de, 0x23456789, ANY, ANY, 0, 0, "", 1},
};

static void test_ids(void)
{
	for (size_t i = 0; i < sizeof(id_cases) / sizeof(id_cases[0]); i++) {
		const struct id_case *c = &id_cases[i];
		struct id_sel s;
		const char *rest;
		bool ovf;
		int n = id_parse(c->in, &s, &rest, &ovf);

		CHECK(n == c->fields, "\"%s\": %d fields, want %d", c->in, n, c->fields);
		if (n != c->fields)
			continue;
		if (n >= 1)
			CHECK(s.vendor == c->v, "\"%s\": vendor %x want %x", c->in, s.vendor, c->v);
		if (n >= 2)
			CHECK(s.device == c->d, "\"%s\": device %x want %x", c->in, s.device, c->d);
		CHECK(s.subvendor == c->sv && s.subdevice == c->sd, "\"%s\": subsystem %x:%x",
		      c->in, s.subvendor, s.subdevice);
		CHECK(s.class == c->cls && s.class_mask == c->mask, "\"%s\": class %x/%x", c->in,
		      s.class, s.class_mask);
		CHECK(strcmp(rest, c->rest) == 0, "\"%s\": rest [%s] want [%s]", c->in, rest,
		      c->rest);
		CHECK(ovf == (bool)c->overflow, "\"%s\": overflow %d", c->in, ovf);
	}
	CHECK(sizeof(id_cases) / sizeof(id_cases[0]) >= 40, "at least 40 ids cases");
}

static bool matches(const char *sel_text, struct pci_ids ids)
{
	struct id_sel s;
	const char *rest;
	bool ovf;

	id_parse(sel_text, &s, &rest, &ovf);
	return id_match(&s, &ids);
}

static void test_match(void)
{
	struct pci_ids gpu = {0x10de, 0x1b80, 0x1043, 0x85a0, 0x030000};
	struct pci_ids gpu3d = {0x10de, 0x1b80, 0x1043, 0x85a0, 0x030200};
	struct pci_ids audio = {0x10de, 0x10f0, 0x1043, 0x85a0, 0x040300};

	CHECK(matches("10de:1b80", gpu), "plain ids");
	CHECK(!matches("10de:1b81", gpu), "other device");
	CHECK(matches("10de:1b80:1043:85a0", gpu), "subsystem");
	CHECK(!matches("10de:1b80:1043:85a1", gpu), "other subsystem");
	CHECK(!matches("10de:1b80:ffff:ffff", gpu), "ffff is not any");
	CHECK(matches("10de:ffffffff", audio), "any device of the vendor");
	CHECK(matches("ffffffff:ffffffff:ffffffff:ffffffff:030000:ff0000", gpu3d),
	      "class under mask");
	CHECK(!matches("ffffffff:ffffffff:ffffffff:ffffffff:030000:ff0000", audio), "class masked");
	CHECK(!matches("ffffffff:ffffffff:ffffffff:ffffffff:030000:ffffff", gpu3d), "full mask");
	CHECK(matches("10de:1b80:1043:85a0:040300", gpu), "class without mask ignored");
	CHECK(!matches("10de0:1b80", gpu), "17-bit vendor never matches");
	CHECK(matches("1ffffffff:1b80", gpu), "truncated to ffffffff: any vendor");
}

struct addr_case {
	const char *in;
	int ok;
	uint32_t dom;
	unsigned bus, dev, fn;
	const char *fmt;
};

static const struct addr_case addr_cases[] = {
    {"0000:01:00.0", 1, 0, 1, 0, 0, "0000:01:00.0"},
    {"01:00.0", 1, 0, 1, 0, 0, "0000:01:00.0"},
    {"10000:e1:00.0", 1, 0x10000, 0xe1, 0, 0, "10000:e1:00.0"},
    {"ffffffff:ff:1f.7", 1, 0xffffffff, 0xff, 0x1f, 7, "ffffffff:ff:1f.7"},
    {"1:00:00.0", 1, 1, 0, 0, 0, "0001:00:00.0"},
    {"0000:0A:1F.7", 1, 0, 0x0a, 0x1f, 7, "0000:0a:1f.7"},
    {"000000000:01:00.0", 0, 0, 0, 0, 0, NULL},
    {"0000:1:00.0", 0, 0, 0, 0, 0, NULL},
    {"0000:001:00.0", 0, 0, 0, 0, 0, NULL},
    {"0000:01:20.0", 0, 0, 0, 0, 0, NULL},
    {"0000:01:00.8", 0, 0, 0, 0, 0, NULL},
    {"0000:01:00.0/", 0, 0, 0, 0, 0, NULL},
    {"0000:00:1f.7/../..", 0, 0, 0, 0, 0, NULL},
    {"../../etc", 0, 0, 0, 0, 0, NULL},
    {"0000:01:00", 0, 0, 0, 0, 0, NULL},
    {"0000:01:00.00", 0, 0, 0, 0, 0, NULL},
    {"0000:0g:00.0", 0, 0, 0, 0, 0, NULL},
    {"0000:01:00.0:1", 0, 0, 0, 0, 0, NULL},
    {":01:00.0", 0, 0, 0, 0, 0, NULL},
    {"0000::01:00.0", 0, 0, 0, 0, 0, NULL},
    {"0:0:01:00.0", 0, 0, 0, 0, 0, NULL},
    {"", 0, 0, 0, 0, 0, NULL},
    {"ffffffff:ff:ff.f", 0, 0, 0, 0, 0, NULL},
    /* the kernel's own 12-character form, parsed by a shortcut: the same answers */
    {"abcd:EF:1f.0", 1, 0xabcd, 0xef, 0x1f, 0, "abcd:ef:1f.0"},
    {"0000:0x:00.0", 0, 0, 0, 0, 0, NULL},
    {"0000:01:0g.0", 0, 0, 0, 0, 0, NULL},
    {"0000:01:00.a", 0, 0, 0, 0, 0, NULL},
    {"000g:01:00.0", 0, 0, 0, 0, 0, NULL},
    {"0000-01:00.0", 0, 0, 0, 0, 0, NULL},
    {"0000:01-00.0", 0, 0, 0, 0, 0, NULL},
    {"0000:01:00:0", 0, 0, 0, 0, 0, NULL},
    {"0000:01:00.", 0, 0, 0, 0, 0, NULL},
};

static void test_addr(void)
{
	for (size_t i = 0; i < sizeof(addr_cases) / sizeof(addr_cases[0]); i++) {
		const struct addr_case *c = &addr_cases[i];
		struct pci_addr a;
		char buf[PCI_ADDR_MAX];
		/* a heap copy of exactly its length: a sanitizer build sees any read past the end
		 */
		char *in = strdup(c->in);
		int r = pci_addr_parse(in, &a);

		free(in);
		CHECK((r == 0) == c->ok, "\"%s\": r=%d", c->in, r);
		if (r == 0 && c->ok) {
			CHECK(a.domain == c->dom && a.bus == c->bus && a.dev == c->dev &&
				  a.fn == c->fn,
			      "\"%s\" fields", c->in);
			CHECK(strcmp(pci_addr_fmt(&a, buf), c->fmt) == 0, "\"%s\" prints %s", c->in,
			      buf);
		}
	}
}

/* The 12-character shortcut against the general parser: "0" + s has a five-digit domain and
 * takes the general path; both must agree on every string of that shape. */
static void test_addr_shortcut(void)
{
	static const char alpha[] = "0123456789abcdefABCDEFg:.x";
	unsigned seed = 12345, bad = 0, ok = 0;

	for (int i = 0; i < 200000; i++) {
		char s[16], t[16];
		struct pci_addr a, b;
		int ra, rb;

		for (int k = 0; k < 12; k++) {
			seed = seed * 1103515245u + 12345u;
			s[k] = alpha[(seed >> 16) % (sizeof(alpha) - 1)];
		}
		/* mostly the kernel's shape, so that both answers occur */
		if (i % 2) {
			s[4] = s[7] = ':';
			s[10] = '.';
		}
		s[12] = '\0';
		t[0] = '0';
		memcpy(t + 1, s, 13);
		ra = pci_addr_parse(s, &a);
		rb = pci_addr_parse(t, &b);
		ok += ra == 0;
		if ((ra == 0) != (rb == 0) || (ra == 0 && pci_addr_cmp(&a, &b) != 0))
			bad++;
	}
	CHECK(bad == 0, "shortcut and general parser agree (%u disagreements)", bad);
	CHECK(ok > 500, "the sample has valid addresses (%u)", ok);
}

static void test_claim(void)
{
	struct claim_sel c;
	const char *why;

	CHECK(claim_parse("01:00.0", &c, &why) == 0 && c.drv == DRV_VFIO && !c.has_ids, "bare");
	CHECK(claim_parse("0000:01:00.0@10de:1b80", &c, &why) == 0 && c.has_ids &&
		  c.vendor == 0x10de && c.device == 0x1b80,
	      "@ids");
	CHECK(claim_parse("0000:01:00.0=pci-stub", &c, &why) == 0 && c.drv == DRV_STUB, "driver");
	CHECK(claim_parse("0000:01:00.0=pci_stub", &c, &why) == 0 && c.drv == DRV_STUB, "pci_stub");
	CHECK(claim_parse("0000:01:00.0=vfio_pci", &c, &why) == 0 && c.drv == DRV_VFIO, "vfio_pci");
	CHECK(claim_parse("0000:01:00.0@10de:1b80=pci-stub", &c, &why) == 0 && c.has_ids &&
		  c.drv == DRV_STUB,
	      "both");
	CHECK(claim_parse("0000:01:00.0=vfio-pci", &c, &why) == 0 && c.exact && !c.variant[0],
	      "=vfio-pci is exact");
	CHECK(claim_parse("0000:01:00.0", &c, &why) == 0 && !c.exact,
	      "no driver: variants allowed");
	CHECK(claim_parse("0000:01:00.0=mlx5-vfio-pci", &c, &why) == 0 && c.drv == DRV_VFIO &&
		  strcmp(c.variant, "mlx5_vfio_pci") == 0 && !c.exact,
	      "a variant by module name, '-' read as '_'");
	CHECK(claim_parse("0000:01:00.0=nvidia!", &c, &why) < 0, "not a module name");
	CHECK(claim_parse("0000:01:00.0=", &c, &why) < 0, "empty driver");
	CHECK(claim_parse("0000:01:00.0=a23456789012345678901234567890123456789012345678901234567",
			  &c, &why) < 0,
	      "longer than a module name");
	CHECK(claim_parse("0000:01:00.0@10de", &c, &why) < 0, "half ids");
	CHECK(claim_parse("0000:01:00.0@10de:1b80a", &c, &why) < 0, "5-digit device");
	CHECK(claim_parse("@10de:1b80", &c, &why) < 0, "no address");
	CHECK(claim_parse("0000:01:00.0/../x", &c, &why) < 0, "path junk");
}

static void test_sriov(void)
{
	struct sriov_sel s;
	const char *why;

	CHECK(sriov_parse("0000:05:00.0:4", &s, &why) == 0 && s.nvfs == 4 && s.pf.drv == DRV_VFIO &&
		  s.pf.kind == SEL_ADDR && s.pf.addr.bus == 5,
	      "address and count");
	CHECK(sriov_parse("05:00.0:1=pci-stub", &s, &why) == 0 && s.nvfs == 1 &&
		  s.pf.drv == DRV_STUB,
	      "short address, driver");
	CHECK(sriov_parse("0000:00:1c.0/00.0:2", &s, &why) == 0 && s.pf.kind == SEL_PATH &&
		  s.nvfs == 2,
	      "path form");
	CHECK(sriov_parse("0000:05:00.0:65535", &s, &why) == 0 && s.nvfs == 65535, "the most");
	CHECK(sriov_parse("0000:05:00.0", &s, &why) < 0,
	      "no count: 0 is read as the count, refused");
	CHECK(sriov_parse("0000:05:00.0:0", &s, &why) < 0, "zero VFs");
	CHECK(sriov_parse("0000:05:00.0:65536", &s, &why) < 0, "too many");
	CHECK(sriov_parse("0000:05:00.0:-1", &s, &why) < 0, "negative");
	CHECK(sriov_parse("0000:05:00.0:+2", &s, &why) < 0, "sign");
	CHECK(sriov_parse("0000:05:00.0:2x", &s, &why) < 0, "junk after the count");
	CHECK(sriov_parse("0000:05:00.0:", &s, &why) < 0, "empty count");
	CHECK(sriov_parse("0000:05:00.0:2=nvme", &s, &why) < 0, "unknown driver");
	CHECK(sriov_parse(":2", &s, &why) < 0, "no PF");
}

/* Runs a command line through cmdline_split + rules_add + rules_finish. */
static void load(struct rules *r, struct diag *d, const char *line)
{
	char *buf = strdup(line);

	diag_init(d);
	rules_init(r, d);
	cmdline_split(buf, "test", rules_add, r);
	rules_finish(r);
	free(buf);
}

static bool warned(const struct diag *d, const char *needle)
{
	for (size_t i = 0; i < d->n; i++)
		if (strstr(d->msgs[i], needle))
			return true;
	return false;
}

static void done(struct rules *r, struct diag *d)
{
	rules_free(r);
	diag_free(d);
}

static void test_keys(void)
{
	struct rules r;
	struct diag d;
	struct pci_addr a = {0, 1, 0, 0};
	struct pci_ids gpu = {0x10de, 0x1b80, 0, 0, 0x030000};

	load(&r, &d, "vfio-pci.ids=10de:1b80 vfio_pci.ids=8086:1533 vfio.ids=1002:73ff");
	CHECK(r.nids == 3, "union of every ids key: %zu", r.nids);
	CHECK(warned(&d, "given 2 times"), "repeated kernel key warns");
	done(&r, &d);

	load(&r, &d, "pci-stub.ids=10de:1b80,,8086:1533, pci_stub.ids=zz,1");
	CHECK(r.nids == 2 && r.ids[0].drv == DRV_STUB, "pci-stub ids, empty entries skipped");
	CHECK(warned(&d, "\"zz\"") && warned(&d, "\"1\""), "each malformed entry named");
	done(&r, &d);

	load(&r, &d, "rd.vfio-pci.ids=10de:1b80 rd.earlybind.claim=01:00.0 rd.earlybind.dryrun");
	CHECK(r.nids == 0 && warned(&d, "no rd. form"), "kernel keys have no rd. form");
	CHECK(r.nclaims == 1 && r.dryrun, "rd. prefix for our keys");
	CHECK(rules_find_claim(&r, &a) != NULL, "claim found by address");
	done(&r, &d);

	load(&r, &d, "earlybind=0");
	CHECK(r.disabled && STREQ(r.disabled_by, "earlybind=0"), "earlybind=0");
	done(&r, &d);
	load(&r, &d, "earlybind=off earlybind=1");
	CHECK(!r.disabled, "last earlybind= wins");
	done(&r, &d);
	load(&r, &d, "earlybind=maybe");
	CHECK(!r.disabled && warned(&d, "not a boolean"), "bad boolean warns");
	done(&r, &d);
	load(&r, &d, "earlybind.dryrun=0 earlybind.group=pci_stub");
	CHECK(!r.dryrun && r.group == GROUP_STUB, "dryrun=0, group=pci_stub");
	done(&r, &d);
	load(&r, &d, "earlybind.group=sometimes earlybind.colour=red");
	CHECK(r.group == GROUP_OFF && warned(&d, "expected off") &&
		  warned(&d, "unknown earlybind key"),
	      "bad group and unknown key");
	done(&r, &d);

	load(&r, &d, "earlybind.claim=01:00.0=pci-stub earlybind.claim=0000:01:00.0");
	CHECK(r.nclaims == 1 && r.claims[0].drv == DRV_VFIO, "last claim wins");
	CHECK(warned(&d, "overridden"), "conflicting claims warn");
	done(&r, &d);

	load(&r, &d, "earlybind.keep=01:00.0,junk earlybind.force=../../etc,02:00.0");
	CHECK(r.keep.n == 1 && r.force.n == 1, "keep and force parse, bad entries skipped");
	CHECK(warned(&d, "\"junk\"") && warned(&d, "\"../../etc\""), "bad addresses named");
	done(&r, &d);

	load(&r, &d, "vfio-pci.ids earlybind.claim");
	CHECK(warned(&d, "vfio-pci.ids: needs a value") &&
		  warned(&d, "earlybind.claim: needs a value"),
	      "bare value keys warn");
	done(&r, &d);

	{
		char line[1400];

		strcpy(line, "vfio-pci.ids=");
		for (int i = 0; i < 110; i++)
			strcat(line, "10de:1b80,");
		load(&r, &d, line);
		CHECK(r.nids == 110 && warned(&d, "the kernel refuses more than 1023"),
		      "a value the kernel would refuse is still used, with a warning");
		done(&r, &d);
	}

	load(&r, &d, "vfio-pci.ids=10de:1b80junk,10de0:1,10de:1b80:1:2:030000");
	CHECK(warned(&d, "trailing \"junk\"") && warned(&d, "wider than 16 bits") &&
		  warned(&d, "class without a mask"),
	      "sloppy entries warn");
	CHECK(r.nids == 3, "sloppy entries still apply");
	CHECK(rules_match_ids(&r, DRV_VFIO, &gpu) != NULL, "sloppy entry matches");
	done(&r, &d);
}

/* The vendor index answers as the plain scan in typed order would: the first matching entry. */
static void test_match_order(void)
{
	struct pci_ids gpu = {0x10de, 0x1b80, 0x1043, 0x85a0, 0x030000};
	struct pci_ids nic = {0x8086, 0x10d3, 0, 0, 0x020000};
	const struct id_sel *m;
	struct rules r;
	struct diag d;

	load(&r, &d, "vfio-pci.ids=ffffffff:1b80,10de:1b80 pci-stub.ids=10de:1b80:1043:85a0");
	m = rules_match_ids(&r, DRV_VFIO, &gpu);
	CHECK(m && strcmp(m->text, "vfio-pci.ids=ffffffff:1b80") == 0,
	      "any-vendor entry typed first wins");
	m = rules_match_ids(&r, DRV_STUB, &gpu);
	CHECK(m && strcmp(m->text, "pci-stub.ids=10de:1b80:1043:85a0") == 0, "per driver");
	CHECK(!rules_match_ids(&r, DRV_VFIO, &nic), "no match for another vendor");
	done(&r, &d);

	load(&r, &d, "vfio-pci.ids=10de:0001,10de:ffffffff:1043:85a0,ffffffff:ffffffff,10de:1b80");
	m = rules_match_ids(&r, DRV_VFIO, &gpu);
	CHECK(m && strcmp(m->text, "vfio-pci.ids=10de:ffffffff:1043:85a0") == 0,
	      "vendor entry typed first wins");
	m = rules_match_ids(&r, DRV_VFIO, &nic);
	CHECK(m && strcmp(m->text, "vfio-pci.ids=ffffffff:ffffffff") == 0,
	      "any vendor matches the rest");
	done(&r, &d);

	/* the vendor filter: 11df and 10de share a bit; 8086 has none */
	load(&r, &d, "vfio-pci.ids=11df:0001");
	CHECK(rules_match_ids(&r, DRV_VFIO, &(struct pci_ids){0x11df, 0x0001, 0, 0, 0}),
	      "the vendor named");
	CHECK(!rules_match_ids(&r, DRV_VFIO, &(struct pci_ids){0x10de, 0x0001, 0, 0, 0}),
	      "a vendor whose bit it shares");
	CHECK(rules_ids_may_match(&r, 0x10de) && !rules_ids_may_match(&r, 0x8086),
	      "the filter lets the shared bit through and stops the rest");
	done(&r, &d);
}

static void test_modparams(void)
{
	struct {
		const char *key, *val, *module, *word;
	} t[] = {
	    {"vfio_iommu_type1.allow_unsafe_interrupts", "1", "vfio_iommu_type1",
	     "allow_unsafe_interrupts=1"},
	    {"vfio-pci.disable_vga", "1", "vfio_pci", "disable_vga=1"},
	    {"vfio.enable_unsafe_noiommu_mode", NULL, "vfio", "enable_unsafe_noiommu_mode"},
	    {"snd-hda-intel.model", "a b", "snd_hda_intel", "model=\"a b\""},
	    {"rd.driver.pre", "vfio_pci", NULL, NULL},
	    {"earlybind.claim", "01:00.0", NULL, NULL},
	    {"quiet", NULL, NULL, NULL},
	    {".x", "1", NULL, NULL},
	    {"mod.", "1", NULL, NULL},
	};
	struct rules r;
	struct diag d;
	struct strbuf sb;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char *m = NULL, *w = NULL;
		bool ok = modparam_split(t[i].key, t[i].val, &m, &w);

		CHECK(ok == (t[i].module != NULL), "%s: split %d", t[i].key, ok);
		CHECK(STREQ(m, t[i].module) && STREQ(w, t[i].word), "%s: %s / %s", t[i].key,
		      m ? m : "-", w ? w : "-");
		free(m);
		free(w);
	}
	load(&r, &d,
	     "vfio_iommu_type1.allow_unsafe_interrupts=1 vfio-pci.ids=10de:1b80 "
	     "vfio_pci.disable_vga=1 vfio-iommu-type1.dma_entry_limit=9 earlybind.group=off");
	sb_init(&sb);
	rules_module_options(&r, "vfio-iommu-type1", &sb);
	CHECK(STREQ(sb.s, "allow_unsafe_interrupts=1 dma_entry_limit=9"), "type1 options: %s",
	      sb.s);
	sb_free(&sb);
	sb_init(&sb);
	rules_module_options(&r, "vfio_pci", &sb);
	CHECK(STREQ(sb.s, "disable_vga=1"), "ids= is a selector, not an option: %s", sb.s);
	sb_free(&sb);
	CHECK(r.ids_given[DRV_VFIO] == 1 && r.ids_given[DRV_STUB] == 0, "ids given for vfio-pci");
	done(&r, &d);
}

/* The kernel's pci= device forms, from drivers/pci/pci.c pci_dev_str_match(_path)(). */
static void test_where(void)
{
	/* a device behind root port 00:1c.0 and a switch (03:00.0 up, 04:02.0 down) */
	struct pci_addr chain[4];
	struct pci_ids ids = {0x10de, 0x2204, 0x1458, 0x403b, 0x030000};
	const char *chain_s[] = {"0000:00:1c.0", "0000:03:00.0", "0000:04:02.0", "0000:05:00.0"};
	struct {
		const char *s;
		int ok;	   /* parses */
		int match; /* names the device */
	} t[] = {
	    {"0000:05:00.0", 1, 1},
	    {"05:00.0", 1, 1},
	    {"0000:00:1c.0/00.0/02.0/00.0", 1, 1},
	    {"00:1c.0/00.0/02.0/00.0", 1, 1},
	    {"0:0:1c.0/0.0/2.0/0.0", 1, 1}, /* %x reads short fields */
	    {"04:02.0/00.0", 1, 1},	    /* the top may be any function up the path */
	    {"0000:03:00.0/02.0/00.0", 1, 1},
	    {"00:1c.0/00.0/02.0/00.1", 1, 0}, /* the last step is the device's own dev.fn */
	    {"00:1c.4/00.0/02.0/00.0", 1, 0},
	    {"00:1c.0/00.0/02.0", 1, 0}, /* names the downstream port, not the device */
	    {"0001:00:1c.0/00.0/02.0/00.0", 1, 0},
	    {"00:1c.0/00.0/02.0/00.0/00.0", 1, 0}, /* deeper than the device */
	    {"pci:10de:2204", 1, 1},
	    {"pci:10de:0", 1, 1}, /* 0 matches any */
	    {"pci:10de:2204:1458:403b", 1, 1},
	    {"pci:10de:2204:1458:0", 1, 1},
	    {"pci:10de:2204:1043:0", 1, 0},
	    {"pci:8086:2204", 1, 0},
	    {"pci:10de", 0, 0},
	    {"pci:10de:2204:1458", 0, 0},
	    {"pci:10de:12345", 0, 0},
	    {"00:1c.0/", 0, 0},
	    {"00:1c.0/00", 0, 0},
	    {"00:1c.0/20.0", 0, 0},
	    {"00:1c.8/00.0", 0, 0},
	    {"00:1c.0//00.0", 0, 0},
	    {"zz:1c.0/00.0", 0, 0},
	};

	for (size_t i = 0; i < 4; i++)
		pci_addr_parse(chain_s[i], &chain[i]);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct claim_sel c = {0};
		const char *why = NULL;
		int r = where_parse(t[i].s, &c, &why);

		CHECK((r == 0) == t[i].ok, "%s: parse %d (%s)", t[i].s, r, why ? why : "-");
		if (r == 0)
			CHECK(sel_matches(&c, chain, 4, &ids) == t[i].match, "%s: match", t[i].s);
	}
	/* without a chain (not read) a path names nothing; ids still match */
	{
		struct claim_sel c = {0};
		const char *why;

		where_parse("00:1c.0/00.0/02.0/00.0", &c, &why);
		CHECK(!sel_matches(&c, NULL, 0, &ids), "path without chain");
		where_parse("pci:10de:2204", &c, &why);
		CHECK(sel_matches(&c, NULL, 0, &ids), "pci: without chain");
	}
	/* the path form of a device, and claims with the @ check and a driver */
	{
		char *p = sel_path_of(chain, 4);
		struct claim_sel c;
		const char *why;

		CHECK(STREQ(p, "0000:00:1c.0/00.0/02.0/00.0"), "path of: %s", p);
		free(p);
		CHECK(sel_path_of(chain, 1) == NULL, "a root-bus device has no path form");
		CHECK(claim_parse("00:1c.0/00.0/02.0/00.0@10de:2204=pci-stub", &c, &why) == 0 &&
			  c.kind == SEL_PATH && c.has_ids && c.vendor == 0x10de &&
			  c.drv == DRV_STUB,
		      "path claim with @ and =");
		CHECK(claim_parse("pci:10de:2204=vfio-pci", &c, &why) == 0 && c.kind == SEL_PCIIDS,
		      "pci: claim");
	}
}

void test_rules(void)
{
	test_where();
	test_modparams();
	test_match_order();
	test_ids();
	test_match();
	test_addr();
	test_addr_shortcut();
	test_claim();
	test_sriov();
	test_keys();
}
