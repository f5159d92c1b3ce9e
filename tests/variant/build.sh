#!/bin/sh
# tests/variant/build.sh KVER OUTDIR: builds the test-only vfio-pci variant driver
# (ebtest_vfio_pci.c) for Debian's kernel KVER against its linux-headers, downloaded with the
# host's apt (the host suite's kernel) and unpacked under OUTDIR, never installed. Prints the
# path of the .ko.
set -eu
kver=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
flavour=${kver##*-}                 # amd64
common=${kver%-"$flavour"}-common   # 6.1.0-57-common
kbuild=linux-kbuild-$(echo "$kver" | cut -d. -f1,2)
mkdir -p "$out/debs" "$out/root" "$out/src"
if [ ! -d "$out/root/usr/src/linux-headers-$kver" ]; then
	(cd "$out/debs" && apt-get download "linux-headers-$kver" "linux-headers-$common" "$kbuild") >&2
	for d in "$out"/debs/*.deb; do dpkg-deb -x "$d" "$out/root"; done
fi
hdr=$out/root/usr/src/linux-headers-$kver
# the flavour's Makefile includes the common tree by its installed path: point it here
sed -i "s#^include /usr/src/#include $out/root/usr/src/#" "$hdr/Makefile"
cp "$here/ebtest_vfio_pci.c" "$here/Kbuild" "$out/src/"
make -s -C "$hdr" M="$out/src" modules >&2
echo "$out/src/ebtest_vfio_pci.ko"
