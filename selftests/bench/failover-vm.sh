#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench-failover`: boot the test VM and run the failover outage
# benchmark, selftests/bench/failover.sh (sipsteerd against baresip).
# The guest starts with an empty environment, so the settings go to it in
# $BUILD/vm/bench-failover.env.
# Env: SIPSTEERD (default $BUILD/sipsteerd), BENCH_FAILOVER_ROUNDS
#   (default 3), FOBENCH_LIMIT_S (how long a run waits for the clients at
#   the secondary, default 240), FOBENCH_KINDS (only these failure
#   kinds, e.g. "silent 503", "calls-silent calls-refuse" for the call
#   outage alone, or "first-call" for the first call after a silent
#   failure; default all), FOBENCH_CLIENTS (only these: "sipsteerd",
#   "baresip"; default both), VM_TIMEOUT, VM_QUIET as for
#   selftests/vm/run.sh.
set -u
here=$(cd "$(dirname "$0")" && pwd)
project=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-$project/build}
export BUILD
daemon=$(realpath "${SIPSTEERD:-$BUILD/sipsteerd}")
[ -x "$daemon" ] || { echo "bench-failover: no daemon at $daemon" >&2; exit 1; }
command -v baresip >/dev/null || {
	echo "bench-failover: baresip is missing (scripts/deps.sh installs it)" >&2
	exit 1
}
rounds=${BENCH_FAILOVER_ROUNDS:-3}
mkdir -p "$BUILD/vm"
cat >"$BUILD/vm/bench-failover.env" <<EOT
SIPSTEERD='$daemon'
BENCH_FAILOVER_ROUNDS='$rounds'
FOBENCH_LIMIT_S='${FOBENCH_LIMIT_S:-240}'
FOBENCH_KINDS='${FOBENCH_KINDS:-}'
FOBENCH_CLIENTS='${FOBENCH_CLIENTS:-}'
EOT
# A round takes up to about 12 min when every run waits its limit, the
# two call runs up to 8 min more and the four first-call runs up to 6.
# The host's load (the guest sees only its own): other VMs and builds
# slow TCG down.
echo "bench-failover: host load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"
start=$(date +%s)
VM_TIMEOUT=${VM_TIMEOUT:-$((600 + rounds * 1800))} \
	"$project/selftests/vm/run.sh" --mode bench-failover
rc=$?
echo "bench-failover: $(($(date +%s) - start)) s in all; host load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
exit $rc
