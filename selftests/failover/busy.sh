#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 503 with Retry-After: reg1 (sipp) answers every REGISTER with 503,
# Retry-After: 15. The phone moves to reg2 at once, and reg1 hears
# nothing from the daemon (no REGISTER, no failback probe) until the
# Retry-After has passed; failback probes (every 5 s) resume after it.
# A server that answers 503 is alive and draining: the other process's
# traffic to it is not steered, so its calls in progress there go on.
# shellcheck source=lib.sh disable=SC2016,SC2034
. "$(dirname "$0")/lib.sh"

RA=15
plan 9
daemon_require || exit 1
reg_sipp 1 busy srv_503.xml -key retry_after "$RA" ||
	diag "sipp busy did not start"
FO_KAM=2 fo_start UDP <<-EOF
	voip/signalling/sip/outgoing_request_no_response_timeout_ms=32000
	voip/signalling/sip/redundant_proxy/failback_retry_timeout=5
	voip/signalling/sip/redundant_proxy/failback_probes=1
	voip/signalling/sip/redundant_proxy/hold_down=1
EOF
app_start --udp
check "the first REGISTER goes to reg1, which answers 503" \
	eval 'wait_wire 10 1 "$W_REG" && wait_until 5 log_has busy "^SIP/2.0 503"'
t_req=$(wire_first_ms 1 "$W_REG")
wait_until 5 wire_has 2 "$W_REG"
t_2=$(wire_first_ms 2 "$W_REG")
gap=$(( ${t_2:-0} - ${t_req:-0} ))
diag "503 at reg1 -> REGISTER at reg2: $gap ms"
check "503: reg2 at once (under 1 s, the timeout is 32 s)" \
	test -n "$t_req" -a -n "$t_2" -a "$gap" -ge 0 -a "$gap" -lt 1000
check "registered at reg2" wait_until 5 kam_aor_has reg2 alice
t_bound=$(now_ms)
check "the other process's datagrams still land at the busy reg1" \
	app_lands_after 1 "$W_APP_UDP" "$t_bound"
# Until Retry-After has passed, the daemon leaves reg1 alone.
t_ra=$(( ${t_req:-0} + RA * 1000 ))
while [ "$(now_ms)" -lt "$t_ra" ]; do sleep 0.5; done
n=$(wire_count 1 'tag=0' "$(( ${t_req:-0} + 1000 ))" "$((t_ra - 200))")
diag "daemon packets at reg1 during Retry-After: $n"
check "nothing from the daemon reaches reg1 during Retry-After" \
	test "$n" -eq 0
check "failback probes reach reg1 after Retry-After" \
	wait_until 8 wire_has 1 "$W_OPT" "$t_ra"
fo_switch_checks 2 '503'
check "nothing is steered: reg1 answers (only the server in use, watched)" \
	eval 'steer_jq ".steered == []" &&
		service_jq "[.endpoints[].addr] - [.targets[].addr] == []"'
fo_done
