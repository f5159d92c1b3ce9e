#!/usr/bin/env bats
# Preparing devices the way a VM or a DPDK application needs them: vfio's no-IOMMU mode, the power
# state (earlybind.d3cold), the reset method (earlybind.reset), and what orchestrators read (the
# state file's intent record, Node Feature Discovery's feature file).
load helpers

setup_file() {
	"$REPO/tests/fetch-kernel.sh" >/dev/null
}

# noiommu_twins [ON]: the twins with no IOMMU at all (--groups none); ON: vfio is live with the
# no-IOMMU parameter (a kernel built with CONFIG_VFIO_NOIOMMU), ON its value
noiommu_twins() {
	{
		echo "dev 0000:00:01.0 8086:1901 class=060400 bridge secondary=01 driver=pcieport"
		echo "dev 0000:01:00.0 8086:10d3 sub=8086:a01f driver=e1000e"
		echo "dev 0000:00:02.0 8086:1901 class=060400 bridge secondary=02 driver=pcieport"
		echo "dev 0000:02:00.0 8086:10d3 sub=8086:a01f driver=e1000e"
	} >"$T/spec"
	mktree s --spec "$T/spec" --groups none
	if [ -n "${1:-}" ]; then
		mkdir -p "$T/s/module/vfio/parameters"
		echo "$1" >"$T/s/module/vfio/parameters/enable_unsafe_noiommu_mode"
	fi
	MODDIR=$(kernel_moddir)
	mkdir -p "$T/root/proc"
	: >"$T/root/proc/cmdline"
}

pplan() {
	"$EB" plan --sysfs "$T/s" --root "$T/root" --moddir "$MODDIR" --json $(cl "$@")
}

@test "no IOMMU: without the option the warning names it; pci-stub needs none" {
	noiommu_twins
	run pplan earlybind.claim=0000:02:00.0
	warnings | grep -q '^0000:02:00.0 has no IOMMU group: vfio-pci will refuse it (IOMMU off? intel_iommu=on / amd_iommu=on; without an IOMMU, vfio.enable_unsafe_noiommu_mode=1 binds it unprotected; pci-stub needs no IOMMU)'
	run pplan earlybind.claim=0000:02:00.0=pci-stub
	[ "$(warnings | grep -c 'IOMMU')" -eq 0 ]
}

@test "no IOMMU with vfio.enable_unsafe_noiommu_mode=1: on a kernel with the mode a loud warning; on Debian's (no CONFIG_VFIO_NOIOMMU) the plan says it cannot work" {
	noiommu_twins N
	run pplan earlybind.claim=0000:02:00.0 vfio.enable_unsafe_noiommu_mode=1
	[ "$(action 0000:02:00.0)" = "claim vfio-pci" ]
	warnings | grep -q '^0000:02:00.0 has no IOMMU group: vfio-pci binds it in no-IOMMU mode (vfio.enable_unsafe_noiommu_mode=1; /dev/vfio/noiommu-N): the kernel is tainted and the device.s DMA is unprotected'
	# asked in modprobe.d instead
	mkdir -p "$T/root/etc/modprobe.d"
	echo 'options vfio enable_unsafe_noiommu_mode=1' >"$T/root/etc/modprobe.d/noiommu.conf"
	run pplan earlybind.claim=0000:02:00.0
	warnings | grep -q 'binds it in no-IOMMU mode'
	rm "$T/root/etc/modprobe.d/noiommu.conf"
	# Debian's vfio (not loaded here) has no such parameter: its modinfo says so
	rm -rf "$T/s/module/vfio"
	run pplan earlybind.claim=0000:02:00.0 vfio.enable_unsafe_noiommu_mode=1
	warnings | grep -q '^0000:02:00.0 has no IOMMU group and this kernel has no no-IOMMU mode (built without CONFIG_VFIO_NOIOMMU: vfio ignores vfio.enable_unsafe_noiommu_mode): vfio-pci will refuse it; pci-stub needs no IOMMU'
}

@test "a device on vfio-pci in a no-IOMMU group: status and the metrics say noiommu-N" {
	noiommu_twins Y
	rm -rf "$T/s" && mocked_machine "dev 0000:03:00.0 8086:10d3 driver=vfio-pci override=vfio-pci group=7"
	echo vfio-noiommu >"$T/s/kernel/iommu_groups/7/name"
	run "$EB" status --sysfs "$T/s" $(cl earlybind.claim=0000:03:00.0)
	[[ $output == *"vfio: /dev/vfio/noiommu-7 (no-IOMMU mode: the kernel is tainted, DMA unprotected)"* ]]
	run "$EB" status --sysfs "$T/s" --prometheus $(cl earlybind.claim=0000:03:00.0)
	[[ $output == *'earlybind_noiommu_device{address="0000:03:00.0",group="noiommu-7"} 1'* ]]
}

# prep_machine: the twins of mocked_machine, twin B offering flr and bus resets, twin A a kernel
# before 5.15 (no reset_method)
prep_machine() {
	mocked_machine
	rm -rf "$T/s"
	{
		echo "dev 0000:00:01.0 8086:1901 class=060400 bridge secondary=01 driver=pcieport group=1"
		echo "dev 0000:01:00.0 8086:10d3 sub=8086:a01f driver=e1000e group=1"
		echo "dev 0000:00:02.0 8086:1901 class=060400 bridge secondary=02 driver=pcieport group=2"
		echo "dev 0000:02:00.0 8086:10d3 sub=8086:a01f driver=e1000e group=2 reset=flr,bus"
	} >"$T/spec"
	mktree s --spec "$T/spec"
}

attr() {
	cat "$T/s/bus/pci/devices/$1/$2"
}

@test "earlybind.d3cold and earlybind.reset: plan shows them; apply writes them before the driver binds; release restores what was there" {
	prep_machine
	run pplan vfio-pci.ids=8086:10d3 earlybind.d3cold=0000:02:00.0 earlybind.reset=8086:10d3:bus
	[ "$status" -eq 0 ]
	printf '%s' "$output" | jq -e '.devices[] | select(.address == "0000:02:00.0") | .d3cold_allowed == false and .reset_method == "bus" and (.reason | endswith("; d3cold off (d3cold_allowed=0, power/control=on); reset_method bus"))'
	printf '%s' "$output" | jq -e '.devices[] | select(.address == "0000:01:00.0") | .d3cold_allowed == null and .reset_method == null'
	warnings | grep -q '^earlybind.reset=8086:10d3:bus: 0000:01:00.0 has no reset_method (a kernel before 5.15, or no reset the kernel knows for it): ignored'
	printf '%s' "$output" >"$T/p.json"
	python3 "$REPO/tests/validate-json.py" "$T/p.json"
	run eb_mocked "$T/s" apply $(cl vfio-pci.ids=8086:10d3 earlybind.d3cold=0000:02:00.0 earlybind.reset=8086:10d3:bus)
	[ "$status" -eq 0 ]
	[ "$(driver "$T/s" 0000:02:00.0)" = vfio-pci ]
	[ "$(attr 0000:02:00.0 d3cold_allowed)" = 0 ]
	[ "$(attr 0000:02:00.0 power/control)" = on ]
	[ "$(attr 0000:02:00.0 reset_method)" = bus ]
	[ "$(attr 0000:01:00.0 d3cold_allowed)" = 1 ]
	# written after driver_override, before drivers_probe
	[[ $(grep -n 'override .*0000:02:00.0' "$T/mock.log" | head -n 1 | cut -d: -f1) -lt $(grep -n 'drivers_probe 0000:02:00.0' "$T/mock.log" | head -n 1 | cut -d: -f1) ]]
	run eb_mocked "$T/s" release 0000:02:00.0
	[ "$status" -eq 0 ]
	[ "$(driver "$T/s" 0000:02:00.0)" = e1000e ]
	[ "$(attr 0000:02:00.0 d3cold_allowed)" = 1 ]
	[ "$(attr 0000:02:00.0 power/control)" = auto ]
	[ "$(attr 0000:02:00.0 reset_method)" = "flr bus" ]
}

@test "earlybind.reset: a method the device does not offer is refused with a warning; empty forbids resets; bad entries are named; d3cold goes with group companions" {
	prep_machine
	run pplan earlybind.claim=0000:02:00.0 earlybind.reset=0000:02:00.0:pm
	warnings | grep -q '^earlybind.reset=0000:02:00.0:pm: the kernel offers "flr bus" for 0000:02:00.0, not pm: ignored'
	printf '%s' "$output" | jq -e '.devices[] | select(.address == "0000:02:00.0") | .reset_method == null'
	run pplan earlybind.claim=0000:02:00.0 earlybind.reset=0000:02:00.0:
	printf '%s' "$output" | jq -e '.devices[] | select(.address == "0000:02:00.0") | .reset_method == ""'
	run pplan earlybind.claim=0000:02:00.0 earlybind.reset=0000:02:00.0:warm,0000:02:00.0 earlybind.d3cold=zz
	warnings | grep -q '^earlybind.reset: "0000:02:00.0:warm": not a reset method'
	warnings | grep -q '^earlybind.reset: "0000:02:00.0": not a reset method'
	warnings | grep -q '^earlybind.d3cold: "zz": not a PCI address'
	# a companion of a device kept out of D3cold is kept out too
	rm -rf "$T/s" && mocked_machine "dev 0000:02:00.1 8086:10d3 driver=e1000e group=2"
	run pplan earlybind.claim=0000:02:00.0 earlybind.group=vfio-pci earlybind.d3cold=0000:02:00.0
	printf '%s' "$output" | jq -e '.devices[] | select(.address == "0000:02:00.1") | .companion and .d3cold_allowed == false'
}

@test "for orchestrators: state.json's bound record (schema-valid) and Node Feature Discovery's feature file, at apply and by the metrics timer" {
	mocked_machine "dev 0000:03:00.0 10de:2204 class=030000 driver=nvidia native=nvidia group=3"
	mkdir -p "$T/root/etc/kubernetes/node-feature-discovery/features.d"
	run eb_mocked "$T/s" apply $(cl vfio-pci.ids=8086:10d3 earlybind.claim=0000:03:00.0=pci-stub earlybind.keep=0000:01:00.0)
	[ "$status" -eq 0 ]
	python3 "$REPO/tests/validate-json.py" "$T/root/run/earlybind/state.json"
	jq -e '.version == 3 and ([.bound[] | "\(.address) \(.target) \(.driver) \(.selector) \(.iommu_group) \(.origin)"] ==
		["0000:02:00.0 vfio-pci vfio-pci vfio-pci.ids=8086:10d3 2 hand",
		 "0000:03:00.0 pci-stub pci-stub earlybind.claim=0000:03:00.0=pci-stub 3 hand"])' "$T/root/run/earlybind/state.json"
	nfd=$T/root/etc/kubernetes/node-feature-discovery/features.d/earlybind
	grep -qx 'earlybind.vfio-8086-10d3=1' "$nfd"
	grep -qx 'earlybind.pci-stub-10de-2204=1' "$nfd"
	[ "$(grep -vc '^#' "$nfd")" -eq 2 ]
	# the metrics timer's run writes it too: twin A claimed by hand since, the count follows
	run eb_mocked "$T/s" apply $(cl vfio-pci.ids=8086:10d3)
	rm "$nfd"
	run "$EB" status --sysfs "$T/s" --root "$T/root" --prometheus --write "$T/metrics.prom" $(cl vfio-pci.ids=8086:10d3)
	[ "$status" -eq 0 ]
	grep -qx 'earlybind.vfio-8086-10d3=2' "$nfd"
	# no such directory: no file, no complaint
	rm -rf "$T/root/etc/kubernetes"
	run "$EB" status --sysfs "$T/s" --root "$T/root" --prometheus --write "$T/metrics.prom" $(cl vfio-pci.ids=8086:10d3)
	[ "$status" -eq 0 ]
	[ ! -e "$T/root/etc/kubernetes" ]
}
