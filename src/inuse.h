/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What holds a PCI function right now, from the kernel's own facts: its block devices (and their
 * partitions) mounted, active as swap, held by another block device (dm, md, bcache) or opened
 * exclusively (a ZFS vdev: O_EXCL gives EBUSY); its network interfaces carrying a route or a
 * global address, themselves or through the bond or bridge they are enslaved to; on a booted
 * system, open handles on its device nodes (DRM, sound, block, NVMe, NVIDIA: /proc/PID/fd) and
 * references on its driver's module when that module drives it alone. Asked only for the devices
 * a selector wants.
 */
#pragma once

#include <stdbool.h>

#include "env.h"
#include "scan.h"

struct inuse;

/* For a tree that is this machine's (env_live()): its block devices are listed once here.
 * booted: not in an initramfs (open handles are looked for only then). */
struct inuse *inuse_open(const struct env *e, bool booted);
void inuse_close(struct inuse *u);
/*
 * The holders of one function, "; "-separated ("mount /mnt/d (vda1)", "holder md0 on vdb",
 * "interface eth1 carries the default route", "process Xorg (pid 812) has /dev/dri/card0
 * open", "module snd_hda_intel, which drives only this function, has 2 users"), or NULL when
 * nothing holds it. Caller frees.
 */
char *inuse_holders(struct inuse *u, const struct pci_dev *dev);
