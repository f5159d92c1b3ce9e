#!/bin/sh
# A minimal Debian 12 root with initramfs-tools (for the initramfs-tools boot tests), made with
# debootstrap from the mirror this machine's apt already uses, and cached. Prints its path.
# dracut and initramfs-tools conflict as packages: this root keeps initramfs-tools away from the
# host's own generator.
set -eu
cache=${EARLYBIND_CACHE:-$(cd "$(dirname "$0")/.." && pwd)/cache}
root=$cache/deb12-itools
if [ -f "$root/.done" ]; then
	echo "$root"
	exit 0
fi
mirror=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -n 1)
[ -n "$mirror" ] || mirror=$(sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\) bookworm .*/\2/p' /etc/apt/sources.list 2>/dev/null | head -n 1)
[ -n "$mirror" ] || { echo "mkroot: no Debian mirror in this machine's apt sources" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "mkroot: debootstrap is missing (make setup)" >&2; exit 1; }
rm -rf "$root"
mkdir -p "$cache"
debootstrap --variant=minbase \
	--include=linux-image-amd64,initramfs-tools,udev,kmod,busybox,cpio \
	bookworm "$root" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
	{ tail -n 20 "$cache/debootstrap.log" >&2; exit 1; }
touch "$root/.done"
echo "$root"
