#!/bin/sh
# Test only (sourced by dracut): print each PCI function as
#   EBTEST dev ADDRESS VENDOR:DEVICE CLASS DRIVER OVERRIDE GROUP
# then earlybind's results, what `ebtest.later=ADDR` does after coldplug, the boot devices when
# root is mounted, and power off through sysrq. `ebtest.sriov=PF=N` first enables N VFs.
(
    echo 1 >/proc/sys/kernel/sysrq
    later=
    sriov=
    lateids=
    mkraid=
    vmm=
    status=
    iomem=
    inuse=
    attrs=
    nfd=
    # shellcheck disable=SC2013 # the words of the command line
    for w in $(cat /proc/cmdline); do
        case "$w" in
        ebtest.later=*) later=${w#ebtest.later=} ;;
        ebtest.sriov=*) sriov=${w#ebtest.sriov=} ;;
        ebtest.late-ids=*) lateids=${w#ebtest.late-ids=} ;;
        ebtest.mkraid=*) mkraid=${w#ebtest.mkraid=} ;;
        ebtest.vmm=*) vmm=${w#ebtest.vmm=} ;;
        ebtest.status=*) status=${w#ebtest.status=} ;;
        ebtest.iomem) iomem=1 ;;
        ebtest.inuse=*) inuse=${w#ebtest.inuse=} ;;
        ebtest.attrs=*) attrs=${w#ebtest.attrs=} ;;
        ebtest.nfd) nfd=1 ;;
        esac
    done
    {
        # ebtest.mkraid=UUID: a RAID1 of /dev/vda and /dev/vdb with an ext4 root of that UUID
        if [ -n "$mkraid" ]; then
            udevadm settle --timeout=30
            if mdadm --create /dev/md0 --run --level=1 --raid-devices=2 --metadata=1.2 /dev/vda /dev/vdb &&
                mkfs.ext4 -q -F -U "$mkraid" /dev/md0 && mkdir -p /tmp/r && mount /dev/md0 /tmp/r &&
                mkdir -p /tmp/r/etc /tmp/r/sbin /tmp/r/proc /tmp/r/sys /tmp/r/dev &&
                echo "earlybind raid root" >/tmp/r/etc/hostname && umount /tmp/r &&
                mdadm --stop /dev/md0; then
                echo "EBTEST raid made"
            else
                echo "EBTEST raid failed"
            fi
        fi
        # ebtest.sriov=PF=N: enable N VFs now; udev sees them appear (hotplug)
        if [ -n "$sriov" ]; then
            if echo "${sriov##*=}" >"/sys/bus/pci/devices/${sriov%=*}/sriov_numvfs"; then
                echo "EBTEST sriov enabled ${sriov##*=} VFs on ${sriov%=*}"
            else
                echo "EBTEST sriov failed on ${sriov%=*}"
            fi
            udevadm settle --timeout=60 || sleep 10
        fi
        # ebtest.inuse=KIND@ADDR[+force|+unmounted|+open]: a late hand apply on a booted-like
        # system (--root without etc/initrd-release; /proc and /dev the guest's) while ADDR is in
        # use: disk: its disk (vdb) mounted on /mnt/d with a file written (+open: and the whole
        # disk held open by a sleep); md: a RAID1 (degraded, on vdb) mounted; nic: its interface
        # up with 10.0.2.15/24 and the default route
        if [ -n "$inuse" ]; then
            kind=${inuse%%@*}
            rest=${inuse#*@}
            addr=${rest%%+*}
            how=${rest#"$addr"}
            how=${how#+}
            udevadm settle --timeout=30
            mkdir -p /tmp/booted/etc /tmp/booted/run /mnt/d
            ln -sfn /proc /tmp/booted/proc
            ln -sfn /dev /tmp/booted/dev
            ln -sfn /lib /tmp/booted/lib
            # selected by its ids, as a user's vfio-pci.ids would
            read -r v <"/sys/bus/pci/devices/$addr/vendor"
            read -r d <"/sys/bus/pci/devices/$addr/device"
            words="vfio-pci.ids=${v#0x}:${d#0x}"
            disk=
            for b in "/sys/bus/pci/devices/$addr"/virtio*/block/*; do
                [ -e "$b" ] && disk=/dev/${b##*/}
            done
            case "$kind" in
            disk)
                mount -t ext4 "$disk" /mnt/d && echo hello-from-before >/mnt/d/hello && sync
                ;;
            md)
                mdadm --create /dev/md0 --run --level=1 --raid-devices=2 --metadata=1.2 "$disk" missing >/dev/null 2>&1 &&
                    mkfs.ext4 -q -F /dev/md0 && mount -t ext4 /dev/md0 /mnt/d &&
                    echo hello-from-before >/mnt/d/hello && sync
                ;;
            nic)
                ifc=
                for n in "/sys/bus/pci/devices/$addr"/virtio*/net/*; do
                    [ -e "$n" ] && ifc=${n##*/}
                done
                ip link set "$ifc" up && ip addr add 10.0.2.15/24 dev "$ifc" &&
                    ip route add default via 10.0.2.2 dev "$ifc"
                echo "EBTEST inuse interface $ifc: $(ip -o -4 addr show dev "$ifc" | awk '{print $4}')"
                ;;
            esac
            [ "$how" = unmounted ] && umount /mnt/d
            opener=
            if [ "$how" = open ]; then
                # shellcheck disable=SC2217 # the descriptor held open is the point
                sleep 600 <"$disk" &
                opener=$!
            fi
            force=
            [ "$how" = force ] && force="--force $addr"
            echo "$words" >/tmp/ebtest.inuse
            # shellcheck disable=SC2086 # --force ADDR
            earlybind apply --root /tmp/booted --cmdline /tmp/ebtest.inuse --kmsg /dev/console $force |
                while read -r l; do echo "EBTEST inuse $l"; done
            [ -n "$opener" ] && kill "$opener"
            case "$kind" in
            disk | md)
                if [ "$(cat /mnt/d/hello 2>/dev/null)" = hello-from-before ]; then
                    echo "EBTEST inuse read back hello-from-before"
                fi
                ;;
            nic)
                echo "EBTEST inuse after: $(ip -o -4 addr show dev "$ifc" 2>/dev/null | awk '{print $4}') route $(ip route show default 2>/dev/null)"
                ;;
            esac
        fi
        if [ -n "$later" ]; then
            echo "earlybind.claim=$later" >/tmp/ebtest.cmdline
            # a late dry run leaves the boot's record as it is, byte for byte
            before=$(cat /run/earlybind/* 2>/dev/null | cksum)
            earlybind apply --dry-run --cmdline /tmp/ebtest.cmdline | while read -r l; do echo "EBTEST dry $l"; done
            if [ "$before" = "$(cat /run/earlybind/* 2>/dev/null | cksum)" ]; then
                echo "EBTEST state unchanged by the dry run ($before)"
            else
                echo "EBTEST state changed by the dry run"
            fi
            earlybind apply --cmdline /tmp/ebtest.cmdline | while read -r l; do echo "EBTEST later1 $l"; done
            earlybind apply --cmdline /tmp/ebtest.cmdline | while read -r l; do echo "EBTEST later2 $l"; done
        fi
        # ebtest.status=ADDR: what `earlybind status` says of a device
        if [ -n "$status" ]; then
            earlybind status 2>&1 | sed -n "/^$status /,/^[0-9a-f]\{4\}:/p" | while read -r l; do echo "EBTEST status $l"; done
            earlybind status 2>&1 | sed -n '/^IOMMU groups/,$p' | while read -r l; do echo "EBTEST status $l"; done
        fi
        # ebtest.vmm=SET,SET,...: a real QEMU (TCG, stopped, 64 MiB) opens each SET of devices
        # (ADDR+ADDR: one VM) through VFIO, then quits; QEMU's own words are shown
        for set in $(echo "$vmm" | tr ',' ' '); do
            args=
            for a in $(echo "$set" | tr '+' ' '); do
                args="$args -device vfio-pci,host=$a,rombar=0"
            done
            # shellcheck disable=SC2086 # the device arguments
            out=$(echo quit | timeout 180 qemu-system-x86_64 -machine q35,accel=tcg -m 64 -S \
                -nodefaults -display none -monitor stdio $args 2>&1 >/dev/null)
            rc=$?
            echo "$out" | while read -r l; do [ -n "$l" ] && echo "EBTEST vmm-out $set $l"; done
            echo "EBTEST vmm $set rc=$rc"
        done
        # ebtest.attrs=ADDR: what preparing it left (earlybind.d3cold, earlybind.reset)
        if [ -n "$attrs" ]; then
            p=/sys/bus/pci/devices/$attrs
            echo "EBTEST attrs $attrs d3cold_allowed=$(cat "$p/d3cold_allowed") power/control=$(cat "$p/power/control") reset_method=$(cat "$p/reset_method" 2>/dev/null)"
        fi
        # ebtest.nfd: the metrics timer's run with Node Feature Discovery's directory present
        if [ -n "$nfd" ]; then
            mkdir -p /tmp/nfd
            EARLYBIND_NFD_DIR=/tmp/nfd earlybind status --prometheus --write /tmp/ebtest.prom >/dev/null 2>&1
            while read -r l; do echo "EBTEST nfd $l"; done </tmp/nfd/earlybind
        fi
        # the vfio group nodes
        for n in /dev/vfio/*; do
            [ -e "$n" ] && echo "EBTEST vfio-node ${n##*/}"
        done
        # ebtest.iomem: the guest's /proc/iomem, as the kernel shows it to root
        if [ -n "$iomem" ]; then
            while IFS= read -r l; do echo "EBTEST iomem $l"; done </proc/iomem
        fi
        echo "EBTEST-BEGIN"
        for d in /sys/bus/pci/devices/*; do
            a=${d##*/}
            drv=-
            [ -L "$d/driver" ] && drv=$(basename "$(readlink "$d/driver")")
            grp=-
            [ -L "$d/iommu_group" ] && grp=$(basename "$(readlink "$d/iommu_group")")
            echo "EBTEST dev $a $(cat "$d/vendor"):$(cat "$d/device") $(cat "$d/class") $drv $(cat "$d/driver_override") $grp"
        done
        for d in /sys/bus/pci/devices/*; do
            [ -r "$d/sriov_drivers_autoprobe" ] &&
                echo "EBTEST autoprobe ${d##*/} $(cat "$d/sriov_drivers_autoprobe") numvfs $(cat "$d/sriov_numvfs")"
        done
        p=/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts
        [ -r "$p" ] && echo "EBTEST param vfio_iommu_type1.allow_unsafe_interrupts=$(cat "$p")"
        for m in vfio_pci pci_stub; do
            [ -d "/sys/module/$m" ] && echo "EBTEST module $m live"
        done
        if [ -r /run/earlybind/results ]; then
            while read -r line; do echo "EBTEST result $line"; done </run/earlybind/results
        fi
        # the root: /sysroot (dracut) or /root (initramfs-tools)
        for r in /sysroot /root; do
            [ -d "$r/etc" ] || continue
            echo "EBTEST root mounted on $r"
            earlybind boot-devices 2>&1 | while read -r l; do echo "EBTEST bootdev $l"; done
            # a late run in the initramfs, the root mounted: ids matching the root's disk
            if [ -n "$lateids" ]; then
                echo "vfio-pci.ids=$lateids" >/tmp/ebtest.late
                earlybind apply --cmdline /tmp/ebtest.late --kmsg /dev/console >/dev/null
            fi
            break
        done
        echo "EBTEST-END"
    } >/dev/console 2>&1
    sleep 1
    echo o >/proc/sysrq-trigger
    sleep 10
)
