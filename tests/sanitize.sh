#!/usr/bin/env bash
# make check-sanitize: the unit and bats tests once more against an ASan + UBSan build, and
# valgrind memcheck on `plan --json` over every real lspci dump.
set -u
B=${B:-build-asan}
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:verify_asan_link_order=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
echo "=== unit (ASan+UBSan)"
"$B/run-unit" || status=1
echo "=== bats (ASan+UBSan)"
EARLYBIND=$PWD/$B/earlybind PCIMOCK=$PWD/$B/pcimock.so bats tests/bats || status=1
echo "=== valgrind memcheck: plan --json over the real dumps"
fix=${EARLYBIND_FIXTURES:-tests/fixtures/lspci}
work=$(mktemp -d)
vb=${VALGRIND_BIN:-build/earlybind}
n=0
bad=0
echo "vfio-pci.ids=10de:ffffffff,1002:ffffffff,8086:10d3 earlybind.group=vfio-pci earlybind.claim=01:00.0" >"$work/cmdline"
for f in "$fix"/*.txt; do
	name=$(basename "$f" .txt)
	python3 tests/mksysfs.py "$work/$name" --lspci "$f" 2>/dev/null
	if valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
		"$vb" plan --json --sysfs "$work/$name" --cmdline "$work/cmdline" >/dev/null 2>"$work/vg.log"; then
		n=$((n + 1))
	else
		bad=$((bad + 1))
		echo "not ok - valgrind on $name"
		cat "$work/vg.log"
	fi
done
echo "valgrind: $n clean, $bad with errors"
[ "$bad" -eq 0 ] || status=1
rm -rf "$work"
exit "$status"
