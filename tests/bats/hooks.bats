#!/usr/bin/env bats
# The initramfs hooks are POSIX sh: sourced under busybox sh, dash and bash, as dracut does.
load helpers

stub() {
	mkdir -p "$T/bin"
	cat >"$T/bin/earlybind" <<S
#!/bin/sh
echo "earlybind \$*" >>"$T/calls"
exit 1
S
	chmod +x "$T/bin/earlybind"
}

# source_hook SHELL...: sources the hook like dracut's init, then proves the shell went on
source_hook() {
	PATH="$T/bin:$PATH" "$@" -c '
		x=outer
		. "$1"
		echo "after x=$x"' _ "$REPO/hook/earlybind-cmdline.sh"
}

@test "the cmdline hook runs apply once and returns to the sourcing shell (busybox, dash, bash)" {
	stub
	for sh in "busybox sh" dash bash; do
		: >"$T/calls"
		run source_hook $sh
		echo "$sh: $output"
		[ "$status" -eq 0 ]
		[ "$output" = "after x=outer" ]
		[ "$(cat "$T/calls")" = "earlybind apply" ]
	done
}

@test "under systemd the cmdline hook does nothing (earlybind.service ran already)" {
	stub
	mkdir -p "$T/systemd"
	: >"$T/calls"
	EARLYBIND_SYSTEMD_DIR=$T/systemd run source_hook busybox sh
	[ "$output" = "after x=outer" ]
	[ ! -s "$T/calls" ]
}

@test "without the binary the hook is silent and harmless" {
	run busybox sh -c 'PATH=/nonexistent; . "$1"; echo after' _ "$REPO/hook/earlybind-cmdline.sh"
	[ "$status" -eq 0 ]
	[ "$output" = "after" ]
}

@test "the hooks and module scripts are shellcheck clean and parse under busybox sh" {
	shellcheck -s sh "$REPO"/hook/*.sh "$REPO"/tests/boot/ebtest/*.sh
	shellcheck -s bash "$REPO"/dracut-module/module-setup.sh "$REPO"/tests/boot/ebtest/module-setup.sh
	for f in "$REPO"/hook/*.sh "$REPO"/tests/boot/ebtest/ebtest-*.sh; do
		busybox sh -n "$f"
	done
}

@test "the udev rule and the unit name the installed binary and the documented ordering" {
	grep -q '^ACTION=="add", SUBSYSTEM=="pci", RUN+="/usr/bin/earlybind apply --device \$kernel"$' "$REPO/hook/90-earlybind.rules"
	grep -q '^DefaultDependencies=no$' "$REPO/hook/earlybind.service"
	for u in systemd-modules-load.service dracut-pre-udev.service systemd-udevd.service systemd-udev-trigger.service; do
		grep -q "^Before=.*$u" "$REPO/hook/earlybind.service"
	done
}

@test "make install honours DESTDIR and PREFIX" {
	# the module's earlier name, left by an older make install: removed, or dracut installs both
	mkdir -p "$T/d/opt/eb/lib/dracut/modules.d/90earlybind"
	: >"$T/d/opt/eb/lib/dracut/modules.d/90earlybind/module-setup.sh"
	make -s -C "$REPO" install DESTDIR="$T/d" PREFIX=/opt/eb >/dev/null
	[ ! -e "$T/d/opt/eb/lib/dracut/modules.d/90earlybind" ]
	[ -x "$T/d/opt/eb/bin/earlybind" ]
	[ -x "$T/d/opt/eb/lib/dracut/modules.d/50earlybind/module-setup.sh" ]
	[ -f "$T/d/opt/eb/lib/dracut/modules.d/50earlybind/earlybind-cmdline.sh" ]
	[ -f "$T/d/opt/eb/lib/dracut/modules.d/50earlybind/earlybind.service" ]
	[ -f "$T/d/opt/eb/lib/udev/rules.d/90-earlybind.rules" ]
}

@test "the initramfs-tools boot script runs apply under busybox sh; prereqs answers empty" {
	stub
	: >"$T/calls"
	run env PATH="$T/bin:$PATH" busybox sh "$REPO/hook/initramfs-tools/scripts/init-top/earlybind" prereqs
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ ! -s "$T/calls" ]
	# it calls /usr/bin/earlybind by its full path, as in the image; check the line and the syntax
	grep -q '^	/usr/bin/earlybind apply >/dev/null || :$' "$REPO/hook/initramfs-tools/scripts/init-top/earlybind"
	sed 's|/usr/bin/earlybind|earlybind|g' "$REPO/hook/initramfs-tools/scripts/init-top/earlybind" | sed 's|\[ -x earlybind \]|command -v earlybind >/dev/null|' >"$T/init-top"
	run env PATH="$T/bin:$PATH" busybox sh "$T/init-top"
	[ "$status" -eq 0 ]
	[ "$(cat "$T/calls")" = "earlybind apply" ]
	shellcheck -s sh -e SC1091 "$REPO/hook/initramfs-tools/hooks/earlybind" "$REPO/hook/initramfs-tools/scripts/init-top/earlybind"
	busybox sh -n "$REPO/hook/initramfs-tools/hooks/earlybind"
}

@test "make install puts the initramfs-tools hook and script beside the dracut module" {
	make -s -C "$REPO" install DESTDIR="$T/d" >/dev/null
	[ -x "$T/d/usr/share/initramfs-tools/hooks/earlybind" ]
	[ -x "$T/d/usr/share/initramfs-tools/scripts/init-top/earlybind" ]
	[ -x "$T/d/usr/lib/dracut/modules.d/50earlybind/module-setup.sh" ]
}

@test "make lint: every shell script is shellcheck clean and every C file clang-format clean" {
	make -s -C "$REPO" lint
}

@test "make lint rejects a bare '! cmd' in a bats test (it could never fail there)" {
	printf '@test "x" {\n\t! grep -q a /dev/null\n\ttrue\n}\n' >"$T/bad.bats"
	run "$REPO/tests/lint-bats.sh" "$T/bad.bats"
	[ "$status" -eq 1 ]
	[[ $output == *"bad.bats:2:"* ]]
	printf '@test "x" {\n\trun ! grep -q a /dev/null\n}\n' >"$T/good.bats"
	"$REPO/tests/lint-bats.sh" "$T/good.bats"
}
