#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Digest authentication: a refused password is reported once and retried
# at the configured rhythm, never in a loop; a server offering SHA-256
# before MD5 (and an unknown algorithm before both) gets a SHA-256 answer,
# checked by sipp's scenario and, for the hash itself, by Kamailio; a
# SHA-512-256-only server and a 407 Proxy-Authenticate are answered.
. "$(dirname "$0")/lib.sh"

plan 8
daemon_require || exit 1

kam_start kam udp=5060 tcp=0 || diag "kamailio did not start"
kam_start kam256 udp=5062 tcp=0 algo=SHA-256 ||
	diag "kamailio (SHA-256) did not start"
kam_start kam407 udp=5063 tcp=0 auth=proxy ||
	diag "kamailio (407) did not start"
sipp_start sha srv_sha256.xml 127.0.0.1 5070 udp -key expires 10 ||
	diag "sipp did not start"
sipp_start sha512 srv_sha512.xml 127.0.0.1 5071 udp -key expires 10 ||
	diag "sipp did not start"

# Wrong password, registration_failed_timeout=10 s.
{
	daemon_proxy 127.0.0.1 5060 UDP
	daemon_line 0 u-wrong not-the-password
	echo "voip/signalling/sip/registration_failed_timeout=10"
} | daemon_conf "$T/wrong.conf"
t0=$(now_ms)
daemon_start "$T/wrong.conf" wrong
wait_until 5 eval '[ "$(log_count kam AUTH-CHALLENGE)" -ge 2 ]'
# An error line that names the cause, without the password.
wrong_logged() {
	wait_until 3 log_event wrong \
		'(ERROR|error).*(authentication|credential|password|40[13]|Unauthorized|Forbidden).*(u-wrong|realm)|(ERROR|error).*(u-wrong|realm).*(authentication|credential|password|40[13]|Unauthorized|Forbidden)' &&
		! log_has wrong 'not-the-password'
}
check "wrong password: a clear error in the log, no password" wrong_logged

# One attempt is the REGISTER and its authenticated retry: 2 requests.
# Until registration_failed_timeout is over (minus 1 s for jitter), no
# more than that (3 allows one stale-nonce retry).
sleep_until_ms() {
	local left=$(($1 - $(now_ms)))
	[ "$left" -le 0 ] || sleep "$((left / 1000)).$(printf %03d $((left % 1000)))"
}
sleep_until_ms $((t0 + 9000))
n_early=$(kam_registers kam)
diag "REGISTERs in the first 9 s: $n_early"
check "wrong password: at most one attempt within registration_failed_timeout" \
	test "$n_early" -ge 2 -a "$n_early" -le 3
check "wrong password: the daemon keeps running" daemon_alive
# By 22 s a second round has come (RFC 5626 backoff after one failed
# round: 10..20 s, plus 2 requests), a third at most: a rhythm, not a loop
# and not a give-up.
sleep_until_ms $((t0 + 22000))
n_late=$(kam_registers kam)
diag "REGISTERs in 22 s: $n_late"
# Rounds start with an unauthenticated REGISTER: their spacing is the
# retry rhythm (50..100 % of 2 x registration_failed_timeout).
round_gaps() {
	grep "REGISTER-IN .*user=u-wrong .*auth=<null>" "$T/kam.log" |
		sed -n 's/.*REGISTER-IN t=\([0-9]*\)\.\([0-9]\{3\}\).*/\1\2/p' |
		awk 'NR > 1 { printf "%d ", $1 - prev } { prev = $1 }'
}
gaps=$(round_gaps)
diag "gaps between rounds (ms): $gaps"
rhythm_ok() {
	local g
	[ -n "$gaps" ] || return 1
	for g in $gaps; do
		[ "$g" -ge 9000 ] && [ "$g" -le 21000 ] || return 1
	done
	[ "$n_late" -le 6 ]
}
check "wrong password: retried after 10..20 s (backoff from registration_failed_timeout)" \
	rhythm_ok
kam_aor_none kam u-wrong || diag "u-wrong registered with a wrong password?"
daemon_stop

# SHA-256 offered second after an unknown algorithm, MD5 third.
{
	daemon_proxy 127.0.0.1 5070 UDP
	daemon_line 0 sha-user
} | daemon_conf "$T/sha.conf"
daemon_start "$T/sha.conf" sha-daemon
sha_answered() {
	wait_until 6 log_has sha.actions SHA256-AUTH-OK &&
		wait_until 3 eval '[ "$(sipp_transactions sha)" -ge 2 ]' &&
		wait_until 3 daemon_state_is registered
}
if sha_answered; then
	ok "challenge AKAv1-MD5, SHA-256, MD5: answered with SHA-256"
else
	not_ok "challenge AKAv1-MD5, SHA-256, MD5: answered with SHA-256"
	grep -h -A3 -i 'ereg\|regexp\|check' "$T/sha.err.log" 2>/dev/null |
		head -n 5 | sed -e 's/^/# sipp: /'
	grep -i '^Authorization' "$T/sha.log" | head -n 2 | sed -e 's/^/# /'
	diag_log sha-daemon
fi
daemon_stop

# Kamailio computes the SHA-256 digest itself: a wrong hash is refused.
{
	daemon_proxy 127.0.0.1 5062 UDP
	daemon_line 0 u-sha256
} | daemon_conf "$T/sha256.conf"
daemon_start "$T/sha256.conf" sha256-daemon
check "Kamailio with algorithm=SHA-256 accepts the digest" \
	eval 'wait_until 6 kam_aor_has kam256 u-sha256 &&
		log_has kam256 "REGISTER-IN .*user=u-sha256 .*algorithm=SHA-256"'
daemon_stop

# SHA-512-256 alone.
{
	daemon_proxy 127.0.0.1 5071 UDP
	daemon_line 0 sha-user
} | daemon_conf "$T/sha512.conf"
daemon_start "$T/sha512.conf" sha512-daemon
check "challenge SHA-512-256 only: answered with SHA-512-256" \
	eval 'wait_until 6 log_has sha512.actions SHA512-AUTH-OK &&
		wait_until 3 daemon_state_is registered'
daemon_stop

# 407 Proxy-Authenticate -> Proxy-Authorization, verified by Kamailio.
{
	daemon_proxy 127.0.0.1 5063 UDP
	daemon_line 0 u-407
} | daemon_conf "$T/407.conf"
daemon_start "$T/407.conf" 407-daemon
check "407 Proxy-Authenticate: answered, Kamailio accepts" \
	eval 'wait_until 6 kam_aor_has kam407 u-407 &&
		log_has kam407 "AUTH-CHALLENGE"'
daemon_stop
