// SPDX-License-Identifier: LGPL-2.1-or-later
/* libkmod's binary index: the keys under a prefix, and damaged files refused without a crash. */
#include "unit.h"

#include <errno.h>
#include <stdlib.h>

#include "kmodidx.h"

/* tests/fixtures/kmod-index/modules.alias.bin (depmod, kmod 30): one key,
 * "vfio_pci:v00008086d000010D3sv*sd*bc*sc*i*" -> ebtest_vfio_pci, under a root with child 'v' */
static const unsigned char one[] = {
    0xb0, 0x07, 0xf4, 0x57, 0x00, 0x02, 0x00, 0x01, 0x20, 0x00, 0x00, 0x4d, 0x66, 0x69,
    0x6f, 0x5f, 0x70, 0x63, 0x69, 0x3a, 0x76, 0x30, 0x30, 0x30, 0x30, 0x38, 0x30, 0x38,
    0x36, 0x64, 0x30, 0x30, 0x30, 0x30, 0x31, 0x30, 0x44, 0x33, 0x73, 0x76, 0x2a, 0x73,
    0x64, 0x2a, 0x62, 0x63, 0x2a, 0x73, 0x63, 0x2a, 0x69, 0x2a, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x65, 0x62, 0x74, 0x65, 0x73, 0x74, 0x5f, 0x76, 0x66,
    0x69, 0x6f, 0x5f, 0x70, 0x63, 0x69, 0x00, 0x76, 0x76, 0xc0, 0x00, 0x00, 0x0c};

struct seen {
	int n;
	char key[128], value[64];
};

static void note(const char *key, const char *value, void *ud)
{
	struct seen *s = ud;

	if (s->n++ == 0) {
		snprintf(s->key, sizeof(s->key), "%s", key);
		snprintf(s->value, sizeof(s->value), "%s", value);
	}
}

static int walk(const void *buf, size_t len, const char *prefix, struct seen *s)
{
	*s = (struct seen){0};
	return kmodidx_prefix(buf, len, prefix, note, s);
}

void test_kmodidx(void)
{
	unsigned char bad[sizeof(one)];
	struct seen s;
	int crashes = 0;

	CHECK(walk(one, sizeof(one), "vfio_pci:", &s) == 0 && s.n == 1 &&
		  strcmp(s.key, "vfio_pci:v00008086d000010D3sv*sd*bc*sc*i*") == 0 &&
		  strcmp(s.value, "ebtest_vfio_pci") == 0,
	      "the key under vfio_pci: and its module: %d %s %s", s.n, s.key, s.value);
	CHECK(walk(one, sizeof(one), "", &s) == 0 && s.n == 1, "every key under the empty prefix");
	CHECK(walk(one, sizeof(one), "vfio_pci:v00008086d000010D3sv*sd*bc*sc*i*", &s) == 0 &&
		  s.n == 1,
	      "the whole key as prefix");
	CHECK(walk(one, sizeof(one), "pci:", &s) == 0 && s.n == 0, "another prefix: none");
	CHECK(walk(one, sizeof(one), "vfio_pci:v00008086d000010D3sv*sd*bc*sc*i*x", &s) == 0 &&
		  s.n == 0,
	      "a prefix longer than any key: none");

	/* every truncation is refused or yields nothing, never read past the end */
	for (size_t len = 0; len < sizeof(one); len++) {
		void *cut = malloc(len ? len : 1);

		memcpy(cut, one, len);
		if (walk(cut, len, "vfio_pci:", &s) == 0 && s.n > 0)
			crashes++;
		free(cut);
	}
	CHECK(crashes == 0, "truncated indexes give no key (%d did)", crashes);

	memcpy(bad, one, sizeof(one));
	bad[0] = 0xb1;
	CHECK(walk(bad, sizeof(bad), "vfio_pci:", &s) == -EINVAL, "wrong magic");
	memcpy(bad, one, sizeof(one));
	bad[5] = 0x03;
	CHECK(walk(bad, sizeof(bad), "vfio_pci:", &s) == -EINVAL, "another major version");
	/* the root's child points back at the root: a cycle that only a bound ends */
	memcpy(bad, one, sizeof(one));
	bad[0x4f] = 0x20;
	bad[0x50] = bad[0x51] = 0x00;
	bad[0x52] = 0x4d;
	CHECK(walk(bad, sizeof(bad), "", &s) < 0, "a cycle is refused");
	/* a last character before the first */
	memcpy(bad, one, sizeof(one));
	bad[0x4e] = 0x75;
	bad[0x4d] = 0x76;
	CHECK(walk(bad, sizeof(bad), "", &s) == -EINVAL, "children out of order");
}
