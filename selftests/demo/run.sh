#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: boot the test VM with the module and play the failover
# story (failover-demo.sh) on its console. Exits 0 only if every step
# was observed at the peers and the guest's kernel log is clean.
#
# usage: run.sh
# Env: TRANSPORT udp (default), tcp or tls; SIPSTEERD, the daemon
#   (default $BUILD/sipsteerd); BUILD, KDIR, MODULE, VM_TIMEOUT as for
#   selftests/vm/run.sh.
set -u
here=$(cd "$(dirname "$0")" && pwd)
project=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-$project/build}
export BUILD
TRANSPORT=${TRANSPORT:-udp}
case $TRANSPORT in
udp | tcp | tls | UDP | TCP | TLS) ;;
*) echo "demo: TRANSPORT=$TRANSPORT: expected udp, tcp or tls" >&2; exit 2 ;;
esac
daemon=$(realpath "${SIPSTEERD:-$BUILD/sipsteerd}")
[ -x "$daemon" ] || { echo "demo: no daemon at $daemon" >&2; exit 1; }
# The guest starts with an empty environment; failover-demo.sh reads
# its settings from here.
mkdir -p "$BUILD/vm"
printf "TRANSPORT='%s'\nSIPSTEERD='%s'\n" "$TRANSPORT" "$daemon" \
	>"$BUILD/vm/demo.env"
start=$(date +%s)
VM_TIMEOUT=${VM_TIMEOUT:-600} "$project/selftests/vm/run.sh" \
	"$here/failover-demo.sh"
rc=$?
echo "demo: $([ $rc -eq 0 ] && echo passed || echo FAILED) in $(($(date +%s) - start)) s (console log: $BUILD/vm/failover-demo.log)"
exit $rc
