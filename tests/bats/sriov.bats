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
	[[ $output == *"make 1 VFs and claim them for vfio-pci, when its driver binds"* ]]
}

@test "a PF that already has VFs is left as it is, with a warning; a function with no SR-IOV is named" {
	sriov_tree 1 nvme
	run sriov_json earlybind.sriov=0000:05:00.0:2,0000:00:07.0:1,0000:09:00.0:1
	jq -e '.sriov == []' <<<"$output"
	warnings | grep -q '^earlybind.sriov=0000:05:00.0:2: 0000:05:00.0 already has 1 VFs: left as it is'
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
