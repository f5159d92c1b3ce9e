#!/usr/bin/env bats
# The packages: the .deb (dpkg-buildpackage, lintian at the warning level) and the RPM (rpmbuild
# on this Debian machine), each file where its distribution expects it. The .deb is also
# installed and booted by tests/itools/run.
load helpers

@test "the Debian package: every file in place, dlopen()ed libraries as dependencies, the initramfs trigger, lintian clean" {
	run "$REPO/tests/pkg/build-deb.sh" "$T/deb"
	echo "$output"
	[ "$status" -eq 0 ]
	deb=${lines[-1]}
	dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print $6}' | sort >"$T/files"
	cat >"$T/want" <<'W'
./lib/systemd/system/earlybind-metrics.service
./lib/systemd/system/earlybind-metrics.timer
./usr/bin/earlybind
./usr/lib/dracut/modules.d/50earlybind/90-earlybind.rules
./usr/lib/dracut/modules.d/50earlybind/earlybind-cmdline.sh
./usr/lib/dracut/modules.d/50earlybind/earlybind.service
./usr/lib/dracut/modules.d/50earlybind/module-setup.sh
./usr/lib/udev/rules.d/90-earlybind.rules
./usr/lib/udev/rules.d/91-earlybind-vfio.rules
./usr/share/doc/earlybind/changelog.gz
./usr/share/doc/earlybind/copyright
./usr/share/initramfs-tools/hooks/earlybind
./usr/share/initramfs-tools/scripts/init-top/earlybind
./usr/share/man/man7/earlybind.cmdline.7.gz
./usr/share/man/man8/earlybind.8.gz
W
	diff -u "$T/want" "$T/files"
	dpkg-deb -f "$deb" Depends | grep -q 'libkmod2, libblkid1, libc6'
	dpkg-deb -f "$deb" Recommends | grep -qx 'initramfs-tools | dracut'
	dpkg-deb -e "$deb" "$T/ctl"
	grep -qx 'activate-noawait update-initramfs' "$T/ctl/triggers"
	# the metrics timer and service are enabled by the package
	grep -q "deb-systemd-helper enable 'earlybind-metrics.timer'" "$T/ctl/postinst"
	run ! grep -E '^(E|W):' "$T/deb/lintian.log"
}

@test "the RPM builds here with rpmbuild and lists every file where Fedora expects it" {
	run "$REPO/tests/pkg/build-rpm.sh" "$T/rpm"
	echo "$output"
	[ "$status" -eq 0 ]
	rpm -qlp "${lines[-1]}" | grep -v '/\.build-id' | sed 's/\.gz$//' | sort >"$T/files"
	cat >"$T/want" <<'W'
/usr/bin/earlybind
/usr/lib/dracut/modules.d/50earlybind
/usr/lib/dracut/modules.d/50earlybind/90-earlybind.rules
/usr/lib/dracut/modules.d/50earlybind/earlybind-cmdline.sh
/usr/lib/dracut/modules.d/50earlybind/earlybind.service
/usr/lib/dracut/modules.d/50earlybind/module-setup.sh
/usr/lib/systemd/system-preset/90-earlybind.preset
/usr/lib/systemd/system/earlybind-metrics.service
/usr/lib/systemd/system/earlybind-metrics.timer
/usr/lib/udev/rules.d/90-earlybind.rules
/usr/lib/udev/rules.d/91-earlybind-vfio.rules
/usr/share/doc/earlybind-0.1
/usr/share/doc/earlybind-0.1/README.md
/usr/share/licenses/earlybind-0.1
/usr/share/licenses/earlybind-0.1/copyright
/usr/share/man/man7/earlybind.cmdline.7
/usr/share/man/man8/earlybind.8
W
	diff -u "$T/want" "$T/files"
	rpm -qp --requires "${lines[-1]}" | grep -q '^libkmod'
	rpm -qp --requires "${lines[-1]}" | grep -q '^libblkid'
}
