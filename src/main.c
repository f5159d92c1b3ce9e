// SPDX-License-Identifier: LGPL-2.1-or-later
/* earlybind: claim PCI devices for vfio-pci or pci-stub before their default drivers do. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "pipeline.h"
#include "report.h"

#ifndef EARLYBIND_VERSION
#define EARLYBIND_VERSION "0.1"
#endif

static void usage(FILE *f)
{
	fputs(
	    "Usage: earlybind COMMAND [OPTIONS]\n"
	    "Claim PCI devices for vfio-pci or pci-stub from the initramfs, before their drivers.\n"
	    "\n"
	    "Commands:\n"
	    "  plan                 what would be done to each PCI function, and why (read-only)\n"
	    "  status               every PCI function: driver, override, IOMMU group, plan, boot "
	    "state\n"
	    "  apply                claim the devices of the plan (the initramfs hooks run this)\n"
	    "  release ADDR...      give claimed devices back to their default drivers\n"
	    "  check                exit 1 listing each claim from the boot that is no longer in "
	    "effect\n"
	    "  boot-devices         the PCI functions that carry /, /usr, root= and resume=\n"
	    "  suggest ADDR...      the command-line words that claim those devices here\n"
	    "  doctor               what will go wrong on this host, and how to fix it\n"
	    "  initramfs-modules    the vfio-pci variant modules an initramfs needs (generators)\n"
	    "\n"
	    "Options:\n"
	    "  --sysfs DIR          sysfs root (default /sys)\n"
	    "  --root DIR           prefix for /etc, /proc, /run, /dev and /lib/modules (default "
	    "none)\n"
	    "  --cmdline FILE       read the command line from FILE instead of /etc/cmdline,\n"
	    "                       /etc/cmdline.d/*.conf and /proc/cmdline (repeatable)\n"
	    "  --boot-devices FILE  the boot-device list (default /etc/earlybind/boot-devices)\n"
	    "  --json               one JSON object instead of a table\n"
	    "  --prometheus         status: node_exporter textfile metrics (with --write FILE:\n"
	    "                       written atomically)\n"
	    "  --device ADDR        apply: this device only (for udev)\n"
	    "  --dry-run            apply: decide and report, write nothing, load nothing\n"
	    "  --force ADDR[,...]   apply: claim these even if in use or boot-critical\n"
	    "  --kmsg FILE          apply: log here instead of /dev/kmsg\n"
	    "  --moddir DIR         apply: kernel modules (default /lib/modules/$(uname -r))\n"
	    "  --write FILE         boot-devices: store the list in FILE; status --prometheus too\n"
	    "  --initramfs FILE     doctor: the image to inspect (default: the running kernel's)\n"
	    "  --hostonly           initramfs-modules: only the variants this host's plan binds\n"
	    "  -h, --help           this help (after a command: its help);  -V, --version\n"
	    "\n"
	    "Keys: vfio-pci.ids= pci-stub.ids= earlybind.claim= earlybind.keep= earlybind.group=\n"
	    "      earlybind.force= earlybind.sriov= earlybind.variant= earlybind.d3cold=\n"
	    "      earlybind.reset= earlybind= earlybind.dryrun, MODULE.PARAM= options\n"
	    "      (see earlybind.cmdline(7))\n"
	    "Exit status: 0 success, 1 failure (a claim failed, sysfs unreadable, check found a\n"
	    "difference), 2 usage error.\n",
	    f);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"sysfs", required_argument, NULL, 's'},
	    {"root", required_argument, NULL, 'r'},
	    {"cmdline", required_argument, NULL, 'c'},
	    {"boot-devices", required_argument, NULL, 'b'},
	    {"json", no_argument, NULL, 'j'},
	    {"prometheus", no_argument, NULL, 'P'},
	    {"dry-run", no_argument, NULL, 'n'},
	    {"device", required_argument, NULL, 'd'},
	    {"kmsg", required_argument, NULL, 'k'},
	    {"moddir", required_argument, NULL, 'm'},
	    {"write", required_argument, NULL, 'w'},
	    {"initramfs", required_argument, NULL, 'i'},
	    {"hostonly", no_argument, NULL, 'H'},
	    {"force", required_argument, NULL, 'F'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {0},
	};
	struct opts o = {.env = {.sysfs = "/sys", .root = ""}};
	const struct command *cmd;
	unsigned given = 0;
	bool help = false;
	int opt, r;

	o.env.cmdline_files = calloc((size_t)argc, sizeof(char *));
	while ((opt = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			given |= OPT_SYSFS;
			o.env.sysfs = optarg;
			break;
		case 'r':
			given |= OPT_ROOT;
			o.env.root = optarg;
			break;
		case 'c':
			given |= OPT_CMDLINE;
			o.env.cmdline_files[o.env.ncmdline++] = optarg;
			break;
		case 'b':
			given |= OPT_BOOT_DEVICES;
			o.env.boot_devices = optarg;
			break;
		case 'j':
			given |= OPT_JSON;
			o.json = true;
			break;
		case 'P':
			given |= OPT_PROMETHEUS;
			o.prometheus = true;
			break;
		case 'n':
			given |= OPT_DRY_RUN;
			o.dry_run = true;
			break;
		case 'd':
			given |= OPT_DEVICE;
			o.device = optarg;
			break;
		case 'k':
			given |= OPT_KMSG;
			o.env.kmsg = optarg;
			break;
		case 'm':
			given |= OPT_MODDIR;
			o.env.moddir = optarg;
			break;
		case 'w':
			given |= OPT_WRITE;
			o.write_file = optarg;
			break;
		case 'i':
			given |= OPT_INITRAMFS;
			o.initramfs = optarg;
			break;
		case 'H':
			given |= OPT_HOSTONLY;
			o.hostonly = true;
			break;
		case 'F':
			given |= OPT_FORCE;
			o.force = optarg;
			break;
		case 'h':
			help = true;
			break;
		case 'V':
			puts("earlybind " EARLYBIND_VERSION);
			free(o.env.cmdline_files);
			return 0;
		default:
			usage(stderr);
			free(o.env.cmdline_files);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(help ? stdout : stderr);
		free(o.env.cmdline_files);
		return help ? 0 : 2;
	}
	cmd = command_find(argv[optind]);
	if (!cmd) {
		fprintf(stderr, "earlybind: unknown command '%s'\n", argv[optind]);
		usage(stderr);
		free(o.env.cmdline_files);
		return 2;
	}
	if (help) {
		fputs(cmd->help, stdout);
		free(o.env.cmdline_files);
		return 0;
	}
	if (given & ~cmd->opts) {
		fprintf(stderr, "earlybind: %s does not take %s\n", cmd->name,
			option_name(given & ~cmd->opts & -(given & ~cmd->opts)));
		free(o.env.cmdline_files);
		return 2;
	}
	r = cmd->run(&o, argc - optind - 1, argv + optind + 1);
	free(o.env.cmdline_files);
	return r;
}
