/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Stage 6: tables and JSON for people and scripts. */
#pragma once

#include <stdio.h>

#include "apply.h"
#include "pipeline.h"
#include "state.h"

void report_plan(FILE *f, const struct ctx *c);
/* s: the state of the boot's apply runs, or NULL. */
void report_status(FILE *f, const struct ctx *c, const struct state *s);
/* One JSON object: devices, groups, warnings (and whatever the command adds in extra). */
void report_json(FILE *f, const struct ctx *c, const char *command, const char *extra);
/* ,"state":[...] for status --json (null without state). */
void report_state_json(struct strbuf *sb, const struct state *s);
/* ,"results":[...] for apply --json. */
void report_outcomes_json(struct strbuf *sb, const struct ctx *c, const struct outcome *out);

/*
 * Node Feature Discovery's local feature file, features.d/earlybind under
 * ROOT/etc/kubernetes/node-feature-discovery (or $EARLYBIND_NFD_DIR), replaced atomically when the
 * directory exists: per vendor:device, how many devices earlybind bound on purpose are on their
 * target now ("earlybind.vfio-10de-2204=2", "earlybind.pci-stub-1b36-0010=1"). Returns 0 (also
 * when there is no such directory) or -errno.
 */
int report_nfd(const struct ctx *c);

/*
 * The node_exporter textfile format (no timestamps): per selected device whether it is on its
 * target driver, per IOMMU group of a claimed device whether it is viable, the boot's claims no
 * longer in effect, the boot run's refusals and failures, and when apply last ran.
 */
void report_prometheus(struct strbuf *sb, const struct ctx *c, const struct state *s);
