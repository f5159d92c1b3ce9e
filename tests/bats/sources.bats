#!/usr/bin/env bats
# Where the command line comes from: /etc/cmdline, /etc/cmdline.d/*.conf, /proc/cmdline under --root.
load helpers

spec() {
	cat >"$T/spec" <<'S'
dev 0000:00:01.0 8086:1901 class=060400 bridge secondary=01 driver=pcieport group=1
dev 0000:01:00.0 8086:10d3 driver=e1000e group=1
dev 0000:02:00.0 8086:10d3 driver=e1000e group=2
dev 0000:03:00.0 8086:100e driver=e1000 group=3
dev 0000:04:00.0 1af4:1041 driver=virtio-pci group=4
S
	mktree s --spec "$T/spec"
}

@test "the three default sources merge in order under --root" {
	spec
	mkdir -p "$T/r/etc/cmdline.d" "$T/r/proc"
	echo 'earlybind.claim=01:00.0' >"$T/r/etc/cmdline"
	echo 'pci-stub.ids=8086:100e' >"$T/r/etc/cmdline.d/20-stub.conf"
	printf 'earlybind.claim=01:00.0=pci-stub\nearlybind.keep=04:00.0\n' >"$T/r/etc/cmdline.d/10-early.conf"
	echo 'not-a-conf earlybind.claim=04:00.0' >"$T/r/etc/cmdline.d/README"
	echo 'BOOT_IMAGE=/vmlinuz root=/dev/sda1 earlybind.claim=02:00.0 quiet' >"$T/r/proc/cmdline"
	run "$EB" plan --sysfs "$T/s" --root "$T/r" --json
	[ "$status" -eq 0 ]
	# /etc/cmdline said vfio-pci, a later .conf said pci-stub: the later source wins
	[ "$(action 0000:01:00.0)" = "claim pci-stub" ]
	[ "$(action 0000:02:00.0)" = "claim vfio-pci" ]
	[ "$(action 0000:03:00.0)" = "claim pci-stub" ]
	# not a .conf file: ignored
	[ "$(action 0000:04:00.0)" = "keep null" ]
	warnings | grep -q 'earlybind.claim=01:00.0 is overridden by the later earlybind.claim=01:00.0=pci-stub'
}

@test ".conf files are read in byte order" {
	spec
	mkdir -p "$T/r/etc/cmdline.d" "$T/r/proc"
	echo 'earlybind.claim=01:00.0=pci-stub' >"$T/r/etc/cmdline.d/B.conf"
	echo 'earlybind.claim=01:00.0' >"$T/r/etc/cmdline.d/a.conf"
	: >"$T/r/proc/cmdline"
	run "$EB" plan --sysfs "$T/s" --root "$T/r" --json
	# "B" (0x42) sorts before "a" (0x61): a.conf is last and wins
	[ "$(action 0000:01:00.0)" = "claim vfio-pci" ]
}

@test "--cmdline replaces the default sources and is repeatable in order" {
	spec
	mkdir -p "$T/r/proc"
	echo 'earlybind.claim=02:00.0' >"$T/r/proc/cmdline"
	echo 'earlybind.claim=01:00.0' >"$T/a"
	echo 'earlybind.claim=01:00.0=pci-stub' >"$T/b"
	run "$EB" plan --sysfs "$T/s" --root "$T/r" --cmdline "$T/a" --cmdline "$T/b" --json
	[ "$(action 0000:01:00.0)" = "claim pci-stub" ]
	[ "$(action 0000:02:00.0)" = "none null" ]
}

@test "kernel quoting, dash/underscore keys, rd. prefix and the -- end marker" {
	spec
	printf '%s\n' 'foo="a b" vfio_pci.ids=8086:10d3 "earlybind.keep=02:00.0" rd.earlybind-claim=03:00.0 -- earlybind.claim=04:00.0' >"$T/c"
	run "$EB" plan --sysfs "$T/s" --cmdline "$T/c" --json
	[ "$(action 0000:01:00.0)" = "claim vfio-pci" ]
	[ "$(action 0000:02:00.0)" = "keep null" ]
	[ "$(action 0000:04:00.0)" = "none null" ]
	# rd.earlybind-claim is not earlybind.claim ('-' is not '.'): an unknown key, ignored
	[ "$(action 0000:03:00.0)" = "none null" ]
	printf '%s\n' 'rd.earlybind.claim=03:00.0 rd.vfio-pci.ids=8086:10d3' >"$T/c"
	run "$EB" plan --sysfs "$T/s" --cmdline "$T/c" --json
	[ "$(action 0000:03:00.0)" = "claim vfio-pci" ]
	[ "$(action 0000:01:00.0)" = "none null" ]
	warnings | grep -q 'rd.vfio-pci.ids: the kernel.s keys have no rd. form'
}

@test "a missing --cmdline file is a warning, not a failure" {
	spec
	run "$EB" plan --sysfs "$T/s" --cmdline "$T/nonexistent" --json
	[ "$status" -eq 0 ]
	warnings | grep -q 'cannot read .*nonexistent'
}

@test "exit status: 2 for usage errors, 1 when bus/pci/devices cannot be read" {
	run "$EB"
	[ "$status" -eq 2 ]
	run "$EB" frobnicate
	[ "$status" -eq 2 ]
	run "$EB" plan --no-such-option
	[ "$status" -eq 2 ]
	: >"$T/c"
	run "$EB" plan --sysfs "$T/nowhere" --cmdline "$T/c"
	[ "$status" -eq 1 ]
	[[ "$output" == *"bus/pci/devices"* ]]
	run "$EB" --version
	[ "$status" -eq 0 ]
	[[ "$output" == "earlybind "* ]]
}

@test "warnings of one kind are capped at 20 plus a count" {
	spec
	ids=$(for i in $(seq 1 50); do printf 'bad%d,' "$i"; done)
	echo "vfio-pci.ids=${ids}8086:100e" >"$T/c"
	run "$EB" plan --sysfs "$T/s" --cmdline "$T/c" --json
	[ "$status" -eq 0 ]
	[ "$(warnings | grep -c 'invalid id')" -eq 20 ]
	warnings | grep -q '^30 more ids warnings not shown$'
	[ "$(action 0000:03:00.0)" = "claim vfio-pci" ]
}

@test "/etc/earlybind/cmdline.conf is read after /etc/cmdline.d and before /proc/cmdline" {
	spec
	mkdir -p "$T/r/etc/cmdline.d" "$T/r/etc/earlybind" "$T/r/proc"
	echo 'earlybind.claim=01:00.0' >"$T/r/etc/cmdline.d/10.conf"
	echo 'earlybind.claim=01:00.0=pci-stub earlybind.claim=02:00.0=pci-stub' >"$T/r/etc/earlybind/cmdline.conf"
	echo 'earlybind.claim=02:00.0' >"$T/r/proc/cmdline"
	run "$EB" plan --sysfs "$T/s" --root "$T/r" --json
	[ "$(action 0000:01:00.0)" = "claim pci-stub" ]
	[ "$(action 0000:02:00.0)" = "claim vfio-pci" ]
}

@test "comment lines in config files are comments: '# ... earlybind=0' switches nothing off" {
	spec
	mkdir -p "$T/r/etc/earlybind" "$T/r/etc/cmdline.d" "$T/r/proc"
	cat >"$T/r/etc/earlybind/cmdline.conf" <<'C'
# To switch off: earlybind=0
   # indented comment: earlybind.keep=02:00.0 vfio-pci.ids=.
vfio-pci.ids=8086:10d3 # not a comment: the word "#" and these are words
	#	tab-indented: earlybind.claim=04:00.0
C
	printf '# earlybind.claim=03:00.0=pci-stub\nearlybind.claim=03:00.0\n' >"$T/r/etc/cmdline.d/50.conf"
	echo '#earlybind=0' >"$T/r/etc/cmdline"
	echo 'quiet' >"$T/r/proc/cmdline"
	run "$EB" plan --sysfs "$T/s" --root "$T/r" --json
	[ "$status" -eq 0 ]
	[ "$(action 0000:01:00.0)" = "claim vfio-pci" ]
	[ "$(action 0000:02:00.0)" = "claim vfio-pci" ]
	[ "$(action 0000:03:00.0)" = "claim vfio-pci" ]
	[ "$(action 0000:04:00.0)" = "none null" ]
	[ "$(warnings | wc -l)" -eq 0 ]
	# /proc/cmdline is the kernel's: a '#' there is an ordinary word
	echo '#x earlybind=0' >"$T/r/proc/cmdline"
	run "$EB" plan --sysfs "$T/s" --root "$T/r" --json
	[ "$(action 0000:01:00.0)" = "none null" ]
}

@test "every shipped example plans with zero warnings" {
	# a host with every device the examples name
	cat >"$T/exspec" <<'S'
dev 0000:00:01.0 1022:1483 class=060400 bridge secondary=01 driver=pcieport group=1
dev 0000:01:00.0 10de:2486 class=030000 driver=nouveau group=10
dev 0000:01:00.1 10de:228b class=040300 driver=snd_hda_intel group=10
dev 0000:02:00.0 144d:a80a class=010802 driver=nvme group=11
dev 0000:03:00.0 10de:2203 class=030000 driver=nouveau group=12
dev 0000:03:00.1 10de:1aef class=040300 driver=snd_hda_intel group=12
dev 0000:0b:00.0 1002:73bf class=030000 driver=amdgpu group=13
S
	mktree s --spec "$T/exspec"
	local f n=0
	for f in "$REPO"/kernel-cmdline/examples/*; do
		mkdir -p "$T/ex/etc/earlybind" "$T/ex/proc"
		case $f in
		*.conf) cp "$f" "$T/ex/etc/earlybind/cmdline.conf"; : >"$T/ex/proc/cmdline" ;;
		*) # the quoted command line of a grub or systemd-boot example
			rm -f "$T/ex/etc/earlybind/cmdline.conf"
			# (root=UUID=... is a placeholder for the host's own root: this tree has no disks)
			grep -v '^#' "$f" | sed -n 's/^GRUB_CMDLINE_LINUX="\(.*\)"$/\1/p; /^root=/p' |
				sed 's/root=UUID=[^ ]* //' >"$T/ex/proc/cmdline"
			[ -s "$T/ex/proc/cmdline" ] ;;
		esac
		run "$EB" plan --sysfs "$T/s" --root "$T/ex" --json
		[ "$status" -eq 0 ]
		echo "$f: $(warnings)"
		[ "$(warnings | wc -l)" -eq 0 ]
		n=$((n + 1))
	done
	[ "$n" -ge 4 ]
}
