// SPDX-License-Identifier: LGPL-2.1-or-later
#include "unit.h"

int unit_passed, unit_failed;

int main(void)
{
	test_cmdline();
	test_rules();
	test_plan();
	test_iomem();
	test_variant();
	test_kmodidx();
	test_pathcxt();
	printf("%d passed, %d failed\n", unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}
