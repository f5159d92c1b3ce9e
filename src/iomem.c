// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iomem.h"
#include "util.h"

/* The names the firmware framebuffer and its drivers give their ranges: sysfb's BOOTFB
 * (drivers/firmware/sysfb_simplefb.c) and what efifb, vesafb, simplefb and simpledrm request. */
static const char *const fb_names[] = {"BOOTFB",   "efifb",	"vesafb",
				       "simplefb", "simpledrm", "simple-framebuffer"};

static bool is_fb_name(const char *s)
{
	for (size_t i = 0; i < sizeof(fb_names) / sizeof(fb_names[0]); i++)
		if (strcmp(s, fb_names[i]) == 0)
			return true;
	return false;
}

struct res {
	uint64_t start, end;
	bool pci;
	struct pci_addr addr;
};

/* "  START-END : NAME" -> depth (two spaces a level), range, name (in place). */
static int parse_line(char *line, size_t *depth, uint64_t *start, uint64_t *end, char **name)
{
	size_t sp = strspn(line, " ");
	char *p = line + sp, *e;

	*depth = sp / 2;
	errno = 0;
	*start = strtoull(p, &e, 16);
	if (e == p || *e != '-' || errno)
		return -EINVAL;
	p = e + 1;
	*end = strtoull(p, &e, 16);
	if (e == p || strncmp(e, " : ", 3) != 0 || errno)
		return -EINVAL;
	*name = e + 3;
	return 0;
}

static void add_fb(struct iomem_fbs *out, size_t *cap, const struct pci_addr *a, const char *name,
		   uint64_t start, uint64_t end)
{
	struct iomem_fb *f;

	grow((void **)&out->v, cap, out->n, sizeof(*out->v));
	f = &out->v[out->n++];
	*f = (struct iomem_fb){.dev = *a, .start = start, .end = end};
	snprintf(f->name, sizeof(f->name), "%s", name);
}

void iomem_parse(const char *text, struct iomem_fbs *out)
{
	enum { MAX_DEPTH = 32 };
	struct res stack[MAX_DEPTH] = {0};
	struct res *pci = NULL, *loose = NULL;
	char **loose_names = NULL;
	size_t npci = 0, cpci = 0, nloose = 0, cloose = 0, cnames = 0, cap = 0;
	_cleanup_free_ char *copy = xstrdup(text);
	char *save = NULL;

	*out = (struct iomem_fbs){0};
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t depth;
		uint64_t start, end;
		char *name;
		struct res r;

		if (parse_line(line, &depth, &start, &end, &name) < 0 || depth >= MAX_DEPTH)
			continue;
		r = (struct res){.start = start, .end = end};
		r.pci =
		    pci_addr_parse(name, &r.addr) == 0 && strchr(name, ':') != strrchr(name, ':');
		stack[depth] = r;
		if (r.pci) {
			grow((void **)&pci, &cpci, npci, sizeof(*pci));
			pci[npci++] = r;
			continue;
		}
		if (!is_fb_name(name))
			continue;
		for (size_t d = depth; d-- > 0;)
			if (stack[d].pci) {
				add_fb(out, &cap, &stack[d].addr, name, start, end);
				goto next;
			}
		grow((void **)&loose, &cloose, nloose, sizeof(*loose));
		grow((void **)&loose_names, &cnames, nloose, sizeof(*loose_names));
		loose[nloose] = r;
		loose_names[nloose++] = name;
	next:;
	}
	/* not nested (an older kernel, or the BAR inserted around it later): by address */
	for (size_t i = 0; i < nloose; i++)
		for (size_t k = 0; loose[i].end && k < npci; k++)
			if (pci[k].start <= loose[i].start && loose[i].end <= pci[k].end) {
				add_fb(out, &cap, &pci[k].addr, loose_names[i], loose[i].start,
				       loose[i].end);
				break;
			}
	free(pci);
	free(loose);
	free(loose_names);
}

int iomem_load(const char *path, struct iomem_fbs *out)
{
	_cleanup_free_ char *text = NULL;
	int r = read_file(path, &text, NULL);

	*out = (struct iomem_fbs){0};
	if (r < 0)
		return r;
	iomem_parse(text, out);
	return 0;
}

const struct iomem_fb *iomem_fb_of(const struct iomem_fbs *f, const struct pci_addr *a)
{
	for (size_t i = 0; i < f->n; i++)
		if (pci_addr_cmp(&f->v[i].dev, a) == 0)
			return &f->v[i];
	return NULL;
}

void iomem_free(struct iomem_fbs *f)
{
	free(f->v);
	*f = (struct iomem_fbs){0};
}
