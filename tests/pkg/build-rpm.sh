#!/bin/sh
# Builds the RPM from earlybind.spec on this (Debian) machine: a source tarball of the
# repository's files, rpmbuild -bb (--nodeps: Debian's rpm database knows no Fedora packages).
# Prints the .rpm's path.   build-rpm.sh OUTDIR
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?usage: build-rpm.sh OUTDIR}
ver=$(sed -n 's/^Version: *//p' "$repo/earlybind.spec")
rm -rf "$out"
mkdir -p "$out/SOURCES" "$out/stage/earlybind-$ver"
(cd "$repo" && git ls-files -z | xargs -0 tar cf -) | tar xf - -C "$out/stage/earlybind-$ver"
tar czf "$out/SOURCES/earlybind-$ver.tar.gz" -C "$out/stage" "earlybind-$ver"
rpmbuild -bb --nodeps --define "_topdir $out" "$repo/earlybind.spec" >"$out/build.log" 2>&1 ||
	{ tail -n 30 "$out/build.log" >&2; exit 1; }
ls "$out"/RPMS/*/earlybind-"$ver"-*.rpm
