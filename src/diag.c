// SPDX-License-Identifier: LGPL-2.1-or-later
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>

static const char *const kind_names[DIAG__MAX] = {
    [DIAG_CMDLINE] = "command-line", [DIAG_IDS] = "ids",   [DIAG_ADDR] = "address",
    [DIAG_SYSFS] = "sysfs",	     [DIAG_PLAN] = "plan",
};

void diag_init(struct diag *d)
{
	*d = (struct diag){0};
}

void diag_free(struct diag *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->msgs[i]);
	free(d->msgs);
	diag_init(d);
}

void diag_truncate(struct diag *d, size_t n)
{
	while (d->n > n)
		free(d->msgs[--d->n]);
}

static void diag_push(struct diag *d, char *msg)
{
	grow((void **)&d->msgs, &d->cap, d->n, sizeof(*d->msgs));
	d->msgs[d->n++] = msg;
}

void diag_warn(struct diag *d, enum diag_kind kind, const char *fmt, ...)
{
	va_list ap;

	if (d->shown[kind] >= DIAG_CAP) {
		d->dropped[kind]++;
		return;
	}
	d->shown[kind]++;
	va_start(ap, fmt);
	diag_push(d, xvasprintf(fmt, ap));
	va_end(ap);
}

void diag_finish(struct diag *d)
{
	for (int k = 0; k < DIAG__MAX; k++) {
		if (!d->dropped[k])
			continue;
		diag_push(d,
			  xasprintf("%u more %s warnings not shown", d->dropped[k], kind_names[k]));
		d->dropped[k] = 0;
	}
}
