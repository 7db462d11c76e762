#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# RFC 5626 outbound against two Kamailio registrars sharing one location
# database (usrloc on one SQLite file, db_mode 3, bindings matched by
# +sip.instance and reg-id): each server's flow has a reg-id of its own,
# so after a failover and after a failback the un-REGISTER at the old
# server removes only that server's binding and the new one stands; the
# +sip.instance is the one stored in instance_uuid_file and a restarted
# daemon registers with the same one. In concurrent mode both servers
# hold the line's binding in that database at once (reg-ids 1 and 2); a
# failover to the standby leaves its binding alone, and after the
# failback both stand again. And a registrar that supports
# outbound with a Flow-Timer: the line keeps its flow alive at that pace,
# though no keep-alive is configured.
# shellcheck source=lib.sh disable=SC2016,SC2034 # used in eval strings
. "$(dirname "$0")/lib.sh"

plan 10
daemon_require || exit 1

DB=$T/location.sqlite
kam_db_make "$DB" || diag "cannot make the location database"
kam_start kam1 udp=5060 tcp=0 max_expires=60 db="$DB" busy=1 ||
	diag "kamailio kam1 did not start"
kam_start kam2 udp=5062 tcp=0 max_expires=60 db="$DB" ||
	diag "kamailio kam2 did not start"
dns_start --local-ttl=60 \
	--srv-host=_sip._udp.ob.example.test,kam1.example.test,5060,1,10 \
	--srv-host=_sip._udp.ob.example.test,kam2.example.test,5062,2,10 \
	--host-record=kam1.example.test,127.0.0.1 \
	--host-record=kam2.example.test,127.0.0.1 || diag "dnsmasq did not start"

# Bindings of 60 s (refreshes after 30 s at the earliest): every move
# below is the keep-alive's or the failback's.
{
	daemon_proxy ob.example.test 65535 UDP
	daemon_line 0 u-ob
	echo "voip/signalling/sip/outbound_rfc5626=1"
	echo "voip/signalling/sip/registration_expires=60"
	echo "voip/signalling/sip/redundant_proxy/failback_retry_timeout=5"
	echo "voip/signalling/sip/redundant_proxy/failback_probes=1"
	echo "voip/signalling/sip/redundant_proxy/hold_down=1"
	echo "voip/signalling/sip/registrar_ka/enabled=1"
	echo "voip/signalling/sip/registrar_ka/timeout=5"
} | daemon_conf "$T/ob.conf"

bindings() {
	kam_db_bindings "$DB" u-ob
}

no_bindings() {
	[ -z "$(bindings)" ]
}

# Usage: bindings_are "REG_ID PORT" ... -- exactly these bindings, each
# with the stored instance.
bindings_are() {
	local want='' got inst b
	inst="<urn:uuid:$(cat "$T/instance_uuid" 2>/dev/null)>"
	for b in "$@"; do
		want="$want${b% *} udp:127.0.0.1:${b#* } $inst"$'\n'
	done
	got=$(bindings)
	[ "$got"$'\n' = "$want" ]
}

daemon_start "$T/ob.conf" ob
if wait_until 10 bindings_are "1 5060"; then
	ok "registered at the primary: reg-id 1, the instance stored in instance_uuid_file"
else
	not_ok "registered at the primary: reg-id 1, the instance stored in instance_uuid_file"
	diag "bindings: $(bindings | tr '\n' ';') file: $(cat "$T/instance_uuid" 2>&1)"
fi
first_instance=$(cat "$T/instance_uuid" 2>/dev/null)

# The primary answers 503 to the keep-alive's OPTIONS (and to REGISTER)
# but still takes the un-REGISTER: the line moves to the secondary with
# reg-id 2, then un-registers reg-id 1 at the primary.
t0=$(now_ms)
kam_busy kam1 1
if wait_until 15 eval 'bindings_are "2 5062" &&
		log_has kam1 "REGISTER-SAVED user=u-ob expires=0"'; then
	ok "failover: the primary's un-REGISTER removed its own binding, the secondary's stands"
	diag "busy -> bindings moved: $(($(now_ms) - t0)) ms"
else
	not_ok "failover: the primary's un-REGISTER removed its own binding, the secondary's stands"
	diag "bindings: $(bindings | tr '\n' ';')"
fi
check "failover: the secondary got reg-id 2 and the same instance" \
	log_has kam2 "REGISTER-IN .*user=u-ob .*reg-id=2;\+sip.instance=\"<urn:uuid:$first_instance>\""

# The primary answers again: the next probe brings the line back with
# reg-id 1; the un-REGISTER at the secondary removes reg-id 2 only.
kam_busy kam1 0
if wait_until 15 eval 'bindings_are "1 5060" &&
		log_has kam2 "REGISTER-SAVED user=u-ob expires=0"'; then
	ok "failback: the secondary's un-REGISTER removed its own binding, the primary's stands"
else
	not_ok "failback: the secondary's un-REGISTER removed its own binding, the primary's stands"
	diag "bindings: $(bindings | tr '\n' ';')"
fi
# Still so a moment later: no late un-REGISTER took the binding away.
sleep 1
check "failback: one binding, the primary's, a second later" \
	bindings_are "1 5060"

# A restart: SIGTERM un-registers, the new daemon reads the stored UUID.
daemon_stop
wait_until 5 no_bindings
daemon_start "$T/ob.conf" ob2
if wait_until 10 bindings_are "1 5060" &&
	[ -n "$first_instance" ] &&
	[ "$(cat "$T/instance_uuid")" = "$first_instance" ]; then
	ok "restarted daemon: the same +sip.instance"
else
	not_ok "restarted daemon: the same +sip.instance"
	diag "bindings: $(bindings | tr '\n' ';') first: $first_instance"
fi
daemon_stop
wait_until 5 no_bindings

# Concurrent mode: the line stands at both servers, each binding with
# its own flow's reg-id, in the one database.
{
	cat "$T/ob.conf"
	echo "voip/signalling/sip/redundant_proxy/mode=concurrent"
} >"$T/cc.conf"
daemon_start "$T/cc.conf" cc
check "concurrent: both servers hold the line's binding, reg-ids 1 and 2, one instance" \
	wait_until 10 bindings_are "1 5060" "2 5062"
# The primary answers 503: the lines switch to the standby, which gets
# no REGISTER; the primary's un-REGISTER removes reg-id 1 only.
n2=$(log_count kam2 "REGISTER-IN .*user=u-ob ")
kam_busy kam1 1
check "concurrent failover: to the standby with no REGISTER there, its binding stands" \
	eval 'wait_until 15 bindings_are "2 5062" &&
		log_has cc "to the standby, no REGISTER" &&
		[ "$(log_count kam2 "REGISTER-IN .*user=u-ob ")" -eq "$n2" ]'
kam_busy kam1 0
if wait_until 20 eval 'bindings_are "1 5060" "2 5062" &&
		log_has cc "failback .*to the standby, no REGISTER"'; then
	sleep 1
	check "concurrent failback: both bindings stand, a second later too" \
		bindings_are "1 5060" "2 5062"
else
	not_ok "concurrent failback: both bindings stand, a second later too"
	diag "bindings: $(bindings | tr '\n' ';')"
fi
daemon_stop

# Kamailio with outbound_mode 1 and a Flow-Timer of 5 s: "Require:
# outbound" in the 2xx, so CRLF pings on the TCP flow every 4..5 s (80 to
# 100 % of it), with registrar_ka off, each answered by a pong.
kam_start kam3 udp=0 tcp=5064 max_expires=60 flow_timer=5 ||
	diag "kamailio kam3 did not start"
{
	daemon_proxy 127.0.0.1 5064 TCP
	daemon_line 0 u-ft
	echo "voip/signalling/sip/outbound_rfc5626=1"
	echo "voip/signalling/sip/registration_expires=60"
} | daemon_conf "$T/ft.conf"
daemon_start "$T/ft.conf" ft
wait_log ft "line 0: registered" 10
sleep 11
daemon_stop
# Seconds from the registration to each ping, from the daemon's log.
ping_times() {
	grep -E "info: line 0: registered|keep-alive \(CRLF ping\)" "$T/ft.log" |
		sed -n 's/^[0-9-]*T\([0-9]*\):\([0-9]*\):\([0-9.]*\)Z.*/\1 \2 \3/p' |
		awk '{ t = $1 * 3600 + $2 * 60 + $3 }
			NR == 1 { t0 = t; next }
			{ printf "%.1f ", t - t0 }'
}
times=$(ping_times)
diag "CRLF pings at (s after registering): $times; pongs: $(log_count ft "keep-alive answered")"
paced() {
	echo "$times" | awk '{ if (NF < 2) exit 1
		for (i = 1; i <= NF; i++) {
			d = $i - (i > 1 ? $(i - 1) : 0)
			if (d < 3.9 || d > 5.3) exit 1
		} }'
}
check "outbound negotiated: the flow kept alive every 4..5 s (Flow-Timer 5), no keep-alive configured, every ping answered" \
	eval 'paced && [ "$(log_count ft "keep-alive answered")" -eq "$(log_count ft "keep-alive \(CRLF ping\)")" ]'
