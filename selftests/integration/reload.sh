#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# SIGHUP re-reads the file: a changed line is un-registered and registered
# again with its new settings, a new line registers, an untouched line is
# left alone, and a broken file changes nothing (the daemon says why).
# At start, a broken file stops the daemon with FILE:LINE: key: why;
# --check-config never shows a password.
. "$(dirname "$0")/lib.sh"

plan 7
daemon_require || exit 1

# Bindings of 60 s: no refresh during the test, so every REGISTER seen
# after the SIGHUP comes from the reload.
kam_start kam udp=5060 tcp=0 max_expires=60 || diag "kamailio did not start"

conf=$T/reload.conf
{
	daemon_proxy 127.0.0.1 5060 UDP
	daemon_line 0 u-keep
	daemon_line 1 u-old
} | daemon_conf "$conf"
daemon_start "$conf" reload
check "two lines registered" \
	wait_until 6 eval 'kam_aor_has kam u-keep && kam_aor_has kam u-old'
pid=$DAEMON_PID
keep_before=$(log_count kam 'REGISTER-IN .*user=u-keep ')

# Line 1 becomes u-new, line 2 appears.
{
	daemon_proxy 127.0.0.1 5060 UDP
	daemon_line 0 u-keep
	daemon_line 1 u-new
	daemon_line 2 u-added
} | daemon_conf "$conf"
kill -HUP "$pid"
check "SIGHUP: the changed line moved from u-old to u-new" \
	wait_until 6 eval 'kam_aor_none kam u-old && kam_aor_has kam u-new'
check "SIGHUP: the new line registered" \
	wait_until 6 kam_aor_has kam u-added
check "SIGHUP: the untouched line was left alone, same process" \
	eval '[ "$(log_count kam "REGISTER-IN .*user=u-keep ")" -eq "$keep_before" ] &&
		kam_aor_has kam u-keep && pid_alive "$pid"'

# A broken file: logged as FILE:LINE, nothing changes.
echo "voip/signalling/sip/proxy_port=70000" >>"$conf"
before=$(kam_registers kam)
kill -HUP "$pid"
sleep 1
check "SIGHUP with a bad value: logged, old configuration kept" \
	eval 'pid_alive "$pid" && log_has reload "reload.conf:[0-9]+: voip/signalling/sip/proxy_port" &&
		[ "$(kam_registers kam)" -eq "$before" ] &&
		kam_aor_has kam u-keep && kam_aor_has kam u-new &&
		kam_aor_has kam u-added'
daemon_stop

# At start: exit status 2 and one FILE:LINE message per problem.
{
	daemon_proxy 127.0.0.1 5060 SCTP
	daemon_line 0 u-bad
} | daemon_conf "$T/bad.conf"
line=$(grep -n 'transport_protocol=SCTP' "$T/bad.conf" | cut -d: -f1)
"$SIPSTEERD" --config "$T/bad.conf" --socket "$T/bad.sock" \
	>"$T/bad.log" 2>&1 </dev/null &
IT_PIDS+=("$!")
bad_pid=$!
rc=
wait_until 3 eval '! pid_alive $bad_pid' && { wait "$bad_pid"; rc=$?; }
check "a bad value at start: exit 2, \"FILE:LINE: key: why\"" \
	eval '[ "$rc" = 2 ] &&
		log_has bad "bad\.conf:$line: voip/signalling/sip/transport_protocol: .*SCTP"'

{ daemon_proxy 127.0.0.1 5060 UDP; daemon_line 0 u-check; } |
	daemon_conf "$T/check.conf"
"$SIPSTEERD" --check-config --config "$T/check.conf" >"$T/check.log" 2>&1 \
	</dev/null
rc=$?
check "--check-config: valid, passwords masked" \
	eval '[ "$rc" = 0 ] && log_has check "auth_password" &&
		! log_has check "$KAM_PASSWORD"'
