#!/bin/sh
# Installs every build and test dependency on Debian/Ubuntu (make setup). Idempotent.
set -eu
PKGS="build-essential clang libclang-rt-14-dev pkg-config libkmod-dev libblkid-dev kmod bats jq
      python3 busybox dash dracut-core systemd udev qemu-system-x86 e2fsprogs cpio zstd strace
      valgrind shellcheck clang-format util-linux hyperfine driverctl debootstrap mdadm
      debhelper dpkg-dev lintian rpm git prometheus python3-jsonschema iproute2
      bc bison flex libelf-dev libssl-dev xz-utils"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "setup: all dependencies present"
	exit 0
fi
echo "setup: installing$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -q
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
