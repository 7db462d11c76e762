#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build sipsteer.ko against one kernel tree the way the admin guide says
# (`make module KDIR=... ARCH=... CROSS_COMPILE=...`, in a copy of the
# sources so builds for several kernels never share objects), with W=1
# and sparse. Appends "PASS: LABEL: check" or "FAIL: LABEL: check" and
# the offending output to RESULT_FILE for each of: the W=1 build, sparse.
# The module is left in WORKDIR/kmod/sipsteer.ko.
# usage: check-build.sh KDIR WORKDIR RESULT_FILE LABEL [MAKE_VAR=VALUE...]
#   The make variables the tree needs on this host (scripts/kmake.sh) are
#   added; MAKE_VARs given here come after them.
set -u
kdir=$1
work=$2
result=$3
label=$4
shift 4
project=$(cd "$(dirname "$0")/.." && pwd)
failed=0

report() {
	local name=$1 rc=$2 out=$3
	if [ "$rc" -eq 0 ] && [ ! -s "$out" ]; then
		echo "PASS: $label: $name" >> "$result"
	else
		failed=1
		echo "FAIL: $label: $name" >> "$result"
		sed 's/^/    /' "$out" >> "$result"
		sed "s/^/$label: $name: /" "$out" >&2
	fi
}

vars=$("$project/scripts/kmake.sh" "$kdir") || exit 1
rm -rf "$work"
mkdir -p "$work"
tar -C "$project" --exclude=./build --exclude=./.cache --exclude=./.git \
	--exclude='*.o' --exclude='*.ko' --exclude='*.mod' \
	--exclude='*.mod.c' --exclude='.*.cmd' --exclude='*.symvers' \
	--exclude='*.order' -cf - . | tar -C "$work" -xf -

log=$work/build.log
# shellcheck disable=SC2086 # one make variable per word
make -s -C "$work" module KDIR="$kdir" $vars "$@" W=1 C=1 CHECK=sparse \
	> "$log" 2>&1
rc=$?
# gcc's warnings name their option ([-W...]); sparse's do not.
grep -E 'warning:|error:' "$log" | grep -F '[-W' > "$work/gcc"
grep -E "^$work/(kmod|include)/.*(warning|error):" "$log" |
	grep -vF '[-W' > "$work/sparse"
if [ $rc -ne 0 ]; then
	cat "$log" >> "$work/gcc"
elif [ ! -e "$work/kmod/sipsteer.ko" ]; then
	echo "no kmod/sipsteer.ko" >> "$work/gcc"
fi
report "W=1 build" $rc "$work/gcc"
report "sparse" $rc "$work/sparse"
exit $failed
