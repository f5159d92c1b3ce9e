#!/bin/sh
# Installs every build and test dependency on Debian/Ubuntu (make setup). Idempotent.
set -eu
PKGS="build-essential clang pkg-config libkmod-dev libblkid-dev kmod bats jq python3 busybox
      dracut-core qemu-system-x86 cpio zstd strace shellcheck clang-format util-linux"
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
