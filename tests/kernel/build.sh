#!/bin/sh
# Builds the test kernel with vfio-pci and pci-stub built in (tests/kernel/builtin.config over
# x86_64_defconfig and kvm_guest.config) from Debian's linux-source package of this machine's
# suite, and caches it under a key of the source version and the config. Prints the directory in
# the layout of tests/fetch-kernel.sh: DIR/boot/vmlinuz-VER and DIR/lib/modules/VER.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cache=${EARLYBIND_CACHE:-$(cd "$here/.." && pwd)/cache}
mkdir -p "$cache"
pkg=$(apt-cache depends linux-source 2>/dev/null | sed -n 's/^ *Depends: \(linux-source-[0-9.]*\)$/\1/p' | head -n 1)
if [ -z "$pkg" ]; then
	apt-get update -q >/dev/null
	pkg=$(apt-cache depends linux-source | sed -n 's/^ *Depends: \(linux-source-[0-9.]*\)$/\1/p' | head -n 1)
fi
[ -n "$pkg" ] || { echo "kernel/build.sh: cannot resolve linux-source" >&2; exit 1; }
ver=$(apt-cache policy "$pkg" | sed -n 's/^ *Candidate: //p')
key=$(printf '%s %s\n' "$ver" "$(cat "$here/builtin.config" "$0")" | sha256sum | cut -c1-12)
dir=$cache/kernel-builtin-$key
if [ -f "$dir/.done" ]; then
	echo "$dir"
	exit 0
fi
# one build at a time: a second caller (CI starts one early, the boot lane asks later) waits
exec 9>"$cache/kernel-build.lock"
flock 9
if [ -f "$dir/.done" ]; then
	echo "$dir"
	exit 0
fi
src=$cache/$pkg-$ver
if [ ! -f "$src/.done" ]; then
	rm -rf "$src" "$cache/src.$$"
	mkdir -p "$cache/src.$$" "$src"
	(cd "$cache/src.$$" && apt-get download "$pkg" >/dev/null 2>&1) ||
		{ echo "kernel/build.sh: apt-get download $pkg failed" >&2; rm -rf "$cache/src.$$"; exit 1; }
	dpkg-deb --fsys-tarfile "$cache/src.$$"/*.deb | tar -xO --wildcards '*/linux-source-*.tar.xz' |
		tar -xJ -C "$src" --strip-components=1
	rm -rf "$cache/src.$$"
	touch "$src/.done"
fi
rm -rf "$dir"
mkdir -p "$dir/obj" "$dir/boot"
t0=$(date +%s)
{
	make -C "$src" O="$dir/obj" x86_64_defconfig
	"$src/scripts/kconfig/merge_config.sh" -O "$dir/obj" -m "$dir/obj/.config" \
		"$src/kernel/configs/kvm_guest.config" "$here/builtin.config"
	make -C "$src" O="$dir/obj" olddefconfig
	make -C "$src" O="$dir/obj" -j"$(nproc)" bzImage modules
	make -C "$src" O="$dir/obj" modules_install INSTALL_MOD_PATH="$dir" INSTALL_MOD_STRIP=1
} >"$dir/build.log" 2>&1 || { tail -n 30 "$dir/build.log" >&2; exit 1; }
kver=$(make -s -C "$src" O="$dir/obj" kernelrelease)
cp "$dir/obj/arch/x86/boot/bzImage" "$dir/boot/vmlinuz-$kver"
cp "$dir/obj/.config" "$dir/boot/config-$kver"
# every option the tests rely on made it through the merge (a dependency can drop one silently)
missing=$(grep -E '^CONFIG_[A-Z0-9_]+=[ym]$' "$here/builtin.config" | while read -r line; do
	grep -qx "$line" "$dir/boot/config-$kver" || printf '%s ' "$line"
done)
[ -z "$missing" ] || { echo "kernel/build.sh: the config lost $missing" >&2; exit 1; }
rm -rf "$dir/obj" "$dir/lib/modules/$kver/build" "$dir/lib/modules/$kver/source"
echo "built $kver in $(($(date +%s) - t0)) s" >"$dir/built"
touch "$dir/.done"
echo "$dir"
