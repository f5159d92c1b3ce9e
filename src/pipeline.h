/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Runs the read-only stages in order: cmdline -> rules -> scan -> plan. */
#pragma once

#include <stdbool.h>

#include "bootdev.h"
#include "diag.h"
#include "env.h"
#include "plan.h"
#include "rules.h"
#include "scan.h"
#include "iomem.h"
#include "variant.h"

struct modload;

/* What pipeline_plan() reads beyond what the plan needs. */
enum {
	PLAN_ALL_DETAIL = 1 << 0,   /* every device's details (status, --json) */
	PLAN_RESOLVE_ROOT = 1 << 1, /* the boot devices even when no selector wants a device */
};

struct ctx {
	const struct env *env;
	struct diag diag;
	struct rules rules;
	struct boot_spec spec; /* root=, resume=, netroot=, ip= */
	struct pci_list devs;
	struct boot_list boot;
	struct plan plan;
	struct modload *mod;	  /* libkmod context (NULL if it could not be made) */
	struct variants variants; /* the target kernel's vfio-pci variants (read when needed) */
	bool have_variants;	  /* whether they were read */
	struct iomem_fbs fbs;	  /* firmware framebuffers (read when needed) */
	bool have_fbs;
	bool *wanted; /* per device: plan_select() says a selector wants it */
	char **usage; /* per device: what holds it now (inuse.h), for the candidates */
	size_t nusage;
	bool scanned;	   /* pipeline_scan_plan() ran */
	size_t diag_rules; /* the warnings of the rules half (kept by pipeline_rescan()) */
	bool boot_settled; /* the boot facts of this moment are in boot (bootdev_settle()) */
};

/*
 * Fills ctx up to the plan, reading what the PLAN_* flags ask for beyond what the plan needs.
 * Returns 0, or -errno when bus/pci/devices cannot be read.
 */
int pipeline_plan(struct ctx *c, const struct env *e, unsigned flags);
/* The first half: command-line sources and modprobe.d into c->rules (and the boot list). */
void pipeline_rules(struct ctx *c, const struct env *e);
/* The second half, after pipeline_rules(). */
int pipeline_scan_plan(struct ctx *c, unsigned flags);
/* Devices appeared (VFs made): scan and plan again, with the rules, the boot facts, variants and
 * framebuffers already read kept, and the scan's and plan's warnings said once. */
int pipeline_rescan(struct ctx *c);
void ctx_free(struct ctx *c);

/*
 * The udev path's first question, asked before any libkmod, libblkid or state work: can any
 * selector want the device at `a`? Reads only the command-line sources (and the modprobe.d ids
 * the boot's run recorded in ROOT/run/earlybind/modprobe.conf), the device's uevent and, in group
 * mode, those of its IOMMU group's members. A device already on a driver of ours is not wanted
 * — the udev path leaves it alone — unless vfio-pci or pci-stub took it through ids matching it
 * (no driver_override): the plan may give it back.
 */
bool pipeline_device_wanted(const struct env *e, const struct pci_addr *a);
/* Where the boot's run records the ids modprobe.d gives (as command-line words). */
#define MODPROBE_IDS_FILE "/run/earlybind/modprobe.conf"
