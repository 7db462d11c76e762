# userspace/cli: the sipsteer command line tool. Its objects (but main.o)
# are also built with sanitizers in $(BUILD)/san/cli/ for the unit tests.

CLI_DIR := userspace/cli
CLI_SRCS := $(wildcard $(CLI_DIR)/*.c)
CLI_HDRS := $(wildcard $(CLI_DIR)/*.h) $(LIB_HDRS)
CLI_OBJS := $(patsubst $(CLI_DIR)/%.c,$(BUILD)/cli/%.o,$(CLI_SRCS))
CLI_CPPFLAGS = $(CPPFLAGS_COMMON) $(LIBSIPSTEER_CPPFLAGS)
# Pure parts the unit tests link: grammar and printers.
CLI_SAN_OBJS := $(BUILD)/san/cli/args.o $(BUILD)/san/cli/print.o

userspace: $(BUILD)/sipsteer

$(BUILD)/cli/%.o: $(CLI_DIR)/%.c $(CLI_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CLI_CPPFLAGS) $(CFLAGS_COMMON) -c -o $@ $<

$(BUILD)/san/cli/%.o: $(CLI_DIR)/%.c $(CLI_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CLI_CPPFLAGS) $(CFLAGS_SAN) -c -o $@ $<

$(BUILD)/sipsteer: $(CLI_OBJS) $(BUILD)/libsipsteer.a
	$(CC) $(CFLAGS_COMMON) -o $@ $(CLI_OBJS) $(LIBSIPSTEER_LIBS)

# Unit tests (cmocka, sanitizers): library and CLI parts that need no
# kernel module.
CLI_TEST_DIR := selftests/unit/cli
CLI_TESTS := $(patsubst $(CLI_TEST_DIR)/%.c,$(BUILD)/san/tests/cli/%,\
	$(wildcard $(CLI_TEST_DIR)/*.c))
CMOCKA_CFLAGS = $(shell $(PKG_CONFIG) --cflags cmocka)
CMOCKA_LIBS = $(shell $(PKG_CONFIG) --libs cmocka)

.PHONY: check-unit-cli
check-unit: check-unit-cli
# Pattern-built objects would otherwise be deleted as intermediates.
.SECONDARY: $(CLI_SAN_OBJS)

$(BUILD)/san/tests/cli/%: $(CLI_TEST_DIR)/%.c $(CLI_SAN_OBJS) \
		$(BUILD)/san/libsipsteer.a $(CLI_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CLI_CPPFLAGS) -I$(CURDIR)/$(CLI_DIR) $(CMOCKA_CFLAGS) \
		$(CFLAGS_SAN) -o $@ $< $(CLI_SAN_OBJS) \
		$(BUILD)/san/libsipsteer.a $(LIBMNL_LIBS) $(CMOCKA_LIBS)

check-unit-cli: $(CLI_TESTS)
	@mkdir -p $(RESULTS)
	selftests/unit/run.sh $(RESULTS)/unit-cli.txt $(CLI_TESTS)

# The CLI against the real module in the test VM (selftests/vm harness,
# kernel selftests' topology): exit codes, extack text, JSON, monitor,
# expect-gen and the stale TCP connection killer.
.PHONY: check-vm-cli
check-vm: check-vm-cli
check-vm-cli: module userspace selftest-tools \
		$(BUILD)/san/tests/cli/test_tcpkill
	@mkdir -p $(RESULTS)
	BUILD=$(BUILD) KDIR=$(KDIR) selftests/vm/run.sh \
		--result $(RESULTS)/vm-cli.txt selftests/unit/cli/vm/cli.sh
