#!/usr/bin/env bats
# The plan on trees built from real lspci dumps: selectors, precedence, groups, warnings.
load helpers

@test "ids with subsystem tell the 3070's audio from the 3060 Tis' (mining rig)" {
	mktree m --lspci "$(dump mining-h110-btc-multi-gpu)"
	run plan_json "$T/m" "vfio-pci.ids=10de:228b:1458:404d"
	[ "$status" -eq 0 ]
	[ "$(action 0000:07:00.1)" = "claim vfio-pci" ]
	[ "$(action 0000:01:00.1)" = "none null" ]
	[ "$(action 0000:08:00.1)" = "none null" ]
}

@test "class/mask selects every NVMe controller and nothing else (X570)" {
	mktree x --lspci "$(dump pve-x570-aorus-master-rtx3090ti-vfio-pci)"
	run plan_json "$T/x" "vfio-pci.ids=ffffffff:ffffffff:ffffffff:ffffffff:010802:ffffff"
	[ "$status" -eq 0 ]
	n=$(printf '%s' "$output" | jq '[.devices[] | select(.action == "claim")] | length')
	want=$(grep -c '^[0-9a-f].*\[0108\]' "$(dump pve-x570-aorus-master-rtx3090ti-vfio-pci)")
	[ "$n" -eq "$want" ]
	[ "$n" -eq 3 ]
	printf '%s' "$output" | jq -e '[.devices[] | select(.action == "claim") | .class] | all(. == "010802")'
}

@test "twins split by address: earlybind.claim takes one RTX 3060 Ti" {
	mktree m --lspci "$(dump mining-h110-btc-multi-gpu)"
	run plan_json "$T/m" "earlybind.claim=0000:08:00.0"
	[ "$(action 0000:08:00.0)" = "claim vfio-pci" ]
	[ "$(action 0000:01:00.0)" = "none null" ]
}

@test "twins split by keep: four RTX 2080 Ti, the host keeps one" {
	mktree w --lspci "$(dump workstation-x299-sage-4x-rtx2080ti-plx)"
	run plan_json "$T/w" "vfio-pci.ids=10de:1e07 earlybind.keep=0000:19:00.0"
	[ "$status" -eq 0 ]
	[ "$(action 0000:19:00.0)" = "keep null" ]
	n=$(printf '%s' "$output" | jq '[.devices[] | select(.action == "claim")] | length')
	[ "$n" -eq 3 ]
}

@test "@VVVV:DDDD mismatch is refused, a match is claimed" {
	mktree m --lspci "$(dump mining-h110-btc-multi-gpu)"
	run plan_json "$T/m" "earlybind.claim=08:00.0@10de:2484,07:00.0@10de:2484"
	[ "$(action 0000:08:00.0)" = "refuse null" ]
	printf '%s' "$output" | jq -e '.devices[] | select(.address == "0000:08:00.0") | .reason | test("hardware changed")'
	[ "$(action 0000:07:00.0)" = "claim vfio-pci" ]
}

@test "claim with =pci-stub and a claim already in effect (X570 vfio host)" {
	mktree x --lspci "$(dump pve-x570-aorus-master-rtx3090ti-vfio-pci)"
	run plan_json "$T/x" "vfio-pci.ids=10de:2203,10de:1aef earlybind.claim=04:00.0=pci-stub"
	[ "$(action 0000:0b:00.0)" = "already vfio-pci" ]
	[ "$(action 0000:0b:00.1)" = "already vfio-pci" ]
	[ "$(action 0000:04:00.0)" = "claim pci-stub" ]
}

@test "group companions: the GPU's audio follows with earlybind.group, and the group is viable" {
	mktree x --lspci "$(dump pve-x570-aorus-master-rtx3090ti-vfio-pci)" \
		--driver 0000:0b:00.0=nouveau --driver 0000:0b:00.1=snd_hda_intel
	run plan_json "$T/x" "earlybind.claim=0b:00.0"
	[ "$(action 0000:0b:00.1)" = "none null" ]
	printf '%s' "$output" | jq -e '.groups[] | select(.group == 27) | .viable == false and .blocking == ["0000:0b:00.1"]'
	run plan_json "$T/x" "earlybind.claim=0b:00.0 earlybind.group=vfio-pci"
	[ "$(action 0000:0b:00.1)" = "claim vfio-pci" ]
	printf '%s' "$output" | jq -e '.groups[] | select(.group == 27) | .viable == true and .members == ["0000:0b:00.0","0000:0b:00.1"]'
	run plan_json "$T/x" "earlybind.claim=0b:00.0 earlybind.group=pci-stub"
	[ "$(action 0000:0b:00.1)" = "claim pci-stub" ]
}

@test "group companions never take storage: Legion 5 group 6 (iGPU + SATA) stays non-viable, so no companion is taken for nothing" {
	mktree l --lspci "$(dump laptop-legion5-ryzen-hybrid-rtx3060-iommu)"
	run plan_json "$T/l" "earlybind.claim=05:00.0 earlybind.group=vfio-pci"
	[ "$(action 0000:05:00.0)" = "claim vfio-pci" ]
	# the SATA controllers stay with the host, so the group can never be viable: the iGPU's
	# other functions are left to the host too
	[ "$(action 0000:05:00.6)" = "none null" ]
	[ "$(action 0000:06:00.0)" = "none null" ]
	[ "$(action 0000:06:00.1)" = "none null" ]
	[ "$(action 0000:00:08.1)" = "none null" ]
	printf '%s' "$output" | jq -e '.groups[] | select(.group == 6) | .viable == false and (.blocking | index("0000:06:00.0") and index("0000:06:00.1"))'
	warnings | grep -q '^IOMMU group 6 cannot be viable: 0000:06:00.0 stays with the host (mass storage)'
}

@test "group companions on the OptiPlex PCH: every endpoint of group 10, the ISA bridge left alone" {
	mktree o --lspci "$(dump pve-optiplex-7070-q370-iommu-groups)"
	run plan_json "$T/o" "earlybind.claim=00:1f.6 earlybind.group=vfio-pci"
	[ "$(action 0000:00:1f.6)" = "claim vfio-pci" ]
	[ "$(action 0000:00:1f.3)" = "claim vfio-pci" ]
	[ "$(action 0000:00:1f.0)" = "none null" ]
	printf '%s' "$output" | jq -e '.groups[] | select(.group == 10) | .viable == true and (.members | length) == 5'
}

@test "bridges are skipped even when a class mask matches them" {
	mktree m --lspci "$(dump mining-h110-btc-multi-gpu)"
	run plan_json "$T/m" "vfio-pci.ids=ffffffff:ffffffff:ffffffff:ffffffff:060000:ff0000"
	[ "$status" -eq 0 ]
	n=$(printf '%s' "$output" | jq '[.devices[] | select(.class | startswith("06"))] | length')
	s=$(printf '%s' "$output" | jq '[.devices[] | select(.action == "skip")] | length')
	[ "$n" -gt 5 ]
	[ "$n" -eq "$s" ]
	[ "$(action 0000:05:01.0)" = "skip null" ]
}

# plan_traced WORDS...: `plan --json` on $T/s with the words as its command line; its JSON in
# $output and $T/out, its opens in $T/trace (strace -y: a relative open names its directory)
plan_traced() {
	printf '%s\n' "$*" >"$T/c"
	ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 strace -f -y -o "$T/trace" -e trace=openat \
		"$EB" plan --sysfs "$T/s" --cmdline "$T/c" --json >"$T/out"
	output=$(cat "$T/out")
}

@test "the header type comes from the class the kernel kept; config is read only when the class hides it" {
	# pci_setup_device() clears the class of a function whose header type contradicts it
	# ("ignoring class ... doesn't match header type"): class 000000 with a bridge header.
	mktree s --spec - <<-'EOF'
		dev 0000:00:01.0 8086:1901 class=060400 bridge secondary=01
		dev 0000:01:00.0 10de:1b80 class=030000 group=1
		dev 0000:01:00.1 10de:10f0 class=040300 group=1
		dev 0000:00:1e.0 8086:244e class=000000 hdr=1 group=2
	EOF
	plan_traced vfio-pci.ids=10de:1b80,10de:10f0,8086:244e
	[ "$(action 0000:01:00.0)" = "claim vfio-pci" ]
	[ "$(action 0000:01:00.1)" = "claim vfio-pci" ]
	[ "$(action 0000:00:1e.0)" = "skip null" ]
	jq -e '.devices[] | select(.address == "0000:00:1e.0") | .reason | contains("header type 1")' "$T/out"
	# -y names the directory a relative open starts from
	run ! grep -E '0000:01:00\.[01](/|>, ")config' "$T/trace"
	grep -E '0000:00:1e\.0(/|>, ")config' "$T/trace"
}

@test "boot_vga is read only where the kernel has it: VGA-class functions (a 3D controller has none)" {
	mktree s --spec - <<-'EOF'
		dev 0000:01:00.0 10de:20b0 class=030200 group=1
		dev 0000:02:00.0 10de:2204 class=030000 group=2 boot_vga=1
	EOF
	plan_traced vfio-pci.ids=10de:20b0,10de:2204
	[ "$(action 0000:01:00.0)" = "claim vfio-pci" ]
	run ! grep -E '0000:01:00\.0(/|>, ")boot_vga' "$T/trace"
	grep -E '0000:02:00\.0(/|>, ")boot_vga' "$T/trace"
	output=$(cat "$T/out")
	warnings | grep -q '^0000:02:00.0 is the boot VGA device'
}

@test "the kernel has one boot VGA device (vga_default_device()): once it is found, no other boot_vga is read" {
	mktree s --spec - <<-'EOF'
		dev 0000:01:00.0 10de:2204 class=030000 group=1 boot_vga=0
		dev 0000:02:00.0 10de:2204 class=030000 group=2 boot_vga=1
		dev 0000:03:00.0 10de:2204 class=030000 group=3 boot_vga=0
		dev 0000:04:00.0 10de:2204 class=030000 group=4 boot_vga=0
	EOF
	plan_traced vfio-pci.ids=10de:2204
	[ "$(action 0000:04:00.0)" = "claim vfio-pci" ]
	grep -E '0000:01:00\.0(/|>, ")boot_vga' "$T/trace"
	grep -E '0000:02:00\.0(/|>, ")boot_vga' "$T/trace"
	run ! grep -E '0000:0[34]:00\.0(/|>, ")boot_vga' "$T/trace"
	output=$(cat "$T/out")
	warnings | grep -q '^0000:02:00.0 is the boot VGA device'
	[ "$(warnings | grep -c 'is the boot VGA device')" -eq 1 ]
}

@test "malformed entries warn, each named, and the valid rest still applies" {
	mktree m --lspci "$(dump mining-h110-btc-multi-gpu)"
	run plan_json "$T/m" 'vfio-pci.ids=zz,,10de:2484,1 earlybind.claim=../../etc,0000:00:1f.7/../..,08:00.0 earlybind.keep=ffffffff:ff:ff.f'
	[ "$status" -eq 0 ]
	[ "$(action 0000:07:00.0)" = "claim vfio-pci" ]
	[ "$(action 0000:08:00.0)" = "claim vfio-pci" ]
	warnings | grep -q '"zz"'
	warnings | grep -q '"1"'
	warnings | grep -q '"../../etc"'
	warnings | grep -q '"0000:00:1f.7/../.."'
	warnings | grep -q '"ffffffff:ff:ff.f"'
	[ "$(warnings | wc -l)" -eq 5 ]
}

@test "earlybind=0 turns everything off and says why" {
	mktree m --lspci "$(dump mining-h110-btc-multi-gpu)"
	run plan_json "$T/m" "vfio-pci.ids=10de:2486 earlybind=0"
	printf '%s' "$output" | jq -e '[.devices[] | .action] | all(. == "none")'
	printf '%s' "$output" | jq -e '.enabled == false'
	printf '%s' "$output" | jq -e '.devices[0].reason | test("earlybind=0")'
	printf '\n' >"$T/cl"
	run "$EB" plan --sysfs "$T/m" --cmdline "$T/cl"
	[ "$status" -eq 0 ]
}

@test "both vfio-pci and pci-stub ids: pci-stub wins, with a warning" {
	mktree m --lspci "$(dump mining-h110-btc-multi-gpu)"
	run plan_json "$T/m" "vfio-pci.ids=10de:2484 pci-stub.ids=10de:2484"
	[ "$(action 0000:07:00.0)" = "claim pci-stub" ]
	warnings | grep -q 'pci-stub wins'
}

@test "boot VGA gets a warning but is claimed" {
	mktree m --lspci "$(dump desktop-a520-ryzen-rx6600-gpu-switch)"
	run plan_json "$T/m" "vfio-pci.ids=1002:73ff"
	[ "$(action 0000:03:00.0)" = "claim vfio-pci" ]
	warnings | grep -q '0000:03:00.0 is the boot VGA device'
}

@test "SR-IOV PF with VFs enabled is refused" {
	mktree s --lspci "$(dump pve-xeon-e2300-x710-nvme)"
	pf=$(cd "$T/s/bus/pci/devices" && for d in *; do [ -e "$d/sriov_numvfs" ] && echo "$d" && break; done)
	[ -n "$pf" ]
	echo 4 >"$T/s/bus/pci/devices/$pf/sriov_numvfs"
	run plan_json "$T/s" "earlybind.claim=$pf"
	[ "$(action "$pf")" = "refuse null" ]
	printf '%s' "$output" | jq -e --arg a "$pf" '.devices[] | select(.address == $a) | .reason | test("SR-IOV")'
}

@test "VMD domain 10000 addresses are read and claimed in full form" {
	mktree v --lspci "$(dump laptop-xps13-9310-vmd-domain-10000-tb4)"
	run plan_json "$T/v" "earlybind.claim=10000:e1:00.0"
	[ "$(action 10000:e1:00.0)" = "claim vfio-pci" ]
	readlink "$T/v/bus/pci/devices/10000:e1:00.0" | grep -q 'pci10000:e0/10000:e0:06.0/10000:e1:00.0'
}
