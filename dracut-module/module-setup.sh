#!/bin/bash
# shellcheck disable=SC2154 # dracut sets moddir, initdir, systemdsystemunitdir, hostonly
# earlybind dracut module: claim PCI devices for vfio-pci/pci-stub before coldplug.
# Installed as /usr/lib/dracut/modules.d/90earlybind/ with the hooks from hook/.

# Once installed, in every image (opt out: omit_dracutmodules+=" earlybind ").
check() {
    require_binaries "${EARLYBIND_BIN:-earlybind}" || return 1
    return 0
}

depends() {
    return 0
}

# Generic and hostonly images alike: a regenerated image always carries the drivers we bind to.
# Modules that do not exist for the target kernel (vfio_virqfd is gone on >= 6.2) are skipped.
installkernel() {
    hostonly='' instmods vfio vfio_iommu_type1 vfio_virqfd vfio_pci_core vfio_pci irqbypass pci_stub
}

# --hostonly-cmdline: the keys of the documented config file.
cmdline() {
    local confdir="${EARLYBIND_CONFDIR:-$dracutsysrootdir/etc/earlybind}"
    if [ -r "$confdir/cmdline.conf" ]; then
        grep -v '^[[:space:]]*#' "$confdir/cmdline.conf" | tr '\n' ' '
    fi
}

install() {
    local bin="${EARLYBIND_BIN:-$(command -v earlybind)}"
    # EARLYBIND_CONFDIR is a test seam, like EARLYBIND_BIN.
    local confdir="${EARLYBIND_CONFDIR:-$dracutsysrootdir/etc/earlybind}"

    inst_binary "$bin" /usr/bin/earlybind
    # dlopen()ed on first use (the binary's .note.dlopen): ldd does not list them
    inst_libdir_file "libkmod.so.2*" "libblkid.so.1*"
    inst_hook cmdline 00 "$moddir/earlybind-cmdline.sh"
    inst_rules "$moddir/90-earlybind.rules"
    if dracut_module_included "systemd"; then
        inst_simple "$moddir/earlybind.service" "$systemdsystemunitdir/earlybind.service"
        mkdir -p "$initdir$systemdsystemunitdir/sysinit.target.wants"
        ln_r "$systemdsystemunitdir/earlybind.service" \
            "$systemdsystemunitdir/sysinit.target.wants/earlybind.service"
    fi

    # The config file's keys, read like /etc/cmdline.d inside the image. Its comment lines are
    # dropped: dracut's own reader of /etc/cmdline.d would take their words as keys.
    if [ -r "$confdir/cmdline.conf" ]; then
        mkdir -p "$initdir/etc/cmdline.d"
        grep -v '^[[:space:]]*#' "$confdir/cmdline.conf" >"$initdir/etc/cmdline.d/90-earlybind.conf" || :
    fi

    # The boot devices of the machine the image is for. Only a hostonly image is built for the
    # running system; a generic image records nothing unless a list is given explicitly.
    mkdir -p "$initdir/etc/earlybind"
    if [[ $hostonly ]] && [[ -z $dracutsysrootdir ]]; then
        "$bin" boot-devices --write "$initdir/etc/earlybind/boot-devices" >/dev/null ||
            dwarn "earlybind: could not record the boot devices"
    elif [ -r "$confdir/boot-devices" ]; then
        inst_simple "$confdir/boot-devices" /etc/earlybind/boot-devices
    fi
}
