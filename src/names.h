/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Names: the drivers we bind (and the vfio-pci variants the kernel has registered), module names
 * as modprobe and the kernel compare them, and module options as modprobe passes them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

enum drv { DRV_NONE = 0, DRV_VFIO, DRV_STUB, DRV__MAX };

/* Driver names as the kernel registers them ("vfio-pci") and module names ("vfio_pci"). */
const char *drv_name(enum drv d);
const char *drv_module(enum drv d);
/* Accepts both spellings of each driver; -EINVAL otherwise. */
int drv_parse(const char *s, enum drv *out);
/* The family of the driver a bound device's `driver` link names: DRV_VFIO for vfio-pci and the
 * variants noted below, DRV_STUB for pci-stub, DRV_NONE for any other. */
enum drv drv_from_bound(const char *name);
/* Notes a vfio-pci variant driver (a pci driver of a module that holds vfio_pci_core). */
void drv_note_vfio_family(const char *name);

/* A module name as the kernel keeps it: s[0..n) with every '-' spelled '_'. Caller frees. */
char *module_name(const char *s, size_t n);
/* Whether two module names are the same module ('-' and '_' equal). */
bool same_module(const char *a, const char *b);

/* A module option from the command line: "vfio_iommu_type1.allow_unsafe_interrupts=1". */
struct modparam {
	char *module; /* '-' spelled '_', as modprobe and the kernel compare names */
	char *word;   /* "allow_unsafe_interrupts=1", as modprobe passes it */
};

/*
 * Splits a command-line word into a module option the way modprobe (libkmod's kcmdline parser)
 * does: "MODULE.PARAM[=VAL]". Returns false for words that are no module option (no dot, our
 * own earlybind.* and rd.* keys). Caller frees both strings.
 */
bool modparam_split(const char *key, const char *val, char **module, char **word);
/* "PARAM", "PARAM=VAL" or PARAM="VAL" (a value with blanks), as modprobe passes an option. */
char *modparam_word(const char *param, const char *val);
