#!/bin/bash
# Boot Debian's stock kernel under qemu (TCG) with the host's root mounted
# read-only over 9p, load sipsteer.ko and run KTAP test scripts, the
# benchmark or the demo inside it. Fails on any failed or missing test and
# on any WARNING/BUG/oops or sipsteer error in the guest's kernel log.
#
# usage: run.sh [--mode tests|bench|bench-failover|demo] [--result FILE]
#              [--log FILE] [SCRIPT...]
#   SCRIPT defaults to every selftests/kmod/*.sh test.
# Environment: BUILD (default ./build), KDIR (default scripts/kdir.sh),
#   KROOT (the kernel's image and modules; default Debian's for KDIR,
#   fetched), VM_ARCH (amd64, arm64 or armhf; default amd64) with
#   VM_ROOTFS (that architecture's userspace) for the others, MODULE,
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
log=

while [ $# -gt 0 ]; do
	case "$1" in
	--mode) mode=$2; shift 2 ;;
	--result) result=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	-*) echo "usage: $0 [--mode tests|bench|demo] [--result FILE] [--log FILE] [SCRIPT...]" >&2
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
# The guest sees the host's paths from /, not from here.
module=$(realpath "$module")
if [ -n "${VM_KROOT:-}" ]; then
	# A kernel of our own (the debug kernel, selftests/debug/): its
	# release is the one under lib/modules.
	kroot=$(realpath "$VM_KROOT")
	kver=$(ls "$kroot/lib/modules")
else
	# The kernel the module was built for: the headers' UTS release. Its
	# image and modules are Debian's, fetched once, unless KROOT holds
	# them already (a kernel of the matrix, selftests/vm/kernels.sh).
	kver=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' \
		"$KDIR/include/generated/utsrelease.h")
	[ -n "$kver" ] || { echo "vm: no kernel release in $KDIR" >&2; exit 1; }
	if [ -n "${KROOT:-}" ]; then
		kroot=$(realpath "$KROOT")
	else
		kcache=$project/.cache/kernel/$kver
		kroot=$kcache/root
		"$here/fetch-kernel.sh" "$kver" "$kcache" || exit 1
	fi
fi
[ -e "$kroot/boot/vmlinuz-$kver" ] ||
	{ echo "vm: no $kroot/boot/vmlinuz-$kver" >&2; exit 1; }

# The guest's architecture: the host's userspace over 9p for amd64, its
# own (VM_ROOTFS, selftests/vm/mkrootfs.sh) for the others.
arch=${VM_ARCH:-amd64}
case $arch in
amd64)
	qemu=(qemu-system-x86_64 -accel tcg)
	console=ttyS0
	;;
arm64)
	# An ARMv8.0 core, as the Cortex-A53s of many phones.
	qemu=(qemu-system-aarch64 -accel tcg -M virt -cpu cortex-a57)
	console=ttyAMA0
	;;
armhf)
	# ARMv7 with LPAE; devices below 4 GiB, as armmp (no LPAE) needs.
	qemu=(qemu-system-arm -accel tcg -M "virt,highmem=off" -cpu cortex-a15)
	console=ttyAMA0
	;;
*)
	echo "vm: unknown VM_ARCH $arch (amd64, arm64, armhf)" >&2
	exit 1
	;;
esac
userspace=
busybox=
if [ "$arch" != amd64 ]; then
	userspace=${VM_ROOTFS:-}
	if [ -z "$userspace" ] || [ ! -e "$userspace/.complete" ]; then
		echo "vm: no $arch userspace (VM_ROOTFS, selftests/vm/mkrootfs.sh)" >&2
		exit 1
	fi
	busybox=$userspace/bin/busybox
	# The host paths the guest needs, each once.
	binds=$project
	for path in "$BUILD" "$kroot" "$(dirname "$module")" \
		"${scripts[@]%/*}"; do
		path=$(realpath "$path")
		case $path in "$project"/*) continue ;; esac
		case :$binds: in *:"$path":*) continue ;; esac
		binds=$binds:$path
	done
fi

vmdir=$BUILD/vm
mkdir -p "$vmdir"
initrd=$vmdir/initramfs-$kver.cpio.gz
if [ ! -e "$initrd" ] || [ "$here/init" -nt "$initrd" ] ||
   [ "$here/mkinitramfs.sh" -nt "$initrd" ] ||
   [ "$kroot/lib/modules/$kver/modules.dep" -nt "$initrd" ]; then
	"$here/mkinitramfs.sh" "$kroot" "$kver" "$initrd" ${busybox:+"$busybox"} ||
		exit 1
fi

job=$(mktemp -d "$vmdir/job.XXXXXX")
if [ -z "$log" ]; then
	log=$vmdir/$mode.log
	[ ${#scripts[@]} -eq 1 ] && log=$vmdir/$(basename "${scripts[0]}" .sh).log
fi
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

append="console=$console loglevel=1 panic=-1 mitigations=off sipsteer_job=$job"
[ -z "$userspace" ] ||
	append="$append sipsteer_root=$userspace sipsteer_binds=$binds"

echo "vm: $kver ($arch), $mode${scripts:+: ${scripts[*]##*/}}; console log in $log"
start=$(date +%s)
timeout -k 10 "${VM_TIMEOUT:-1200}" \
	"${qemu[@]}" -nographic -no-reboot \
	-m "${VM_MEM:-1024}" -smp "${VM_SMP:-2}" \
	-kernel "$kroot/boot/vmlinuz-$kver" -initrd "$initrd" \
	-append "$append ${VM_APPEND:-}" \
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
