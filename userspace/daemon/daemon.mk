# userspace/daemon: sipsteerd and its unit tests.
#
# Every .c file in userspace/daemon/ and its direct subfolders is part of
# the daemon, so a new file needs no edit here. Headers are included
# relative to userspace/daemon ("core/loop.h", "sip/msg.h").
# main.c holds only main(); unit tests link everything but main.o.

DAEMON_DIR := userspace/daemon
# nettle: SHA-512/256 for digest (GnuTLS 3.7 lacks it).
DAEMON_PKGS := libcares gnutls nettle libnl-3.0 libnl-route-3.0 libmnl
DAEMON_PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(DAEMON_PKGS) 2>/dev/null)
DAEMON_PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(DAEMON_PKGS) 2>/dev/null)
DAEMON_CPPFLAGS := $(CPPFLAGS_COMMON) -I$(CURDIR)/$(DAEMON_DIR) \
	-I$(CURDIR)/userspace/lib $(DAEMON_PKG_CFLAGS)
# The netlink library (userspace/lib/lib.mk is included before us).
DAEMON_LIBSIPSTEER := $(if $(LIB_SRCS),$(BUILD)/libsipsteer.a)
DAEMON_SAN_LIBSIPSTEER := $(if $(LIB_SRCS),$(BUILD)/san/libsipsteer.a)

DAEMON_SRCS := $(sort $(wildcard $(DAEMON_DIR)/*.c $(DAEMON_DIR)/*/*.c))
DAEMON_OBJS := $(DAEMON_SRCS:$(DAEMON_DIR)/%.c=$(BUILD)/daemon/%.o)
DAEMON_MAIN_OBJ := $(BUILD)/daemon/main.o

# Same sources again with sanitizers, for the unit tests.
DAEMON_SAN_OBJS := $(DAEMON_SRCS:$(DAEMON_DIR)/%.c=$(BUILD)/san/daemon/%.o)
DAEMON_SAN_LIB_OBJS := $(filter-out $(BUILD)/san/daemon/main.o,\
	$(DAEMON_SAN_OBJS))
# Only pattern rules name them: keep make from deleting them as
# intermediates, which would relink every test each time.
.SECONDARY: $(DAEMON_SAN_LIB_OBJS)

DAEMON_TEST_DIR := selftests/unit/daemon
DAEMON_TEST_SRCS := $(sort $(wildcard $(DAEMON_TEST_DIR)/test_*.c))
DAEMON_TESTS := $(DAEMON_TEST_SRCS:$(DAEMON_TEST_DIR)/%.c=$(BUILD)/san/tests/daemon/%)
# Tests read fixtures and docs from the source tree.
DAEMON_TEST_CPPFLAGS := $(DAEMON_CPPFLAGS) -DSRCDIR=\"$(CURDIR)\" \
	$(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
DAEMON_TEST_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)

.PHONY: check-unit-daemon sipsteerd

userspace: $(BUILD)/sipsteerd
sipsteerd: $(BUILD)/sipsteerd
check-unit: check-unit-daemon

$(BUILD)/sipsteerd: $(DAEMON_OBJS) $(DAEMON_LIBSIPSTEER)
	$(CC) $(CFLAGS_COMMON) -o $@ $(DAEMON_OBJS) $(DAEMON_LIBSIPSTEER) \
		$(DAEMON_PKG_LIBS)

$(BUILD)/daemon/%.o: $(DAEMON_DIR)/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) $(DAEMON_CPPFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/san/daemon/%.o: $(DAEMON_DIR)/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_SAN) $(DAEMON_CPPFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/san/tests/daemon/%: $(DAEMON_TEST_DIR)/%.c $(DAEMON_SAN_LIB_OBJS) \
		$(DAEMON_SAN_LIBSIPSTEER)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_SAN) $(DAEMON_TEST_CPPFLAGS) -MMD -MP -o $@ $< \
		$(DAEMON_SAN_LIB_OBJS) $(DAEMON_SAN_LIBSIPSTEER) \
		$(DAEMON_PKG_LIBS) $(DAEMON_TEST_LIBS)

check-unit-daemon: $(DAEMON_TESTS)
	@mkdir -p $(RESULTS)
	selftests/unit/run.sh $(RESULTS)/unit-daemon.txt $(DAEMON_TESTS)

# Steering against the real module, in the test VM only: a driver that
# calls steer.o step by step, and the KTAP script that checks the kernel
# between steps.
DAEMON_STEERDRV := $(BUILD)/san/daemon-vm/steerdrv
.PHONY: check-vm-steer
check-vm: check-vm-steer

$(DAEMON_STEERDRV): $(DAEMON_TEST_DIR)/vm/steerdrv.c \
		$(BUILD)/san/daemon/steer/steer.o \
		$(BUILD)/san/daemon/core/log.o $(DAEMON_SAN_LIBSIPSTEER)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_SAN) $(DAEMON_CPPFLAGS) -MMD -MP -o $@ $< \
		$(BUILD)/san/daemon/steer/steer.o \
		$(BUILD)/san/daemon/core/log.o $(DAEMON_SAN_LIBSIPSTEER) \
		$(DAEMON_PKG_LIBS)

check-vm-steer: module userspace selftest-tools $(DAEMON_STEERDRV)
	@mkdir -p $(RESULTS)
	BUILD=$(BUILD) KDIR=$(KDIR) selftests/vm/run.sh \
		--result $(RESULTS)/vm-steer.txt $(DAEMON_TEST_DIR)/vm/steering.sh

-include $(DAEMON_OBJS:.o=.d) $(DAEMON_SAN_OBJS:.o=.d) \
	$(DAEMON_TESTS:=.d) $(DAEMON_STEERDRV).d
