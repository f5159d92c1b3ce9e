#!/usr/bin/env bats
# Every real lspci dump becomes a tree; the scan must see exactly what lspci saw.
load helpers

# The facts of a dump, read straight from the lspci text (not by earlybind):
# "ADDR VVVV:DDDD DRIVER" per function, domain-qualified as lspci printed it or 0000.
facts() {
	awk '
	/^([0-9a-f]+:)?[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]\.[0-7] / {
		if (addr != "") print addr, ids, drv
		addr = $1; if (addr !~ /^[0-9a-f]+:[0-9a-f][0-9a-f]:/) addr = "0000:" addr
		n = split($0, parts, "["); ids = ""
		for (i = n; i > 0; i--) if (parts[i] ~ /^[0-9a-f][0-9a-f][0-9a-f][0-9a-f]:[0-9a-f][0-9a-f][0-9a-f][0-9a-f]\]/) { ids = substr(parts[i], 1, 9); break }
		drv = "null"
		if (ids == "") addr = ""
	}
	/^\tKernel driver in use:/ { drv = $5 }
	END { if (addr != "") print addr, ids, drv }' "$1" | sort
}

@test "at least 8 real dumps: every function, its ids and its driver round-trip through scan" {
	count=0
	for f in "$FIX"/*.txt; do
		name=$(basename "$f" .txt)
		mktree "$name" --lspci "$f" 2>/dev/null
		: >"$T/empty"
		"$EB" status --sysfs "$T/$name" --cmdline "$T/empty" --json >"$T/$name.json"
		jq -r '.devices[] | "\(.address) \(.vendor):\(.device) \(.driver)"' "$T/$name.json" | sort >"$T/$name.got"
		facts "$f" >"$T/$name.want"
		diff -u "$T/$name.want" "$T/$name.got"
		[ "$(wc -l <"$T/$name.want")" -gt 5 ]
		count=$((count + 1))
	done
	echo "checked $count dumps"
	[ "$count" -ge 8 ]
}

@test "JSON carries every documented field with the documented types" {
	mktree x --lspci "$(dump pve-x570-aorus-master-rtx3090ti-vfio-pci)"
	run plan_json "$T/x" "vfio-pci.ids=10de:2203"
	[ "$status" -eq 0 ]
	printf '%s' "$output" | jq -e '
		(.devices | length) > 40 and
		(.devices | all(
			(.address | test("^[0-9a-f]{4,8}:[0-9a-f]{2}:[0-1][0-9a-f]\\.[0-7]$")) and
			(.vendor | test("^[0-9a-f]{4}$")) and (.device | test("^[0-9a-f]{4}$")) and
			(.subvendor | test("^[0-9a-f]{4}$")) and (.subdevice | test("^[0-9a-f]{4}$")) and
			(.class | test("^[0-9a-f]{6}$")) and
			(.driver == null or (.driver | type) == "string") and
			(.driver_override == null) and
			((.iommu_group | type) == "number" or .iommu_group == null) and
			(.action | IN("none","claim","already","keep","refuse","skip")) and
			(.reason | type) == "string")) and
		(.groups | type) == "array" and (.warnings | type) == "array"'
	printf '%s' "$output" | jq -e '.devices[] | select(.address == "0000:0b:00.0") |
		.vendor == "10de" and .device == "2203" and .class == "030000" and .iommu_group == 27 and
		.action == "already" and .target == "vfio-pci"'
	# the root complex has no group in this dump
	printf '%s' "$output" | jq -e '.devices[] | select(.address == "0000:00:00.0") | .iommu_group == null'
}

@test "driver_override shows null for (null) and the name otherwise; no IOMMU gives null groups" {
	mktree m --lspci "$(dump mining-h110-btc-multi-gpu)" --groups none --override 0000:08:00.0=vfio-pci
	run plan_json "$T/m" "earlybind.claim=08:00.0"
	printf '%s' "$output" | jq -e '.devices[] | select(.address == "0000:08:00.0") | .driver_override == "vfio-pci" and .iommu_group == null'
	printf '%s' "$output" | jq -e '.devices[] | select(.address == "0000:01:00.0") | .driver_override == null'
	warnings | grep -q '0000:08:00.0 has no IOMMU group: vfio-pci will refuse it'
}

@test "status prints an lspci -nnk style view with override, group and the plan" {
	mktree x --lspci "$(dump pve-x570-aorus-master-rtx3090ti-vfio-pci)"
	echo "vfio-pci.ids=10de:2203" >"$T/c"
	run "$EB" status --sysfs "$T/x" --cmdline "$T/c"
	[ "$status" -eq 0 ]
	[[ "$output" == *"0000:0b:00.0 [030000]: 10de:2203"* ]]
	[[ "$output" == *"Kernel driver in use: vfio-pci"* ]]
	[[ "$output" == *"IOMMU group: 27"* ]]
	[[ "$output" == *"earlybind: already -> vfio-pci (vfio-pci.ids=10de:2203)"* ]]
}

@test "plan table: one row per device plus groups and warnings" {
	mktree m --lspci "$(dump mining-h110-btc-multi-gpu)"
	echo "vfio-pci.ids=10de:2486,zz" >"$T/c"
	run "$EB" plan --sysfs "$T/m" --cmdline "$T/c"
	[ "$status" -eq 0 ]
	rows=$(printf '%s\n' "$output" | grep -c '^0000:')
	want=$(grep -c '^[0-9a-f][0-9a-f]:' "$(dump mining-h110-btc-multi-gpu)")
	[ "$rows" -eq "$want" ]
	printf '%s\n' "$output" | grep -E '^0000:01:00.0 +10de:2486 030000 nvidia +claim +vfio-pci +vfio-pci.ids=10de:2486$'
	[[ "$output" == *"IOMMU groups of claimed devices:"* ]]
	[[ "$output" == *'invalid id "zz"'* ]]
}

@test "a tree with missing uevent or unreadable attributes still plans" {
	cat >"$T/spec" <<'S'
dev 0000:01:00.0 8086:10d3 driver=e1000e group=1 nouevent
dev 0000:02:00.0 8086:10d3 driver=e1000e group=2 noconfig
dev 0000:03:00.0 8086:10d3 driver=e1000e group=3
S
	mktree s --spec "$T/spec"
	rm "$T/s/bus/pci/devices/0000:03:00.0/vendor" "$T/s/bus/pci/devices/0000:03:00.0/uevent"
	ln -s /nonexistent "$T/s/bus/pci/devices/0000:09:00.0"
	ln -s /nonexistent "$T/s/bus/pci/devices/junk"
	run plan_json "$T/s" "vfio-pci.ids=8086:10d3"
	[ "$status" -eq 0 ]
	[ "$(action 0000:01:00.0)" = "claim vfio-pci" ]
	[ "$(action 0000:02:00.0)" = "claim vfio-pci" ]
	warnings | grep -q '0000:03:00.0: cannot read its ids'
	warnings | grep -q '0000:09:00.0: cannot read its ids'
	warnings | grep -q 'bus/pci/devices/junk: not a PCI address'
}

@test "status: a device on vfio-pci shows /dev/vfio/N, the cdev node where the kernel has it, and whether its group is viable now" {
	cat >"$T/spec" <<'S'
dev 0000:00:01.0 8086:1901 class=060400 bridge secondary=01 driver=pcieport group=1
dev 0000:01:00.0 10de:2204 class=030000 driver=vfio-pci group=1
dev 0000:01:00.1 10de:1aef class=040300 driver=snd_hda_intel group=1
dev 0000:02:00.0 10de:2204 class=030000 driver=vfio-pci group=2
dev 0000:02:00.1 10de:1aef class=040300 driver=pci-stub group=2
S
	mktree s --spec "$T/spec"
	mkdir -p "$T/s/bus/pci/devices/0000:02:00.0/vfio-dev/vfio3"
	echo 'earlybind.claim=01:00.0,02:00.0' >"$T/c"
	run "$EB" status --sysfs "$T/s" --cmdline "$T/c"
	echo "$output"
	[[ "$output" == *"vfio: /dev/vfio/1; group NOT viable now: blocked by 0000:01:00.1 (snd_hda_intel)"* ]]
	[[ "$output" == *"vfio: /dev/vfio/2, /dev/vfio/devices/vfio3 (with /dev/iommu); group viable now"* ]]
}
