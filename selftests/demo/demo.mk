# `make demo [TRANSPORT=udp|tcp|tls]`: the failover story end to end in
# the VM (selftests/demo/failover-demo.sh). `make demo-kmod` is the
# module alone, switched by hand (selftests/kmod/demo.sh).
TRANSPORT ?= udp

.PHONY: demo
demo: check-deps
	$(MAKE) all selftest-tools
	@BUILD=$(BUILD) KDIR=$(KDIR) TRANSPORT=$(TRANSPORT) \
		$(if $(SIPSTEERD),SIPSTEERD=$(SIPSTEERD)) \
		selftests/demo/run.sh
