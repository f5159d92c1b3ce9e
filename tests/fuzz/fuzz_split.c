// SPDX-License-Identifier: LGPL-2.1-or-later
/* libFuzzer: the kernel word splitter. Every word must lie inside the buffer it came from. */
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"

struct span {
	const char *lo, *hi;
};

static void touch(const char *key, const char *val, const char *src, void *ud)
{
	const struct span *s = ud;

	(void)src;
	if (key < s->lo || key + strlen(key) > s->hi)
		abort();
	if (val && (val < s->lo || val + strlen(val) > s->hi))
		abort();
	(void)cmdline_key_eq(key, "vfio-pci.ids");
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char *buf = malloc(size + 1);
	struct span s = {buf, buf + size};

	memcpy(buf, data, size);
	buf[size] = '\0';
	cmdline_split(buf, "fuzz", touch, &s);
	free(buf);
	return 0;
}
