#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Concurrent registration (redundant_proxy/mode=concurrent), with the
# call application: alice is registered at reg1 (active) and reg2 (a
# standby) at once, both with the call application's Contact. Calls in
# through either server before, during and after a failover; reg1 goes
# silent: the keep-alive finds it, steering switches to reg2 with no
# REGISTER sent to reg2 on the way, and a call placed at that moment
# to reg1's address completes within 1 s; reg1 back: it is a standby
# again, the lines swap back to it, reg2 keeps its binding and a call
# held through it goes on; a lost standby is repaired without touching
# the active server. Passive detection is off: the keep-alive alone
# finds the failure here (passive-*.sh show the evidence path).
# shellcheck source=lib.sh disable=SC2016,SC2034
FO_CALLS=1
. "$(dirname "$0")/lib.sh"

KA_S=5
TIMER_F_MS=3000
# The transport (udp, tcp): CONCURRENT_PROTO, default udp.
P=${CONCURRENT_PROTO:-udp}

# Usage: binding_jq JQ -- JQ on line 0's bindings (--status -j).
binding_jq() { daemon_jq ".lines[0].bindings | $1"; }

# Usage: bound_at N -- alice's binding at regN is the call application.
bound_at() {
	kam_aor_has "reg$1" alice "^$(re_quote "$(calls_contact "$1" "$P" 4)") "
}

plan 21
daemon_require || exit 1
# Bindings granted for 300 s: no refresh falls inside the test, so a
# REGISTER reaching reg2 around the switch would be the switch's own.
FO_KAM="1 2" FO_KAM_OPTS=max_expires=300 fo_start "${P^^}" <<EOF
voip/signalling/sip/outgoing_request_no_response_timeout_ms=$TIMER_F_MS
voip/signalling/sip/registrar_ka/enabled=1
voip/signalling/sip/registrar_ka/timeout=$KA_S
voip/signalling/sip/redundant_proxy/mode=concurrent
voip/signalling/sip/redundant_proxy/failback_retry_timeout=5
voip/signalling/sip/redundant_proxy/failback_probes=2
voip/signalling/sip/redundant_proxy/hold_down=1
voip/signalling/sip/registration_failed_timeout=10
voip/signalling/sip/registration_expires=300
voip/signalling/sip/steering/passive_detection=0
EOF
callapp_start "$P" 4 || exit 1
check "registered at reg1 and reg2, both with the call application's Contact" \
	wait_until 20 eval 'bound_at 1 && bound_at 2'
check "status: two bindings, reg1 active, reg2 a registered standby" \
	wait_until 5 binding_jq "length == 2 and
		.[0].role == \"active\" and .[0].server == \"$(reg_ap 1)\" and
		.[1].role == \"standby\" and .[1].server == \"$(reg_ap 2)\" and
		.[1].state == \"registered\""

far_call 1 f1 hold=1
check "before: in through reg1 (active)" \
	in_ok 1 f1 "$P" "$(reg_src_re 1 "$P" 4)"
far_call 2 f2 hold=1
check "before: in through reg2 (standby)" \
	in_ok 2 f2 "$P" "$(reg_src_re 2 "$P" 4)"
call_place o1 hold=1
check "before: out through reg1" \
	out_ok o1 1 "$P" "$(re_quote "$(reg_hop 1 "$P" 4)")"

reg_silence 1
t0=$(now_ms)
far_call 2 f3 hold=1
check "during: in through reg2 while reg1 is silent" \
	in_ok 2 f3 "$P" "$(reg_src_re 2 "$P" 4)"
check "failover: reg2 active" \
	wait_until $((KA_S + TIMER_F_MS / 1000 + 10)) \
		pset_jq ".active_addr == \"$(reg_ap 2)\""
t_sw=$(now_ms)
call_place o2 hold=1
check "a call to reg1's address placed at the switch is up within 1 s" \
	call_wait o2 up 5
t_out=$(call_field o2 out t)
t_up=$(call_field o2 up t)
diag "reg1 silent at 0; switch seen at +$((t_sw - t0)) ms; o2 up $((${t_up:-0} - ${t_out:-0})) ms after its INVITE"
check "  ... within 1 s of its INVITE" \
	test $((${t_up:-99999} - ${t_out:-0})) -le 1000
check "one failover, to the standby, no REGISTER" \
	pset_jq '[.events[] | select(.kind == "failover")] | length == 1 and
		(.[0].reason | test("to the standby, no REGISTER"))'
sw_ms=$(daemon_status 2>/dev/null | jq -r '[(.proxy_set // .set).events[] |
	select(.kind == "failover")][0].at_ms' 2>/dev/null)
diag "failover event at +$((${sw_ms:-0} - t0)) ms"
check "  ... at most $((KA_S * 1000 + TIMER_F_MS + 1000)) ms after reg1 fell silent" \
	test $((${sw_ms:-999999999999999} - t0)) -le $((KA_S * 1000 + TIMER_F_MS + 1000))
check "no REGISTER reached reg2 from the silence until the call was up" \
	test "$(wire_count 2 "$W_REG" "$t0" "$((${t_up:-0} + 1))")" -eq 0
check "the call went through reg2" \
	out_ok o2 2 "$P" "$(re_quote "$(reg_hop 2 "$P" 4)")"
call_place o3
check "a call set up through reg2 during the outage is held" \
	eval 'call_wait o3 up 15 &&
		[ "$(first_hop o3)" = "$(reg_hop 2 "$P" 4)" ]'

reg_revive 1
check "reg1 back: a standby again, then the lines swap back to it" \
	eval 'wait_until 90 pset_jq ".failbacks >= 1 and
			.active_addr == \"$(reg_ap 1)\"" &&
		pset_jq "[.events[] | select(.kind == \"failback\")][-1].reason |
			test(\"to the standby, no REGISTER\")"'
check "after the failback reg2 keeps its binding (a standby)" \
	eval 'bound_at 2 && bound_at 1 &&
		binding_jq ".[1].server == \"$(reg_ap 2)\" and
			.[1].state == \"registered\""'
check "the held call is still up; its BYE reaches reg2 directly, 200" \
	eval '! ua_has callapp call-end o3 && call_end o3 15 &&
		ua_has callapp bye-out o3 " to=$(re_quote "$(reg_hop 2 "$P" 4)") "'
far_call 2 f4 hold=1
check "after: in through reg2 (standby again)" \
	in_ok 2 f4 "$P" "$(reg_src_re 2 "$P" 4)"
call_place o4 hold=1
check "after: out through reg1 again" \
	out_ok o4 1 "$P" "$(re_quote "$(reg_hop 1 "$P" 4)")"

reg_silence 2
check "standby reg2 silent: lost and logged, reg1 stays active" \
	eval 'wait_until $((KA_S + TIMER_F_MS / 1000 + 10)) pset_jq \
			"any(.events[]; .kind == \"standby\" and
				(.reason | test(\"standby lost\")))" &&
		pset_jq ".active_addr == \"$(reg_ap 1)\" and .failovers == 1"'
check "no call failed at the call app" \
	eval '! grep -q "^call-fail" "$T/callapp.log"'
fo_done
