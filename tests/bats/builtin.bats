#!/usr/bin/env bats
# Kernels with vfio-pci or pci-stub built in (Ubuntu's vfio-pci, RHEL-style pci-stub): the kernel
# applies their ids= itself at the driver's registration, before any initramfs code runs. What
# earlybind would not claim is given back to its own driver, and the driver's dynamic ids do not
# take it again. The trees model it with tests/mksysfs.py --builtin, the kernel model
# (tests/mock/pcimock.c) with the drivers' dynamic ids and remove_id.
load helpers

setup_file() {
	"$REPO/tests/fetch-kernel.sh" >/dev/null
}

# builtin_twins BUILTIN [EXTRA-SPEC-LINES...]: the e1000e twins of mocked_machine (e1000e loaded:
# a booted system, or a late run) with the driver BUILTIN ("vfio-pci=IDS") built in
builtin_twins() {
	local b=$1
	shift
	MKTREE_OPTS="--builtin $b" mocked_machine "$@"
}

# mock_sh COMMAND: a shell command whose sysfs writes land in the kernel model
mock_sh() {
	EB_MOCK_SYSFS=$T/s EB_MOCK_LOG=$T/mock.log LD_PRELOAD=$PCIMOCK sh -c "$1"
}

@test "the tree: a built-in vfio-pci holds both twins by its ids, and the model reprobes a released twin onto it" {
	builtin_twins vfio-pci=8086:10d3
	[ "$(driver "$T/s" 0000:01:00.0)" = vfio-pci ]
	[ "$(driver "$T/s" 0000:02:00.0)" = vfio-pci ]
	[ -d "$T/s/module/vfio_pci" ]
	[ ! -e "$T/s/module/vfio_pci/initstate" ]
	# the kernel's rule this feature is about: a dynamic id takes the device back on a reprobe
	mock_sh "echo 0000:01:00.0 >$T/s/bus/pci/drivers/vfio-pci/unbind; echo 0000:01:00.0 >$T/s/bus/pci/drivers_probe"
	[ "$(driver "$T/s" 0000:01:00.0)" = vfio-pci ]
}

@test "plan on a built-in vfio-pci: the kept twin is given back, the other already claimed; plan says why" {
	builtin_twins vfio-pci=8086:10d3
	run plan_json "$T/s" "vfio-pci.ids=8086:10d3 earlybind.keep=0000:01:00.0"
	[ "$status" -eq 0 ]
	[ "$(action 0000:01:00.0)" = "return null" ]
	[ "$(action 0000:02:00.0)" = "already vfio-pci" ]
	printf '%s' "$output" | jq -e '.devices[] | select(.address == "0000:01:00.0") | .reason |
		startswith("given back to its own driver: vfio_pci is built in and took it through the kernel'"'"'s vfio-pci.ids=8086:10d3 before earlybind ran, but earlybind.keep: kept by the host")'
	warnings | grep -q '^vfio_pci is built into this kernel: the kernel applies vfio-pci.ids itself before earlybind runs'
	printf '%s' "$output" >"$T/p.json"
	python3 "$REPO/tests/validate-json.py" "$T/p.json"
	run "$EB" plan --sysfs "$T/s" $(cl vfio-pci.ids=8086:10d3 earlybind.keep=0000:01:00.0)
	[[ $output == *"0000:01:00.0  8086:10d3 020000 vfio-pci       return  -        given back to its own driver"* ]]
	[[ $output == *"0 refuse, 0 skip, 1 return"* ]]
}

@test "apply on a built-in vfio-pci: the kept twin goes back to e1000e, its dynamic id is removed, a reprobe leaves it there" {
	builtin_twins vfio-pci=8086:10d3
	run eb_mocked "$T/s" apply $(cl vfio-pci.ids=8086:10d3 earlybind.keep=0000:01:00.0)
	echo "$output"
	cat "$T/kmsg"
	[ "$status" -eq 0 ]
	[ "$(driver "$T/s" 0000:01:00.0)" = e1000e ]
	[ "$(driver "$T/s" 0000:02:00.0)" = vfio-pci ]
	[ "$(override "$T/s" 0000:01:00.0)" = "(null)" ]
	grep -q '^remove_id vfio-pci 8086 10d3 ffffffff ffffffff 0 0$' "$T/mock.log"
	grep -q '^<5>earlybind: 0000:01:00.0 8086:10d3: given back (was on vfio-pci, now on e1000e) \[given back to its own driver: ' "$T/kmsg"
	grep -q '1 to give back' "$T/kmsg"
	[[ $output == *"0000:01:00.0 returned vfio-pci vfio-pci -> e1000e"* ]]
	jq -e '.results[] | select(.address == "0000:01:00.0") | .result == "returned" and .final_driver == "e1000e"' "$T/root/run/earlybind/state.json"
	# a reprobe (a rescan, a driver unbinding it) finds no dynamic id of vfio-pci any more
	mock_sh "echo 0000:01:00.0 >$T/s/bus/pci/drivers/e1000e/unbind; echo 0000:01:00.0 >$T/s/bus/pci/drivers_probe"
	[ "$(driver "$T/s" 0000:01:00.0)" = e1000e ]
	# and a second run changes nothing
	: >"$T/mock.log"
	run eb_mocked "$T/s" apply $(cl vfio-pci.ids=8086:10d3 earlybind.keep=0000:01:00.0)
	[ "$status" -eq 0 ]
	run ! grep -qE '^(unbind|remove_id|override)' "$T/mock.log"
}

@test "in the initramfs, before the NIC's module loads: the kept twin is left unbound for e1000e, which then takes it" {
	builtin_twins vfio-pci=8086:10d3
	# the spec's e1000e is not loaded yet: unregister it, the twins' native driver stays e1000e
	rm -rf "$T/s/bus/pci/drivers/e1000e" "$T/s/module/e1000e"
	: >"$T/root/etc/initrd-release"
	run eb_mocked "$T/s" apply $(cl vfio-pci.ids=8086:10d3 earlybind.keep=0000:01:00.0)
	[ "$status" -eq 0 ]
	[ "$(driver "$T/s" 0000:01:00.0)" = - ]
	grep -q 'given back (was on vfio-pci, now on no driver: its own binds it when it loads)' "$T/kmsg"
	# udev's coldplug loads e1000e: its driver_attach takes the twin, vfio-pci's ids no longer do
	mock_sh "insmod $(find "$MODDIR" -name 'e1000e.ko*' | head -n 1)"
	grep -q '^insmod e1000e' "$T/mock.log"
	[ "$(driver "$T/s" 0000:01:00.0)" = e1000e ]
	[ "$(driver "$T/s" 0000:02:00.0)" = vfio-pci ]
}

@test "the root disk selected by ids on a built-in vfio-pci in an initramfs without a list: refused and given back to its driver" {
	builtin_twins vfio-pci=1af4:1042 \
		"dev 0000:00:0b.0 8086:1901 class=060400 bridge secondary=05 driver=pcieport group=5" \
		"dev 0000:05:00.0 1af4:1042 class=010000 native=virtio-pci group=6"
	: >"$T/root/etc/initrd-release"
	[ "$(driver "$T/s" 0000:05:00.0)" = vfio-pci ]
	run eb_mocked "$T/s" apply $(cl vfio-pci.ids=1af4:1042)
	[ "$status" -eq 0 ]
	[ "$(driver "$T/s" 0000:05:00.0)" = - ]
	grep -q '^remove_id vfio-pci 1af4 1042 ffffffff ffffffff 0 0$' "$T/mock.log"
	grep -q "0000:05:00.0 1af4:1042: given back (was on vfio-pci, now on no driver: its own binds it when it loads) \[given back to its own driver: vfio_pci is built in and took it through the kernel's vfio-pci.ids=1af4:1042 before earlybind ran, but mass storage selected only by ids while the image's boot-device list is missing or empty" "$T/kmsg"
}

@test "the udev path: a hot-added twin the built-in vfio-pci took by its ids, kept, is given back; the claimed twin is left alone" {
	builtin_twins vfio-pci=8086:10d3
	: >"$T/mock.log"
	DEVPATH=/devices/x ACTION=add run eb_mocked "$T/s" apply --device 0000:01:00.0 $(cl vfio-pci.ids=8086:10d3 earlybind.keep=0000:01:00.0)
	[ "$status" -eq 0 ]
	[ "$(driver "$T/s" 0000:01:00.0)" = e1000e ]
	grep -q 'given back (was on vfio-pci, now on e1000e)' "$T/kmsg"
	: >"$T/mock.log"
	DEVPATH=/devices/x ACTION=add run eb_mocked "$T/s" apply --device 0000:02:00.0 $(cl vfio-pci.ids=8086:10d3 earlybind.keep=0000:01:00.0)
	[ "$status" -eq 0 ]
	[ "$(driver "$T/s" 0000:02:00.0)" = vfio-pci ]
	run ! grep -qE '^(unbind|remove_id|override)' "$T/mock.log"
}

@test "the handoff: a built-in pci-stub holds both twins from the first instant, earlybind.claim moves one to vfio-pci" {
	builtin_twins pci-stub=8086:10d3
	[ "$(driver "$T/s" 0000:02:00.0)" = pci-stub ]
	run eb_mocked "$T/s" apply $(cl pci-stub.ids=8086:10d3 earlybind.claim=0000:02:00.0)
	[ "$status" -eq 0 ]
	[ "$(driver "$T/s" 0000:02:00.0)" = vfio-pci ]
	[ "$(override "$T/s" 0000:02:00.0)" = vfio-pci ]
	[ "$(driver "$T/s" 0000:01:00.0)" = pci-stub ]
	grep -q 'claimed for vfio-pci (was on pci-stub)' "$T/kmsg"
}

@test "the kernel alone claims both twins by its ids: earlybind finds them already claimed and changes nothing" {
	builtin_twins vfio-pci=8086:10d3
	run plan_json "$T/s" "vfio-pci.ids=8086:10d3"
	[ "$(action 0000:01:00.0)" = "already vfio-pci" ]
	[ "$(action 0000:02:00.0)" = "already vfio-pci" ]
	: >"$T/mock.log"
	run eb_mocked "$T/s" apply $(cl vfio-pci.ids=8086:10d3)
	[ "$status" -eq 0 ]
	run ! grep -qE '^(unbind|remove_id|override|insmod)' "$T/mock.log"
}

@test "a twin claimed by hand (driver_override) on a built-in vfio-pci is not given back by a keep: the override says someone chose it" {
	builtin_twins vfio-pci=8086:10d3
	printf 'vfio-pci\n' >"$T/s/bus/pci/devices/0000:01:00.0/driver_override"
	run plan_json "$T/s" "vfio-pci.ids=8086:10d3 earlybind.keep=0000:01:00.0"
	[ "$(action 0000:01:00.0)" = "keep null" ]
}

# builtin_tree MODULE.ko...: a module tree whose modules.builtin names them, in $T/k (MODDIR_B),
# with the real vfio modules (and their dependency irqbypass) of MODDIR for libkmod to load
builtin_tree() {
	local v
	v=$(basename "$MODDIR")
	MODDIR_B=$T/k/lib/modules/$v
	mkdir -p "$MODDIR_B/kernel"
	find "$MODDIR" \( -name 'vfio*.ko*' -o -name 'irqbypass.ko*' \) -exec cp {} "$MODDIR_B/kernel/" \;
	printf '%s\n' "$@" >"$MODDIR_B/modules.builtin"
	: >"$MODDIR_B/modules.order"
	depmod -b "$T/k" "$v" 2>/dev/null
}

@test "both ids on a built-in pci-stub (no module/pci_stub: modules.builtin says it): pci-stub holds the twins first, vfio-pci is where they go; the kept twin goes back to e1000e from both drivers' ids" {
	builtin_twins pci-stub=8086:10d3
	[ ! -e "$T/s/module/pci_stub" ]
	builtin_tree kernel/drivers/pci/pci-stub.ko
	run "$EB" plan --sysfs "$T/s" --moddir "$MODDIR_B" --json $(cl pci-stub.ids=8086:10d3 vfio-pci.ids=8086:10d3 earlybind.keep=0000:01:00.0)
	[ "$(action 0000:02:00.0)" = "claim vfio-pci" ]
	[ "$(action 0000:01:00.0)" = "return null" ]
	warnings | grep -q '^0000:02:00.0 matches both vfio-pci.ids and pci-stub.ids: the built-in pci-stub holds it from the start, earlybind moves it to vfio-pci'
	warnings | grep -q '^pci_stub is built into this kernel'
	# without the module tree that says so, pci-stub keeps them, as on a modular kernel
	run plan_json "$T/s" "pci-stub.ids=8086:10d3 vfio-pci.ids=8086:10d3"
	[ "$(action 0000:02:00.0)" = "already pci-stub" ]
	MODDIR=$MODDIR_B run eb_mocked "$T/s" apply $(cl pci-stub.ids=8086:10d3 vfio-pci.ids=8086:10d3 earlybind.keep=0000:01:00.0)
	[ "$status" -eq 0 ]
	[ "$(driver "$T/s" 0000:02:00.0)" = vfio-pci ]
	[ "$(driver "$T/s" 0000:01:00.0)" = e1000e ]
	grep -q '^remove_id pci-stub 8086 10d3 ffffffff ffffffff 0 0$' "$T/mock.log"
	# modular pci-stub: as before, pci-stub wins
	rm -rf "$T/s" && mocked_machine
	run plan_json "$T/s" "pci-stub.ids=8086:10d3 vfio-pci.ids=8086:10d3"
	[ "$(action 0000:02:00.0)" = "claim pci-stub" ]
}

@test "doctor and suggest on a built-in vfio-pci say what the kernel does with ids; doctor reads a module tree's modules.builtin too" {
	builtin_twins vfio-pci=8086:10d3
	run "$EB" doctor --sysfs "$T/s" --root "$T/root" --moddir "$MODDIR"
	[[ $output == *"vfio_pci is built into this kernel: the kernel applies vfio-pci.ids itself before earlybind runs"* ]]
	run "$EB" suggest --sysfs "$T/s" 0000:02:00.0
	[ "$status" -eq 0 ]
	[[ $output == *"earlybind.claim=0000:00:02.0/00.0@8086:10d3"* ]]
	[[ $output == *"vfio_pci is built into this kernel: it binds every device that vfio-pci.ids= matches when it registers, before earlybind runs; the devices whose ids other devices here share are claimed by address"* ]]
	# a Debian tree with its module tree's modules.builtin naming vfio-pci: what the next image boots
	rm -rf "$T/s" && mocked_machine
	mkdir -p "$T/k/lib/modules/9.9.9-test"
	printf 'kernel/drivers/vfio/pci/vfio-pci.ko\n' >"$T/k/lib/modules/9.9.9-test/modules.builtin"
	: >"$T/k/lib/modules/9.9.9-test/modules.order"
	depmod -b "$T/k" 9.9.9-test 2>/dev/null
	run "$EB" doctor --sysfs "$T/s" --root "$T/root" --moddir "$T/k/lib/modules/9.9.9-test"
	[[ $output == *"vfio_pci is built into the module tree's kernel (modules.builtin)"* ]]
	run ! grep -q 'pci_stub is built' <<<"$output"
	run "$EB" doctor --sysfs "$T/s" --root "$T/root" --moddir "$MODDIR"
	run ! grep -q 'is built into' <<<"$output"
}
