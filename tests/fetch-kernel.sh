#!/bin/sh
# Unpacks Debian's linux-image-amd64 kernel (not installed) into a cache and runs depmod there.
# Prints the directory: DIR/boot/vmlinuz-VER and DIR/lib/modules/VER. Cached between runs.
set -eu
cache=${EARLYBIND_CACHE:-$(cd "$(dirname "$0")" && pwd)/cache}
mkdir -p "$cache"
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n 1)
if [ -z "$pkg" ]; then
	# an apt index is needed to resolve the meta package
	apt-get update -q >/dev/null
	pkg=$(apt-cache depends linux-image-amd64 | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n 1)
fi
[ -n "$pkg" ] || { echo "fetch-kernel: cannot resolve linux-image-amd64" >&2; exit 1; }
dir=$cache/$pkg
if [ ! -f "$dir/.done" ]; then
	rm -rf "$dir" "$cache/deb.$$"
	mkdir -p "$cache/deb.$$"
	(cd "$cache/deb.$$" && apt-get download "$pkg" >/dev/null 2>&1) ||
		{ echo "fetch-kernel: apt-get download $pkg failed" >&2; exit 1; }
	dpkg-deb -x "$cache"/deb.$$/*.deb "$dir"
	rm -rf "$cache/deb.$$"
	ver=$(ls "$dir/lib/modules")
	depmod -b "$dir" "$ver"
	touch "$dir/.done"
fi
echo "$dir"
