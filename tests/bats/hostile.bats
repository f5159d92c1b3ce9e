#!/usr/bin/env bats
# Hostile input: each case warns clearly, plans the valid rest, exits as documented and writes
# nothing outside the sysfs root (the rest of the test directory is compared before and after).
load helpers

base() {
	cat >"$T/spec" <<'S'
dev 0000:00:01.0 8086:1901 class=060400 bridge secondary=01 driver=pcieport group=1
dev 0000:01:00.0 8086:10d3 driver=e1000e group=1
dev 0000:00:02.0 8086:1901 class=060400 bridge secondary=02 driver=pcieport group=2
dev 0000:02:00.0 8086:10d3 driver=e1000e group=2
dev 0000:03:00.0 8086:100e driver=e1000 group=3
S
	mktree s --spec "$T/spec" "$@"
	mkdir -p "$T/root"
}

# A fingerprint of everything under $T but the sysfs tree, the --root tree and the mock log.
outside() {
	(cd "$T" && find . -path ./s -prune -o -path ./root -prune -o -name mock.log -prune -o -name kmsg -prune -o -printf '%p %s %l\n' | sort) | md5sum
}

plan_file() {
	"$EB" plan --sysfs "$T/s" --cmdline "$T/cmdline" --json
}

@test "a 4 KiB vfio-pci.ids value and one of 10 000 entries: warned about, the valid ids applied" {
	base
	v=$(for i in $(seq 1 400); do printf 'ffff:%04x,' "$i"; done)
	echo "vfio-pci.ids=${v}8086:100e" >"$T/cmdline"
	run plan_file
	[ "$status" -eq 0 ]
	[ "$(action 0000:03:00.0)" = "claim vfio-pci" ]
	warnings | grep -q 'value is 4009 bytes.*the kernel refuses more than 1023'
	v=$(for i in $(seq 1 10000); do printf 'ffff:%04x,' "$i"; done)
	echo "pci-stub.ids=${v}8086:10d3" >"$T/cmdline"
	run plan_file
	[ "$status" -eq 0 ]
	[ "$(action 0000:01:00.0)" = "claim pci-stub" ]
	[ "$(action 0000:02:00.0)" = "claim pci-stub" ]
}

@test "hostile addresses everywhere: claim, keep, force, --device, release" {
	base
	echo 'earlybind.claim=../../etc,0000:00:1f.7/../..,ffffffff:ff:ff.f,100000000:01:00.0,02:00.0 earlybind.keep=/etc/passwd earlybind.force=..' >"$T/cmdline"
	before=$(outside)
	run plan_file
	[ "$status" -eq 0 ]
	[ "$(action 0000:02:00.0)" = "claim vfio-pci" ]
	for a in '../../etc' '0000:00:1f.7/../..' 'ffffffff:ff:ff.f' '100000000:01:00.0' '/etc/passwd' '..'; do
		warnings | grep -qF "\"$a\": not a PCI address"
	done
	run "$EB" apply --sysfs "$T/s" --root "$T/root" --cmdline "$T/cmdline" --device ../../etc
	[ "$status" -eq 2 ]
	run "$EB" release --sysfs "$T/s" --root "$T/root" --cmdline "$T/cmdline" 0000:00:1f.7/../..
	[ "$status" -eq 2 ]
	[ "$before" = "$(outside)" ]
}

@test "hex overflow: more than 32 bits of digits is truncated as the kernel does, and said" {
	base
	echo 'vfio-pci.ids=1ffffffff:10d3,8086:123456789' >"$T/cmdline"
	run plan_file
	[ "$status" -eq 0 ]
	warnings | grep -q '"1ffffffff:10d3": a field has more than 32 bits; the kernel truncates it'
	# 1ffffffff truncates to ffffffff: any vendor, as in the kernel
	[ "$(action 0000:01:00.0)" = "claim vfio-pci" ]
	warnings | grep -q 'device 0x23456789 is wider than 16 bits and never matches'
}

@test "binary junk without NUL bytes and unbalanced quotes: valid JSON, the rest applied" {
	base
	head -c 4096 /dev/urandom | tr -d '\000' >"$T/junk"
	printf ' earlybind.claim=03:00.0\n' >>"$T/junk"
	"$EB" plan --sysfs "$T/s" --cmdline "$T/junk" --json >"$T/out.json"
	jq -e . "$T/out.json" >/dev/null
	echo 'vfio-pci.ids="8086:100e earlybind.claim=01:00.0' >"$T/cmdline"
	run plan_file
	[ "$status" -eq 0 ]
	# the open quote swallows the rest of the line into the value, as the kernel's next_arg() does
	[ "$(action 0000:03:00.0)" = "claim vfio-pci" ]
	[ "$(action 0000:01:00.0)" = "none null" ]
	warnings | grep -q 'trailing " earlybind.claim=01:00.0" ignored'
}

@test "a NUL byte in a source: warned, the part before it used" {
	base
	printf 'earlybind.claim=01:00.0\000earlybind.claim=02:00.0\n' >"$T/cmdline"
	run plan_file
	[ "$(action 0000:01:00.0)" = "claim vfio-pci" ]
	[ "$(action 0000:02:00.0)" = "none null" ]
	warnings | grep -q 'contains a NUL byte'
}

@test "broken trees: attributes that are directories, dangling links, missing files" {
	base
	d=$(realpath "$T/s/bus/pci/devices/0000:01:00.0")
	rm "$d/uevent" && mkdir "$d/uevent"          # read() fails with EISDIR
	rm "$d/config" && mkdir "$d/config"
	rm "$d/iommu_group" && ln -s /nonexistent "$d/iommu_group"
	d2=$(realpath "$T/s/bus/pci/devices/0000:02:00.0")
	rm "$d2/driver" && ln -s ../../../bus/pci/drivers/gone "$d2/driver"
	rm "$d2/class"
	ln -s "$T/s/devices/nowhere" "$T/s/bus/pci/devices/0000:07:00.0"
	rm -rf "$T/s/kernel/iommu_groups/3"
	before=$(tree_sum "$T/s")
	echo 'vfio-pci.ids=8086:10d3,8086:100e' >"$T/cmdline"
	run plan_file
	echo "$output" | jq -r '.warnings[]'
	[ "$status" -eq 0 ]
	[ "$(action 0000:01:00.0)" = "claim vfio-pci" ]
	[ "$(action 0000:02:00.0)" = "claim vfio-pci" ]
	[ "$(action 0000:03:00.0)" = "claim vfio-pci" ]
	warnings | grep -q '0000:07:00.0: cannot read its ids'
	[ "$before" = "$(tree_sum "$T/s")" ]
	run "$EB" status --sysfs "$T/s" --cmdline "$T/cmdline" --json
	[ "$status" -eq 0 ]
}

@test "a device vanishing between scan and apply: that claim fails cleanly, the others succeed" {
	base
	MODDIR=$(kernel_moddir)
	echo 'vfio-pci.ids=8086:10d3' >"$T/cmdline"
	before=$(outside)
	run env EB_MOCK_VANISH=0000:01:00.0 EB_MOCK_SYSFS="$T/s" EB_MOCK_LOG="$T/mock.log" LD_PRELOAD="$PCIMOCK" \
		"$EB" apply --sysfs "$T/s" --root "$T/root" --moddir "$MODDIR" --kmsg "$T/kmsg" --cmdline "$T/cmdline"
	echo "$output"
	[ "$status" -eq 1 ]
	grep -q '^vanish 0000:01:00.0' "$T/mock.log"
	[[ "$output" == *"0000:01:00.0 failed"*"No such file or directory"* ]]
	[ "$(driver "$T/s" 0000:02:00.0)" = vfio-pci ]
	[ "$before" = "$(outside)" ]
	jq -e . "$T/root/run/earlybind/state.json" >/dev/null
}

@test "an unreadable or missing bus/pci/devices: exit 1, nothing written" {
	mkdir -p "$T/empty/bus/pci"
	: >"$T/cmdline"
	run "$EB" plan --sysfs "$T/empty" --cmdline "$T/cmdline"
	[ "$status" -eq 1 ]
	run "$EB" apply --sysfs "$T/empty" --root "$T/root" --cmdline "$T/cmdline" --kmsg "$T/kmsg"
	[ "$status" -eq 1 ]
	grep -q 'cannot read .*bus/pci/devices.*nothing done' "$T/kmsg"
	[ ! -e "$T/root/run/earlybind/state.json" ]
}

@test "two bus/pci/devices entries for one address (a short and a full name): the device is listed and claimed once" {
	base
	devs=$T/s/bus/pci/devices
	ln -s "$(readlink "$devs/0000:01:00.0")" "$devs/01:00.0"
	echo "vfio-pci.ids=8086:10d3" >"$T/cmdline"
	run plan_file
	[ "$status" -eq 0 ]
	[ "$(printf '%s' "$output" | jq '[.devices[] | select(.vendor == "8086" and .device == "10d3")] | length')" -eq 2 ]
	[ "$(printf '%s' "$output" | jq '[.devices[] | select(.address == "0000:01:00.0")] | length')" -eq 1 ]
	printf '%s' "$output" | jq -e '[.warnings[] | select(contains("0000:01:00.0") and contains("once"))] | length == 1'
}
