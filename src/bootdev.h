/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Boot-critical devices: the PCI functions that carry what the machine needs to reach its default
 * target — /, /usr, every /etc/fstab entry it waits for, active swaps, root= (ZFS pools, network
 * roots) and resume=.
 * The list file has one line per device: "PHYSPATH VVVV:DDDD ADDRESS WHAT...", '#' comments.
 */
#pragma once

#include "diag.h"
#include "env.h"
#include "plan.h"

#define BOOTDEV_DEFAULT_FILE "/etc/earlybind/boot-devices"

/* What the command line says the boot needs: root=, resume=, netroot= (dracut's), and the
 * interface ip= names (the kernel's "client:server:gw:netmask:host:DEVICE:..." or dracut's
 * "DEVICE:dhcp..."). The last of each wins, as in the kernel. */
struct boot_spec {
	char *root, *resume, *netroot, *ip_iface;
};
/* The cmdline callback (cmdline_cb) for those keys; every other word is ignored. */
void boot_spec_add(const char *key, const char *val, const char *src, void *spec);
void boot_spec_free(struct boot_spec *s);

/* Parses a list file. Returns 0 or -errno; malformed lines are warnings. */
int bootdev_parse_file(const char *path, struct boot_list *b, struct diag *d);
/* Loads --boot-devices FILE, or ROOT/etc/earlybind/boot-devices when it exists. Cheap: no
 * resolution here (see bootdev_settle). */
void bootdev_load_for_plan(const struct env *e, struct boot_list *b, struct diag *d);
/*
 * The boot-device facts of this moment, added to the recorded list: on a booted system, and in
 * the initramfs once the root is mounted on /sysroot or block devices exist (the udev rule's late
 * runs), what bootdev_resolve() finds. In the initramfs, when no recorded entry is present here
 * (physical path and ids) and nothing resolved, b->fallback says why mass storage selected only
 * by ids is refused.
 */
void bootdev_settle(const struct env *e, const struct boot_spec *spec, struct pci_list *devs,
		    struct boot_list *b, struct diag *d);
/*
 * Resolves what the running system needs to boot — the "/" and "/usr" mounts of
 * ROOT/proc/self/mountinfo and the root=, resume= and netroot= of the command line (UUID=,
 * PARTUUID=, LABEL=, PARTLABEL=, /dev/...; through libblkid) — to the PCI functions that carry
 * them, following partitions, dm/md slaves and NVMe multipath subsystems through sysfs.
 */
void bootdev_resolve(const struct env *e, const struct boot_spec *spec, struct boot_list *b,
		     struct diag *d);
/* Writes a list in the file format. Returns 0 or -errno. */
int bootdev_write(const char *path, const struct boot_list *b);
