#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Kernel style checks of sipsteer.ko; see kmod/style.mk.
# usage: check-style.sh CHECKPATCH KDIR WORKDIR RESULT_FILE SOURCE_TAR
#   SOURCE_TAR: the kernel source configured without IPv6 (KDIR's
#   configuration otherwise).
set -u
checkpatch=$1
kdir=$2
work=$3
result=$4
source_tar=$5
project=$(cd "$(dirname "$0")/.." && pwd)
: > "$result"

# report NAME RC OUTPUT_FILE: pass when the command succeeded and said
# nothing.
report() {
	local name=$1 rc=$2 out=$3
	if [ "$rc" -eq 0 ] && [ ! -s "$out" ]; then
		echo "PASS: $name" >> "$result"
	else
		echo "FAIL: $name" >> "$result"
		sed 's/^/    /' "$out" >> "$result"
		sed "s|^|$name: |" "$out" >&2
	fi
}

out=$(mktemp)
trap 'rm -f "$out"' EXIT
cd "$project" || exit 1

for f in kmod/*.c kmod/*.h include/uapi/linux/sipsteer.h; do
	case "$f" in *.mod.c) continue ;; esac
	ignore=
	# The one place where kernel versions are tested, by design.
	[ "$f" = kmod/compat.h ] &&
		ignore=--ignore=LINUX_VERSION_CODE,CONSTANT_COMPARISON
	perl "$checkpatch" --strict --no-tree --quiet --show-types $ignore \
		-f "$f" > "$out" 2>&1
	report "checkpatch $f" $? "$out"
done

# W=1 and sparse against KDIR (kmod/check-build.sh adds its results).
kmod/check-build.sh "$kdir" "$work/kdir" "$result" "$(basename "$kdir")"

# A kernel without IPv6 (many phone kernels): the module builds, W=1 and
# sparse clean, and refers to no IPv6 function such a kernel lacks.
if tree=$(kmod/noipv6-tree.sh "$source_tar" "$kdir/.config" \
	"$project/.cache/noipv6" 2> "$out"); then
	kmod/check-build.sh "$tree" "$work/noipv6" "$result" "CONFIG_IPV6=n"
	nm -u "$work/noipv6/kmod/sipsteer.ko" > "$out.nm" 2>&1
	rc=$?
	grep -iE 'ipv6|ip6|inet6' "$out.nm" > "$out"
	[ $rc -eq 0 ] || cat "$out.nm" >> "$out"
	rm -f "$out.nm"
else
	rc=1
fi
report "CONFIG_IPV6=n: no IPv6 symbol referenced" $rc "$out"

# Debian's interpreter: python3-yaml (scripts/packages.txt) installs there.
/usr/bin/python3 Documentation/netlink/check-spec.py \
	Documentation/netlink/specs/sipsteer.yaml \
	include/uapi/linux/sipsteer.h > "$out" 2>&1
report "YNL spec matches the uapi header" $? "$out"

passed=$(grep -c '^PASS: ' "$result")
failed=$(grep -c '^FAIL: ' "$result")
echo "$passed passed, $failed failed" | tee -a "$result"
[ "$failed" -eq 0 ]
