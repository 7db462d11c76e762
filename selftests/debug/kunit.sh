#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The KUnit suites of sipsteer.ko (kmod/kunit.c) in the debug kernel:
# load sipsteer_kunit.ko next to $MODULE (its suites run while it loads),
# read each suite's results from debugfs and print one KTAP line per test
# case, with the suite's log as diagnostics. Runs in the test VM after
# sipsteer.ko is loaded (selftests/vm/guest.sh).
set -u
module=$(dirname "$MODULE")/sipsteer_kunit.ko
kunit=/sys/kernel/debug/kunit

fail_all() {
	echo "KTAP version 1"
	echo "1..1"
	echo "# $*"
	echo "not ok 1 kunit"
	exit 1
}

[ -e "$module" ] || fail_all "no $module (the kernel has no CONFIG_KUNIT?)"
[ -d "$kunit" ] || fail_all "no $kunit (CONFIG_KUNIT_DEBUGFS)"
insmod "$module" || fail_all "insmod $module failed"

# "suite.case ok|not ok" per case, and the logs, from every suite.
out=$(mktemp)
log=$(mktemp)
trap 'rm -f "$out" "$log"; rmmod sipsteer_kunit 2>/dev/null' EXIT
suites=0
for dir in "$kunit"/sipsteer_*; do
	[ -r "$dir/results" ] || continue
	suites=$((suites + 1))
	suite=${dir##*/}
	awk -v suite="$suite" -v out="$out" '
		/^    (not )?ok [0-9]+ / {
			status = $1 == "not" ? "not ok" : "ok"
			name = $(status == "ok" ? 3 : 4)
			if (name == "-")
				name = $(status == "ok" ? 4 : 5)
			print suite "." name " " status >> out
			next
		}
		/^    # / { sub(/^ +# /, ""); print suite ": " $0 }
	' "$dir/results" >> "$log"
done
[ "$suites" -gt 0 ] || fail_all "no sipsteer suite in $kunit"

echo "KTAP version 1"
echo "1..$(wc -l < "$out")"
sed 's/^/# /' "$log"
i=0
failed=0
while read -r name status; do
	i=$((i + 1))
	echo "$status $i $name"
	[ "$status" = ok ] || failed=$((failed + 1))
done < "$out"
[ "$i" -gt 0 ] || fail_all "the suites ran no test case"
[ "$failed" -eq 0 ]
