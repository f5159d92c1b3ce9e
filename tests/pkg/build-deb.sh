#!/bin/sh
# Builds the Debian package from the repository's files (git ls-files: what a clone has) in a
# scratch copy, checks it with lintian at the warning level, and prints the .deb's path.
#   build-deb.sh OUTDIR
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?usage: build-deb.sh OUTDIR}
rm -rf "$out"
mkdir -p "$out/src"
(cd "$repo" && git ls-files -z | xargs -0 tar cf -) | tar xf - -C "$out/src"
(cd "$out/src" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1 ||
	{ tail -n 30 "$out/build.log" >&2; exit 1; }
deb=$(ls "$out"/earlybind_*_*.deb)
lintian --fail-on warning "$deb" >"$out/lintian.log" 2>&1 ||
	{ cat "$out/lintian.log" >&2; exit 1; }
echo "$deb"
