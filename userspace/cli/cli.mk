# userspace/cli: the sipsteer command line tool. Its objects (but main.o)
# are also built with sanitizers in $(BUILD)/san/cli/ for the unit tests.

CLI_DIR := userspace/cli
CLI_SRCS := $(wildcard $(CLI_DIR)/*.c)
CLI_HDRS := $(wildcard $(CLI_DIR)/*.h) $(LIB_HDRS)
CLI_OBJS := $(patsubst $(CLI_DIR)/%.c,$(BUILD)/cli/%.o,$(CLI_SRCS))
CLI_CPPFLAGS = $(CPPFLAGS_COMMON) $(LIBSIPSTEER_CPPFLAGS)
# Pure parts the unit tests link: grammar, JSON writer, printers.
CLI_SAN_OBJS := $(BUILD)/san/cli/args.o $(BUILD)/san/cli/json.o \
	$(BUILD)/san/cli/print.o

userspace: $(BUILD)/sipsteer

$(BUILD)/cli/%.o: $(CLI_DIR)/%.c $(CLI_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CLI_CPPFLAGS) $(CFLAGS_COMMON) -c -o $@ $<

$(BUILD)/san/cli/%.o: $(CLI_DIR)/%.c $(CLI_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CLI_CPPFLAGS) $(CFLAGS_SAN) -c -o $@ $<

$(BUILD)/sipsteer: $(CLI_OBJS) $(BUILD)/libsipsteer.a
	$(CC) $(CFLAGS_COMMON) -o $@ $(CLI_OBJS) $(LIBSIPSTEER_LIBS)
