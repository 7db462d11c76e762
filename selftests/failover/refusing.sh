#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Refusing primary: registered at reg1, which starts refusing (ICMP port
# unreachable, as from a closed port). The next REGISTER there must move the phone to
# reg2 in under a second, although the no-response timeout is 32 s.
# shellcheck source=lib.sh disable=SC2016,SC2034
. "$(dirname "$0")/lib.sh"

plan 7
daemon_require || exit 1
fo_start UDP <<<"voip/signalling/sip/outgoing_request_no_response_timeout_ms=32000"
app_start --udp
check "registered at the primary" wait_until 15 kam_aor_has reg1 alice
t_bound=$(now_ms)
check "the other process's datagrams land at the primary" \
	app_lands_after 1 "$W_APP_UDP" "$t_bound" 0 1000
t_s=$(now_ms)
reg_refuse 1
wait_wire 15 1 "$W_REG" "$t_s"
t_req=$(wire_first_ms 1 "$W_REG" "$t_s")
wait_until 5 wire_has 2 "$W_REG" "$t_s"
t_2=$(wire_first_ms 2 "$W_REG" "$t_s")
gap=$(( ${t_2:-0} - ${t_req:-0} ))
diag "after the refusal started: REGISTER at reg1 at +$(( ${t_req:-t_s} - t_s )) ms, at reg2 at +$(( ${t_2:-t_s} - t_s )) ms"
check "ICMP: the next server is tried in under 1 s" \
	test -n "$t_req" -a -n "$t_2" -a "$gap" -ge 0 -a "$gap" -lt 1000
check "registered at the secondary" wait_until 3 kam_aor_has reg2 alice
t_bound=$(now_ms)
check "the other process's datagrams now land at the secondary" \
	app_lands_after 2 "$W_APP_UDP" "$t_bound"
fo_switch_checks 2 'unreach|refus|icmp|ICMP'
fo_done
