#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Keep-alive loss: registrations last 120 s, so no refresh comes soon;
# OPTIONS keep-alives every 5 s (jittered to 4..5 s) are what finds reg1
# gone silent: reg2 must have the registration within one interval plus
# the no-response timeout (2 s), before any refresh would have noticed.
# shellcheck source=lib.sh disable=SC2016,SC2034
. "$(dirname "$0")/lib.sh"

KA=5
TO=2000
plan 8
daemon_require || exit 1
FO_KAM_OPTS="max_expires=120" fo_start UDP <<-EOF
	voip/signalling/sip/registration_expires=120
	voip/signalling/sip/outgoing_request_no_response_timeout_ms=$TO
	voip/signalling/sip/registrar_ka/enabled=1
	voip/signalling/sip/registrar_ka/timeout=$KA
EOF
app_start --udp
check "registered at the primary" wait_until 15 kam_aor_has reg1 alice
t_bound=$(now_ms)
# Two keep-alives, 80..100 % of the interval apart.
wait_until $((3 * KA)) eval '[ "$(wire_count 1 "$W_OPT" "$t_bound")" -ge 2 ]'
ka=$(wire_times 1 "$W_OPT" "$t_bound" | head -n 2 | tr '\n' ' ')
diag "keep-alives at reg1: $ka"
# shellcheck disable=SC2086
ka_gap() {
	set -- $ka
	[ $# -eq 2 ] && [ $(($2 - $1)) -ge $((KA * 800 - 300)) ] &&
		[ $(($2 - $1)) -le $((KA * 1000 + 300)) ]
}
check "OPTIONS keep-alives every 80..100 % of $KA s" ka_gap
reg_silence 1
t_s=$(now_ms)
wait_until $((KA + TO / 1000 + 5)) wire_has 2 "$W_REG" "$t_s"
t_2=$(wire_first_ms 2 "$W_REG" "$t_s")
gap=$(( ${t_2:-0} - t_s ))
diag "silent at $t_s; REGISTER at reg2 after $gap ms"
check "loss found within the interval: reg2 within $KA s + $TO ms" \
	test -n "$t_2" -a "$gap" -le $((KA * 1000 + TO + 1000))
# The un-REGISTER (Expires: 0) sent to reg1 after the move is expected.
check "it was the keep-alive: no binding REGISTER at reg1 since the silence" \
	test "$(wire_count 1 "$W_BIND" "$t_s")" -eq 0
check "registered at the secondary" wait_until 3 kam_aor_has reg2 alice
t_bound=$(now_ms)
check "the other process's datagrams now land at the secondary" \
	app_lands_after 2 "$W_APP_UDP" "$t_bound"
fo_switch_checks 2 'keep-?alive|timeout'
fo_done
