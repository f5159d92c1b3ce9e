/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Stage 5: the only stage that writes. For each claim: make the driver available (libkmod),
 * write driver_override, unbind the current driver, drivers_probe, verify the driver link;
 * on any failure roll back so the device ends on its original driver.
 */
#pragma once

#include "log.h"
#include "pipeline.h"

enum result {
	RES_NONE = 0,
	RES_CLAIMED,  /* now on the target */
	RES_ALREADY,  /* was on the target */
	RES_FAILED,   /* not claimed; back on the original driver (or says where it is) */
	RES_REFUSED,  /* refused by rule */
	RES_DRYRUN,   /* would have been claimed */
	RES_RELEASED, /* given back by `earlybind release` */
	RES_RETURNED, /* taken by a driver's ids= and not ours to claim: given back to its driver */
	RES__MAX
};

struct outcome {
	enum result res;
	enum drv target;
	char *orig_driver;
	char *final_driver;
	char *error;
	char *driver;	/* the driver claimed for when not the target's own (a vfio-pci variant) */
	char *selector; /* claim/already: the selector that chose it ("vfio-pci.ids=10de:2204") */
	char *restore;	/* what preparing it changed, to restore on release:
			 * "d3cold_allowed=1;power/control=auto;reset_method=flr bus" */
};

const char *result_name(enum result r);
enum result result_parse(const char *s);

/*
 * Applies the plan in c (device filter: only_dev, may be NULL). out is parallel to c->devs.
 * Returns the number of failed claims, or -errno when nothing could be done at all.
 */
int apply_run(struct ctx *c, const struct pci_addr *only_dev, bool dry_run, struct outcome *out,
	      struct logger *log);
/* Gives one claimed device back to its default driver, and what preparing it changed (restore,
 * from the state; may be NULL) back to what it was. Returns 0 or -errno. */
int apply_release(struct ctx *c, struct pci_dev *dev, const char *restore, struct outcome *oc,
		  struct logger *log);
void outcome_free(struct outcome *oc);
/* Frees n outcomes and the array. */
void outcomes_free(struct outcome *out, size_t n);
/*
 * earlybind.sriov=: turns the PF's sriov_drivers_autoprobe off (the kernel then probes no VF
 * unless driver_override names a driver: pci_device_can_probe()), writes sriov_numvfs and reads
 * each VF's address from the PF's virtfnK links into *vfs. The caller claims them, then calls
 * apply_sriov_done(). Returns the number of VFs made (autoprobe already back on when 0), or
 * -errno.
 */
int apply_sriov_make(struct ctx *c, const struct sriov_job *j, struct pci_addr **vfs,
		     struct logger *log);
/* drivers_probe for one device (a VF made with autoprobe off that earlybind did not claim). */
void apply_probe(struct ctx *c, const struct pci_dev *dev, struct logger *log);
/* Turns the PF's autoprobe back on (VFs made later are probed as usual again). */
void apply_sriov_done(struct ctx *c, const struct pci_dev *pf, struct logger *log);
