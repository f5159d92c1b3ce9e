// SPDX-License-Identifier: LGPL-2.1-or-later
#include "names.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "util.h"

const char *drv_name(enum drv d)
{
	switch (d) {
	case DRV_VFIO:
		return "vfio-pci";
	case DRV_STUB:
		return "pci-stub";
	default:
		return NULL;
	}
}

const char *drv_module(enum drv d)
{
	switch (d) {
	case DRV_VFIO:
		return "vfio_pci";
	case DRV_STUB:
		return "pci_stub";
	default:
		return NULL;
	}
}

int drv_parse(const char *s, enum drv *out)
{
	if (cmdline_key_eq(s, "vfio-pci")) {
		*out = DRV_VFIO;
		return 0;
	}
	if (cmdline_key_eq(s, "pci-stub")) {
		*out = DRV_STUB;
		return 0;
	}
	return -EINVAL;
}

/* The vfio-pci variant drivers the scan found registered (drivers of vfio_pci_core's holders):
 * a fact of the running kernel, kept for the life of the process. */
static char **vfio_family;
static size_t n_vfio_family, cap_vfio_family;

void drv_note_vfio_family(const char *name)
{
	for (size_t i = 0; i < n_vfio_family; i++)
		if (strcmp(vfio_family[i], name) == 0)
			return;
	grow((void **)&vfio_family, &cap_vfio_family, n_vfio_family, sizeof(*vfio_family));
	vfio_family[n_vfio_family++] = xstrdup(name);
}

enum drv drv_from_bound(const char *name)
{
	if (!name)
		return DRV_NONE;
	if (strcmp(name, "vfio-pci") == 0)
		return DRV_VFIO;
	if (strcmp(name, "pci-stub") == 0)
		return DRV_STUB;
	for (size_t i = 0; i < n_vfio_family; i++)
		if (strcmp(vfio_family[i], name) == 0)
			return DRV_VFIO;
	return DRV_NONE;
}

char *module_name(const char *s, size_t n)
{
	char *m = xstrdup(s);

	m[n] = '\0';
	for (char *p = m; *p; p++)
		if (*p == '-')
			*p = '_';
	return m;
}

bool modparam_split(const char *key, const char *val, char **module, char **word)
{
	const char *dot = strchr(key, '.');
	size_t n;

	if (!dot || dot == key || !dot[1])
		return false;
	n = (size_t)(dot - key);
	if ((n == 2 && strncmp(key, "rd", 2) == 0) || (n == 9 && strncmp(key, "earlybind", 9) == 0))
		return false;
	*module = module_name(key, n);
	*word = modparam_word(dot + 1, val);
	return true;
}

char *modparam_word(const char *param, const char *val)
{
	if (!val)
		return xstrdup(param);
	if (strpbrk(val, " \t"))
		return xasprintf("%s=\"%s\"", param, val);
	return xasprintf("%s=%s", param, val);
}

/* A bool module parameter as the kernel reads it (param_set_bool(): kstrtobool; a bare name is
 * true): *flag set when `word` is "NAME[=VALUE]". */

bool same_module(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (*a != *b && !((*a == '-' || *a == '_') && (*b == '-' || *b == '_')))
			return false;
	return *a == *b;
}
