# userspace/lib: libsipsteer.a, the netlink client library of the CLI and
# the controller. $(BUILD)/san/lib/ holds a sanitizer build for tests.

LIB_DIR := userspace/lib
LIB_SRCS := $(wildcard $(LIB_DIR)/*.c)
LIB_HDRS := $(wildcard $(LIB_DIR)/*.h) include/uapi/linux/sipsteer.h
LIB_OBJS := $(patsubst $(LIB_DIR)/%.c,$(BUILD)/lib/%.o,$(LIB_SRCS))
LIB_SAN_OBJS := $(patsubst $(LIB_DIR)/%.c,$(BUILD)/san/lib/%.o,$(LIB_SRCS))

LIBMNL_CFLAGS = $(shell $(PKG_CONFIG) --cflags libmnl)
LIBMNL_LIBS = $(shell $(PKG_CONFIG) --libs libmnl)
# For users of the library: the daemon links $(BUILD)/libsipsteer.a with
# these flags.
LIBSIPSTEER_CPPFLAGS = -I$(CURDIR)/$(LIB_DIR) $(LIBMNL_CFLAGS)
LIBSIPSTEER_LIBS = $(BUILD)/libsipsteer.a $(LIBMNL_LIBS)

$(BUILD)/lib/%.o: $(LIB_DIR)/%.c $(LIB_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS_COMMON) $(LIBMNL_CFLAGS) $(CFLAGS_COMMON) -c -o $@ $<

$(BUILD)/san/lib/%.o: $(LIB_DIR)/%.c $(LIB_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS_COMMON) $(LIBMNL_CFLAGS) $(CFLAGS_SAN) -c -o $@ $<

$(BUILD)/libsipsteer.a: $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/san/libsipsteer.a: $(LIB_SAN_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^
