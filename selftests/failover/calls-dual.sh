#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Calls across failover and failback on a dual-stack server list (A and
# AAAA for every server): the daemon registers over IPv6 (AAAA first);
# the call application calls the primary's IPv4 and its IPv6 address.
# While the primary is silent both reach the secondary, each in its own
# family (a target per family), and the held calls of both families
# outlive the failback (call_story in lib.sh).
# shellcheck source=lib.sh disable=SC2034
FO_CALLS=1 FO_DUAL=1
. "$(dirname "$0")/lib.sh"

call_story udp 6 4 6
