#!/usr/bin/env python3
"""Build a fake sysfs tree in the real kernel layout.

Sources (combine freely, later ones add devices):
  --lspci FILE      a real `lspci -vvnn` (-k) dump: ids, class, subsystem, driver, IOMMU group,
                    bridges and their secondary buses (for the device hierarchy), SR-IOV.
  --spec FILE       a small spec written by a test, one device per line ('-' reads stdin):
                      dev ADDR VVVV:DDDD [class=CCCCCC] [sub=VVVV:DDDD] [driver=NAME] [group=N]
                          [bridge secondary=BB] [override=NAME] [boot_vga=0|1] [boot_display=1] [sriov=NUM/TOTAL]
                          [rev=RR] [native=DRV] [nouevent] [noconfig] [vf=PF-ADDR]
                          [block=DISK[:PART...]] [holder=BLOCK:HOLDER] [net=IFACE]
                          [master=IFACE:MASTER] [drm=NODE[:NODE...]] [sound=CARD:NODE[:NODE...]]
                          [reset=METHOD[,METHOD]] [users=N]
                    native= names the driver that takes the device when probed (default: driver=),
                    written to OUT/.mock/native for the kernel model tests/mock/pcimock.c;
                    vf= makes the function a VF of that PF (its physfn link, the PF's virtfnN);
                    block= a disk under the function with its partitions (class/block, dev
                    MAJ:MIN from 252:0), holder= a dm/md device stacked on one of them
                    (holders/, slaves/), net= a network interface (class/net), master= its
                    bond or bridge (net=virtio2/eth3: under a child device), drm= DRM nodes (card1,
                    renderD129; dev 226:MINOR), sound= a sound card and its nodes (sound/card2/
                    controlC2: /dev/snd/controlC2); each node's uevent names it (DEVNAME); reset=
                    its reset_method attribute (kernels >= 5.15: the methods it offers); users=
                    the references on the driver's module (module/MOD/refcnt; default 0)
  --synthetic N     N functions of a made-up machine (root ports, GPUs with audio, NICs with
                    SR-IOV VFs, NVMe twins), deterministic from --seed.
Changes applied afterwards:
  --override ADDR=DRV   driver_override content       --driver ADDR=DRV|-   bind / unbind
  --groups dump|slot|none  IOMMU groups from the dump (default; slot-based when it has none),
                        one group per slot, or no IOMMU at all
  --register DRV        a registered driver with no device (bus/pci/drivers/DRV)
  --builtin DRV[=IDS]   DRV (vfio-pci, pci-stub) built into the kernel: module/MOD without
                        initstate; with IDS (the kernel's ids= grammar) its dynamic ids, as the
                        kernel adds them at the driver's registration, and every device they
                        match bound to it, whatever driver the spec gives (that one becomes its
                        native driver): the kernel took them before any initramfs code ran

Layout written under OUT (the sysfs root):
  devices/pci0000:00/0000:00:01.1/0000:01:00.0/{vendor,device,subsystem_vendor,subsystem_device,
      class,revision,uevent,driver_override,config,boot_vga,sriov_*,driver@,iommu_group@,subsystem@}
  bus/pci/devices/ADDR@ -> ../../../devices/...     bus/pci/drivers/NAME/{bind,unbind,new_id,ADDR@}
  bus/pci/{drivers_probe,drivers_autoprobe,rescan}  kernel/iommu_groups/N/{type,devices/ADDR@}
  module/NAME/ for each bound driver's module (initstate, refcnt, holders/, drivers/pci:DRV link;
      vfio_pci_core/holders/ for vfio-pci and *_vfio_pci)
"""
import argparse
import os
import random
import re
import shutil
import struct
import sys

HDR = re.compile(
    r"^(?:(?P<dom>[0-9a-f]{4,8}):)?(?P<bus>[0-9a-f]{2}):(?P<dev>[0-9a-f]{2})\.(?P<fn>[0-7]) "
    r"(?P<cname>.*?) \[(?P<cls>[0-9a-f]{4})\]: (?P<rest>.*)$")
IDS = re.compile(r"\[([0-9a-f]{4}):([0-9a-f]{4})\]")


class Dev:
    def __init__(self, dom, bus, dev, fn):
        self.dom, self.bus, self.dev, self.fn = dom, bus, dev, fn
        self.vendor = self.device = 0
        self.subv = self.subd = 0
        self.cls = 0
        self.rev = 0
        self.driver = None
        self.group = None
        self.hdr = 0
        self.secondary = None
        self.override = None
        self.boot_vga = None
        self.boot_display = None  # kernels >= 6.18: on the boot display device only
        self.sriov = None  # (num, total, vf_device)
        self.uevent = True
        self.config = True
        self.native = None  # the driver that binds it when probed (defaults to .driver)
        self.vf_of = None  # the PF's address (a VF)
        self.blocks = []  # [disk, part, ...] lists
        self.holders = []  # (block, holder)
        self.nets = []
        self.masters = []  # (iface, master)
        self.drm = []
        self.sound = []  # [card, node, ...]
        self.users = None  # module/MOD/refcnt of its driver's module
        self.reset = None  # "flr bus": reset_method, when given

    @property
    def addr(self):
        return (self.dom, self.bus, self.dev, self.fn)

    @property
    def name(self):
        return "%04x:%02x:%02x.%x" % self.addr


def parse_addr(s):
    m = re.fullmatch(r"(?:([0-9a-fA-F]{1,8}):)?([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])", s)
    if not m:
        raise SystemExit("mksysfs: bad address %r" % s)
    return (int(m.group(1) or "0", 16), int(m.group(2), 16), int(m.group(3), 16), int(m.group(4)))


def parse_lspci(path):
    devs, cur = [], None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            m = HDR.match(line)
            if m:
                cur = None
                ids = IDS.findall(m.group("rest"))
                if not ids:  # lspci cut the ids off ("[8086..."): nothing to build
                    print("mksysfs: %s: %s has no ids; skipped" % (os.path.basename(path),
                          line.split()[0]), file=sys.stderr)
                    continue
                cur = Dev(int(m.group("dom") or "0", 16), int(m.group("bus"), 16),
                          int(m.group("dev"), 16), int(m.group("fn")))
                cur.vendor, cur.device = (int(x, 16) for x in ids[-1])
                progif = re.search(r"\(prog-if ([0-9a-f]{2})", m.group("rest"))
                cur.cls = int(m.group("cls"), 16) << 8 | (int(progif.group(1), 16) if progif else 0)
                rev = re.search(r"\(rev ([0-9a-f]{2})\)", m.group("rest"))
                cur.rev = int(rev.group(1), 16) if rev else 0
                devs.append(cur)
                continue
            if cur is None:
                continue
            s = line.strip()
            if s.startswith("Subsystem:") and line.startswith("\t") and not line.startswith("\t\t"):
                ids = IDS.findall(s)
                if ids:
                    cur.subv, cur.subd = (int(x, 16) for x in ids[-1])
            elif s.startswith("Kernel driver in use:"):
                cur.driver = s.split(":", 1)[1].strip()
            elif s.startswith("IOMMU group:"):
                cur.group = int(s.split(":", 1)[1])
            elif s.startswith("Bus: primary="):
                b = re.search(r"secondary=([0-9a-f]{2})", s)
                cur.hdr = 2 if (cur.cls >> 8) == 0x0607 else 1
                cur.secondary = int(b.group(1), 16)
            elif "Total VFs:" in s:
                tot = re.search(r"Total VFs: (\d+)", s)
                num = re.search(r"Number of VFs: (\d+)", s)
                cur.sriov = [int(num.group(1)) if num else 0, int(tot.group(1)), cur.device]
            elif s.startswith("VF Device ID:") or s.startswith("VF Device ID"):
                vf = re.search(r"VF Device ID: ([0-9a-f]{4})", s)
                if vf and cur.sriov:
                    cur.sriov[2] = int(vf.group(1), 16)
    return devs


def parse_spec(path):
    devs = []
    f = sys.stdin if path == "-" else open(path, encoding="utf-8")
    for lineno, line in enumerate(f, 1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if words[0] != "dev" or len(words) < 3:
            raise SystemExit("mksysfs: %s:%d: expected 'dev ADDR VVVV:DDDD ...'" % (path, lineno))
        d = Dev(*parse_addr(words[1]))
        d.vendor, d.device = (int(x, 16) for x in words[2].split(":"))
        d.cls = 0x020000
        for w in words[3:]:
            k, _, v = w.partition("=")
            if k == "class":
                d.cls = int(v, 16)
            elif k == "sub":
                d.subv, d.subd = (int(x, 16) for x in v.split(":"))
            elif k == "driver":
                d.driver = v or None
            elif k == "group":
                d.group = int(v)
            elif k == "bridge":
                d.hdr = 1
                if d.cls == 0x020000:
                    d.cls = 0x060400
            elif k == "hdr":
                d.hdr = int(v)
            elif k == "secondary":
                d.secondary = int(v, 16)
            elif k == "override":
                d.override = v
            elif k == "boot_vga":
                d.boot_vga = int(v)
            elif k == "boot_display":
                d.boot_display = int(v)
            elif k == "sriov":
                num, tot = v.split("/")
                d.sriov = [int(num), int(tot), d.device]
            elif k == "rev":
                d.rev = int(v, 16)
            elif k == "native":
                d.native = v
            elif k == "nouevent":
                d.uevent = False
            elif k == "noconfig":
                d.config = False
            elif k == "vf":
                d.vf_of = parse_addr(v)
            elif k == "block":
                d.blocks.append(v.split(":"))
            elif k == "holder":
                d.holders.append(tuple(v.split(":", 1)))
            elif k == "net":
                d.nets.append(v)
            elif k == "master":
                d.masters.append(tuple(v.split(":", 1)))
            elif k == "drm":
                d.drm += v.split(":")
            elif k == "sound":
                d.sound = v.split(":")
            elif k == "users":
                d.users = int(v)
            elif k == "reset":
                d.reset = v.replace(",", " ")
            else:
                raise SystemExit("mksysfs: %s:%d: unknown key %r" % (path, lineno, k))
        devs.append(d)
    return devs


def synthetic(n, seed):
    """A made-up server, deterministic from seed: per PCI domain a host bridge and up to 255 root
    ports on bus 00, each with its own bus holding one endpoint kind: a GPU with its audio function
    (identical twins), a dual-port NIC, an NVMe, or an SR-IOV PF with 7 VFs enabled."""
    rnd = random.Random(seed)
    devs = []
    group = 0
    dom, port = -1, 256
    kinds = ["gpu", "nic", "nvme", "nic-sriov"]
    while len(devs) < n:
        if port > 255:  # a new domain: its own root bus and 255 secondary buses
            dom += 1
            port = 1
            host = Dev(dom, 0, 0, 0)
            host.vendor, host.device, host.cls = 0x8086, 0x2020, 0x060000
            host.group = group
            group += 1
            devs.append(host)
            continue
        rp = Dev(dom, 0, port // 8, port % 8)
        rp.vendor, rp.device, rp.cls, rp.hdr, rp.driver = 0x8086, 0x2030, 0x060400, 1, "pcieport"
        rp.secondary = port
        rp.group = group
        group += 1
        devs.append(rp)
        kind = rnd.choice(kinds)
        if kind == "gpu":
            fns = [(0x10de, 0x2204, 0x030000, "nvidia"), (0x10de, 0x1aef, 0x040300, "snd_hda_intel")]
        elif kind == "nvme":
            fns = [(0x144d, 0xa80a, 0x010802, "nvme")]
        elif kind == "nic":
            fns = [(0x8086, 0x1521, 0x020000, "igb"), (0x8086, 0x1521, 0x020000, "igb")]
        else:
            fns = [(0x8086, 0x1572, 0x020000, "i40e")] + [(0x8086, 0x154c, 0x020000, "iavf")] * 7
        for i, (v, d, c, drv) in enumerate(fns):
            if len(devs) >= n:
                break
            e = Dev(dom, port, 0, i)
            e.vendor, e.device, e.cls, e.driver = v, d, c, drv
            e.subv, e.subd = 0x1043, 0x8000 + rnd.randrange(16)
            if kind == "nic-sriov" and i == 0:
                e.sriov = [7, 64, 0x154c]
            e.group = group
            devs.append(e)
        group += 1
        port += 1
    return devs[:n]


def write(path, data, mode=0o644):
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)
    os.chmod(path, mode)


def symlink(target_abs, link_abs):
    os.symlink(os.path.relpath(target_abs, os.path.dirname(link_abs)), link_abs)


def config_bytes(d):
    cfg = bytearray(64)
    struct.pack_into("<HHHH", cfg, 0, d.vendor, d.device, 0x0406, 0x0010)
    cfg[8] = d.rev
    struct.pack_into("<I", cfg, 8, (d.cls << 8) | d.rev)
    cfg[0x0e] = d.hdr & 0x7f
    if d.hdr == 0:
        struct.pack_into("<HH", cfg, 0x2c, d.subv, d.subd)
    elif d.hdr == 1 and d.secondary is not None:
        cfg[0x18], cfg[0x19], cfg[0x1a] = d.bus, d.secondary, d.secondary
    return bytes(cfg)


def uevent(d):
    lines = []
    if d.driver:
        lines.append("DRIVER=%s" % d.driver)
    # drivers/pci/pci-driver.c pci_uevent(): "%04X" class, uppercase ids
    lines.append("PCI_CLASS=%04X" % d.cls)
    lines.append("PCI_ID=%04X:%04X" % (d.vendor, d.device))
    lines.append("PCI_SUBSYS_ID=%04X:%04X" % (d.subv, d.subd))
    lines.append("PCI_SLOT_NAME=%s" % d.name)
    lines.append("MODALIAS=pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X" % (
        d.vendor, d.device, d.subv, d.subd, d.cls >> 16, (d.cls >> 8) & 0xff, d.cls & 0xff))
    return "\n".join(lines) + "\n"


def module_of(driver):
    return {"pcieport": None, "xhci_hcd": "xhci_pci", "ehci-pci": "ehci_pci",
            "ohci-pci": "ohci_pci", "vfio-pci": "vfio_pci", "pci-stub": "pci_stub"}.get(
        driver, driver.replace("-", "_"))


def build(out, devs, groups_mode):
    by_addr = {}
    for d in devs:
        by_addr[d.addr] = d  # a later source replaces an earlier device at the same address
    devs = sorted(by_addr.values(), key=lambda d: d.addr)
    if groups_mode == "none":
        for d in devs:
            d.group = None
    elif groups_mode == "slot" or (groups_mode == "dump" and all(d.group is None for d in devs)):
        slots = {}
        for d in devs:
            d.group = slots.setdefault((d.dom, d.bus, d.dev), len(slots))
    if not any(d.boot_vga is not None for d in devs):
        vga = [d for d in devs if d.cls >> 8 == 0x0300]
        for i, d in enumerate(vga):
            d.boot_vga = 1 if i == 0 else 0
    for d in devs:
        if d.boot_vga is None and d.cls >> 16 == 0x03:
            d.boot_vga = 0

    bridges = {}
    for d in devs:
        if d.secondary is not None and not (d.secondary == d.bus):
            bridges.setdefault((d.dom, d.secondary), d)
    vmd = next((d for d in devs if d.driver == "vmd"), None)
    paths = {}

    def path_of(d, depth=0):
        if d.addr in paths:
            return paths[d.addr]
        parent = bridges.get((d.dom, d.bus))
        if parent is not None and parent is not d and depth < 64:
            base = path_of(parent, depth + 1)
        elif d.dom > 0xffff and vmd is not None:
            base = os.path.join(path_of(vmd, depth + 1), "pci%04x:%02x" % (d.dom, d.bus))
        else:
            base = os.path.join(out, "devices", "pci%04x:%02x" % (d.dom, d.bus))
        p = paths[d.addr] = os.path.join(base, d.name)
        return p

    bus_pci = os.path.join(out, "bus", "pci")
    os.makedirs(os.path.join(bus_pci, "devices"), exist_ok=True)
    os.makedirs(os.path.join(bus_pci, "drivers"), exist_ok=True)
    write(os.path.join(bus_pci, "drivers_probe"), "", 0o200)
    write(os.path.join(bus_pci, "drivers_autoprobe"), "1\n")
    write(os.path.join(bus_pci, "rescan"), "", 0o200)
    os.makedirs(os.path.join(out, "kernel", "iommu_groups"), exist_ok=True)
    os.makedirs(os.path.join(out, "module"), exist_ok=True)

    for d in devs:
        p = path_of(d)
        os.makedirs(p, exist_ok=True)
        write(os.path.join(p, "vendor"), "0x%04x\n" % d.vendor, 0o444)
        write(os.path.join(p, "device"), "0x%04x\n" % d.device, 0o444)
        write(os.path.join(p, "subsystem_vendor"), "0x%04x\n" % d.subv, 0o444)
        write(os.path.join(p, "subsystem_device"), "0x%04x\n" % d.subd, 0o444)
        write(os.path.join(p, "class"), "0x%06x\n" % d.cls, 0o444)
        write(os.path.join(p, "revision"), "0x%02x\n" % d.rev, 0o444)
        if d.uevent:
            write(os.path.join(p, "uevent"), uevent(d))
        write(os.path.join(p, "driver_override"), (d.override or "(null)") + "\n")
        if d.config:
            write(os.path.join(p, "config"), config_bytes(d))
        if d.boot_vga is not None:
            write(os.path.join(p, "boot_vga"), "%d\n" % d.boot_vga, 0o444)
        if d.boot_display is not None:
            write(os.path.join(p, "boot_display"), "%d\n" % d.boot_display, 0o444)
        if d.sriov:
            write(os.path.join(p, "sriov_totalvfs"), "%d\n" % d.sriov[1], 0o444)
            write(os.path.join(p, "sriov_numvfs"), "%d\n" % d.sriov[0])
            write(os.path.join(p, "sriov_drivers_autoprobe"), "1\n")
        write(os.path.join(p, "enable"), "1\n")
        write(os.path.join(p, "d3cold_allowed"), "1\n")
        os.makedirs(os.path.join(p, "power"), exist_ok=True)
        write(os.path.join(p, "power", "control"), "auto\n")
        if d.reset is not None:
            write(os.path.join(p, "reset_method"), d.reset + "\n")
        write(os.path.join(p, "numa_node"), "-1\n", 0o444)
        symlink(bus_pci, os.path.join(p, "subsystem"))
        symlink(p, os.path.join(bus_pci, "devices", d.name))
        if d.driver:
            bind(out, d, d.driver)
            if d.users is not None and module_of(d.driver):
                write(os.path.join(out, "module", module_of(d.driver), "refcnt"),
                      "%d\n" % d.users, 0o444)
        if d.group is not None:
            g = os.path.join(out, "kernel", "iommu_groups", str(d.group))
            os.makedirs(os.path.join(g, "devices"), exist_ok=True)
            if not os.path.exists(os.path.join(g, "type")):
                write(os.path.join(g, "type"), "DMA\n", 0o444)
            symlink(p, os.path.join(g, "devices", d.name))
            symlink(g, os.path.join(p, "iommu_group"))
    # SR-IOV: the PF's virtfnN and each VF's physfn, in address order
    vfs_of = {}
    for d in devs:
        if d.vf_of is not None:
            vfs_of.setdefault(d.vf_of, []).append(d)
    for pf_addr, vfs in vfs_of.items():
        pf = by_addr.get(pf_addr)
        if pf is None:
            raise SystemExit("mksysfs: vf= names %04x:%02x:%02x.%x, not in the tree" % pf_addr)
        for k, vf in enumerate(vfs):
            symlink(path_of(vf), os.path.join(path_of(pf), "virtfn%d" % k))
            symlink(path_of(pf), os.path.join(path_of(vf), "physfn"))
    # block devices, network interfaces and DRM nodes under their functions
    minor = [0]

    def class_link(cls, name, target):
        os.makedirs(os.path.join(out, "class", cls), exist_ok=True)
        symlink(target, os.path.join(out, "class", cls, name))

    def devnode(path, major, minor_, devname):
        # a device node's directory: dev, and the uevent udev names /dev/DEVNAME from
        os.makedirs(path, exist_ok=True)
        write(os.path.join(path, "dev"), "%d:%d\n" % (major, minor_), 0o444)
        write(os.path.join(path, "uevent"), "MAJOR=%d\nMINOR=%d\nDEVNAME=%s\n" % (
            major, minor_, devname), 0o444)

    def blockdev(path, name, part):
        os.makedirs(os.path.join(path, "holders"), exist_ok=True)
        os.makedirs(os.path.join(path, "slaves"), exist_ok=True)
        devnode(path, 252, minor[0], name)
        minor[0] += 1
        if part:
            write(os.path.join(path, "partition"), "1\n", 0o444)
        class_link("block", name, path)

    blockdirs = {}
    for d in devs:
        base = path_of(d)
        for disk in d.blocks:
            dp = os.path.join(base, "block", disk[0])
            blockdev(dp, disk[0], False)
            blockdirs[disk[0]] = dp
            for part in disk[1:]:
                blockdev(os.path.join(dp, part), part, True)
                blockdirs[part] = os.path.join(dp, part)
        for b, holder in d.holders:
            hp = os.path.join(out, "devices", "virtual", "block", holder)
            if not os.path.isdir(hp):
                blockdev(hp, holder, False)
            symlink(hp, os.path.join(blockdirs[b], "holders", holder))
            symlink(blockdirs[b], os.path.join(hp, "slaves", b))
        for ifc in d.nets:
            # "virtio2/eth3": under a child device, as a virtio NIC's interface sits
            sub, _, ifc = ifc.rpartition("/")
            np_ = os.path.join(base, sub, "net", ifc)
            os.makedirs(np_, exist_ok=True)
            write(os.path.join(np_, "operstate"), "up\n", 0o444)
            class_link("net", ifc, np_)
        for ifc, master in d.masters:
            mp = os.path.join(out, "devices", "virtual", "net", master)
            if not os.path.isdir(mp):
                os.makedirs(mp)
                write(os.path.join(mp, "operstate"), "up\n", 0o444)
                class_link("net", master, mp)
            symlink(mp, os.path.join(base, "net", ifc, "master"))
        for name in d.drm:
            dp = os.path.join(base, "drm", name)
            devnode(dp, 226, int(re.sub(r"\D", "", name) or 0), "dri/" + name)
            class_link("drm", name, dp)
        if d.sound:
            cp = os.path.join(base, "sound", d.sound[0])
            os.makedirs(cp, exist_ok=True)
            class_link("sound", d.sound[0], cp)
            for k, name in enumerate(d.sound[1:]):
                devnode(os.path.join(cp, name), 116, k, "snd/" + name)
                class_link("sound", name, os.path.join(cp, name))
    # The kernel model in tests/mock/pcimock.c reads which driver matches which device here.
    os.makedirs(os.path.join(out, ".mock"), exist_ok=True)
    with open(os.path.join(out, ".mock", "native"), "w") as f:
        for d in devs:
            nat = d.native or d.driver
            if nat and nat not in ("vfio-pci", "pci-stub"):
                f.write("%s %s\n" % (d.name, nat))
    return devs


def register(out, driver):
    dd = os.path.join(out, "bus", "pci", "drivers", driver)
    if not os.path.isdir(dd):
        os.makedirs(dd)
        for f in ("bind", "unbind", "new_id", "remove_id"):
            write(os.path.join(dd, f), "", 0o200)
        write(os.path.join(dd, "uevent"), "", 0o200)
        mod = module_of(driver)
        if mod:
            os.makedirs(os.path.join(out, "module", mod, "drivers"), exist_ok=True)
            write(os.path.join(out, "module", mod, "initstate"), "live\n", 0o444)
            # a loaded module's references (CONFIG_MODULE_UNLOAD) and the modules using it
            write(os.path.join(out, "module", mod, "refcnt"), "0\n", 0o444)
            os.makedirs(os.path.join(out, "module", mod, "holders"), exist_ok=True)
            symlink(os.path.join(out, "module", mod), os.path.join(dd, "module"))
            # the kernel's module/MOD/drivers/pci:NAME link back to the driver
            symlink(dd, os.path.join(out, "module", mod, "drivers", "pci:" + driver))
            # vfio-pci and its variants (mlx5_vfio_pci, ...) hold vfio_pci_core
            if mod == "vfio_pci" or mod.endswith("_vfio_pci"):
                holders = os.path.join(out, "module", "vfio_pci_core", "holders")
                os.makedirs(holders, exist_ok=True)
                symlink(os.path.join(out, "module", mod), os.path.join(holders, mod))
    return dd


def parse_ids(text):
    """The kernel's ids= grammar (vfio_pci_fill_ids(): sscanf "%x:%x:%x:%x:%x:%x", fewer than
    two fields skipped) -> (vendor, device, subvendor, subdevice, class, class_mask) tuples."""
    out = []
    for entry in text.split(","):
        f = [int(x, 16) for x in entry.split(":") if x] if entry else []
        if len(f) < 2:
            continue
        f += [0xffffffff, 0xffffffff, 0, 0][len(f) - 2:]
        out.append(tuple(f[:6]))
    return out


def id_matches(i, d):
    """pci_match_one_device()"""
    v, dv, sv, sd, c, m = i
    return ((v == 0xffffffff or v == d.vendor) and (dv == 0xffffffff or dv == d.device) and
            (sv == 0xffffffff or sv == d.subv) and (sd == 0xffffffff or sd == d.subd) and
            not ((c ^ d.cls) & m))


def builtin(out, devs, spec):
    """A driver built into the kernel, with the dynamic ids its ids= made at registration."""
    driver, _, ids = spec.partition("=")
    dd = register(out, driver)
    mod = module_of(driver)
    if driver == "pci-stub":
        # its one parameter, ids, has mode 0: a built-in pci_stub has no module/pci_stub at all
        # (the module tree's modules.builtin says it), and its driver no module link
        shutil.rmtree(os.path.join(out, "module", mod))
        os.unlink(os.path.join(dd, "module"))
    else:
        # built in: no initstate, no refcnt, no holders
        os.unlink(os.path.join(out, "module", mod, "initstate"))
        os.unlink(os.path.join(out, "module", mod, "refcnt"))
        os.rmdir(os.path.join(out, "module", mod, "holders"))
        os.makedirs(os.path.join(out, "module", mod, "parameters"), exist_ok=True)
        write(os.path.join(out, "module", mod, "parameters", "ids"), ids + "\n", 0o444)
    dyn = parse_ids(ids)
    write(os.path.join(dd, ".dynids"), "".join("%x %x %x %x %x %x\n" % i for i in dyn))
    for d in devs:
        if any(id_matches(i, d) for i in dyn):
            bind(out, d, driver)


def device_dir(out, name):
    return os.path.realpath(os.path.join(out, "bus", "pci", "devices", name))


def set_uevent_driver(p, driver):
    ue = os.path.join(p, "uevent")
    if not os.path.exists(ue):
        return
    lines = [l for l in open(ue).read().splitlines() if not l.startswith("DRIVER=")]
    if driver:
        lines.insert(0, "DRIVER=%s" % driver)
    write(ue, "\n".join(lines) + "\n")


def bind(out, d, driver):
    p = device_dir(out, d.name) if not isinstance(d, str) else device_dir(out, d)
    name = os.path.basename(p)
    link = os.path.join(p, "driver")
    if os.path.lexists(link):
        old = os.path.basename(os.readlink(link))
        os.unlink(link)
        ol = os.path.join(out, "bus", "pci", "drivers", old, name)
        if os.path.lexists(ol):
            os.unlink(ol)
    if driver:
        dd = register(out, driver)
        symlink(dd, link)
        symlink(p, os.path.join(dd, name))
    set_uevent_driver(p, driver)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--lspci", action="append", default=[])
    ap.add_argument("--spec", action="append", default=[])
    ap.add_argument("--synthetic", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--groups", choices=["dump", "slot", "none"], default="dump")
    ap.add_argument("--override", action="append", default=[])
    ap.add_argument("--driver", action="append", default=[])
    ap.add_argument("--register", action="append", default=[])
    ap.add_argument("--builtin", action="append", default=[])
    a = ap.parse_args()

    devs = []
    for f in a.lspci:
        devs += parse_lspci(f)
    for f in a.spec:
        devs += parse_spec(f)
    if a.synthetic:
        devs += synthetic(a.synthetic, a.seed)
    if os.path.exists(a.out) and os.listdir(a.out):
        raise SystemExit("mksysfs: %s exists and is not empty" % a.out)
    os.makedirs(a.out, exist_ok=True)
    devs = build(a.out, devs, a.groups)
    for b in a.builtin:
        builtin(a.out, devs, b)
    for r in a.register:
        register(a.out, r)
    for o in a.override:
        addr, _, drv = o.partition("=")
        write(os.path.join(device_dir(a.out, addr), "driver_override"), (drv or "(null)") + "\n")
    for o in a.driver:
        addr, _, drv = o.partition("=")
        bind(a.out, addr, None if drv in ("", "-") else drv)


if __name__ == "__main__":
    main()
