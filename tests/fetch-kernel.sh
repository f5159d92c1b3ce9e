#!/bin/sh
# Unpacks Debian's linux-image-amd64 kernel (not installed) into a cache and runs depmod there.
# Prints the directory: DIR/boot/vmlinuz-VER and DIR/lib/modules/VER. Cached between runs.
#
#   fetch-kernel.sh            the kernel of this machine's own suite (its apt sources)
#   fetch-kernel.sh SUITE      another suite's (trixie, sid, ...), through a private apt state
#                              under the cache: the host's apt sources are never changed
#
# Newer suites split the kernel into linux-binary-*, linux-modules-* and linux-base-* packages
# (vmlinuz under usr/lib/modules/VER/); each is downloaded and unpacked into one tree.
set -eu
suite=${1:-}
cache=${EARLYBIND_CACHE:-$(cd "$(dirname "$0")" && pwd)/cache}
mkdir -p "$cache"
APT=""
if [ -n "$suite" ]; then
	st=$cache/apt-$suite
	mkdir -p "$st/lists/partial" "$st/archives/partial" "$st/etc"
	printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
		"${DEBIAN_MIRROR:-http://deb.debian.org/debian}" "$suite" >"$st/etc/$suite.sources"
	APT="-o Dir::State::Lists=$st/lists -o Dir::State::status=/dev/null -o Dir::Cache=$st -o Dir::Cache::archives=$st/archives -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$st/etc -o APT::Architectures::=amd64"
	# shellcheck disable=SC2086
	if [ ! -s "$st/updated" ] || [ -n "$(find "$st/updated" -mmin +1440)" ]; then
		apt-get $APT update -q >/dev/null 2>&1 || { echo "fetch-kernel: apt-get update for $suite failed" >&2; exit 1; }
		date >"$st/updated"
	fi
fi
# depends PKG: the packages PKG depends on (first alternative)
depends() {
	# shellcheck disable=SC2086
	apt-cache $APT depends "$1" 2>/dev/null | sed -n 's/^ *Depends: \([^<].*\)$/\1/p'
}
pkg=$(depends linux-image-amd64 | grep '^linux-image-[0-9]' | head -n 1)
if [ -z "$pkg" ] && [ -z "$suite" ]; then
	# an apt index is needed to resolve the meta package
	apt-get update -q >/dev/null
	pkg=$(depends linux-image-amd64 | grep '^linux-image-[0-9]' | head -n 1)
fi
[ -n "$pkg" ] || { echo "fetch-kernel: cannot resolve linux-image-amd64${suite:+ in $suite}" >&2; exit 1; }
dir=$cache/$pkg
if [ ! -f "$dir/.done" ]; then
	rm -rf "$dir" "$cache/deb.$$"
	mkdir -p "$cache/deb.$$"
	# the image package, and the binary/modules packages it may be split into
	pkgs="$pkg $(depends "$pkg" | grep -E '^linux-(binary|modules)-[0-9]' | tr '\n' ' ')"
	# shellcheck disable=SC2086
	(cd "$cache/deb.$$" && apt-get $APT download $pkgs >/dev/null 2>&1) ||
		{ echo "fetch-kernel: apt-get download $pkgs failed" >&2; rm -rf "$cache/deb.$$"; exit 1; }
	for d in "$cache/deb.$$"/*.deb; do
		dpkg-deb -x "$d" "$dir"
	done
	rm -rf "$cache/deb.$$"
	# one layout for the callers: lib/modules/VER and boot/vmlinuz-VER
	if [ ! -d "$dir/lib/modules" ] && [ -d "$dir/usr/lib/modules" ]; then
		ln -s usr/lib "$dir/lib"
	fi
	ver=$(ls "$dir/lib/modules")
	mkdir -p "$dir/boot"
	if [ ! -e "$dir/boot/vmlinuz-$ver" ] && [ -e "$dir/lib/modules/$ver/vmlinuz" ]; then
		ln -s "../lib/modules/$ver/vmlinuz" "$dir/boot/vmlinuz-$ver"
	fi
	[ -e "$dir/boot/vmlinuz-$ver" ] || { echo "fetch-kernel: no vmlinuz in $pkgs" >&2; exit 1; }
	depmod -b "$dir" "$ver"
	touch "$dir/.done"
fi
echo "$dir"
