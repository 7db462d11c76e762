#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The daemon under valgrind: register (through NAPTR/SRV over UDP, and
# directly over TLS), refresh twice (Kamailio grants 5 s), un-register on
# SIGTERM. No memory error, no leak (definite, indirect or possible).
. "$(dirname "$0")/lib.sh"

plan 4
daemon_require || exit 1

pki_make || diag "certtool failed"
kam_start kam udp=5060 tcp=0 tls=5061 min_expires=5 max_expires=5 ||
	diag "kamailio did not start"
dns_start --local-ttl=60 \
	--naptr-record=example.test,10,10,S,SIP+D2U,,_sip._udp.example.test \
	--srv-host=_sip._udp.example.test,sip1.example.test,5060,1,10 \
	--host-record=sip1.example.test,127.0.0.1 \
	--host-record=example.test,127.0.0.1 || diag "dnsmasq did not start"

VG_ERR=97

# Usage: vg_case NAME USER HOST PORT TRANSPORT
vg_case() {
	local name=$1 user=$2 vlog=$T/$2.valgrind.log
	{ daemon_proxy "$3" "$4" "$5"; daemon_line 0 "$user"; } |
		daemon_conf "$T/$user.conf"
	daemon_start "$T/$user.conf" "$user" valgrind -q --leak-check=full \
		--errors-for-leak-kinds=definite,indirect,possible \
		--show-leak-kinds=definite,indirect,possible \
		--error-exitcode=$VG_ERR --track-fds=no --log-file="$vlog"
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
	if [ "$saved" -ge 3 ] && [ "${DAEMON_RC:-x}" = 0 ] && [ -f "$vlog" ] &&
	   [ ! -s "$vlog" ]; then
		ok "$name: valgrind finds no error and no leak"
	else
		not_ok "$name: valgrind finds no error and no leak"
		head -n 40 "$vlog" 2>/dev/null | sed -e 's/^/# valgrind: /'
	fi
}

vg_case "valgrind, UDP via NAPTR/SRV" u-vg-udp example.test 65535 UDP
vg_case "valgrind, TLS" u-vg-tls example.test 5061 TLS
