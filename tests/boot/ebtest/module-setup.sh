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
    # ebtest.inuse: a late run on a booted-like system while a disk, an md array or a NIC is used
    inst_multiple -o ip sync ln awk sed
    # EBTEST_VMM=1: the real QEMU (with its TCG module and firmware) for ebtest.vmm=
    if [ -n "${EBTEST_VMM:-}" ]; then
        inst_multiple qemu-system-x86_64 timeout
        inst_library /usr/lib/x86_64-linux-gnu/qemu/accel-tcg-x86_64.so
        inst_simple /usr/share/qemu/kvmvapic.bin
        inst_simple /usr/share/seabios/bios-256k.bin
        inst_simple /usr/share/seabios/bios-256k.bin /usr/share/qemu/bios-256k.bin
    fi
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
