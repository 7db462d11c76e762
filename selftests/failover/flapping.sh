#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Flapping primary: reg1 is silent at start (the phone goes to reg2),
# then answers for 3 s and drops everything for 3 s, over and over, for
# 30 s. Probes every 5 s, 2 in a row needed, hold-down 10 s: the phone
# may go back to reg1 at most once per hold-down, and ends registered.
# shellcheck source=lib.sh disable=SC2016,SC2034
. "$(dirname "$0")/lib.sh"

HD=10
FLAP_S=30
plan 7
daemon_require || exit 1
reg_silence 1
fo_start UDP <<-EOF
	voip/signalling/sip/outgoing_request_no_response_timeout_ms=2000
	voip/signalling/sip/redundant_proxy/failback_retry_timeout=5
	voip/signalling/sip/redundant_proxy/failback_probes=2
	voip/signalling/sip/redundant_proxy/hold_down=$HD
	voip/signalling/sip/registrar_ka/enabled=1
	voip/signalling/sip/registrar_ka/timeout=5
EOF
app_start --udp
check "silent reg1: registered at reg2" wait_until 15 kam_aor_has reg2 alice
t_flap=$(now_ms)
t_end=$((t_flap + FLAP_S * 1000))
while [ "$(now_ms)" -lt "$t_end" ]; do
	reg_revive 1
	sleep 3
	reg_silence 1
	sleep 3
done

# The daemon's REGISTERs at reg1 and reg2 in time order, without the
# un-REGISTERs that follow a move: each one at reg1 after one at reg2 is
# a return to reg1.
switch_times() {
	{
		wire_times 1 "$W_BIND" "$t_flap" | sed 's/$/ 1/'
		wire_times 2 "$W_BIND" "$t_flap" | sed 's/$/ 2/'
	} | sort -n | awk '$2 != last { if (last == 2 && $2 == 1) print $1; last = $2 }'
}
backs=$(switch_times | tr '\n' ' ')
diag "returns to reg1 during the flapping at: ${backs:-none}"
spaced() {
	local prev='' t
	for t in $backs; do
		[ -z "$prev" ] || [ $((t - prev)) -ge $((HD * 1000 - 500)) ] ||
			return 1
		prev=$t
	done
}
check "probes reached the flapping reg1" \
	test "$(wire_count 1 "$W_OPT" "$t_flap")" -ge 3
check "returns to reg1 at least $HD s apart (hold-down)" spaced
# shellcheck disable=SC2086
check "no more than one return per hold-down" \
	test "$(echo $backs | wc -w)" -le $((FLAP_S / HD + 1))
check "still registered at the end (reg2; reg1 is silent)" \
	wait_until 15 kam_aor_has reg2 alice
# A probe that reg1 answered while it flapped ended "dead" for a while;
# the next one, into the silence, steers it again.
wait_until 15 steer_jq '.steered == ["10.10.1.2:5060"]'
t_bound=$(now_ms)
check "the other process's datagrams land at reg2" \
	app_lands_after 2 "$W_APP_UDP" "$t_bound"
check "status: failbacks counted no more than the hold-down allows" \
	pset_jq ".failbacks <= $((FLAP_S / HD + 1))"
fo_done
