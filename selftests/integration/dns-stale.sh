#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# DNS goes away after the first lookup: once the records' TTL (2 s) is
# over, the daemon must keep using the last good answer, say so in its
# log, and keep refreshing the registration with it.
. "$(dirname "$0")/lib.sh"

plan 4
daemon_require || exit 1

kam_start kam udp=5060 tcp=0 max_expires=10 || diag "kamailio did not start"
dns_start --local-ttl=2 \
	--naptr-record=example.test,10,10,S,SIP+D2U,,_sip._udp.example.test \
	--srv-host=_sip._udp.example.test,sip1.example.test,5060,1,10 \
	--host-record=sip1.example.test,127.0.0.1 || diag "dnsmasq did not start"

{ daemon_proxy example.test 65535 UDP; daemon_line 0 u-stale; } |
	daemon_conf "$T/stale.conf"
daemon_start "$T/stale.conf" stale

check "registered through NAPTR/SRV/A" \
	eval 'wait_until 6 kam_aor_has kam u-stale &&
		[ "$(dns_queries example.test)" -ge 1 ] &&
		[ "$(dns_queries _sip._udp.example.test)" -ge 1 ]'
dns_stop
t_stop=$(now_ms)
saved=$(log_count kam 'REGISTER-SAVED user=u-stale ')

# The refresh of the 10 s binding falls after the 2 s TTL: it needs DNS.
check "registration refreshed with DNS down" \
	eval 'wait_until 12 eval "[ \$(log_count kam \"REGISTER-SAVED user=u-stale \") -gt $saved ]" &&
		kam_aor_has kam u-stale'
diag "refresh $(($(now_ms) - t_stop)) ms after DNS stopped"
check "the log says the stale answer is used" \
	eval 'wait_log stale "[Ss]tale" 3'
check "the daemon keeps running and reports registered" \
	eval 'daemon_alive && daemon_state_is registered'
daemon_stop
