#!/usr/bin/env bats
# In use right now: a device a selector wants is refused while the running system uses it —
# a disk mounted, swapped on, held by md/dm or opened exclusively; a NIC carrying a route or an
# address, itself or through its bond; a GPU with open DRM handles — unless forced, and the
# refusal names the holder. The routes, addresses and mounts are this project's machine's
# (tests/fixtures/inuse, see SOURCES.md), with the tests' own lines added.
load helpers

INUSE=$REPO/tests/fixtures/inuse

setup_file() {
	"$REPO/tests/fetch-kernel.sh" >/dev/null
}

# machine EXTRA-SPEC-LINES...: the e1000e twins of mocked_machine (no route through them), a
# virtio disk 05:00.0 (vdb: vdb1, vdb2), a NIC 03:00.0 (eth0) and a GPU 04:00.0 (card1,
# renderD129), as the tree $T/s for the kernel model; a booted root $T/root whose /proc is the
# build machine's (eth0 carries its default route)
machine() {
	mocked_machine \
		"dev 0000:00:0b.0 8086:1901 class=060400 bridge secondary=05 driver=pcieport group=5" \
		"dev 0000:05:00.0 1af4:1042 class=010000 driver=virtio-pci group=6 block=vdb:vdb1:vdb2 $*" \
		"dev 0000:00:03.0 8086:1901 class=060400 bridge secondary=03 driver=pcieport group=7" \
		"dev 0000:03:00.0 8086:10fb class=020000 driver=ixgbe group=8 net=eth0" \
		"dev 0000:00:04.0 8086:1901 class=060400 bridge secondary=04 driver=pcieport group=9" \
		"dev 0000:04:00.0 10de:1b80 class=030000 driver=nouveau group=10 drm=card1:renderD129"
	mkdir -p "$T/root/proc/self/" "$T/root/proc/net" "$T/root/dev"
	cp "$INUSE/mountinfo-vm.txt" "$T/root/proc/self/mountinfo"
	cp "$INUSE/swaps-vm.txt" "$T/root/proc/swaps"
	cp "$INUSE/route-vm.txt" "$T/root/proc/net/route"
	cp "$INUSE/ipv6_route-vm.txt" "$T/root/proc/net/ipv6_route"
	cp "$INUSE/if_inet6-vm.txt" "$T/root/proc/net/if_inet6"
}

iplan() {
	"$EB" plan --sysfs "$T/s" --root "$T/root" --json $(cl "$@")
}

@test "a disk with a mounted partition (nofail, not in fstab: not boot-critical) is refused, naming the mount; force claims it; unmounted it is claimed" {
	machine
	echo "90 27 252:1 / /mnt/d rw,relatime - ext4 /dev/vdb1 rw" >>"$T/root/proc/self/mountinfo"
	run iplan vfio-pci.ids=1af4:1042
	[ "$status" -eq 0 ]
	[ "$(action 0000:05:00.0)" = "refuse null" ]
	[[ $(reason 0000:05:00.0) == "in use: mount /mnt/d (vdb1); earlybind.force=0000:05:00.0 (by hand: apply --force 0000:05:00.0) claims it anyway (vfio-pci.ids=1af4:1042)" ]]
	run iplan vfio-pci.ids=1af4:1042 earlybind.force=0000:05:00.0
	[ "$(action 0000:05:00.0)" = "claim vfio-pci" ]
	cp "$INUSE/mountinfo-vm.txt" "$T/root/proc/self/mountinfo"
	run iplan vfio-pci.ids=1af4:1042
	[ "$(action 0000:05:00.0)" = "claim vfio-pci" ]
}

@test "an md array assembled by hand on a partition names its holder; an active swap is a boot device already" {
	machine holder=vdb2:md0
	run iplan earlybind.claim=0000:05:00.0
	[ "$(action 0000:05:00.0)" = "refuse null" ]
	[[ $(reason 0000:05:00.0) == "in use: holder md0 on vdb2; earlybind.force="* ]]
	printf 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n/dev/vdb1                               partition\t1048572\t\t0\t\t-2\n' >"$T/root/proc/swaps"
	run iplan earlybind.claim=0000:05:00.0
	[[ $(reason 0000:05:00.0) == "boot device: carries swap /dev/vdb1;"* ]]
}

@test "a NIC carrying the default route, or enslaved to a bond that does, is refused; the twins with no route are claimed" {
	machine
	run iplan earlybind.claim=0000:03:00.0,0000:01:00.0
	[ "$(action 0000:03:00.0)" = "refuse null" ]
	[[ $(reason 0000:03:00.0) == "in use: interface eth0 carries the default route;"* ]]
	[ "$(action 0000:01:00.0)" = "claim vfio-pci" ]
	# the twins' ports in a bond that carries the route
	rm -rf "$T/s" && mocked_machine "dev 0000:03:00.0 8086:10fb class=020000 driver=ixgbe group=8 net=eth2 master=eth2:eth0"
	run iplan earlybind.claim=0000:03:00.0
	[[ $(reason 0000:03:00.0) == "in use: interface eth2 is enslaved to eth0, which carries the default route;"* ]]
	# a virtio NIC: its interface sits under its virtioN child
	rm -rf "$T/s" && mocked_machine "dev 0000:00:08.0 1af4:1000 driver=virtio-pci group=8 net=virtio2/eth0"
	run iplan earlybind.claim=0000:00:08.0
	[[ $(reason 0000:00:08.0) == "in use: interface eth0 carries the default route;"* ]]
	rm -rf "$T/s" && mocked_machine "dev 0000:03:00.0 8086:10fb class=020000 driver=ixgbe group=8 net=eth2 master=eth2:eth0"
	# only a global IPv6 address, no route: in use too
	grep -v eth0 "$INUSE/route-vm.txt" >"$T/root/proc/net/route"
	grep -v eth0 "$INUSE/ipv6_route-vm.txt" >"$T/root/proc/net/ipv6_route"
	run iplan earlybind.claim=0000:03:00.0
	[[ $(reason 0000:03:00.0) == "in use: interface eth2 is enslaved to eth0, which has the global address fd00:0000:..."* ]]
}

@test "a GPU with an open DRM node on a booted system names the process; in the initramfs open handles are not looked for" {
	machine
	mkdir -p "$T/root/proc/812/fd" "$T/root/proc/4711/fd"
	echo Xorg >"$T/root/proc/812/comm"
	ln -s /dev/dri/card1 "$T/root/proc/812/fd/14"
	ln -s /dev/null "$T/root/proc/812/fd/0"
	ln -s /dev/dri/card0 "$T/root/proc/4711/fd/3"
	run iplan earlybind.claim=0000:04:00.0
	[ "$(action 0000:04:00.0)" = "refuse null" ]
	[[ $(reason 0000:04:00.0) == "in use: process Xorg (pid 812) has /dev/dri/card1 open;"* ]]
	: >"$T/root/etc/initrd-release"
	run iplan earlybind.claim=0000:04:00.0
	[ "$(action 0000:04:00.0)" = "claim vfio-pci" ]
}

@test "any device node of the function a process has open names the process: a disk a VMM opened whole, a sound card's control node; only on a booted system" {
	machine
	mkdir -p "$T/root/proc/900/fd" "$T/root/proc/1234/fd"
	echo qemu-system-x86 >"$T/root/proc/900/comm"
	ln -s /dev/vdb "$T/root/proc/900/fd/17"
	echo pipewire >"$T/root/proc/1234/comm"
	ln -s /dev/snd/controlC2 "$T/root/proc/1234/fd/40"
	run iplan earlybind.claim=0000:05:00.0
	[ "$(action 0000:05:00.0)" = "refuse null" ]
	[[ $(reason 0000:05:00.0) == "in use: process qemu-system-x86 (pid 900) has /dev/vdb open;"* ]]
	# a sound card under its function: sound/cardN/{controlCN,pcmCNDMp}
	rm -rf "$T/s" && mocked_machine "dev 0000:00:1f.3 8086:a348 class=040300 driver=snd_hda_intel group=11 sound=card2:controlC2:pcmC2D3p"
	run iplan earlybind.claim=0000:00:1f.3
	[ "$(action 0000:00:1f.3)" = "refuse null" ]
	[[ $(reason 0000:00:1f.3) == "in use: process pipewire (pid 1234) has /dev/snd/controlC2 open;"* ]]
	: >"$T/root/etc/initrd-release"
	run iplan earlybind.claim=0000:00:1f.3
	[ "$(action 0000:00:1f.3)" = "claim vfio-pci" ]
}

@test "a driver module with users beyond the modules that use it, driving this function alone, is in use on a booted system; with a second function on it nothing is said" {
	# snd_hda_intel: refcnt 2, no holder module, one function bound
	mocked_machine "dev 0000:00:1f.3 8086:a348 class=040300 driver=snd_hda_intel group=11 users=2"
	mkdir -p "$T/root/proc"
	run iplan earlybind.claim=0000:00:1f.3
	[ "$(action 0000:00:1f.3)" = "refuse null" ]
	[[ $(reason 0000:00:1f.3) == "in use: module snd_hda_intel, which drives only this function, has 2 users;"* ]]
	# the users of a module that is itself used by another module: the holder's reference is not a use
	mkdir -p "$T/s/module/snd_hda_intel/holders" "$T/s/module/snd_hda_codec_hdmi"
	ln -s ../../snd_hda_codec_hdmi "$T/s/module/snd_hda_intel/holders/snd_hda_codec_hdmi"
	echo 1 >"$T/s/module/snd_hda_intel/refcnt"
	run iplan earlybind.claim=0000:00:1f.3
	[ "$(action 0000:00:1f.3)" = "claim vfio-pci" ]
	echo 2 >"$T/s/module/snd_hda_intel/refcnt"
	run iplan earlybind.claim=0000:00:1f.3
	[ "$(action 0000:00:1f.3)" = "refuse null" ]
	[[ $(reason 0000:00:1f.3) == "in use: module snd_hda_intel, which drives only this function, has 1 user;"* ]]
	# a second function on the same driver: the users cannot be told apart
	rm -rf "$T/s" && mocked_machine "dev 0000:00:1f.3 8086:a348 class=040300 driver=snd_hda_intel group=11 users=2" \
		"dev 0000:00:1f.4 10de:10f0 class=040300 driver=snd_hda_intel group=12"
	run iplan earlybind.claim=0000:00:1f.3
	[ "$(action 0000:00:1f.3)" = "claim vfio-pci" ]
	# in the initramfs module references are not looked at
	rm -rf "$T/s" && mocked_machine "dev 0000:00:1f.3 8086:a348 class=040300 driver=snd_hda_intel group=11 users=2"
	: >"$T/root/etc/initrd-release"
	run iplan earlybind.claim=0000:00:1f.3
	[ "$(action 0000:00:1f.3)" = "claim vfio-pci" ]
}

@test "apply refuses the mounted disk without touching it and names the holder on kmsg; apply --force claims it" {
	machine
	echo "90 27 252:1 / /mnt/d rw,relatime - ext4 /dev/vdb1 rw" >>"$T/root/proc/self/mountinfo"
	run eb_mocked "$T/s" apply $(cl vfio-pci.ids=1af4:1042)
	[ "$status" -eq 0 ]
	[ "$(driver "$T/s" 0000:05:00.0)" = virtio-pci ]
	[[ $output == *"0000:05:00.0 refused"* ]]
	grep -q '<4>earlybind: 0000:05:00.0 1af4:1042: refused: in use: mount /mnt/d (vdb1)' "$T/kmsg"
	run ! grep -q 'override' "$T/mock.log"
	run eb_mocked "$T/s" apply --force 0000:05:00.0 $(cl vfio-pci.ids=1af4:1042)
	[ "$status" -eq 0 ]
	[ "$(driver "$T/s" 0000:05:00.0)" = vfio-pci ]
	# --force is apply's alone
	run "$EB" plan --sysfs "$T/s" --force 0000:05:00.0
	[ "$status" -eq 2 ]
}

@test "suggest warns that the device asked about is in use; the udev path asks nothing of the sort for a device no selector wants" {
	machine
	run "$EB" suggest --sysfs "$T/s" --root "$T/root" 0000:03:00.0
	[[ $output == *"warning: 0000:03:00.0 is in use: interface eth0 carries the default route; earlybind refuses it while it is"* ]]
	ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 strace -f -o "$T/trace" -e trace=openat,open \
		"$EB" apply --device 0000:03:00.0 --sysfs "$T/s" --root "$T/root" --kmsg "$T/kmsg" $(cl vfio-pci.ids=1af4:1042)
	run ! grep -qE 'class/block|proc/net|mountinfo|proc/swaps' "$T/trace"
}
