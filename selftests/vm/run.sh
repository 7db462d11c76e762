#!/bin/bash
# Boot Debian's stock kernel under qemu (TCG) with the host's root mounted
# read-only over 9p, load sipsteer.ko and run KTAP test scripts, the
# benchmark or the demo inside it. Fails on any failed or missing test and
# on any WARNING/BUG/oops or sipsteer error in the guest's kernel log.
#
# usage: run.sh [--mode tests|bench|bench-failover|demo] [--result FILE]
#              [SCRIPT...]
#   SCRIPT defaults to every selftests/kmod/*.sh test.
# Environment: BUILD (default ./build), KDIR (default scripts/kdir.sh),
#   VM_TIMEOUT seconds (default 1200), VM_SMP (default 2), VM_QUIET=1
#   to keep the console off stdout, BENCH_ROUNDS and BENCH_SECONDS for
#   --mode bench (--mode bench-failover reads $BUILD/vm/bench-failover.env,
#   written by selftests/bench/failover-vm.sh). VM_KROOT boots a prebuilt
#   kernel instead of Debian's (boot/vmlinuz-KVER and lib/modules/KVER
#   under it: selftests/debug/run.sh's debug kernel), VM_APPEND adds kernel
#   parameters, VM_MEM sets the guest's MiB (default 1024).
set -u
here=$(cd "$(dirname "$0")" && pwd)
project=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-$project/build}
KDIR=${KDIR:-$("$project/scripts/kdir.sh")}
mode=tests
result=

while [ $# -gt 0 ]; do
	case "$1" in
	--mode) mode=$2; shift 2 ;;
	--result) result=$2; shift 2 ;;
	-*) echo "usage: $0 [--mode tests|bench|demo] [--result FILE] [SCRIPT...]" >&2
	    exit 2 ;;
	*) break ;;
	esac
done

scripts=()
for s in "$@"; do
	scripts+=("$(cd "$(dirname "$s")" && pwd)/$(basename "$s")")
done
if [ "$mode" = tests ] && [ ${#scripts[@]} -eq 0 ]; then
	for s in "$project"/selftests/kmod/*.sh; do
		case "$(basename "$s")" in lib.sh|demo.sh) continue ;; esac
		scripts+=("$s")
	done
fi

module=${MODULE:-$project/kmod/sipsteer.ko}
[ -e "$module" ] || { echo "vm: $module not built (make module)" >&2; exit 1; }
if [ -n "${VM_KROOT:-}" ]; then
	kroot=$VM_KROOT
	kver=$(ls "$kroot/lib/modules")
else
	# The kernel the module was built for: the headers' UTS release.
	kver=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' \
		"$KDIR/include/generated/utsrelease.h")
	[ -n "$kver" ] || { echo "vm: no kernel release in $KDIR" >&2; exit 1; }
	kcache=$project/.cache/kernel/$kver
	kroot=$kcache/root
	"$here/fetch-kernel.sh" "$kver" "$kcache" || exit 1
fi

vmdir=$BUILD/vm
mkdir -p "$vmdir"
initrd=$vmdir/initramfs-$kver.cpio.gz
if [ ! -e "$initrd" ] || [ "$here/init" -nt "$initrd" ] ||
   [ "$here/mkinitramfs.sh" -nt "$initrd" ] ||
   [ "$kroot/lib/modules/$kver/modules.dep" -nt "$initrd" ]; then
	"$here/mkinitramfs.sh" "$kroot" "$kver" "$initrd" || exit 1
fi

job=$(mktemp -d "$vmdir/job.XXXXXX")
log=$vmdir/$mode.log
[ ${#scripts[@]} -eq 1 ] && log=$vmdir/$(basename "${scripts[0]}" .sh).log
cat > "$job/guest.sh" <<EOT
PROJECT='$project'
BUILD='$BUILD'
KROOT='$kroot'
MODULE='$module'
MODE='$mode'
SCRIPTS='${scripts[*]}'
SCRIPT_TIMEOUT='${SCRIPT_TIMEOUT:-600}'
BENCH_ROUNDS='${BENCH_ROUNDS:-5}'
BENCH_SECONDS='${BENCH_SECONDS:-3}'
. '$here/guest.sh'
EOT

echo "vm: $kver, $mode${scripts:+: ${scripts[*]##*/}}; console log in $log"
start=$(date +%s)
timeout -k 10 "${VM_TIMEOUT:-1200}" \
	qemu-system-x86_64 -accel tcg -nographic -no-reboot \
	-m "${VM_MEM:-1024}" -smp "${VM_SMP:-2}" \
	-kernel "$kroot/boot/vmlinuz-$kver" -initrd "$initrd" \
	-append "console=ttyS0 loglevel=1 panic=-1 mitigations=off sipsteer_job=$job ${VM_APPEND:-}" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-nic none < /dev/null 2>&1 | sed -u 's/\r//g' |
	if [ -n "${VM_QUIET:-}" ]; then cat > "$log"; else tee "$log" |
		awk '/^sipsteer-vm: dmesg begin/ { quiet = 1 }
		     /sipsteer-vm: booted/ { shown = 1 }
		     shown && !quiet { print; fflush() }'; fi
qrc=${PIPESTATUS[0]}
rm -rf "$job"
echo "vm: qemu exited $qrc after $(( $(date +%s) - start )) s"

# The demo and the benchmark pass when their script did and the kernel
# log is clean.
[ "$mode" = tests ] || {
	grep -q '^sipsteer-vm: job ok' "$log" || {
		echo "vm: the $mode failed; see $log"
		exit 1
	}
	"$here/check-log.sh" --dmesg-only "$log"
	exit $?
}
"$here/check-log.sh" "$log" | tee ${result:+"$result"}
exit "${PIPESTATUS[0]}"
