/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libkmod's binary index (modules.alias.bin and its kin, written by depmod): a trie whose keys are
 * aliases and whose values are module names. Only the keys under one prefix are walked, so a
 * lookup touches a few nodes of the file, not the 1.3 MB of modules.alias.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

typedef void (*kmodidx_fn)(const char *key, const char *value, void *ud);

/*
 * Calls fn for every (key, value) whose key starts with prefix, in key order, in the index held
 * in buf (a whole file of len bytes). Returns 0, or -EINVAL when buf is no index of the format
 * libkmod reads (magic 0xB007F457, version 2) or is damaged, -E2BIG when a walk would not end.
 */
int kmodidx_prefix(const void *buf, size_t len, const char *prefix, kmodidx_fn fn, void *ud);
/* The same on the index file at path (mapped, not read). Returns 0 or -errno. */
int kmodidx_file_prefix(const char *path, const char *prefix, kmodidx_fn fn, void *ud);
/* Whether MODDIR/INDEX (modules.dep.bin: a module file the tree has; modules.builtin.bin: built
 * in) has the module as a key ('-' and '_' alike): 1, 0, or -errno when the index is unreadable. */
int kmodidx_has(const char *moddir, const char *index, const char *module);
/* Whether MODDIR/modules.builtin.bin (libkmod's index of modules.builtin) names the module
 * ("pci_stub": '-' and '_' alike). */
bool kmodidx_builtin(const char *moddir, const char *module);
