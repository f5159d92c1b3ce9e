// SPDX-License-Identifier: LGPL-2.1-or-later
#include "bootdev.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void boot_list_add(struct boot_list *b, const char *physpath, uint16_t v, uint16_t dv,
			  const char *what)
{
	grow((void **)&b->v, &b->cap, b->n, sizeof(*b->v));
	b->v[b->n++] = (struct boot_dev){
		.physpath = xstrdup(physpath), .vendor = v, .device = dv, .what = xstrdup(what)};
}

int bootdev_parse_file(const char *path, struct boot_list *b, struct diag *d)
{
	_cleanup_free_ char *text = NULL;
	char *line, *save = NULL;
	unsigned lineno = 0;
	int r = read_file(path, &text, NULL);

	if (r < 0)
		return r;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char phys[512], ids[32], addr[64];
		int what = 0;
		uint32_t v, dv;
		char *colon;

		lineno++;
		while (*line == ' ' || *line == '\t')
			line++;
		if (!*line || *line == '#')
			continue;
		if (sscanf(line, "%511s %31s %63s %n", phys, ids, addr, &what) < 3 ||
		    !(colon = strchr(ids, ':'))) {
			diag_warn(d, DIAG_SYSFS, "%s:%u: malformed boot-device line; ignored", path, lineno);
			continue;
		}
		*colon = '\0';
		if (parse_hex_u32(ids, &v) < 0 || parse_hex_u32(colon + 1, &dv) < 0 || v > 0xffff ||
		    dv > 0xffff) {
			diag_warn(d, DIAG_SYSFS, "%s:%u: malformed ids; ignored", path, lineno);
			continue;
		}
		boot_list_add(b, phys, (uint16_t)v, (uint16_t)dv,
			      what && line[what] ? line + what : "a boot file system");
	}
	return 0;
}

void bootdev_load_for_plan(const struct opts *o, struct boot_list *b, struct diag *d)
{
	_cleanup_free_ char *def = NULL;
	const char *path = o->boot_devices;
	int r;

	if (!path)
		path = def = root_path(o, BOOTDEV_DEFAULT_FILE);
	r = bootdev_parse_file(path, b, d);
	if (r < 0 && (o->boot_devices || r != -ENOENT))
		diag_warn(d, DIAG_SYSFS, "cannot read the boot-device list %s: %s", path, strerror(-r));
}
