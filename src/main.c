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
	    "  initramfs-recipe     what an initramfs needs (the generators' hooks copy it)\n"
	    "  initramfs-modules    the vfio-pci variant modules an initramfs needs\n"
	    "\n"
	    "Options:\n"
	    "  --sysfs DIR          sysfs root (default /sys)\n"
	    "  --root DIR           prefix of host files: /etc, /proc, /run, /dev, /boot, /lib,\n"
	    "                       /usr (default none; not sysfs, not /dev/kmsg)\n"
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
	    "  --hostonly           initramfs-recipe, -modules: only this host's variants\n"
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

/* One option into o; returns its OPT_* bit, or 0 for --help/--version and unknown options. */
static unsigned set_option(struct opts *o, int opt, char *arg)
{
	switch (opt) {
	case 's':
		o->env.sysfs = arg;
		return OPT_SYSFS;
	case 'r':
		o->env.root = arg;
		return OPT_ROOT;
	case 'c':
		o->env.cmdline_files[o->env.ncmdline++] = arg;
		return OPT_CMDLINE;
	case 'b':
		o->env.boot_devices = arg;
		return OPT_BOOT_DEVICES;
	case 'j':
		o->json = true;
		return OPT_JSON;
	case 'P':
		o->prometheus = true;
		return OPT_PROMETHEUS;
	case 'n':
		o->dry_run = true;
		return OPT_DRY_RUN;
	case 'd':
		o->device = arg;
		return OPT_DEVICE;
	case 'k':
		o->env.kmsg = arg;
		return OPT_KMSG;
	case 'm':
		o->env.moddir = arg;
		return OPT_MODDIR;
	case 'w':
		o->write_file = arg;
		return OPT_WRITE;
	case 'i':
		o->initramfs = arg;
		return OPT_INITRAMFS;
	case 'H':
		o->hostonly = true;
		return OPT_HOSTONLY;
	case 'F':
		o->force = arg;
		return OPT_FORCE;
	default:
		return 0;
	}
}

/* The options before the command: -1 to go on, or the exit status (--version, a bad option). */
static int parse_options(int argc, char **argv, struct opts *o, unsigned *given, bool *help)
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
	int opt;

	while ((opt = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		if (opt == 'h') {
			*help = true;
		} else if (opt == 'V') {
			puts("earlybind " EARLYBIND_VERSION);
			return 0;
		} else {
			unsigned bit = set_option(o, opt, optarg);

			if (!bit) {
				usage(stderr);
				return 2;
			}
			*given |= bit;
		}
	}
	return -1;
}

/* The command named after the options, checked against what it takes; runs it or says why not. */
static int run_command(struct opts *o, int argc, char **argv, unsigned given, bool help)
{
	const struct command *cmd;
	unsigned extra;

	if (optind >= argc) {
		usage(help ? stdout : stderr);
		return help ? 0 : 2;
	}
	cmd = command_find(argv[optind]);
	if (!cmd) {
		fprintf(stderr, "earlybind: unknown command '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (help) {
		fputs(cmd->help, stdout);
		return 0;
	}
	extra = given & ~cmd->opts;
	if (extra) {
		fprintf(stderr, "earlybind: %s does not take %s\n", cmd->name,
			option_name(extra & -extra));
		return 2;
	}
	return cmd->run(o, argc - optind - 1, argv + optind + 1);
}

int main(int argc, char **argv)
{
	struct opts o = {.env = {.sysfs = "/sys", .root = ""}};
	unsigned given = 0;
	bool help = false;
	int r;

	o.env.cmdline_files = calloc((size_t)argc, sizeof(char *));
	r = parse_options(argc, argv, &o, &given, &help);
	if (r < 0) {
		env_open(&o.env);
		r = run_command(&o, argc, argv, given, help);
		env_close(&o.env);
	}
	free(o.env.cmdline_files);
	return r;
}
