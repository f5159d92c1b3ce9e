#!/bin/bash
# shellcheck disable=SC2154 # dracut sets moddir
# Test only: at the end of the initramfs (udev settled; or root mounted with ebtest.wait-root;
# or the emergency hook), report every PCI function and power off.
check() {
    return 255
}

depends() {
    return 0
}

install() {
    inst_multiple cat readlink basename sleep udevadm cksum
    # ebtest.mkraid: the RAID1 root of the md scenario is made inside the guest
    inst_multiple -o mdadm mkfs.ext4 mount umount mkdir
    inst_simple "$moddir/ebtest-report.sh" /usr/lib/ebtest-report.sh
    inst_hook initqueue/settled 99 "$moddir/ebtest-settled.sh"
    inst_hook pre-pivot 99 "$moddir/ebtest-report.sh"
    inst_hook emergency 00 "$moddir/ebtest-report.sh"
    # systemd starts dracut-initqueue.service (which runs the settled hooks) only on this flag
    if dracut_module_included "systemd"; then
        mkdir -p "$initdir/lib/dracut"
        : >"$initdir/lib/dracut/need-initqueue"
    fi
}
