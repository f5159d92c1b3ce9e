// SPDX-License-Identifier: LGPL-2.1-or-later
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define LINES_PER_OPEN 8

static void log_reopen(struct logger *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = open(l->path ? l->path : "/dev/kmsg",
		     O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY | (l->path ? O_CREAT : 0), 0644);
	l->lines = 0;
}

void log_open(struct logger *l, const char *path)
{
	*l = (struct logger){.path = path, .fd = -1};
	log_reopen(l);
}

void log_close(struct logger *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}

void log_line(struct logger *l, enum log_level level, const char *fmt, ...)
{
	struct strbuf sb;
	va_list ap;

	sb_init(&sb);
	if (l->fd >= 0)
		sb_addf(&sb, "<%d>", level);
	sb_add(&sb, "earlybind: ");
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	/* One record per write: newlines inside would split it. */
	for (char *p = sb.s; *p; p++)
		if (*p == '\n')
			*p = ' ';
	sb_addc(&sb, '\n');
	if (l->fd >= 0 && l->lines >= LINES_PER_OPEN)
		log_reopen(l);
	if (l->fd < 0 || write(l->fd, sb.s, sb.len) != (ssize_t)sb.len) {
		const char *msg = sb.s;

		/* Skip the "<L>" prefix on stderr. */
		if (l->fd >= 0)
			msg = strchr(sb.s, '>') + 1;
		fputs(msg, stderr);
	}
	l->lines++;
	l->total++;
	sb_free(&sb);
}
