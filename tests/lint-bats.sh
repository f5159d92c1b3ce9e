#!/bin/sh
# make lint: a bare "! cmd" inside a bats test never fails it (bats runs tests under errexit,
# which ignores a negated command), so negations must be "run ! cmd" or a [ ... ] test.
# Checks the given files (default: every bats file); prints each offending line, exit 1 if any.
set -eu
if [ $# -eq 0 ]; then
	cd "$(dirname "$0")/.."
	set -- tests/bats/*.bats tests/bats/*.bash
fi
if grep -nHE '^[[:space:]]*![[:space:]]' "$@"; then
	echo "lint-bats: a bare '! cmd' cannot fail a bats test; use 'run ! cmd'" >&2
	exit 1
fi
