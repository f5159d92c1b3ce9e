// SPDX-License-Identifier: LGPL-2.1-or-later
/* libFuzzer: addresses, claim and earlybind.sriov entries. A parsed address prints and parses back
 * to itself. */
#include <stdlib.h>
#include <string.h>

#include "rules.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char *buf = malloc(size + 1), out[PCI_ADDR_MAX];
	struct pci_addr a, b;
	struct claim_sel c;
	struct sriov_sel sv;
	const char *why;

	memcpy(buf, data, size);
	buf[size] = '\0';
	if (pci_addr_parse(buf, &a) == 0) {
		if (a.dev > 0x1f || a.fn > 7)
			abort();
		if (pci_addr_parse(pci_addr_fmt(&a, out), &b) != 0 || pci_addr_cmp(&a, &b) != 0)
			abort();
		if (strchr(buf, '/') || strstr(buf, ".."))
			abort();
	}
	if (claim_parse(buf, &c, &why) == 0 && (c.drv != DRV_VFIO && c.drv != DRV_STUB))
		abort();
	if (sriov_parse(buf, &sv, &why) == 0 &&
	    (sv.nvfs < 1 || sv.nvfs > 65535 || (sv.pf.drv != DRV_VFIO && sv.pf.drv != DRV_STUB)))
		abort();
	free(buf);
	return 0;
}
