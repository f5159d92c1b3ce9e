#!/usr/bin/env bash
# make check: the three test layers, each one's count, then the total as "N passed, N failed".
# A layer that cannot run counts as failed, never as skipped.
#
# The boot layers are one QEMU (TCG, one thread) at a time each: they run in two lanes at once,
# one per core — Debian 12's kernel under dracut in one; initramfs-tools and the newer kernels in
# the other — and are printed whole, one after the other, when both are done.
set -u
B=${B:-build}
export EARLYBIND=${EARLYBIND:-$PWD/$B/earlybind} PCIMOCK=${PCIMOCK:-$PWD/$B/pcimock.so}
total_p=0
total_f=0
summary=""
status=0
dir=$(mktemp -d)

# run_layer OUT COMMAND...: runs it into OUT, and its exit status into OUT.rc
run_layer() {
	local out=$1
	shift
	"$@" >"$out" 2>&1
	echo $? >"$out.rc"
}

# count NAME OUT: echoes the layer's output; counts from "N passed, N failed" or TAP
count() {
	local name=$1 out=$2 p f rc
	echo "=== $name"
	cat "$out"
	rc=$(cat "$out.rc" 2>/dev/null || echo 1)
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
}

run_layer "$dir/unit" "$B/run-unit"
count "unit (C)" "$dir/unit"
run_layer "$dir/bats" bats --tap tests/bats
count "bats (fake sysfs)" "$dir/bats"

# Boots: Debian 12's 6.1 (every scenario), Debian 13's 6.12 and unstable's 7.x (the core
# scenarios and the VMM check) under dracut; initramfs-tools on 6.1 and 6.12; the kernel built
# from Debian's source with vfio-pci and pci-stub built in (its scenarios, B*), whose build starts
# now in the background (tests/kernel/build.sh: cached, one build at a time).
CORE='^([1-6]|V2) '
ITCORE='^initramfs-tools: (vfio-pci.ids|earlybind.claim|ids \+ earlybind.keep|earlybind.group|earlybind=0)'
nice tests/kernel/build.sh >"$dir/kbuild" 2>&1 &
echo "=== boot layers: two lanes at once (their output follows when both are done)"
(
	run_layer "$dir/b12" tests/boot/run
	run_layer "$dir/bbi" env BOOT_KERNEL=builtin BOOT_IMAGES="shell systemd vmm" BOOT_ONLY='^B' tests/boot/run
) &
lane_a=$!
(
	run_layer "$dir/i12" tests/itools/run
	run_layer "$dir/i13" env ITOOLS_SUITE=trixie BOOT_ONLY="$ITCORE" tests/itools/run
	run_layer "$dir/b13" env BOOT_SUITE=trixie BOOT_IMAGES="shell vmm" BOOT_ONLY="$CORE" tests/boot/run
	run_layer "$dir/bsid" env BOOT_SUITE=sid BOOT_IMAGES="shell vmm" BOOT_ONLY="$CORE" tests/boot/run
) &
lane_b=$!
wait "$lane_a" "$lane_b"
count "boot, dracut, Debian 12 kernel (QEMU)" "$dir/b12"
count "boot, dracut, Debian 13 kernel (QEMU)" "$dir/b13"
count "boot, dracut, Debian unstable kernel (QEMU)" "$dir/bsid"
count "boot, dracut, vfio-pci and pci-stub built in (QEMU)" "$dir/bbi"
count "boot, initramfs-tools, Debian 12 kernel (QEMU)" "$dir/i12"
count "boot, initramfs-tools, Debian 13 kernel (QEMU)" "$dir/i13"
rm -rf "$dir"
echo "=== summary$summary"
echo "$total_p passed, $total_f failed"
exit "$status"
