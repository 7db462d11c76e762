#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-debug: the module's selftests under the debug kernel
# (kernel.sh: KASAN, lockdep, PROVE_RCU, kmemleak, lockup detectors that
# panic, KUnit), which Debian's kernel cannot give. Builds the kernel once
# per machine, builds sipsteer.ko and sipsteer_kunit.ko against it, then
# boots it twice with selftests/vm/run.sh:
#
#   debug-kmod.txt      selftests/kmod/*.sh and the KUnit suites (kunit.sh)
#   debug-failover.txt  the failover scenarios that check the steering
#
# Each fails on a failed case and on any KASAN, lockdep, RCU or lockup
# report, WARNING or BUG in the kernel log, and on kmemleak's suspected
# leaks (scanned after the scripts, selftests/vm/guest.sh).
#
# usage: run.sh [--result-dir DIR] [SCRIPT...]   (SCRIPT: the kmod part)
# Environment: BUILD, KDIR as for selftests/vm/run.sh; SIPSTEER_CACHE for
#   kernel.sh; SIPSTEERD for the failover part.
set -u
here=$(cd "$(dirname "$0")" && pwd)
project=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-$project/build}
results=$BUILD/results
if [ "${1:-}" = --result-dir ]; then
	results=$2
	shift 2
fi
mkdir -p "$results"

kdir=$("$here/kernel.sh") || exit 1

# The module's sources, built in a copy so `make module` is not raced.
work=$BUILD/debug/module
rm -rf "$work"
mkdir -p "$work/kmod" "$work/include/uapi/linux"
cp "$project"/kmod/Kbuild "$project"/kmod/*.c "$project"/kmod/*.h \
	"$work/kmod/"
rm -f "$work"/kmod/*.mod.c
cp "$project/include/uapi/linux/sipsteer.h" "$work/include/uapi/linux/"
echo 'obj-m += kmod/' > "$work/Kbuild"
# W=1: kunit.c builds only here, so its warnings show only here.
if ! make -s -C "$kdir/build" M="$work" W=1 modules > "$work/build.log" 2>&1 ||
   grep -q 'warning:' "$work/build.log"; then
	cat "$work/build.log" >&2
	echo "debug: sipsteer.ko does not build cleanly against $kdir" >&2
	exit 1
fi

# KASAN's shadow and kmemleak's pool want more than the usual 1 GiB.
# softlockup_all_cpu_backtrace: a lockup report shows every CPU.
export VM_KROOT=$kdir/root VM_MEM=2048
export VM_APPEND="softlockup_all_cpu_backtrace=1 hung_task_panic=0"
export MODULE=$work/kmod/sipsteer.ko
export VM_TIMEOUT=${VM_TIMEOUT:-2400} SCRIPT_TIMEOUT=${SCRIPT_TIMEOUT:-900}

scripts=("$@")
if [ ${#scripts[@]} -eq 0 ]; then
	for s in "$project"/selftests/kmod/*.sh; do
		case $(basename "$s") in lib.sh|demo.sh) continue ;; esac
		scripts+=("$s")
	done
	scripts+=("$here/kunit.sh")
fi
rc=0
"$project/selftests/vm/run.sh" --result "$results/debug-kmod.txt" \
	"${scripts[@]}" || rc=1
[ $# -eq 0 ] || exit $rc

# The failover scenarios whose checks follow the module's steering: a
# failover (silent primary), a failback, TCP connections failed at a
# switch, a daemon restart adopting the service. Not refusing.sh: its
# check that the next REGISTER leaves within 1 s of the ICMP error reads
# a packet capture that falls behind under this kernel.
fo=$project/selftests/failover
"$fo/run.sh" --result "$results/debug-failover.txt" "$fo/silent-3000.sh" \
	"$fo/failback.sh" "$fo/tcp.sh" "$fo/restart.sh" || rc=1
exit $rc
