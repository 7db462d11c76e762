#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# SIGTERM un-registers every line (REGISTER with Expires: 0, so the
# registrar forgets the contacts) and the daemon exits, status 0, within
# 2 s; also when the server no longer answers.
. "$(dirname "$0")/lib.sh"

plan 7
daemon_require || exit 1

kam_start kam udp=5060 tcp=5060 || diag "kamailio did not start"
sipp_start silent srv_silent.xml 127.0.0.1 5070 udp || diag "sipp did not start"

# Two lines over TCP.
{
	daemon_proxy 127.0.0.1 5060 TCP
	daemon_line 0 u-term0
	daemon_line 1 u-term1
} | daemon_conf "$T/term.conf"
daemon_start "$T/term.conf" term
# Every later case needs this one: what SIGTERM does to a registered,
# running daemon.
registered=0
wait_until 8 eval 'kam_aor_has kam u-term0 && kam_aor_has kam u-term1 &&
	daemon_state_is registered 0 && daemon_state_is registered 1' &&
	registered=1
check "two lines registered over TCP" test $registered = 1
daemon_stop_timed
diag "SIGTERM -> exit: $DAEMON_STOP_MS ms, status ${DAEMON_RC:-?}"
check "SIGTERM: exit within 2 s, status 0" \
	eval '[ $registered = 1 ] && [ "$DAEMON_STOP_MS" != timeout ] &&
		[ "$DAEMON_STOP_MS" -le 2000 ] && [ "$DAEMON_RC" -eq 0 ]'
check "SIGTERM: the registrar shows no contact for either line" \
	eval '[ $registered = 1 ] && kam_aor_none kam u-term0 &&
		kam_aor_none kam u-term1'
check "SIGTERM: each line sent REGISTER with Expires 0" \
	eval 'log_has kam "REGISTER-IN .*user=u-term0 .*(expires=0|;expires=0)" &&
		log_has kam "REGISTER-IN .*user=u-term1 .*(expires=0|;expires=0)"'

# A server that does not answer must not hold the exit: a REGISTER to
# the silent sipp is still in flight when SIGTERM comes.
{
	daemon_proxy 127.0.0.1 5070 UDP
	daemon_line 0 u-hang
	echo "voip/signalling/sip/outgoing_request_no_response_timeout_ms=30000"
} | daemon_conf "$T/hang.conf"
daemon_start "$T/hang.conf" hang
in_flight=0
wait_until 5 eval '[ $(sipp_registers silent) -ge 1 ]' &&
	daemon_state_is registering && in_flight=1
check "a REGISTER to the silent server is in flight" test $in_flight = 1
daemon_stop_timed
diag "SIGTERM with a REGISTER in flight -> exit: $DAEMON_STOP_MS ms"
check "SIGTERM with a silent server: exit within 2 s" \
	eval '[ $in_flight = 1 ] && [ "$DAEMON_STOP_MS" != timeout ] &&
		[ "$DAEMON_STOP_MS" -le 2000 ]'
check "SIGTERM with a silent server: exit status 0" \
	eval '[ $in_flight = 1 ] && [ "${DAEMON_RC:-1}" -eq 0 ]'
