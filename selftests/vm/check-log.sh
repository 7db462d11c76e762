#!/bin/bash
# Judge a VM console log: count KTAP results per test script (a script
# that ran fewer cases than planned, or exited non-zero without a failed
# case, counts one failure more) and scan the guest's kernel log for
# warnings, BUGs, oopses and sipsteer errors. Prints the failures, then
# "N passed, N failed"; exits non-zero when anything failed.
# usage: check-log.sh [--dmesg-only] LOG
set -u
dmesg_only=
[ "${1:-}" = --dmesg-only ] && { dmesg_only=1; shift; }
log=$1

# Kernel log lines that mean a bug. Levels come from `dmesg -r` (<N>).
bad='WARNING:|BUG:|Oops|general protection|Call Trace|UBSAN|refcount_t|'\
'list_(add|del) corruption|rcu.*stall|kernel BUG|blocked for more than|'\
'unreferenced object|suspected memory leak|double free|use-after-free'
# Expected at load time for an out-of-tree, unsigned module.
benign='taints kernel|module verification failed'

awk -v bad="$bad" -v benign="$benign" -v dmesg_only="$dmesg_only" '
function finish_script() {
	if (script == "")
		return
	if (!exited) {
		printf "%s: did not finish (VM died or timed out)\n", script
		failed++
	} else if (planned == 0) {
		printf "%s: printed no KTAP plan\n", script
		failed++
	} else if (ran < planned) {
		printf "%s: ran %d of %d planned cases\n", script, ran, planned
		failed++
	} else if (rc != 0 && script_failed == 0) {
		printf "%s: exited %d\n", script, rc
		failed++
	}
	script = ""
}
/^sipsteer-vm: dmesg begin/ { finish_script(); in_dmesg = 1; seen_dmesg = 1; next }
/^sipsteer-vm: dmesg end/ { in_dmesg = 0; dmesg_end = 1; next }
in_dmesg {
	line = $0
	level = 7
	if (match(line, /^<[0-9]+>/)) {
		level = substr(line, 2, RLENGTH - 2) % 8
		line = substr(line, RLENGTH + 1)
	}
	if (line ~ bad || (line ~ /sipsteer/ && level <= 4 && line !~ benign)) {
		printf "kernel: %s\n", line
		kernel_bad++
	}
	next
}
dmesg_only { next }
/^# selftest: [^ ]+$/ {
	finish_script()
	script = $3; planned = 0; ran = 0; rc = 0; exited = 0
	script_failed = 0; scripts++
	next
}
/^# selftest: [^ ]+ exit [0-9]+$/ { rc = $5; exited = 1; next }
script != "" && /^1\.\.[0-9]+$/ { planned = substr($0, 4) + 0; next }
script != "" && /^ok [0-9]+/ { ran++; passed++; next }
script != "" && /^not ok [0-9]+/ {
	ran++; failed++; script_failed++
	printf "%s: %s\n", script, $0
	next
}
END {
	finish_script()
	if (!seen_dmesg || !dmesg_end) {
		print "vm: no kernel log from the guest (it did not finish)"
		failed++
	}
	if (kernel_bad) {
		printf "vm: %d bad kernel log line(s)\n", kernel_bad
		failed++
	}
	if (!dmesg_only) {
		if (scripts == 0) {
			print "vm: no test script ran"
			failed++
		}
		printf "%d passed, %d failed\n", passed, failed
	}
	exit failed != 0
}' "$log"
