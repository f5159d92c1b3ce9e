#!/usr/bin/env bash
# Shared by tests/boot/run and tests/boot/demo: the Debian kernel, the dracut module tree with
# earlybind installed by `make install`, image builds, the emulated machine and one boot.
# Callers set REPO, EB, WORK (and TIMEOUT) and call boot_setup (dracut) or set K, KVER, VMLINUZ.

die() {
	echo "boot: $*" >&2
	echo "0 passed, 1 failed"
	exit 1
}

boot_setup() {
	[ -x "$EB" ] || die "no binary at $EB"
	command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 is missing (make setup)"
	command -v dracut >/dev/null || die "dracut is missing (make setup)"
	# BOOT_SUITE: another Debian suite's kernel (trixie: 6.12, sid: 7.x), unpacked the same way;
	# BOOT_KERNEL=builtin: the kernel built from Debian's source with vfio-pci and pci-stub built in
	if [ "${BOOT_KERNEL:-}" = builtin ]; then
		K=$("$REPO/tests/kernel/build.sh") || die "cannot build the kernel with vfio-pci built in"
	else
		K=$("$REPO/tests/fetch-kernel.sh" ${BOOT_SUITE:+"$BOOT_SUITE"}) || die "cannot fetch the ${BOOT_SUITE:-default} kernel"
	fi
	KVER=$(ls "$K/lib/modules")
	VMLINUZ=$K/boot/vmlinuz-$KVER
	rm -rf "$WORK"
	mkdir -p "$WORK" "$WORK/noconf"
	# The module tree dracut uses: a copy of the system's with ours installed by `make install`.
	make -s -C "$REPO" install DESTDIR="$WORK/stage" >/dev/null || die "make install failed"
	cp -a /usr/lib/dracut "$WORK/dracut"
	cp -a "$WORK/stage/usr/lib/dracut/modules.d/50earlybind" "$WORK/dracut/modules.d/"
	cp -a "$REPO/tests/boot/ebtest" "$WORK/dracut/modules.d/99ebtest"
	cp "$EB" "$WORK/stage/usr/bin/earlybind"
}

# pick_accel IMAGE: kvm when a short probe boot of IMAGE under KVM reports, else tcg
# (or $BOOT_ACCEL).
pick_accel() {
	if [ -n "${BOOT_ACCEL:-}" ]; then
		ACCEL=$BOOT_ACCEL
		return
	fi
	ACCEL=tcg
	if [ -w /dev/kvm ]; then
		ACCEL=kvm
		(TIMEOUT=30 boot kvmprobe "$1" "earlybind=0" iommu) 2>/dev/null
		grep -q '^EBTEST-END' "$WORK/kvmprobe.clean" || ACCEL=tcg
	fi
}

COMPETING="e1000e e1000 virtio_net virtio_pci virtio_blk snd_hda_intel xhci_pci bochs ahci nvme"

# The competing drivers this kernel has as modules (7.x builds virtio_pci in, for one):
# dracut-install gives up on the whole --add-drivers list at the first it cannot find.
competing() {
	local m f
	for m in $COMPETING; do
		f=$(modinfo -b "$K" -k "$KVER" -F filename "$m" 2>/dev/null | head -n 1)
		case $f in
		"" | "(builtin)") ;;
		*) printf '%s ' "$m" ;;
		esac
	done
}

# build_image NAME MODULES [dracut args...] (KMODDIR: another module tree for the kernel)
build_image() {
	local name=$1 mods=$2
	shift 2
	echo "# building $name.img (dracut ${mods:+-m \"$mods\"})"
	if ! EARLYBIND_BIN="$WORK/stage/usr/bin/earlybind" dracutbasedir="$WORK/dracut" \
		dracut --force --quiet --no-hostonly --no-hostonly-cmdline --no-compress \
		--conf /dev/null --confdir "$WORK/noconf" \
		--kver "$KVER" --kmoddir "${KMODDIR:-$K/lib/modules/$KVER}" \
		${mods:+-m "$mods"} --add-drivers "$(competing)" "$@" "$WORK/$name.img" >"$WORK/$name.dracut.log" 2>&1; then
		tail -n 30 "$WORK/$name.dracut.log"
		return 1
	fi
}

# The emulated machine. Bus numbers follow the root ports in slot order:
#   01:00.0 e1000e (twin A)       02:00.0 e1000e (twin B)
#   03:00.0 VGA + 03:00.1 HDA (one multi-function slot, one IOMMU group)
#   04: the empty root port 00:09.0   05:00.0 virtio-blk behind 00:0b.0 (only with a disk)
#   00:07.0 e1000   00:08.0 virtio-net   00:0a.0 qemu-xhci
machine_args() {
	local iommu=$1
	[ "$iommu" = iommu ] && echo "-device intel-iommu,intremap=off"
	cat <<-EOF
	-device pcie-root-port,id=rp1,bus=pcie.0,addr=0x4,chassis=1
	-device pcie-root-port,id=rp2,bus=pcie.0,addr=0x5,chassis=2
	-device pcie-root-port,id=rp3,bus=pcie.0,addr=0x6,chassis=3
	-device pcie-root-port,id=rp4,bus=pcie.0,addr=0x9,chassis=4
	-netdev user,id=n1,restrict=on -device e1000e,netdev=n1,bus=rp1
	-netdev user,id=n2,restrict=on -device e1000e,netdev=n2,bus=rp2
	-device VGA,bus=rp3,addr=0x0.0,multifunction=on -device ich9-intel-hda,bus=rp3,addr=0x0.1
	-netdev user,id=n3,restrict=on -device e1000,netdev=n3,bus=pcie.0,addr=0x7
	-netdev user,id=n4,restrict=on -device virtio-net-pci,netdev=n4,bus=pcie.0,addr=0x8
	-device qemu-xhci,bus=pcie.0,addr=0xa
	EOF
}

# boot NAME IMAGE "KERNEL ARGS" [iommu|noiommu] [qemu args...] -> $WORK/NAME.log
boot() {
	local name=$1 img=$2 append=$3 iommu=${4:-iommu}
	shift 4 2>/dev/null || shift $#
	local accel=$ACCEL
	# shellcheck disable=SC2046
	timeout "$TIMEOUT" qemu-system-x86_64 -machine "q35,accel=$accel" -cpu max -m 768 -smp 1 \
		-nodefaults -nographic -no-reboot -vga none -monitor none \
		-serial "file:$WORK/$name.log" \
		-kernel "$VMLINUZ" -initrd "$WORK/$img.img" \
		-append "console=ttyS0 loglevel=7 panic=-1 no_timer_check rd.shell=0 rd.emergency=poweroff rd.retry=5 $append" \
		$(machine_args "$iommu") "$@" </dev/null >"$WORK/$name.qemu.log" 2>&1
	tr -d '\r' <"$WORK/$name.log" >"$WORK/$name.clean"
	grep '^EBTEST dev ' "$WORK/$name.clean" | awk '{print $3, $4, $6, $7, $8}' >"$WORK/$name.devs"
}


passed=0
failed=0
n=0

# Assertions on the last boot's report; each failure is remembered for the scenario.
errors=""
checked=""
note() {
	checked="$checked
#   checked: $*"
}
fail() {
	errors="$errors
    $*"
}
reported() {
	note "$1: the guest reported at the end of the initramfs"
	grep -q '^EBTEST-END' "$WORK/$1.clean" || fail "$1: the guest never reported (see $WORK/$1.log)"
	# earlybind's own time in the initramfs, from its kmsg lines: the planning time its summary
	# states, then summary to last line (loading modules and claiming)
	awk '/\] earlybind: [0-9]+ PCI functions: / && !t0 { t0 = substr($0, 2, index($0, "]") - 2) + 0;
			match($0, /planned in [0-9.]+ ms/); p = substr($0, RSTART + 11, RLENGTH - 14) }
		t0 && /\] earlybind: / { t1 = substr($0, 2, index($0, "]") - 2) + 0 }
		/^EBTEST-BEGIN/ { exit }
		END { if (t0) printf "# %s: earlybind in the initramfs: planned in %s ms, applied in %.1f ms (kmsg)\n", name, p, (t1 - t0) * 1000 }' \
		name="$1" "$WORK/$1.clean"
}
# expect NAME ADDRESS DRIVER [OVERRIDE]
expect() {
	local got
	note "$1: $2 on $3${4:+ (override $4)}"
	got=$(awk -v a="$2" '$1 == a {print $3 " " $4}' "$WORK/$1.devs")
	[ -n "$got" ] || { fail "$1: $2 not reported"; return; }
	[ "${got%% *}" = "$3" ] || fail "$1: $2 on ${got%% *}, expected $3"
	if [ $# -ge 4 ]; then
		[ "${got#* }" = "$4" ] || fail "$1: $2 override ${got#* }, expected $4"
	fi
}
# the devices no scenario touches keep their default drivers
untouched() {
	expect "$1" 0000:00:07.0 e1000 "(null)"
	expect "$1" 0000:00:08.0 virtio-pci "(null)"
	expect "$1" 0000:00:0a.0 xhci_hcd "(null)"
}
log_has() {
	note "$1: console shows /$2/"
	grep -qE "$2" "$WORK/$1.clean" || fail "$1: the console lacks /$2/"
}
log_lacks() {
	note "$1: console lacks /$2/"
	! grep -qE "$2" "$WORK/$1.clean" || fail "$1: the console has /$2/"
}

scenario() {
	local name=$1
	shift
	if [ -n "${BOOT_ONLY:-}" ] && ! [[ $name =~ $BOOT_ONLY ]]; then
		return
	fi
	n=$((n + 1))
	errors=""
	checked=""
	local t0=$SECONDS
	"$@"
	if [ -z "$errors" ]; then
		passed=$((passed + 1))
		echo "ok $n - $name ($((SECONDS - t0)) s)$checked"
	else
		failed=$((failed + 1))
		echo "not ok $n - $name ($((SECONDS - t0)) s)$errors$checked"
	fi
}

# ---- a root disk (ext4 on virtio-blk behind root port 00:0b.0) ----
ROOT_UUID=3f0c5a52-4c77-4c4c-9d2e-6b1b6a5e0b11
make_disk() {
	[ -f "$WORK/root.img" ] && return
	# dracut mounts only a usable root: /proc, /sys, /dev (or an init) must be there
	mkdir -p "$WORK/rootfs/etc" "$WORK/rootfs/sbin" "$WORK/rootfs/proc" "$WORK/rootfs/sys" "$WORK/rootfs/dev"
	echo "earlybind test root" >"$WORK/rootfs/etc/hostname"
	truncate -s 32M "$WORK/root.img"
	mkfs.ext4 -q -F -U "$ROOT_UUID" -d "$WORK/rootfs" "$WORK/root.img"
}
# shellcheck disable=SC2034 # used by the callers
DISK_ARGS="-device pcie-root-port,id=rp5,bus=pcie.0,addr=0xb,chassis=5 -drive file=__IMG__,if=none,id=d0,format=raw -device virtio-blk-pci,drive=d0,bus=rp5"

# host_root_in IMAGE LIST: the list names the PCI functions under / on this host. The expectation
# is found without earlybind: the disks under / (findmnt, lsblk) and the PCI function each one
# hangs off (sysfs).
host_root_in() {
	local img=$1 list=$2 want=0 addr dev disk
	head -n 1 "$list" | grep -q '^# earlybind boot-devices' || fail "the $img image has no boot-device list"
	for disk in $(lsblk -sno NAME,TYPE "$(findmnt -no SOURCE /)" 2>/dev/null | awk '$2 == "disk" {print $1}' |
		sed 's/^[^[:alnum:]]*//' | sort -u); do
		addr=$(readlink -f "/sys/class/block/$disk/device" | grep -oE '[0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]' | tail -n 1)
		[ -n "$addr" ] || continue
		dev=$(sed 's/^0x//' "/sys/bus/pci/devices/$addr/vendor"):$(sed 's/^0x//' "/sys/bus/pci/devices/$addr/device")
		want=$((want + 1))
		note "the $img image records $addr ($dev), the PCI function under / ($disk)"
		grep -qE "^[^#][^ ]* $dev $addr .*mount /" "$list" ||
			fail "the $img list lacks $addr $dev (the disk $disk under /): $(grep -v '^#' "$list")"
	done
	note "the build host's / hangs off $want PCI function(s)"
	[ "$want" -gt 0 ] || fail "the test could not find the PCI function under / on this host"
}
