# earlybind — see README.md
VERSION    := 0.1
PREFIX     ?= /usr
BINDIR     ?= $(PREFIX)/bin
DRACUTMODS ?= $(PREFIX)/lib/dracut/modules.d
DRACUTDIR  ?= $(DRACUTMODS)/50earlybind
MANDIR     ?= $(PREFIX)/share/man
DESTDIR    ?=
CC         ?= cc
PKG_CONFIG ?= pkg-config
B          ?= build

WARN    := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -DEARLYBIND_VERSION='"$(VERSION)"' \
	     $(shell $(PKG_CONFIG) --cflags libkmod blkid)
# libkmod and libblkid are dlopen()ed on first use (src/dlib.c): only their headers at build time.
LIBS    = -ldl

# Stages in pipeline order, then the glue.
LIB_SRC := src/util.c src/pathcxt.c src/env.c src/diag.c src/log.c src/dlib.c src/cmdline.c src/pci.c src/names.c src/selector.c src/ids_index.c src/rules.c src/scan.c src/plan.c \
	   src/bootdev.c src/modload.c src/sysfsw.c src/apply.c src/state.c src/report.c \
	   src/iomem.c src/kmodidx.c src/variant.c src/record.c src/json.c src/inuse.c src/pipeline.c src/sriov.c
BIN_SRC := src/opts.c src/suggest.c src/doctor.c src/commands.c src/main.c
LIB_OBJ := $(LIB_SRC:src/%.c=$(B)/%.o)
BIN_OBJ := $(BIN_SRC:src/%.c=$(B)/%.o)
UNIT_SRC := $(wildcard tests/unit/*.c)

.PHONY: demo all setup check check-unit check-bats check-boot check-sanitize fuzz bench install clean format lint

all: $(B)/earlybind

$(B)/%.o: src/%.c $(wildcard src/*.h) | $(B)
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -Isrc -c -o $@ $<

$(B):
	mkdir -p $(B)

$(B)/earlybind: $(LIB_OBJ) $(BIN_OBJ)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

# The kernel model for the bats tests (LD_PRELOAD).
$(B)/pcimock.so: tests/mock/pcimock.c | $(B)
	$(CC) -std=gnu11 -Wall -Wextra -Werror -O2 -g -shared -fPIC -o $@ $< -ldl

$(B)/run-unit: $(UNIT_SRC) $(LIB_OBJ) $(wildcard tests/unit/*.h)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -Isrc -o $@ $(UNIT_SRC) $(LIB_OBJ) $(LIBS)

# Installs every build and test dependency (Debian/Ubuntu).
setup:
	./tests/setup-deps.sh

check: $(B)/earlybind $(B)/run-unit $(B)/pcimock.so
	B=$(B) tests/check-all.sh

check-unit: $(B)/run-unit
	$(B)/run-unit

check-bats: $(B)/earlybind $(B)/pcimock.so
	EARLYBIND=$(CURDIR)/$(B)/earlybind PCIMOCK=$(CURDIR)/$(B)/pcimock.so bats tests/bats

check-boot: $(B)/earlybind
	EARLYBIND=$(CURDIR)/$(B)/earlybind tests/boot/run
	EARLYBIND=$(CURDIR)/$(B)/earlybind BOOT_SUITE=trixie BOOT_IMAGES="shell vmm" BOOT_ONLY='^([1-6]|V2) ' tests/boot/run
	EARLYBIND=$(CURDIR)/$(B)/earlybind BOOT_SUITE=sid BOOT_IMAGES="shell vmm" BOOT_ONLY='^([1-6]|V2) ' tests/boot/run
	EARLYBIND=$(CURDIR)/$(B)/earlybind tests/itools/run
	EARLYBIND=$(CURDIR)/$(B)/earlybind ITOOLS_SUITE=trixie tests/itools/run
	EARLYBIND=$(CURDIR)/$(B)/earlybind BOOT_KERNEL=builtin BOOT_IMAGES="shell systemd vmm" BOOT_ONLY='^B' tests/boot/run

UDEVRULESDIR ?= $(PREFIX)/lib/udev/rules.d
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
INITCPIODIR  ?= $(PREFIX)/lib/initcpio
VFIO_GROUP   ?= kvm
ITOOLSDIR    ?= /usr/share/initramfs-tools

$(B)/floor: tests/bench/floor.c | $(B)
	$(CC) -std=gnu11 -Wall -Wextra -Werror -O2 -o $@ $<

# The unit and bats tests against an ASan+UBSan build, valgrind on plan over the real dumps.
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
check-sanitize: $(B)/earlybind
	$(MAKE) B=build-asan CFLAGS="$(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" \
		build-asan/earlybind build-asan/run-unit build-asan/pcimock.so
	VALGRIND_BIN=$(B)/earlybind B=build-asan tests/sanitize.sh

# libFuzzer targets (clang, ASan+UBSan); make fuzz FUZZ_SECONDS=N runs each for N seconds.
FUZZ_SECONDS ?= 60
FB := build-fuzz
FUZZ_CFLAGS = -std=gnu11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
	      -fno-sanitize-recover=undefined -Isrc $(shell $(PKG_CONFIG) --cflags libkmod blkid)
$(FB)/fuzz_%: tests/fuzz/fuzz_%.c $(LIB_SRC) $(wildcard src/*.h)
	@mkdir -p $(FB)
	clang $(FUZZ_CFLAGS) -o $@ $< $(LIB_SRC) $(LIBS)

fuzz: $(FB)/fuzz_split $(FB)/fuzz_ids $(FB)/fuzz_addr $(FB)/fuzz_rules $(FB)/fuzz_iomem $(FB)/fuzz_kmodidx
	FB=$(FB) tests/fuzz/run $(FUZZ_SECONDS)

# The one-minute proof: boots the test VM without and with earlybind.claim= on one of two NICs.
demo: $(B)/earlybind
	EARLYBIND=$(CURDIR)/$(B)/earlybind tests/boot/demo

# Not a test: times plan against driverctl, a shell loop and the floor (see README).
bench: $(B)/earlybind $(B)/floor
	EARLYBIND=$(CURDIR)/$(B)/earlybind FLOOR=$(CURDIR)/$(B)/floor tests/bench/run

install: $(B)/earlybind
	install -D -m 0755 $(B)/earlybind $(DESTDIR)$(BINDIR)/earlybind
	# the dracut module under its earlier name (90earlybind): dracut would install both
	rm -rf $(DESTDIR)$(DRACUTMODS)/90earlybind
	install -D -m 0755 dracut-module/module-setup.sh $(DESTDIR)$(DRACUTDIR)/module-setup.sh
	install -D -m 0755 hook/earlybind-cmdline.sh $(DESTDIR)$(DRACUTDIR)/earlybind-cmdline.sh
	install -D -m 0644 hook/earlybind.service $(DESTDIR)$(DRACUTDIR)/earlybind.service
	install -D -m 0644 hook/90-earlybind.rules $(DESTDIR)$(DRACUTDIR)/90-earlybind.rules
	install -D -m 0644 hook/90-earlybind.rules $(DESTDIR)$(UDEVRULESDIR)/90-earlybind.rules
	sed 's/@VFIO_GROUP@/$(VFIO_GROUP)/g' hook/91-earlybind-vfio.rules.in \
		>$(DESTDIR)$(UDEVRULESDIR)/91-earlybind-vfio.rules
	chmod 0644 $(DESTDIR)$(UDEVRULESDIR)/91-earlybind-vfio.rules
	install -D -m 0755 hook/initramfs-tools/hooks/earlybind $(DESTDIR)$(ITOOLSDIR)/hooks/earlybind
	install -D -m 0755 hook/initramfs-tools/scripts/init-top/earlybind \
		$(DESTDIR)$(ITOOLSDIR)/scripts/init-top/earlybind
	install -D -m 0644 hook/mkinitcpio/install/earlybind $(DESTDIR)$(INITCPIODIR)/install/earlybind
	install -D -m 0644 hook/mkinitcpio/hooks/earlybind $(DESTDIR)$(INITCPIODIR)/hooks/earlybind
	install -D -m 0644 hook/earlybind.service $(DESTDIR)$(SYSTEMDUNITDIR)/earlybind.service
	install -D -m 0644 hook/earlybind-metrics.service $(DESTDIR)$(SYSTEMDUNITDIR)/earlybind-metrics.service
	install -D -m 0644 hook/earlybind-metrics.timer $(DESTDIR)$(SYSTEMDUNITDIR)/earlybind-metrics.timer
	install -D -m 0644 man/earlybind.8 $(DESTDIR)$(MANDIR)/man8/earlybind.8
	install -D -m 0644 man/earlybind.cmdline.7 $(DESTDIR)$(MANDIR)/man7/earlybind.cmdline.7

C_FILES := src/*.c src/*.h tests/unit/*.c tests/unit/*.h tests/mock/*.c tests/fuzz/*.c tests/bench/*.c

format:
	clang-format -i $(C_FILES)

lint:
	shellcheck -s sh hook/*.sh
	shellcheck -s sh -e SC1091 hook/initramfs-tools/hooks/earlybind hook/initramfs-tools/scripts/init-top/earlybind
	shellcheck -s bash dracut-module/module-setup.sh hook/mkinitcpio/install/earlybind
	shellcheck -s sh hook/mkinitcpio/hooks/earlybind tests/mkinitcpio/hook-ebtest
	shellcheck -s bash tests/mkinitcpio/install-ebtest
	shellcheck -s sh tests/boot/ebtest/*.sh tests/itools/ebtest-premount tests/itools/ebtest-hook tests/itools/ebtest-bottom \
		tests/fixtures/kmod-variants/make.sh
	shellcheck -x tests/boot/run tests/boot/lib.sh tests/boot/demo tests/itools/run \
		tests/itools/mkroot.sh tests/fetch-kernel.sh tests/kernel/build.sh tests/setup-deps.sh tests/check-all.sh \
		tests/bench/run tests/fuzz/run tests/sanitize.sh tests/lint-bats.sh tests/pkg/build-deb.sh tests/pkg/build-rpm.sh .ci/run
	tests/lint-bats.sh
	clang-format --dry-run --Werror $(C_FILES)

clean:
	rm -rf $(B)
