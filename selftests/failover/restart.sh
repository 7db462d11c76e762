#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The daemon is killed (SIGKILL) while steering to reg2 (reg1 is down):
# the module keeps steering, so the other process's datagrams still
# reach reg2. A new daemon adopts the service (no second one, no gap),
# registers again and reconciles.
# shellcheck source=lib.sh disable=SC2016,SC2034
. "$(dirname "$0")/lib.sh"

plan 8
daemon_require || exit 1
FO_KAM=2 fo_start UDP </dev/null
app_start --udp
check "reg1 refuses: registered at reg2" wait_until 10 kam_aor_has reg2 alice
t_bound=$(now_ms)
check "the other process's datagrams land at reg2" \
	app_lands_after 2 "$W_APP_UDP" "$t_bound"
fo_kill9
t_k=$(now_ms)
check "killed (-9): the datagrams still land at reg2" \
	app_lands_after 2 "$W_APP_UDP" "$t_k" 0 2000
check "the module kept the service and its target" \
	service_jq '[.targets[].addr] == ["10.10.2.2"]'
t_r=$(now_ms)
daemon_start "$T/sipsteerd.conf" sipsteerd2
check "the new daemon registers at reg2 again" \
	eval 'wait_wire 10 2 "$W_REG" "$t_r" && wait_until 5 daemon_jq ".lines[0].state == \"registered\""'
check "it adopted the service: one service, adopted" \
	eval 'steer_jq ".adopted == true" &&
		[ "$(sipsteer -j show | jq length)" -eq 1 ]'
diag "sipsteer show: $(sipsteer show 2>&1 | tr '\n' ' ')"
t_now=$(now_ms)
check "no gap: from the kill to now, the datagrams reached reg2 only" \
	app_lands_after 2 "$W_APP_UDP" "$t_k" 0 $((t_now - t_k + 1000))
check "steering reports the service ready with target reg2" \
	steer_jq ".state == \"ready\" and .target == \"$(reg_ap 2)\""
fo_done
