/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Runs the read-only stages in order: cmdline -> rules -> scan -> plan. */
#pragma once

#include <stdbool.h>

#include "diag.h"
#include "plan.h"
#include "rules.h"
#include "scan.h"
#include "variant.h"

struct modload;

struct opts {
	const char *sysfs;    /* --sysfs, default /sys */
	const char *root;     /* --root: prefix of /etc, /proc, /run; default "" */
	char **cmdline_files; /* --cmdline, in order */
	size_t ncmdline;
	bool json;
	bool prometheus; /* status --prometheus */
	bool dry_run;
	const char *device;	  /* --device ADDR */
	const char *kmsg;	  /* --kmsg FILE */
	const char *boot_devices; /* --boot-devices FILE */
	const char *moddir;	  /* --moddir DIR (modules for libkmod) */
	const char *write_file;	  /* --write FILE (boot-devices) */
	const char *initramfs;	  /* --initramfs FILE (doctor) */
	bool hostonly;		  /* --hostonly (initramfs-modules) */
	bool resolve_root; /* settle the boot devices even when no selector wants a device (suggest)
			    */
};

struct ctx {
	const struct opts *o;
	struct diag diag;
	struct rules rules;
	struct pci_list devs;
	struct boot_list boot;
	struct plan plan;
	struct modload *mod;	  /* libkmod context (NULL if it could not be made) */
	struct variants variants; /* the target kernel's vfio-pci variants (read when needed) */
};

/*
 * Fills ctx up to the plan. all_detail reads every device's details (status, --json); otherwise
 * only those the plan needs. Returns 0, or -errno when bus/pci/devices cannot be read.
 */
int pipeline_plan(struct ctx *c, const struct opts *o, bool all_detail);
/* The first half: command-line sources and modprobe.d into c->rules (and the boot list). */
void pipeline_rules(struct ctx *c, const struct opts *o);
/* The second half, after pipeline_rules(). */
int pipeline_scan_plan(struct ctx *c, bool all_detail);
void ctx_free(struct ctx *c);

/*
 * The udev path's first question, asked before any libkmod, libblkid or state work: can any
 * selector want the device at `a`? Reads only the command-line sources (and the modprobe.d ids
 * the boot's run recorded in ROOT/run/earlybind/modprobe.conf), the device's uevent and, in group
 * mode, those of its IOMMU group's members. A device already on vfio-pci or pci-stub is not
 * wanted: the udev path leaves it alone.
 */
bool pipeline_device_wanted(const struct opts *o, const struct pci_addr *a);
/* Where the boot's run records the ids modprobe.d gives (as command-line words). */
#define MODPROBE_IDS_FILE "/run/earlybind/modprobe.conf"
/* ROOT/path (root "" or "/" means none). Caller frees. */
char *root_path(const struct opts *o, const char *path);
/* Whether this runs in an initramfs: ROOT/etc/initrd-release exists, as systemd decides it. */
bool in_initramfs(const struct opts *o);
