# selftests: traffic tools, the kernel selftests in a qemu VM (check-vm),
# the module's demo (demo-kmod) and the benchmark (bench).

SELFTEST_TOOLS := udpsend udpsink tcpecho tcpclient
SELFTEST_NL_TOOLS := nlfuzz nlrandom stray switchlat
SELFTEST_TOOL_BINS := $(addprefix $(BUILD)/tools/,$(SELFTEST_TOOLS) \
	$(SELFTEST_NL_TOOLS))
SELFTEST_TOOL_DEPS := selftests/tools/common.c selftests/tools/common.h
SELFTEST_NL_DEPS := selftests/tools/nl.c selftests/tools/nl.h \
	include/uapi/linux/sipsteer.h
SELFTEST_VM := selftests/vm/run.sh

.PHONY: selftest-tools check-vm-kmod

selftest-tools: $(SELFTEST_TOOL_BINS)

$(BUILD)/tools/%: selftests/tools/%.c $(SELFTEST_TOOL_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_COMMON) $(CFLAGS_COMMON) -o $@ $< \
		selftests/tools/common.c

$(addprefix $(BUILD)/tools/,$(SELFTEST_NL_TOOLS)): $(BUILD)/tools/%: \
		selftests/tools/%.c $(SELFTEST_TOOL_DEPS) $(SELFTEST_NL_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_COMMON) $(CFLAGS_COMMON) -o $@ $< \
		selftests/tools/common.c selftests/tools/nl.c \
		$(shell $(PKG_CONFIG) --libs libmnl)

# The VM boots Debian's stock kernel for $(KDIR) and runs every
# selftests/kmod/*.sh script; one script: selftests/vm/run.sh SCRIPT.
check-vm: check-vm-kmod
check-vm-kmod: module userspace selftest-tools
	@mkdir -p $(RESULTS)
	BUILD=$(BUILD) KDIR=$(KDIR) $(SELFTEST_VM) --result $(RESULTS)/vm.txt

# The module alone, switched by hand and narrated on the console
# (selftests/kmod/demo.sh); `make demo` is the whole story
# (selftests/demo/demo.mk).
.PHONY: demo-kmod
demo-kmod: all selftest-tools
	@BUILD=$(BUILD) KDIR=$(KDIR) $(SELFTEST_VM) --mode demo

bench: all selftest-tools
	BUILD=$(BUILD) KDIR=$(KDIR) $(SELFTEST_VM) --mode bench

# The failover outage benchmark, sipsteerd against baresip
# (selftests/bench/failover.sh); `make bench` runs it too.
.PHONY: bench-failover
bench: bench-failover
bench-failover: all
	BUILD=$(BUILD) KDIR=$(KDIR) selftests/bench/failover-vm.sh

# Failover scenarios with real peers (check-vm-failover).
include selftests/failover/failover.mk
