#!/usr/bin/env bats
# Firmware framebuffers (BOOTFB, efifb, vesafb, simplefb, simpledrm) in a claimed device's BAR, read from
# /proc/iomem of real machines (tests/fixtures/iomem, see SOURCES.md), and the boot VGA device.
load helpers

IOMEM=$REPO/tests/fixtures/iomem

# fbtree FIXTURE SPEC-LINES...: the tree $T/s from the spec lines; a root $T/root whose
# /proc/iomem is the fixture
fbtree() {
	local fix=$1
	shift
	printf '%s\n' "$@" >"$T/spec"
	rm -rf "$T/s" "$T/root"
	mktree s --spec "$T/spec"
	mkdir -p "$T/root/proc"
	: >"$T/root/proc/cmdline"
	cp "$IOMEM/$fix.txt" "$T/root/proc/iomem"
}

# plan_fb WORDS...: `plan --json` on $T/s with root $T/root and the words as the command line
plan_fb() {
	"$EB" plan --sysfs "$T/s" --root "$T/root" --json $(cl "$@")
}

# the server's BMC VGA behind two bridges (tests/fixtures/iomem/server-xeon-...)
bmc_tree() {
	fbtree server-xeon-efifb-behind-bridges \
		"dev 0000:00:1c.0 8086:a190 class=060400 bridge secondary=01 driver=pcieport group=20" \
		"dev 0000:01:00.0 1a03:1150 class=060400 bridge secondary=02 group=20" \
		"dev 0000:02:00.0 1a03:2000 class=030000 driver=ast group=20" \
		"dev 0000:86:00.0 8086:10fb class=020000 driver=ixgbe group=40" \
		"dev 0000:86:00.1 8086:10fb class=020000 driver=ixgbe group=41"
}

@test "efifb in the BMC VGA's BAR behind two bridges: vfio-pci removes it when it binds (a VGA device), the warning says so and names the range" {
	bmc_tree
	run plan_fb earlybind.claim=0000:02:00.0
	[ "$status" -eq 0 ]
	[ "$(action 0000:02:00.0)" = "claim vfio-pci" ]
	w=$(warnings | grep 'framebuffer')
	[[ $w == *"0000:02:00.0"* ]]
	[[ $w == *"efifb [mem 0x9c000000-0x9c2fffff]"* ]]
	[[ $w == *"vfio-pci removes it when it binds"* ]]
	[ "$(warnings | grep -c 'framebuffer')" -eq 1 ]
}

@test "the same efifb with pci-stub: nothing removes it, the VM's start would fail; the warning gives the command-line fix" {
	bmc_tree
	run plan_fb earlybind.claim=0000:02:00.0=pci-stub
	[ "$(action 0000:02:00.0)" = "claim pci-stub" ]
	w=$(warnings | grep 'framebuffer')
	[[ $w == *"efifb"* ]]
	[[ $w == *"can't reserve"* ]]
	[[ $w == *"video=efifb:off"* ]]
	[[ $w == *"initcall_blacklist=sysfb_init"* ]]
}

@test "a NIC claimed on the same server: no framebuffer warning, and /proc/iomem is never opened" {
	bmc_tree
	ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 strace -f -o "$T/trace" -e trace=openat \
		"$EB" plan --sysfs "$T/s" --root "$T/root" --json $(cl vfio-pci.ids=8086:10fb) >"$T/out"
	output=$(cat "$T/out")
	[ "$(action 0000:86:00.0)" = "claim vfio-pci" ]
	run ! grep -q 'framebuffer' <<<"$(warnings)"
	run ! grep -q 'proc/iomem' "$T/trace"
}

@test "HPE iLO: efifb in the iLO VGA function 01:00.1, not in its sibling 01:00.0" {
	fbtree hpe-epyc-efifb-ilo \
		"dev 0000:00:07.1 1022:1484 class=060400 bridge secondary=01 driver=pcieport group=5" \
		"dev 0000:01:00.0 103c:22e8 class=088000 group=5" \
		"dev 0000:01:00.1 102b:0538 class=030000 driver=mgag200 group=5" \
		"dev 0000:01:00.2 103c:22e9 class=088000 group=5" \
		"dev 0000:01:00.4 103c:22f6 class=0c0320 driver=ehci-pci group=5"
	run plan_fb vfio-pci.ids=103c:22e8,102b:0538,103c:22e9,103c:22f6
	[ "$(action 0000:01:00.1)" = "claim vfio-pci" ]
	[ "$(warnings | grep -c 'framebuffer')" -eq 1 ]
	warnings | grep 'framebuffer' | grep -q '^0000:01:00.1.*efifb \[mem 0xe8000000-0xe82fffff\]'
}

@test "read as a user (every address 0): the nesting still finds efifb in the NVIDIA GPU, its range unknown" {
	fbtree desktop-nvidia-amdgpu-efifb-nonroot \
		"dev 0000:00:01.1 1022:1633 class=060400 bridge secondary=01 driver=pcieport group=2" \
		"dev 0000:01:00.0 10de:2504 class=030000 driver=nvidia group=12" \
		"dev 0000:01:00.1 10de:228e class=040300 driver=snd_hda_intel group=12" \
		"dev 0000:02:00.0 144d:a808 class=010802 driver=nvme group=13"
	run plan_fb vfio-pci.ids=10de:2504,10de:228e
	w=$(warnings | grep 'framebuffer')
	[[ $w == "0000:01:00.0"* ]]
	[[ $w == *"efifb (range hidden"* ]]
	[ "$(warnings | grep -c 'framebuffer')" -eq 1 ]
}

@test "BOOTFB (sysfb's simple-framebuffer) in the Intel iGPU; BOOTFB with simplefb nested: one warning naming BOOTFB" {
	fbtree workstation-intel-igpu-bootfb "dev 0000:00:02.0 8086:0412 class=030000 driver=i915 group=1"
	run plan_fb earlybind.claim=0000:00:02.0
	warnings | grep 'framebuffer' | grep -q 'BOOTFB \[mem 0xe0000000-0xe02fffff\]'
	fbtree vmware-bootfb-simplefb-patched "dev 0000:00:02.0 15ad:0405 class=030000 group=1"
	run plan_fb earlybind.claim=0000:00:02.0
	[ "$(warnings | grep -c 'framebuffer')" -eq 1 ]
	warnings | grep 'framebuffer' | grep -q 'BOOTFB \[mem 0xe0000000-0xe07e8fff\]'
}

@test "simpledrm on BOOTFB (a kernel with CONFIG_DRM_SIMPLEDRM, the boot tests' QEMU with vga=0x317): one warning naming BOOTFB, vfio-pci removes it; with pci-stub the fix" {
	fbtree qemu-q35-builtin-6.1-simpledrm "dev 0000:00:02.0 1234:1111 class=030000 group=1 boot_vga=1"
	run plan_fb earlybind.claim=0000:00:02.0
	[ "$(warnings | grep -c 'framebuffer')" -eq 1 ]
	warnings | grep 'framebuffer' | grep -q '^0000:00:02.0: the firmware framebuffer BOOTFB \[mem 0xfb000000-0xfb17ffff\] lies in its BAR: vfio-pci removes it'
	run plan_fb earlybind.claim=0000:00:02.0=pci-stub
	warnings | grep 'framebuffer' | grep -q "BOOTFB .* nothing removes it for pci-stub.*video=efifb:off"
}

@test "VMware SVGA with BOOTFB, claimed by ids; the QEMU std VGA with vesafb (vga=0x317)" {
	fbtree vmware-svga-bootfb "dev 0000:00:0f.0 15ad:0405 class=030000 driver=vmwgfx group=3"
	run plan_fb vfio-pci.ids=15ad:0405
	warnings | grep 'framebuffer' | grep -q '^0000:00:0f.0.*BOOTFB \[mem 0x78000000-0x782fffff\]'
	fbtree qemu-q35-debian-6.1-vesafb \
		"dev 0000:00:02.0 1234:1111 class=030000 group=1 boot_vga=1" \
		"dev 0000:00:04.0 1b36:000c class=060400 bridge secondary=01 driver=pcieport group=2" \
		"dev 0000:01:00.0 8086:10d3 driver=e1000e group=2"
	run plan_fb earlybind.claim=0000:00:02.0
	[ "$(action 0000:00:02.0)" = "claim vfio-pci" ]
	warnings | grep 'framebuffer' | grep -q '^0000:00:02.0.*vesafb \[mem 0xfb000000-0xfbffffff\]'
	warnings | grep -q '^0000:00:02.0 is the boot VGA device'
}

@test "a display controller that is not VGA class keeps the framebuffer even on vfio-pci: the warning says nothing removes it" {
	fbtree qemu-q35-debian-6.1-vesafb "dev 0000:00:02.0 1234:1111 class=038000 group=1"
	run plan_fb earlybind.claim=0000:00:02.0
	w=$(warnings | grep 'framebuffer')
	[[ $w == *"vesafb"* ]]
	[[ $w == *"can't reserve"* ]]
	[[ $w == *"video=vesafb:off"* ]]
}

@test "no /proc/iomem under the root: no framebuffer warning, the claim stands" {
	bmc_tree
	rm "$T/root/proc/iomem"
	run plan_fb earlybind.claim=0000:02:00.0
	[ "$status" -eq 0 ]
	[ "$(action 0000:02:00.0)" = "claim vfio-pci" ]
	run ! grep -q 'framebuffer' <<<"$(warnings)"
}

@test "status and doctor say the same of the framebuffer as plan" {
	bmc_tree
	printf '%s\n' "earlybind.claim=0000:02:00.0=pci-stub" >"$T/root/proc/cmdline"
	run "$EB" status --sysfs "$T/s" --root "$T/root"
	[[ $output == *"0000:02:00.0"*"efifb [mem 0x9c000000-0x9c2fffff]"*"can't reserve"* ]]
	run "$EB" doctor --sysfs "$T/s" --root "$T/root"
	[[ $output == *"efifb [mem 0x9c000000-0x9c2fffff]"* ]]
	[[ $output == *"video=efifb:off"* ]]
}
