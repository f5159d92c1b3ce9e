// SPDX-License-Identifier: LGPL-2.1-or-later
#include "opts.h"

#include <stdio.h>

#include "util.h"

int check_addr_args(const char *cmd, int argc, char **argv)
{
	if (argc == 0) {
		fprintf(stderr, "earlybind: %s needs one or more addresses\n", cmd);
		return 2;
	}
	for (int i = 0; i < argc; i++) {
		struct pci_addr a;

		if (pci_addr_parse(argv[i], &a) < 0) {
			fprintf(stderr, "earlybind: %s: not a PCI address\n", argv[i]);
			return 2;
		}
	}
	return 0;
}

struct pci_dev *find_arg_dev(const struct ctx *c, const char *arg)
{
	struct pci_addr a;
	struct pci_dev *dev = NULL;

	if (pci_addr_parse(arg, &a) == 0)
		dev = pci_list_find(&c->devs, &a);
	if (!dev)
		fprintf(stderr, "earlybind: %s: no such PCI device\n", arg);
	return dev;
}

const char *option_name(unsigned bit)
{
	static const char *const names[] = {
	    "--sysfs",	    "--root",	   "--cmdline",	 "--boot-devices", "--json",
	    "--prometheus", "--dry-run",   "--device",	 "--kmsg",	   "--moddir",
	    "--write",	    "--initramfs", "--hostonly", "--force"};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (bit == 1u << i)
			return names[i];
	return "?";
}
