/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * earlybind.sriov= as one step of apply, between the plan and the claims: the plan names the
 * PFs (sriov_job); here their VFs are made (apply_sriov_make(): autoprobe off, sriov_numvfs),
 * the pipeline scans and plans again with everything else it read kept (pipeline_rescan()), the
 * entry then selects the new VFs like any other device, and afterwards autoprobe goes back on.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "log.h"
#include "pipeline.h"
#include "state.h"

/* The VFs made, and their PFs (autoprobe off until the VFs are claimed). */
struct made_vfs {
	struct pci_addr *vfs, *pfs;
	size_t nvfs, npfs;
};

/* Makes the VFs of each PF of the plan whose driver is bound, and plans again when any were
 * made. only: the udev event's PF, or NULL for all. A dry run says what it would make. */
void sriov_make(struct ctx *c, const struct pci_addr *only, bool dry, struct made_vfs *m,
		struct logger *log);
/* Claims the VFs made, nothing else (the PF's bind event). apply_run()'s count, or -errno. */
int sriov_apply_made(struct ctx *c, const struct made_vfs *m, bool dry, struct outcome *out,
		     struct logger *log);
/* Autoprobe back on for the PFs; the VFs made but not claimed (kept, refused) get the probe
 * autoprobe would have given them. Frees m's lists. */
void sriov_finish(struct ctx *c, struct made_vfs *m, const struct outcome *out, struct logger *log);
