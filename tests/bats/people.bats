#!/usr/bin/env bats
# For the people who use it: suggest, doctor, help, man pages, the reference, the vfio rule.
load helpers

@test "suggest: unique ids for the GPU, its audio function from the IOMMU group, a boot-VGA warning" {
	mktree x --lspci "$(dump pve-x570-aorus-master-rtx3090ti-vfio-pci)" --driver 0000:0b:00.0=nvidia --driver 0000:0b:00.1=snd_hda_intel
	run "$EB" suggest --sysfs "$T/x" 0b:00.0
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "vfio-pci.ids=10de:2203,10de:1aef" ]
	[[ "$output" == *"0000:0b:00.1 10de:1aef: ids unique on this machine, IOMMU-group companion of 0000:0b:00.0"* ]]
	[[ "$output" == *"warning: 0000:0b:00.0 is the boot VGA device"* ]]
	# and the suggestion, fed back, claims exactly those two and makes the group viable
	echo "${lines[0]}" >"$T/c"
	run "$EB" plan --sysfs "$T/x" --cmdline "$T/c" --json
	[ "$(printf '%s' "$output" | jq '[.devices[] | select(.action == "claim")] | length')" -eq 2 ]
	printf '%s' "$output" | jq -e '.groups[] | select(.group == 27) | .viable'
}

@test "suggest: identical twins get path claims with the @ check; subsystem ids when they decide" {
	mktree m --lspci "$(dump mining-h110-btc-multi-gpu)"
	run "$EB" suggest --sysfs "$T/m" --json 08:00.0
	[ "$status" -eq 0 ]
	# behind bridges: the kernel's path form, which survives bus renumbering, with the @ pin
	printf '%s' "$output" | jq -e '.words == "earlybind.claim=0000:00:1d.1/00.0/03.0/00.0@10de:2486,0000:00:1d.1/00.0/03.0/00.1@10de:228b"'
	# and the words name exactly those two functions
	printf '%s' "$output" | jq -r .words >"$T/words"
	run "$EB" plan --sysfs "$T/m" --cmdline "$T/words" --json
	[ "$(printf '%s' "$output" | jq -r '[.devices[] | select(.action == "claim") | .address] | join(" ")')" = "0000:08:00.0 0000:08:00.1" ]
	# the 3070's audio function: its ids are shared, its subsystem ids are not; the 3070 itself
	# (unique ids) is its IOMMU-group companion
	run "$EB" suggest --sysfs "$T/m" --json 07:00.1
	printf '%s' "$output" | jq -e '.words == "vfio-pci.ids=10de:228b:1458:404d,10de:2484"'
}

@test "suggest: storage in the group and an IOMMU that is off are warned about" {
	mktree l --lspci "$(dump laptop-legion5-ryzen-hybrid-rtx3060-iommu)"
	run "$EB" suggest --sysfs "$T/l" --json 05:00.0
	printf '%s' "$output" | jq -e '.warnings | any(test("IOMMU group 6 of 0000:05:00.0 also holds 0000:06:00.0, a storage controller"))'
	printf '%s' "$output" | jq -e '[.devices[].address] | index("0000:06:00.0") == null'
	mktree n --lspci "$(dump mining-h110-btc-multi-gpu)" --groups none
	run "$EB" suggest --sysfs "$T/n" --json 01:00.0
	printf '%s' "$output" | jq -e '.iommu == false and (.warnings | any(test("the IOMMU is off")))'
	run "$EB" suggest --sysfs "$T/n" 99:99.9
	[ "$status" -eq 2 ]
}

doctor_host() {
	mktree x --lspci "$(dump pve-x570-aorus-master-rtx3090ti-vfio-pci)" --driver 0000:0b:00.0=nvidia --driver 0000:0b:00.1=snd_hda_intel
	mkdir -p "$T/root/etc/modprobe.d" "$T/root/etc/driverctl.d" "$T/root/proc" "$T/img/usr/bin"
	echo 'options vfio-pci ids=10de:2203' >"$T/root/etc/modprobe.d/vfio.conf"
	printf 'softdep nvidia pre: vfio-pci\nblacklist nouveau\n' >"$T/root/etc/modprobe.d/old.conf"
	echo vfio-pci >"$T/root/etc/driverctl.d/pci-0000:0b:00.0"
	echo 'BOOT_IMAGE=/vmlinuz root=/dev/nvme0n1p2 quiet' >"$T/root/proc/cmdline"
	echo 'vfio-pci.ids=10de:2203' >"$T/c"
	echo hello >"$T/img/usr/bin/true-not-earlybind"
	(cd "$T/img" && find . | cpio -o -H newc 2>/dev/null) >"$T/initrd.img"
}

@test "doctor: names every problem on a half-configured host, each with its fix" {
	doctor_host
	run "$EB" doctor --sysfs "$T/x" --root "$T/root" --cmdline "$T/c" --initramfs "$T/initrd.img"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"[problem] IOMMU group 27 is not viable: 0000:0b:00.1 (snd_hda_intel)"* ]]
	[[ "$output" == *"a generic (non-hostonly) dracut image does not carry this file"* ]]
	[[ "$output" == *'"softdep nvidia pre: vfio-pci": a softdep workaround'* ]]
	[[ "$output" == *'"blacklist nouveau": a blacklist also takes the driver'* ]]
	[[ "$output" == *"0000:0b:00.0 has a driverctl override"* ]]
	[[ "$output" == *"0000:0b:00.0 is the boot VGA device and is selected"* ]]
	[[ "$output" == *"does not carry earlybind: nothing is claimed at boot"* ]]
	[ "$(printf '%s\n' "$output" | grep -c '^          fix: ')" -ge 7 ]
}

@test "doctor: IOMMU off, SR-IOV PF with VFs, lost claims; --json; a healthy host passes" {
	mktree s --lspci "$(dump pve-xeon-e2300-x710-nvme)" --groups none
	pf=$(cd "$T/s/bus/pci/devices" && for d in *; do [ -e "$d/sriov_numvfs" ] && echo "$d" && break; done)
	echo 8 >"$T/s/bus/pci/devices/$pf/sriov_numvfs"
	mkdir -p "$T/root/proc" "$T/root/run/earlybind"
	echo 'quiet' >"$T/root/proc/cmdline"
	printf '0000:01:00.0\tclaimed\tvfio-pci\tnvme\tvfio-pci\t-\n' >"$T/root/run/earlybind/results"
	echo "earlybind.claim=$pf" >"$T/c"
	run "$EB" doctor --sysfs "$T/s" --root "$T/root" --cmdline "$T/c" --initramfs /nonexistent --json
	[ "$status" -eq 1 ]
	printf '%s' "$output" | jq -e '.findings | any(.finding | test("the IOMMU is off"))'
	printf '%s' "$output" | jq -e '.findings | any(.finding | test("SR-IOV PF with 8 VFs enabled"))'
	printf '%s' "$output" | jq -e '.findings | any(.finding | test("0000:01:00.0: claimed for vfio-pci at boot, now on nvme"))'
	printf '%s' "$output" | jq -e '.problems >= 3 and (.findings | all(.severity | IN("ok","note","problem")))'
	# healthy: IOMMU on, the GPU and its audio claimed and viable, the image carries earlybind
	mktree h --lspci "$(dump pve-x570-aorus-master-rtx3090ti-vfio-pci)"
	mkdir -p "$T/img2/usr/bin" "$T/root2/proc" && cp "$EB" "$T/img2/usr/bin/earlybind"
	(cd "$T/img2" && find . | cpio -o -H newc 2>/dev/null) >"$T/ok.img"
	echo 'intel_iommu=on' >"$T/root2/proc/cmdline"
	echo 'vfio-pci.ids=10de:2203,10de:1aef' >"$T/c2"
	run "$EB" doctor --sysfs "$T/h" --root "$T/root2" --cmdline "$T/c2" --initramfs "$T/ok.img"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"[ok]      the initramfs $T/ok.img carries earlybind"* ]]
}

@test "doctor on initramfs-tools hosts: lsinitramfs lists initrd.img-*; a tool that fails is 'could not inspect', never 'missing'" {
	mktree h --lspci "$(dump pve-x570-aorus-master-rtx3090ti-vfio-pci)"
	mkdir -p "$T/bin" "$T/root/proc"
	echo 'intel_iommu=on' >"$T/root/proc/cmdline"
	echo 'vfio-pci.ids=10de:2203,10de:1aef' >"$T/c"
	: >"$T/initrd.img-6.1.0-57-amd64"
	# dracut's lsinitrd cannot read an initramfs-tools image (exit 1); lsinitramfs lists it
	printf '#!/bin/sh\nexit 1\n' >"$T/bin/lsinitrd"
	printf '#!/bin/sh\n[ "$2" = "%s" ] || exit 2\necho usr\necho usr/bin\necho usr/bin/earlybind\n' \
		"$T/initrd.img-6.1.0-57-amd64" >"$T/bin/lsinitramfs"
	chmod +x "$T/bin/lsinitrd" "$T/bin/lsinitramfs"
	run env PATH="$T/bin" "$EB" doctor --sysfs "$T/h" --root "$T/root" --cmdline "$T/c" \
		--initramfs "$T/initrd.img-6.1.0-57-amd64"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"[ok]      the initramfs $T/initrd.img-6.1.0-57-amd64 carries earlybind"* ]]
	# no tool can list it: its own finding, not a false "does not carry earlybind"
	rm "$T/bin/lsinitramfs"
	run env PATH="$T/bin" "$EB" doctor --sysfs "$T/h" --root "$T/root" --cmdline "$T/c" \
		--initramfs "$T/initrd.img-6.1.0-57-amd64"
	echo "$output"
	[[ "$output" == *"could not inspect the initramfs $T/initrd.img-6.1.0-57-amd64: lsinitramfs is not installed; lsinitrd failed (exit 1)"* ]]
	[[ "$output" != *"does not carry earlybind"* ]]
	# a quoted or comma-separated IOMMU option is still an IOMMU option (the one parser)
	mktree n --lspci "$(dump pve-x570-aorus-master-rtx3090ti-vfio-pci)" --groups none
	echo 'quiet "intel_iommu=sm_on,on" x' >"$T/root/proc/cmdline"
	run "$EB" doctor --sysfs "$T/n" --root "$T/root" --cmdline "$T/c" --initramfs /nonexistent
	[[ "$output" == *"the IOMMU is off although the command line asks for it"* ]]
}

@test "--help for every command, --version" {
	for c in plan status apply release check boot-devices suggest doctor; do
		run "$EB" "$c" --help
		[ "$status" -eq 0 ]
		[[ "${lines[0]}" == "Usage: earlybind $c"* ]]
		"$EB" --help | grep -q "^  $c"
	done
	run "$EB" --version
	[ "$output" = "earlybind 0.1" ]
}

# The commands and keys the code knows, read from the code itself.
code_commands() {
	grep -ozE '\{[[:space:]]*"[a-z-]+",[[:space:]]*cmd_' "$REPO/src/commands.c" | tr '\0' '\n' |
		sed -n 's/.*"\([a-z-]*\)".*/\1/p'
}
code_keys() {
	grep -oE 'cmdline_key_eq\(k?e?y?,? ?"(earlybind[a-z.]*|vfio[-_a-z.]*|pci-stub[a-z.]*)"' "$REPO/src/rules.c" |
		sed 's/.*"\(.*\)"/\1/' | sort -u
}

@test "every command and key in the code is in both man pages' reach, the reference and --help" {
	[ "$(code_commands | wc -l)" -ge 8 ]
	[ "$(code_keys | wc -l)" -ge 8 ]
	man -l "$REPO/man/earlybind.8" >"$T/m8" 2>/dev/null
	man -l "$REPO/man/earlybind.cmdline.7" >"$T/m7" 2>/dev/null
	[ -s "$T/m8" ] && [ -s "$T/m7" ]
	for c in $(code_commands); do
		grep -q "earlybind $c\|^       $c" "$T/m8" || { echo "command $c missing from earlybind(8)"; false; }
	done
	"$EB" --help >"$T/help"
	for k in $(code_keys); do
		grep -qF -- "$k" "$T/m7" || { echo "key $k missing from earlybind.cmdline(7)"; false; }
		case $k in earlybind*) grep -qF -- "$k" "$T/help" || { echo "key $k missing from --help"; false; } ;; esac
		grep -qF -- "$k" "$REPO/kernel-cmdline/README.md" || { echo "key $k missing from kernel-cmdline/"; false; }
		grep -qF -- "$k" "$REPO/README.md" || { echo "key $k missing from README"; false; }
	done
}

@test "make install puts the man pages, both udev rules (vfio group configurable) in place" {
	make -s -C "$REPO" install DESTDIR="$T/d" VFIO_GROUP=libvirt-qemu >/dev/null
	[ -f "$T/d/usr/share/man/man8/earlybind.8" ]
	[ -f "$T/d/usr/share/man/man7/earlybind.cmdline.7" ]
	grep -q '^SUBSYSTEM=="vfio", KERNEL!="vfio", GROUP="libvirt-qemu", MODE="0660"$' "$T/d/usr/lib/udev/rules.d/91-earlybind-vfio.rules"
	# the cdev/iommufd nodes too (/dev/vfio/devices/vfioN, /dev/iommu)
	grep -q '^SUBSYSTEM=="vfio-dev", KERNEL=="vfio\[0-9\]\*", GROUP="libvirt-qemu", MODE="0660"$' "$T/d/usr/lib/udev/rules.d/91-earlybind-vfio.rules"
	grep -q '^SUBSYSTEM=="misc", KERNEL=="iommu", GROUP="libvirt-qemu", MODE="0660"$' "$T/d/usr/lib/udev/rules.d/91-earlybind-vfio.rules"
	make -s -C "$REPO" install DESTDIR="$T/e" >/dev/null
	grep -q 'GROUP="kvm"' "$T/e/usr/lib/udev/rules.d/91-earlybind-vfio.rules"
}
