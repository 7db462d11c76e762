# make check-debug: the module's selftests, its KUnit suites and the
# failover scenarios that check the steering, under a debug kernel built
# from Debian's linux-source-6.1 once per machine (selftests/debug/).
# Results in $(BUILD)/results-debug/; not part of `make check`, whose
# time it would more than double (Documentation/testing.md).

DEBUG_RESULTS := $(BUILD)/results-debug

.PHONY: check-debug debug-kernel
check-debug: check-deps userspace selftest-tools
	@rm -rf $(DEBUG_RESULTS)
	@mkdir -p $(DEBUG_RESULTS)
	BUILD=$(BUILD) KDIR=$(KDIR) SIPSTEERD=$(BUILD)/sipsteerd \
		selftests/debug/run.sh --result-dir $(DEBUG_RESULTS); \
	rc=$$?; scripts/total.sh $(DEBUG_RESULTS); trc=$$?; \
	[ $$rc -eq 0 ] && [ $$trc -eq 0 ]

# Only the kernel (about 25 min on an idle 2-core machine, then cached).
debug-kernel:
	selftests/debug/kernel.sh
