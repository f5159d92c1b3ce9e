#!/usr/bin/env bash
# make check: the three test layers in order, each one's count, then the total as
# "N passed, N failed". A layer that cannot run counts as failed, never as skipped.
set -u
B=${B:-build}
export EARLYBIND=${EARLYBIND:-$PWD/$B/earlybind} PCIMOCK=${PCIMOCK:-$PWD/$B/pcimock.so}
total_p=0
total_f=0
summary=""
status=0

# layer NAME COMMAND...: runs it, echoing its output; counts from "N passed, N failed" or TAP.
layer() {
	local name=$1 out p f rc
	shift
	out=$(mktemp)
	echo "=== $name"
	"$@" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	if grep -qE '^[0-9]+ passed, [0-9]+ failed' "$out"; then
		p=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1 | awk '{print $1}')
		f=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1 | awk '{print $3}')
	else
		p=$(grep -c '^ok ' "$out")
		f=$(grep -c '^not ok ' "$out")
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1 # it failed without saying what: count it
	fi
	[ "$rc" -eq 0 ] || status=1
	summary="$summary
  $name: $p passed, $f failed"
	total_p=$((total_p + p))
	total_f=$((total_f + f))
	rm -f "$out"
}

layer "unit (C)" "$B/run-unit"
layer "bats (fake sysfs)" bats --tap tests/bats
# Boots: Debian 12's 6.1 (every scenario), Debian 13's 6.12 and unstable's 7.x (the core
# scenarios and the VMM check) under dracut; initramfs-tools on 6.1 and 6.12.
CORE='^([1-6]|V2) '
layer "boot, dracut, Debian 12 kernel (QEMU)" tests/boot/run
layer "boot, dracut, Debian 13 kernel (QEMU)" env BOOT_SUITE=trixie BOOT_IMAGES="shell vmm" BOOT_ONLY="$CORE" tests/boot/run
layer "boot, dracut, Debian unstable kernel (QEMU)" env BOOT_SUITE=sid BOOT_IMAGES="shell vmm" BOOT_ONLY="$CORE" tests/boot/run
layer "boot, initramfs-tools, Debian 12 kernel (QEMU)" tests/itools/run
layer "boot, initramfs-tools, Debian 13 kernel (QEMU)" env ITOOLS_SUITE=trixie \
	BOOT_ONLY='^initramfs-tools: (vfio-pci.ids|earlybind.claim|ids \+ earlybind.keep|earlybind.group|earlybind=0)' tests/itools/run
echo "=== summary$summary"
echo "$total_p passed, $total_f failed"
exit "$status"
