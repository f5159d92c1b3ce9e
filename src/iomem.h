/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Firmware framebuffers in /proc/iomem: a BOOTFB, efifb, vesafb, simplefb or simpledrm range
 * inside a PCI function's BAR keeps that BAR busy. vfio-pci removes such a framebuffer itself only
 * for VGA-class devices (vfio_pci_vga_init(), Linux >= 6.0); for any other it stays, and the VM's
 * start fails with "BAR N: can't reserve".
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "pci.h"

struct iomem_fb {
	struct pci_addr dev; /* the function whose BAR holds it */
	char name[24];	     /* as /proc/iomem names it: "efifb", "BOOTFB", ... */
	uint64_t start, end; /* 0-0 when read without CAP_SYS_ADMIN */
};

struct iomem_fbs {
	struct iomem_fb *v;
	size_t n;
};

/*
 * Parses /proc/iomem text. A framebuffer belongs to the PCI function whose resource it is nested
 * in, at any depth (the kernel's resource tree); one at the top level belongs to the function
 * whose BAR contains its range, when the addresses are real. Lines it cannot read are skipped.
 */
void iomem_parse(const char *text, struct iomem_fbs *out);
/* Reads and parses a file. Returns 0 or -errno (out stays empty). */
int iomem_load(const char *path, struct iomem_fbs *out);
/* The first framebuffer in a BAR of the function at a, or NULL. */
const struct iomem_fb *iomem_fb_of(const struct iomem_fbs *f, const struct pci_addr *a);
void iomem_free(struct iomem_fbs *f);
