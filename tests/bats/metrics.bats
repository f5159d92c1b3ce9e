#!/usr/bin/env bats
# For fleets: status --prometheus (node_exporter's textfile format, checked by promtool) and every
# JSON output against the JSON Schema in schema/earlybind.schema.json (python3-jsonschema).
load helpers

setup_file() {
	"$REPO/tests/fetch-kernel.sh" >/dev/null
}

validate() {
	python3 "$REPO/tests/validate-json.py" "$@"
}

@test "every JSON output (plan, status, apply, boot-devices, suggest, doctor, state.json) carries schema 1 and validates" {
	local d n=0
	for d in pve-x570-aorus-master-rtx3090ti-vfio-pci pve-xeon-e5v3-x10drh-x540-iommu-groups laptop-legion5-ryzen-hybrid-rtx3060-iommu; do
		rm -rf "$T/s" && mktree s --lspci "$(dump "$d")"
		echo 'vfio-pci.ids=10de:2203,10de:1aef,8086:1528 earlybind.group=vfio-pci' >"$T/c"
		"$EB" plan --sysfs "$T/s" --cmdline "$T/c" --json >"$T/plan.json"
		"$EB" status --sysfs "$T/s" --cmdline "$T/c" --json >"$T/status.json"
		"$EB" boot-devices --sysfs "$T/s" --cmdline "$T/c" --json >"$T/bootdev.json"
		"$EB" doctor --sysfs "$T/s" --cmdline "$T/c" --initramfs /nonexistent --json >"$T/doctor.json" || :
		addr=$(jq -r '.devices[] | select(.class | startswith("03")) | .address' "$T/plan.json" | head -n 1)
		"$EB" suggest --sysfs "$T/s" --json "$addr" >"$T/suggest.json"
		run validate "$T/plan.json" "$T/status.json" "$T/bootdev.json" "$T/doctor.json" "$T/suggest.json"
		echo "$output"
		[ "$status" -eq 0 ]
		n=$((n + 1))
	done
	# apply and the state file, against the kernel model
	cat >"$T/spec" <<'S'
dev 0000:00:01.0 8086:1901 class=060400 bridge secondary=01 driver=pcieport group=1
dev 0000:01:00.0 8086:10d3 sub=8086:a01f driver=e1000e group=1
dev 0000:02:00.0 8086:10d3 sub=8086:a01f driver=e1000e group=2
S
	rm -rf "$T/s" && mktree s --spec "$T/spec"
	MODDIR=$(kernel_moddir)
	echo 'earlybind.claim=01:00.0' >"$T/c"
	eb_mocked "$T/s" apply --cmdline "$T/c" --json >"$T/apply.json"
	run validate "$T/apply.json" "$T/root/run/earlybind/state.json"
	echo "$output"
	[ "$status" -eq 0 ]
	for f in "$T"/*.json "$T/root/run/earlybind/state.json"; do
		[ "$(jq .schema "$f")" = 1 ]
	done
	# and the schema can fail: a wrong type, an unknown action, a missing field
	jq '.devices[0].vendor = "zz"' "$T/apply.json" >"$T/bad1.json"
	jq '.devices[0].action = "grab"' "$T/apply.json" >"$T/bad2.json"
	jq 'del(.results)' "$T/apply.json" >"$T/bad3.json"
	for b in bad1 bad2 bad3; do
		run validate "$T/$b.json"
		echo "$output"
		[ "$status" -eq 1 ]
	done
}

@test "status --prometheus: promtool accepts it on real trees; selected devices, groups, lost claims, refusals and failures" {
	local d
	for d in pve-x570-aorus-master-rtx3090ti-vfio-pci desktop-x570-taichi-ryzen-chipset-switch workstation-x299-sage-4x-rtx2080ti-plx; do
		rm -rf "$T/s" && mktree s --lspci "$(dump "$d")"
		echo 'vfio-pci.ids=10de:2203,10de:1aef,10de:1e04,10de:10f7' >"$T/c"
		"$EB" status --sysfs "$T/s" --cmdline "$T/c" --prometheus >"$T/m.prom"
		run promtool check metrics <"$T/m.prom"
		echo "$output"
		[ "$status" -eq 0 ]
	done
	# the X570 host with its RTX 3090 Ti on vfio-pci: a boot record with one claim lost, one
	# refusal and one failure, and a later hand run
	rm -rf "$T/s" && mktree s --lspci "$(dump pve-x570-aorus-master-rtx3090ti-vfio-pci)"
	mkdir -p "$T/root/run/earlybind"
	printf '%s\n' \
		"0000:0b:00.0	claimed	vfio-pci	nouveau	vfio-pci	-	initramfs	1796000000" \
		"0000:03:00.0	claimed	vfio-pci	nvme	vfio-pci	-	initramfs	1796000000" \
		"0000:04:00.0	refused	vfio-pci	-	-	-	initramfs	1796000000" \
		"0000:05:00.0	failed	vfio-pci	r8169	r8169	boom	udev	1796000100" \
		"0000:06:00.0	claimed	vfio-pci	-	vfio-pci	-	hand	1796000500" >"$T/root/run/earlybind/results"
	jq -r '.devices[] | "\(.address) \(.driver)"' <("$EB" plan --sysfs "$T/s" --cmdline /dev/null --json) | head -n 20
	"$EB" status --sysfs "$T/s" --root "$T/root" --cmdline "$T/c" --prometheus >"$T/m.prom"
	cat "$T/m.prom"
	promtool check metrics <"$T/m.prom"
	run ! grep -E '\} [0-9]+ [0-9]+$' "$T/m.prom" # no timestamps
	grep -qE '^earlybind_device_on_target\{address="0000:0b:00.0",vendor="10de",device="2203",target="vfio-pci",driver="vfio-pci"\} 1$' "$T/m.prom"
	grep -qE '^earlybind_iommu_group_viable\{group="[0-9]+"\} 1$' "$T/m.prom"
	grep -qx 'earlybind_boot_claims_lost 1' "$T/m.prom"
	grep -qx 'earlybind_boot_refused 1' "$T/m.prom"
	grep -qx 'earlybind_boot_failed 1' "$T/m.prom"
	grep -qx 'earlybind_last_apply_timestamp_seconds 1796000500' "$T/m.prom"
	# --write: the same text, replaced atomically, nothing else left in the directory
	mkdir -p "$T/textfile"
	"$EB" status --sysfs "$T/s" --root "$T/root" --cmdline "$T/c" --prometheus --write "$T/textfile/earlybind.prom"
	cmp "$T/m.prom" "$T/textfile/earlybind.prom"
	[ "$(ls -A "$T/textfile")" = earlybind.prom ]
}

@test "the metrics unit writes into node_exporter's textfile directory (configurable); make install ships it and its timer" {
	grep -qx 'Environment=EARLYBIND_TEXTFILE_DIR=/var/lib/prometheus/node-exporter' "$REPO/hook/earlybind-metrics.service"
	grep -qx 'EnvironmentFile=-/etc/default/earlybind' "$REPO/hook/earlybind-metrics.service"
	grep -qx 'ExecStart=/usr/bin/earlybind status --prometheus --write ${EARLYBIND_TEXTFILE_DIR}/earlybind.prom' "$REPO/hook/earlybind-metrics.service"
	grep -qx 'After=multi-user.target' "$REPO/hook/earlybind-metrics.service"
	grep -qx 'WantedBy=multi-user.target' "$REPO/hook/earlybind-metrics.service"
	make -s -C "$REPO" install DESTDIR="$T/d" >/dev/null
	[ -f "$T/d/usr/lib/systemd/system/earlybind-metrics.service" ]
	[ -f "$T/d/usr/lib/systemd/system/earlybind-metrics.timer" ]
}
