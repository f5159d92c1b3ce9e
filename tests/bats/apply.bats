#!/usr/bin/env bats
# apply, release and check on fake trees whose writes behave like the kernel's (tests/mock/pcimock.c).
# Modules come from the real Debian kernel package; insertion is intercepted, never real.
load helpers

setup_file() {
	"$REPO/tests/fetch-kernel.sh" >/dev/null
}

nics() {
	cat >"$T/spec" <<'S'
dev 0000:00:01.0 8086:1901 class=060400 bridge secondary=01 driver=pcieport group=1
dev 0000:01:00.0 8086:10d3 sub=8086:a01f driver=e1000e group=1
dev 0000:00:02.0 8086:1901 class=060400 bridge secondary=02 driver=pcieport group=2
dev 0000:02:00.0 8086:10d3 sub=8086:a01f driver=e1000e group=2
dev 0000:00:03.0 8086:1901 class=060400 bridge secondary=03 driver=pcieport group=3
dev 0000:03:00.0 8086:100e driver=e1000 group=3
dev 0000:00:04.0 8086:1901 class=060400 bridge secondary=04 driver=pcieport group=4
dev 0000:04:00.0 1234:0001 class=040300 native=snd_hda_intel group=4
S
	mktree s --spec "$T/spec" "$@"
	MODDIR=$(kernel_moddir)
	mkdir -p "$T/root"
}

@test "claim an unbound device: vfio-pci is loaded through libkmod with its dependencies" {
	nics
	run eb_mocked "$T/s" apply $(cl earlybind.claim=04:00.0)
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(driver "$T/s" 0000:04:00.0)" = vfio-pci ]
	[ "$(override "$T/s" 0000:04:00.0)" = vfio-pci ]
	# the dependency chain of the real modules.dep, each before its user
	grep '^insmod' "$T/mock.log" | awk '{print $2}' | tr '\n' ' ' | grep -q 'irqbypass vfio .*vfio_pci_core vfio_pci'
	[ -d "$T/s/module/vfio_pci" ]
}

@test "takeover from a bound driver: unbind e1000e, probe, verify" {
	nics
	run eb_mocked "$T/s" apply $(cl earlybind.claim=02:00.0)
	[ "$status" -eq 0 ]
	[ "$(driver "$T/s" 0000:02:00.0)" = vfio-pci ]
	[ "$(driver "$T/s" 0000:01:00.0)" = e1000e ]
	grep -q '^unbind 0000:02:00.0 e1000e$' "$T/mock.log"
	grep -q 'claimed for vfio-pci (was on e1000e)' "$T/kmsg"
	[[ "$output" == *"0000:02:00.0 claimed  vfio-pci e1000e -> vfio-pci"* ]]
}

@test "twins by ids with a keep; ids from cmdline and modprobe.d never reach the module" {
	nics
	mkdir -p "$T/root/etc/modprobe.d"
	echo 'options vfio-pci ids=8086:10d3 disable_idle_d3=1' >"$T/root/etc/modprobe.d/vfio.conf"
	run eb_mocked "$T/s" apply $(cl vfio-pci.ids=8086:10d3 earlybind.keep=01:00.0 vfio_pci.disable_vga=1)
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(driver "$T/s" 0000:01:00.0)" = e1000e ]
	[ "$(driver "$T/s" 0000:02:00.0)" = vfio-pci ]
	grep '^insmod vfio_pci ' "$T/mock.log"
	grep -q '^insmod vfio_pci disable_idle_d3=1 disable_vga=1$' "$T/mock.log"
	run ! grep -q 'ids=' "$T/mock.log"
	# a model check: had ids= reached the module, the kernel would have grabbed the kept twin
	[ ! -e "$T/s/bus/pci/drivers/vfio-pci/.dynids" ]
}

@test "modprobe.d ids alone select devices (plan and apply)" {
	nics
	mkdir -p "$T/root/etc/modprobe.d"
	echo 'options pci_stub ids=8086:100e' >"$T/root/etc/modprobe.d/stub.conf"
	run eb_mocked "$T/s" apply $(cl quiet)
	[ "$status" -eq 0 ]
	[ "$(driver "$T/s" 0000:03:00.0)" = pci-stub ]
	grep -q '^insmod pci_stub $' "$T/mock.log"
}

@test "modprobe.d is read where libkmod reads it: /usr/lib/modprobe.d too, only *.conf files" {
	nics
	mkdir -p "$T/root/usr/lib/modprobe.d" "$T/root/etc/modprobe.d"
	echo 'options pci_stub ids=8086:100e' >"$T/root/usr/lib/modprobe.d/stub.conf"
	# not a .conf file: libkmod never reads it, so neither planning nor doctor may
	echo 'options vfio_pci ids=8086:10d3' >"$T/root/etc/modprobe.d/vfio.conf.dpkg-old"
	run "$EB" plan --sysfs "$T/s" --root "$T/root" $(cl quiet)
	echo "$output"
	[[ "$output" == *"0000:03:00.0"*"claim"*"pci-stub"* ]]
	run ! grep -q 'vfio' <<<"$(printf '%s\n' "$output" | grep -E '^0000:0[12]:00.0')"
	run "$EB" doctor --sysfs "$T/s" --root "$T/root" $(cl quiet)
	echo "$output"
	[[ "$output" == *"/usr/lib/modprobe.d/stub.conf"* ]]
	[[ "$output" != *"vfio.conf.dpkg-old"* ]]
}

@test "every module inserted gets its modprobe.d and command-line options, as modprobe would; never ids=" {
	nics
	mkdir -p "$T/root/etc/modprobe.d"
	echo 'options vfio_iommu_type1 dma_entry_limit=4096' >"$T/root/etc/modprobe.d/iommu.conf"
	run eb_mocked "$T/s" apply $(cl earlybind.claim=04:00.0 vfio_iommu_type1.allow_unsafe_interrupts=1 \
		vfio.enable_unsafe_noiommu_mode=1 vfio-pci.disable_vga=1 '"vfio_pci.ids=8086:10d3"')
	echo "$output"
	cat "$T/mock.log"
	[ "$status" -eq 0 ]
	[ "$(driver "$T/s" 0000:04:00.0)" = vfio-pci ]
	grep -q '^insmod vfio_iommu_type1 dma_entry_limit=4096 allow_unsafe_interrupts=1$' "$T/mock.log"
	grep -q '^insmod vfio enable_unsafe_noiommu_mode=1$' "$T/mock.log"
	grep -q '^insmod vfio_pci disable_vga=1$' "$T/mock.log"
	run ! grep -q 'ids=' "$T/mock.log"
	# the same words from the config file reach the modules too
	rm -rf "$T/s" "$T/mock.log" && nics
	mkdir -p "$T/root/etc/earlybind" "$T/root/proc" && : >"$T/root/proc/cmdline"
	printf '# iommu\nvfio_iommu_type1.allow_unsafe_interrupts=Y earlybind.claim=04:00.0\n' >"$T/root/etc/earlybind/cmdline.conf"
	EB_MOCK_SYSFS=$T/s EB_MOCK_LOG=$T/mock.log LD_PRELOAD=$PCIMOCK \
		"$EB" apply --sysfs "$T/s" --root "$T/root" --moddir "$MODDIR" --kmsg "$T/kmsg"
	grep -q '^insmod vfio_iommu_type1 dma_entry_limit=4096 allow_unsafe_interrupts=Y$' "$T/mock.log"
}

@test "a soft dependency that cannot be loaded does not block the claim; install commands are named, not run" {
	nics
	mkdir -p "$T/root/etc/modprobe.d"
	echo 'install vfio-pci /usr/local/bin/vfio-pci-override.sh' >"$T/root/etc/modprobe.d/override.conf"
	# vfio_iommu_type1 is a soft (post) dependency of vfio in modules.softdep
	EB_MOCK_LOADFAIL=vfio_iommu_type1 run eb_mocked "$T/s" apply $(cl earlybind.claim=04:00.0)
	echo "$output"
	cat "$T/kmsg"
	[ "$status" -eq 0 ]
	[ "$(driver "$T/s" 0000:04:00.0)" = vfio-pci ]
	grep -q 'soft dependency vfio_iommu_type1 not loaded (inserting vfio_iommu_type1: Exec format error); carried on' "$T/kmsg"
	grep -q 'modprobe.d has an install command for vfio_pci: not run, vfio_pci inserted directly' "$T/kmsg"
	# a hard dependency that cannot be loaded still stops the claim before the device is touched
	rm -rf "$T/s" "$T/mock.log" && nics
	EB_MOCK_LOADFAIL=vfio_pci_core run eb_mocked "$T/s" apply $(cl earlybind.claim=04:00.0)
	[ "$status" -eq 1 ]
	[ "$(driver "$T/s" 0000:04:00.0)" = - ]
	run ! grep -q '^override' "$T/mock.log"
}

@test "ids given but every match kept: the driver is loaded anyway, without ids, so a later modprobe cannot bind them" {
	nics
	run eb_mocked "$T/s" apply $(cl vfio-pci.ids=8086:10d3 earlybind.keep=01:00.0,02:00.0)
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(driver "$T/s" 0000:01:00.0)" = e1000e ]
	[ "$(driver "$T/s" 0000:02:00.0)" = e1000e ]
	grep -q '^insmod vfio_pci $' "$T/mock.log"
	[ -d "$T/s/module/vfio_pci" ]
	grep -q 'loaded vfio_pci' "$T/kmsg"
	# pci-stub from modprobe.d alone, its only match kept
	rm -rf "$T/s" "$T/mock.log" && nics
	mkdir -p "$T/root/etc/modprobe.d"
	echo 'options pci_stub ids=8086:100e' >"$T/root/etc/modprobe.d/stub.conf"
	run eb_mocked "$T/s" apply $(cl earlybind.keep=03:00.0)
	[ "$(driver "$T/s" 0000:03:00.0)" = e1000 ]
	grep -q '^insmod pci_stub $' "$T/mock.log"
	# no ids at all, or switched off: nothing loaded
	rm -rf "$T/s" "$T/mock.log" "$T/root/etc/modprobe.d/stub.conf" && nics
	run eb_mocked "$T/s" apply $(cl earlybind.keep=03:00.0)
	[ ! -e "$T/mock.log" ] || run ! grep -q '^insmod' "$T/mock.log"
	rm -rf "$T/s" "$T/mock.log" && nics
	run eb_mocked "$T/s" apply $(cl vfio-pci.ids=8086:10d3 earlybind=0)
	[ ! -e "$T/mock.log" ] || run ! grep -q '^insmod' "$T/mock.log"
}

@test "a driver that binds during the claim (async probe after the scan): taken over, not left unbound" {
	nics
	echo 'dev 0000:05:00.0 8086:10d3 sub=8086:a01f group=5' >>"$T/spec"
	rm -rf "$T/s" && mktree s --spec "$T/spec"
	[ "$(driver "$T/s" 0000:05:00.0)" = - ]
	EB_MOCK_GRAB=0000:05:00.0=e1000e run eb_mocked "$T/s" apply $(cl earlybind.claim=05:00.0)
	echo "$output"
	cat "$T/mock.log"
	[ "$status" -eq 0 ]
	grep -q '^bind 0000:05:00.0 e1000e$' "$T/mock.log"
	grep -q '^unbind 0000:05:00.0 e1000e$' "$T/mock.log"
	[ "$(driver "$T/s" 0000:05:00.0)" = vfio-pci ]
	# the same race, and vfio-pci refuses it: the rollback leaves the device with the driver that
	# took it, never unbound
	rm -rf "$T/s" "$T/mock.log" && mktree s --spec "$T/spec"
	EB_MOCK_GRAB=0000:05:00.0=e1000e EB_MOCK_REFUSE=0000:05:00.0=vfio-pci \
		run eb_mocked "$T/s" apply $(cl earlybind.claim=05:00.0)
	cat "$T/mock.log"
	[ "$status" -eq 1 ]
	[ "$(driver "$T/s" 0000:05:00.0)" = e1000e ]
	[ "$(override "$T/s" 0000:05:00.0)" = "(null)" ]
}

@test "idempotent: a second run reports already and writes nothing" {
	nics
	run eb_mocked "$T/s" apply $(cl earlybind.claim=02:00.0 pci-stub.ids=8086:100e)
	[ "$status" -eq 0 ]
	: >"$T/mock.log"
	before=$(tree_sum "$T/s")
	run eb_mocked "$T/s" apply $(cl earlybind.claim=02:00.0 pci-stub.ids=8086:100e)
	[ "$status" -eq 0 ]
	[[ "$output" == *"0000:02:00.0 already  vfio-pci"* ]]
	[[ "$output" == *"0000:03:00.0 already  pci-stub"* ]]
	[ ! -s "$T/mock.log" ]
	[ "$before" = "$(tree_sum "$T/s")" ]
}

# fault_case FAULT_ENV EXPECT_DRIVER: one injected fault, then where the device must end.
fault_case() {
	nics
	run env "$1" bash -c "$(declare -f eb_mocked); T=$T MODDIR=$MODDIR EB=$EB PCIMOCK=$PCIMOCK eb_mocked $T/s apply --cmdline $T/cmdline" _
}

@test "every fault at every step leaves the device on its target or its original driver" {
	for fault in driver_override:1:EIO driver_override:1:EBUSY unbind:1:EBUSY unbind:1:ENODEV \
		drivers_probe:1:EIO drivers_probe:1:ENODEV drivers_probe:1:ENOMEM; do
		nics
		echo "earlybind.claim=02:00.0" >"$T/cmdline"
		run env EB_MOCK_FAIL="$fault" EB_MOCK_SYSFS="$T/s" LD_PRELOAD="$PCIMOCK" \
			"$EB" apply --sysfs "$T/s" --root "$T/root" --moddir "$MODDIR" --kmsg "$T/kmsg" --cmdline "$T/cmdline"
		echo "$fault: $output"
		[ "$status" -eq 1 ]
		[ "$(driver "$T/s" 0000:02:00.0)" = e1000e ]
		[ "$(override "$T/s" 0000:02:00.0)" = "(null)" ]
		grep -q 'claim for vfio-pci failed' "$T/kmsg"
		grep -q 'now on e1000e' "$T/kmsg"
		rm -rf "$T/s" "$T/root" "$T/kmsg"
	done
	# a fault in the rollback's own first write after a refused probe is reported, never hidden
	nics
	run env EB_MOCK_FAIL=driver_override:2:EIO EB_MOCK_REFUSE=0000:02:00.0=vfio-pci EB_MOCK_SYSFS="$T/s" LD_PRELOAD="$PCIMOCK" \
		"$EB" apply --sysfs "$T/s" --root "$T/root" --moddir "$MODDIR" --kmsg "$T/kmsg" --cmdline "$T/cmdline"
	[ "$status" -eq 1 ]
	grep -q 'clearing driver_override: Input/output error' "$T/kmsg"
	grep -q 'rollback left it on no driver, not e1000e' "$T/kmsg"
}

@test "a driver that lets go by itself before the unbind (async probe failing): still claimed" {
	nics
	echo "earlybind.claim=02:00.0" >"$T/cmdline"
	run env EB_MOCK_LETGO=0000:02:00.0 EB_MOCK_SYSFS="$T/s" EB_MOCK_LOG="$T/mock.log" LD_PRELOAD="$PCIMOCK" \
		"$EB" apply --sysfs "$T/s" --root "$T/root" --moddir "$MODDIR" --kmsg "$T/kmsg" --cmdline "$T/cmdline"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(driver "$T/s" 0000:02:00.0)" = vfio-pci ]
	grep -q 'claimed for vfio-pci (was on e1000e)' "$T/kmsg"
}

@test "a driver that refuses the device: back on the original driver" {
	nics
	echo "earlybind.claim=01:00.0,02:00.0" >"$T/cmdline"
	run env EB_MOCK_REFUSE=0000:01:00.0=vfio-pci EB_MOCK_SYSFS="$T/s" EB_MOCK_LOG="$T/mock.log" LD_PRELOAD="$PCIMOCK" \
		"$EB" apply --sysfs "$T/s" --root "$T/root" --moddir "$MODDIR" --kmsg "$T/kmsg" --cmdline "$T/cmdline"
	[ "$status" -eq 1 ]
	[ "$(driver "$T/s" 0000:01:00.0)" = e1000e ]
	[ "$(driver "$T/s" 0000:02:00.0)" = vfio-pci ]
	grep -q '0000:01:00.0 8086:10d3: claim for vfio-pci failed: vfio-pci did not bind it (now unbound); now on e1000e' "$T/kmsg"
}

@test "no IOMMU: vfio-pci refuses, the NIC ends back on e1000e" {
	nics --groups none
	run eb_mocked "$T/s" apply $(cl earlybind.claim=02:00.0)
	[ "$status" -eq 1 ]
	[ "$(driver "$T/s" 0000:02:00.0)" = e1000e ]
	jq -e '.results[] | select(.address == "0000:02:00.0") | .result == "failed" and .final_driver == "e1000e"' "$T/root/run/earlybind/state.json"
}

@test "a module that cannot be loaded: the device is not touched" {
	nics
	echo "earlybind.claim=02:00.0" >"$T/cmdline"
	run env EB_MOCK_LOADFAIL=vfio_pci EB_MOCK_SYSFS="$T/s" EB_MOCK_LOG="$T/mock.log" LD_PRELOAD="$PCIMOCK" \
		"$EB" apply --sysfs "$T/s" --root "$T/root" --moddir "$MODDIR" --kmsg "$T/kmsg" --cmdline "$T/cmdline"
	[ "$status" -eq 1 ]
	[ "$(driver "$T/s" 0000:02:00.0)" = e1000e ]
	run ! grep -q '^override' "$T/mock.log"
	run ! grep -q '^unbind' "$T/mock.log"
	grep -q 'cannot load vfio_pci: inserting vfio_pci: Exec format error' "$T/kmsg"
}

@test "boot device refused by physical path; its twin at another path claimed; force overrides" {
	cat >"$T/spec" <<'S'
dev 0000:00:03.0 8086:1901 class=060400 bridge secondary=03 driver=pcieport group=3
dev 0000:03:00.0 144d:a808 class=010802 driver=nvme group=3
dev 0000:00:04.0 8086:1901 class=060400 bridge secondary=04 driver=pcieport group=4
dev 0000:04:00.0 144d:a808 class=010802 driver=nvme group=4
S
	mktree s --spec "$T/spec"
	MODDIR=$(kernel_moddir)
	mkdir -p "$T/root/etc/earlybind"
	printf '# recorded\npci0000:00/03.0/00.0 144d:a808 0000:03:00.0 mount /\n' >"$T/root/etc/earlybind/boot-devices"
	touch "$T/root/etc/initrd-release"
	run eb_mocked "$T/s" apply $(cl vfio-pci.ids=144d:a808)
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(driver "$T/s" 0000:03:00.0)" = nvme ]
	[ "$(driver "$T/s" 0000:04:00.0)" = vfio-pci ]
	grep -q '^<4>earlybind: 0000:03:00.0 144d:a808: refused: boot device: carries mount /' "$T/kmsg"
	run eb_mocked "$T/s" apply $(cl vfio-pci.ids=144d:a808 earlybind.force=0000:03:00.0)
	[ "$status" -eq 0 ]
	[ "$(driver "$T/s" 0000:03:00.0)" = vfio-pci ]
}

@test "dry run (--dry-run and earlybind.dryrun) writes nothing and loads nothing" {
	nics
	before=$(tree_sum "$T/s")
	run eb_mocked "$T/s" apply --dry-run $(cl vfio-pci.ids=8086:10d3)
	[ "$status" -eq 0 ]
	[[ "$output" == *"0000:01:00.0 dry-run"* ]]
	run eb_mocked "$T/s" apply $(cl vfio-pci.ids=8086:10d3 earlybind.dryrun)
	[ "$status" -eq 0 ]
	[ "$before" = "$(tree_sum "$T/s")" ]
	[ ! -s "$T/mock.log" ]
	grep -q 'dry run: would load vfio_pci' "$T/kmsg"
	grep -q 'dry run: would claim for vfio-pci' "$T/kmsg"
}

@test "earlybind=0 does nothing at all" {
	nics
	before=$(tree_sum "$T/s")
	run eb_mocked "$T/s" apply $(cl vfio-pci.ids=8086:10d3 earlybind=0)
	[ "$status" -eq 0 ]
	[ "$before" = "$(tree_sum "$T/s")" ]
	grep -q 'off (earlybind=0): nothing done' "$T/kmsg"
}

@test "release gives a device back to its default driver; check sees claims lost" {
	nics
	# the boot's run (the initramfs marker present)
	mkdir -p "$T/root/etc" && : >"$T/root/etc/initrd-release"
	run eb_mocked "$T/s" apply $(cl earlybind.claim=01:00.0,02:00.0)
	[ "$status" -eq 0 ]
	rm "$T/root/etc/initrd-release"
	run eb_mocked "$T/s" check
	[ "$status" -eq 0 ]
	run eb_mocked "$T/s" release 0000:02:00.0
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(driver "$T/s" 0000:02:00.0)" = e1000e ]
	[ "$(override "$T/s" 0000:02:00.0)" = "(null)" ]
	run eb_mocked "$T/s" release 0000:03:00.0
	[ "$status" -eq 1 ]
	# 01:00.0 taken away behind our back: check lists it
	rm "$T/s/bus/pci/devices/0000:01:00.0/driver" "$T/s/bus/pci/drivers/vfio-pci/0000:01:00.0"
	sed -i '/^DRIVER=/d' "$T/s/bus/pci/devices/0000:01:00.0/uevent"
	run eb_mocked "$T/s" check
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"0000:01:00.0: claimed for vfio-pci at boot, now on no driver"* ]]
	[[ "$output" != *"0000:02:00.0"* ]]
	run eb_mocked "$T/s" status
	[[ "$output" == *"NO LONGER IN EFFECT"* ]]
}

@test "concurrent apply --device runs leave one valid state file with every result" {
	cat >"$T/spec" <<'S'
dev 0000:01:00.0 8086:10d3 driver=e1000e group=1
dev 0000:02:00.0 8086:10d3 driver=e1000e group=2
dev 0000:03:00.0 8086:10d3 driver=e1000e group=3
dev 0000:04:00.0 8086:10d3 driver=e1000e group=4
dev 0000:05:00.0 8086:10d3 driver=e1000e group=5
dev 0000:06:00.0 8086:10d3 driver=e1000e group=6
S
	mktree s --spec "$T/spec" --register vfio-pci
	MODDIR=$(kernel_moddir)
	echo "vfio-pci.ids=8086:10d3" >"$T/cmdline"
	for i in 1 2 3 4 5 6; do
		eb_mocked "$T/s" apply --device 0000:0$i:00.0 --cmdline "$T/cmdline" >/dev/null &
	done
	wait
	jq -e '[.results[] | select(.result == "claimed")] | length == 6' "$T/root/run/earlybind/state.json"
	[ "$(wc -l <"$T/root/run/earlybind/results")" -eq 6 ]
	for i in 1 2 3 4 5 6; do [ "$(driver "$T/s" 0000:0$i:00.0)" = vfio-pci ]; done
	[ -z "$(find "$T/root/run/earlybind/" -name "*tmp*")" ]
}

@test "never writes outside the sysfs root: a device link pointing out is refused" {
	nics
	mkdir -p "$T/outside/0000:09:00.0"
	cp -a "$(realpath "$T/s/bus/pci/devices/0000:02:00.0")/." "$T/outside/0000:09:00.0/"
	rm -f "$T/outside/0000:09:00.0/driver" "$T/outside/0000:09:00.0/subsystem" "$T/outside/0000:09:00.0/iommu_group"
	sed -i 's/DRIVER=e1000e//' "$T/outside/0000:09:00.0/uevent"
	ln -s "$T/outside/0000:09:00.0" "$T/s/bus/pci/devices/0000:09:00.0"
	before=$(tree_sum "$T/outside")
	run eb_mocked "$T/s" apply $(cl earlybind.claim=09:00.0,02:00.0)
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$before" = "$(tree_sum "$T/outside")" ]
	[[ "$output" == *"0000:09:00.0 failed"*"Operation not permitted"* ]]
	[ "$(driver "$T/s" 0000:02:00.0)" = vfio-pci ]
}

@test "kmsg: levels, a summary first, one line per claim, few lines in all" {
	nics
	run eb_mocked "$T/s" apply $(cl vfio-pci.ids=8086:10d3,zz earlybind.claim=../x)
	head -n 1 "$T/kmsg" | grep -q '^<5>earlybind: 8 PCI functions: 2 to claim'
	grep -q '^<4>earlybind: warning: vfio-pci.ids: invalid id "zz"' "$T/kmsg"
	[ "$(grep -c '^<6>earlybind: .*claimed for vfio-pci' "$T/kmsg")" -eq 2 ]
	[ "$(wc -l <"$T/kmsg")" -le 10 ]
}

@test "--device applies the plan to one device only" {
	nics
	run eb_mocked "$T/s" apply --device 0000:02:00.0 $(cl vfio-pci.ids=8086:10d3)
	[ "$status" -eq 0 ]
	[ "$(driver "$T/s" 0000:01:00.0)" = e1000e ]
	[ "$(driver "$T/s" 0000:02:00.0)" = vfio-pci ]
	run eb_mocked "$T/s" apply --device ../../x $(cl vfio-pci.ids=8086:10d3)
	[ "$status" -eq 2 ]
}
