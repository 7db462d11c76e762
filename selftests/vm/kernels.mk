# The kernel matrix (selftests/vm/kernels.conf, selftests/vm/kernels.sh):
# `make check-kernels` tests every cell, `make check-kernels
# KERNELS="arm64-6.1 amd64-5.10"` the ones named; each writes
# $(RESULTS)/kernel-CELL.txt. `make check` tests the cells marked for it
# but the one of the host's kernel (KDIR), which check-vm tests already.

KERNELS_SH := selftests/vm/kernels.sh
KERNELS_CONF := selftests/vm/kernels.conf
KERNELS ?= $(shell $(KERNELS_SH) list | cut -d' ' -f1)
KERNELS_CHECK = $(shell $(KERNELS_SH) list --check $(KVER) | cut -d' ' -f1)
# The amd64 kernels of the matrix but the host's, for the install
# check's DKMS builds (KDIR is built too).
KERNELS_AMD64 = $(shell $(KERNELS_SH) list $(KVER) | \
	awk '$$2 == "amd64" { print $$1 }')
KERNELS_ARCHES = $(sort $(foreach k,$(KERNELS),$(firstword $(subst -, ,$(k)))))
KERNELS_SUITE = $(shell awk '$$1 == "userspace" { print $$2 }' $(KERNELS_CONF))

# What the guests run: the host's build for amd64, for the others a cross
# build in $(BUILD)/ARCH against that architecture's Debian userspace,
# which the guest boots with (selftests/vm/mkrootfs.sh: unpacked once in
# .cache/rootfs, never installed on the host).
KERNELS_TOOLS = sipsteer $(addprefix tools/,$(SELFTEST_TOOLS) \
	$(SELFTEST_NL_TOOLS)) san/tests/cli/test_tcpkill
KERNELS_TRIPLET_arm64 := aarch64-linux-gnu
KERNELS_TRIPLET_armhf := arm-linux-gnueabihf

.PHONY: check-kernels kernels-userspace kernels-userspace-amd64 \
	kernels-userspace-arm64 kernels-userspace-armhf

kernels-userspace: $(addprefix kernels-userspace-,$(KERNELS_ARCHES))
kernels-userspace-amd64: $(addprefix $(BUILD)/,$(KERNELS_TOOLS))

kernels-userspace-arm64 kernels-userspace-armhf: kernels-userspace-%:
	selftests/vm/mkrootfs.sh $(KERNELS_SUITE) $* \
		$(CURDIR)/.cache/rootfs/$(KERNELS_SUITE)-$*
	sysroot=$(CURDIR)/.cache/rootfs/$(KERNELS_SUITE)-$*/root; \
	PKG_CONFIG_SYSROOT_DIR=$$sysroot \
	PKG_CONFIG_LIBDIR=$$sysroot/usr/lib/$(KERNELS_TRIPLET_$*)/pkgconfig \
		$(MAKE) BUILD=$(BUILD)/$* \
		CC="$(KERNELS_TRIPLET_$*)-gcc --sysroot=$$sysroot" \
		$(addprefix $(BUILD)/$*/,$(KERNELS_TOOLS))

# Two cells at a time: much of a VM's time is its tests' timers and
# traffic, which overlap (on 2 cores, 1.4 times faster than one by one).
KERNELS_JOBS ?= 2
check-kernels: kernels-userspace
	@mkdir -p $(RESULTS)
	@$(MAKE) -s -k -j$(KERNELS_JOBS) $(addprefix check-kernel-,$(KERNELS))

check-kernel-%:
	@BUILD=$(BUILD) $(KERNELS_SH) check $(RESULTS) $*
