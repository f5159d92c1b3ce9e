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

reason() {
	printf '%s' "$output" | jq -r --arg a "$1" '.devices[] | select(.address == $a) | .reason'
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
