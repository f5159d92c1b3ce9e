#!/usr/bin/env bats
# boot-devices: / and /usr (mountinfo) through partitions, dm slaves and NVMe multipath to PCI.
load helpers

machine() {
	cat >"$T/spec" <<'S'
dev 0000:00:17.0 8086:a352 class=010601 driver=ahci group=1
dev 0000:00:1d.0 8086:a330 class=060400 bridge secondary=03 driver=pcieport group=2
dev 0000:03:00.0 144d:a808 class=010802 driver=nvme group=2
dev 0000:00:1c.0 8086:a338 class=060400 bridge secondary=05 driver=pcieport group=3
dev 0000:05:00.0 144d:a80a class=010802 driver=nvme group=3
dev 0000:00:1c.4 8086:a33c class=060400 bridge secondary=06 driver=pcieport group=4
dev 0000:06:00.0 144d:a80a class=010802 driver=nvme group=4
dev 0000:00:1c.5 8086:a33d class=060400 bridge secondary=07 driver=pcieport group=5
dev 0000:07:00.0 144d:a80a class=010802 driver=nvme group=5
S
	mktree s --spec "$T/spec"
	local s=$T/s d
	d=$s/devices/pci0000:00
	# SATA disk sda, partition sda2, under a dm device
	mkdir -p "$d/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0/block/sda/sda2" "$s/devices/virtual/block/dm-0/slaves" "$s/dev/block"
	echo 2 >"$d/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0/block/sda/sda2/partition"
	ln -s ../../../../pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0/block/sda/sda2 "$s/devices/virtual/block/dm-0/slaves/sda2"
	ln -s ../../devices/virtual/block/dm-0 "$s/dev/block/253:0"
	# plain NVMe with a partition
	mkdir -p "$d/0000:00:1d.0/0000:03:00.0/nvme/nvme0/nvme0n1/nvme0n1p1"
	echo 1 >"$d/0000:00:1d.0/0000:03:00.0/nvme/nvme0/nvme0n1/nvme0n1p1/partition"
	ln -s ../../devices/pci0000:00/0000:00:1d.0/0000:03:00.0/nvme/nvme0/nvme0n1/nvme0n1p1 "$s/dev/block/259:1"
	# NVMe multipath: the head under the subsystem, two controllers on two functions
	mkdir -p "$s/devices/virtual/nvme-subsystem/nvme-subsys1/nvme1n1" "$d/0000:00:1c.0/0000:05:00.0/nvme/nvme1" "$d/0000:00:1c.4/0000:06:00.0/nvme/nvme2"
	ln -s ../../../pci0000:00/0000:00:1c.0/0000:05:00.0/nvme/nvme1 "$s/devices/virtual/nvme-subsystem/nvme-subsys1/nvme1"
	ln -s ../../../pci0000:00/0000:00:1c.4/0000:06:00.0/nvme/nvme2 "$s/devices/virtual/nvme-subsystem/nvme-subsys1/nvme2"
	ln -s ../../devices/virtual/nvme-subsystem/nvme-subsys1/nvme1n1 "$s/dev/block/259:5"
	mkdir -p "$T/root/proc/self"
	cat >"$T/root/proc/self/mountinfo" <<'M'
22 1 253:0 / / rw,relatime shared:1 - ext4 /dev/mapper/vg-root rw
23 22 259:5 / /usr rw,relatime shared:2 - xfs /dev/nvme1n1 rw
24 22 259:1 / /boot rw,relatime shared:3 - vfat /dev/nvme0n1p1 rw
25 22 0:22 / /proc rw - proc proc rw
M
	: >"$T/cmdline"
}

@test "boot-devices follows dm slaves, partitions and NVMe multipath to PCI functions" {
	machine
	run "$EB" boot-devices --sysfs "$T/s" --root "$T/root" --cmdline "$T/cmdline"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "pci0000:00/17.0 8086:a352 0000:00:17.0 mount /" ]
	[ "${lines[1]}" = "pci0000:00/1c.0/00.0 144d:a80a 0000:05:00.0 mount /usr" ]
	[ "${lines[2]}" = "pci0000:00/1c.4/00.0 144d:a80a 0000:06:00.0 mount /usr" ]
	[ "${#lines[@]}" -eq 3 ]
}

@test "--write stores the list; apply refuses those by physical path, claims the third twin" {
	machine
	run "$EB" boot-devices --sysfs "$T/s" --root "$T/root" --cmdline "$T/cmdline" --write "$T/bootlist"
	[ "$status" -eq 0 ]
	head -n 1 "$T/bootlist" | grep -q '^#'
	echo "vfio-pci.ids=144d:a80a" >"$T/cmdline"
	run "$EB" plan --sysfs "$T/s" --cmdline "$T/cmdline" --boot-devices "$T/bootlist" --json
	[ "$(action 0000:05:00.0)" = "refuse null" ]
	[ "$(action 0000:06:00.0)" = "refuse null" ]
	[ "$(action 0000:07:00.0)" = "claim vfio-pci" ]
	printf '%s' "$output" | jq -e '.devices[] | select(.address == "0000:05:00.0") | .reason | test("boot device: carries mount /usr; earlybind.force=0000:05:00.0")'
}

@test "apply on a booted system resolves / itself (no recorded list)" {
	machine
	MODDIR=$(kernel_moddir)
	echo "vfio-pci.ids=8086:a352,144d:a808" >"$T/cmdline"
	run eb_mocked "$T/s" apply --cmdline "$T/cmdline" --dry-run
	echo "$output"
	[[ "$output" == *"0000:00:17.0 refused"* ]]
	[[ "$output" == *"0000:03:00.0 dry-run"* ]]
	# inside the initramfs, before the root is mounted and with no block device yet, and with no
	# recorded list: mass storage selected only by ids is refused; an address claim still applies
	mkdir -p "$T/root/etc" && touch "$T/root/etc/initrd-release"
	run eb_mocked "$T/s" apply --cmdline "$T/cmdline" --dry-run
	echo "$output"
	[[ "$output" == *"0000:00:17.0 refused"* ]]
	[[ "$output" == *"0000:03:00.0 refused"* ]]
	grep -q '0000:03:00.0 144d:a808: refused: mass storage selected only by ids while the image carries no boot-device list: it may carry the root; earlybind.claim=0000:03:00.0 claims it, or regenerate the image on this machine' "$T/kmsg"
	echo "vfio-pci.ids=8086:a352 earlybind.claim=0000:03:00.0" >"$T/cmdline"
	run eb_mocked "$T/s" apply --cmdline "$T/cmdline" --dry-run
	[[ "$output" == *"0000:00:17.0 refused"* ]]
	[[ "$output" == *"0000:03:00.0 dry-run"* ]]
}

@test "boot-devices --json, and root= that resolves to nothing is a warning" {
	machine
	echo "root=UUID=00000000-dead-beef-0000-000000000000" >"$T/cmdline"
	run "$EB" boot-devices --sysfs "$T/s" --root "$T/root" --cmdline "$T/cmdline" --json
	[ "$status" -eq 0 ]
	printf '%s' "$output" | jq -e '(.boot_devices | length) == 3 and (.boot_devices[0].physical_path == "pci0000:00/17.0")'
	printf '%s' "$output" | jq -e '.warnings | any(test("root=UUID=00000000-dead-beef-0000-000000000000: no such block device"))'
}
