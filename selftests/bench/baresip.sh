# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# baresip (Debian's baresip-core, 1.0 on libre 1.1) as the failover
# benchmark's reference client, configured like sipsteerd: the same SIP
# domain through NAPTR/SRV, the same registration interval, a keep-alive
# every BX_KA seconds. Sourced by failover-run.sh and failover-call-run.sh
# inside "phone", after selftests/failover/lib.sh.
#
# How baresip is set up (its `config` and `accounts` in one directory,
# `baresip -f DIR`):
#  - accounts: <sip:bob@example.test>;auth_pass=...;regint=N;
#    sipnat=outbound;outbound="sip:example.test". The outbound proxy is
#    the domain itself, so every REGISTER is routed by RFC 3263 lookups
#    (NAPTR -> SRV -> A) and libre moves to the next SRV target when a
#    request times out (Timer F, 32 s) or gets a 503. sipnat=outbound
#    (RFC 5626, needs the uuid module) is baresip's only keep-alive: when
#    the registrar's 200 says "Require: outbound" and "Flow-Timer: N",
#    libre sends a STUN binding request over the SIP UDP flow every 80 to
#    100 % of N seconds; when one goes unanswered (STUN's 39.5 s of
#    retransmissions) the registration is marked failed and retried after
#    30 to 60 s (sipreg's backoff).
#  - config: no audio, video or UI modules (none is needed to register);
#    uuid and account only; DNS is the test's dnsmasq.
#  - The registrars (selftests/integration/lib.sh's Kamailio) are given
#    the STUN module and answer baresip's REGISTERs with "Require:
#    outbound" and "Flow-Timer: BX_KA" (bx_kam_patch), which is how a
#    registrar that supports RFC 5626 asks for keep-alives.
#  - For calls (bx_start ADDR calls): the account answers every call at
#    once (answermode=auto, ua.c's own auto-answer), the g711 module
#    gives the SDP a codec (no audio device: baresip starts no source or
#    player when none is loaded), and menu's "/dial URI" command comes in
#    through the cons module, a UDP console on 127.0.0.1:BX_CONS_PORT
#    (bx_dial). A dialled call goes, like a REGISTER, through the
#    outbound proxy example.test: NAPTR/SRV, the first target first, the
#    next one when the INVITE times out (Timer B, 64 x T1 = 32 s) or gets
#    503 (libre's sip_request).

BX_USER=bob
BX_PORT=5080
# baresip runs as its own uid, so the phone's nftables can give its
# packets the steering bypass mark: the module must leave a competitor's
# traffic alone (it would otherwise follow sipsteerd's switch).
BX_UID=65533
BX_KA=${BX_KA:-5}
BX_REGINT=${BX_REGINT:-3600}
# sipsteerd's default bypass mark (socket_mark 0).
BX_BYPASS_MARK=0x53495000
BX_CONS_PORT=5555

# Every registrar gets the STUN module and answers baresip's outbound
# REGISTERs (bx_kam_patch) before it starts (kam_start calls it).
# shellcheck disable=SC2317
kamailio() {
	local a cfg='' prev=''
	for a in "$@"; do
		[ "$prev" = -f ] && cfg=$a
		prev=$a
	done
	[ -z "$cfg" ] || bx_kam_patch "$cfg" || exit 1
	exec ${PEER_NS:+ip netns exec "$PEER_NS"} kamailio "$@"
}

# Usage: bx_kam_patch CFG -- add STUN and the RFC 5626 answer headers to
# a Kamailio configuration written by kam_start (idempotent).
bx_kam_patch() {
	local cfg=$1
	grep -q '"stun.so"' "$cfg" && return 0
	# shellcheck disable=SC2016 # $ua is Kamailio's, not the shell's
	sed -i -e 's|^loadmodule "kex.so"|loadmodule "stun.so"\n&|' \
		-e 's|^[[:space:]]*if (!save("location")) {|if ($ua =~ "^baresip") { append_to_reply("Require: outbound\\r\\nFlow-Timer: '"$BX_KA"'\\r\\n"); }\n&|' \
		"$cfg"
	grep -q 'Flow-Timer' "$cfg"
}

# Usage: bx_start LISTEN_ADDR [calls] -- write the configuration under
# $T/baresip and start baresip (log: $T/baresip.log, with its SIP trace;
# it_bg keeps its pid for the cleanup); "calls": it answers calls and
# takes bx_dial.
bx_start() {
	local d=$T/baresip answer=''
	mkdir -p "$d"
	cat >"$d/config" <<-EOF
		poll_method	epoll
		sip_listen	$1:$BX_PORT
		dns_server	127.0.0.1:$DNS_PORT
		module_path	/usr/lib/baresip/modules
		module_tmp	uuid.so
		module_tmp	account.so
	EOF
	if [ "${2:-}" = calls ]; then
		cat >>"$d/config" <<-EOF
			module	g711.so
			module	cons.so
			module_app	menu.so
			cons_listen	127.0.0.1:$BX_CONS_PORT
			call_max_calls	200
		EOF
		answer=';answermode=auto'
	fi
	printf '<sip:%s@%s>;auth_pass=%s;regint=%s;sipnat=outbound;outbound="sip:%s"%s\n' \
		"$BX_USER" "$SIP_DOMAIN" "$KAM_PASSWORD" "$BX_REGINT" \
		"$SIP_DOMAIN" "$answer" >"$d/accounts"
	chown -R "$BX_UID:$BX_UID" "$d"
	# $T is private to root; baresip only needs to pass through it.
	chmod o+x "$T"
	nft -f - <<-EOF || return 1
		table inet fobench {
			chain output {
				type route hook output priority mangle; policy accept;
				meta skuid $BX_UID meta mark set $BX_BYPASS_MARK
			}
		}
	EOF
	it_bg baresip setpriv --reuid="$BX_UID" --regid="$BX_UID" \
		--clear-groups env HOME="$d" baresip -f "$d" -s
}

# Usage: bx_dial URI -- baresip places a call (bx_start ... calls).
bx_dial() {
	printf '/dial %s\n' "$1" >"/dev/udp/127.0.0.1/$BX_CONS_PORT"
}
