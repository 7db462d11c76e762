#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Requests a registrar sends to the daemon itself over TCP, as to a NATed
# phone: OPTIONS answered, calls relayed to the call application, 480
# when it is gone (relay_story in lib.sh).
# shellcheck source=lib.sh disable=SC2034
FO_CALLS=1
. "$(dirname "$0")/lib.sh"

relay_story tcp
fo_done
