// SPDX-License-Identifier: LGPL-2.1-or-later
/* vfio-pci variants from a modules.alias: the most specific alias, ties, names, the loader. */
#include "unit.h"

#include <stdlib.h>
#include <unistd.h>

#include "variant.h"

static int load_text(const char *text, struct variants *vs)
{
	char dir[] = "/tmp/eb-variant.XXXXXX", path[64];
	FILE *f;
	int r;

	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/modules.alias", dir);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	r = variants_load(dir, vs);
	unlink(path);
	rmdir(dir);
	return r;
}

void test_variant(void)
{
	struct pci_ids vf = {0x15b3, 0x101e, 0x15b3, 0x0024, 0x020000};
	struct pci_ids other = {0x8086, 0x10d3, 0x8086, 0xa01f, 0x020000};
	const struct variant_alias *a;
	struct variants vs;
	bool tie;

	CHECK(
	    load_text("# Aliases extracted from modules themselves.\n"
		      "alias pci:v000015B3d0000101Esv*sd*bc*sc*i* mlx5_core\n"
		      "alias vfio_pci:v000015B3d*sv*sd*bc02sc00i* wide_vfio_pci\n"
		      "alias vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i* mlx5_vfio_pci\n"
		      "alias vfio_pci:v*d*sv*sd*bc*sc*i* vfio_pci\n"
		      "xalias vfio_pci:v*d*sv*sd*bc*sc*i* not_at_line_start\n"
		      "alias vfio_pci:v000015B3d0000101Esv000015B3sd00000024bc*sc*i* sub_vfio_pci",
		      &vs) == 0,
	    "loads");
	CHECK(vs.n == 3, "three variants (vfio_pci itself and a mid-line match left out): %zu",
	      vs.n);
	a = variants_best(&vs, &vf, &tie);
	CHECK(a && strcmp(a->module, "sub_vfio_pci") == 0 && !tie,
	      "the subsystem-specific alias wins: %s", a ? a->module : "none");
	vf.subdevice = 0x0025;
	a = variants_best(&vs, &vf, &tie);
	CHECK(a && strcmp(a->module, "mlx5_vfio_pci") == 0,
	      "device-specific beats a vendor-wide class alias with more fixed fields after it");
	CHECK(!variants_best(&vs, &other, &tie) && !tie, "no variant for an e1000e");
	CHECK(variants_by_module(&vs, "mlx5-vfio-pci") ==
		      variants_by_module(&vs, "mlx5_vfio_pci") &&
		  variants_by_module(&vs, "mlx5_vfio_pci"),
	      "names compare as modprobe does");
	CHECK(!variants_by_module(&vs, "vfio_pci") && !variants_by_module(&vs, "nvidia"),
	      "vfio_pci is no variant; unknown names are none");
	variants_free(&vs);

	CHECK(load_text("alias vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i* a_vfio_pci\n"
			"alias vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i* b_vfio_pci\n",
			&vs) == 0,
	      "loads two");
	CHECK(!variants_best(&vs, &vf, &tie) && tie, "two equally specific: none, a tie");
	variants_free(&vs);
	CHECK(variants_load("/nonexistent", &vs) < 0 && vs.n == 0, "no module tree");
}
