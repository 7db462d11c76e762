#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The call test bed, dual stack with TLS: registrars that route calls
# (Kamailio: record_route, loose_route, lookup), a far end at each, and
# the phone's call application (uid 65534). No daemon: alice's binding
# is the call app's Contact, made by hand (calls_bind). Calls in and out
# through reg1 over UDP, TCP, TLS and IPv6, each checked at both ends
# and at the registrars (Kamailio's log of the Call-ID): the ACK and the
# BYE follow the route set, also when the next hop the call app was
# given is not the server that answers (a DNAT, as steering does); a
# silent server gets the INVITE again on RFC 3261's timers; CANCEL,
# busy and a certificate for another domain. When these fail, the call
# scenarios' failures say nothing about failover.
# shellcheck source=lib.sh disable=SC2016,SC2034
FO_DUAL=1 FO_TLS=1 FO_CALLS=1
. "$(dirname "$0")/lib.sh"

plan 20

t0=$SECONDS
fo_pki
t1=$SECONDS
# 5062: a TLS port whose certificate names wrong.test.
reg_start 1 tls_wrong=5062 || diag "reg1 did not start"
reg_start 2 || diag "reg2 did not start"
t2=$SECONDS
wire_start 1 2 || exit 1
fo_dns_start 60 || diag "dnsmasq did not start"
t3=$SECONDS
callapp_start udp 4 || exit 1
diag "set up in $((SECONDS - t0)) s: pki $((t1 - t0)) s, registrars and far ends $((t2 - t1)) s, wire and dns $((t3 - t2)) s, call app $((SECONDS - t3)) s"

R1=$(reg_addr 1) R2=$(reg_addr 2) R1_6=$(reg_addr6 1)

check "dnsmasq: A and AAAA of every registrar, NAPTR SIPS+D2T, SRV _sips._tcp 5061" \
	eval '[ "$(dns_q A sip1.example.test)" = "$R1" ] &&
		[ "$(dns_q AAAA sip2.example.test)" = "$(reg_addr6 2)" ] &&
		dns_q NAPTR example.test | grep -q "SIPS+D2T" &&
		[ "$(dns_q SRV _sips._tcp.example.test | sort | cut -d" " -f1,3 | tr "\n" " ")" = "1 5061 2 5061 3 5061 " ]'
listening() {
	local p
	for p in udp tcp tls; do
		log_has reg1 "$p: $R1_6 \[$R1_6\]:" &&
			log_has reg2 "$p: $R2 \[$R2\]:" || return 1
	done
	ua_has far1 ready "" "udp:$R1:5070" &&
		ua_has far2 ready "" "tcp:$R2:5070" &&
		ua_has callapp ready "" "tls:\[::\]:5061"
}
check "Kamailio on UDP, TCP, TLS over IPv4 and IPv6; far ends and call app listening" \
	listening

# ---------------------------------------------------------- IPv4 UDP
calls_bind 1 udp 4
far_call 1 f-udp hold=1
check "UDP in: the far end's call through reg1 reaches the call app from reg1, answered, BYE 200" \
	in_ok 1 f-udp udp "$R1:5060"
call_place o-udp hold=1
check "UDP out: through reg1 to the far end, ACK and BYE to the Record-Route hop, BYE 200" \
	eval 'out_ok o-udp 1 udp "$R1:5060" &&
		[ "$(first_hop o-udp)" = "$R1:5060" ] &&
		[ "$(call_field o-udp out local)" = "$(phone_addr 1):5060" ]'

# ----------------------------------------------------------- IPv4 TCP
calls_bind 1 tcp 4
far_call 1 f-tcp hold=1
check "TCP in: Kamailio connects to the call app's TCP port" \
	in_ok 1 f-tcp tcp "$R1:[0-9]+"
call_place o-tcp via="$R1:5060" proto=tcp hold=1
check "TCP out: Record-Route carries transport=tcp; ACK and BYE over TCP to it" \
	eval 'out_ok o-tcp 1 tcp "$R1:5060" &&
		call_field o-tcp up route | grep -q "^<sip:$R1;transport=tcp;" &&
		kam_dialog 1 "$(call_field o-tcp out callid)" |
			grep -q "^BYE proto=tcp src=$(phone_addr 1):"'

# ----------------------------------------------------------- IPv4 TLS
calls_bind 1 tls 4
far_call 1 f-tls hold=1
check "TLS in: Kamailio connects to the call app's TLS port 5061" \
	in_ok 1 f-tls tls "$R1:[0-9]+"
call_place o-tls via="$R1:5061" proto=tls hold=1
check "TLS out: example.test verified (SNI seen at reg1); ACK and BYE over TLS to the Record-Route hop" \
	eval 'out_ok o-tls 1 tls "$R1:5061" &&
		call_field o-tls up route | grep -q "^<sip:$R1:5061;transport=tls;" &&
		log_has reg1 "TLS-IN user=alice sni=example.test"'
call_place o-wrong via="$R1:5062" proto=tls
check "TLS out: a certificate for wrong.test is refused, the call fails (503), no INVITE reaches reg1" \
	eval 'call_wait o-wrong fail 10 " code=503 " &&
		ua_has callapp transport-error "" "peer=$R1:5062 op=tls err=CERTIFICATE_VERIFY_FAILED" &&
		kam_dialog_none 1 "$(call_field o-wrong out callid)"'

# --------------------------------------------------------------- IPv6
calls_bind 1 udp 6
far_call 1 f-udp6 hold=1
check "IPv6 in: the call app's IPv6 Contact gets the INVITE from reg1's IPv6 address" \
	in_ok 1 f-udp6 udp "\[$R1_6\]:5060"
call_place o-udp6 via="[$R1_6]:5060" hold=1
check "IPv6 UDP out: through reg1's IPv6 address; double Record-Route (IPv6, IPv4); BYE over IPv6" \
	eval 'out_ok o-udp6 1 udp "\[$R1_6\]:5060" &&
		call_field o-udp6 up route | grep -q "^<sip:\[$R1_6\];r2=on;lr[^,]*>,<sip:$R1;r2=on;lr"'
call_place o-tls6 via="[$R1_6]:5061" proto=tls hold=1
check "IPv6 TLS out: ACK and BYE over TLS to reg1's IPv6 Record-Route hop" \
	out_ok o-tls6 1 tls "\[$R1_6\]:5061"
check "the call app's packets carry the other processes' tag (DSCP CS1) in both families" \
	eval 'wire_has 1 "proto=udp src=$(phone_addr 1):5060 tag=1 req=INVITE" &&
		wire_has 1 "proto=udp src=\[$(phone_addr6 1)\]:5060 tag=1 req=INVITE" &&
		wire_has 1 "proto=tcp port=5061 src=\[$(phone_addr6 1)\]:[0-9]+ tag=1 syn=1"'

# ---------------------------------------------------------- reg2 too
calls_bind 2 udp 4
far_call 2 f-reg2 hold=1
check "in through reg2: its far end's call reaches the call app from reg2" \
	in_ok 2 f-reg2 udp "$R2:5060"

# -------------------------------------------------- failure handling
ua_ctl far1 answer 486
call_place o-busy
check "busy: the far end's 486 reaches the call app (call-fail 486), its ACK goes to reg1" \
	eval 'call_wait o-busy fail 10 " code=486 " &&
		saw 1 "$(call_field o-busy out callid)" INVITE ACK'
ua_ctl far1 answer 200 ring=30000
call_place o-cancel
call_wait o-cancel 1xx 10
ua_ctl callapp cancel o-cancel
check "CANCEL of a ringing call: 487 at the call app, the far end sees the CANCEL" \
	eval 'call_wait o-cancel end 10 " by=cancel code=487 " &&
		fin=$(ua_line far1 call-in "" "callid=$(call_field o-cancel out callid) " |
			sed -n "s/.* id=\([^ ]*\) .*/\1/p") &&
		far_wait 1 "$fin" cancelled 5 &&
		saw 1 "$(call_field o-cancel out callid)" INVITE CANCEL ACK'
ua_ctl far1 answer 200 ring=0

# A silent server: the INVITE is sent again after 0.5, 1 and 2 s (Timer
# A); once the server answers again, the call completes.
reg_silence 1
t_s=$(now_ms)
call_place o-retrans hold=1
wait_until 6 eval '[ "$(wire_count 1 "tag=1 req=INVITE" "$t_s")" -ge 4 ]'
reg_revive 1
times=$(wire_times 1 "tag=1 req=INVITE" "$t_s" | tr '\n' ' ')
diag "INVITEs at reg1 while silent: $times"
# shellcheck disable=SC2086
timer_a() {
	set -- $times
	[ $# -ge 4 ] || return 1
	local g1=$(($2 - $1)) g2=$(($3 - $2)) g3=$(($4 - $3))
	diag "gaps $g1 $g2 $g3 ms"
	[ "$g1" -ge 400 ] && [ "$g1" -le 900 ] &&
		[ "$g2" -ge 900 ] && [ "$g2" -le 1500 ] &&
		[ "$g3" -ge 1900 ] && [ "$g3" -le 2600 ]
}
check "silent reg1: the INVITE is retransmitted after 0.5, 1, 2 s (Timer A)" timer_a
check "answered again: the retransmitted INVITE completes the call" \
	eval 'out_ok o-retrans 1 udp "$R1:5060" &&
		[ "$(ua_field callapp retrans o-retrans n | tail -n 1)" -ge 1 ]'

# ------------------------------------ next hop is not the server (DNAT)
# As steering does: the call app keeps sending to reg1's address, the
# phone's netfilter sends it to reg2. reg2's Record-Route names reg2, so
# the ACK and the BYE go to reg2 directly; reg1 sees nothing of it.
nft -f - <<-EOF
	table ip callbed {
		chain output {
			type nat hook output priority -100; policy accept;
			ip daddr $R1 meta l4proto { tcp, udp } th dport 5060 dnat to $R2
		}
	}
EOF
conntrack -F >/dev/null 2>&1
t_n=$(now_ms)
call_place o-nat hold=1
check "UDP out via a DNAT to reg2: the 200 comes from reg1's address, the route set and BYE go to reg2" \
	eval 'out_ok o-nat 2 udp "$R2:5060" &&
		[ "$(call_field o-nat up from)" = "$R1:5060" ] &&
		[ "$(first_hop o-nat)" = "$R2:5060" ] &&
		[ "$(wire_count 1 "tag=1" "$t_n")" -eq 0 ]'
# The connection the call app keeps to reg1 is aborted, as steering
# does on a switch (a DNAT applies to new flows only): the call app
# opens a new one, which goes to reg2. (reg1 still gets the reset.)
t_k=$(now_ms)
ss -K dst "$R1" dport = 5060 >/dev/null 2>&1
call_place o-nat-tcp via="$R1:5060" proto=tcp hold=1
check "TCP out via a DNAT to reg2: the old connection's abort is seen; ACK and BYE go to reg2's Record-Route address" \
	eval 'ua_has callapp transport-error "" "proto=tcp peer=$R1:5060 op=recv" &&
		out_ok o-nat-tcp 2 tcp "$R2:5060" &&
		[ "$(wire_count 1 "tag=1 (syn=1|.*req=[A-Z])" "$t_k")" -eq 0 ] &&
		[ "$(wire_count 2 "proto=tcp src=[^ ]+ tag=1 syn=1" "$t_k")" -ge 2 ]'
nft delete table ip callbed
conntrack -F >/dev/null 2>&1
fo_done
