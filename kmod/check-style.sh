#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Kernel style checks of sipsteer.ko; see kmod/style.mk.
# usage: check-style.sh CHECKPATCH KDIR WORKDIR RESULT_FILE
set -u
checkpatch=$1
kdir=$2
work=$3
result=$4
project=$(cd "$(dirname "$0")/.." && pwd)
passed=0
failed=0
: > "$result"

# report NAME RC OUTPUT_FILE: pass when the command succeeded and said
# nothing.
report() {
	local name=$1 rc=$2 out=$3
	if [ "$rc" -eq 0 ] && [ ! -s "$out" ]; then
		passed=$((passed + 1))
		echo "PASS: $name" >> "$result"
	else
		failed=$((failed + 1))
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
	perl "$checkpatch" --strict --no-tree --quiet --show-types \
		-f "$f" > "$out" 2>&1
	report "checkpatch $f" $? "$out"
done

# Build a copy, so the checks never race with `make module`.
rm -rf "$work"
mkdir -p "$work/kmod" "$work/include/uapi/linux"
cp kmod/Kbuild kmod/*.c kmod/*.h "$work/kmod/"
rm -f "$work"/kmod/*.mod.c
cp include/uapi/linux/sipsteer.h "$work/include/uapi/linux/"
echo 'obj-m += kmod/' > "$work/Kbuild"

make -s -C "$kdir" M="$work" W=1 modules > "$out.log" 2>&1
rc=$?
grep -E 'warning:|error:' "$out.log" > "$out"
[ $rc -eq 0 ] || cat "$out.log" >> "$out"
report "W=1 build" $rc "$out"

# C=2 runs sparse on every source, even up to date ones.
make -s -C "$kdir" M="$work" C=2 CHECK=sparse modules > "$out.log" 2>&1
rc=$?
# The objects are rebuilt without W=1: keep sparse's lines, not gcc's.
grep -E "^$work/(kmod|include)/.*(warning|error):" "$out.log" |
	grep -v '\[-W' > "$out"
[ $rc -eq 0 ] || cat "$out.log" >> "$out"
report "sparse" $rc "$out"
rm -f "$out.log"

# Debian's interpreter: python3-yaml (scripts/packages.txt) installs there.
/usr/bin/python3 Documentation/netlink/check-spec.py \
	Documentation/netlink/specs/sipsteer.yaml \
	include/uapi/linux/sipsteer.h > "$out" 2>&1
report "YNL spec matches the uapi header" $? "$out"

echo "$passed passed, $failed failed" | tee -a "$result"
[ "$failed" -eq 0 ]
