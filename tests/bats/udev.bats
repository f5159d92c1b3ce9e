#!/usr/bin/env bats
# The udev path: `apply --device ADDR` runs for every PCI add event. For a device no selector
# wants it decides before any libkmod, libblkid or state work; released devices stay released;
# devices already on vfio-pci or pci-stub are left alone.
load helpers

setup_file() {
	"$REPO/tests/fetch-kernel.sh" >/dev/null
}

nics() {
	mocked_machine \
		"dev 0000:00:03.0 8086:1901 class=060400 bridge secondary=03 driver=pcieport group=3" \
		"dev 0000:03:00.0 8086:100e driver=e1000 group=3" \
		"dev 0000:03:00.1 8086:100e driver=e1000 group=3"
}

# udev DEVICE ARGS...: the rule's run, with udev's environment
udev() {
	local dev=$1
	shift
	DEVPATH=/devices/x/$dev ACTION=add eb_mocked "$T/s" apply --device "$dev" "$@"
}

@test "an unselected device: no libkmod, no libblkid, no open under /dev, no file written, no uevent of others" {
	nics
	cl "root=UUID=3f0c5a52-4c77-4c4c-9d2e-6b1b6a5e0b11 resume=UUID=5b1e0c3a-1111-4c4c-9d2e-6b1b6a5e0b11 vfio-pci.ids=8086:100e" >/dev/null
	ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 strace -f -o "$T/trace" -e trace=%file,%desc "$EB" apply --device 0000:01:00.0 --sysfs "$T/s" \
		--root "$T/root" --cmdline "$T/cmdline" --kmsg "$T/kmsg"
	run grep -E 'libkmod|libblkid|"/dev/|/run/blkid' "$T/trace"
	echo "$output"
	[ "$status" -eq 1 ]
	run grep -E 'O_WRONLY|O_RDWR|O_CREAT|mkdir|rename|unlink' "$T/trace"
	echo "$output"
	[ "$status" -eq 1 ]
	# its own uevent only: never another device's
	grep -q '0000:01:00.0/uevent' "$T/trace"
	run grep -E '0000:0[23]:00\.[01]/' "$T/trace"
	[ "$status" -eq 1 ]
	[ ! -e "$T/kmsg" ] && [ ! -e "$T/root/run" ]
	# no earlybind key at all: the sources are read, nothing else
	cl "root=UUID=3f0c5a52-4c77-4c4c-9d2e-6b1b6a5e0b11 quiet" >/dev/null
	ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 strace -f -o "$T/trace2" -e trace=%file "$EB" apply --device 0000:01:00.0 --sysfs "$T/s" \
		--root "$T/root" --cmdline "$T/cmdline"
	cat "$T/trace2"
	run grep -F "$T/s/" "$T/trace2"
	[ "$status" -eq 1 ]
	# a selected device pays: libkmod is loaded and the device claimed
	cl vfio-pci.ids=8086:10d3 >/dev/null
	ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 strace -f -o "$T/trace3" -e trace=openat env EB_MOCK_SYSFS="$T/s" LD_PRELOAD="$PCIMOCK" \
		"$EB" apply --device 0000:01:00.0 --sysfs "$T/s" --root "$T/root" --cmdline "$T/cmdline" \
		--moddir "$MODDIR" --kmsg "$T/kmsg"
	grep -q 'libkmod.so' "$T/trace3"
	[ "$(driver "$T/s" 0000:01:00.0)" = vfio-pci ]
}

@test "plan maps neither libkmod nor libblkid when modprobe.d holds no ids; with ids there it reads them through libkmod" {
	nics
	mkdir -p "$T/root/etc/modprobe.d"
	echo 'options snd_hda_intel model=auto' >"$T/root/etc/modprobe.d/snd.conf"
	ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 strace -f -o "$T/trace" -e trace=openat "$EB" plan --sysfs "$T/s" --root "$T/root" $(cl vfio-pci.ids=8086:10d3)
	run grep -E 'libkmod|libblkid' "$T/trace"
	[ "$status" -eq 1 ]
	echo 'options vfio_pci ids=8086:100e' >"$T/root/etc/modprobe.d/vfio.conf"
	ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 strace -f -o "$T/trace" -e trace=openat "$EB" plan --sysfs "$T/s" --root "$T/root" --json $(cl quiet) >"$T/out"
	grep -q 'libkmod.so' "$T/trace"
	output=$(cat "$T/out")
	[ "$(action 0000:03:00.0)" = "claim vfio-pci" ]
}

@test "released by hand stays released: a later udev add event leaves it; a hand apply claims it" {
	nics
	: >"$T/root/etc/initrd-release"
	eb_mocked "$T/s" apply $(cl earlybind.claim=02:00.0) >/dev/null
	rm "$T/root/etc/initrd-release"
	[ "$(driver "$T/s" 0000:02:00.0)" = vfio-pci ]
	eb_mocked "$T/s" release 0000:02:00.0
	[ "$(driver "$T/s" 0000:02:00.0)" = e1000e ]
	before=$(md5sum "$T/root/run/earlybind/results")
	run udev 0000:02:00.0 $(cl earlybind.claim=02:00.0)
	[ "$status" -eq 0 ]
	[ "$(driver "$T/s" 0000:02:00.0)" = e1000e ]
	[ "$(md5sum "$T/root/run/earlybind/results")" = "$before" ]
	run "$EB" status --sysfs "$T/s" --root "$T/root" $(cl earlybind.claim=02:00.0)
	[[ "$output" == *"by hand 2"*": released vfio-pci"* ]]
	# explicitly, by hand: claimed again
	run eb_mocked "$T/s" apply $(cl earlybind.claim=02:00.0)
	[ "$status" -eq 0 ]
	[ "$(driver "$T/s" 0000:02:00.0)" = vfio-pci ]
}

@test "the udev path leaves a device on vfio-pci or pci-stub alone, whatever the selectors say" {
	nics
	eb_mocked "$T/s" apply $(cl earlybind.claim=01:00.0,03:00.0=pci-stub) >/dev/null
	[ "$(driver "$T/s" 0000:01:00.0)" = vfio-pci ]
	[ "$(driver "$T/s" 0000:03:00.0)" = pci-stub ]
	rm -f "$T/mock.log"
	udev 0000:01:00.0 $(cl earlybind.claim=01:00.0=pci-stub)
	udev 0000:03:00.0 $(cl vfio-pci.ids=8086:100e)
	[ "$(driver "$T/s" 0000:01:00.0)" = vfio-pci ]
	[ "$(driver "$T/s" 0000:03:00.0)" = pci-stub ]
	[ ! -e "$T/mock.log" ]
}

@test "group mode: a companion's own add event is wanted through its group; modprobe.d ids recorded by the boot run" {
	nics
	# the boot run records the ids modprobe.d gives; the udev path reads them without libkmod
	mkdir -p "$T/root/etc/modprobe.d"
	echo 'options vfio-pci ids=8086:10d3' >"$T/root/etc/modprobe.d/vfio.conf"
	: >"$T/root/etc/initrd-release"
	eb_mocked "$T/s" apply $(cl earlybind.keep=01:00.0,02:00.0) >/dev/null
	rm "$T/root/etc/initrd-release"
	grep -qx 'vfio-pci.ids=8086:10d3' "$T/root/run/earlybind/modprobe.conf"
	rm -rf "$T/s" && nics
	udev 0000:02:00.0 $(cl quiet)
	[ "$(driver "$T/s" 0000:02:00.0)" = vfio-pci ]
	# 03:00.1 shares group 3 with 03:00.0; only 03:00.0 is named
	udev 0000:03:00.1 $(cl earlybind.claim=03:00.0 earlybind.group=vfio-pci)
	[ "$(driver "$T/s" 0000:03:00.1)" = vfio-pci ]
}
