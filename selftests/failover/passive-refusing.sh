#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Passive failure detection, refusing primary (ICMP port unreachable),
# keep-alive off: the first INVITE the call application sends to reg1
# draws an ICMP error the kernel relates to its flow; the daemon's probe
# of reg1 is refused as fast, the phone fails over, and the INVITE's
# first retransmission (T1 later) completes the call through reg2.
# shellcheck source=lib.sh disable=SC2016,SC2034
FO_CALLS=1
. "$(dirname "$0")/lib.sh"

plan 8
daemon_require || exit 1
passive_start
reg_refuse 1
call_place o1 hold=1
check "the call is up" call_wait o1 up 10
t_out=$(call_field o1 out t)
t_up=$(call_field o1 up t)
diag "call up $(( ${t_up:-0} - ${t_out:-0} )) ms after the first INVITE"
check "up within a round trip of the first retransmission (< 3 s)" \
	test -n "$t_up" -a -n "$t_out" -a $(( ${t_up:-0} - ${t_out:-0} )) -lt 3000
check "the call to reg1's address completed through reg2" \
	out_ok o1 2 udp "$(re_quote "$(reg_hop 2 udp 4)")"
check "registered at reg2" wait_until 5 kam_aor_has reg2 alice
check "status: an ICMP hint about reg1, its probe failed" \
	pset_jq '([.events[] | select(.kind == "hint" and
			(.reason | test("^icmp")))] | length) >= 1 and
		([.events[] | select(.kind == "hint" and
			(.reason | test("probe failed")))] | length) == 1'
fo_switch_checks 2 'unreach|refus|icmp|ICMP'
fo_done
