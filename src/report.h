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
/* One device as a JSON object (shared by the state file). */
void report_json_device(struct strbuf *sb, const struct pci_dev *dev, const struct decision *dc);
/* One result object: address, result, target, original_driver, final_driver, error. */
void report_json_result(struct strbuf *sb, const char *addr, enum result res, enum drv target,
			const char *orig, const char *final, const char *error);
/* ,"state":[...] for status --json (null without state). */
void report_state_json(struct strbuf *sb, const struct state *s);
/* One recorded result: report_json_result()'s object with its origin and time. */
void report_json_recorded(struct strbuf *sb, const struct state_entry *e);
/* ,"results":[...] for apply --json. */
void report_outcomes_json(struct strbuf *sb, const struct ctx *c, const struct outcome *out);

/*
 * The node_exporter textfile format (no timestamps): per selected device whether it is on its
 * target driver, per IOMMU group of a claimed device whether it is viable, the boot's claims no
 * longer in effect, the boot run's refusals and failures, and when apply last ran.
 */
void report_prometheus(struct strbuf *sb, const struct ctx *c, const struct state *s);
