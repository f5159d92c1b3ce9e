/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The JSON objects of schema/earlybind.schema.json that more than one output carries: a device
 * with its decision (plan, status, apply, the state file's boot plan) and a result (apply, the
 * state file, status).
 */
#pragma once

#include "apply.h"
#include "plan.h"
#include "record.h"

/* One device; dc NULL leaves the decision out. */
void json_device(struct strbuf *sb, const struct pci_dev *dev, const struct decision *dc);
/* The plan's SR-IOV jobs: [{pf, vfs, driver, now, selector}]. */
void json_sriov(struct strbuf *sb, const struct plan *p, const struct pci_list *devs);
/* One result: address, result, target, original_driver, final_driver, error. */
void json_result(struct strbuf *sb, const char *addr, enum result res, enum drv target,
		 const char *orig, const char *final, const char *error);
/* One recorded result: json_result()'s fields with its origin and time. */
void json_recorded(struct strbuf *sb, const struct state_entry *e);
/*
 * The intent record: [{address, vendor, device, target, driver, selector, iommu_group, origin,
 * time}] for each device earlybind bound on purpose — its entry in force claimed it or found it
 * claimed — as it is now (devs: the devices present).
 */
void json_bound(struct strbuf *sb, const struct state *s, const struct pci_list *devs);
