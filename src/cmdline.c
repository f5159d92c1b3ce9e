// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cmdline.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static char *skip_spaces(char *s)
{
	while (k_isspace(*s))
		s++;
	return s;
}

/* A literal transcription of the rules of next_arg() in lib/cmdline.c. */
static char *next_arg(char *args, char **param, char **val)
{
	size_t i, equals = 0;
	bool in_quote = false, quoted = false;

	if (*args == '"') {
		args++;
		in_quote = true;
		quoted = true;
	}
	for (i = 0; args[i]; i++) {
		if (k_isspace(args[i]) && !in_quote)
			break;
		if (equals == 0 && args[i] == '=')
			equals = i;
		if (args[i] == '"')
			in_quote = !in_quote;
	}
	*param = args;
	if (!equals) {
		*val = NULL;
	} else {
		args[equals] = '\0';
		*val = args + equals + 1;
		/* Don't include quotes in value. */
		if (**val == '"') {
			(*val)++;
			if (args[i - 1] == '"')
				args[i - 1] = '\0';
		}
	}
	if (quoted && i > 0 && args[i - 1] == '"')
		args[i - 1] = '\0';
	if (args[i]) {
		args[i] = '\0';
		args += i + 1;
	} else {
		args += i;
	}
	return skip_spaces(args);
}

void cmdline_split(char *buf, const char *src, cmdline_cb cb, void *ud)
{
	char *args = skip_spaces(buf);

	while (*args) {
		char *param, *val;

		args = next_arg(args, &param, &val);
		if (!val && strcmp(param, "--") == 0)
			return;
		cb(param, val, src, ud);
	}
}

bool cmdline_key_eq(const char *a, const char *b)
{
	for (;; a++, b++) {
		char x = *a == '-' ? '_' : *a;
		char y = *b == '-' ? '_' : *b;

		if (x != y)
			return false;
		if (!x)
			return true;
	}
}

/*
 * Blanks every line whose first non-blank character is '#': a comment in a config file. The
 * kernel's own command line has no comments, so /proc/cmdline is never stripped.
 */
static void strip_comments(char *text)
{
	char *line = text;

	while (*line) {
		char *p = line, *nl = strchr(line, '\n');

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '#')
			memset(line, ' ', (size_t)((nl ? nl : line + strlen(line)) - line));
		if (!nl)
			break;
		line = nl + 1;
	}
}

static void load_one(const char *path, bool optional, bool config, cmdline_cb cb, void *ud,
		     struct diag *d)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r = read_file(path, &text, &len);

	if (r < 0) {
		if (!(optional && r == -ENOENT))
			diag_warn(d, DIAG_CMDLINE, "cannot read %s: %s", path, strerror(-r));
		return;
	}
	if (strlen(text) != len)
		diag_warn(d, DIAG_CMDLINE, "%s: contains a NUL byte; the rest is ignored", path);
	/* /proc/cmdline ends in a newline the kernel's own command line does not have. */
	len = strlen(text);
	if (config)
		strip_comments(text);
	while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		text[--len] = '\0';
	cmdline_split(text, path, cb, ud);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void load_dir(const char *dir, cmdline_cb cb, void *ud, struct diag *d)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;

	if (!dp) {
		if (errno != ENOENT)
			diag_warn(d, DIAG_CMDLINE, "cannot read %s: %s", dir, strerror(errno));
		return;
	}
	while ((de = readdir(dp))) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".conf") != 0)
			continue;
		grow((void **)&names, &cap, n, sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(dp);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		struct strbuf p;

		sb_init(&p);
		sb_addf(&p, "%s/%s", dir, names[i]);
		load_one(p.s, true, true, cb, ud, d);
		sb_free(&p);
		free(names[i]);
	}
	free(names);
}

void cmdline_load(const char *root, char *const *files, size_t nfiles, cmdline_cb cb, void *ud,
		  struct diag *d)
{
	struct strbuf p;

	if (nfiles) {
		for (size_t i = 0; i < nfiles; i++)
			load_one(files[i], false, true, cb, ud, d);
		return;
	}
	if (!root || strcmp(root, "/") == 0)
		root = "";
	sb_init(&p);
	sb_addf(&p, "%s/etc/cmdline", root);
	load_one(p.s, true, true, cb, ud, d);
	sb_add(&p, ".d");
	load_dir(p.s, cb, ud, d);
	sb_free(&p);
	/* The documented config file: what initramfs-tools images carry instead of /etc/cmdline.d.
	 */
	sb_addf(&p, "%s/etc/earlybind/cmdline.conf", root);
	load_one(p.s, true, true, cb, ud, d);
	sb_free(&p);
	sb_addf(&p, "%s/proc/cmdline", root);
	load_one(p.s, false, false, cb, ud, d);
	sb_free(&p);
}
