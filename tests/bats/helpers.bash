# Shared by every bats file: a temp dir, the fixture tool, the binary under test.
# `run !` (a negation that can fail a test) needs bats 1.5.
bats_require_minimum_version 1.5.0
REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
FIX=${EARLYBIND_FIXTURES:-$REPO/tests/fixtures/lspci}
EB=${EARLYBIND:-$REPO/build/earlybind}

setup() {
	T=$(mktemp -d "${BATS_TMPDIR:-/tmp}/eb.XXXXXX")
	[ -x "$EB" ] || { echo "no binary at $EB (run make)"; return 1; }
	[ -d "$FIX" ] || { echo "no lspci fixtures at $FIX"; return 1; }
}

teardown() {
	rm -rf "$T"
}

# mktree NAME ARGS...: a fake sysfs at $T/NAME built by tests/mksysfs.py
mktree() {
	local name=$1
	shift
	python3 "$REPO/tests/mksysfs.py" "$T/$name" "$@"
}

# dump NAME: the path of a real lspci dump
dump() {
	echo "$FIX/$1.txt"
}

# plan_of SYSFS CMDLINE...: runs `earlybind plan --json` with the words as the command line
plan_json() {
	local sysfs=$1
	shift
	printf '%s\n' "$*" >"$T/cmdline"
	"$EB" plan --sysfs "$sysfs" --cmdline "$T/cmdline" --json
}

# action ADDR: "action target" of one device from $output (JSON)
action() {
	printf '%s' "$output" | jq -r --arg a "$1" \
		'.devices[] | select(.address == $a) | "\(.action) \(.target)"'
}

# reason ADDR: the reason plan --json (in $output) gives for the device
reason() {
	printf '%s' "$output" | jq -r --arg a "$1" '.devices[] | select(.address == $a) | .reason'
}

warnings() {
	printf '%s' "$output" | jq -r '.warnings[]'
}

# The kernel model (tests/mock/pcimock.c) and the real Debian module tree for libkmod.
PCIMOCK=${PCIMOCK:-$REPO/build/pcimock.so}

kernel_moddir() {
	local k
	k=$("$REPO/tests/fetch-kernel.sh") || return 1
	echo "$k/lib/modules/$(ls "$k/lib/modules")"
}

# eb_apply SYSFS ARGS...: the real binary under the kernel model; root $T/root, kmsg $T/kmsg.
eb_mocked() {
	local sysfs=$1
	shift
	EB_MOCK_SYSFS=$sysfs EB_MOCK_LOG=$T/mock.log LD_PRELOAD=$PCIMOCK \
		"$EB" "$@" --sysfs "$sysfs" --root "$T/root" --moddir "$MODDIR" --kmsg "$T/kmsg"
}

# driver SYSFS ADDR: the bound driver, from the driver link ("-" when unbound)
driver() {
	local l
	l=$(readlink "$1/bus/pci/devices/$2/driver") || { echo -; return; }
	basename "$l"
}

override() {
	cat "$1/bus/pci/devices/$2/driver_override"
}

# cl WORDS...: the words as the command-line file $T/cmdline; prints the option that reads it
cl() {
	printf '%s\n' "$*" >"$T/cmdline"
	echo "--cmdline $T/cmdline"
}

# mocked_machine EXTRA-SPEC-LINES...: two e1000e twins (8086:10d3) behind root ports 00:01.0
# and 00:02.0 plus the lines given, as the tree $T/s for the kernel model; the module tree for
# libkmod in MODDIR; a root $T/root with an empty /proc/cmdline. MKTREE_OPTS: more mksysfs options
# (--builtin DRV=IDS).
mocked_machine() {
	{
		echo "dev 0000:00:01.0 8086:1901 class=060400 bridge secondary=01 driver=pcieport group=1"
		echo "dev 0000:01:00.0 8086:10d3 sub=8086:a01f driver=e1000e group=1"
		echo "dev 0000:00:02.0 8086:1901 class=060400 bridge secondary=02 driver=pcieport group=2"
		echo "dev 0000:02:00.0 8086:10d3 sub=8086:a01f driver=e1000e group=2"
		printf '%s\n' "$@"
	} >"$T/spec"
	# shellcheck disable=SC2086 # MKTREE_OPTS: words
	mktree s --spec "$T/spec" ${MKTREE_OPTS:-}
	MODDIR=$(kernel_moddir)
	mkdir -p "$T/root/etc" "$T/root/proc"
	: >"$T/root/proc/cmdline"
}

# A fingerprint of a tree: every path, link target and file content.
tree_sum() {
	(cd "$1" && find . -printf '%p %l\n' | sort && find . -type f -exec md5sum {} + | sort) | md5sum
}
