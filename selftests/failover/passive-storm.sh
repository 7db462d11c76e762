#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A hint storm: reg1 goes silent while 32 of the phone's flows to it are
# sending (a busy phone: BLF, presence, the call application). The module
# announces at most one piece of evidence per server and second, the
# daemon probes reg1 once however many hints arrive while it runs, and
# the phone fails over once.
# shellcheck source=lib.sh disable=SC2016,SC2034
. "$(dirname "$0")/lib.sh"

plan 5
daemon_require || exit 1
fo_start UDP <<<"voip/signalling/sip/outgoing_request_no_response_timeout_ms=32000"
check "registered at reg1" wait_until 15 kam_aor_has reg1 alice
reg_silence 1
# 32 flows, each sending every 400 ms for 2.2 s: all unreplied past
# 1000 ms at once (from 1.2 s); done before the failover (1.2 s + the
# 1.5 s probe), so nothing is sent to reg2.
udpsend -d "$(reg_ap 1)" -F 32 -r 80 -t 2.2 > "$T/storm.out"
diag "$(cat "$T/storm.out")"
check "registered at reg2" wait_until 10 kam_aor_has reg2 alice
sleep 2
check "status: several hints, one probe, which failed" \
	pset_jq '([.events[] | select(.kind == "hint")] | length) >= 2 and
		([.events[] | select(.kind == "hint" and
			(.reason | test("probing")))] | length) == 1 and
		([.events[] | select(.kind == "hint" and
			(.reason | test("probe failed")))] | length) == 1'
check "one failover" pset_jq '.failovers == 1'
check "the module counted the evidence on reg1's endpoint" \
	eval 'sipsteer -j show sipsteerd |
		jq -e ".[0].stats.evidence_unreplied >= 32" > /dev/null'
fo_done
