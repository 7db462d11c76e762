#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every server down (ports closed): each round tries reg1, reg2, reg3
# in SRV order, then waits. RFC 5626 section 4.5: the wait grows from
# registration_failed_timeout (10 s) and is capped by
# registration_failed_max_timeout (40 s), jittered to 50..100 %; never a
# tight loop.
# shellcheck source=lib.sh disable=SC2016,SC2034
. "$(dirname "$0")/lib.sh"

BASE=10
MAX=40
plan 6
daemon_require || exit 1
FO_KAM="" fo_start UDP <<-EOF
	voip/signalling/sip/registration_failed_timeout=$BASE
	voip/signalling/sip/registration_failed_max_timeout=$MAX
EOF
# Round starts: a REGISTER at reg1 more than 3 s after the one before.
rounds() {
	wire_times 1 "$W_REG" |
		awk '$1 - last > 3000 { print $1 } { last = $1 }'
}
wait_until $((BASE * 2 + MAX + 10)) eval '[ "$(rounds | wc -l)" -ge 3 ]'
starts=$(rounds | head -n 3 | tr '\n' ' ')
# shellcheck disable=SC2086
set -- $starts
g1=$(( ${2:-0} - ${1:-0} ))
g2=$(( ${3:-0} - ${2:-0} ))
diag "rounds started at $starts; waits $g1 ms, $g2 ms"
# shellcheck disable=SC2034 # read by the eval below
n_rounds=$#
check "three rounds, each trying reg1, reg2, reg3" \
	eval '[ "$n_rounds" -eq 3 ] && [ "$(wire_count 2 "$W_REG")" -ge 3 ] &&
		[ "$(wire_count 3 "$W_REG")" -ge 3 ]'
check "never a tight loop: each wait >= 50 % of $BASE s" \
	test "$g1" -ge $((BASE * 500 - 300)) -a "$g2" -ge $((BASE * 500 - 300))
check "the wait grows" test "$g2" -ge "$g1" -a "$g2" -ge $((BASE * 1000))
check "the wait is bounded by $MAX s" \
	test "$g1" -le $((MAX * 1000 + 1500)) -a "$g2" -le $((MAX * 1000 + 1500))
check "few REGISTERs: the refusals end each try at once" \
	test "$(wire_count 1 "$W_REG")" -le 6
check "status: backoff, next try within $MAX s" \
	pset_jq ".state == \"backoff\" and .consecutive_failures >= 2 and
		.next_try_s <= $MAX"
fo_done
