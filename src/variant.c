// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmodidx.h"
#include "names.h"
#include "util.h"
#include "variant.h"

/*
 * How specific "vfio_pci:v%sd%ssv%ssd%sbc%ssc%si%s" is: one bit per field without a wildcard,
 * vendor highest, then device, subvendor, subdevice, class, subclass, interface, so that a
 * device-specific alias beats one for a whole vendor's class. The field markers are lowercase and
 * the hex values uppercase, as depmod writes them.
 */
static unsigned specificity(const char *pattern)
{
	static const char *const marks[] = {"v", "d", "sv", "sd", "bc", "sc", "i"};
	const char *p = strchr(pattern, ':');
	unsigned score = 0;

	if (!p)
		return 0;
	p++;
	for (size_t k = 0; k < 7; k++) {
		size_t n = strlen(marks[k]), len;

		if (strncmp(p, marks[k], n) != 0)
			return score;
		p += n;
		for (len = 0; p[len] && !(p[len] >= 'a' && p[len] <= 'z'); len++)
			;
		if (len && !memchr(p, '*', len) && !memchr(p, '?', len) && !memchr(p, '[', len))
			score |= 1u << (6 - k);
		p += len;
	}
	return score;
}

static void add(struct variants *vs, size_t *cap, const char *pattern, size_t plen,
		const char *module, size_t mlen)
{
	struct variant_alias *a;

	/* vfio_pci's own catch-all alias: the fallback, never a variant */
	if (mlen == 0 || mlen >= sizeof(a->module) ||
	    (mlen == 8 && memcmp(module, "vfio_pci", 8) == 0))
		return;
	grow((void **)&vs->v, cap, vs->n, sizeof(*vs->v));
	a = &vs->v[vs->n++];
	*a = (struct variant_alias){.pattern = xstrndup(pattern, plen)};
	memcpy(a->module, module, mlen);
	a->score = specificity(a->pattern);
}

struct index_load {
	struct variants *vs;
	size_t cap;
};

static void index_alias(const char *key, const char *module, void *ud)
{
	struct index_load *l = ud;

	add(l->vs, &l->cap, key, strlen(key), module, strlen(module));
}

/* The vfio_pci: keys of MODDIR/modules.alias.bin: a few nodes of the trie, not the whole file. */
static int load_index(const char *moddir, struct variants *vs)
{
	_cleanup_free_ char *path = xasprintf("%s/modules.alias.bin", moddir);
	struct index_load l = {.vs = vs};
	int r = kmodidx_file_prefix(path, "vfio_pci:", index_alias, &l);

	if (r < 0)
		variants_free(vs);
	return r;
}

/* The "alias vfio_pci:" lines of MODDIR/modules.alias, for a tree without a usable index. */
static int load_text(const char *moddir, struct variants *vs)
{
	static const char key[] = "alias vfio_pci:";
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int fd = -1;
	const char *text, *p, *end;
	struct stat st;
	size_t cap = 0;

	*vs = (struct variants){0};
	path = xasprintf("%s/modules.alias", moddir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (st.st_size == 0)
		return 0;
	/* 1.3 MB on Debian's 6.1: mapped and searched, not copied */
	text = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (text == MAP_FAILED)
		return -errno;
	end = text + st.st_size;
	for (p = text; (p = memmem(p, (size_t)(end - p), key, sizeof(key) - 1));) {
		const char *pat = p + 6, *sp, *mod, *eol;

		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		/* only at the start of a line */
		if (p == text || p[-1] == '\n') {
			sp = memchr(pat, ' ', (size_t)(eol - pat));
			if (sp) {
				mod = sp + 1;
				add(vs, &cap, pat, (size_t)(sp - pat), mod, (size_t)(eol - mod));
			}
		}
		p = eol;
	}
	munmap((void *)text, (size_t)st.st_size);
	return 0;
}

int variants_load(const char *moddir, struct variants *vs)
{
	*vs = (struct variants){0};
	return load_index(moddir, vs) == 0 ? 0 : load_text(moddir, vs);
}

void variant_modalias(const struct pci_ids *ids, char *buf, size_t size)
{
	/* "vfio_" + the modalias the kernel makes (drivers/pci/pci-driver.c, pci_uevent()) */
	snprintf(buf, size, "vfio_pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X", ids->vendor,
		 ids->device, ids->subvendor, ids->subdevice, ids->class >> 16,
		 (ids->class >> 8) & 0xff, ids->class & 0xff);
}

const struct variant_alias *variants_best(const struct variants *vs, const struct pci_ids *ids,
					  bool *tie)
{
	const struct variant_alias *best = NULL;
	char alias[96];

	*tie = false;
	if (!vs->n)
		return NULL;
	variant_modalias(ids, alias, sizeof(alias));
	for (size_t i = 0; i < vs->n; i++) {
		const struct variant_alias *a = &vs->v[i];

		if (fnmatch(a->pattern, alias, 0) != 0)
			continue;
		if (!best || a->score > best->score) {
			best = a;
			*tie = false;
		} else if (a->score == best->score && strcmp(a->module, best->module) != 0) {
			*tie = true;
		}
	}
	return *tie ? NULL : best;
}

const struct variant_alias *variants_by_module(const struct variants *vs, const char *module)
{
	for (size_t i = 0; i < vs->n; i++)
		if (same_module(vs->v[i].module, module))
			return &vs->v[i];
	return NULL;
}

void variants_free(struct variants *vs)
{
	for (size_t i = 0; i < vs->n; i++)
		free(vs->v[i].pattern);
	free(vs->v);
	*vs = (struct variants){0};
}
