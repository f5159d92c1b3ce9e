/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libkmod and libblkid, loaded with dlopen() on first use (as systemd >= 256 does for its optional
 * libraries): a run that decides it has nothing to do — the udev rule's `apply --device` for a
 * device no selector names, `plan` — never maps them, nor libzstd, liblzma and libcrypto behind
 * libkmod. The binary declares both in an ELF .note.dlopen (the FDO dlopen-metadata format), and
 * the dracut module and the initramfs-tools hook copy them into the image explicitly.
 *
 * Callers use sym_NAME(...) for every libkmod/libblkid function, after dlopen_kmod() or
 * dlopen_blkid() returned 0.
 */
#pragma once

#include <blkid.h>
#include <libkmod.h>

#define DLSYM_DECLARE(f) extern typeof(f) *sym_##f

DLSYM_DECLARE(kmod_new);
DLSYM_DECLARE(kmod_unref);
DLSYM_DECLARE(kmod_set_log_fn);
DLSYM_DECLARE(kmod_list_next);
DLSYM_DECLARE(kmod_module_new_from_name);
DLSYM_DECLARE(kmod_module_new_from_lookup);
DLSYM_DECLARE(kmod_module_get_module);
DLSYM_DECLARE(kmod_module_get_name);
DLSYM_DECLARE(kmod_module_get_path);
DLSYM_DECLARE(kmod_module_get_options);
DLSYM_DECLARE(kmod_module_get_install_commands);
DLSYM_DECLARE(kmod_module_get_softdeps);
DLSYM_DECLARE(kmod_module_get_dependencies);
DLSYM_DECLARE(kmod_module_insert_module);
DLSYM_DECLARE(kmod_module_unref);
DLSYM_DECLARE(kmod_module_unref_list);
DLSYM_DECLARE(kmod_module_get_info);
DLSYM_DECLARE(kmod_module_info_get_key);
DLSYM_DECLARE(kmod_module_info_get_value);
DLSYM_DECLARE(kmod_module_info_free_list);

DLSYM_DECLARE(blkid_get_cache);
DLSYM_DECLARE(blkid_put_cache);
DLSYM_DECLARE(blkid_evaluate_spec);
DLSYM_DECLARE(blkid_new_probe_from_filename);
DLSYM_DECLARE(blkid_probe_enable_superblocks);
DLSYM_DECLARE(blkid_probe_set_superblocks_flags);
DLSYM_DECLARE(blkid_do_safeprobe);
DLSYM_DECLARE(blkid_probe_lookup_value);
DLSYM_DECLARE(blkid_free_probe);

/* libkmod's kmod_list_foreach(), through the loaded symbol. */
#define sym_kmod_list_foreach(entry, first)                                                        \
	for ((entry) = (first); (entry) != NULL; (entry) = sym_kmod_list_next((first), (entry)))

/* The libraries above, by soname (NULL-terminated), and the file the dynamic linker loads for
 * one (the generators copy it into images: no ldd walk sees a dlopen()ed library). NULL when it
 * cannot be loaded here. Caller frees. */
extern const char *const dlib_sonames[];
char *dlib_path(const char *soname);

/* Load the library once; 0, or -EOPNOTSUPP when it or a symbol is missing (*why set). */
int dlopen_kmod(const char **why);
int dlopen_blkid(const char **why);
