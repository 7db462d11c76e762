#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# DNS answers carry a TTL of 2 s. While DNS is up, a refresh after the TTL
# asks DNS again. Then DNS goes away and so does the registrar: when the
# daemon starts a new round after the TTL, it must use the last good
# answer, say so in its log, and register again once the registrar is
# back. "No such record" and "DNS down" are told apart.
. "$(dirname "$0")/lib.sh"

plan 8
daemon_require || exit 1

kam_start kam udp=5060 tcp=0 max_expires=10 || diag "kamailio did not start"
dns_start --local-ttl=2 \
	--naptr-record=example.test,10,10,S,SIP+D2U,,_sip._udp.example.test \
	--srv-host=_sip._udp.example.test,sip1.example.test,5060,1,10 \
	--host-record=sip1.example.test,127.0.0.1 || diag "dnsmasq did not start"

{ daemon_proxy example.test 65535 UDP; daemon_line 0 u-stale; } |
	daemon_conf "$T/line.conf"
daemon_start "$T/line.conf" line

# nx.example.test does not exist: an answer, not an outage.
{ daemon_proxy nx.example.test 65535 UDP; daemon_line 0 u-nx; } |
	daemon_conf "$T/nx.conf"
daemon_start "$T/nx.conf" nx

check "registered through NAPTR/SRV/A" \
	eval 'wait_until 6 kam_aor_has kam u-stale &&
		[ "$(dns_queries _sip._udp.example.test)" -ge 1 ]'
naptr_q=$(dns_queries example.test)

daemon_select nx
check "no such record: the line fails with \"not found\", not an outage" \
	eval 'wait_until 3 daemon_state_is failed &&
		log_event nx "nx\.example\.test.*(no .*found|not found|NXDOMAIN|no such)" &&
		! log_event nx "nx\.example\.test.*(unreachable|stale|last good)"'
daemon_stop

# TTL honoured: the refresh (5..10 s after registering, TTL 2 s) must
# not reuse the expired answer while DNS can be asked.
daemon_select line
check "a refresh after the TTL asks DNS again" \
	eval 'wait_until 11 eval "[ \$(log_count kam \"REGISTER-SAVED user=u-stale \") -ge 2 ]" &&
		[ "$(dns_queries example.test)" -gt "$naptr_q" ]'
diag "NAPTR queries for example.test: $naptr_q at registration, $(dns_queries example.test) after the refresh"

# DNS and the registrar go away; the next refresh fails, and after
# the RFC 5626 backoff (10..20 s after one failed round, from
# registration_failed_timeout=10) the new round needs DNS.
dns_stop
kam_stop kam
check "the refresh fails with the registrar gone" \
	wait_until 12 daemon_state_is failed
kam_start kam udp=5060 tcp=0 max_expires=10 || diag "kamailio did not restart"
check "registered again with DNS down (stale answer)" \
	eval 'wait_until 23 kam_aor_has kam u-stale && daemon_state_is registered'
check "the log says the last good answer is used" \
	log_event line 'example\.test.*(stale|last good answer|cached)'
check "the daemon kept running" daemon_alive
daemon_stop

# DNS down from the start: nothing to fall back on, said so.
{ daemon_proxy other.example.test 65535 UDP; daemon_line 0 u-down; } |
	daemon_conf "$T/down.conf"
daemon_start "$T/down.conf" down
check "DNS down, nothing cached: fails as unreachable, not \"not found\"" \
	eval 'wait_until 4 daemon_state_is failed &&
		log_event down "other\.example\.test.*(unreachable|timeout|refused)" &&
		! log_event down "other\.example\.test.*(no .*found|not found)"'
daemon_stop
