#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# TLS server verification against the SIP domain (RFC 5922): a server
# whose certificate names another domain is refused with a clear log line,
# and so is one whose certificate names only the SRV target (the daemon
# must verify the domain, never the target); the same SRV path with the
# right certificate registers.
. "$(dirname "$0")/lib.sh"

plan 6
daemon_require || exit 1

pki_make || diag "certtool failed"
# 5061: example.test; 5062: wrong.test; 5063: sip1.example.test only.
kam_start kam udp=0 tcp=0 tls=5061 tls_wrong=5062 tls_target=5063 ||
	diag "kamailio did not start"
# example.test: NAPTR -> _sips._tcp -> sip1.example.test:5063, whose
# certificate names sip1.example.test only.
dns_start --local-ttl=60 \
	--host-record=example.test,127.0.0.1 \
	--host-record=sip1.example.test,127.0.0.1 \
	--naptr-record=example.test,10,10,S,SIPS+D2T,,_sips._tcp.example.test \
	--srv-host=_sips._tcp.example.test,sip1.example.test,5063,1,10 ||
	diag "dnsmasq did not start"

tls_conf() {
	{ daemon_proxy "$2" "$3" TLS; daemon_line 0 "$1"; } |
		daemon_conf "$T/$1.conf"
}

# Usage: refused_case NAME USER HOST PORT ERE -- ERE: the log line
# that says why.
refused_case() {
	local name=$1 user=$2 why=$5
	tls_conf "$user" "$3" "$4"
	daemon_start "$T/$user.conf" "$user"
	# Give it the time of a handshake and a retry or two.
	wait_until 6 log_event "$user" '(certificate|verif|TLS)'
	sleep 1
	if log_event "$user" "$why" &&
	   ! log_has kam "REGISTER-IN .*user=$user " && daemon_alive; then
		ok "$name"
	else
		not_ok "$name"
		diag "REGISTERs from $user at the server: $(log_count kam "user=$user ")"
		diag_log "$user"
	fi
	daemon_stop
}

refused_case "TLS: a certificate for wrong.test is refused, clear log" \
	u-wrong example.test 5062 \
	'(error|warning).*certificate.*wrong\.test.*(match|domain).*example\.test'
# The daemon can only know the name wrong.test from the certificate
# Kamailio presented: the handshake happened, and no SIP followed it.
check "TLS: the refusal happened in the handshake, no SIP sent" \
	eval 'log_event u-wrong "wrong\.test" &&
		! log_has kam "(REGISTER|TLS)-IN .*user=u-wrong "'

refused_case "TLS via NAPTR/SRV: a certificate naming only the SRV target is refused" \
	u-target example.test 65535 \
	'(error|warning).*certificate.*sip1\.example\.test.*(match|domain).*example\.test'

# Same NAPTR/SRV path, now with the wrong.test server first and the
# example.test one second: the refusal above was about the name, not the
# path, and a TLS failure moves the line to the next server.
dns_stop
dns_start --local-ttl=60 \
	--host-record=example.test,127.0.0.1 \
	--host-record=sip1.example.test,127.0.0.1 \
	--host-record=sip2.example.test,127.0.0.1 \
	--naptr-record=example.test,10,10,S,SIPS+D2T,,_sips._tcp.example.test \
	--srv-host=_sips._tcp.example.test,sip2.example.test,5062,1,10 \
	--srv-host=_sips._tcp.example.test,sip1.example.test,5061,2,10 ||
	diag "dnsmasq did not restart"
tls_conf u-srv example.test 65535
daemon_start "$T/u-srv.conf" u-srv
# SNI is the SIP domain, not the SRV target sip1.example.test.
check "TLS via NAPTR/SRV registers; SNI is the SIP domain, not the target" \
	eval 'wait_until 8 kam_aor_has kam u-srv " tls:127.0.0.1:5061 " &&
		log_has kam "TLS-IN user=u-srv sni=example\.test$" &&
		! log_has kam "TLS-IN user=u-srv sni=(sip1|<null>)"'
check "TLS failure at the first SRV target: next server, status says tls" \
	daemon_line_jq 0 '.state == "registered" and
		.servers[0].addr == "127.0.0.1:5062" and .servers[0].last == "tls"
		and .servers[1].addr == "127.0.0.1:5061" and .servers[1].in_use'
daemon_stop

# The CA the daemon trusts is what makes the difference: without it
# (system trust), the right certificate is refused too.
{
	daemon_proxy example.test 5061 TLS
	daemon_line 0 u-noca
	echo "voip/signalling/sip/tls/ca_file="
} | daemon_conf "$T/u-noca.conf"
daemon_start "$T/u-noca.conf" u-noca
sleep 3
check "TLS: a server from an untrusted CA is refused" \
	eval '! log_has kam "REGISTER-IN .*user=u-noca " && daemon_alive &&
		log_event u-noca "(error|warning).*certificate.*(not trusted|issuer|unknown)"'
daemon_stop
