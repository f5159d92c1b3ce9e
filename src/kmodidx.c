// SPDX-License-Identifier: LGPL-2.1-or-later
#include "kmodidx.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "names.h"
#include "util.h"

/*
 * The layout, as libkmod's libkmod-index.c documents it: big-endian 32-bit integers; a header
 * of magic, version and the root's node word. A node word is an offset in the low 28 bits and
 * flags in the high nibble saying which parts the node has, in this order: a NUL-terminated
 * prefix (the rest of its arc label); a first and a last character and a child node word per
 * character between them (0: none); a value count and that many (priority, NUL-terminated
 * value) pairs. A key is the concatenation of the prefixes and arc characters from the root.
 */
#define INDEX_MAGIC 0xB007F457u
#define INDEX_MAJOR 0x0002u
#define NODE_PREFIX 0x80000000u
#define NODE_VALUES 0x40000000u
#define NODE_CHILDS 0x20000000u
#define NODE_MASK   0x0FFFFFFFu
#define KEY_MAX	    1024
/* nodes, child slots and values looked at: the whole walk of a real index is ~10^5 */
#define WORK_MAX (1u << 22)

struct walk {
	const unsigned char *buf;
	size_t len;
	const char *prefix;
	size_t plen;
	kmodidx_fn fn;
	void *ud;
	char key[KEY_MAX + 1];
	unsigned work;
};

static int be32(const struct walk *w, size_t off, uint32_t *out)
{
	if (off > w->len || w->len - off < 4)
		return -EINVAL;
	*out = (uint32_t)w->buf[off] << 24 | (uint32_t)w->buf[off + 1] << 16 |
	       (uint32_t)w->buf[off + 2] << 8 | w->buf[off + 3];
	return 0;
}

/* The NUL-terminated string at off; its length, or -EINVAL when it runs off the end. */
static int str_at(const struct walk *w, size_t off, const char **s)
{
	const unsigned char *nul;

	if (off >= w->len || !(nul = memchr(w->buf + off, '\0', w->len - off)))
		return -EINVAL;
	*s = (const char *)w->buf + off;
	return (int)(nul - (w->buf + off));
}

/* Whether the key so far (klen characters) can still lead to the prefix. */
static bool on_prefix(const struct walk *w, size_t klen, char c)
{
	return klen >= w->plen || w->prefix[klen] == c;
}

static int walk(struct walk *w, uint32_t node, size_t klen)
{
	size_t off = node & NODE_MASK, kids = 0;
	unsigned first = 0, last = 0;
	uint32_t nvalues = 0;
	const char *s;
	int n, r;

	if (++w->work > WORK_MAX)
		return -E2BIG;
	if (node & NODE_PREFIX) {
		if ((n = str_at(w, off, &s)) < 0)
			return n;
		for (int i = 0; i < n; i++) {
			if (!on_prefix(w, klen, s[i]))
				return 0; /* this branch leaves the prefix */
			if (klen >= KEY_MAX)
				return -EINVAL;
			w->key[klen++] = s[i];
		}
		off += (size_t)n + 1;
	}
	if (node & NODE_CHILDS) {
		if (off > w->len || w->len - off < 2)
			return -EINVAL;
		first = w->buf[off];
		last = w->buf[off + 1];
		if (last < first)
			return -EINVAL;
		kids = off + 2;
		off = kids + 4 * (size_t)(last - first + 1);
		if ((w->work += last - first + 1) > WORK_MAX)
			return -E2BIG;
	}
	if ((node & NODE_VALUES) && klen >= w->plen) {
		if (be32(w, off, &nvalues) < 0)
			return -EINVAL;
		off += 4;
		w->key[klen] = '\0';
		for (uint32_t i = 0; i < nvalues; i++) {
			if (++w->work > WORK_MAX)
				return -E2BIG;
			if (off > w->len || w->len - off < 4 || (n = str_at(w, off + 4, &s)) < 0)
				return -EINVAL;
			w->fn(w->key, s, w->ud);
			off += 4 + (size_t)n + 1;
		}
	}
	for (unsigned c = first; kids && c <= last; c++) {
		uint32_t child;

		if (be32(w, kids + 4 * (size_t)(c - first), &child) < 0)
			return -EINVAL;
		if (!child || !on_prefix(w, klen, (char)c))
			continue;
		if (klen >= KEY_MAX)
			return -EINVAL;
		w->key[klen] = (char)c;
		if ((r = walk(w, child, klen + 1)) < 0)
			return r;
	}
	return 0;
}

int kmodidx_prefix(const void *buf, size_t len, const char *prefix, kmodidx_fn fn, void *ud)
{
	struct walk w = {
	    .buf = buf, .len = len, .prefix = prefix, .plen = strlen(prefix), .fn = fn, .ud = ud};
	uint32_t magic, version, root;

	if (be32(&w, 0, &magic) < 0 || be32(&w, 4, &version) < 0 || be32(&w, 8, &root) < 0 ||
	    magic != INDEX_MAGIC || version >> 16 != INDEX_MAJOR)
		return -EINVAL;
	return walk(&w, root, 0);
}

int kmodidx_file_prefix(const char *path, const char *prefix, kmodidx_fn fn, void *ud)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	void *map;
	int r;

	if (fd < 0 || fstat(fd, &st) < 0)
		return -errno;
	if (st.st_size < 12)
		return -EINVAL;
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		return -errno;
	r = kmodidx_prefix(map, (size_t)st.st_size, prefix, fn, ud);
	munmap(map, (size_t)st.st_size);
	return r;
}

struct exact {
	const char *key;
	bool found;
};

static void exact_key(const char *key, const char *value, void *ud)
{
	struct exact *x = ud;

	(void)value;
	x->found = x->found || strcmp(key, x->key) == 0;
}

int kmodidx_has(const char *moddir, const char *index, const char *module)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", moddir, index);
	/* depmod keys the index by the module's name as the kernel spells it */
	_cleanup_free_ char *name = module_name(module, strlen(module));
	struct exact x = {.key = name};
	int r = kmodidx_file_prefix(path, name, exact_key, &x);

	return r < 0 ? r : x.found;
}

bool kmodidx_builtin(const char *moddir, const char *module)
{
	return kmodidx_has(moddir, "modules.builtin.bin", module) > 0;
}
