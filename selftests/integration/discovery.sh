#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# RFC 3263 discovery through dnsmasq and failover between the servers it
# finds: the priority-1 SRV target is tried first; when it never answers
# the daemon retransmits (Timer E) and moves to the priority-2 target after
# outgoing_request_no_response_timeout_ms; a 503 with Retry-After moves it
# on at once and keeps it off that server, and so do an ICMP port
# unreachable (UDP) and a refused connection (TCP). NAPTR records of
# another transport are ignored; without NAPTR, SRV is used; without
# either, the domain's own address (RFC 3263 order).
. "$(dirname "$0")/lib.sh"

plan 19
daemon_require || exit 1

kam_start kam addrs=127.0.0.1 udp=5060 tcp=5060 || diag "kamailio did not start"
sipp_start silent srv_silent.xml 127.0.0.1 5070 udp || diag "sipp did not start"
sipp_start busy srv_503.xml 127.0.0.1 5071 udp -key retry_after 60 ||
	diag "sipp did not start"

# a.example.test: a TCP NAPTR ranked first (must be ignored: the line is
# UDP), then UDP -> prio 1 silent:5070, prio 2 kamailio:5060.
# b.example.test: UDP -> prio 1 busy:5071 (503), prio 2 kamailio:5060.
# c.example.test: only an A record. d.example.test: only SRV.
# e.example.test (UDP), f.example.test (TCP): prio 1 a closed port.
# g.example.test: both servers closed ports. h.example.test: two lines.
dns_start --local-ttl=60 \
	--naptr-record=a.example.test,5,10,S,SIP+D2T,,_sip._tcp.a.example.test \
	--naptr-record=a.example.test,10,10,S,SIP+D2U,,_sip._udp.a.example.test \
	--srv-host=_sip._tcp.a.example.test,tcp.example.test,5060,1,10 \
	--srv-host=_sip._udp.a.example.test,silent.example.test,5070,1,10 \
	--srv-host=_sip._udp.a.example.test,kam.example.test,5060,2,10 \
	--naptr-record=b.example.test,10,10,S,SIP+D2U,,_sip._udp.b.example.test \
	--srv-host=_sip._udp.b.example.test,busy.example.test,5071,1,10 \
	--srv-host=_sip._udp.b.example.test,kam.example.test,5060,2,10 \
	--host-record=tcp.example.test,127.0.0.1 \
	--host-record=silent.example.test,127.0.0.1 \
	--host-record=busy.example.test,127.0.0.1 \
	--srv-host=_sip._udp.d.example.test,kam.example.test,5060,1,10 \
	--naptr-record=h.example.test,10,10,S,SIP+D2U,,_sip._udp.h.example.test \
	--srv-host=_sip._udp.h.example.test,kam.example.test,5060,1,10 \
	--host-record=c.example.test,127.0.0.1 \
	--srv-host=_sip._udp.e.example.test,closed.example.test,5079,1,10 \
	--srv-host=_sip._udp.e.example.test,kam.example.test,5060,2,10 \
	--srv-host=_sip._tcp.f.example.test,closed.example.test,5079,1,10 \
	--srv-host=_sip._tcp.f.example.test,kam.example.test,5060,2,10 \
	--srv-host=_sip._udp.g.example.test,closed.example.test,5079,1,10 \
	--srv-host=_sip._udp.g.example.test,closed.example.test,5078,2,10 \
	--host-record=closed.example.test,127.0.0.1 \
	--host-record=kam.example.test,127.0.0.1 || diag "dnsmasq did not start"

# --- a.example.test: the first server never answers (timeout 2000 ms)
{
	daemon_proxy a.example.test 65535 UDP
	daemon_line 0 u-a
	echo "voip/signalling/sip/outgoing_request_no_response_timeout_ms=2000"
	echo "voip/signalling/sip/sip_t1=500"
	echo "voip/signalling/sip/sip_t2=4000"
} | daemon_conf "$T/a.conf"
daemon_start "$T/a.conf" a

check "NAPTR/SRV: the first REGISTER goes to the priority-1 target" \
	eval 'wait_until 5 eval "[ \$(sipp_registers silent) -ge 1 ]" &&
		[ -z "$(kam_first_ms kam u-a)" ]'
wait_until 8 kam_aor_has kam u-a
check "NAPTR/SRV: registered at the priority-2 target after no answer" \
	kam_aor_has kam u-a
t_silent=$(sipp_first_ms silent)
t_kam=$(kam_first_ms kam u-a)
gap=$(( ${t_kam:-0} - ${t_silent:-0} ))
diag "first REGISTER at the silent server -> at the next: $gap ms"
check "failover after outgoing_request_no_response_timeout_ms (2000 ms)" \
	test -n "$t_silent" -a -n "$t_kam" -a "$gap" -ge 1800 -a "$gap" -le 3500
# Timer E: sent at 0, 0.5, 1.5 s; the copy due at 3.5 s is after
# Timer F, so 3 copies of one transaction and no other REGISTER.
n_copies=$(sipp_registers silent)
diag "copies at the silent server: $n_copies in $(sipp_transactions silent) transaction(s)"
# Offsets of the copies from the first: 500 and 1500 ms (+-200 ms).
offsets=$(sipp_times_ms silent | awk 'NR == 1 { t0 = $1 }
	NR > 1 { printf "%d ", $1 - t0 }')
diag "retransmitted at +(ms): $offsets"
timer_e() {
	set -- $offsets
	[ $# -eq 2 ] && [ "$(sipp_transactions silent)" -eq 1 ] &&
	[ "$1" -ge 300 ] && [ "$1" -le 700 ] &&
	[ "$2" -ge 1300 ] && [ "$2" -le 1700 ]
}
check "UDP retransmissions at T1, 2*T1 (Timer E) until the timeout" timer_e
check "--status -j: server list in SRV order, the first timed out" \
	daemon_line_jq 0 '.state == "registered" and (.servers | length) == 2 and
		.servers[0].addr == "127.0.0.1:5070" and .servers[0].priority == 1
		and .servers[0].last == "timeout" and (.servers[0].in_use | not)
		and .servers[1].addr == "127.0.0.1:5060" and .servers[1].in_use
		and .servers[1].last == "ok" and .server == 1'
check "NAPTR for another transport ignored (UDP line, no TCP)" \
	eval 'log_has kam "REGISTER-IN .*user=u-a " &&
		! grep "REGISTER-IN .*user=u-a " "$T/kam.log" | grep -qv " proto=udp "'
daemon_stop

# --- b.example.test: the first server answers 503, Retry-After: 60.
# A no-response timeout of 10 s shows the move is not a timeout.
{
	daemon_proxy b.example.test 65535 UDP
	daemon_line 0 u-b
	echo "voip/signalling/sip/outgoing_request_no_response_timeout_ms=10000"
} | daemon_conf "$T/b.conf"
daemon_start "$T/b.conf" b
wait_until 5 eval '[ $(sipp_registers busy) -ge 1 ]'
wait_until 5 kam_aor_has kam u-b
t_busy=$(sipp_first_ms busy)
t_kam=$(kam_first_ms kam u-b)
gap=$(( ${t_kam:-0} - ${t_busy:-0} ))
diag "503 -> REGISTER at the next server: $gap ms"
check "503: next server at once (well before the no-response timeout)" \
	eval 'kam_aor_has kam u-b && [ -n "$t_busy" ] && [ -n "$t_kam" ] &&
		[ "$gap" -ge 0 ] && [ "$gap" -le 1500 ]'
check "--status -j: the 503 server's last result is 503" \
	daemon_line_jq 0 '.servers[0].addr == "127.0.0.1:5071" and
		.servers[0].last == "503" and .servers[0].last_code == 503 and
		.servers[1].in_use'
# The binding is refreshed in 5..10 s (granted 10 s): the refresh must
# not go back to the server that asked for 60 s of rest.
wait_until 12 eval '[ "$(log_count kam "REGISTER-SAVED user=u-b ")" -ge 2 ]'
diag "REGISTER transactions at the 503 server: $(sipp_transactions busy)"
check "503 Retry-After: 60 honoured (no new REGISTER there, refresh elsewhere)" \
	eval '[ "$(sipp_transactions busy)" -eq 1 ] &&
		[ "$(log_count kam "REGISTER-SAVED user=u-b ")" -ge 2 ]'
daemon_stop

# --- RFC 3263 fall-through: no NAPTR -> SRV; no SRV either -> A:5060.
# Usage: fallthrough_case NAME USER DOMAIN
fallthrough_case() {
	{ daemon_proxy "$3" 65535 UDP; daemon_line 0 "$2"; } |
		daemon_conf "$T/$2.conf"
	daemon_start "$T/$2.conf" "$2"
	if wait_until 6 kam_aor_has kam "$2" " udp:127.0.0.1:5060 "; then
		ok "$1"
	else
		not_ok "$1"
		diag_log "$2"
	fi
	daemon_stop
}
fallthrough_case "no NAPTR: SRV _sip._udp used" u-d d.example.test
fallthrough_case "no NAPTR, no SRV: the domain's A record, port 5060" \
	u-c c.example.test
check "the lookups for c.example.test followed the RFC 3263 order" \
	eval 'grep -oE "query\[(NAPTR|SRV|A)\] [^ ]*c\.example\.test" \
		"$T/dnsmasq.log" | uniq | head -n 3 | tr "\n" " " |
		grep -q "^query\[NAPTR\] c.example.test query\[SRV\] _sip._udp.c.example.test query\[A\] c.example.test $"'

# --- a closed port: ICMP port unreachable (UDP), refused (TCP): next
# server at once, long before the 10 s no-response timeout.
# Usage: closed_case NAME USER DOMAIN TRANSPORT PROTO
closed_case() {
	local t0 t1
	{
		daemon_proxy "$3" 65535 "$4"
		daemon_line 0 "$2"
		echo "voip/signalling/sip/outgoing_request_no_response_timeout_ms=10000"
	} | daemon_conf "$T/$2.conf"
	t0=$(now_ms)
	daemon_start "$T/$2.conf" "$2"
	if wait_until 3 kam_aor_has kam "$2" " $5:127.0.0.1:5060 "; then
		t1=$(now_ms)
		diag "$2: registered at the second server after $((t1 - t0)) ms"
		ok "$1: next server at once"
	else
		not_ok "$1: next server at once"
		diag_log "$2"
	fi
	check "$1: --status -j says unreachable" \
		daemon_line_jq 0 '.servers[0].addr == "127.0.0.1:5079" and
			.servers[0].last == "unreachable" and .servers[1].in_use'
	daemon_stop
}
closed_case "UDP, ICMP port unreachable" u-e e.example.test UDP udp
closed_case "TCP, connection refused" u-f f.example.test TCP tcp

# --- two lines with the same proxy share one lookup.
{
	daemon_proxy h.example.test 65535 UDP
	daemon_line 0 u-h0
	daemon_line 1 u-h1
} | daemon_conf "$T/u-h.conf"
daemon_start "$T/u-h.conf" u-h
check "two lines, one proxy: both registered, NAPTR asked once" \
	eval 'wait_until 6 eval "kam_aor_has kam u-h0 && kam_aor_has kam u-h1" &&
		[ "$(dns_queries h.example.test)" -eq 1 ]'
diag "NAPTR queries for h.example.test: $(dns_queries h.example.test)"
daemon_stop

# --- every server fails at once (ICMP): one try each, then a pause of
# registration_failed_timeout, never a tight loop.
nft -f - <<-EOF || diag "nft failed"
	table inet it {
		counter to_closed {}
		chain out {
			type filter hook output priority 0;
			udp dport { 5078, 5079 } counter name to_closed
		}
	}
EOF
{ daemon_proxy g.example.test 65535 UDP; daemon_line 0 u-g; } |
	daemon_conf "$T/u-g.conf"
daemon_start "$T/u-g.conf" u-g
check "all servers unreachable: the line fails" \
	wait_until 3 daemon_state_is failed
sleep 5
n=$(nft list counter inet it to_closed 2>/dev/null |
	sed -n 's/.*packets \([0-9]*\).*/\1/p')
diag "packets to the closed servers in 5 s: ${n:-?}"
check "all servers unreachable: one REGISTER each, no loop" \
	eval '[ "${n:-0}" -ge 2 ] && [ "$n" -le 3 ] && daemon_alive'
daemon_stop
