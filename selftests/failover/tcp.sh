#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# SIP over TCP. The other process holds a TCP connection to reg1's
# address (OPTIONS every 200 ms). reg1 goes silent; the daemon fails
# over to reg2 (keep-alive or refresh), switches steering and fails the
# other process's connection at once, so it reconnects and lands at
# reg2.
# shellcheck source=lib.sh disable=SC2016,SC2034
. "$(dirname "$0")/lib.sh"

plan 8
daemon_require || exit 1
fo_start TCP <<-EOF
	voip/signalling/sip/outgoing_request_no_response_timeout_ms=2000
	voip/signalling/sip/registrar_ka/enabled=1
	voip/signalling/sip/registrar_ka/timeout=5
EOF
app_start --tcp
check "registered at reg1 over TCP" \
	wait_until 15 kam_aor_has reg1 alice "tcp:"
check "the other process's connection is at reg1 and answered" \
	eval 'wire_has 1 "$W_APP_SYN" &&
		wait_until 5 eval "[ \$(app_count \"^tcp-reply .*code=200\") -ge 2 ]"'
reg_silence 1
t_s=$(now_ms)
check "failover to reg2 over TCP" wait_until 25 kam_aor_has reg2 alice "tcp:"
t_2=$(wire_first_ms 2 "$W_REG" "$t_s")
diag "silent at $t_s; REGISTER at reg2 +$(( ${t_2:-0} - t_s )) ms"
first_err=$(awk -v from="$t_s" '/^tcp-error/ { t = $2; sub(/^t=/, "", t);
	if (t + 0 >= from) { print t; exit } }' "$T/app.log")
diag "the other process's first error at +$(( ${first_err:-0} - ${t_2:-0} )) ms from the REGISTER at reg2"
check "its connection is failed within 2 s of the switch" \
	eval 'wait_until 3 eval "[ \$(app_count \"^tcp-error\" \"$t_s\") -ge 1 ]" &&
		first_err=$(awk -v from="$t_s" "/^tcp-error/ { t = \$2; sub(/^t=/, \"\", t); if (t + 0 >= from) { print t; exit } }" "$T/app.log") &&
		[ $((first_err - t_2)) -le 2000 ]'
check "it reconnects and the new connection lands at reg2" \
	wait_until 5 wire_has 2 "$W_APP_SYN" "$t_s"
t_c=$(now_ms)
check "answered there" \
	wait_until 5 eval '[ "$(app_count "^tcp-reply .*code=200" "$t_c")" -ge 2 ]'
check "no new connection reached reg1 after the switch" \
	test "$(wire_count 1 "$W_APP_SYN" "$(( ${t_2:-0} + 500 ))")" -eq 0
check "steering failed the stale connection (sockets_killed)" \
	steer_jq '.sockets_killed >= 1'
fo_done
