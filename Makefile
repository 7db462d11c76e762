# sipsteer: `make` builds the module and userspace, `make check` installs
# what is missing and runs every test, `make demo` runs the main scenario.

KDIR ?= $(shell scripts/kdir.sh)
# The release the module is built for (Debian's headers say "6.1.192" in
# kernel.release; utsrelease.h has the real "6.1.0-N-amd64").
KVER ?= $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
	$(KDIR)/include/generated/utsrelease.h)
DESTDIR ?=
PREFIX ?= /usr
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/sipsteer
# /etc and /lib stay outside PREFIX, where init and modprobe look.
SYSCONFDIR ?= /etc
INITDIR ?= $(SYSCONFDIR)/init.d
SYSTEMDUNITDIR ?= /lib/systemd/system
MODULESLOADDIR ?= /lib/modules-load.d
DKMS_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
DKMS_SRCDIR ?= /usr/src/sipsteer-$(DKMS_VERSION)

BUILD := $(CURDIR)/build
RESULTS := $(BUILD)/results

CC ?= gcc
PKG_CONFIG ?= pkg-config
CPPFLAGS_COMMON := -I$(CURDIR)/include/uapi -D_GNU_SOURCE
CFLAGS_COMMON := -std=c11 -Wall -Wextra -Werror -O2 -g \
	-fstack-protector-strong -D_FORTIFY_SOURCE=2
# Tests build everything again with sanitizers.
CFLAGS_SAN := -std=c11 -Wall -Wextra -Werror -O1 -g \
	-fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all

.PHONY: all module userspace check check-deps check-unit check-vm \
	check-integration check-style check-kernels install clean demo bench \
	fuzz

all: module userspace

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

userspace:

include userspace/lib/lib.mk
include userspace/cli/cli.mk
include userspace/daemon/daemon.mk
include selftests/selftests.mk
include selftests/vm/kernels.mk
include selftests/integration/integration.mk
include selftests/fuzz/fuzz.mk
include selftests/demo/demo.mk
include selftests/debug/debug.mk
-include kmod/style.mk

# Fragments add their suites as prerequisites of these.
check-unit check-vm check-integration check-style:

check-deps:
	scripts/deps.sh

# Each suite writes $(RESULTS)/<suite>.txt ("N passed, N failed");
# the last line of `make check` is their sum.
check: check-deps
	@rm -rf $(RESULTS)
	@mkdir -p $(RESULTS)
	$(MAKE) all
	$(MAKE) -k check-style check-unit check-vm check-integration \
		check-kernels KERNELS="$(KERNELS_CHECK)"; \
	rc=$$?; scripts/total.sh $(RESULTS); trc=$$?; \
	[ $$rc -eq 0 ] && [ $$trc -eq 0 ]

install: all
	install -D -m 0755 $(BUILD)/sipsteer $(DESTDIR)$(SBINDIR)/sipsteer
	install -D -m 0755 $(BUILD)/sipsteerd $(DESTDIR)$(SBINDIR)/sipsteerd
	install -D -m 0644 kmod/sipsteer.ko \
		$(DESTDIR)/lib/modules/$(KVER)/updates/sipsteer.ko
	install -D -m 0644 Documentation/man/sipsteer.8 \
		$(DESTDIR)$(MANDIR)/man8/sipsteer.8
	install -D -m 0644 Documentation/man/sipsteerd.8 \
		$(DESTDIR)$(MANDIR)/man8/sipsteerd.8
	install -D -m 0644 Documentation/examples/phone.cfg \
		$(DESTDIR)$(DOCDIR)/examples/phone.cfg
	install -D -m 0644 Documentation/admin-guide.md \
		$(DESTDIR)$(DOCDIR)/admin-guide.md
	install -d $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(INITDIR)
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		dist/sipsteerd.service > $(DESTDIR)$(SYSTEMDUNITDIR)/sipsteerd.service
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		dist/S50sipsteerd > $(DESTDIR)$(INITDIR)/S50sipsteerd
	chmod 0755 $(DESTDIR)$(INITDIR)/S50sipsteerd
	install -D -m 0644 dist/sipsteer-modules.conf \
		$(DESTDIR)$(MODULESLOADDIR)/sipsteer.conf

# The module's source for DKMS (dkms.conf): `dkms install sipsteer/VERSION`.
.PHONY: install-dkms
install-dkms:
	install -D -m 0644 -t $(DESTDIR)$(DKMS_SRCDIR) dkms.conf Kbuild
	install -D -m 0644 -t $(DESTDIR)$(DKMS_SRCDIR)/kmod \
		kmod/Kbuild $(filter-out %.mod.c,$(wildcard kmod/*.c)) kmod/*.h
	install -D -m 0644 -t $(DESTDIR)$(DKMS_SRCDIR)/include/uapi/linux \
		include/uapi/linux/sipsteer.h

# DKMS builds for KDIR and for every amd64 kernel of the matrix
# (selftests/vm/kernels.conf; fetched once into .cache).
check-unit: check-install
.PHONY: check-install
check-install: all
	@mkdir -p $(RESULTS)
	rm -rf $(BUILD)/install
	$(MAKE) -s install install-dkms DESTDIR=$(BUILD)/install
	scripts/check-install.sh $(BUILD)/install $(KVER) \
		$(RESULTS)/install.txt $(KDIR) $$(for k in $(KERNELS_AMD64); do \
			$(KERNELS_SH) fetch $$k || echo "no-kernel-$$k"; done)

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(BUILD)
