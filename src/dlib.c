// SPDX-License-Identifier: LGPL-2.1-or-later
#include "dlib.h"

#include <dlfcn.h>
#include <link.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define DLSYM_DEFINE(f) typeof(f) *sym_##f

DLSYM_DEFINE(kmod_new);
DLSYM_DEFINE(kmod_unref);
DLSYM_DEFINE(kmod_set_log_fn);
DLSYM_DEFINE(kmod_list_next);
DLSYM_DEFINE(kmod_module_new_from_name);
DLSYM_DEFINE(kmod_module_new_from_lookup);
DLSYM_DEFINE(kmod_module_get_module);
DLSYM_DEFINE(kmod_module_get_name);
DLSYM_DEFINE(kmod_module_get_path);
DLSYM_DEFINE(kmod_module_get_options);
DLSYM_DEFINE(kmod_module_get_install_commands);
DLSYM_DEFINE(kmod_module_get_softdeps);
DLSYM_DEFINE(kmod_module_get_dependencies);
DLSYM_DEFINE(kmod_module_insert_module);
DLSYM_DEFINE(kmod_module_unref);
DLSYM_DEFINE(kmod_module_unref_list);
DLSYM_DEFINE(kmod_module_get_info);
DLSYM_DEFINE(kmod_module_info_get_key);
DLSYM_DEFINE(kmod_module_info_get_value);
DLSYM_DEFINE(kmod_module_info_free_list);
DLSYM_DEFINE(blkid_get_cache);
DLSYM_DEFINE(blkid_put_cache);
DLSYM_DEFINE(blkid_evaluate_spec);
DLSYM_DEFINE(blkid_new_probe_from_filename);
DLSYM_DEFINE(blkid_probe_enable_superblocks);
DLSYM_DEFINE(blkid_probe_set_superblocks_flags);
DLSYM_DEFINE(blkid_do_safeprobe);
DLSYM_DEFINE(blkid_probe_lookup_value);
DLSYM_DEFINE(blkid_free_probe);

/*
 * The FDO dlopen-metadata note (https://systemd.io/ELF_DLOPEN_METADATA/): packagers and image
 * generators can read which libraries this binary loads at run time (readelf -n / dlopen-notes).
 */
#define DLOPEN_JSON                                                                                \
	"[{\"feature\":\"kmod\",\"description\":\"load vfio-pci, pci-stub and their "              \
	"dependencies\",\"priority\":\"required\",\"soname\":[\"libkmod.so.2\"]},"                 \
	"{\"feature\":\"blkid\",\"description\":\"resolve root=, resume= and pool members to "     \
	"their disks\",\"priority\":\"required\",\"soname\":[\"libblkid.so.1\"]}]"
#define ROUND4(n) (((n) + 3) & ~(size_t)3)
static const struct {
	uint32_t n_namesz, n_descsz, n_type;
	char name[4];
	char desc[ROUND4(sizeof(DLOPEN_JSON))];
} dlopen_note __attribute__((used, section(".note.dlopen"), aligned(4))) = {
    .n_namesz = 4,
    .n_descsz = ROUND4(sizeof(DLOPEN_JSON)),
    .n_type = 0x407c0c0a,
    .name = "FDO",
    .desc = DLOPEN_JSON,
};

const char *const dlib_sonames[] = {"libkmod.so.2", "libblkid.so.1", NULL};

char *dlib_path(const char *soname)
{
	struct link_map *lm = NULL;
	char *path = NULL;
	void *h = dlopen(soname, RTLD_LAZY | RTLD_LOCAL);

	if (!h)
		return NULL;
	if (dlinfo(h, RTLD_DI_LINKMAP, &lm) == 0 && lm && lm->l_name && lm->l_name[0] == '/')
		path = xstrdup(lm->l_name);
	dlclose(h);
	return path;
}

struct sym {
	void **ptr;
	const char *name;
};
#define SYM(f)                                                                                     \
	{                                                                                          \
		(void **)&sym_##f, #f                                                              \
	}

/* dlopen()s soname and resolves every symbol; on any failure nothing stays loaded. */
static int load(const char *soname, const struct sym *syms, size_t n, int *state, const char **why)
{
	void *h;

	if (*state)
		goto out;
	h = dlopen(soname, RTLD_NOW | RTLD_NODELETE);
	*state = -EOPNOTSUPP;
	if (!h) {
		*why = dlerror();
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		*syms[i].ptr = dlsym(h, syms[i].name);
		if (!*syms[i].ptr) {
			*why = dlerror();
			dlclose(h);
			goto out;
		}
	}
	*state = 1;
out:
	if (*state < 0 && !*why)
		*why = "not available";
	return *state > 0 ? 0 : *state;
}

int dlopen_kmod(const char **why)
{
	static const struct sym syms[] = {
	    SYM(kmod_new),
	    SYM(kmod_unref),
	    SYM(kmod_set_log_fn),
	    SYM(kmod_list_next),
	    SYM(kmod_module_new_from_name),
	    SYM(kmod_module_new_from_lookup),
	    SYM(kmod_module_get_module),
	    SYM(kmod_module_get_name),
	    SYM(kmod_module_get_path),
	    SYM(kmod_module_get_options),
	    SYM(kmod_module_get_install_commands),
	    SYM(kmod_module_get_softdeps),
	    SYM(kmod_module_get_dependencies),
	    SYM(kmod_module_insert_module),
	    SYM(kmod_module_unref),
	    SYM(kmod_module_unref_list),
	    SYM(kmod_module_get_info),
	    SYM(kmod_module_info_get_key),
	    SYM(kmod_module_info_get_value),
	    SYM(kmod_module_info_free_list),
	};
	static int state;
	const char *w = NULL;
	int r = load(dlib_sonames[0], syms, ARRAY_SIZE(syms), &state, &w);

	if (why)
		*why = w;
	return r;
}

int dlopen_blkid(const char **why)
{
	static const struct sym syms[] = {
	    SYM(blkid_get_cache),
	    SYM(blkid_put_cache),
	    SYM(blkid_evaluate_spec),
	    SYM(blkid_new_probe_from_filename),
	    SYM(blkid_probe_enable_superblocks),
	    SYM(blkid_probe_set_superblocks_flags),
	    SYM(blkid_do_safeprobe),
	    SYM(blkid_probe_lookup_value),
	    SYM(blkid_free_probe),
	};
	static int state;
	const char *w = NULL;
	int r = load(dlib_sonames[1], syms, ARRAY_SIZE(syms), &state, &w);

	if (why)
		*why = w;
	return r;
}
