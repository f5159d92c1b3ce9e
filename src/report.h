/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Stage 6: tables and JSON for people and scripts. */
#pragma once

#include <stdio.h>

#include "pipeline.h"

void report_plan(FILE *f, const struct ctx *c);
void report_status(FILE *f, const struct ctx *c);
/* One JSON object: devices, groups, warnings (and whatever the command adds in extra). */
void report_json(FILE *f, const struct ctx *c, const char *command, const char *extra);
/* One device as a JSON object (shared by the state file). */
void report_json_device(struct strbuf *sb, const struct pci_dev *dev, const struct decision *dc);
