#!/usr/bin/env bats
# Device identity that survives renumbering: the kernel's pci= forms in earlybind.claim, keep
# and force — the path "[DOMAIN:]BB:DD.F/DD.F/..." and "pci:VVVV:DDDD[:SSSS:SSSS]".
load helpers

# machine NAME [extra]: a GPU (1234:1111) and its audio behind root port 00:06.0, twin NICs
# behind 00:04.0 and 00:05.0; "extra" inserts a root port at 00:03.0 first, so every bus
# number shifts by one, as adding a card or enabling a bridge does
machine() {
	local b=1
	{
		if [ "${2:-}" = extra ]; then
			echo "dev 0000:00:03.0 1b36:000c class=060400 bridge secondary=01 driver=pcieport group=1"
			b=2
		fi
		printf 'dev 0000:00:04.0 1b36:000c class=060400 bridge secondary=%02x driver=pcieport group=2\n' $b
		printf 'dev 0000:%02x:00.0 8086:10d3 sub=8086:a01f driver=e1000e group=3\n' $b
		printf 'dev 0000:00:05.0 1b36:000c class=060400 bridge secondary=%02x driver=pcieport group=4\n' $((b + 1))
		printf 'dev 0000:%02x:00.0 8086:10d3 sub=8086:a01f driver=e1000e group=5\n' $((b + 1))
		printf 'dev 0000:00:06.0 1b36:000c class=060400 bridge secondary=%02x driver=pcieport group=6\n' $((b + 2))
		printf 'dev 0000:%02x:00.0 1234:1111 class=030000 driver=bochs-drm group=7\n' $((b + 2))
		printf 'dev 0000:%02x:00.1 8086:293e class=040300 driver=snd_hda_intel group=7\n' $((b + 2))
	} >"$T/$1.spec"
	mktree "$1" --spec "$T/$1.spec"
}

@test "a path claim names the same device after the buses are renumbered; an address claim with its @ pin is refused" {
	machine before
	machine after extra
	echo 'earlybind.claim=0000:00:06.0/00.0,0000:03:00.1@8086:293e earlybind.keep=00:05.0/00.0' >"$T/c"
	run "$EB" plan --sysfs "$T/before" --cmdline "$T/c" --json
	[ "$(action 0000:03:00.0)" = "claim vfio-pci" ]
	[ "$(action 0000:03:00.1)" = "claim vfio-pci" ]
	[ "$(action 0000:02:00.0)" = "keep null" ]
	[ "$(action 0000:01:00.0)" = "none null" ]
	# a root port inserted in front: the display is 04:00.0 now, 03:00.x is twin B
	run "$EB" plan --sysfs "$T/after" --cmdline "$T/c" --json
	echo "$output" | jq -c '.devices[] | [.address, .action, .reason]'
	[ "$(action 0000:04:00.0)" = "claim vfio-pci" ]
	[ "$(action 0000:03:00.0)" = "keep null" ]
	printf '%s' "$output" | jq -e '.devices[] | select(.address == "0000:04:00.0") | .reason == "earlybind.claim=0000:00:06.0/00.0"'
	# the plain address claim lands on another device, and the pin refuses it; 04:00.1 is left
	[ "$(action 0000:04:00.1)" = "none null" ]
	# (03:00.1 does not exist any more: twin B is single-function)
	printf '%s' "$output" | jq -e '.warnings | any(test("earlybind.claim=0000:03:00.1@8086:293e: no PCI device at that address"))'
	echo 'earlybind.claim=0000:03:00.0@1234:1111' >"$T/c2"
	run "$EB" plan --sysfs "$T/after" --cmdline "$T/c2" --json
	printf '%s' "$output" | jq -e '.devices[] | select(.address == "0000:03:00.0") | .action == "refuse" and (.reason | test("hardware changed: earlybind.claim=0000:03:00.0@1234:1111 expects 1234:1111, found 8086:10d3"))'
}

@test "pci:VVVV:DDDD[:SSSS:SSSS] claims by ids as the kernel's pci= option reads them (0 is any); keep and force take the forms too" {
	machine m
	echo 'earlybind.claim=pci:8086:10d3:8086:0=pci-stub earlybind.keep=pci:8086:10d3:0:a01f' >"$T/c"
	run "$EB" plan --sysfs "$T/m" --cmdline "$T/c" --json
	[ "$(action 0000:01:00.0)" = "keep null" ]
	[ "$(action 0000:02:00.0)" = "keep null" ]
	echo 'earlybind.claim=pci:8086:10d3=pci-stub earlybind.keep=00:04.0/00.0' >"$T/c"
	run "$EB" plan --sysfs "$T/m" --cmdline "$T/c" --json
	[ "$(action 0000:01:00.0)" = "keep null" ]
	[ "$(action 0000:02:00.0)" = "claim pci-stub" ]
	# malformed forms are warned about and skipped, the rest applies
	echo 'earlybind.claim=pci:8086,00:06.0/,00:06.0/20.0,00:05.0/00.0 earlybind.keep=zz/00.0' >"$T/c"
	run "$EB" plan --sysfs "$T/m" --cmdline "$T/c" --json
	[ "$(action 0000:02:00.0)" = "claim vfio-pci" ]
	[ "$(warnings | grep -c 'skipped')" -eq 4 ]
}

@test "status shows a claimed device's path; the udev path decides path claims from the one device" {
	machine m
	echo 'earlybind.claim=00:06.0/00.0' >"$T/c"
	run "$EB" status --sysfs "$T/m" --cmdline "$T/c"
	[[ "$output" == *"path: 0000:00:06.0/00.0 (survives bus renumbering)"* ]]
	# an unselected device's udev run: its own link read, nothing else, no state
	mkdir -p "$T/root/etc"
	ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 strace -f -o "$T/trace" -e trace=%file "$EB" apply --device 0000:01:00.0 --sysfs "$T/m" --root "$T/root" --cmdline "$T/c"
	run grep -E '0000:0[23]:00' "$T/trace"
	[ "$status" -eq 1 ]
	[ ! -e "$T/root/run" ]
}
