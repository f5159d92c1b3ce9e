#!/bin/bash
# shellcheck disable=SC2154 # dracut sets moddir, initdir, systemdsystemunitdir, hostonly
# earlybind dracut module: claim PCI devices for vfio-pci/pci-stub before coldplug.
# Installed as /usr/lib/dracut/modules.d/50earlybind/ with the hooks from hook/ (50-59: the
# numbers dracut leaves to modules from outside it).

# Once installed, in every image (opt out: omit_dracutmodules+=" earlybind ").
check() {
    require_binaries "${EARLYBIND_BIN:-earlybind}" || return 1
    return 0
}

depends() {
    return 0
}

# What goes into the image is earlybind's to say (initramfs-recipe, shared by every generator):
# the vfio stack and the drivers we bind, in generic and hostonly images alike; the vfio-pci
# variants, in a hostonly image only those the plan picks for this host's selected devices.
installkernel() {
    local kind name mods=() variants=()
    while read -r kind name; do
        case $kind in
            module) mods+=("$name") ;;
            variant) variants+=("$name") ;;
        esac
    done < <("${EARLYBIND_BIN:-earlybind}" initramfs-recipe --moddir "$srcmods" ${hostonly:+--hostonly} 2>/dev/null)
    ((${#mods[@]})) && hostonly='' instmods "${mods[@]}"
    ((${#variants[@]})) && hostonly='' instmods "${variants[@]}"
    return 0
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

    local kind name
    inst_binary "$bin" /usr/bin/earlybind
    # dlopen()ed on first use (the binary's .note.dlopen): ldd does not list them
    while read -r kind name; do
        [[ $kind == library ]] && inst_library "$name"
    done < <("$bin" initramfs-recipe --moddir "$srcmods" 2>/dev/null)
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

    # The boot devices of this machine, for every image built here — generic or hostonly, any
    # kernel version: entries match by physical path and ids, so on other hardware they match
    # nothing and the initramfs falls back to refusing mass storage selected only by ids. An
    # explicit list wins; building for another root (--sysroot) records nothing, and says so.
    mkdir -p "$initdir/etc/earlybind"
    if [ -r "$confdir/boot-devices" ]; then
        inst_simple "$confdir/boot-devices" /etc/earlybind/boot-devices
    elif [[ $dracutsysrootdir ]]; then
        dwarn "earlybind: building for $dracutsysrootdir: no boot-device list recorded; the image refuses mass storage selected only by ids"
    else
        "$bin" boot-devices --write "$initdir/etc/earlybind/boot-devices" 2>&1 >/dev/null |
            while read -r line; do dwarn "$line"; done
        [ -s "$initdir/etc/earlybind/boot-devices" ] || dwarn "earlybind: could not record the boot devices"
    fi
}
