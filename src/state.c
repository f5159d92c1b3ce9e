// SPDX-License-Identifier: LGPL-2.1-or-later
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "record.h"

#define STATE_DIR "/run/earlybind"

static char *field(const char *s)
{
	return strcmp(s, "-") == 0 ? NULL : xstrdup(s);
}

/* "ADDR\tRESULT\tTARGET\tORIG\tFINAL\tERROR\tORIGIN\tTIME\tRESTORE\tSELECTOR", '-' for none.
 * Lines of the first format (six fields) are the initramfs run's; RESTORE and SELECTOR came
 * later. */
static int parse_results(char *text, struct state *s)
{
	char *line, *save = NULL;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[10] = {0}, *p = line;
		struct state_entry e = {0};
		int n = 0;

		while (n < 10 && (f[n] = strsep(&p, "\t")))
			n++;
		if (n < 6 || pci_addr_parse(f[0], &e.addr) < 0)
			continue;
		e.res = result_parse(f[1]);
		if (drv_parse(f[2], &e.target) < 0)
			e.target = DRV_NONE;
		e.orig_driver = field(f[3]);
		e.final_driver = field(f[4]);
		e.error = field(f[5]);
		if (n >= 8) {
			e.origin = origin_parse(f[6]);
			e.time = strtoll(f[7], NULL, 10);
		}
		if (n >= 9)
			e.restore = field(f[8]);
		if (n >= 10)
			e.selector = field(f[9]);
		grow((void **)&s->v, &s->cap, s->n, sizeof(*s->v));
		s->v[s->n++] = e;
	}
	return 0;
}

int state_load(const struct env *e, struct state *s)
{
	_cleanup_free_ char *text = NULL;
	int r;

	*s = (struct state){0};
	r = pc_read_filef(&e->rootd, &text, NULL, STATE_DIR "/results");
	if (r < 0)
		return r;
	return parse_results(text, s);
}

static int mkdir_p(const char *path)
{
	_cleanup_free_ char *p = xstrdup(path);

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(p, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static const char *dash(const char *s)
{
	return s && *s ? s : "-";
}

/* Tabs and newlines would break the line format. */
static void add_clean(struct strbuf *sb, const char *s)
{
	for (s = dash(s); *s; s++)
		sb_addc(sb, *s == '\t' || *s == '\n' ? ' ' : *s);
}

static void merge(struct state *s, const struct ctx *c, const struct outcome *out,
		  enum origin origin, long long now)
{
	bool hand = origin == ORIGIN_HAND;

	for (size_t i = 0; i < c->devs.n; i++) {
		const struct outcome *oc = &out[i];
		const struct pci_addr *a = &c->devs.v[i].addr;
		struct state_entry *e = (struct state_entry *)state_find_origin(s, a, hand);
		const struct state_entry *in_force = state_find(s, a);

		if (oc->res == RES_NONE)
			continue;
		/* A later run finding the claim in effect does not erase how it came about. */
		if (in_force && oc->res == RES_ALREADY &&
		    (in_force->res == RES_CLAIMED || in_force->res == RES_ALREADY) &&
		    in_force->target == oc->target)
			continue;
		if (!e) {
			grow((void **)&s->v, &s->cap, s->n, sizeof(*s->v));
			e = &s->v[s->n++];
			*e = (struct state_entry){.addr = *a};
		} else {
			free(e->orig_driver);
			free(e->final_driver);
			free(e->error);
			free(e->restore);
			free(e->selector);
		}
		e->res = oc->res;
		e->target = oc->target;
		e->origin = origin;
		e->time = now;
		e->orig_driver = oc->orig_driver ? xstrdup(oc->orig_driver) : NULL;
		e->final_driver = oc->final_driver ? xstrdup(oc->final_driver) : NULL;
		e->error = oc->error ? xstrdup(oc->error) : NULL;
		e->restore = oc->restore ? xstrdup(oc->restore) : NULL;
		e->selector = oc->selector ? xstrdup(oc->selector) : NULL;
	}
}

static int entry_cmp(const void *a, const void *b)
{
	const struct state_entry *x = a, *y = b;
	int c = pci_addr_cmp(&x->addr, &y->addr);

	if (c)
		return c;
	return (x->origin == ORIGIN_HAND) - (y->origin == ORIGIN_HAND);
}

/* The boot's own part of state.json: what the initramfs (or a udev run) planned and warned. */
static char *boot_json(const struct ctx *c, const char *command, long long now)
{
	struct strbuf json;

	sb_init(&json);
	sb_addf(&json, "{\"command\":\"%s\",\"time\":%lld,\"dryrun\":%s,\"plan\":[", command, now,
		c->rules.dryrun ? "true" : "false");
	for (size_t i = 0, k = 0; i < c->devs.n; i++) {
		if (c->plan.dec[i].action == ACT_NONE)
			continue;
		if (k++)
			sb_addc(&json, ',');
		json_device(&json, &c->devs.v[i], &c->plan.dec[i]);
	}
	sb_add(&json, "],\"sriov\":");
	json_sriov(&json, &c->plan, &c->devs);
	sb_add(&json, ",\"warnings\":");
	sb_add_json_strv(&json, c->diag.msgs, c->diag.n);
	sb_addc(&json, '}');
	return json.s;
}

/* The state directory's lock, held (flock) until the fd is closed; or -errno. */
static int lock_state(const char *dir)
{
	_cleanup_free_ char *path = xasprintf("%s/lock", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

/*
 * The boot's record, as one JSON value without its newline (NULL: none yet). A boot run
 * (re)writes it, and the ids modprobe.d gives for the udev path's early decision; a hand run
 * reads the boot's as they are. *r: 0 or the -errno of a write.
 */
static char *boot_record(const struct ctx *c, const char *dir, const char *command,
			 enum origin origin, long long now, int *r)
{
	char *boot = NULL;
	size_t n;

	*r = 0;
	if (origin != ORIGIN_HAND) {
		boot = boot_json(c, command, now);
		*r = write_atomic(dir, "boot.json", boot);
		if (*r == 0 && c->rules.modconf_words.len) {
			_cleanup_free_ char *w = xasprintf("%s\n", c->rules.modconf_words.s);

			*r = write_atomic(dir, path_basename(MODPROBE_IDS_FILE), w);
		}
	} else {
		_cleanup_free_ char *path = xasprintf("%s/boot.json", dir);

		if (read_file(path, &boot, NULL) < 0)
			boot = NULL;
	}
	for (n = boot ? strlen(boot) : 0; n && boot[n - 1] == '\n';)
		boot[--n] = '\0';
	return boot;
}

/* One line of the results file (see parse_results()). */
static void result_line(struct strbuf *lines, const struct state_entry *e)
{
	char a[PCI_ADDR_MAX];

	pci_addr_fmt(&e->addr, a);
	sb_addf(lines, "%s\t%s\t%s\t", a, result_name(e->res), dash(drv_name(e->target)));
	add_clean(lines, e->orig_driver);
	sb_addc(lines, '\t');
	add_clean(lines, e->final_driver);
	sb_addc(lines, '\t');
	add_clean(lines, e->error);
	sb_addf(lines, "\t%s\t%lld\t", origin_name(e->origin), e->time);
	add_clean(lines, e->restore);
	sb_addc(lines, '\t');
	add_clean(lines, e->selector);
	sb_addc(lines, '\n');
}

int state_save(struct ctx *c, const struct outcome *out, const char *command, enum origin origin)
{
	_cleanup_free_ char *dir = root_path(c->env, STATE_DIR);
	_cleanup_free_ char *boot = NULL;
	_cleanup_close_ int lock = -1;
	long long now = (long long)time(NULL);
	struct strbuf lines, json;
	struct state s = {0};
	int r;

	r = mkdir_p(dir);
	if (r < 0)
		return r;
	lock = lock_state(dir);
	if (lock < 0)
		return lock;
	r = state_load(c->env, &s);
	if (r < 0 && r != -ENOENT) {
		state_free(&s);
		return r;
	}
	merge(&s, c, out, origin, now);
	if (s.n)
		qsort(s.v, s.n, sizeof(*s.v), entry_cmp);
	boot = boot_record(c, dir, command, origin, now, &r);
	sb_init(&lines);
	sb_add(&lines, "");
	sb_init(&json);
	sb_addf(&json, "{\"schema\":1,\"version\":3,\"boot\":%s,\"results\":[",
		boot ? boot : "null");
	for (size_t i = 0; i < s.n; i++) {
		result_line(&lines, &s.v[i]);
		if (i)
			sb_addc(&json, ',');
		json_recorded(&json, &s.v[i]);
	}
	sb_add(&json, "],\"bound\":");
	json_bound(&json, &s, &c->devs);
	sb_add(&json, "}\n");
	if (r == 0)
		r = write_atomic(dir, "results", lines.s);
	if (r == 0)
		r = write_atomic(dir, "state.json", json.s);
	sb_free(&lines);
	sb_free(&json);
	state_free(&s);
	return r;
}
