# Shared by every bats file: a temp dir, the fixture tool, the binary under test.
REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
FIX=${EARLYBIND_FIXTURES:-$REPO/../shared/fixtures/lspci}
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

warnings() {
	printf '%s' "$output" | jq -r '.warnings[]'
}
