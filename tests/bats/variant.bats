#!/usr/bin/env bats
# vfio-pci variant drivers: which one a claim for vfio-pci binds (the most specific vfio_pci:
# alias of the target kernel's modules.alias), the opt-outs, naming one, and a device on a variant
# counting as claimed. The binding itself is proven on a real kernel (boot scenario V5).
load helpers

# A module tree with the aliases depmod writes for PCI_DRIVER_OVERRIDE_DEVICE_VFIO entries:
# plain vfio-pci, mlx5_vfio_pci for the ConnectX-6 Dx VF (15b3:101e, as in Linux's
# drivers/vfio/pci/mlx5/main.c), and a made-up wider one for every Mellanox Ethernet function.
variant_moddir() {
	mkdir -p "$T/mods"
	cat >"$T/mods/modules.alias" <<-'EOF'
		# Aliases extracted from modules themselves.
		alias pci:v000015B3d0000101Esv*sd*bc*sc*i* mlx5_core
		alias vfio_pci:v000015B3d*sv*sd*bc02sc00i* mlx5_wide_vfio_pci
		alias vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i* mlx5_vfio_pci
		alias vfio_pci:v*d*sv*sd*bc*sc*i* vfio_pci
	EOF
}

# two ConnectX-6 Dx VFs (twins), a ConnectX-5 PF, an e1000e
variant_tree() {
	mktree s --spec - <<-EOF
		dev 0000:3b:00.2 15b3:101e class=020000 driver=mlx5_core group=60
		dev 0000:3b:00.3 15b3:101e class=020000 driver=${1:-mlx5_core} group=61
		dev 0000:3c:00.0 15b3:1017 class=020000 driver=mlx5_core group=62
		dev 0000:01:00.0 8086:10d3 class=020000 driver=e1000e group=1
	EOF
	variant_moddir
	mkdir -p "$T/root/proc"
	: >"$T/root/proc/cmdline"
}

vplan() {
	"$EB" plan --sysfs "$T/s" --root "$T/root" --moddir "$T/mods" --json $(cl "$@")
}

variant_of() {
	printf '%s' "$output" | jq -r --arg a "$1" '.devices[] | select(.address == $a) | .variant'
}

@test "a claim for vfio-pci binds the most specific variant; the reason names its alias; plain vfio-pci where none matches" {
	variant_tree
	run vplan vfio-pci.ids=15b3:101e,15b3:1017,8086:10d3
	[ "$status" -eq 0 ]
	[ "$(action 0000:3b:00.2)" = "claim vfio-pci" ]
	[ "$(variant_of 0000:3b:00.2)" = mlx5_vfio_pci ]
	[ "$(variant_of 0000:3c:00.0)" = mlx5_wide_vfio_pci ]
	[ "$(variant_of 0000:01:00.0)" = null ]
	printf '%s' "$output" | jq -e '.devices[] | select(.address == "0000:3b:00.2") | .reason | endswith("; variant mlx5_vfio_pci (vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i*)")'
	printf '%s' "$output" >"$T/p.json"
	python3 "$REPO/tests/validate-json.py" "$T/p.json"
}

@test "opt-outs: =vfio-pci means exactly vfio-pci; earlybind.variant=off turns variants off; pci-stub never has one" {
	variant_tree
	run vplan earlybind.claim=0000:3b:00.2=vfio-pci,0000:3b:00.3
	[ "$(variant_of 0000:3b:00.2)" = null ]
	[ "$(variant_of 0000:3b:00.3)" = mlx5_vfio_pci ]
	run vplan vfio-pci.ids=15b3:101e earlybind.variant=off
	[ "$(variant_of 0000:3b:00.2)" = null ]
	[ "$(action 0000:3b:00.2)" = "claim vfio-pci" ]
	run vplan pci-stub.ids=15b3:101e
	[ "$(action 0000:3b:00.2)" = "claim pci-stub" ]
	[ "$(variant_of 0000:3b:00.2)" = null ]
}

@test "a variant named in the claim: any module with a vfio_pci: alias ('-' or '_'); a name without one is refused" {
	variant_tree
	run vplan earlybind.claim=0000:3b:00.2=mlx5-wide-vfio-pci,0000:3b:00.3=nvidia
	[ "$(variant_of 0000:3b:00.2)" = mlx5_wide_vfio_pci ]
	[ "$(action 0000:3b:00.3)" = "refuse null" ]
	printf '%s' "$output" | jq -e '.devices[] | select(.address == "0000:3b:00.3") | .reason | contains("names nvidia, but no module of that name carries a vfio_pci: alias")'
}

@test "a device on a variant driver is already claimed, keeps its group viable, and shows its vfio group in status" {
	variant_tree mlx5_vfio_pci
	run vplan vfio-pci.ids=15b3:101e
	[ "$(action 0000:3b:00.3)" = "already vfio-pci" ]
	[ "$(action 0000:3b:00.2)" = "claim vfio-pci" ]
	printf '%s' "$output" | jq -e '.groups[] | select(.group == 61) | .viable'
	run "$EB" status --sysfs "$T/s" --root "$T/root" --moddir "$T/mods"
	[[ $output == *"0000:3b:00.3"*"vfio: /dev/vfio/61"* ]]
}

@test "two variants matching equally well: plain vfio-pci, with a warning naming the way to choose" {
	variant_tree
	echo 'alias vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i* other_vfio_pci' >>"$T/mods/modules.alias"
	run vplan vfio-pci.ids=15b3:101e
	[ "$(variant_of 0000:3b:00.2)" = null ]
	warnings | grep -q '^0000:3b:00.2: two vfio-pci variants match it equally well'
	# the table says it as the JSON does
	run "$EB" plan --sysfs "$T/s" --root "$T/root" --moddir "$T/mods" $(cl vfio-pci.ids=15b3:101e)
	[[ "$output" == *"0000:3b:00.2: two vfio-pci variants match it equally well"* ]]
}

@test "release gives a device on a variant back to its own driver (kernel model)" {
	# a third e1000e on the test variant of the boot tests, e1000e its own driver
	mocked_machine "dev 0000:03:00.0 8086:10d3 driver=ebtest_vfio_pci override=ebtest_vfio_pci native=e1000e group=3"
	run eb_mocked "$T/s" release 0000:03:00.0
	[ "$status" -eq 0 ]
	[ "$(driver "$T/s" 0000:03:00.0)" = e1000e ]
	[ "$(override "$T/s" 0000:03:00.0)" = "(null)" ]
	grep -q 'released from ebtest_vfio_pci, now on e1000e' "$T/kmsg"
}

@test "no selector wants a device: modules.alias is never read" {
	variant_tree
	ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 strace -f -o "$T/trace" -e trace=openat \
		"$EB" plan --sysfs "$T/s" --root "$T/root" --moddir "$T/mods" $(cl vfio-pci.ids=dead:beef) >/dev/null
	run ! grep -q 'modules.alias' "$T/trace"
	ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 strace -f -o "$T/trace" -e trace=openat \
		"$EB" plan --sysfs "$T/s" --root "$T/root" --moddir "$T/mods" $(cl vfio-pci.ids=15b3:101e) >/dev/null
	grep -q 'modules.alias' "$T/trace"
}

@test "the udev path leaves a device on a variant alone, whatever the selectors say" {
	variant_tree mlx5_vfio_pci
	echo "vfio-pci.ids=15b3:101e" >"$T/root/proc/cmdline"
	before=$(tree_sum "$T/s")
	"$EB" apply --device 0000:3b:00.3 --sysfs "$T/s" --root "$T/root" --moddir "$T/mods" --kmsg "$T/kmsg"
	[ "$(tree_sum "$T/s")" = "$before" ]
	[ ! -e "$T/root/run/earlybind" ]
}

@test "a module tree with only libkmod's binary indexes (mkinitcpio's images): the variant read from modules.alias.bin" {
	mktree s --spec - <<-'EOF'
		dev 0000:01:00.0 8086:10d3 class=020000 driver=e1000e group=1
		dev 0000:02:00.0 8086:10d3 class=020000 driver=e1000e group=2
	EOF
	mkdir -p "$T/root/proc"
	: >"$T/root/proc/cmdline"
	run "$EB" plan --sysfs "$T/s" --root "$T/root" --moddir "$REPO/tests/fixtures/kmod-index" --json \
		$(cl vfio-pci.ids=8086:10d3 earlybind.claim=0000:02:00.0=vfio-pci)
	[ "$status" -eq 0 ]
	[ "$(variant_of 0000:01:00.0)" = ebtest_vfio_pci ]
	[ "$(variant_of 0000:02:00.0)" = null ]
	[ ! -e "$REPO/tests/fixtures/kmod-index/modules.alias" ]
	# the alias it matched, as the index holds it
	printf '%s' "$output" | jq -e '.devices[] | select(.address == "0000:01:00.0") |
		.reason | contains("variant ebtest_vfio_pci (vfio_pci:v00008086d000010D3sv*sd*bc*sc*i*)")'
}

# Devices with the vfio_pci: aliases of real variant drivers (tests/fixtures/kmod-variants:
# depmod's own modules.alias and modules.alias.bin for stand-in modules carrying those aliases).
kmod_variants_tree() {
	mktree s --spec - <<-'EOF'
		dev 0000:3b:00.2 15b3:101e class=020000 driver=mlx5_core group=60
		dev 0000:3c:00.1 1af4:1041 class=020000 driver=virtio-pci group=61
		dev 0009:01:00.0 10de:2342 class=030200 group=62
		dev 0000:6b:00.1 8086:4941 class=0b4000 group=63
		dev 0000:01:00.0 8086:10d3 class=020000 driver=e1000e group=1
		dev 0000:02:00.0 8086:10ca class=020000 driver=igbvf group=2
	EOF
	mkdir -p "$T/root/proc" "$T/bin-only" "$T/text-only"
	: >"$T/root/proc/cmdline"
	cp "$REPO/tests/fixtures/kmod-variants/modules.alias.bin" "$T/bin-only/"
	cp "$REPO/tests/fixtures/kmod-variants/modules.alias" "$T/text-only/"
}

@test "modules.alias.bin and modules.alias name the same variants (real drivers' aliases, depmod's files); the index needs no libkmod" {
	kmod_variants_tree
	ids=vfio-pci.ids=15b3:101e,1af4:1041,10de:2342,8086:4941,8086:10d3,8086:10ca
	for d in bin-only text-only; do
		run "$EB" plan --sysfs "$T/s" --root "$T/root" --moddir "$T/$d" --json $(cl $ids)
		[ "$status" -eq 0 ]
		[ "$(variant_of 0000:3b:00.2)" = mlx5_vfio_pci ]
		[ "$(variant_of 0000:3c:00.1)" = virtio_vfio_pci ]
		[ "$(variant_of 0009:01:00.0)" = nvgrace_gpu_vfio_pci ]
		[ "$(variant_of 0000:6b:00.1)" = qat_vfio_pci ]
		[ "$(variant_of 0000:01:00.0)" = null ]
		[ "$(variant_of 0000:02:00.0)" = igbvf_vfio_pci ]
	done
	run "$EB" initramfs-modules --moddir "$T/bin-only"
	[ "$status" -eq 0 ]
	bin=$output
	run "$EB" initramfs-modules --moddir "$T/text-only"
	[ "$(printf '%s\n' "$output" | sort)" = "$(printf '%s\n' "$bin" | sort)" ]
	[ "$(printf '%s\n' "$bin" | sort | tr '\n' ' ')" = "igbvf_vfio_pci mlx5_vfio_pci nvgrace_gpu_vfio_pci qat_vfio_pci virtio_vfio_pci " ]
	# the index is walked by earlybind itself: no libkmod mapped for it
	LD_DEBUG=files "$EB" plan --sysfs "$T/s" --root "$T/root" --moddir "$T/bin-only" $(cl $ids) \
		>/dev/null 2>"$T/ld"
	run ! grep -q 'libkmod' "$T/ld"
}

@test "a damaged modules.alias.bin: modules.alias is read instead, and a plan still comes out" {
	kmod_variants_tree
	mkdir -p "$T/both"
	cp "$REPO/tests/fixtures/kmod-variants/modules.alias" "$T/both/"
	head -c 600 "$REPO/tests/fixtures/kmod-variants/modules.alias.bin" >"$T/both/modules.alias.bin"
	run "$EB" plan --sysfs "$T/s" --root "$T/root" --moddir "$T/both" --json $(cl vfio-pci.ids=15b3:101e)
	[ "$status" -eq 0 ]
	[ "$(variant_of 0000:3b:00.2)" = mlx5_vfio_pci ]
	printf 'garbage' >"$T/both/modules.alias.bin"
	run "$EB" plan --sysfs "$T/s" --root "$T/root" --moddir "$T/both" --json $(cl vfio-pci.ids=15b3:101e)
	[ "$status" -eq 0 ]
	[ "$(variant_of 0000:3b:00.2)" = mlx5_vfio_pci ]
}

@test "initramfs-modules: every variant the kernel has; --hostonly: those this host's plan binds, claimed or already" {
	variant_tree mlx5_vfio_pci
	run "$EB" initramfs-modules --moddir "$T/mods"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'mlx5_wide_vfio_pci\nmlx5_vfio_pci')" ]
	run "$EB" initramfs-modules --hostonly --sysfs "$T/s" --root "$T/root" --moddir "$T/mods"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	echo "vfio-pci.ids=15b3:101e" >"$T/root/proc/cmdline"
	run "$EB" initramfs-modules --hostonly --sysfs "$T/s" --root "$T/root" --moddir "$T/mods"
	[ "$output" = mlx5_vfio_pci ]
	echo "earlybind.claim=0000:3c:00.0 earlybind.variant=off" >"$T/root/proc/cmdline"
	run "$EB" initramfs-modules --hostonly --sysfs "$T/s" --root "$T/root" --moddir "$T/mods"
	[ -z "$output" ]
}

@test "initramfs-recipe: the vfio stack the tree has as files, the variants, the dlopen()ed libraries by path" {
	K=$("$REPO/tests/fetch-kernel.sh")
	# Debian's 6.1 tree: every module of the stack is a file there (vfio_virqfd too, gone on 6.2)
	run "$EB" initramfs-recipe --moddir "$K/lib/modules/6.1.0-57-amd64"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | grep '^module ' | tr '\n' ' ')" = "module vfio module vfio_iommu_type1 module vfio_virqfd module vfio_pci_core module vfio_pci module irqbypass module pci_stub " ]
	# the libraries as the dynamic linker finds them here: absolute, existing, the right sonames
	[ "$(printf '%s\n' "$output" | grep -c '^library /')" -eq 2 ]
	for lib in libkmod.so.2 libblkid.so.1; do
		path=$(printf '%s\n' "$output" | sed -n "s|^library \(/.*/$lib\)\$|\1|p")
		[ -e "$path" ]
	done
	# a tree whose modules.dep.bin holds none of them (built in, or absent): no module lines; its
	# variant (modules.alias.bin) still listed
	mkdir -p "$T/idx"
	cp "$REPO"/tests/fixtures/kmod-index/modules.*.bin "$T/idx/"
	run "$EB" initramfs-recipe --moddir "$T/idx"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | grep '^variant ')" = "variant ebtest_vfio_pci" ]
	run ! grep -q '^module ' <<<"$output"
	# --hostonly: the plan's variants only, as initramfs-modules says them
	variant_tree
	echo "vfio-pci.ids=15b3:101e" >"$T/root/proc/cmdline"
	run "$EB" initramfs-recipe --hostonly --sysfs "$T/s" --root "$T/root" --moddir "$T/mods"
	[ "$(printf '%s\n' "$output" | grep '^variant ')" = "variant mlx5_vfio_pci" ]
}

@test "the dracut module installs the variants initramfs-modules names: all in a generic image, this host's in a hostonly one" {
	variant_tree
	echo "vfio-pci.ids=15b3:1017" >"$T/root/proc/cmdline"
	# earlybind as dracut finds it on this host: the test tree is its machine
	printf '#!/bin/sh\nexec "%s" "$@" --sysfs "%s" --root "%s"\n' "$EB" "$T/s" "$T/root" >"$T/eb"
	chmod +x "$T/eb"
	got() {
		bash -c '
			instmods() { echo "$*" >>"$T/instmods"; }
			srcmods=$T/mods hostonly=$1
			. "$REPO/dracut-module/module-setup.sh"
			installkernel' _ "$1"
	}
	export T REPO EARLYBIND_BIN=$T/eb
	: >"$T/instmods"
	got ""
	[ "$(sed -n 2p "$T/instmods")" = "mlx5_wide_vfio_pci mlx5_vfio_pci" ]
	: >"$T/instmods"
	got yes
	[ "$(sed -n 2p "$T/instmods")" = "mlx5_wide_vfio_pci" ]
	[ "$(wc -l <"$T/instmods")" -eq 2 ]
}

@test "the mkinitcpio hook copies the recipe: libraries by path, the stack, the variants; hostonly when autodetect runs" {
	variant_tree
	echo "vfio-pci.ids=15b3:1017" >"$T/root/proc/cmdline"
	printf '#!/bin/sh\nexec "%s" "$@" --sysfs "%s" --root "%s"\n' "$EB" "$T/s" "$T/root" >"$T/eb"
	chmod +x "$T/eb"
	# mkinitcpio's functions as stubs that note each call; /usr/bin/earlybind is the test's
	got() {
		sed "s|/usr/bin/earlybind initramfs-recipe|$T/eb initramfs-recipe|" \
			"$REPO/hook/mkinitcpio/install/earlybind" >"$T/install"
		bash -c '
			add_binary() { echo "binary $*"; }
			add_module() { echo "module $*"; }
			add_file() { :; }
			add_runscript() { :; }
			warning() { :; }
			in_array() { local x=$1; shift; for y; do [[ $x == "$y" ]] && return 0; done; return 1; }
			BUILDROOT=$T/buildroot _d_kmoduledir=$T/mods
			read -ra _hooks <<<"$1"
			. "$T/install"
			build' _ "$1"
	}
	export T
	run got "base earlybind udev"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | grep -c '^binary /.*/lib\(kmod.so.2\|blkid.so.1\)$')" -eq 2 ]
	printf '%s\n' "$output" | grep -qx 'module vfio_pci'
	printf '%s\n' "$output" | grep -qx 'module mlx5_vfio_pci'
	printf '%s\n' "$output" | grep -qx 'module mlx5_wide_vfio_pci'
	# autodetect in the hook set: this host's variants only
	run got "base earlybind udev autodetect"
	echo "$output"
	printf '%s\n' "$output" | grep -qx 'module mlx5_wide_vfio_pci'
	run ! grep -qx 'module mlx5_vfio_pci' <<<"$output"
}

