// SPDX-License-Identifier: LGPL-2.1-or-later
#include "modload.h"

#include <errno.h>
#include <libkmod.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#define MAX_DEPTH 16

struct modload {
	struct kmod_ctx *ctx;
	char *kcmdline; /* /proc/cmdline as libkmod read it */
};

static void kmod_quiet(void *data, int priority, const char *file, int line, const char *fn,
		       const char *format, va_list args)
{
	(void)data, (void)priority, (void)file, (void)line, (void)fn, (void)format, (void)args;
}

int modload_new(struct modload **out, const struct opts *o)
{
	static const char *const dirs[] = {"/etc/modprobe.d", "/run/modprobe.d",
					   "/usr/local/lib/modprobe.d", "/lib/modprobe.d", NULL};
	const char *paths[ARRAY_SIZE(dirs)];
	char *owned[ARRAY_SIZE(dirs)] = {0};
	_cleanup_free_ char *moddir = NULL;
	struct modload *m;
	struct utsname u;

	if (o->moddir) {
		moddir = xstrdup(o->moddir);
	} else {
		struct strbuf sb;

		if (uname(&u) < 0)
			return -errno;
		sb_init(&sb);
		sb_addf(&sb, "/lib/modules/%s", u.release);
		moddir = root_path(o, sb.s);
		sb_free(&sb);
	}
	for (size_t i = 0; dirs[i]; i++)
		paths[i] = owned[i] = root_path(o, dirs[i]);
	paths[ARRAY_SIZE(dirs) - 1] = NULL;

	m = xcalloc(1, sizeof(*m));
	m->ctx = kmod_new(moddir, paths);
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		free(owned[i]);
	if (!m->ctx) {
		free(m);
		return -ENOMEM;
	}
	kmod_set_log_fn(m->ctx, kmod_quiet, NULL);
	/* libkmod always reads the real /proc/cmdline into its config. */
	if (read_file("/proc/cmdline", &m->kcmdline, NULL) < 0)
		m->kcmdline = xstrdup("");
	*out = m;
	return 0;
}

void modload_free(struct modload *m)
{
	if (!m)
		return;
	kmod_unref(m->ctx);
	free(m->kcmdline);
	free(m);
}

/* The next space-separated word of an options string, honouring double quotes. */
static char *next_word(char **s)
{
	char *p = *s, *start;
	bool q = false;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return NULL;
	start = p;
	for (; *p && (q || (*p != ' ' && *p != '\t')); p++)
		if (*p == '"')
			q = !q;
	if (*p)
		*p++ = '\0';
	*s = p;
	return start;
}

/* Whether /proc/cmdline has "MODULE.WORD" (libkmod adds those to the module's options). */
static bool from_kcmdline(const struct modload *m, const char *module, const char *word)
{
	size_t ml = strlen(module), wl = strlen(word);
	const char *p = m->kcmdline;

	while ((p = strstr(p, word))) {
		const char *dot = p - 1;

		if (dot - m->kcmdline >= (ptrdiff_t)ml && *dot == '.' &&
		    (p[wl] == ' ' || p[wl] == '\n' || p[wl] == '\0')) {
			const char *mod = dot - ml;
			bool same = true;

			for (size_t i = 0; i < ml && same; i++) {
				char a = mod[i] == '-' ? '_' : mod[i];
				char b = module[i] == '-' ? '_' : module[i];

				same = a == b;
			}
			if (same && (mod == m->kcmdline || mod[-1] == ' '))
				return true;
		}
		p += wl;
	}
	return false;
}

char *modload_conf_options(struct modload *m, const char *module)
{
	struct kmod_module *mod = NULL;
	_cleanup_free_ char *all = NULL;
	struct strbuf sb;
	const char *opts;
	char *p, *w;

	if (kmod_module_new_from_name(m->ctx, module, &mod) < 0)
		return NULL;
	opts = kmod_module_get_options(mod);
	all = opts ? xstrdup(opts) : NULL;
	kmod_module_unref(mod);
	if (!all)
		return NULL;
	sb_init(&sb);
	p = all;
	while ((w = next_word(&p))) {
		if (from_kcmdline(m, module, w))
			continue;
		if (sb.len)
			sb_addc(&sb, ' ');
		sb_add(&sb, w);
	}
	return sb.s;
}

void modload_strip_ids(char *options)
{
	struct strbuf sb;
	char *p = options, *w;

	sb_init(&sb);
	sb_add(&sb, "");
	while ((w = next_word(&p))) {
		if (strncmp(w, "ids=", 4) == 0)
			continue;
		if (sb.len)
			sb_addc(&sb, ' ');
		sb_add(&sb, w);
	}
	memcpy(options, sb.s, sb.len + 1);
	sb_free(&sb);
}

static bool module_live(const char *sysfs, const char *name)
{
	char path[4096];
	struct stat st;

	if (path_fmt(path, sizeof(path), "%s/module/%s", sysfs, name) < 0)
		return false;
	return stat(path, &st) == 0;
}

static int insert_tree(struct modload *m, const char *sysfs, struct kmod_module *mod,
		       const char *options, int depth, struct strbuf *what);

static int insert_list(struct modload *m, const char *sysfs, struct kmod_list *list, int depth,
		       struct strbuf *what)
{
	struct kmod_list *l;
	int r = 0;

	kmod_list_foreach(l, list)
	{
		struct kmod_module *dep = kmod_module_get_module(l);

		if (r == 0)
			r = insert_tree(m, sysfs, dep, NULL, depth + 1, what);
		kmod_module_unref(dep);
	}
	return r;
}

static int insert_tree(struct modload *m, const char *sysfs, struct kmod_module *mod,
		       const char *options, int depth, struct strbuf *what)
{
	const char *name = kmod_module_get_name(mod);
	struct kmod_list *pre = NULL, *post = NULL, *deps;
	_cleanup_free_ char *own = NULL;
	int r;

	if (depth > MAX_DEPTH) {
		sb_addf(what, "dependency loop at %s", name);
		return -ELOOP;
	}
	if (module_live(sysfs, name))
		return 0;
	if (!kmod_module_get_path(mod)) /* built in: nothing to insert */
		return 0;
	kmod_module_get_softdeps(mod, &pre, &post);
	r = insert_list(m, sysfs, pre, depth, what);
	if (r == 0) {
		deps = kmod_module_get_dependencies(mod);
		r = insert_list(m, sysfs, deps, depth, what);
		kmod_module_unref_list(deps);
	}
	if (r == 0) {
		/* Dependencies get their modprobe.d options too, never ids=. */
		if (!options) {
			own = modload_conf_options(m, name);
			if (own)
				modload_strip_ids(own);
			options = own;
		}
		r = kmod_module_insert_module(mod, 0, options ? options : "");
		if (r == -EEXIST)
			r = 0;
		if (r < 0)
			sb_addf(what, "inserting %s: %s", name, strerror(-r));
	}
	if (r == 0)
		r = insert_list(m, sysfs, post, depth, what);
	kmod_module_unref_list(pre);
	kmod_module_unref_list(post);
	return r;
}

int modload_load(struct modload *m, const char *sysfs, const char *module, const char *options,
		 struct strbuf *what)
{
	struct kmod_list *list = NULL, *l;
	int r;

	if (module_live(sysfs, module))
		return 0;
	r = kmod_module_new_from_lookup(m->ctx, module, &list);
	if (r < 0 || !list) {
		sb_addf(what, "module %s not found", module);
		return r < 0 ? r : -ENOENT;
	}
	r = -ENOENT;
	kmod_list_foreach(l, list)
	{
		struct kmod_module *mod = kmod_module_get_module(l);

		r = insert_tree(m, sysfs, mod, options, 0, what);
		kmod_module_unref(mod);
		break;
	}
	kmod_module_unref_list(list);
	return r;
}
