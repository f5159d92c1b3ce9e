// SPDX-License-Identifier: LGPL-2.1-or-later
/* libFuzzer: libkmod binary indexes (modules.alias.bin). A walk reads nothing outside the file,
 * ends, gives keys that start with its prefix, and the keys under "vfio_pci:" are exactly those of
 * the whole index that start so. */
#include <stdlib.h>
#include <string.h>

#include "kmodidx.h"

struct keys {
	char *text; /* "key\tvalue\n" each */
	size_t len, cap, n;
	const char *prefix;
};

static void collect(const char *key, const char *value, void *ud)
{
	struct keys *k = ud;
	size_t kl = strlen(key), vl = strlen(value), pl = strlen(k->prefix);

	if (strncmp(key, k->prefix, pl) != 0 || kl > 1024)
		abort();
	if (pl == 0 && strncmp(key, "vfio_pci:", 9) != 0)
		return;
	if (k->len + kl + vl + 3 > k->cap) {
		k->cap = (k->len + kl + vl + 3) * 2;
		k->text = realloc(k->text, k->cap);
	}
	memcpy(k->text + k->len, key, kl);
	k->text[k->len + kl] = '\t';
	memcpy(k->text + k->len + kl + 1, value, vl);
	k->text[k->len + kl + vl + 1] = '\n';
	k->len += kl + vl + 2;
	k->n++;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	/* an exact copy: ASan sees every read past its end */
	unsigned char *buf = malloc(size ? size : 1);
	struct keys all = {.prefix = ""}, v = {.prefix = "vfio_pci:"};
	int ra, rv;

	memcpy(buf, data, size);
	ra = kmodidx_prefix(buf, size, "", collect, &all);
	rv = kmodidx_prefix(buf, size, "vfio_pci:", collect, &v);
	if (ra == 0 && rv == 0 &&
	    (all.n != v.n || all.len != v.len ||
	     (all.len && memcmp(all.text, v.text, all.len) != 0)))
		abort();
	free(all.text);
	free(v.text);
	free(buf);
	return 0;
}
