#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The proxy set between two Kamailio registrars found through SRV:
# a refusing primary is left at once; when it comes back, the lines
# return to it only after failback_probes OPTIONS answers in a row, and
# un-register from the secondary after registering at the primary; a
# primary that dies while registered is found by the keep-alive within
# its interval, not at the next refresh. Each step is in the status JSON
# as proxy-set events.
. "$(dirname "$0")/lib.sh"

plan 7
daemon_require || exit 1

# Bindings of 60 s: refreshes come after 30 s at the earliest, so every
# move below is the failover decision's, not a refresh's.
kam_start kam2 udp=5062 tcp=0 max_expires=60 || diag "kamailio did not start"
dns_start --local-ttl=60 \
	--srv-host=_sip._udp.fb.example.test,kam1.example.test,5060,1,10 \
	--srv-host=_sip._udp.fb.example.test,kam2.example.test,5062,2,10 \
	--host-record=kam1.example.test,127.0.0.1 \
	--host-record=kam2.example.test,127.0.0.1 || diag "dnsmasq did not start"

{
	daemon_proxy fb.example.test 65535 UDP
	daemon_line 0 u-fb0
	daemon_line 1 u-fb1
	echo "voip/signalling/sip/registration_expires=60"
	echo "voip/signalling/sip/redundant_proxy/failback_retry_timeout=5"
	echo "voip/signalling/sip/redundant_proxy/failback_probes=2"
	echo "voip/signalling/sip/redundant_proxy/hold_down=5"
	echo "voip/signalling/sip/registrar_ka/enabled=1"
	echo "voip/signalling/sip/registrar_ka/timeout=5"
} | daemon_conf "$T/fb.conf"
t0=$(now_ms)
daemon_start "$T/fb.conf" fb

# The primary's port is closed: ICMP port unreachable, no Timer F.
check "refusing primary: both lines registered at the secondary at once" \
	eval 'wait_until 3 eval "kam_aor_has kam2 u-fb0 && kam_aor_has kam2 u-fb1"'
diag "first REGISTER at the secondary $(($(kam_first_ms kam2 u-fb0) - t0)) ms after the start"
check "status: one failover for the set, reason unreachable" \
	daemon_jq '.proxy_set.state == "active" and .proxy_set.active == 1 and
		.proxy_set.failovers == 1 and
		([.proxy_set.events[] | select(.kind == "failover" and
			(.reason | test("unreachable")))] | length) == 1'

# The primary comes back: 2 probes 5 s apart before the lines return.
# Before the start: kam1 may answer a probe while kam_start still waits.
t_up=$(now_ms)
kam_start kam1 udp=5060 tcp=0 max_expires=60 || diag "kamailio did not start"
wait_until 20 eval 'kam_aor_has kam1 u-fb0 && kam_aor_has kam1 u-fb1'
t_back=$(kam_first_ms kam1 u-fb0)
diag "primary up -> first REGISTER there: $((${t_back:-0} - t_up)) ms"
check "failback: registered at the primary, after 2 probes answered (>= 4 s)" \
	eval 'kam_aor_has kam1 u-fb0 && kam_aor_has kam1 u-fb1 &&
		[ -n "$t_back" ] && [ $((t_back - t_up)) -ge 4000 ]'
check "failback: the lines left the secondary (Expires: 0 after the move)" \
	eval 'wait_until 5 eval "kam_aor_none kam2 u-fb0 && kam_aor_none kam2 u-fb1" &&
		log_has kam2 "REGISTER-IN .*user=u-fb0 .*(expires=0|;expires=0)"'
check "status: failback and probe events, active at the primary" \
	daemon_jq '.proxy_set.active == 0 and .proxy_set.failbacks == 1 and
		([.proxy_set.events[] | select(.kind == "probe")] | length) >= 2 and
		([.proxy_set.events[] | select(.kind == "failback")] | length) == 1 and
		(.lines[] | select(.line == 0) | .servers[0].in_use)'

# The primary dies while registered: the keep-alive (every 4..5 s)
# finds it long before the 30 s refresh.
kam_stop kam1
t_dead=$(now_ms)
wait_until 10 eval 'kam_aor_has kam2 u-fb0 && kam_aor_has kam2 u-fb1'
t_moved=$(now_ms)
diag "primary killed -> both lines at the secondary: $((t_moved - t_dead)) ms"
check "keep-alive: the dead primary is left within the interval (< 7 s)" \
	eval 'kam_aor_has kam2 u-fb0 && kam_aor_has kam2 u-fb1 &&
		[ $((t_moved - t_dead)) -lt 7000 ]'
check "status: the keep-alive failure is an event, second failover" \
	daemon_jq '.proxy_set.active == 1 and .proxy_set.failovers == 2 and
		([.proxy_set.events[] | select(.kind == "keepalive")] | length) == 1'
daemon_stop
