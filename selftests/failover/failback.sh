#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Failback with hysteresis: reg1 is down at start, the phone registers
# at reg2. When reg1 returns, it is probed every 5 s with OPTIONS and
# must answer 3 in a row before the phone goes back: register at reg1,
# steer there, then un-register from reg2 (Expires: 0). The other
# process follows each switch.
# shellcheck source=lib.sh disable=SC2016,SC2034
. "$(dirname "$0")/lib.sh"

PROBES=3
RETRY=5
plan 10
daemon_require || exit 1
FO_KAM=2 fo_start UDP <<-EOF
	voip/signalling/sip/redundant_proxy/failback_retry_timeout=$RETRY
	voip/signalling/sip/redundant_proxy/failback_probes=$PROBES
	voip/signalling/sip/redundant_proxy/hold_down=1
EOF
app_start --udp
check "reg1 refuses: registered at reg2" \
	eval 'wait_until 10 kam_aor_has reg2 alice && wire_has 1 "$W_REG"'
t_bound=$(now_ms)
check "the other process's datagrams land at reg2" \
	app_lands_after 2 "$W_APP_UDP" "$t_bound"
# Before the start: reg1 may answer a probe while kam_start still waits.
t_up=$(now_ms)
reg_start 1 || diag "reg1 did not restart"
check "registered at reg1 again after it returned" \
	wait_until $((RETRY * (PROBES + 2) + 5)) kam_aor_has reg1 alice
t_back=$(wire_first_ms 1 "$W_REG" "$t_up")
probes=$(wire_times 1 "$W_OPT" "$t_up" "${t_back:-0}" | tr '\n' ' ')
diag "reg1 up at $t_up; probes answered at: $probes; REGISTER at $t_back"
# shellcheck disable=SC2086
hysteresis() {
	set -- $probes
	[ $# -ge "$PROBES" ] && [ -n "$t_back" ] &&
		[ $((t_back - t_up)) -ge $(((PROBES - 1) * RETRY * 800)) ]
}
check "hysteresis: $PROBES answered probes before the REGISTER at reg1" \
	hysteresis
check "the old registration at reg2 is removed (Expires: 0)" \
	eval 'wait_until 5 kam_aor_none reg2 alice &&
		log_has reg2 "REGISTER-IN .*user=alice .*expires=0"'
check "registered at reg1 and nowhere else" bound_only_at 1
t_bound=$(now_ms)
check "the other process's datagrams land at reg1 again" \
	app_lands_after 1 "$W_APP_UDP" "$t_bound"
check "status: a failback to reg1" \
	pset_jq "(.failbacks >= 1) and ([.events[] | select(.kind == \"failback\"
		and .to == \"$(reg_ap 1)\")] | length) == 1"
check "the module steers the service to reg1" \
	service_jq "[.targets[].addr] == [\"$(reg_addr 1)\"]"
check "probe results are events too" \
	pset_jq '[.events[] | select(.kind == "probe")] | length >= 1'
fo_done
