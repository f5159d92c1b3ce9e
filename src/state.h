/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ROOT/run/earlybind: `results` (one line per device and origin, the merge base for concurrent
 * runs), `boot.json` (the boot's plan and warnings, written by boot runs only) and `state.json`
 * (boot.json and every result), all replaced atomically (temporary file + rename) under
 * ROOT/run/earlybind/lock.
 *
 * The boot's record belongs to the boot: each result carries its origin — the initramfs run,
 * a udev `apply --device` run, or a hand run after boot — and its time. A hand run never
 * replaces a boot entry; it adds or replaces the device's hand entry beside it. A dry run by hand
 * writes nothing at all.
 */
#pragma once

#include <time.h>

#include "apply.h"
#include "pipeline.h"
#include "record.h"

/* Merges the outcomes of this run into the saved results and rewrites the files. */
int state_save(struct ctx *c, const struct outcome *out, const char *command, enum origin origin);
/* Reads ROOT/run/earlybind/results. Returns 0, -ENOENT when there is none, or -errno. */
int state_load(const struct env *e, struct state *s);
