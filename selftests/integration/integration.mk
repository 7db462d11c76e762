# Daemon integration tests against real peers (Kamailio, dnsmasq, sipp),
# each topic in a network namespace of its own: selftests/integration/.
# run.sh writes $(RESULTS)/integration.txt; logs of failed topics go to
# $(RESULTS)/integration-logs/.

INTEGRATION_DIR := $(CURDIR)/selftests/integration

.PHONY: check-integration-daemon
check-integration: check-integration-daemon

check-integration-daemon: $(BUILD)/sipsteerd
	@mkdir -p $(RESULTS)
	$(INTEGRATION_DIR)/run.sh $(RESULTS)/integration.txt $(BUILD)/sipsteerd
