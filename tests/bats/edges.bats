#!/usr/bin/env bats
# Decisions at the edges: selectors that select by ids whatever their key, boot devices that moved,
# companions told what a claim is told, SR-IOV PFs claimed twice, viability said alike everywhere,
# non-VGA boot displays, vfio-pci's denylist, and what the keys say when they meet.
load helpers

# twin_nvme: two identical Samsung NVMe (144d:a808) behind root ports 00:1c.0 and 00:1d.0 and a
# SATA controller on the root bus, as the tree $T/s; a root $T/root that is an initramfs
# (etc/initrd-release) with an empty /proc/cmdline and no boot-device list
twin_nvme() {
	cat >"$T/spec" <<'S'
dev 0000:00:17.0 8086:a352 class=010601 driver=ahci group=1
dev 0000:00:1c.0 8086:a33c class=060400 bridge secondary=01 driver=pcieport group=2
dev 0000:01:00.0 144d:a808 class=010802 sub=144d:a801 driver=nvme group=3
dev 0000:00:1d.0 8086:a330 class=060400 bridge secondary=02 driver=pcieport group=4
dev 0000:02:00.0 144d:a808 class=010802 sub=144d:a801 driver=nvme group=5
S
	mktree s --spec "$T/spec"
	mkdir -p "$T/root/etc" "$T/root/proc"
	: >"$T/root/etc/initrd-release"
	: >"$T/root/proc/cmdline"
}

# eplan WORDS...: plan --json on $T/s, root $T/root, the words as the command line
eplan() {
	"$EB" plan --sysfs "$T/s" --root "$T/root" --json $(cl "$@")
}

@test "earlybind.claim=pci:VVVV:DDDD selects by ids: in an initramfs without a boot-device list it refuses mass storage as vfio-pci.ids does" {
	twin_nvme
	run eplan vfio-pci.ids=144d:a808
	[ "$(action 0000:01:00.0)" = "refuse null" ]
	[ "$(action 0000:02:00.0)" = "refuse null" ]
	run eplan earlybind.claim=pci:144d:a808
	[ "$status" -eq 0 ]
	[ "$(action 0000:01:00.0)" = "refuse null" ]
	[ "$(action 0000:02:00.0)" = "refuse null" ]
	[[ $(reason 0000:02:00.0) == "mass storage selected only by ids while the image's boot-device list is missing or empty"* ]]
	# pci:0:0 names every endpoint: the same refusal, and the address claim still applies
	run eplan earlybind.claim=pci:0:0,0000:02:00.0
	[ "$(action 0000:01:00.0)" = "refuse null" ]
	[ "$(action 0000:02:00.0)" = "claim vfio-pci" ]
}

@test "a boot disk that moved slots: devices with its ids are refused when selected only by ids, while another entry is still present" {
	twin_nvme
	mkdir -p "$T/root/etc/earlybind"
	cat >"$T/root/etc/earlybind/boot-devices" <<'L'
# earlybind boot-devices: PHYSICAL-PATH VENDOR:DEVICE ADDRESS WHAT
pci0000:00/17.0 8086:a352 0000:00:17.0 fstab /home
pci0000:00/1c.4/00.0 144d:a808 0000:03:00.0 mount /
L
	run eplan vfio-pci.ids=144d:a808
	[ "$status" -eq 0 ]
	[ "$(action 0000:01:00.0)" = "refuse null" ]
	[ "$(action 0000:02:00.0)" = "refuse null" ]
	[[ $(reason 0000:01:00.0) == *"mount /"* ]]
	[[ $(reason 0000:01:00.0) == *"pci0000:00/1c.4/00.0"* ]]
	warnings | grep -q 'pci0000:00/1c.4/00.0 144d:a808 (mount /).* is not here'
	# by address the user says which one: claimed
	run eplan earlybind.claim=0000:02:00.0
	[ "$(action 0000:02:00.0)" = "claim vfio-pci" ]
	# the entry present (the SATA controller) is refused as a boot device, as before
	run eplan vfio-pci.ids=8086:a352
	[[ $(reason 0000:00:17.0) == "boot device: carries fstab /home"* ]]
}

# gpu_pair: an NVIDIA GPU (the boot VGA device, efifb in its BAR: the desktop's /proc/iomem read
# as a user) and its audio function in one IOMMU group
gpu_pair() {
	cat >"$T/spec" <<'S'
dev 0000:00:01.0 1022:1483 class=060400 bridge secondary=01 driver=pcieport group=1
dev 0000:01:00.0 10de:1b80 class=030000 driver=nvidia boot_vga=1 group=2
dev 0000:01:00.1 10de:10f0 class=040300 driver=snd_hda_intel group=2
S
	mktree s --spec "$T/spec"
	mkdir -p "$T/root/proc"
	: >"$T/root/proc/cmdline"
	cp "$REPO/tests/fixtures/iomem/desktop-nvidia-amdgpu-efifb-nonroot.txt" "$T/root/proc/iomem"
}

@test "a group companion is told what a claim is told: the boot VGA GPU taken with its audio function warns of the framebuffer and the console" {
	gpu_pair
	run eplan earlybind.claim=0000:01:00.0
	direct=$(warnings | grep -c '0000:01:00.0')
	[ "$direct" -eq 2 ]
	run eplan earlybind.claim=0000:01:00.1 earlybind.group=vfio-pci
	[ "$(action 0000:01:00.0)" = "claim vfio-pci" ]
	warnings | grep -q '^0000:01:00.0: the firmware framebuffer efifb .* lies in its BAR: vfio-pci removes it'
	warnings | grep -q '^0000:01:00.0 is the boot VGA device: the console goes dark when vfio-pci takes it'
	run eplan earlybind.claim=0000:01:00.1 earlybind.group=pci-stub
	[ "$(action 0000:01:00.0)" = "claim pci-stub" ]
	warnings | grep -q "^0000:01:00.0: the firmware framebuffer efifb .* nothing removes it for pci-stub"
}

@test "a group's viability: the table and the JSON agree on an unbound CardBus bridge member; status agrees with both on an ISA bridge bound to lpc_ich" {
	cat >"$T/spec" <<'S'
dev 0000:00:1e.0 8086:2448 class=060401 bridge secondary=02 driver=pcieport group=7
dev 0000:02:04.0 1180:0476 class=060700 hdr=2 group=7
dev 0000:02:05.0 1234:5678 class=020000 driver=e1000 group=7
dev 0000:00:1f.0 8086:a30e class=060100 driver=lpc_ich group=11
dev 0000:00:1f.3 8086:a348 class=040300 driver=vfio-pci override=vfio-pci group=11
S
	mktree s --spec "$T/spec"
	run "$EB" plan --sysfs "$T/s" $(cl earlybind.claim=0000:02:05.0,0000:00:1f.3)
	[[ $output == *"group 7: viable, members 0000:00:1e.0 0000:02:04.0 0000:02:05.0"* ]]
	[[ $output == *"group 11: NOT viable, members 0000:00:1f.0 0000:00:1f.3; blocked by 0000:00:1f.0 (lpc_ich)"* ]]
	run plan_json "$T/s" "earlybind.claim=0000:02:05.0,0000:00:1f.3"
	printf '%s' "$output" | jq -e '.groups[] | select(.group == 7) | .viable'
	printf '%s' "$output" | jq -e '.groups[] | select(.group == 11) | .viable == false'
	run "$EB" status --sysfs "$T/s" $(cl earlybind.claim=0000:02:05.0,0000:00:1f.3)
	[[ $output == *"vfio: /dev/vfio/11; group NOT viable now: blocked by 0000:00:1f.0 (lpc_ich)"* ]]
}

@test "two variants matching equally well: the table and the JSON warn alike, of the claimed device only" {
	mkdir -p "$T/mods"
	printf 'alias vfio_pci:v00008086d000010D3sv*sd*bc*sc*i* a_vfio_pci\nalias vfio_pci:v00008086d000010D3sv*sd*bc*sc*i* b_vfio_pci\n' >"$T/mods/modules.alias"
	mocked_machine
	run "$EB" plan --sysfs "$T/s" --root "$T/root" --moddir "$T/mods" $(cl earlybind.claim=0000:02:00.0 earlybind.group=vfio-pci)
	[ "$(grep -c 'equally well' <<<"$output")" -eq 1 ]
	[[ $output == *"0000:02:00.0: two vfio-pci variants match it equally well"* ]]
	run "$EB" plan --sysfs "$T/s" --root "$T/root" --moddir "$T/mods" --json $(cl earlybind.claim=0000:02:00.0 earlybind.group=vfio-pci)
	[ "$(warnings | grep -c 'equally well')" -eq 1 ]
	warnings | grep -q '^0000:02:00.0: two vfio-pci variants match it equally well'
}

@test "a non-VGA boot display (boot_display, kernels >= 6.18: an APU's class 0380) warns that the console goes dark" {
	cat >"$T/spec" <<'S'
dev 0000:00:08.1 1022:1635 class=060400 bridge secondary=05 driver=pcieport group=4
dev 0000:05:00.0 1002:1638 class=038000 driver=amdgpu boot_display=1 group=5
dev 0000:05:00.1 1002:1637 class=040300 driver=snd_hda_intel group=5
S
	mktree s --spec "$T/spec"
	run plan_json "$T/s" "earlybind.claim=0000:05:00.0"
	warnings | grep -q '^0000:05:00.0 is the boot display device (boot_display): the console goes dark when vfio-pci takes it'
}

@test "vfio-pci's denylist (Intel QAT, DSA, IAX): refused beforehand, naming vfio_pci.disable_denylist=1, which lets the claim through" {
	cat >"$T/spec" <<'S'
dev 0000:00:1c.0 8086:a190 class=060400 bridge secondary=3d driver=pcieport group=20
dev 0000:3d:00.0 8086:37c8 class=0b4000 driver=c6xx group=21
dev 0000:3d:01.0 8086:37c9 class=0b4000 group=22
S
	mktree s --spec "$T/spec"
	run plan_json "$T/s" "earlybind.claim=0000:3d:00.0,0000:3d:01.0"
	[ "$(action 0000:3d:00.0)" = "refuse null" ]
	[ "$(action 0000:3d:01.0)" = "refuse null" ]
	[[ $(reason 0000:3d:00.0) == *"vfio-pci's denylist"*"vfio_pci.disable_denylist=1"* ]]
	run plan_json "$T/s" "earlybind.claim=0000:3d:00.0 vfio_pci.disable_denylist=1"
	[ "$(action 0000:3d:00.0)" = "claim vfio-pci" ]
	# pci-stub has no denylist
	run plan_json "$T/s" "earlybind.claim=0000:3d:00.0=pci-stub"
	[ "$(action 0000:3d:00.0)" = "claim pci-stub" ]
}

@test "the keys where they meet: force alone, selectors matching nothing, an address claim and a later path claim, keep and claim of one device" {
	mocked_machine
	run plan_json "$T/s" "earlybind.force=0000:01:00.0"
	[ "$(action 0000:01:00.0)" = "none null" ]
	warnings | grep -q '^earlybind.force=0000:01:00.0: no selector claims 0000:01:00.0; force only lets a claim take a device the guard refuses'
	run plan_json "$T/s" "earlybind.claim=0000:00:09.0/00.0,pci:dead:beef earlybind.keep=0000:00:09.0/00.0,0000:07:00.0 earlybind.force=pci:dead:beef earlybind.sriov=0000:00:09.0/00.0:2"
	for w in "earlybind.claim=0000:00:09.0/00.0" "earlybind.claim=pci:dead:beef" "earlybind.keep=0000:00:09.0/00.0" \
		"earlybind.force=pci:dead:beef" "earlybind.sriov=0000:00:09.0/00.0:2"; do
		warnings | grep -qF "$w: no PCI device matches it" || { echo "no warning for $w"; warnings; false; }
	done
	warnings | grep -qF "earlybind.keep=0000:07:00.0: no PCI device at that address"
	# the last claim of a device wins, whatever its form, with a warning when the drivers differ
	run plan_json "$T/s" "earlybind.claim=0000:02:00.0=pci-stub earlybind.claim=0000:00:02.0/00.0"
	[ "$(action 0000:02:00.0)" = "claim vfio-pci" ]
	warnings | grep -q '^earlybind.claim=0000:02:00.0=pci-stub is overridden by the later earlybind.claim=0000:00:02.0/00.0'
	run plan_json "$T/s" "earlybind.claim=0000:00:02.0/00.0 earlybind.claim=0000:02:00.0=pci-stub"
	[ "$(action 0000:02:00.0)" = "claim pci-stub" ]
	# keep and claim of one device: kept, and said so
	run plan_json "$T/s" "earlybind.claim=0000:02:00.0 earlybind.keep=0000:02:00.0"
	[ "$(action 0000:02:00.0)" = "keep null" ]
	warnings | grep -q '^0000:02:00.0: earlybind.claim=0000:02:00.0 and earlybind.keep=0000:02:00.0 both name it: kept'
}

@test "already means on the very driver named: a device on a variant is claimed again for =vfio-pci; a refused companion is a companion" {
	mocked_machine "dev 0000:03:00.0 8086:10d3 driver=ebtest_vfio_pci override=ebtest_vfio_pci native=e1000e group=3"
	run plan_json "$T/s" "earlybind.claim=0000:03:00.0=vfio-pci"
	[ "$(action 0000:03:00.0)" = "claim vfio-pci" ]
	run plan_json "$T/s" "earlybind.claim=0000:03:00.0"
	[ "$(action 0000:03:00.0)" = "already vfio-pci" ]
	# a companion refused (an SR-IOV PF with VFs) is still a companion
	rm -rf "$T/s" && mocked_machine "dev 0000:02:00.1 8086:10d3 driver=e1000e group=2 sriov=2/8"
	run plan_json "$T/s" "earlybind.claim=0000:02:00.0 earlybind.group=vfio-pci"
	[ "$(action 0000:02:00.1)" = "refuse null" ]
	printf '%s' "$output" | jq -e '.devices[] | select(.address == "0000:02:00.1") | .companion'
}

@test "a group that can never be viable (a kept member) gets no companions, and the plan says why" {
	mocked_machine "dev 0000:02:00.1 8086:10d3 driver=e1000e group=2" "dev 0000:02:00.2 8086:1234 driver=e1000e group=2"
	run plan_json "$T/s" "earlybind.claim=0000:02:00.0 earlybind.group=vfio-pci earlybind.keep=0000:02:00.2"
	[ "$(action 0000:02:00.0)" = "claim vfio-pci" ]
	[ "$(action 0000:02:00.1)" = "none null" ]
	[ "$(action 0000:02:00.2)" = "keep null" ]
	warnings | grep -q '^IOMMU group 2 cannot be viable: 0000:02:00.2 stays with the host (kept); its other members are not claimed as companions'
}

@test "options a command does not take are usage errors; a finding and a problem are counted in the singular" {
	mocked_machine
	run "$EB" plan --sysfs "$T/s" --device 0000:01:00.0
	[ "$status" -eq 2 ]
	[[ $output == *"plan does not take --device"* ]]
	run "$EB" plan --sysfs "$T/s" --prometheus
	[ "$status" -eq 2 ]
	run "$EB" suggest --sysfs "$T/s" --dry-run 0000:01:00.0
	[ "$status" -eq 2 ]
	# one problem: the IOMMU is off
	mktree n --spec "$T/spec" --groups none
	run "$EB" doctor --sysfs "$T/n" --root "$T/root" --moddir "$MODDIR"
	[ "$status" -eq 1 ]
	[[ ${lines[-1]} =~ ^[0-9]+\ findings,\ 1\ problem$ ]]
}
