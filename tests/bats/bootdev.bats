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
	grep -q '0000:03:00.0 144d:a808: refused: mass storage selected only by ids while the image.s boot-device list is missing or empty: it may carry the root; earlybind.claim=0000:03:00.0 claims it, or regenerate the image on this machine' "$T/kmsg"
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

# disks NAME...: a machine with a SATA controller (sda: sda1 sda2), five NVMe controllers
# (nvme0n1p1, nvme1n1, nvme2n1, nvme3n1, nvme4n1) and a NIC (enp8s0), each block device under
# class/block and dev/block
disks() {
	cat >"$T/spec" <<'S'
dev 0000:00:17.0 8086:a352 class=010601 driver=ahci group=1
dev 0000:03:00.0 144d:a808 class=010802 driver=nvme group=2
dev 0000:05:00.0 144d:a80a class=010802 driver=nvme group=3
dev 0000:06:00.0 144d:a80a class=010802 driver=nvme group=4
dev 0000:07:00.0 144d:a80a class=010802 driver=nvme group=5
dev 0000:09:00.0 144d:a80a class=010802 driver=nvme group=7
dev 0000:08:00.0 8086:10d3 class=020000 driver=e1000e group=6
S
	mktree s --spec "$T/spec"
	local s=$T/s n
	mkdir -p "$s/class/block" "$s/dev/block" "$s/class/net"
	fn() { realpath "$s/bus/pci/devices/$1"; }
	blk() { # blk NAME DIR MAJ:MIN [partition]
		mkdir -p "$2"
		[ -z "${4:-}" ] || echo "$4" >"$2/partition"
		ln -s "$(realpath --relative-to="$s/class/block" "$2")" "$s/class/block/$1"
		ln -s "$(realpath --relative-to="$s/dev/block" "$2")" "$s/dev/block/$3"
	}
	blk sda "$(fn 0000:00:17.0)/ata1/host0/target0:0:0/0:0:0:0/block/sda" 8:0
	blk sda1 "$(fn 0000:00:17.0)/ata1/host0/target0:0:0/0:0:0:0/block/sda/sda1" 8:1 1
	blk sda2 "$(fn 0000:00:17.0)/ata1/host0/target0:0:0/0:0:0:0/block/sda/sda2" 8:2 2
	blk nvme0n1 "$(fn 0000:03:00.0)/nvme/nvme0/nvme0n1" 259:0
	blk nvme0n1p1 "$(fn 0000:03:00.0)/nvme/nvme0/nvme0n1/nvme0n1p1" 259:1 1
	n=1
	for a in 05 06 07 09; do
		blk "nvme${n}n1" "$(fn "0000:$a:00.0")/nvme/nvme$n/nvme${n}n1" "259:$((n + 1))"
		n=$((n + 1))
	done
	mkdir -p "$(fn 0000:08:00.0)/net/enp8s0"
	ln -s "$(realpath --relative-to="$s/class/net" "$(fn 0000:08:00.0)/net/enp8s0")" "$s/class/net/enp8s0"
	ln -s ../.. "$(fn 0000:08:00.0)/net/enp8s0/device"
	mkdir -p "$T/root/proc/self" "$T/root/proc/net" "$T/root/etc" "$T/root/dev"
	: >"$T/cmdline"
}

bootdevs() {
	"$EB" boot-devices --sysfs "$T/s" --root "$T/root" --cmdline "$T/cmdline" "$@"
}

@test "fstab: what the boot waits for is boot-critical, nofail/noauto/automount entries are not; active swaps are" {
	disks
	cat >"$T/root/proc/self/mountinfo" <<'M'
22 1 8:2 / / rw,relatime shared:1 - ext4 /dev/sda2 rw
23 22 259:1 / /var rw,relatime shared:2 - xfs /dev/nvme0n1p1 rw
24 22 259:2 / /data rw,relatime shared:3 - ext4 /dev/nvme1n1 rw
25 22 259:3 / /media/usb rw,relatime shared:4 - ext4 /dev/nvme2n1 rw
26 22 0:22 / /proc rw - proc proc rw
M
	cp "$T/root/proc/self/mountinfo" "$T/mountinfo.all"
	cat >"$T/root/etc/fstab" <<'F'
# <file system> <mount point> <type> <options> <dump> <pass>
UUID=11111111-2222-3333-4444-555555555555 / ext4 errors=remount-ro 0 1
UUID=66666666-2222-3333-4444-555555555555 /var xfs defaults 0 2
/dev/nvme1n1 /data ext4 defaults,nofail 0 2
/dev/nvme2n1 /media/usb ext4 noauto,x-systemd.automount 0 0
proc /proc proc defaults 0 0
tmpfs /tmp tmpfs defaults 0 0
/dev/nvme4n1 none swap sw 0 0
F
	printf 'Filename\tType\tSize\tUsed\tPriority\n/dev/nvme3n1 partition\t8388604\t0\t-2\n' >"$T/root/proc/swaps"
	run bootdevs --json
	echo "$output"
	[ "$status" -eq 0 ]
	printf '%s' "$output" | jq -e '[.boot_devices[] | "\(.address) \(.what)"] ==
		["0000:00:17.0 mount /", "0000:03:00.0 fstab /var", "0000:09:00.0 fstab swap /dev/nvme4n1",
		 "0000:07:00.0 swap /dev/nvme3n1"]'
	printf '%s' "$output" | jq -e '.warnings == []'
	# plan and apply --dry-run on this booted system: the same refusals; the nofail and
	# automount disks are not boot-critical, but mounted: in use right now
	echo 'vfio-pci.ids=144d:a808,144d:a80a' >"$T/cmdline"
	run "$EB" plan --sysfs "$T/s" --root "$T/root" --cmdline "$T/cmdline" --json
	printf '%s' "$output" | jq -c '.devices[] | [.address, .action, .target, .reason]'
	[ "$(action 0000:03:00.0)" = "refuse null" ]
	[ "$(action 0000:05:00.0)" = "refuse null" ]
	[ "$(action 0000:06:00.0)" = "refuse null" ]
	printf '%s' "$output" | jq -e '.devices[] | select(.address == "0000:05:00.0") | .reason | startswith("in use: mount /data (nvme1n1)")'
	printf '%s' "$output" | jq -e '.devices[] | select(.address == "0000:06:00.0") | .reason | startswith("in use: mount /media/usb (nvme2n1)")'
	# unmounted, they are claimed: neither is boot-critical
	grep -v nvme "$T/root/proc/self/mountinfo" >"$T/mi" && cp "$T/mi" "$T/root/proc/self/mountinfo"
	run "$EB" plan --sysfs "$T/s" --root "$T/root" --cmdline "$T/cmdline" --json
	[ "$(action 0000:05:00.0)" = "claim vfio-pci" ]
	[ "$(action 0000:06:00.0)" = "claim vfio-pci" ]
	cp "$T/mountinfo.all" "$T/root/proc/self/mountinfo"
	run "$EB" plan --sysfs "$T/s" --root "$T/root" --cmdline "$T/cmdline" --json
	[ "$(action 0000:07:00.0)" = "refuse null" ]
	[ "$(action 0000:09:00.0)" = "refuse null" ]
	plan=$(printf '%s' "$output" | jq -r '.devices[] | select(.action == "claim" or .action == "refuse") | "\(.address) \(.action)"' | sort)
	MODDIR=$(kernel_moddir)
	run eb_mocked "$T/s" apply --cmdline "$T/cmdline" --dry-run
	echo "$output"
	dry=$(printf '%s\n' "$output" | awk '{print $1, ($2 == "dry-run" ? "claim" : ($2 == "refused" ? "refuse" : $2))}' | sort)
	[ "$plan" = "$dry" ]
	grep -q '0000:07:00.0 144d:a80a: refused: boot device: carries swap /dev/nvme3n1' "$T/kmsg"
}

@test "btrfs over two devices: both carry /" {
	disks
	echo '22 1 0:35 / / rw,relatime shared:1 - btrfs /dev/nvme1n1 rw,space_cache=v2' >"$T/root/proc/self/mountinfo"
	mkdir -p "$T/s/fs/btrfs/5e1f0c3a-aaaa-4c4c-9d2e-6b1b6a5e0b11/devices" "$T/s/fs/btrfs/0badf00d-bbbb-4c4c-9d2e-6b1b6a5e0b11/devices"
	ln -s ../../../../class/block/nvme1n1 "$T/s/fs/btrfs/5e1f0c3a-aaaa-4c4c-9d2e-6b1b6a5e0b11/devices/nvme1n1"
	ln -s ../../../../class/block/nvme2n1 "$T/s/fs/btrfs/5e1f0c3a-aaaa-4c4c-9d2e-6b1b6a5e0b11/devices/nvme2n1"
	ln -s ../../../../class/block/nvme3n1 "$T/s/fs/btrfs/0badf00d-bbbb-4c4c-9d2e-6b1b6a5e0b11/devices/nvme3n1"
	run bootdevs
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"0000:05:00.0 mount /"* ]]
	[[ "$output" == *"0000:06:00.0 mount /"* ]]
	[[ "$output" != *"0000:07:00.0"* ]]
}

@test "ZFS: the pool's members (a real zfs_member label, probed by libblkid) carry / and root=ZFS=" {
	disks
	# pool "tank" on nvme0n1p1; sda2 is no ZFS member
	xz -dc "$REPO/tests/fixtures/blkid/zfs.img.xz" | cp --sparse=always /dev/stdin "$T/root/dev/nvme0n1p1"
	head -c 1048576 /dev/zero >"$T/root/dev/sda2"
	echo '22 1 0:25 / / rw,relatime shared:1 - zfs tank/ROOT/pve-1 rw,xattr,noacl' >"$T/root/proc/self/mountinfo"
	run bootdevs --json
	echo "$output"
	[ "$status" -eq 0 ]
	printf '%s' "$output" | jq -e '[.boot_devices[] | "\(.address) \(.what)"] == ["0000:03:00.0 zfs pool tank (mount /)"]'
	# the command line alone says so too (the initramfs's view before anything is mounted)
	: >"$T/root/proc/self/mountinfo"
	echo 'root=ZFS=tank/ROOT/pve-1 boot=zfs' >"$T/cmdline"
	run bootdevs
	[[ "$output" == *"0000:03:00.0 zfs pool tank (root=ZFS=tank/ROOT/pve-1)"* ]]
	# a pool that has no member here is said loudly
	echo 'root=ZFS=rpool/ROOT/pve-1' >"$T/cmdline"
	run bootdevs
	[[ "$output" == *"root=ZFS=rpool/ROOT/pve-1: no member device of ZFS pool rpool found"* ]]
	[[ "$output" == *"no boot device found"* ]]
	# and the guard: ids matching the pool's disk are refused
	echo 'root=ZFS=tank/ROOT/pve-1 vfio-pci.ids=144d:a808' >"$T/cmdline"
	run "$EB" plan --sysfs "$T/s" --root "$T/root" --cmdline "$T/cmdline" --json
	printf '%s' "$output" | jq -e '.devices[] | select(.address == "0000:03:00.0") | .action == "refuse" and (.reason | test("carries zfs pool tank"))'
}

@test "network roots: the NIC that carries an NFS root, by route or by ip=...:IFACE, is boot-critical" {
	disks
	echo '22 1 0:40 / / rw,relatime shared:1 - nfs4 10.0.0.1:/srv/root rw,vers=4.2,addr=10.0.0.1' >"$T/root/proc/self/mountinfo"
	cat >"$T/root/proc/net/route" <<'R'
Iface	Destination	Gateway 	Flags	RefCnt	Use	Metric	Mask		MTU	Window	IRTT
enp8s0	00000000	FE00000A	0003	0	0	0	00000000	0	0	0
enp8s0	0000000A	00000000	0001	0	0	0	00FFFFFF	0	0	0
R
	run bootdevs --json
	echo "$output"
	printf '%s' "$output" | jq -e '[.boot_devices[] | "\(.address) \(.what)"] == ["0000:08:00.0 mount /"]'
	# the initramfs's view: root=/dev/nfs with ip= naming the interface, no route yet
	: >"$T/root/proc/self/mountinfo"
	: >"$T/root/proc/net/route"
	echo 'root=/dev/nfs nfsroot=10.0.0.1:/srv/root ip=10.0.0.5:10.0.0.1:10.0.0.254:255.255.255.0:host:enp8s0:off' >"$T/cmdline"
	run bootdevs
	[[ "$output" == *"0000:08:00.0 netroot (root=/dev/nfs)"* ]]
	echo 'netroot=iscsi:10.0.0.1::::iqn.2024-01.org.example:root ip=enp8s0:dhcp' >"$T/cmdline"
	run bootdevs
	[[ "$output" == *"0000:08:00.0 netroot (netroot=iscsi:10.0.0.1::::iqn.2024-01.org.example:root)"* ]]
}

@test "a boot-critical mount that resolves to nothing is a loud warning, never an empty success" {
	disks
	echo '22 1 0:50 / / rw,relatime shared:1 - overlay overlay rw,lowerdir=/a,upperdir=/b' >"$T/root/proc/self/mountinfo"
	run bootdevs --json
	echo "$output"
	[ "$status" -eq 0 ]
	printf '%s' "$output" | jq -e '.boot_devices == []'
	printf '%s' "$output" | jq -e '.warnings | any(test("mount / \\(overlay overlay\\) resolves to no PCI device"))'
	printf '%s' "$output" | jq -e '.warnings | any(test("no boot device found"))'
	run "$EB" boot-devices --sysfs "$T/s" --root "$T/root" --cmdline "$T/cmdline"
	[[ "$output" == *"earlybind: warning: no boot device found"* ]]
}

@test "in the initramfs: a list that matches nothing here falls back; a mounted /sysroot is resolved then and there" {
	disks
	MODDIR=$(kernel_moddir)
	touch "$T/root/etc/initrd-release"
	: >"$T/root/proc/self/mountinfo"
	rm -rf "$T/s/class/block" && mkdir "$T/s/class/block" # no disk driver bound yet
	# a list from another machine (a generic image built elsewhere)
	mkdir -p "$T/root/etc/earlybind"
	echo 'pci0000:00/1d.0/00.0 1b4b:9230 0000:04:00.0 mount /' >"$T/root/etc/earlybind/boot-devices"
	echo 'vfio-pci.ids=144d:a80a earlybind.claim=0000:08:00.0' >"$T/cmdline"
	run eb_mocked "$T/s" apply --cmdline "$T/cmdline" --dry-run
	echo "$output"
	[[ "$output" == *"0000:05:00.0 refused"* ]]
	[[ "$output" == *"0000:08:00.0 dry-run"* ]]
	grep -q 'refused: mass storage selected only by ids while none of the image.s boot devices is present here' "$T/kmsg"
	# this machine's own list: trusted, the others claimed
	echo "pci0000:05/00.0 144d:a80a 0000:05:00.0 mount /" >"$T/root/etc/earlybind/boot-devices"
	run eb_mocked "$T/s" apply --cmdline "$T/cmdline" --dry-run
	[[ "$output" == *"0000:05:00.0 refused"* ]]
	[[ "$output" == *"0000:06:00.0 dry-run"* ]]
	# late: the root is mounted on /sysroot (from nvme2n1): resolved now, no list needed
	rm "$T/root/etc/earlybind/boot-devices"
	rm -rf "$T/s" && disks && touch "$T/root/etc/initrd-release"
	echo '30 1 259:3 / /sysroot rw,relatime - ext4 /dev/nvme2n1 rw' >"$T/root/proc/self/mountinfo"
	echo 'vfio-pci.ids=144d:a80a' >"$T/cmdline"
	run eb_mocked "$T/s" apply --cmdline "$T/cmdline" --dry-run
	echo "$output"
	[[ "$output" == *"0000:06:00.0 refused"* ]]
	[[ "$output" == *"0000:05:00.0 dry-run"* ]]
	grep -q '0000:06:00.0 144d:a80a: refused: boot device: carries mount /' "$T/kmsg"
}
