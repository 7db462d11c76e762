#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# concurrent.sh over TCP: the standby's binding stands on a connection of
# its own, and calls in through either server reach the call application
# over TCP.
# shellcheck disable=SC2034 # read by concurrent.sh
CONCURRENT_PROTO=tcp
# shellcheck source=concurrent.sh
. "$(dirname "$0")/concurrent.sh"
