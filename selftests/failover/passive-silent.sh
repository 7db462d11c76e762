#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Passive failure detection, silent primary, with keep-alive off (the
# manual's default) and the default 32 s no-response timeout: the first
# call the call application places after reg1 went silent is the first
# to find out. The kernel sees its INVITE sent again unreplied, the
# daemon probes reg1 at once (3 x T1), fails over, and the INVITE's
# next retransmission (3.5 s after the first packet) completes the call
# through reg2, well before Timer B (32 s); the registration moves with
# it.
# shellcheck source=lib.sh disable=SC2016,SC2034
FO_CALLS=1
. "$(dirname "$0")/lib.sh"

plan 11
daemon_require || exit 1
passive_start
check "the module watches the server in use (steered to itself)" \
	wait_until 5 service_jq '.unreplied_ms == 1000 and
		any(.endpoints[]; .addr == "10.10.1.2" and .proto == "udp")'

reg_silence 1
t_s=$(now_ms)
call_place o1 hold=1
check "the call is up within 15 s of the first INVITE (Timer B: 32 s)" \
	call_wait o1 up 15
t_out=$(call_field o1 out t)
t_up=$(call_field o1 up t)
diag "INVITE at +$(( ${t_out:-t_s} - t_s )) ms, call up $(( ${t_up:-0} - ${t_out:-0} )) ms after it"
# The hint at the packet of 1.5 s, the verdict 1.5 s later: the packet of
# 3.5 s goes to reg2 (that of 7.5 s if the verdict came too late).
check "  ... on the retransmission of 3.5 s (up within 6 s)" \
	test $(( ${t_up:-99999} - ${t_out:-0} )) -le 6000
check "it took an INVITE retransmission" \
	ua_has callapp retrans o1 " method=INVITE "
check "the call to reg1's address completed through reg2" \
	out_ok o1 2 udp "$(re_quote "$(reg_hop 2 udp 4)")"
check "registered at reg2" wait_until 5 kam_aor_has reg2 alice
check "status: a hint about reg1 made a probe, the probe failed" \
	pset_jq '([.events[] | select(.kind == "hint" and
			(.reason | test("probing")))] | length) >= 1 and
		([.events[] | select(.kind == "hint" and
			(.reason | test("probe failed")))] | length) == 1'
check "the daemon logged the hint and its outcome" \
	eval 'grep -q "hint .*probing the server in use" "$T/sipsteerd.log" &&
		grep -q "hint .*probe failed" "$T/sipsteerd.log"'
fo_switch_checks 2 'timeout'
fo_done
