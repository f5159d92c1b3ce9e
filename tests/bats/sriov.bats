#!/usr/bin/env bats
# earlybind.sriov=PF:N[=DRIVER]: the plan's SR-IOV jobs, warnings, JSON and the udev path's
# decision. The VFs themselves are made on a real kernel (boot scenario S1).
load helpers

# sriov_tree NUMVFS DRIVER: QEMU's NVMe with SR-IOV (2 VFs at most) behind root port 00:0c.0
sriov_tree() {
	local drv=${2:+driver=$2}
	mktree s --spec - <<-EOF
		dev 0000:00:0c.0 1b36:000c class=060400 bridge secondary=05 driver=pcieport group=12
		dev 0000:05:00.0 1b36:0010 class=010802 $drv group=13 sriov=$1/2
		dev 0000:00:07.0 8086:100e class=020000 driver=e1000 group=6
	EOF
	mkdir -p "$T/root/proc"
	: >"$T/root/proc/cmdline"
}

sriov_json() {
	"$EB" plan --sysfs "$T/s" --root "$T/root" --json $(cl "$@")
}

@test "a bound PF with no VFs: a job made now, for vfio-pci, in the table and in the JSON (schema-valid)" {
	sriov_tree 0 nvme
	run sriov_json earlybind.sriov=0000:05:00.0:2
	[ "$status" -eq 0 ]
	printf '%s' "$output" >"$T/plan.json"
	jq -e '.sriov == [{"pf":"0000:05:00.0","vfs":2,"driver":"vfio-pci","now":true,"selector":"earlybind.sriov=0000:05:00.0:2"}]' "$T/plan.json"
	[ "$(action 0000:05:00.0)" = "none null" ]
	python3 "$REPO/tests/validate-json.py" "$T/plan.json"
	run "$EB" plan --sysfs "$T/s" --root "$T/root" $(cl earlybind.sriov=0000:05:00.0:2)
	[[ $output == *"SR-IOV:"*"0000:05:00.0: make 2 VFs and claim them for vfio-pci, now [earlybind.sriov=0000:05:00.0:2]"* ]]
}

@test "an unbound PF: the job waits for its driver; pci-stub and the path form are read" {
	sriov_tree 0 ""
	run sriov_json earlybind.sriov=0000:00:0c.0/00.0:1=pci-stub
	jq -e '.sriov[0] | .pf == "0000:05:00.0" and .vfs == 1 and .driver == "pci-stub" and .now == false' <<<"$output"
	run "$EB" plan --sysfs "$T/s" --root "$T/root" $(cl earlybind.sriov=0000:05:00.0:1)
	[[ $output == *"make 1 VF and claim it for vfio-pci, when its driver binds"* ]]
}

@test "a PF that already has VFs is left as it is, with a warning; a function with no SR-IOV is named" {
	sriov_tree 1 nvme
	run sriov_json earlybind.sriov=0000:05:00.0:2,0000:00:07.0:1,0000:09:00.0:1
	jq -e '.sriov == []' <<<"$output"
	warnings | grep -q '^earlybind.sriov=0000:05:00.0:2: 0000:05:00.0 has 1 VF, not 2: left as it is'
	warnings | grep -q '^earlybind.sriov=0000:00:07.0:1: 0000:00:07.0 is not an SR-IOV PF'
	warnings | grep -q '^earlybind.sriov=0000:09:00.0:1: no PCI device at that address'
}

@test "malformed entries warn, each named, and the valid rest still applies" {
	sriov_tree 0 nvme
	run sriov_json "earlybind.sriov=0000:05:00.0,0000:05:00.0:0,0000:05:00.0:2=nvme,0000:05:00.0:1"
	[ "$(warnings | grep -c '^earlybind.sriov: ')" -eq 3 ]
	warnings | grep -q '"0000:05:00.0": expected WHERE:N\|"0000:05:00.0": the number of VFs'
	warnings | grep -q '"0000:05:00.0:2=nvme": unknown driver'
	jq -e '.sriov | length == 1 and .[0].vfs == 1' <<<"$output"
}

@test "the udev path: the PF's event runs the full apply only for the named PF; an unbound PF logs that its driver's bind event will make the VFs" {
	sriov_tree 0 ""
	mkdir -p "$T/root/run"
	echo "earlybind.sriov=0000:05:00.0:1" >"$T/root/proc/cmdline"
	ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 strace -f -o "$T/trace" -e trace=openat \
		"$EB" apply --device 0000:00:07.0 --sysfs "$T/s" --root "$T/root" --kmsg "$T/kmsg"
	run ! grep -qE 'modprobe\.d/|libkmod|libblkid|boot-devices|state\.json' "$T/trace"
	[ ! -s "$T/kmsg" ]
	"$EB" apply --device 0000:05:00.0 --sysfs "$T/s" --root "$T/root" --kmsg "$T/kmsg"
	grep -q 'earlybind: 0000:05:00.0: its VFs are made when its driver binds \[earlybind.sriov=0000:05:00.0:1\]' "$T/kmsg"
	[ "$(cat "$T/s/bus/pci/devices/0000:05:00.0/sriov_numvfs")" = 0 ]
}

@test "the udev rule: a PF's bind event runs earlybind, and only for SR-IOV PFs not on vfio-pci or pci-stub" {
	grep -qx 'ACTION=="bind", SUBSYSTEM=="pci", ATTR{sriov_totalvfs}=="?\*", ENV{DRIVER}!="vfio-pci|pci-stub", RUN+="/usr/bin/earlybind apply --device $kernel"' \
		"$REPO/hook/90-earlybind.rules"
}

# made_tree: the NVMe PF on nvme with the 2 VFs earlybind.sriov made (VF 0 on vfio-pci, VF 1
# unbound), as the boot leaves them
made_tree() {
	mktree s --spec - <<-EOF
		dev 0000:00:0c.0 1b36:000c class=060400 bridge secondary=05 driver=pcieport group=12
		dev 0000:05:00.0 1b36:0010 class=010802 driver=nvme group=13 sriov=2/2
		dev 0000:05:00.1 1b36:0010 class=010802 driver=vfio-pci override=vfio-pci group=14 vf=0000:05:00.0
		dev 0000:05:00.2 1b36:0010 class=010802 group=15 vf=0000:05:00.0
	EOF
	mkdir -p "$T/root/proc"
	: >"$T/root/proc/cmdline"
}

@test "after the VFs are made: the entry selects them (status, plan, metrics), and the PF with the VFs asked for draws no warning" {
	made_tree
	run sriov_json earlybind.sriov=0000:05:00.0:2
	[ "$status" -eq 0 ]
	[ "$(warnings | grep -c 'already has\|VFs, not')" -eq 0 ]
	[ "$(action 0000:05:00.1)" = "already vfio-pci" ]
	[ "$(action 0000:05:00.2)" = "claim vfio-pci" ]
	printf '%s' "$output" | jq -e '.devices[] | select(.address == "0000:05:00.2") | .reason == "earlybind.sriov=0000:05:00.0:2, VF 1 of 0000:05:00.0"'
	jq -e '.sriov == []' <<<"$output"
	echo "earlybind.sriov=0000:05:00.0:2" >"$T/root/proc/cmdline"
	run "$EB" status --sysfs "$T/s" --root "$T/root" --prometheus
	[[ $output == *'earlybind_device_on_target{address="0000:05:00.1",vendor="1b36",device="0010",target="vfio-pci",driver="vfio-pci"} 1'* ]]
	[[ $output == *'earlybind_device_on_target{address="0000:05:00.2"'* ]]
	# a PF with another number of VFs than asked: left as it is, and no advice to destroy them
	run sriov_json earlybind.sriov=0000:05:00.0:1
	warnings | grep -q '^earlybind.sriov=0000:05:00.0:1: 0000:05:00.0 has 2 VFs, not 1: left as it is'
	run ! grep -q 'write 0' <<<"$(warnings)"
}

@test "a claim of the PF earlybind.sriov makes VFs on: refused (the PF keeps its driver for its VFs), the job stays" {
	sriov_tree 0 nvme
	run sriov_json earlybind.sriov=0000:05:00.0:2 earlybind.claim=0000:05:00.0=pci-stub
	[ "$(action 0000:05:00.0)" = "refuse null" ]
	printf '%s' "$output" | jq -e '.devices[] | select(.address == "0000:05:00.0") | .reason | contains("earlybind.sriov=0000:05:00.0:2 makes its VFs")'
	jq -e '.sriov | length == 1' <<<"$output"
}

@test "more VFs than the PF offers: plan says so beforehand and makes no job; one VF is one VF" {
	sriov_tree 0 nvme
	run sriov_json earlybind.sriov=0000:05:00.0:5
	warnings | grep -q '^earlybind.sriov=0000:05:00.0:5: 0000:05:00.0 offers at most 2 VFs (sriov_totalvfs)'
	jq -e '.sriov == []' <<<"$output"
	run "$EB" plan --sysfs "$T/s" --root "$T/root" $(cl earlybind.sriov=0000:05:00.0:1)
	[[ $output == *"make 1 VF and claim it for vfio-pci, now"* ]]
}

@test "the PF's add event makes no VFs (its bind event does: one attempt, one log line); a dry run says what it would make" {
	sriov_tree 0 nvme
	mkdir -p "$T/root/run"
	echo "earlybind.sriov=0000:05:00.0:2" >"$T/root/proc/cmdline"
	DEVPATH=/devices/x ACTION=add "$EB" apply --device 0000:05:00.0 --sysfs "$T/s" --root "$T/root" --kmsg "$T/kmsg"
	[ "$(cat "$T/s/bus/pci/devices/0000:05:00.0/sriov_numvfs")" = 0 ]
	[ "$(grep -c 'VF' "$T/kmsg" || :)" -eq 0 ]
	"$EB" apply --dry-run --sysfs "$T/s" --root "$T/root" --kmsg "$T/kmsg"
	grep -q 'earlybind: 0000:05:00.0: dry run: would make 2 VFs with VF autoprobe off and claim them for vfio-pci \[earlybind.sriov=0000:05:00.0:2\]' "$T/kmsg"
	[ "$(cat "$T/s/bus/pci/devices/0000:05:00.0/sriov_numvfs")" = 0 ]
	# the bind event tries once (this tree's files take the write, no VF appears: one line says so)
	: >"$T/kmsg"
	DEVPATH=/devices/x ACTION=bind "$EB" apply --device 0000:05:00.0 --sysfs "$T/s" --root "$T/root" --kmsg "$T/kmsg" || :
	[ "$(cat "$T/s/bus/pci/devices/0000:05:00.0/sriov_numvfs")" = 2 ]
	[ "$(grep -c 'VF' "$T/kmsg")" -eq 1 ]
	grep -q 'earlybind: 0000:05:00.0: sriov_numvfs took 2, but 0 VFs appeared (virtfnN links) \[earlybind.sriov=0000:05:00.0:2\]' "$T/kmsg"
}

@test "a boot under earlybind.dryrun records the VFs it would make (state.json, schema-valid) and status shows them" {
	sriov_tree 0 nvme
	mkdir -p "$T/root/etc"
	: >"$T/root/etc/initrd-release"
	echo "earlybind.sriov=0000:05:00.0:2 earlybind.dryrun" >"$T/root/proc/cmdline"
	"$EB" apply --sysfs "$T/s" --root "$T/root" --kmsg "$T/kmsg"
	rm "$T/root/etc/initrd-release"
	[ "$(cat "$T/s/bus/pci/devices/0000:05:00.0/sriov_numvfs")" = 0 ]
	jq -e '.boot.dryrun == true and .boot.sriov == [{"pf":"0000:05:00.0","vfs":2,"driver":"vfio-pci","now":true,"selector":"earlybind.sriov=0000:05:00.0:2"}]' "$T/root/run/earlybind/state.json"
	python3 "$REPO/tests/validate-json.py" "$T/root/run/earlybind/state.json"
	run "$EB" status --sysfs "$T/s" --root "$T/root"
	echo "$output"
	[[ "$output" == *"0000:05:00.0: make 2 VFs and claim them for vfio-pci, now [earlybind.sriov=0000:05:00.0:2]"* ]]
}
