#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One run of the call outage benchmark (selftests/bench/failover.sh,
# kinds calls-silent and calls-refuse), on a fresh topology of
# selftests/failover/lib.sh with its call test bed (FO_CALLS): reg1 and
# reg2 route calls, each with a far end (bob, callapp.py, reached over
# its registrar's lo, so breaking reg1's link leaves it alone).
#   sipsteerd registers line alice with the call application's Contact;
#   the call application (callapp.py, uid 65534, tagged like the other
#   process) calls bob at reg1's address, as a naive phone application
#   does: it knows nothing of the failover, the module steers it.
#   baresip (carol, uid 65533, its packets carry the steering bypass
#   mark) places calls through its outbound proxy example.test (RFC
#   3263, reg1 first) and answers every call at once.
# The primary is broken KIND's way at t0; from t0 on, once a second
# until one of its calls is answered, each caller tries again:
#   out: the call application calls bob at reg1's address (it hangs up
#        1 s after the answer); baresip dials sip:bob@example.test;
#   in:  reg2's far end calls alice and, separately, carol through reg2
#        (404 while the line is not registered there; 1 s calls).
# Each attempt is a new call; earlier ones go on by their own timers
# (RFC 3261 Timer A retransmissions, Timer B 32 s). Measured at the far
# ends (callapp.py's event times, CLOCK_REALTIME like t0):
#   out_ms: the first call from the client that a far end set up (it got
#           the ACK of its 200), minus t0;
#   in_ms:  the first of reg2's far end's calls to the client that was
#           answered (it got the 200; the answer's Contact names the
#           client), minus t0.
#
# usage: failover-call-run.sh KIND [concurrent]
#        failover-call-run.sh first-call pPkK [CLIENT...]
#   KIND: silent (reg1 drops everything that arrives) or refuse (reg1
#   rejects everything that arrives: ICMP port unreachable, TCP RST, as
#   from a closed port; reg_refuse, in place at once, where stopping
#   Kamailio takes seconds under TCG, during which it may still answer
#   the first calls, and delays the first attempts). sipsteerd and
#   baresip as in failover-run.sh: registration 3600 s, keep-alive every
#   5 s, sipsteerd's outgoing_request_no_response_timeout_ms at its
#   default 32000.
# Prints one line per client:
#   fobench client=sipsteerd kind=calls-K out_ms=N in_ms=N
#   fobench client=baresip kind=calls-K out_ms=N in_ms=N
# ("-": not seen within FOBENCH_LIMIT_S, default 240 s), and how each
# got there as "# " lines. With "concurrent": sipsteerd alone, in
# redundant_proxy/mode=concurrent (alice also registered at reg2, a
# standby, before t0), printed as kind=calls-K-concurrent.
#
# first-call: the first call after a silent failure. reg1 goes silent at
# t0; FIRST_CALL_MS (1 s) later, before any keep-alive can have found
# out (sipsteerd's keep-alive gives up on an OPTIONS after 10 s), the
# call application places exactly one call (to bob at reg1's address)
# and, when CLIENT includes baresip, baresip dials once (failover.sh
# passes the run's clients, sipsteerd and baresip); neither tries again. sipsteerd
# as above, except steering/passive_detection=P and registrar_ka/enabled
# =K (pPkK: p1k0 is the manual's defaults; pPkKc: the same in
# redundant_proxy/mode=concurrent, printed with mode=concurrent after
# kind=first-call). Measured: the caller's first
# INVITE at reg1's link (the recorder) and the ACK of the 200 at a far
# end. Prints
#   fobench client=sipsteerd kind=first-call passive=P ka=K invite_ms=N call_ms=N
#   fobench client=baresip kind=first-call ka=1 invite_ms=N call_ms=N
# invite_ms: the INVITE's arrival minus t0; call_ms: from that INVITE to
# the ACK, or "failed" (the call application's call ended without an
# answer: Timer B, 408), or "-" (baresip's call not set up within
# FIRST_CALL_LIMIT_S, 70 s: Timer B at reg1, then a whole one at reg2).
# shellcheck disable=SC2034 # FO_CALLS: read by the library
FO_CALLS=1
# shellcheck source=SCRIPTDIR/fobench.sh
. "$(dirname "$0")/fobench.sh"

KIND=$1
LIMIT_S=${FOBENCH_LIMIT_S:-240}
# The call runs' sipsteerd has the manual's passive detection (on) and a
# keep-alive, and baresip beside it; first-call sets them per run.
PASSIVE=1 KA=1 WITH_BX=1
FIRST_CALL_MS=1000
FIRST_CALL_LIMIT_S=70
MODE=failover TAG=calls-$KIND
if [ "$KIND" = first-call ]; then
	case ${2:-} in
	p[01]k[01]) PASSIVE=${2:1:1} KA=${2:3:1} ;;
	p[01]k[01]c) PASSIVE=${2:1:1} KA=${2:3:1} MODE=concurrent ;;
	*) die "first-call: pPkK[c], not '${2:-}'" ;;
	esac
	WITH_BX=''
	case " ${*:3} " in *" baresip "*) WITH_BX=1 ;; esac
elif [ "${2:-}" = concurrent ]; then
	MODE=concurrent TAG=calls-$KIND-concurrent WITH_BX=''
fi
REG_EXPIRES=3600
# bob is the far ends' user: Kamailio routes calls for a user registered
# with it to the binding, others to its far end.
BX_USER=carol

# A process costs tens of ms under TCG: the clock and the waits are
# builtins (as in selftests/demo/failover-demo.sh).
now_ms() {
	local us=${EPOCHREALTIME//[!0-9]/}
	echo $((us / 1000))
}
mkfifo "$T/never" && exec 9<>"$T/never"
sleep() { read -r -t "$1" -u 9 || :; }

# Usage: far_calls -- "OUT_D OUT_B IN_D IN_B", the far ends' times
# (ms) since t0 of: the first call from alice (the call application)
# and from carol (baresip) set up at either far end (call-up dir=in,
# its ACK); the first call of reg2's far end to alice (ids ia*) and to
# carol (ic*) answered (call-up dir=out); "-" for none yet.
far_calls() {
	awk -v from="$T0" -v d="$FO_CALL_USER" -v b="$BX_USER" '
		function f(k,   i) {
			for (i = 2; i <= NF; i++)
				if (index($i, k "=") == 1)
					return substr($i, length(k) + 2)
			return ""
		}
		function first(k, t) { if (!(k in r) || t < r[k]) r[k] = t }
		{ t = f("t") + 0; key = FILENAME " " f("id") }
		t < from { next }
		$1 == "call-in" { caller[key] = f("caller") }
		$1 == "call-up" && f("dir") == "in" {
			if (index(caller[key], "sip:" d "@") == 1) first("od", t)
			if (index(caller[key], "sip:" b "@") == 1) first("ob", t)
		}
		$1 == "call-up" && f("dir") == "out" {
			if (f("id") ~ /^ia/) first("id", t)
			if (f("id") ~ /^ic/) first("ib", t)
		}
		END {
			n = split("od ob id ib", k, " ")
			for (i = 1; i <= n; i++)
				printf "%s%s", (k[i] in r) ? r[k[i]] - from : "-",
					i < n ? " " : "\n"
		}' "$T/far1.log" "$T/far2.log"
}

# Usage: out_story USER -- how the first call from USER that a far end
# set up went: which far end, the caller's Call-ID, when the far end got
# its INVITE and its ACK (ms since t0).
out_story() {
	awk -v from="$T0" -v u="$1" '
		function f(k,   i) {
			for (i = 2; i <= NF; i++)
				if (index($i, k "=") == 1)
					return substr($i, length(k) + 2)
			return ""
		}
		{ t = f("t") + 0; key = FILENAME " " f("id") }
		t < from { next }
		$1 == "call-in" && index(f("caller"), "sip:" u "@") == 1 {
			inv[key] = t; cid[key] = f("callid")
		}
		$1 == "call-up" && f("dir") == "in" && (key in inv) &&
		    (best == "" || t < bt) { best = key; bt = t }
		END {
			if (best == "") exit
			w = best; sub(/ .*/, "", w); sub(/.*\//, "", w)
			sub(/\.log$/, "", w)
			printf "%s: Call-ID %s, INVITE +%d ms, ACK +%d ms\n", w,
				cid[best], inv[best] - from, bt - from
		}' "$T/far1.log" "$T/far2.log"
}

# Usage: in_story PREFIX -- reg2's far end's first answered call with an
# id starting PREFIX: its id, when it was placed and answered (ms since
# t0), the answer's Contact; and how many such calls failed before.
in_story() {
	awk -v from="$T0" -v p="$1" '
		function f(k,   i) {
			for (i = 2; i <= NF; i++)
				if (index($i, k "=") == 1)
					return substr($i, length(k) + 2)
			return ""
		}
		{ t = f("t") + 0; id = f("id") }
		t < from || index(id, p) != 1 { next }
		$1 == "call-out" { out[id] = t }
		$1 == "call-fail" { fail[f("code")]++ }
		$1 == "call-up" && f("dir") == "out" && !done {
			done = 1
			printf "%s placed +%d ms, answered +%d ms by %s;", id,
				out[id] - from, t - from, f("target")
			for (c in fail)
				printf " %d earlier failed %s;", fail[c], c
			printf "\n"
		}' "$T/far2.log"
}

# Milliseconds, or "-".
ms_or_dash() { echo "${1:--}"; }

# Usage: invite_at PORT -- when the first INVITE from the phone's PORT
# (the call application's 5060, baresip's BX_PORT) since t0 reached
# reg1's link (ms), or "".
invite_at() { wire_first_ms 1 "src=[^ ]*:$1 .*req=INVITE" "$T0"; }

# Usage: call_ms INVITE_MS UP -- UP (ms since t0, "failed" or "") minus
# the INVITE's time since t0; "-" when either is missing.
call_ms() {
	case $2 in
	failed) echo failed ;;
	'') echo - ;;
	*) if [ -n "$1" ]; then echo $(($2 - $1)); else echo -; fi ;;
	esac
}

# The first-call kind, after t0: one call from each caller at t0 +
# FIRST_CALL_MS, none again; until each is set up at a far end, the call
# application's has failed, or the limit.
first_call() {
	local od='' ob='' r_od r_ob d_inv='' b_inv='' end
	while [ "$(now_ms)" -lt $((T0 + FIRST_CALL_MS)) ]; do
		sleep 0.02
	done
	call_place f1 hold=1
	[ -z "$WITH_BX" ] || bx_dial "sip:$FO_FAR_USER@$SIP_DOMAIN"
	end=$(($(now_ms) + FIRST_CALL_LIMIT_S * 1000))
	while [ "$(now_ms)" -lt "$end" ]; do
		read -r r_od r_ob _ <<<"$(far_calls)"
		[ "$r_od" = - ] || od=$r_od
		[ "$r_ob" = - ] || ob=$r_ob
		[ -n "$od" ] || ! ua_has callapp call-fail f1 || od=failed
		[ -n "$od" ] && { [ -z "$WITH_BX" ] || [ -n "$ob" ]; } && break
		sleep 0.2
	done
	d_inv=$(invite_at "$FO_CALL_PORT")
	[ -z "$d_inv" ] || d_inv=$((d_inv - T0))
	diag "sipsteerd: passive_detection=$PASSIVE, keep-alive $KA;" \
		"the call: $(ua_line callapp call-up f1 || :)$(ua_line callapp call-fail f1 || :)"
	diag "sipsteerd: $(out_story "$FO_CALL_USER" | grep . ||
		echo "no call set up at a far end"); INVITE packets at reg1:" \
		"$(wire_count 1 "src=[^ ]*:$FO_CALL_PORT .*req=INVITE" "$T0")"
	# The daemon's hints and failovers, in ms since t0.
	grep -E ': (hint|failover) ' "$T/sipsteerd.log" | head -n 6 |
		while read -r stamp line; do
			echo "# sipsteerd: +$(($(date -d "$stamp" +%s%3N) - T0)) ms" \
				"${line#* }"
		done
	echo "fobench client=sipsteerd kind=first-call$([ "$MODE" = failover ] ||
		echo " mode=$MODE") passive=$PASSIVE" \
		"ka=$KA invite_ms=$(ms_or_dash "$d_inv")" \
		"call_ms=$(call_ms "$d_inv" "$od")"
	[ -n "$WITH_BX" ] || return 0
	b_inv=$(invite_at "$BX_PORT")
	[ -z "$b_inv" ] || b_inv=$((b_inv - T0))
	diag "baresip: $(out_story "$BX_USER" | grep . ||
		echo "no call set up at a far end"); INVITE packets at reg1:" \
		"$(wire_count 1 "src=[^ ]*:$BX_PORT .*req=INVITE" "$T0")"
	echo "fobench client=baresip kind=first-call ka=1" \
		"invite_ms=$(ms_or_dash "$b_inv") call_ms=$(call_ms "$b_inv" "$ob")"
	[ -n "$ob" ] || diag_log baresip 20
}

SECONDS=0
daemon_require || die "no daemon"
# Kamailio on reg1 and reg2 only: nothing here fails the secondary.
FO_KAM="1 2" FO_KAM_OPTS="max_expires=$REG_EXPIRES" fo_start UDP <<-EOF ||
	system/sipsteerd/log_level=info
	voip/signalling/sip/registration_expires=$REG_EXPIRES
	voip/signalling/sip/outgoing_request_no_response_timeout_ms=32000
	voip/signalling/sip/registrar_ka/enabled=$KA
	voip/signalling/sip/registrar_ka/timeout=$BX_KA
	voip/signalling/sip/redundant_proxy/hold_down=30
	voip/signalling/sip/steering/enabled=1
	voip/signalling/sip/steering/passive_detection=$PASSIVE
	voip/signalling/sip/redundant_proxy/mode=$MODE
EOF
	die "topology"
callapp_start udp || die "call application"
# baresip listens on the phone's address on reg1's link.
[ -z "$WITH_BX" ] || bx_start 10.10.1.1 calls || die "baresip"
wait_until 30 kam_aor_has reg1 alice ||
	die "sipsteerd did not register at reg1"
[ -z "$WITH_BX" ] || wait_until 30 kam_aor_has reg1 "$BX_USER" ||
	die "baresip did not register at reg1"
diag "set up in $SECONDS s"
# Both keep-alives are running; break the primary somewhere in their
# cycle.
sleep 2
if [ "$MODE" = concurrent ]; then
	wait_until 30 kam_aor_has reg2 alice ||
		die "sipsteerd has no standby binding at reg2"
else
	kam_aor_none reg2 alice ||
		die "sipsteerd left reg1 before the failure"
fi
[ -z "$WITH_BX" ] || kam_aor_none reg2 "$BX_USER" ||
	die "baresip left reg1 before the failure"

# t0 is taken just before the command that breaks reg1.
case $KIND in
silent | first-call)
	T0=$(now_ms)
	reg_silence 1
	;;
refuse)
	T0=$(now_ms)
	reg_refuse 1
	;;
*)
	die "unknown kind $KIND"
	;;
esac

[ "$KIND" != first-call ] || { first_call; exit 0; }

# Every second a new attempt of each measurement not yet done, until
# all are or the limit.
od='' ob='' id='' ib='' k=0 next=$T0
# Without baresip its two figures are not waited for.
[ -n "$WITH_BX" ] || ob=none ib=none
deadline=$((T0 + LIMIT_S * 1000))
while [ "$(now_ms)" -lt "$deadline" ]; do
	now=$(now_ms)
	if [ "$now" -ge "$next" ]; then
		k=$((k + 1))
		[ -n "$od" ] || call_place "o$k" hold=1
		[ -n "$ob" ] || bx_dial "sip:$FO_FAR_USER@$SIP_DOMAIN"
		[ -n "$id" ] || far_call 2 "ia$k" hold=1
		[ -n "$ib" ] || far_call 2 "ic$k" "$BX_USER" hold=1
		next=$((next + 1000))
		[ "$next" -gt "$now" ] || next=$((now + 1000))
	fi
	read -r r_od r_ob r_id r_ib <<<"$(far_calls)"
	[ "$r_od" = - ] || od=$r_od
	[ "$r_ob" = - ] || ob=$r_ob
	[ "$r_id" = - ] || id=$r_id
	[ "$r_ib" = - ] || ib=$r_ib
	[ -n "$od" ] && [ -n "$ob" ] && [ -n "$id" ] && [ -n "$ib" ] && break
	sleep 0.2
done
diag "$k attempt(s) a second apart, $(( ($(now_ms) - T0) / 1000 )) s after t0"
diag "sipsteerd out: $(out_story "$FO_CALL_USER")"
diag "sipsteerd in: $(in_story ia)"
diag "baresip out: $(out_story "$BX_USER")"
diag "baresip in: $(in_story ic)"
# Where the clients' INVITEs went (what reached each registrar's link):
# the call application's come from port 5060, baresip's from BX_PORT.
for u in "5060 $FO_CALL_USER" "$BX_PORT $BX_USER"; do
	# shellcheck disable=SC2086
	set -- $u
	t=$(wire_first_ms 2 "src=[^ ]*:$1 .*req=INVITE" "$T0")
	diag "$2: INVITE packets at reg1 since t0:" \
		"$(wire_count 1 "src=[^ ]*:$1 .*req=INVITE" "$T0"), the first" \
		"at reg2: $([ -n "$t" ] && echo "+$((t - T0)) ms" || echo none)"
done
# When each line's first authenticated REGISTER reached reg2's Kamailio,
# for comparison with in_ms.
for u in "$FO_CALL_USER" "$BX_USER"; do
	diag "$u: first authenticated REGISTER at reg2: $(awk -v u="$u" -v from="$T0" '
		/REGISTER-IN t=/ && index($0, " user=" u " ") && /auth=Digest/ {
			t = $0; sub(/.*REGISTER-IN t=/, "", t); sub(/ .*/, "", t)
			split(t, p, "."); t = p[1] * 1000 + int(p[2] / 1000)
			if (t >= from) { printf "+%d ms", t - from; exit }
		}' "$T/reg2.log")"
done
echo "fobench client=sipsteerd kind=$TAG out_ms=$(ms_or_dash "$od")" \
	"in_ms=$(ms_or_dash "$id")"
[ -z "$WITH_BX" ] ||
	echo "fobench client=baresip kind=$TAG out_ms=$(ms_or_dash "$ob")" \
		"in_ms=$(ms_or_dash "$ib")"
if [ -z "$od" ] || [ -z "$id" ]; then
	diag_log callapp 10
	grep -i -E 'steering|switch|failover|failed|registered' \
		"$T/sipsteerd.log" | tail -n 20 | sed 's/^/# sipsteerd: /'
fi
if [ -z "$ob" ] || [ -z "$ib" ]; then
	diag_log baresip 20
fi
exit 0
