#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Calls across failover and failback over TCP (call_story in lib.sh):
# in and out through the primary, through the secondary while the
# primary is silent (the call application still sends to the primary's
# address), and a call set up during the outage that outlives the
# failback: its BYE reaches the secondary, the primary sees nothing of it.
# shellcheck source=lib.sh disable=SC2034
FO_CALLS=1
. "$(dirname "$0")/lib.sh"

call_story tcp 4
