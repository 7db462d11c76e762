#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# DNS down: the records' TTL is 2 s. Registered at reg1, then dnsmasq
# goes away and, after the TTL, so does reg1: the phone must still find
# reg2 from the last good answer, and steer reg1's traffic there.
# shellcheck source=lib.sh disable=SC2016,SC2034
. "$(dirname "$0")/lib.sh"

plan 6
daemon_require || exit 1
FO_DNS_TTL=2 fo_start UDP </dev/null
app_start --udp
check "registered at the primary" wait_until 15 kam_aor_has reg1 alice
dns_stop
sleep 3
check "DNS is down" eval '! dns_up'
t_s=$(now_ms)
reg_refuse 1
check "registered at reg2 with DNS down (last good answer)" \
	wait_until 20 kam_aor_has reg2 alice
diag "reg2 REGISTER $(( $(wire_first_ms 2 "$W_REG" "$t_s") - t_s )) ms after reg1 stopped"
t_bound=$(now_ms)
check "the other process's datagrams land at reg2" \
	app_lands_after 2 "$W_APP_UDP" "$t_bound"
check "the module steers the refusing reg1 only (reg2 and reg3 answer or were not tried)" \
	service_jq '[.endpoints[] | select(.proto == "udp") | .addr] -
		[.targets[].addr] == ["10.10.1.2"]'
check "the module steers to reg2" \
	service_jq '[.targets[].addr] == ["10.10.2.2"]'
fo_done
