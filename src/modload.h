/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Driver modules through libkmod, never modprobe. kmod_module_probe_insert_module() would merge
 * vfio_pci.ids= from /proc/cmdline into the module's options, and the kernel would turn those into
 * global dynamic ids that grab kept devices and twins. So the dependencies and soft dependencies
 * are walked here and each module is inserted with options built here, without ids=.
 */
#pragma once

#include "env.h"
#include "rules.h"
#include "util.h"

struct modload;

/* The modprobe.d directories libkmod reads, in its order, NULL-terminated; every reader of
 * modprobe.d (planning, doctor) reads these. */
extern const char *const modload_conf_dirs[];

/* Whether a file of those directories is one libkmod reads (NAME.conf, not hidden). */
bool modload_conf_name(const char *name);

/* Config from ROOT/{etc,run,usr/local/lib,usr/lib,lib}/modprobe.d, modules from --moddir or
 * ROOT/lib/modules/$(uname -r). Returns 0 or -errno. */
int modload_new(struct modload **m, const struct env *e);
void modload_free(struct modload *m);

/*
 * Whether any ROOT/.../modprobe.d/\*.conf mentions "ids=" (or vfio_pci's "disable_denylist",
 * vfio's "enable_unsafe_noiommu_mode") at all: only then can modprobe.d change the plan, and only
 * then does planning pay for libkmod (which reads them for real).
 */
bool modload_conf_mentions_ids(const struct env *e);

/*
 * The options modprobe.d gives `module` (libkmod's config), without the ones libkmod merged from
 * /proc/cmdline. NULL when there are none. Caller frees.
 */
char *modload_conf_options(struct modload *m, const char *module);

/* Removes every ids= word from an options string, in place. */
void modload_strip_ids(char *options);

/*
 * The options `module` gets, as modprobe would give them: modprobe.d (libkmod's config) and the
 * command line's MODULE.PARAM= words from every source the rules stage read (r may be NULL),
 * without ids= for vfio_pci and pci_stub. Never NULL. Caller frees.
 */
char *modload_options(struct modload *m, const struct rules *r, const char *module);

/*
 * Makes `module` live: nothing to do when SYSFS/module/NAME exists (loaded or built in);
 * otherwise its soft pre-dependencies, dependencies, itself and soft post-dependencies are
 * inserted, each with modload_options(). A soft dependency that fails is noted (modload_take_notes)
 * and skipped, as libkmod does; install commands are not run (noted too). Returns 0 or -errno;
 * *what says what failed.
 */
int modload_load(struct modload *m, const struct path_cxt *sys, const char *module,
		 const struct rules *rules, struct strbuf *what);

/* Whether `module` (loaded, built in or in the tree) has the parameter `param` (its modinfo's
 * parm= entries, modules.builtin.modinfo for a built-in one). */
bool modload_has_param(struct modload *m, const char *module, const char *param);

/* What this context did differently from modprobe since the last call ("; "-separated), or
 * NULL. Caller frees. */
char *modload_take_notes(struct modload *m);
