# fuzzing: libFuzzer harness for the SIP parser. `make fuzz` runs it for
# FUZZ_TIME seconds (default 60) from the seed corpus; not part of check.

FUZZ_TIME ?= 60
FUZZ_CC ?= clang
FUZZ_DIR := selftests/fuzz
FUZZ_BUILD := $(BUILD)/fuzz
FUZZ_CFLAGS := -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer
# The parser and digest: no sockets, no loop.
FUZZ_SIP_SRCS := $(FUZZ_DIR)/fuzz_sip_msg.c userspace/daemon/sip/parse.c \
	userspace/daemon/sip/digest.c userspace/daemon/sip/build.c
FUZZ_LIBS := $(shell $(PKG_CONFIG) --libs nettle 2>/dev/null)

.PHONY: fuzz fuzz-build

fuzz-build: $(FUZZ_BUILD)/fuzz_sip_msg

$(FUZZ_BUILD)/fuzz_sip_msg: $(FUZZ_SIP_SRCS) userspace/daemon/sip/msg.h \
		userspace/daemon/sip/digest.h userspace/daemon/sip/build.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(CPPFLAGS_COMMON) \
		-I$(CURDIR)/userspace/daemon -o $@ $(FUZZ_SIP_SRCS) $(FUZZ_LIBS)

# The seed corpus stays untouched; new inputs go to the build folder.
fuzz: $(FUZZ_BUILD)/fuzz_sip_msg
	@mkdir -p $(FUZZ_BUILD)/corpus $(FUZZ_BUILD)/artifacts
	$(FUZZ_BUILD)/fuzz_sip_msg -max_total_time=$(FUZZ_TIME) \
		-max_len=70000 -timeout=10 -rss_limit_mb=1024 \
		-artifact_prefix=$(FUZZ_BUILD)/artifacts/ \
		-print_final_stats=1 \
		$(FUZZ_BUILD)/corpus $(FUZZ_DIR)/corpus
