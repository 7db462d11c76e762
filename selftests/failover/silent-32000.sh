#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Silent primary, outgoing_request_no_response_timeout_ms=32000: see
# silent_case in lib.sh.
# shellcheck source=lib.sh disable=SC2016,SC2034
. "$(dirname "$0")/lib.sh"

silent_case 32000
