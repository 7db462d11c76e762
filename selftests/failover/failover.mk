# Failover scenarios in the test VM with the module and real peers
# (selftests/failover/): registrars in namespaces, the daemon and the
# phone's "other process"; results in $(RESULTS)/vm-failover.txt.
# One scenario: selftests/failover/run.sh selftests/failover/NAME.sh

FAILOVER_DIR := $(CURDIR)/selftests/failover
# Scenarios the daemon on main passes.
FAILOVER_SCENARIOS := peers

.PHONY: check-vm-failover
check-vm: check-vm-failover
check-vm-failover: module userspace selftest-tools
	@mkdir -p $(RESULTS)
	BUILD=$(BUILD) KDIR=$(KDIR) SIPSTEERD=$(BUILD)/sipsteerd \
		$(FAILOVER_DIR)/run.sh --result $(RESULTS)/vm-failover.txt \
		$(FAILOVER_SCENARIOS:%=$(FAILOVER_DIR)/%.sh)
