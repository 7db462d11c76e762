#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Passive failure detection is a hint, never a verdict: reg1 ignores the
# call application's requests (they are dropped on arrival) but answers
# the daemon. The kernel sees the INVITE unreplied and says so; the
# daemon probes reg1, reg1 answers, and the phone stays: no failover,
# the registration and the steering stay at reg1.
# shellcheck source=lib.sh disable=SC2016,SC2034
FO_CALLS=1
. "$(dirname "$0")/lib.sh"

plan 6
daemon_require || exit 1
passive_start
# The call application's packets carry DSCP CS1 (fo_phone_nft).
ip netns exec reg1 nft add rule inet fo gate ip dscp cs1 drop
call_place o1 hold=1
check "a hint about reg1 made a probe, and reg1 answered it" \
	wait_until 15 pset_jq '[.events[] | select(.kind == "hint" and
		(.reason | test("probe answered")))] | length >= 1'
sleep 2
check "no failover" pset_jq '.failovers == 0 and
	([.events[] | select(.kind == "failover")] | length) == 0'
check "still registered at reg1 only" \
	eval 'kam_aor_has reg1 alice && kam_aor_none reg2 alice'
check "the module still steers to reg1" \
	service_jq '[.targets[].addr] == ["10.10.1.2"]'
check "the ignored call is not up" eval '! ua_has callapp call-up o1'
fo_done
