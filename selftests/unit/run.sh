#!/bin/sh
# Run cmocka test binaries with TAP output and write the suite's result.
# usage: run.sh RESULT_FILE TEST_BINARY...
# A binary that crashes or prints no plan counts as one failure.
set -u
result=$1
shift
passed=0
failed=0
for bin in "$@"; do
	name=$(basename "$bin")
	out=$(CMOCKA_MESSAGE_OUTPUT=TAP "$bin" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed "s|^|$name: |"
	p=$(printf '%s\n' "$out" | grep -c '^ok ')
	f=$(printf '%s\n' "$out" | grep -c '^not ok [0-9]')
	planned=$(printf '%s\n' "$out" | sed -n 's/^1\.\.\([0-9]*\)$/\1/p' | head -n 1)
	if [ -z "$planned" ] || [ $((p + f)) -ne "$planned" ] ||
	   { [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; }; then
		echo "$name: exited $rc after $((p + f)) of ${planned:-?} tests"
		f=$((f + 1))
	fi
	passed=$((passed + p))
	failed=$((failed + f))
done
echo "$passed passed, $failed failed" | tee "$result"
[ "$failed" -eq 0 ]
