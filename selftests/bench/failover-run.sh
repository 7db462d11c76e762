#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One run of the failover outage benchmark (selftests/bench/failover.sh),
# on a fresh topology of selftests/failover/lib.sh: three registrars
# found through NAPTR/SRV, sipsteerd (line alice) with steering and the
# "other process", and optionally baresip (bob) beside them. The primary
# is broken KIND's way; then, from t0 (just before the command that
# breaks it), the wire recorder at reg2 tells:
#   (a) reg_ms: when the REGISTER that created the client's binding at
#       reg2 arrived there (Kamailio's location table confirms it);
#   (b) udp_ms: when the other process's first datagram (its OPTIONS
#       over UDP to reg1's address, every 100 ms) arrived at reg2.
#
# usage: failover-run.sh KIND TIMEOUT_MS CLIENT...
#   KIND: silent (reg1 drops everything), refuse (its Kamailio is gone:
#   ICMP port unreachable, TCP RST) or 503 (a SIP server answering every
#   request with 503).
#   TIMEOUT_MS: sipsteerd's outgoing_request_no_response_timeout_ms.
#   CLIENT: the clients waited for, sipsteerd (with the other process),
#   baresip or both; sipsteerd runs in every case (same topology).
# Prints one line per client:
#   fobench client=sipsteerd kind=K timeout_ms=N reg_ms=N udp_ms=N
#   fobench client=baresip kind=K reg_ms=N
# ("-": not seen within FOBENCH_LIMIT_S, default 240 s).
# shellcheck source=SCRIPTDIR/fobench.sh
. "$(dirname "$0")/fobench.sh"

KIND=$1
TIMEOUT_MS=$2
shift 2
WITH_D='' WITH_BX=''
for c in "$@"; do
	case $c in
	sipsteerd) WITH_D=1 ;;
	baresip) WITH_BX=1 ;;
	*) echo "fobench error: unknown client $c"; exit 1 ;;
	esac
done
LIMIT_S=${FOBENCH_LIMIT_S:-240}
# The same registration interval for both clients (sipsteerd's and
# baresip's default), so only the keep-alives find a dead server early.
REG_EXPIRES=3600

# Usage: reg2_register_ms sipsteerd|baresip UNTIL_MS -- arrival at reg2
# of the client's last REGISTER before UNTIL_MS, the one whose binding
# Kamailio holds. baresip's come from BX_PORT, sipsteerd's from others.
reg2_register_ms() {
	local inv=-v
	[ "$1" = baresip ] && inv=
	wire_lines 2 'tag=0 .*req=REGISTER' "$T0" "$(($2 + 1))" |
		grep $inv -- ":$BX_PORT " | tail -n 1 |
		sed 's/^t=\([0-9]*\).*/\1/'
}

# Milliseconds from t0, or "-".
since_t0() {
	if [ -n "$1" ]; then echo $(($1 - T0)); else echo -; fi
}

SECONDS=0
daemon_require || die "no daemon"
# Kamailio on reg1 and reg2 only: nothing here fails the secondary.
FO_KAM="1 2" FO_KAM_OPTS="max_expires=$REG_EXPIRES" fo_start UDP <<-EOF ||
	system/sipsteerd/log_level=info
	voip/signalling/sip/registration_expires=$REG_EXPIRES
	voip/signalling/sip/outgoing_request_no_response_timeout_ms=$TIMEOUT_MS
	voip/signalling/sip/registrar_ka/enabled=1
	voip/signalling/sip/registrar_ka/timeout=$BX_KA
	voip/signalling/sip/redundant_proxy/hold_down=30
	voip/signalling/sip/steering/enabled=1
EOF
	die "topology"
# A dead registrar answers every datagram with ICMP port unreachable:
# without the kernel's per-host rate limit (1/s, burst 6), which the
# other process's datagrams to it would otherwise use up.
for i in 1 2; do
	ip netns exec "reg$i" sysctl -qw net.ipv4.icmp_ratelimit=0
done
[ -z "$WITH_D" ] || app_start --udp --interval 100 || die "other process"
# baresip listens on the phone's address on reg1's link.
[ -z "$WITH_BX" ] || bx_start 10.10.1.1 || die "baresip"

if [ -n "$WITH_D" ]; then
	wait_until 30 kam_aor_has reg1 alice ||
		die "sipsteerd did not register at reg1"
	wait_until 10 wire_has 1 "$W_APP_UDP" ||
		die "the other process is not at reg1"
fi
[ -z "$WITH_BX" ] || wait_until 30 kam_aor_has reg1 "$BX_USER" ||
	die "baresip did not register at reg1"
diag "set up in $SECONDS s"
# Both keep-alives are running (baresip's first STUN request goes out
# with the 200); break the primary somewhere in their cycle.
sleep 2
# Nobody may have left reg1 yet.
kam_aor_none reg2 alice || die "sipsteerd left reg1 before the failure"
[ -z "$WITH_BX" ] || kam_aor_none reg2 "$BX_USER" ||
	die "baresip left reg1 before the failure"

# t0 is taken just before the command that breaks reg1: Kamailio closes
# its sockets before its process is reaped.
case $KIND in
silent)
	T0=$(now_ms)
	reg_silence 1
	;;
refuse)
	T0=$(now_ms)
	reg_stop 1
	;;
503)
	# Silent while Kamailio makes way for sipp, so nothing meets a
	# closed port; from t0 on, what the clients see is a 503 server.
	reg_silence 1
	reg_stop 1
	reg_sipp 1 busy ../../bench/sipp/srv_503_any.xml \
		-key retry_after 60 || die "sipp"
	T0=$(now_ms)
	reg_revive 1
	;;
*)
	die "unknown kind $KIND"
	;;
esac

# Until every client is registered at reg2 and the other process's
# traffic is there, or the limit.
d_done='' b_done='' udp=''
deadline=$((T0 + LIMIT_S * 1000))
while [ "$(now_ms)" -lt "$deadline" ]; do
	if [ -n "$WITH_D" ]; then
		[ -n "$d_done" ] || ! kam_aor_has reg2 alice ||
			d_done=$(now_ms)
		[ -n "$udp" ] || udp=$(wire_first_ms 2 "$W_APP_UDP" "$T0")
	fi
	if [ -n "$WITH_BX" ] && [ -z "$b_done" ] &&
	   kam_aor_has reg2 "$BX_USER"; then
		b_done=$(now_ms)
	fi
	{ [ -z "$WITH_D" ] || { [ -n "$d_done" ] && [ -n "$udp" ]; }; } &&
		{ [ -z "$WITH_BX" ] || [ -n "$b_done" ]; } && break
	sleep 0.2
done

d_reg='' b_reg=''
[ -z "$d_done" ] || d_reg=$(reg2_register_ms sipsteerd "$d_done")
[ -z "$b_done" ] || b_reg=$(reg2_register_ms baresip "$b_done")
if [ -n "$WITH_D" ]; then
	echo "fobench client=sipsteerd kind=$KIND timeout_ms=$TIMEOUT_MS" \
		"reg_ms=$(since_t0 "$d_reg") udp_ms=$(since_t0 "$udp")"
	[ -n "$d_done" ] || diag "sipsteerd did not register at reg2"
	if [ -z "$d_done" ] || [ -z "$udp" ]; then
		diag_log app 5
		# (not "steer": the program's name is in every line)
		grep -i -E 'steering|switch|failover|failed|registered' \
			"$T/sipsteerd.log" | tail -n 20 | sed 's/^/# sipsteerd: /'
		! command -v sipsteer >/dev/null ||
			diag "module: $(sipsteer -j show 2>&1 | tr -d '\n' |
				cut -c1-600)"
	fi
fi
if [ -n "$WITH_BX" ]; then
	echo "fobench client=baresip kind=$KIND reg_ms=$(since_t0 "$b_reg")"
	[ -n "$b_done" ] || diag_log baresip 20
fi
exit 0
