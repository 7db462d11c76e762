# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# What the failover benchmark's runs (failover-run.sh,
# failover-call-run.sh) share: the failover scenarios' library, baresip,
# and how a run gives up. Sourced, after the run's FO_* settings.
# shellcheck source=SCRIPTDIR/../failover/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../failover/lib.sh"
# shellcheck source=SCRIPTDIR/baresip.sh
. "$FO_PROJECT/selftests/bench/baresip.sh"

# die MESSAGE: the run's error line, the tail of every log, exit 1.
die() {
	local f
	echo "fobench error: $*"
	for f in "$T"/*.log; do
		diag_log "$(basename "$f" .log)" 15
	done
	exit 1
}
