#!/usr/bin/env bats
# The boot's record in /run/earlybind belongs to the boot: hand runs never rewrite it, a dry run
# by hand writes nothing, and every entry says where it came from.
load helpers

setup_file() {
	"$REPO/tests/fetch-kernel.sh" >/dev/null
}

nics() {
	mocked_machine \
		"dev 0000:00:04.0 8086:1901 class=060400 bridge secondary=04 driver=pcieport group=4" \
		"dev 0000:04:00.0 1234:0001 class=040300 native=snd_hda_intel group=4"
}

# clk WORDS...: a command-line file per first word, so several stay at once
clk() {
	printf '%s\n' "$*" >"$T/cmdline.$1"
	echo "--cmdline $T/cmdline.$1"
}

# the boot's run: the initramfs marker present
boot_run() {
	: >"$T/root/etc/initrd-release"
	eb_mocked "$T/s" apply "$@" >/dev/null
	rm -f "$T/root/etc/initrd-release"
}

# every file under the state directory with its checksum
state_sum() {
	(cd "$T/root/run/earlybind" && find . -type f -exec md5sum {} + | sort)
}

@test "a dry run by hand writes nothing: the boot's files stay byte-identical, no lock file" {
	nics
	boot_run $(clk earlybind.claim=04:00.0)
	[ "$(driver "$T/s" 0000:04:00.0)" = vfio-pci ]
	before=$(state_sum)
	[ -n "$before" ]
	run eb_mocked "$T/s" apply --dry-run $(clk earlybind.claim=02:00.0)
	[ "$status" -eq 0 ]
	[[ "$output" == *"0000:02:00.0 dry-run"* ]]
	[ "$(state_sum)" = "$before" ]
	run eb_mocked "$T/s" apply $(clk earlybind.claim=02:00.0 earlybind.dryrun)
	[ "$(state_sum)" = "$before" ]
	[ "$(driver "$T/s" 0000:02:00.0)" = e1000e ]
	# without any state yet: not even the directory
	rm -rf "$T/root/run"
	run eb_mocked "$T/s" apply --dry-run $(clk earlybind.claim=02:00.0)
	[ ! -e "$T/root/run/earlybind" ]
}

@test "a hand apply after boot: the boot's entries unchanged, the new one marked as by hand" {
	nics
	boot_run $(clk earlybind.claim=04:00.0)
	boot_line=$(grep '^0000:04:00.0' "$T/root/run/earlybind/results")
	[[ "$boot_line" == *"	initramfs	"* ]]
	boot_json=$(jq -c .boot "$T/root/run/earlybind/state.json")
	run eb_mocked "$T/s" apply $(clk earlybind.claim=02:00.0)
	[ "$status" -eq 0 ]
	[ "$(driver "$T/s" 0000:02:00.0)" = vfio-pci ]
	# the boot line byte-identical, the boot's plan too; the hand line beside it
	[ "$(grep '^0000:04:00.0' "$T/root/run/earlybind/results")" = "$boot_line" ]
	[ "$(jq -c .boot "$T/root/run/earlybind/state.json")" = "$boot_json" ]
	grep -qP '^0000:02:00.0\tclaimed\tvfio-pci\te1000e\tvfio-pci\t-\thand\t[0-9]+\t-\tearlybind.claim=02:00.0$' "$T/root/run/earlybind/results"
	jq -e '.results[] | select(.address == "0000:02:00.0") | .origin == "hand" and .time > 0' "$T/root/run/earlybind/state.json"
	jq -e '.results[] | select(.address == "0000:04:00.0") | .origin == "initramfs"' "$T/root/run/earlybind/state.json"
	# status says which is which
	run "$EB" status --sysfs "$T/s" --root "$T/root" $(clk earlybind.claim=04:00.0)
	echo "$output"
	[[ "$output" == *"at boot (initramfs): claimed vfio-pci (was on -)"* ]]
	[[ "$output" == *"by hand 2"*": claimed vfio-pci (was on e1000e)"* ]]
	run "$EB" status --sysfs "$T/s" --root "$T/root" --json $(clk earlybind.claim=04:00.0)
	printf '%s' "$output" | jq -e '[.state[] | .origin] | sort == ["hand","initramfs"]'
	# check: both in effect
	run "$EB" check --sysfs "$T/s" --root "$T/root"
	[ "$status" -eq 0 ]
	[[ "$output" == "every claim from the boot and by hand is in effect" ]]
	# a hand claim lost: check names it as a hand claim
	# what the kernel's unbind leaves: no driver link, no DRIVER= in uevent
	rm "$T/s/bus/pci/devices/0000:02:00.0/driver" "$T/s/bus/pci/drivers/vfio-pci/0000:02:00.0"
	sed -i '/^DRIVER=/d' "$T/s/bus/pci/devices/0000:02:00.0/uevent"
	[ "$(driver "$T/s" 0000:02:00.0)" = - ]
	run "$EB" check --sysfs "$T/s" --root "$T/root"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"0000:02:00.0: claimed for vfio-pci by hand, now on no driver"* ]]
}

@test "a boot claim released by hand: the boot entry stays, check does not call it lost" {
	nics
	boot_run $(clk earlybind.claim=04:00.0)
	boot_line=$(grep '^0000:04:00.0' "$T/root/run/earlybind/results")
	run eb_mocked "$T/s" release 0000:04:00.0
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^0000:04:00.0' "$T/root/run/earlybind/results")" -eq 2 ]
	[ "$(grep '^0000:04:00.0.*initramfs' "$T/root/run/earlybind/results")" = "$boot_line" ]
	grep -qP '^0000:04:00.0\treleased\tvfio-pci\tvfio-pci\t-\t-\thand\t' "$T/root/run/earlybind/results"
	run "$EB" check --sysfs "$T/s" --root "$T/root"
	[ "$status" -eq 0 ]
	run "$EB" status --sysfs "$T/s" --root "$T/root" $(clk earlybind.claim=04:00.0)
	[[ "$output" == *"at boot (initramfs): claimed vfio-pci"* ]]
	[[ "$output" == *"by hand 2"*": released vfio-pci (was on vfio-pci)"* ]]
}

@test "earlybind.dryrun at boot (the initrd marker present) is recorded as the boot's dry run" {
	nics
	boot_run $(clk earlybind.claim=04:00.0 earlybind.dryrun)
	[ "$(driver "$T/s" 0000:04:00.0)" = - ]
	grep -qP '^0000:04:00.0\tdry-run\tvfio-pci\t-\t-\t-\tinitramfs\t[0-9]+\t-\tearlybind.claim=04:00.0$' "$T/root/run/earlybind/results"
	jq -e '.boot.dryrun == true' "$T/root/run/earlybind/state.json"
	run "$EB" status --sysfs "$T/s" --root "$T/root" $(clk earlybind.claim=04:00.0)
	[[ "$output" == *"at boot (initramfs): dry run, would claim for vfio-pci (on -)"* ]]
}

@test "a udev run (apply --device with udev's environment) is part of the boot's record" {
	nics
	boot_run $(clk earlybind.claim=01:00.0)
	DEVPATH=/devices/pci0000:00/0000:00:02.0/0000:02:00.0 ACTION=add \
		eb_mocked "$T/s" apply --device 0000:02:00.0 $(clk earlybind.claim=01:00.0,02:00.0)
	[ "$(driver "$T/s" 0000:02:00.0)" = vfio-pci ]
	grep -qP '^0000:02:00.0\tclaimed\tvfio-pci\te1000e\tvfio-pci\t-\tudev\t[0-9]+\t-\tearlybind.claim=02:00.0$' "$T/root/run/earlybind/results"
	grep -qP '^0000:01:00.0\tclaimed\tvfio-pci\te1000e\tvfio-pci\t-\tinitramfs\t' "$T/root/run/earlybind/results"
	run "$EB" status --sysfs "$T/s" --root "$T/root" $(clk earlybind.claim=01:00.0,02:00.0)
	[[ "$output" == *"at boot (udev): claimed vfio-pci (was on e1000e)"* ]]
}

@test "a results file of the first format (six fields) still reads as the boot's" {
	nics
	mkdir -p "$T/root/run/earlybind"
	printf '0000:04:00.0\tclaimed\tvfio-pci\t-\tvfio-pci\t-\n' >"$T/root/run/earlybind/results"
	run "$EB" status --sysfs "$T/s" --root "$T/root" --json $(clk quiet)
	printf '%s' "$output" | jq -e '.state[0].origin == "initramfs" and .state[0].result == "claimed"'
}
