#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Register with a real Kamailio registrar (digest MD5, qop=auth) over UDP,
# TCP, TLS, IPv6; the registrar grants 10 s so a refresh must come before
# the binding expires; a 423 Min-Expires is obeyed; a nonce that went
# stale is answered again without counting as a failure; RFC 5626
# outbound puts +sip.instance and reg-id in the Contact; the configured
# socket mark is on every socket the daemon opens.
. "$(dirname "$0")/lib.sh"

plan 13
daemon_require || exit 1

pki_make || diag "certtool failed"
kam_start kam addrs="127.0.0.1 ::1" udp=5060 tcp=5060 tls=5061 \
	max_expires=10 || diag "kamailio did not start"
# example.test: A only; v6.example.test: AAAA only.
dns_start --local-ttl=60 \
	--host-record=example.test,127.0.0.1 \
	--host-record=v6.example.test,::1 || diag "dnsmasq did not start"

# Usage: register_case NAME USER HOST PORT TRANSPORT SOCKET_ERE
register_case() {
	local name=$1 user=$2 host=$3 port=$4 tr=$5 sock=$6
	{ daemon_proxy "$host" "$port" "$tr"; daemon_line 0 "$user"; } |
		daemon_conf "$T/$user.conf"
	daemon_start "$T/$user.conf" "$user"
	if wait_until 8 kam_aor_has kam "$user" " $sock "; then
		ok "$name"
	else
		not_ok "$name"
		diag "contacts of $user: $(kam_aor kam "$user")"
		diag_log "$user"
	fi
}

register_case "register over UDP (IPv4 literal)" u-udp 127.0.0.1 5060 UDP \
	'udp:127.0.0.1:5060'

# While the UDP line is registered: status and refresh. The contact
# the daemon reports is the one the registrar holds.
status_registered() {
	local contact
	contact=$(kam_aor kam u-udp | awk '{ print $1; exit }')
	daemon_line_jq 0 '.state == "registered" and
		.granted_expires_s == 10 and .contact == "'"$contact"'" and
		(.servers[.server] | .addr == "127.0.0.1:5060" and .in_use
		 and .last_code == 200)'
}
check "--status -j: registered, granted 10 s, the registrar's contact" \
	status_registered

# Kamailio granted 10 s although 30 were asked: a refresh must arrive
# before those 10 s are over, and the binding must stay.
refresh() {
	local first
	first=$(log_count kam 'REGISTER-SAVED user=u-udp ')
	wait_until 11 eval '[ "$(log_count kam "REGISTER-SAVED user=u-udp ")" -gt '"$first"' ]' &&
		kam_aor_has kam u-udp
}
check "refresh before the granted 10 s expire" refresh
daemon_stop

register_case "register over TCP" u-tcp 127.0.0.1 5060 TCP \
	'tcp:127.0.0.1:5060'
daemon_stop

register_case "register over TLS (example.test, verified)" u-tls \
	example.test 5061 TLS 'tls:127.0.0.1:5061'
daemon_stop

register_case "register over UDP to an IPv6 literal" u-v6lit ::1 5060 UDP \
	'udp:\[::1\]:5060'
daemon_stop

register_case "register over TCP to an AAAA-only name" u-v6name \
	v6.example.test 5060 TCP 'tcp:\[::1\]:5060'
daemon_stop

# Every REGISTER Kamailio saw came over the transport configured for it.
transports_match() {
	local bad
	bad=$(grep 'REGISTER-IN' "$T/kam.log" | awk '
		/ user=(u-udp|u-v6lit) / && !/ proto=udp / { n++ }
		/ user=(u-tcp|u-v6name) / && !/ proto=tcp / { n++ }
		/ user=u-tls / && !/ proto=tls / { n++ }
		END { print n + 0 }')
	[ "$bad" -eq 0 ] && [ "$(kam_registers kam)" -gt 0 ]
}
check "each REGISTER used the configured transport" transports_match

# 423 Interval Too Brief: asked 30 s, the registrar wants 40 at least.
kam_start kam423 udp=5064 tcp=0 min_expires=40 min_expires_mode=1 \
	max_expires=60 || diag "kamailio (423) did not start"
{ daemon_proxy 127.0.0.1 5064 UDP; daemon_line 0 u-423; } |
	daemon_conf "$T/u-423.conf"
daemon_start "$T/u-423.conf" u-423
check "423 Min-Expires: 40 -> registered for 40 s" \
	eval 'wait_until 6 kam_aor_has kam423 u-423 " (3[6-9]|40)$" &&
		log_has kam423 "REGISTER-IN .*user=u-423 .*expires=30 " &&
		log_has kam423 "REGISTER-IN .*user=u-423 .*expires=40 " &&
		daemon_line_jq 0 ".state == \"registered\" and .granted_expires_s == 40"'
daemon_stop

# Nonces live 3 s; the refresh (granted 10 s) comes later with the old
# nonce, gets 401 stale=true and must simply answer the new challenge.
kam_start kamnonce udp=5065 tcp=0 nonce_expire=3 max_expires=10 ||
	diag "kamailio (nonce) did not start"
{ daemon_proxy 127.0.0.1 5065 UDP; daemon_line 0 u-nonce; } |
	daemon_conf "$T/u-nonce.conf"
daemon_start "$T/u-nonce.conf" u-nonce
nonce_refresh() {
	wait_until 5 kam_aor_has kamnonce u-nonce
	wait_until 14 eval '[ "$(log_count kamnonce "REGISTER-SAVED user=u-nonce ")" -ge 2 ]' &&
		kam_aor_has kamnonce u-nonce &&
		[ "$(log_count kamnonce "AUTH-CHALLENGE")" -ge 2 ] &&
		! log_event u-nonce "registration failed" &&
		daemon_state_is registered
}
check "stale nonce on refresh: re-authenticated, no failure" nonce_refresh
diag "REGISTERs to refresh with a stale nonce: $(log_count kamnonce "REGISTER-IN .*user=u-nonce ")"
daemon_stop

# RFC 5626 outbound and a fixed instance UUID; socket mark 0x5a; a
# User-Agent of our own. Kamailio stores what it got in the binding.
uuid=6f1f3c2e-8d0a-4c5b-9e7f-0a1b2c3d4e5f
{
	daemon_proxy example.test 5060 TCP
	daemon_line 0 u-ob
	echo "voip/signalling/sip/outbound_rfc5626=1"
	echo "voip/signalling/sip/instance_uuid=$uuid"
	echo "voip/signalling/sip/socket_mark=0x5a"
	echo "voip/signalling/sip/user_agent=sipsteerd-it/1"
} | daemon_conf "$T/u-ob.conf"
# Count what leaves for DNS (5353) and SIP (5060), by mark.
nft -f - <<-EOF || diag "nft failed"
	table inet it {
		counter dns_marked {}
		counter sip_marked {}
		counter unmarked {}
		chain out {
			type filter hook output priority 0;
			udp dport 5353 meta mark 0x5a counter name dns_marked
			tcp dport 5060 meta mark 0x5a counter name sip_marked
			th dport { 5060, 5353 } meta mark != 0x5a counter name unmarked
		}
	}
EOF
daemon_start "$T/u-ob.conf" u-ob
wait_until 6 kam_aor_has kam u-ob
ob_binding() {
	kam_rpc kam ul.dump 2>/dev/null | awk -v aor=u-ob '
		$1 == "AoR:" { cur = $2 }
		cur == aor && ($1 == "Instance:" || $1 == "Reg-Id:" ||
			$1 == "User-Agent:") { print $1, $2 }'
}
binding=$(ob_binding)
diag "binding: $(echo "$binding" | tr '\n' ' ')"
check "outbound: Contact carries +sip.instance (the configured UUID) and reg-id" \
	eval 'echo "$binding" | grep -qx "Instance: <urn:uuid:$uuid>" &&
		echo "$binding" | grep -qx "Reg-Id: 1"'
check "User-Agent is the configured one" \
	eval 'echo "$binding" | grep -qx "User-Agent: sipsteerd-it/1"'
# Every packet the daemon sent to DNS and to the registrar was marked.
packets() {
	nft list counter inet it "$1" 2>/dev/null |
		sed -n 's/.*packets \([0-9]*\).*/\1/p'
}
diag "packets marked to DNS: $(packets dns_marked), to SIP: $(packets sip_marked), unmarked: $(packets unmarked)"
check "socket_mark 0x5a on the DNS and SIP sockets, nothing unmarked" \
	eval '[ "$(packets dns_marked)" -gt 0 ] && [ "$(packets sip_marked)" -gt 0 ] &&
		[ "$(packets unmarked)" -eq 0 ]'
daemon_stop
