#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The test bed itself: Kamailio registers a client over UDP, TCP, TLS and
# IPv6 and rejects a wrong password; dnsmasq serves NAPTR, SRV, A, AAAA
# with the TTL the other topics rely on. No daemon involved: when these
# fail, the other topics' failures say nothing about sipsteerd.
. "$(dirname "$0")/lib.sh"

plan 13

# Usage: uac PORT TRANSPORT ADDR [sipp options] -- one registration.
uac() {
	local port=$1 tr=$2 addr=$3 rhost
	shift 3
	rhost=$addr
	case $addr in *:*) rhost="[$addr]" ;; esac
	sipp -sf "$IT_DIR/sipp/uac_register.xml" -s alice -au alice \
		-i "$addr" -p 0 -t "$tr" -m 1 -nostdin -timeout 5s \
		-timeout_error -key expires 60 "$@" "$rhost:$port" \
		>>"$T/uac.log" 2>&1 </dev/null
}

pki_make || diag "certtool failed"
kam_start kam addrs="127.0.0.1 ::1" udp=5060 tcp=5060 tls=5061 \
	tls_wrong=5062 tls_target=5063 max_expires=10 ||
	diag "kamailio did not start"

check "kamailio registers a digest client over UDP" \
	eval 'uac 5060 u1 127.0.0.1 -ap secret && kam_has_contact kam "transport=UDP"'
check "kamailio registers a digest client over TCP" \
	eval 'uac 5060 t1 127.0.0.1 -ap secret && kam_has_contact kam "transport=TCP"'
check "kamailio registers a digest client over IPv6" \
	eval 'uac 5060 u1 ::1 -ap secret && kam_has_contact kam "::1"'
wrong_password() {
	local saved challenges
	saved=$(log_count kam REGISTER-SAVED)
	challenges=$(log_count kam AUTH-CHALLENGE)
	! uac 5060 u1 127.0.0.1 -ap wrong &&
	[ "$(log_count kam REGISTER-SAVED)" -eq "$saved" ] &&
	[ "$(log_count kam AUTH-CHALLENGE)" -eq $((challenges + 2)) ]
}
check "kamailio rejects a wrong password" wrong_password

# TLS: sipp here has no TLS; gnutls-cli checks the certificate against
# the test CA and the SIP domain, then sends an OPTIONS.
# Usage: tls_options NAME_TO_VERIFY [PORT]
tls_options() {
	printf 'OPTIONS sip:%s SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:1;branch=z9hG4bK-%s\r\nMax-Forwards: 70\r\nFrom: <sip:probe@%s>;tag=1\r\nTo: <sip:%s>\r\nCall-ID: %s@probe\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n' \
		"$SIP_DOMAIN" "$$" "$SIP_DOMAIN" "$SIP_DOMAIN" "$$" |
		{ cat; sleep 1; } |
		timeout 5 gnutls-cli --x509cafile "$T/pki/ca.pem" \
			--verify-hostname "$1" --sni-hostname "$SIP_DOMAIN" \
			-p "${2:-5061}" 127.0.0.1 2>&1
}
check "kamailio answers over TLS with the example.test certificate" \
	eval 'tls_options "$SIP_DOMAIN" | grep -q "^SIP/2.0 200"'
check "the TLS certificate does not verify for another name" \
	eval '! tls_options other.test | grep -q "^SIP/2.0 200"'
check "kamailio presents the wrong.test certificate on 5062" \
	eval 'tls_options wrong.test 5062 | grep -q "^SIP/2.0 200" &&
		! tls_options "$SIP_DOMAIN" 5062 | grep -q "^SIP/2.0 200"'
check "kamailio presents the SRV-target-only certificate on 5063" \
	eval 'tls_options sip1.example.test 5063 | grep -q "^SIP/2.0 200" &&
		! tls_options "$SIP_DOMAIN" 5063 | grep -q "^SIP/2.0 200"'
# Asked for 60 s, granted at most max_expires=10 (registered again: the
# earlier bindings may have expired under a loaded machine).
check "kamailio grants at most max_expires" \
	eval 'uac 5060 u1 127.0.0.1 -ap secret && [ -n "$(kam_aor kam alice)" ] &&
		kam_aor kam alice | awk "{ if (\$3 > 10) bad = 1 } END { exit bad }"'

sipp_start busy srv_503.xml 127.0.0.1 5071 udp -key retry_after 60 ||
	diag "sipp busy did not start"
sipp_start silent srv_silent.xml 127.0.0.1 5072 udp ||
	diag "sipp silent did not start"
check "sipp answers 503 with Retry-After" \
	eval '! uac 5071 u1 127.0.0.1 -au bob -ap x &&
		log_has busy "^SIP/2.0 503" && log_has busy "^Retry-After: 60"'
check "sipp never answers, sees the retransmissions" \
	eval '! uac 5072 u1 127.0.0.1 -timeout 2s &&
		[ "$(sipp_registers silent)" -ge 3 ] &&
		[ "$(sipp_transactions silent)" -eq 1 ] &&
		! log_has silent "^SIP/2.0"'

dns_start --local-ttl=3 \
	--naptr-record=example.test,10,10,S,SIP+D2U,,_sip._udp.example.test \
	--naptr-record=example.test,20,10,S,SIP+D2T,,_sip._tcp.example.test \
	--srv-host=_sip._udp.example.test,sip1.example.test,5070,1,10 \
	--srv-host=_sip._udp.example.test,sip2.example.test,5060,2,10 \
	--host-record=sip1.example.test,127.0.0.1 \
	--host-record=sip2.example.test,127.0.0.1,::1 ||
	diag "dnsmasq did not start"

dns_answers() {
	dns_q NAPTR example.test | grep -q 'SIP+D2U' &&
	dns_q SRV _sip._udp.example.test | grep -q '^1 10 5070 sip1.example.test.$' &&
	[ "$(dns_q A sip2.example.test)" = 127.0.0.1 ] &&
	[ "$(dns_q AAAA sip2.example.test)" = ::1 ] &&
	[ -z "$(dns_q AAAA sip1.example.test)" ]
}
check "dnsmasq serves NAPTR, SRV, A and AAAA" dns_answers

# TTL 3 on every record type the daemon walks (NAPTR, SRV, A).
dns_ttls() {
	local ttls
	ttls=$( {
		dig +noall +answer -p "$DNS_PORT" @127.0.0.1 example.test NAPTR
		dig +noall +answer -p "$DNS_PORT" @127.0.0.1 _sip._udp.example.test SRV
		dig +noall +answer -p "$DNS_PORT" @127.0.0.1 sip1.example.test A
	} | awk '{ print $2 }' | sort -u)
	diag "TTLs served: $(printf "%s " $ttls)"
	[ "$ttls" = 3 ]
}
check "dnsmasq serves the configured TTL on NAPTR, SRV and A" dns_ttls
