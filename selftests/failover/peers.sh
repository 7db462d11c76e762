#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The test bed: three registrars in their own namespaces, DNS with
# priorities, the wire recorders and the other process. The daemon
# registers at the priority-1 server; the other process's OPTIONS over
# UDP and TCP reach the primary's SIP port and are answered; a silenced
# registrar still shows what arrives. When these fail, the scenarios'
# failures say nothing about failover.
# shellcheck source=lib.sh disable=SC2016,SC2034
. "$(dirname "$0")/lib.sh"

plan 10
daemon_require || exit 1

fo_start UDP </dev/null
app_start --udp --tcp

check "dnsmasq: NAPTR for UDP and TCP, SRV priorities 1, 2, 3" \
	eval '[ "$(dns_q SRV _sip._udp.example.test | sort | cut -d" " -f1 | tr "\n" " ")" = "1 2 3 " ] &&
		[ "$(dns_q A sip2.example.test)" = 10.10.2.2 ] &&
		dns_q NAPTR example.test | grep -q "SIP+D2T"'
check "the daemon registers at the priority-1 registrar" \
	wait_until 15 kam_aor_has reg1 alice
check "the wire recorder sees the daemon's REGISTERs, untagged" \
	eval 'wire_has 1 "proto=udp src=10.10.1.1:[0-9]+ tag=0 req=REGISTER" &&
		[ "$(wire_count 2 "$W_REG")" -eq 0 ]'
check "the other process's UDP OPTIONS reach reg1 (tagged) and are answered" \
	eval 'wait_until 5 eval "[ \$(app_count \"^udp-reply .*code=200\") -ge 3 ]" &&
		wire_has 1 "proto=udp src=10.10.1.1:7000 tag=1 req=OPTIONS"'
check "its TCP connection reaches reg1 and is answered" \
	eval 'wait_until 5 eval "[ \$(app_count \"^tcp-reply .*code=200\") -ge 3 ]" &&
		wire_has 1 "$W_APP_SYN" && wire_has 1 "$W_APP_TCP_OPT"'
check "only reg1 sees the other process" \
	eval 'sleep 1; app_lands_only 1 "$W_APP_UDP" 0 $(now_ms)'

reg_silence 1
t0=$(now_ms)
sleep 1.5
t1=$(now_ms)
check "silenced: reg1 still receives, nothing answers" \
	eval '[ "$(wire_count 1 "$W_APP_UDP" "$((t0 + 300))" "$t1")" -ge 3 ] &&
		[ "$(app_count "^udp-reply" "$((t0 + 500))" "$t1")" -eq 0 ]'
reg_revive 1
check "revived: answers again" \
	wait_until 5 eval '[ "$(app_count "^udp-reply" "$t1")" -ge 2 ]'

reg_stop 2
# With the daemon's bypass mark (steer.h, STEER_DEFAULT_MARK): the probe
# goes where it is sent, not to the service's target.
refused() {
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_MARK, 0x53495000)
s.settimeout(2)
s.connect((sys.argv[1], 5060))
s.send(b"\r\n\r\n")
try:
    s.recv(1)
except ConnectionRefusedError:
    sys.exit(0)
sys.exit(1)' "$1"
}
check "a stopped registrar refuses: ICMP port unreachable" \
	wait_until 10 refused 10.10.2.2
reg_refuse 1
check "reg_refuse: the same from a running registrar" \
	wait_until 5 refused 10.10.1.2
fo_done
