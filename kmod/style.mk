# SPDX-License-Identifier: GPL-2.0
# Style checks of the module, one result each in $(RESULTS)/style.txt:
# checkpatch.pl --strict on every source and the uapi header, a W=1 build
# and a sparse pass failing on any warning from our files, and the YNL
# spec checked against the uapi header; the same build against a
# configuration without IPv6 (LINUX_SOURCE_TAR with $(KDIR)'s .config).

LINUX_SOURCE_TAR ?= /usr/src/linux-source-6.1.tar.xz
CHECKPATCH := $(BUILD)/checkpatch/scripts/checkpatch.pl

.PHONY: check-style-kmod
check-style: check-style-kmod

# Only the three files checkpatch reads, extracted once.
$(CHECKPATCH):
	mkdir -p $(BUILD)/checkpatch
	tar -xJf $(LINUX_SOURCE_TAR) -C $(BUILD)/checkpatch \
		--strip-components=1 linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch
	touch $@

check-style-kmod: $(CHECKPATCH)
	@mkdir -p $(RESULTS)
	kmod/check-style.sh $(CHECKPATCH) $(KDIR) $(BUILD)/style-kmod \
		$(RESULTS)/style.txt $(LINUX_SOURCE_TAR)
