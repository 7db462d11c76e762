#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: the main job end to end, in the test VM with the module.
# Two Kamailio registrars (reg1 = SRV priority 1, reg2 = priority 2),
# dnsmasq serving NAPTR/SRV for example.test, a "phone application" that
# keeps sending SIP to the primary's address, and sipsteerd with
# Documentation/examples/phone.cfg (test-bed addresses and short timers
# substituted, printed below). The story, one timeline line per event,
# relative to the start: registered on the primary; the primary stops
# answering; failover; the application's traffic lands on the secondary;
# the primary returns; failback. Calls (the call test bed of lib.sh,
# FO_CALLS): the lines' Contact is the phone's call application
# (callapp.py, port 5060), which calls bob at the primary's address; each
# registrar routes calls to the line's Contact and bob's to its own far
# end. A call in and a call out before the failure, both again during
# the outage, and a call set up during the outage and held across the
# failback, whose BYE must reach the secondary directly. Every step is
# checked at the peers (Kamailio's registrations and the requests of
# each call it logged, what reached each registrar's port, both ends of
# each call) and is one KTAP result, so the run fails unless all were
# observed.
#
# The topology and the peers are selftests/failover/lib.sh's.
# Environment (from $BUILD/vm/demo.env, written by run.sh): TRANSPORT
# udp|tcp|tls, SIPSTEERD.
DEMO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD=${BUILD:-$(cd "$DEMO_DIR/../.." && pwd)/build}
# shellcheck source=/dev/null
[ -r "$BUILD/vm/demo.env" ] && . "$BUILD/vm/demo.env"
TRANSPORT=${TRANSPORT:-udp}
SIPSTEERD=${SIPSTEERD:-$BUILD/sipsteerd}
# The registrars route calls, each with a far end (bob); the phone's
# call application runs beside the other process.
# shellcheck disable=SC2034 # read by the library
FO_CALLS=1
# shellcheck source=../failover/lib.sh
. "$DEMO_DIR/../failover/lib.sh"

# Two registrars are enough for the story (reg3 stays unused).
# shellcheck disable=SC2034 # read by the library's helpers
FO_REGS=2
# shellcheck disable=SC2034 # FO_SIP_PORT: read by the library's helpers
case $TRANSPORT in
udp | UDP) PROTO=UDP ;;
tcp | TCP) PROTO=TCP ;;
tls | TLS) PROTO=TLS; FO_SIP_PORT=5061 ;;
*) echo "demo: TRANSPORT=$TRANSPORT: expected udp, tcp or tls" >&2; exit 2 ;;
esac
# The application uses the transport the servers are reached with: the
# daemon steers UDP for UDP, TCP for TCP and TLS.
if [ "$PROTO" = UDP ]; then
	APP_OPT=--udp
	APP_PROTO="UDP datagrams"
	# Its datagrams leave from port 7000 (sipapp.py); the call
	# application, tagged like it, sends from 5060.
	W_APP='proto=udp src=[^ ]*:7000 tag=1'
else
	APP_OPT=--tcp
	APP_PROTO="a TCP connection"
	[ "$PROTO" = TLS ] && APP_PROTO="TCP connections to the TLS port"
	W_APP='proto=tcp .*tag=1'
fi
R1=$(reg_ap 1)
LINES="2001 2002"
# The call application answers for the first line; calls are placed
# with its protocol.
# shellcheck disable=SC2034 # read by the library's call helpers
FO_CALL_USER=2001
CP=${PROTO,,}

# ---------------------------------------------------------- cheap time

# Starting a process costs up to seconds in the VM under load, and the
# library polls: its clock and its sleep become builtins here.
now_ms() {
	local us=${EPOCHREALTIME//[!0-9]/}
	echo $((us / 1000))
}
mkfifo "$T/never" && exec 9<>"$T/never"
sleep() { read -r -t "$1" -u 9 || :; }

# --------------------------------------------------------------- output

T0=$(now_ms)
# Usage: at MS TEXT -- one timeline line, MS relative to the start.
at() {
	local ms=$(($1 - T0))
	[ "$ms" -lt 0 ] && ms=0
	printf '[%3d.%d s] %s\n' $((ms / 1000)) $((ms % 1000 / 100)) "$2"
}
indent() {
	local l
	while IFS= read -r l; do
		printf '      | %s\n' "$l"
	done
}

# The timeline is gathered per step from what the peers recorded (with
# their own time stamps), what the demo did, and the daemon's events
# (sipsteerd --status -j), then printed in time order.
TL=$T/timeline
: >"$TL"
declare -A TL_SEEN

# Usage: tl MS TEXT
tl() { [ -n "$1" ] && printf '%s\t%s\n' "$1" "$2" >>"$TL"; }

# Process start-ups are slow in the VM: one jq, and no process per event.
tl_daemon() {
	local ms kind from to reason elapsed where
	while IFS='|' read -r ms kind from to reason elapsed; do
		[ -n "$ms" ] || continue
		[ -n "${TL_SEEN["$ms $kind"]:-}" ] && continue
		TL_SEEN["$ms $kind"]=1
		where=$from
		[ -n "$from" ] && [ -n "$to" ] && where="$from -> $to"
		[ -z "$where" ] && where=$to
		tl "$ms" "  sipsteerd: $kind${where:+ $where}: $reason ($elapsed ms)"
	# A here-string: the VM's /dev has no fd/ for process substitution.
	done <<<"$("$SIPSTEERD" --status -j --socket "$DAEMON_SOCK" 2>/dev/null |
		jq -r '(.proxy_set // .set // {}).events // [] | .[] |
			[.at_ms, .kind, .from, .to, .reason, .elapsed_ms] |
			map(tostring) | join("|")' 2>/dev/null)"
}

tl_flush() {
	local ms text
	tl_daemon
	sort -s -n -k1,1 "$TL" | while IFS=$'\t' read -r ms text; do
		at "$ms" "$text"
	done
	: >"$TL"
}

show_state() {
	echo "      \$ sipsteer show"
	sipsteer show 2>&1 | indent
	echo "      \$ sipsteerd --status"
	"$SIPSTEERD" --status --socket "$DAEMON_SOCK" 2>&1 | indent
}

# The daemon's last event of KIND, as JSON, for the checks.
daemon_event() {
	"$SIPSTEERD" --status -j --socket "$DAEMON_SOCK" 2>/dev/null |
		jq -c "[(.proxy_set // .set // {}).events // [] | .[] |
			select(.kind == \"$1\")] | last // empty" 2>/dev/null
}

fail_step() {
	not_ok "$1"
	tl_flush
	fo_done
	echo "demo: stopped at a step that was not observed; logs above" >&2
	exit 1
}

# Usage: step NAME cmd... -- a KTAP result; the story stops at a miss.
step() {
	local name=$1
	shift
	if "$@"; then
		ok "$name"
	else
		fail_step "$name"
	fi
}

# The address-of-record of every contact registrar N holds (usrloc).
reg_aors() {
	kam_rpc "reg$1" ul.dump 2>/dev/null | awk '$1 == "AoR:" { print $2 }'
}

# Both lines have a contact at registrar N (one kamcmd).
lines_at() {
	local aors l
	aors=$(reg_aors "$1")
	for l in $LINES; do
		grep -qx "$l" <<<"$aors" || return 1
	done
}

lines_not_at() {
	local aors l
	aors=$(reg_aors "$1")
	for l in $LINES; do
		grep -qx "$l" <<<"$aors" && return 1
	done
	return 0
}

# Usage: reg_mark N -- the length of registrar N's log, for *_since.
reg_mark() { wc -l <"$T/reg$1.log"; }

# Usage: saved_since N MARK -- registrar N saved a contact of every line
# after MARK (its log; cheap enough to poll).
saved_since() {
	awk -v m="$2" -v want="$LINES" '
		NR > m && /REGISTER-SAVED user=/ {
			u = $0; sub(/.*user=/, "", u); sub(/ .*/, "", u); seen[u] = 1
		}
		END { n = split(want, w, " ")
		      for (i = 1; i <= n; i++) if (!(w[i] in seen)) exit 1 }' \
		"$T/reg$1.log"
}

# Usage: unregistered_since N MARK -- every line sent Expires: 0 to N.
unregistered_since() {
	awk -v m="$2" -v want="$LINES" '
		NR > m && /REGISTER-IN .* expires=0 / {
			u = $0; sub(/.*user=/, "", u); sub(/ .*/, "", u); seen[u] = 1
		}
		END { n = split(want, w, " ")
		      for (i = 1; i <= n; i++) if (!(w[i] in seen)) exit 1 }' \
		"$T/reg$1.log"
}

target_is() { service_jq ".targets[0].addr == \"$(reg_addr "$1")\""; }

# Usage: reg_log_ms N ERE FROM_MS -- epoch ms of the first REGISTER
# registrar N logged at or after FROM_MS whose log line matches ERE.
reg_log_ms() {
	grep -E "REGISTER-IN .*$2" "$T/reg$1.log" 2>/dev/null |
		sed -n 's/.*REGISTER-IN t=\([0-9]*\)\.\([0-9]\{3\}\).*/\1\2/p' |
		awk -v from="$3" '$1 >= from { print; exit }'
}

# Usage: tl_registers N FROM_MS WHAT -- one timeline line per line's
# first authenticated REGISTER at registrar N since FROM_MS.
tl_registers() {
	awk -v from="$2" -v reg="reg$1" '
		/REGISTER-IN t=.* auth=Digest/ {
			t = $0; sub(/.*REGISTER-IN t=/, "", t); sub(/ .*/, "", t)
			sub(/\./, "", t); t = substr(t, 1, length(t) - 3)
			u = $0; sub(/.* user=/, "", u); sub(/ .*/, "", u)
			if (t + 0 >= from && !(u in seen)) {
				seen[u] = 1
				printf "%s\t%s receives line %s'"'"'s authenticated REGISTER\n", t, reg, u
			}
		}' "$T/reg$1.log" >>"$TL"
}

# Usage: probes_before_register N MARK -- OPTIONS requests registrar N
# logged after MARK and before the next REGISTER: failback probes (over
# TLS the wire shows no methods; keep-alives go to the server in use).
probes_before_register() {
	awk -v m="$2" 'NR > m && /REGISTER-IN/ { exit }
		NR > m && /REQUEST-IN OPTIONS/ { n++ }
		END { print n + 0 }' "$T/reg$1.log"
}

# Usage: lands_only N FROM_MS -- wait a second, then: in that second the
# application's packets reached registrar N and no other (one awk).
lands_only() {
	local from=$2
	sleep 1
	awk -v re="$W_APP" -v from="$from" -v to=$((from + 1000)) -v want="wire$1" '
		/^t=/ && $0 ~ re {
			t = substr($1, 3) + 0
			if (t >= from && t < to) {
				f = FILENAME; sub(/.*\//, "", f); sub(/\.log$/, "", f)
				n[f]++
			}
		}
		END {
			for (f in n) if (f != want) bad = 1
			printf "# in 1 s: %d packet(s) of the application at %s, %d elsewhere\n",
				n[want], want, bad
			exit bad || !n[want]
		}' "$T/wire1.log" "$T/wire2.log"
}

# Usage: tl_app N FROM_MS TEXT -- when the application's first packet
# since FROM_MS reached registrar N.
tl_app() { tl "$(wire_first_ms "$1" "$W_APP" "$2")" "$3"; }

# Usage: app_aborted_ms FROM_MS -- when sipsteerd failed the
# application's stale connection (ECONNABORTED) after FROM_MS.
app_aborted_ms() {
	awk -v from="$1" '$1 == "tcp-error" && /err=ECONNABORTED/ {
			t = $2; sub(/^t=/, "", t)
			if (t + 0 >= from) { print t; exit }
		}' "$T/app.log" 2>/dev/null
}

# Usage: tl_app_aborted FROM_MS
tl_app_aborted() {
	tl "$(app_aborted_ms "$1")" "application: sipsteerd fails its stale connection to $R1 (ECONNABORTED); it reconnects"
}

# ---------------------------------------------------------------- calls

# The call checks are lib.sh's (in_ok, out_ok, first_hop, kam_dialog);
# their diagnostics stay off the console, the timeline line tells what
# the peers saw (fo_done prints every log when a step fails). The line
# is read from the events of callapp.py (the call application and the
# far ends), one awk per event.

# Usage: kv VAR LINE KEY -- VAR is KEY's value in the event LINE, "?"
# when it has none (no process).
kv() {
	local l=" $2 "
	case $l in
	*" $3="*) l=${l#* "$3"=}; printf -v "$1" '%s' "${l%% *}" ;;
	*) printf -v "$1" '?' ;;
	esac
}

# Usage: call_in N FID -- far end N's call FID (held 1 s) to the line:
# the call application got the INVITE from regN and answered it, the far
# end's BYE got 200 at both ends, no other registrar saw any of it.
call_in() {
	local n=$1 fid=$2 rc ev cid t upms code from
	in_ok "$n" "$fid" "$CP" "$(reg_src_re "$n" "$CP")" >/dev/null
	rc=$?
	ev=$(ua_line "far$n" call-up "$fid")
	kv cid "$ev" callid
	kv t "$ev" t
	kv upms "$ev" ms
	kv code "$(ua_line "far$n" call-end "$fid")" code
	kv from "$(ua_line callapp call-in "" " callid=$cid ")" from
	tl "${t#\?}" "call in: reg$n's far end calls $FO_CALL_USER; the call application gets the INVITE from $from and answers (up in $upms ms); the far end's BYE: $code"
	return $rc
}

# Usage: call_out ID N WHERE -- the call application's call ID (held
# 1 s) to bob at the primary's address went through regN: up, the route
# set's first hop regN, the BYE there and answered 200, the far end saw
# it end, no other registrar saw any of it.
call_out() {
	local id=$1 n=$2 rc ev t upms to code
	out_ok "$id" "$n" "$CP" "$(re_quote "$(reg_hop "$n" "$CP")")" >/dev/null
	rc=$?
	ev=$(ua_line callapp call-up "$id")
	kv t "$ev" t
	kv upms "$ev" ms
	kv to "$(ua_line callapp bye-out "$id")" to
	kv code "$(ua_line callapp call-end "$id")" code
	tl "${t#\?}" "call out: the call application calls bob at $R1$3; reg$n's far end answers (up in $upms ms); the BYE goes to $to (the route set's first hop): $code"
	return $rc
}

# Usage: call_held ID -- call ID is up, set up through reg2.
call_held() {
	local rc hop t
	call_wait "$1" up 15
	rc=$?
	hop=$(first_hop "$1")
	[ "$hop" = "$(reg_hop 2 "$CP")" ] || rc=1
	kv t "$(ua_line callapp call-up "$1")" t
	tl "${t#\?}" "call held: the call application calls bob at $R1 again; up through reg2 (the route set's first hop: $hop); it stays up"
	return $rc
}

# Usage: held_ends ID -- the held call ID, still up, ends with the call
# application's BYE: to reg2's Record-Route address, answered 200, seen
# ending at reg2's far end; reg1 received no request of the call, reg2
# its INVITE, ACK and BYE.
held_ends() {
	local id=$1 hop cid fin rc at1 at2 bye t to ev code upms
	hop=$(reg_hop 2 "$CP")
	kv cid "$(ua_line callapp call-out "$id")" callid
	kv fin "$(ua_line far2 call-in "" " callid=$cid ")" id
	! ua_has callapp call-end "$id" && call_end "$id" 15 &&
		ua_has callapp bye-out "$id" " to=$(re_quote "$hop") " &&
		ua_wait 5 far2 call-end "$fin" " by=remote code=200 " &&
		kam_dialog_none 1 "$cid" && saw 2 "$cid" INVITE ACK BYE >/dev/null
	rc=$?
	at1=$(kam_dialog_methods 1 "$cid")
	at2=$(kam_dialog_methods 2 "$cid")
	bye=$(ua_line callapp bye-out "$id")
	kv t "$bye" t
	kv to "$bye" to
	ev=$(ua_line callapp call-end "$id")
	kv code "$ev" code
	kv upms "$ev" ms
	[ "$upms" != "?" ] || upms=0
	tl "${t#\?}" "the held call ends after $((upms / 1000)) s: its BYE goes to $to, reg2 answers $code; requests of the call at reg1: ${at1:-none}, at reg2: ${at2% }"
	return $rc
}

# ------------------------------------------------------- configuration

# Usage: cfg_set FILE KEY VALUE -- set KEY in place (uncommenting it when
# the example has it commented out), else append it.
cfg_set() {
	local f=$1 key=$2 val=$3
	awk -v key="$key" -v val="$val" '
		!done && ($0 ~ "^#?" key "=") { print key "=" val; done = 1; next }
		{ print }
		END { if (!done) print key "=" val }' "$f" >"$f.new" &&
		mv "$f.new" "$f"
}

SIPK=voip/signalling/sip
demo_conf() {
	local f=$1 l
	cp "$FO_PROJECT/Documentation/examples/phone.cfg" "$f"
	# The test bed: its domain, its DNS server, Kamailio's password.
	cfg_set "$f" $SIPK/proxy_address "$SIP_DOMAIN"
	cfg_set "$f" $SIPK/dns_servers "127.0.0.1:$DNS_PORT"
	for l in 0 1; do
		cfg_set "$f" "voip/line/$l/auth_password" "$KAM_PASSWORD"
	done
	cfg_set "$f" $SIPK/transport_protocol "$PROTO"
	[ "$PROTO" = TLS ] && cfg_set "$f" $SIPK/tls/ca_file "$T/pki/ca.pem"
	# Short timers, so the story takes seconds instead of minutes.
	cfg_set "$f" $SIPK/outgoing_request_no_response_timeout_ms 3000
	cfg_set "$f" $SIPK/registrar_ka/timeout 5
	cfg_set "$f" $SIPK/redundant_proxy/failback_retry_timeout 5
	cfg_set "$f" $SIPK/redundant_proxy/failback_probes 2
	cfg_set "$f" $SIPK/redundant_proxy/hold_down 5
	cfg_set "$f" $SIPK/startup_delay_max_ms 0
	cfg_set "$f" $SIPK/registration_failed_timeout 10
}

# ----------------------------------------------------------------- story

plan 15
daemon_require || exit 1

echo
echo "=== sipsteer demo over $PROTO: failover and failback of a phone's lines"
echo "    phone (this namespace) --- reg1 $(reg_addr 1) sip1.$SIP_DOMAIN, SRV priority 1 (primary)"
echo "                           --- reg2 $(reg_addr 2) sip2.$SIP_DOMAIN, SRV priority 2 (secondary)"
echo "    DNS: dnsmasq on 127.0.0.1:$DNS_PORT, NAPTR/SRV for $SIP_DOMAIN"
echo "    the phone application: $APP_PROTO to $R1, as it was configured"
echo "    the call application: $FO_CALL_USER, the lines' Contact (port $([ "$PROTO" = TLS ] && echo "$FO_CALL_TLS_PORT, TLS" || echo "$FO_CALL_PORT")); calls bob at $R1"
echo "    far ends: bob behind each registrar, which routes calls for $FO_CALL_USER to its Contact"
echo

setup=$(now_ms)
[ "$PROTO" = TLS ] && { pki_make || fail_step "test certificates"; }
for i in 1 2; do
	if [ "$PROTO" = TLS ]; then
		# The far end reaches its Kamailio over UDP, on 5060.
		FO_SIP_PORT=5060 far_start "$i" || fail_step "far end $i"
		reg_start "$i" udp=5060 tcp=5060 tls=5061
	else
		reg_start "$i"
	fi || fail_step "Kamailio on reg$i"
done
wire_start 1 2 || fail_step "wire recorders"
dns_extra=()
if [ "$PROTO" = TLS ]; then
	dns_extra=("--naptr-record=$SIP_DOMAIN,30,10,S,SIPS+D2T,,_sips._tcp.$SIP_DOMAIN")
	for i in 1 2; do
		dns_extra+=("--srv-host=_sips._tcp.$SIP_DOMAIN,sip$i.$SIP_DOMAIN,5061,$i,10")
	done
fi
fo_dns_start 60 "${dns_extra[@]}" || fail_step "dnsmasq"
# The application starts first, as on a phone: it has the primary's
# address and uses it, with or without sipsteerd.
app_start "$APP_OPT" || fail_step "the phone application"
callapp_start "$CP" || fail_step "the call application"
echo "(registrars with their far ends, DNS, packet recorders and the applications up in $((($(now_ms) - setup) / 1000)) s)"

demo_conf "$T/phone.cfg"
echo "sipsteerd's configuration: Documentation/examples/phone.cfg with"
diff "$FO_PROJECT/Documentation/examples/phone.cfg" "$T/phone.cfg" |
	sed -n 's/^> /    /p'
echo "(the test bed's domain, DNS and password, and short demo timers:"
echo " no answer for 3 s fails a server, keep-alive every 5 s, failback"
echo " probes every 5 s, 2 answered in a row and 5 s since the failure to"
echo " return; the example's own values are 8 s, 30 s, 60 s, 3 and 120 s)"
echo

# 1. Registered on the primary.
T0=$(now_ms)
tl "$T0" "sipsteerd starts; the application already sends SIP OPTIONS to $R1 every 200 ms"
mark=$(reg_mark 1)
daemon_start "$T/phone.cfg"
wait_until 30 saved_since 1 "$mark"
wait_until 5 target_is 1
tl "$(reg_log_ms 1 "" "$T0")" "reg1 receives the first REGISTER"
tl_registers 1 "$T0"
tl_flush
step "registered on the primary: reg1 holds both lines' contacts" lines_at 1
step "steering: the module's service sends the phone's SIP to reg1" \
	target_is 1
show_state

# 2. The phone application talks to the primary's address.
lands_only 1 "$(now_ms)"
rc=$?
tl_flush
step "the application's traffic lands on reg1" [ $rc -eq 0 ]

# Calls through the primary, one each way at once.
far_call 1 f1 hold=1
call_place o1 hold=1
call_in 1 f1
rc_in=$?
call_out o1 1 ""
rc_out=$?
tl_flush
step "call in through reg1: the far end's INVITE reaches the call application, answered; BYE 200" \
	[ $rc_in -eq 0 ]
step "call out to reg1's address: reg1's far end answers; the BYE to reg1, 200" \
	[ $rc_out -eq 0 ]

# 3. The primary stops answering; 4. failover.
reg_silence 1
t_down=$(now_ms)
tl "$t_down" "reg1 stops answering (nftables drops everything from the phone)"
mark=$(reg_mark 2)
wait_until 40 saved_since 2 "$mark"
wait_until 5 target_is 2
tl "$(reg_log_ms 2 "" "$t_down")" "reg2 receives the first REGISTER"
tl_registers 2 "$t_down"
ev=$(daemon_event failover)
t=$(printf '%s' "$ev" | jq -r '.at_ms // empty' 2>/dev/null)
[ -n "$t" ] && tl "$t" "FAILOVER, $((t - t_down)) ms after reg1 fell silent: $(printf '%s' "$ev" | jq -r .reason)"
tl_flush
step "failover: both lines registered at the secondary (reg2)" lines_at 2
step "steering: the module's service now sends the phone's SIP to reg2" \
	target_is 2

# 5. The application, unchanged, now reaches the secondary.
lands_only 2 "$(now_ms)"
rc=$?
tl_app 2 "$t_down" "reg2 receives the application's first packet (it still sends to $R1)"
if [ "$PROTO" != UDP ]; then
	# An established connection to reg1 is failed (ECONNABORTED) and
	# reopened; one still connecting when the switch came completes at
	# reg2 by itself. The tcp scenario of make check tests the former.
	if [ -n "$(app_aborted_ms "$t_down")" ]; then
		tl_app_aborted "$t_down"
	else
		tl "$(now_ms)" "application: its connection, still being set up at the switch, completed at reg2"
	fi
fi
tl_flush
if [ "$PROTO" = UDP ]; then
	step "the application's datagrams land on reg2 only" [ $rc -eq 0 ]
else
	step "its connection follows the switch; its packets land on reg2 only" \
		[ $rc -eq 0 ]
fi
show_state

# Calls during the outage: the call application still calls the
# primary's address; a third call is held across the failback.
call_place o2 hold=1
far_call 2 f2 hold=1
call_place o3
call_out o2 2 " (steered)"
rc_out=$?
call_in 2 f2
rc_in=$?
call_held o3
rc_held=$?
tl_flush
step "call out to reg1's address during the outage: set up through reg2, reg2's far end answers; the BYE to reg2, 200" \
	[ $rc_out -eq 0 ]
step "call in through reg2: the far end's INVITE reaches the call application, answered; BYE 200" \
	[ $rc_in -eq 0 ]
step "a call set up through reg2 during the outage is held" [ $rc_held -eq 0 ]

# 6. The primary returns; 7. failback.
mark=$(reg_mark 1)
mark2=$(reg_mark 2)
t_up=$(now_ms)
reg_revive 1
tl "$t_up" "reg1 answers again (the drop rule is removed)"
wait_until 60 eval "saved_since 1 $mark && unregistered_since 2 $mark2"
wait_until 5 target_is 1
if [ "$PROTO" = TLS ]; then
	# Over TLS the wire shows no methods: count what Kamailio answered.
	probes=$(probes_before_register 1 "$mark")
	tl "$(now_ms)" "reg1 answered $probes OPTIONS probe(s) over TLS between its return and the failback REGISTER"
	probed=$([ "$probes" -ge 1 ] && echo 1)
else
	for t in $(wire_times 1 "$W_OPT" "$t_up" | head -n 4); do
		tl "$t" "reg1 receives an OPTIONS probe (sent with the bypass mark)"
	done
	probed=$(wire_has 1 "$W_OPT" "$t_up" && echo 1)
fi
tl_registers 1 "$t_up"
for l in $LINES; do
	tl "$(reg_log_ms 2 "user=$l .*expires=0 " "$t_up")" \
		"reg2 receives line $l's un-REGISTER (Expires: 0)"
done
ev=$(daemon_event failback)
t=$(printf '%s' "$ev" | jq -r '.at_ms // empty' 2>/dev/null)
[ -n "$t" ] && tl "$t" "FAILBACK, $((t - t_up)) ms after reg1 returned: $(printf '%s' "$ev" | jq -r .reason)"
lands_only 1 "$(now_ms)"
rc=$?
tl_app 1 "$t_up" "reg1 receives the application's packets again"
[ "$PROTO" = UDP ] || tl_app_aborted "$t_up"
tl_flush
step "failback probes reached reg1" [ -n "$probed" ]
step "failback: both lines at reg1 again, un-registered (Expires: 0) from reg2" \
	eval "lines_at 1 && unregistered_since 2 $mark2 && lines_not_at 2 &&
		target_is 1"
step "the application's traffic lands on reg1 again" [ $rc -eq 0 ]
show_state

# The call held since the outage ends after the failback.
held_ends o3
rc=$?
tl_flush
step "the held call outlives the failback: its BYE reaches reg2 directly, 200; reg1 saw no request of it" \
	[ $rc -eq 0 ]

echo
echo "=== done in $((($(now_ms) - T0) / 1000)) s: every step was observed at the peers"
fo_done
# Stop every peer at once (the library's clean-up then finds them gone):
# one by one, with a process per check, takes long in the VM.
kill -TERM "${IT_PIDS[@]}" 2>/dev/null
( sleep 5; kill -KILL "${IT_PIDS[@]}" 2>/dev/null ) &
killer=$!
wait "${IT_PIDS[@]}" 2>/dev/null
kill "$killer" 2>/dev/null
