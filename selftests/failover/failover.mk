# Failover scenarios in the test VM with the module and real peers
# (selftests/failover/): registrars in namespaces, the daemon and the
# phone's "other process"; results in $(RESULTS)/vm-failover.txt.
# One scenario: selftests/failover/run.sh selftests/failover/NAME.sh
# (SIPSTEERD=path picks the daemon binary).

FAILOVER_DIR := $(CURDIR)/selftests/failover
# The test bed's own checks first, then every scenario.
FAILOVER_SCENARIOS := peers callbed silent-3000 silent-32000 refusing \
	busy keepalive failback flapping backoff dns-down restart tcp \
	calls-udp calls-tcp calls-tls calls-dual relay-udp relay-tcp \
	passive-silent passive-refusing passive-ignored passive-storm \
	concurrent concurrent-tcp

.PHONY: check-vm-failover
check-vm: check-vm-failover
check-vm-failover: module userspace selftest-tools
	@mkdir -p $(RESULTS)
	BUILD=$(BUILD) KDIR=$(KDIR) SIPSTEERD=$(BUILD)/sipsteerd \
		$(FAILOVER_DIR)/run.sh --result $(RESULTS)/vm-failover.txt \
		$(FAILOVER_SCENARIOS:%=$(FAILOVER_DIR)/%.sh)
