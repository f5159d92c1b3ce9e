// SPDX-License-Identifier: LGPL-2.1-or-later
/* Word splitting as the kernel's next_arg() does it, and parameq(). Expectations by hand. */
#include "unit.h"

#include "cmdline.h"

struct words {
	char out[16][64];
	int n;
};

static void collect(const char *key, const char *val, const char *src, void *ud)
{
	struct words *w = ud;

	(void)src;
	if (w->n < 16)
		snprintf(w->out[w->n++], 64, "%s%s%s", key, val ? "=>" : "", val ? val : "");
}

/* Splits `in` and compares with the expected words ("key=>val", or "key" when bare). */
static void split_case(const char *in, int n, const char *const *want)
{
	char buf[256];
	struct words w = {.n = 0};

	snprintf(buf, sizeof(buf), "%s", in);
	cmdline_split(buf, "test", collect, &w);
	CHECK(w.n == n, "\"%s\": %d words, want %d", in, w.n, n);
	for (int i = 0; i < n && i < w.n; i++)
		CHECK(strcmp(w.out[i], want[i]) == 0, "\"%s\" word %d: got [%s] want [%s]", in, i,
		      w.out[i], want[i]);
}

void test_cmdline(void)
{
	split_case("vfio-pci.ids=10de:1b80 earlybind.dryrun", 2,
		   (const char *const[]){"vfio-pci.ids=>10de:1b80", "earlybind.dryrun"});
	split_case("foo=\"bar baz\" x", 2, (const char *const[]){"foo=>bar baz", "x"});
	split_case("\"foo=bar baz\" x", 2, (const char *const[]){"foo=>bar baz", "x"});
	split_case("a\"b c\"d", 1, (const char *const[]){"a\"b c\"d"});
	split_case("key= x", 2, (const char *const[]){"key=>", "x"});
	split_case("=foo", 1, (const char *const[]){"=foo"});
	split_case("a -- b=c", 1, (const char *const[]){"a"});
	split_case("a b=-- c", 3, (const char *const[]){"a", "b=>--", "c"});
	split_case("  leading   spaces\n", 2, (const char *const[]){"leading", "spaces"});
	split_case("foo=\"bar baz", 1, (const char *const[]){"foo=>bar baz"});
	split_case("a=b=c", 1, (const char *const[]){"a=>b=c"});
	split_case("a\xa0"
		   "b\tc\r\nd",
		   4, (const char *const[]){"a", "b", "c", "d"});
	split_case("", 0, (const char *const[]){""});
	split_case("   ", 0, (const char *const[]){""});
	split_case("\"\"", 1, (const char *const[]){""});
	split_case("x=\"\"", 1, (const char *const[]){"x=>"});
	split_case("x=\"a\"b", 1, (const char *const[]){"x=>a\"b"});

	CHECK(cmdline_key_eq("vfio-pci.ids", "vfio_pci.ids"), "dash == underscore");
	CHECK(cmdline_key_eq("vfio_pci.ids", "vfio-pci.ids"), "underscore == dash");
	CHECK(!cmdline_key_eq("vfio-pci.ids", "vfio-pci_ids"), "dot is not underscore");
	CHECK(!cmdline_key_eq("vfio-pci.ids", "vfio-pci.idsx"), "prefix is not equal");
	CHECK(!cmdline_key_eq("VFIO-pci.ids", "vfio-pci.ids"), "case matters");
	CHECK(cmdline_key_eq("earlybind.claim", "earlybind.claim"), "equal");
}
