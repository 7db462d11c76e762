#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run failover scenarios (selftests/failover/*.sh) in the test VM with
# the module loaded (selftests/vm/run.sh boots it); one KTAP-style result
# per check, summed into "N passed, N failed".
#
# usage: run.sh [--result FILE] [SCENARIO.sh...]  (default: all of them)
# Env: SIPSTEERD, the daemon to test (default $BUILD/sipsteerd); BUILD,
#   KDIR, MODULE, VM_TIMEOUT, VM_QUIET as for selftests/vm/run.sh.
set -u
here=$(cd "$(dirname "$0")" && pwd)
project=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-$project/build}
result=()
if [ "${1:-}" = --result ]; then
	result=(--result "$2")
	shift 2
fi
if [ $# -eq 0 ]; then
	for s in "$here"/*.sh; do
		case $(basename "$s") in lib.sh|run.sh) continue ;; esac
		set -- "$@" "$s"
	done
fi
# The guest starts with an empty environment: it reads the daemon's
# path from $BUILD/vm/failover.env (selftests/failover/lib.sh). The VM
# runs with a BUILD of its own, so its console log (vm/tests.log) and
# that file are not another VM suite's; the programs are the build's.
daemon=$(realpath "${SIPSTEERD:-$BUILD/sipsteerd}")
[ -x "$daemon" ] || { echo "failover: no daemon at $daemon" >&2; exit 1; }
vmbuild=$BUILD/failover-vm
mkdir -p "$vmbuild/vm"
for f in sipsteer sipsteerd tools; do
	ln -sfn "$BUILD/$f" "$vmbuild/$f"
done
printf "SIPSTEERD='%s'\n" "$daemon" >"$vmbuild/vm/failover.env"
# Two dozen scenarios with real timers (one waits 32 s) on an emulated
# CPU: about 25 min on an idle 2-core host, more beside other VMs.
export VM_TIMEOUT=${VM_TIMEOUT:-2700}
BUILD=$vmbuild exec "$project/selftests/vm/run.sh" "${result[@]}" "$@"
