/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The commands for people setting a host up: suggest and doctor. Read-only. */
#pragma once

#include "opts.h"

/* The command-line words that claim the given devices on this machine. */
int cmd_suggest(const struct opts *o, int argc, char **argv);
/* What will go wrong on this host, each finding with its fix. */
int cmd_doctor(const struct opts *o, int argc, char **argv);
