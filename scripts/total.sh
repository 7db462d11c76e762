#!/bin/sh
# Sum the "N passed, N failed" lines the test suites left in DIR.
# Exit 1 when anything failed or when no suite ran.
set -eu
dir=$1
passed=0
failed=0
suites=0
for f in "$dir"/*.txt; do
	[ -e "$f" ] || continue
	line=$(tail -n 1 "$f")
	p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\1/p')
	q=$(echo "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\2/p')
	if [ -z "$p" ] || [ -z "$q" ]; then
		echo "total: $(basename "$f" .txt): no result line" >&2
		failed=$((failed + 1))
		continue
	fi
	printf '  %-24s %s\n' "$(basename "$f" .txt)" "$line"
	passed=$((passed + p))
	failed=$((failed + q))
	suites=$((suites + 1))
done
[ "$suites" -gt 0 ] || { echo "total: no suite ran" >&2; failed=$((failed + 1)); }
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
