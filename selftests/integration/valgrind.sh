#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The daemon under valgrind: register (through NAPTR/SRV over UDP, and
# directly over TLS), refresh twice (Kamailio grants 5 s), un-register on
# SIGTERM. No memory error, no leak (definite, indirect or possible).
# Then the failure paths: a silent first server (retransmissions, Timer
# F, failover, concurrent mode's standby slot) and a TLS certificate
# refused, both ended by SIGTERM.
. "$(dirname "$0")/lib.sh"

plan 6
daemon_require || exit 1

pki_make || diag "certtool failed"
kam_start kam udp=5060 tcp=0 tls=5061 tls_wrong=5062 min_expires=5 \
	max_expires=5 ||
	diag "kamailio did not start"
dns_start --local-ttl=60 \
	--naptr-record=example.test,10,10,S,SIP+D2U,,_sip._udp.example.test \
	--srv-host=_sip._udp.example.test,sip1.example.test,5060,1,10 \
	--host-record=sip1.example.test,127.0.0.1 \
	--naptr-record=fo.example.test,10,10,S,SIP+D2U,,_sip._udp.fo.example.test \
	--srv-host=_sip._udp.fo.example.test,sip1.example.test,5070,1,10 \
	--srv-host=_sip._udp.fo.example.test,sip1.example.test,5060,2,10 \
	--host-record=example.test,127.0.0.1 || diag "dnsmasq did not start"
sipp_start silent srv_silent.xml 127.0.0.1 5070 udp || diag "sipp did not start"

VG_ERR=97

# Usage: vg_start USER HOST PORT TRANSPORT [extra config lines]
vg_start() {
	local user=$1
	{
		daemon_proxy "$2" "$3" "$4"
		daemon_line 0 "$user"
		[ -z "${5:-}" ] || echo "$5"
	} | daemon_conf "$T/$user.conf"
	daemon_start "$T/$user.conf" "$user" valgrind -q --leak-check=full \
		--errors-for-leak-kinds=definite,indirect,possible \
		--show-leak-kinds=definite,indirect,possible \
		--error-exitcode=$VG_ERR --track-fds=no \
		--log-file="$T/$user.valgrind.log"
}

# Usage: vg_clean NAME USER -- the run ended well and valgrind is silent.
vg_clean() {
	local vlog=$T/$2.valgrind.log
	if [ "${DAEMON_RC:-x}" = 0 ] && [ -f "$vlog" ] && [ ! -s "$vlog" ]; then
		ok "$1: valgrind finds no error and no leak"
	else
		not_ok "$1: valgrind finds no error and no leak"
		diag "exit status ${DAEMON_RC:-none}"
		head -n 40 "$vlog" 2>/dev/null | sed -e 's/^/# valgrind: /'
	fi
}

# Usage: vg_case NAME USER HOST PORT TRANSPORT
vg_case() {
	local name=$1 user=$2
	vg_start "$user" "$3" "$4" "$5"
	# Initial registration and two refreshes of the 5 s binding.
	wait_until 25 eval '[ "$(log_count kam "REGISTER-SAVED user=$user ")" -ge 3 ]'
	local saved
	saved=$(log_count kam "REGISTER-SAVED user=$user ")
	daemon_stop_timed 15
	diag "$user: $saved registrations, exit status ${DAEMON_RC:-none} after ${DAEMON_STOP_MS} ms"
	if [ "$saved" -ge 3 ] && kam_aor_none kam "$user"; then
		ok "$name: registered, refreshed twice, un-registered"
	else
		not_ok "$name: registered, refreshed twice, un-registered"
		diag_log "$user"
	fi
	# Only a run that did the work counts as clean.
	if [ "$saved" -ge 3 ]; then
		vg_clean "$name" "$user"
	else
		not_ok "$name: valgrind finds no error and no leak"
	fi
}

vg_case "valgrind, UDP via NAPTR/SRV" u-vg-udp example.test 65535 UDP
vg_case "valgrind, TLS" u-vg-tls example.test 5061 TLS

# Failure paths, both daemons at once: a first server that never
# answers (Timer F 1 s), then registered at the second (in concurrent
# mode: the silent one's standby slot waits for its backoff); and a
# refused certificate.
vg_start u-vg-fo fo.example.test 65535 UDP \
	"voip/signalling/sip/outgoing_request_no_response_timeout_ms=1000
voip/signalling/sip/redundant_proxy/mode=concurrent"
vg_start u-vg-bad example.test 5062 TLS
wait_until 20 eval 'kam_aor_has kam u-vg-fo && log_event u-vg-bad "certificate.*wrong\.test"'
daemon_select u-vg-bad
bad_refused=0
log_event u-vg-bad "certificate.*wrong\.test" && bad_refused=1
daemon_stop_timed 15
bad_rc=$DAEMON_RC
daemon_select u-vg-fo
fo_done=0
[ "$(sipp_registers silent)" -ge 2 ] && kam_aor_has kam u-vg-fo && fo_done=1
daemon_stop_timed 15
diag "failover run: silent server saw $(sipp_registers silent) copies; status $DAEMON_RC; TLS refusal seen: $bad_refused, status $bad_rc"
if [ $fo_done = 1 ] && [ $bad_refused = 1 ]; then
	vg_clean "valgrind, failover after no answer" u-vg-fo
	DAEMON_RC=$bad_rc
	vg_clean "valgrind, TLS certificate refused" u-vg-bad
else
	not_ok "valgrind, failover after no answer: valgrind finds no error and no leak"
	not_ok "valgrind, TLS certificate refused: valgrind finds no error and no leak"
	diag_log u-vg-fo
	diag_log u-vg-bad
fi
