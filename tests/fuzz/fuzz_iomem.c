// SPDX-License-Identifier: LGPL-2.1-or-later
/* libFuzzer: /proc/iomem text. Every framebuffer found has a known name and a PCI function that
 * prints and parses back, and is found again by that function. */
#include <stdlib.h>
#include <string.h>

#include "iomem.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static const char *const names[] = {"BOOTFB",	"efifb",     "vesafb",
					    "simplefb", "simpledrm", "simple-framebuffer"};
	char *buf = malloc(size + 1), out[PCI_ADDR_MAX];
	struct iomem_fbs f;

	memcpy(buf, data, size);
	buf[size] = '\0';
	iomem_parse(buf, &f);
	for (size_t i = 0; i < f.n; i++) {
		struct pci_addr a;
		bool known = false;

		for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			known |= strcmp(f.v[i].name, names[k]) == 0;
		if (!known || pci_addr_parse(pci_addr_fmt(&f.v[i].dev, out), &a) != 0 ||
		    !iomem_fb_of(&f, &a))
			abort();
	}
	iomem_free(&f);
	free(buf);
	return 0;
}
