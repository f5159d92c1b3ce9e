// SPDX-License-Identifier: LGPL-2.1-or-later
/* libFuzzer: one ids entry, parsed and matched. The rest pointer stays inside the entry. */
#include <stdlib.h>
#include <string.h>

#include "rules.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char *buf = malloc(size + 1);
	struct pci_ids dev = {0x10de, 0x1b80, 0x1043, 0x85a0, 0x030000};
	struct id_sel sel;
	const char *rest;
	bool ovf;
	int n;

	memcpy(buf, data, size);
	buf[size] = '\0';
	n = id_parse(buf, &sel, &rest, &ovf);
	if (n < 0 || n > 6 || rest < buf || rest > buf + strlen(buf))
		abort();
	if (n >= 2)
		(void)id_match(&sel, &dev);
	free(buf);
	return 0;
}
