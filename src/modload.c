// SPDX-License-Identifier: LGPL-2.1-or-later
#include "modload.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmdline.h"
#include "dlib.h"

#define MAX_DEPTH 16

struct modload {
	struct kmod_ctx *ctx;
	struct modparam *kc; /* the module options libkmod took from /proc/cmdline */
	size_t nkc, capkc;
	struct strbuf notes; /* what was not done as modprobe would, for the caller to log */
};

/* cmdline_split() callback over /proc/cmdline: the words libkmod merges into its config. */
static void collect_kcmdline(const char *key, const char *val, const char *src, void *ud)
{
	struct modload *m = ud;
	struct modparam mp;

	(void)src;
	if (!modparam_split(key, val, &mp.module, &mp.word))
		return;
	grow((void **)&m->kc, &m->capkc, m->nkc, sizeof(*m->kc));
	m->kc[m->nkc++] = mp;
}

static void kmod_quiet(void *data, int priority, const char *file, int line, const char *fn,
		       const char *format, va_list args)
{
	(void)data, (void)priority, (void)file, (void)line, (void)fn, (void)format, (void)args;
}

/* libkmod's configuration directories, in its order (kmod 31 and later add its DISTCONFDIR,
 * /usr/lib on merged-/usr systems). */
const char *const modload_conf_dirs[] = {"/etc/modprobe.d",	      "/run/modprobe.d",
					 "/usr/local/lib/modprobe.d", "/usr/lib/modprobe.d",
					 "/lib/modprobe.d",	      NULL};

bool modload_conf_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".conf") == 0;
}

/* Whether the file `name` in the open directory dfd has "ids=", "disable_denylist" or "noiommu"
 * in it. */
static bool file_mentions_ids(int dfd, const char *name)
{
	_cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	char buf[4096];
	size_t keep = 0;
	ssize_t r;

	if (fd < 0)
		return false;
	while ((r = read(fd, buf + keep, sizeof(buf) - keep)) > 0) {
		size_t len = keep + (size_t)r;

		if (memmem(buf, len, "ids=", 4) || memmem(buf, len, "disable_denylist", 16) ||
		    memmem(buf, len, "noiommu", 7))
			return true;
		if ((size_t)r < sizeof(buf) - keep) /* a regular file's short read is its end */
			return false;
		keep = 15; /* "disable_denylis" may go on in the next block */
		memmove(buf, buf + len - keep, keep);
	}
	return false;
}

bool modload_conf_mentions_ids(const struct env *e)
{
	bool found = false;

	for (size_t i = 0; modload_conf_dirs[i] && !found; i++) {
		_cleanup_free_ char *dir = root_path(e, modload_conf_dirs[i]);
		_cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		char buf[8192];
		ssize_t got;

		while (dfd >= 0 && !found && (got = getdents64(dfd, buf, sizeof(buf))) > 0) {
			for (ssize_t off = 0; off < got && !found;) {
				const struct dirent64 *de = (const struct dirent64 *)(buf + off);
				off += de->d_reclen;
				if (!modload_conf_name(de->d_name))
					continue;
				found = file_mentions_ids(dfd, de->d_name);
			}
		}
	}
	return found;
}

int modload_new(struct modload **out, const struct env *e)
{
	const char *paths[ARRAY_SIZE(modload_conf_dirs)];
	char *owned[ARRAY_SIZE(modload_conf_dirs)] = {0};
	_cleanup_free_ char *moddir = NULL;
	struct modload *m;
	int r;

	r = dlopen_kmod(NULL);
	if (r < 0)
		return r;
	moddir = env_moddir(e);
	if (!moddir)
		return -errno;
	for (size_t i = 0; modload_conf_dirs[i]; i++)
		paths[i] = owned[i] = root_path(e, modload_conf_dirs[i]);
	paths[ARRAY_SIZE(modload_conf_dirs) - 1] = NULL;

	m = xcalloc(1, sizeof(*m));
	m->ctx = sym_kmod_new(moddir, paths);
	for (size_t i = 0; i < ARRAY_SIZE(modload_conf_dirs); i++)
		free(owned[i]);
	if (!m->ctx) {
		free(m);
		return -ENOMEM;
	}
	sym_kmod_set_log_fn(m->ctx, kmod_quiet, NULL);
	sb_init(&m->notes);
	/* libkmod always reads the real /proc/cmdline into its config: split it with the one
	 * parser, so that those options can be told from modprobe.d's. */
	{
		_cleanup_free_ char *kc = NULL;

		if (read_file("/proc/cmdline", &kc, NULL) == 0)
			cmdline_split(kc, "/proc/cmdline", collect_kcmdline, m);
	}
	*out = m;
	return 0;
}

void modload_free(struct modload *m)
{
	if (!m)
		return;
	sym_kmod_unref(m->ctx);
	for (size_t i = 0; i < m->nkc; i++) {
		free(m->kc[i].module);
		free(m->kc[i].word);
	}
	free(m->kc);
	sb_free(&m->notes);
	free(m);
}

/* Whether libkmod took this option of `module` from /proc/cmdline. */
static bool from_kcmdline(const struct modload *m, const char *module, const char *word)
{
	for (size_t i = 0; i < m->nkc; i++)
		if (cmdline_key_eq(m->kc[i].module, module) && strcmp(m->kc[i].word, word) == 0)
			return true;
	return false;
}

struct option_filter {
	const struct modload *m; /* the words libkmod merged from /proc/cmdline are dropped */
	const char *module;
	bool drop_ids;
	struct strbuf *out;
};

static void filter_word(const char *key, const char *val, const char *src, void *ud)
{
	struct option_filter *f = ud;
	_cleanup_free_ char *word = modparam_word(key, val);

	(void)src;
	if ((f->drop_ids && strcmp(key, "ids") == 0) ||
	    (f->m && from_kcmdline(f->m, f->module, word)))
		return;
	if (f->out->len)
		sb_addc(f->out, ' ');
	sb_add(f->out, word);
}

char *modload_conf_options(struct modload *m, const char *module)
{
	struct kmod_module *mod = NULL;
	_cleanup_free_ char *all = NULL;
	struct strbuf sb;
	const char *opts;

	if (sym_kmod_module_new_from_name(m->ctx, module, &mod) < 0)
		return NULL;
	opts = sym_kmod_module_get_options(mod);
	all = opts ? xstrdup(opts) : NULL;
	sym_kmod_module_unref(mod);
	if (!all)
		return NULL;
	sb_init(&sb);
	/* split as the kernel splits module options (parse_args()) */
	cmdline_split(all, "modprobe.d", filter_word,
		      &(struct option_filter){.m = m, .module = module, .out = &sb});
	return sb.s;
}

void modload_strip_ids(char *options)
{
	_cleanup_free_ char *buf = xstrdup(options);
	struct strbuf sb;

	sb_init(&sb);
	sb_add(&sb, "");
	cmdline_split(buf, "options", filter_word,
		      &(struct option_filter){.drop_ids = true, .out = &sb});
	memcpy(options, sb.s, sb.len + 1);
	sb_free(&sb);
}

static bool module_live(const struct path_cxt *sys, const char *name)
{
	return pc_existsf(sys, "module/%s", name);
}

char *modload_options(struct modload *m, const struct rules *r, const char *module)
{
	_cleanup_free_ char *conf = modload_conf_options(m, module);
	struct strbuf sb;

	sb_init(&sb);
	sb_add(&sb, conf ? conf : "");
	if (r)
		rules_module_options(r, module, &sb);
	/* ids= stays with us: inserted with it, the driver would take kept devices and twins. */
	if (cmdline_key_eq(module, drv_module(DRV_VFIO)) ||
	    cmdline_key_eq(module, drv_module(DRV_STUB)))
		modload_strip_ids(sb.s);
	return sb.s;
}

char *modload_take_notes(struct modload *m)
{
	char *n = m->notes.len ? xstrdup(m->notes.s) : NULL;

	sb_free(&m->notes);
	sb_init(&m->notes);
	return n;
}

struct walk {
	struct modload *m;
	const struct path_cxt *sys;
	const struct rules *rules;
	struct strbuf *what;
};

static int insert_tree(struct walk *w, struct kmod_module *mod, int depth);

/* Hard dependencies: the first failure stops the walk. */
static int insert_deps(struct walk *w, struct kmod_list *list, int depth)
{
	struct kmod_list *l;
	int r = 0;

	sym_kmod_list_foreach(l, list)
	{
		struct kmod_module *dep = sym_kmod_module_get_module(l);

		if (r == 0)
			r = insert_tree(w, dep, depth + 1);
		sym_kmod_module_unref(dep);
	}
	return r;
}

/* Soft dependencies: as libkmod does, a failure is noted and the walk goes on. */
static void insert_soft(struct walk *w, struct kmod_list *list, int depth)
{
	struct kmod_list *l;

	sym_kmod_list_foreach(l, list)
	{
		struct kmod_module *dep = sym_kmod_module_get_module(l);
		struct strbuf why;

		sb_init(&why);
		if (insert_tree(&(struct walk){w->m, w->sys, w->rules, &why}, dep, depth + 1) < 0)
			sb_addf(&w->m->notes, "%ssoft dependency %s not loaded (%s); carried on",
				w->m->notes.len ? "; " : "", sym_kmod_module_get_name(dep),
				why.s ? why.s : "?");
		sb_free(&why);
		sym_kmod_module_unref(dep);
	}
}

static int insert_tree(struct walk *w, struct kmod_module *mod, int depth)
{
	const char *name = sym_kmod_module_get_name(mod);
	struct kmod_list *pre = NULL, *post = NULL, *deps;
	_cleanup_free_ char *options = NULL;
	int r;

	if (depth > MAX_DEPTH) {
		sb_addf(w->what, "dependency loop at %s", name);
		return -ELOOP;
	}
	if (module_live(w->sys, name))
		return 0;
	if (!sym_kmod_module_get_path(mod)) /* built in: nothing to insert */
		return 0;
	if (sym_kmod_module_get_install_commands(mod))
		sb_addf(&w->m->notes,
			"%smodprobe.d has an install command for %s: not run, %s inserted "
			"directly",
			w->m->notes.len ? "; " : "", name, name);
	sym_kmod_module_get_softdeps(mod, &pre, &post);
	insert_soft(w, pre, depth);
	deps = sym_kmod_module_get_dependencies(mod);
	r = insert_deps(w, deps, depth);
	sym_kmod_module_unref_list(deps);
	if (r == 0) {
		/* Every module gets what modprobe would give it: modprobe.d and the command line.
		 */
		options = modload_options(w->m, w->rules, name);
		r = sym_kmod_module_insert_module(mod, 0, options);
		if (r == -EEXIST)
			r = 0;
		if (r < 0)
			sb_addf(w->what, "inserting %s: %s", name, strerror(-r));
	}
	if (r == 0)
		insert_soft(w, post, depth);
	sym_kmod_module_unref_list(pre);
	sym_kmod_module_unref_list(post);
	return r;
}

bool modload_has_param(struct modload *m, const char *module, const char *param)
{
	struct kmod_module *mod = NULL;
	struct kmod_list *info = NULL, *l;
	size_t n = strlen(param);
	bool has = false;

	if (sym_kmod_module_new_from_name(m->ctx, module, &mod) < 0)
		return false;
	if (sym_kmod_module_get_info(mod, &info) >= 0) {
		sym_kmod_list_foreach(l, info)
		{
			const char *k = sym_kmod_module_info_get_key(l);
			const char *v = sym_kmod_module_info_get_value(l);

			/* "parm" = "NAME:description" */
			has = has || (k && v && strcmp(k, "parm") == 0 &&
				      strncmp(v, param, n) == 0 && v[n] == ':');
		}
		sym_kmod_module_info_free_list(info);
	}
	sym_kmod_module_unref(mod);
	return has;
}

int modload_load(struct modload *m, const struct path_cxt *sys, const char *module,
		 const struct rules *rules, struct strbuf *what)
{
	struct walk w = {m, sys, rules, what};
	struct kmod_list *list = NULL, *l;
	int r;

	if (module_live(sys, module))
		return 0;
	r = sym_kmod_module_new_from_lookup(m->ctx, module, &list);
	if (r < 0 || !list) {
		sb_addf(what, "module %s not found", module);
		return r < 0 ? r : -ENOENT;
	}
	r = -ENOENT;
	sym_kmod_list_foreach(l, list)
	{
		struct kmod_module *mod = sym_kmod_module_get_module(l);

		r = insert_tree(&w, mod, 0);
		sym_kmod_module_unref(mod);
		break;
	}
	sym_kmod_module_unref_list(list);
	return r;
}
