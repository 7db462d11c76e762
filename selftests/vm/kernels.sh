#!/bin/bash
# The kernel matrix (selftests/vm/kernels.conf): list its cells, fetch
# one, or test one: fetch Debian's kernel of the cell (image, modules,
# headers), build the module against it (W=1, sparse: kmod/check-build.sh),
# check its vermagic, and boot the kernel under qemu with that
# architecture's userspace to run the module's selftests (selftests/kmod/
# and the CLI's) in one VM. RESULT_DIR/kernel-CELL.txt gets one line per
# check and ends in "N passed, N failed"; a step that cannot run fails.
#
# usage: kernels.sh list [--check] [RELEASE]
#                                   cells as "NAME ARCH RELEASE": only
#                                   those `make check` tests, without
#                                   the one whose release is RELEASE
#        kernels.sh fetch CELL      fetch it once; prints its KDIR
#        kernels.sh check RESULT_DIR CELL
# Environment: BUILD (default ./build): the userspace the guest runs is
#   $BUILD (amd64) or $BUILD/ARCH (cross-built, `make kernels-userspace`).
set -u
here=$(cd "$(dirname "$0")" && pwd)
project=$(cd "$here/../.." && pwd)
conf=$here/kernels.conf
BUILD=${BUILD:-$project/build}

# cells: NAME ARCH KERNEL FLAVOUR SUITE ABI VERSION WHEN, one a line.
cells() {
	awk '$1 == "kernel" { suite[$2] = $3; abi[$2] = $4; version[$2] = $5 }
	     $1 == "cell" {
		if (!($3 in suite)) {
			printf "kernels.conf: no kernel %s\n", $3 > "/dev/stderr"
			exit 1
		}
		print $2 "-" $3, $2, $3, $4, suite[$3], abi[$3], version[$3], $5
	     }' "$conf"
}

# cell NAME: sets arch suite release version cache kdir kroot.
cell() {
	local line
	line=$(cells | awk -v name="$1" '$1 == name') || exit 1
	[ -n "$line" ] || {
		echo "kernels: no cell $1 in $conf; cells: $(cells |
			cut -d' ' -f1 | tr '\n' ' ')" >&2
		exit 1
	}
	# shellcheck disable=SC2034 # flavour, abi: for the reader
	read -r name arch kernel flavour suite abi version _ <<< "$line"
	release=$abi-$flavour
	cache=$project/.cache/kernel/$release-$version
	kdir=$cache/root/usr/src/linux-headers-$release
	kroot=$cache/root
}

fetch() {
	"$here/fetch-kernel.sh" --from "$suite" "$arch" "$version" --headers \
		"$release" "$cache" >&2
}

case ${1:-} in
list)
	when=
	[ "${2:-}" = --check ] && { when=check; shift; }
	cells | awk -v except="${2:-}" -v when="$when" '
		{ release = $6 "-" $4 }
		release != except && (when == "" || $8 == when) {
			print $1, $2, release
		}'
	exit 0
	;;
fetch)
	cell "$2"
	fetch || exit 1
	echo "$kdir"
	exit 0
	;;
check)
	results=$2
	cell "$3"
	;;
*)
	echo "usage: kernels.sh list [--check] [RELEASE] | fetch CELL |" \
		"check RESULT_DIR CELL" >&2
	exit 2
	;;
esac

result=$results/kernel-$name.txt
work=$BUILD/kernels/$name
mkdir -p "$results" "$work"
: > "$result"
step_start=$(date +%s)

# report CHECK OK [DETAIL]: one line of the result, with the time the
# step took.
report() {
	local now
	now=$(date +%s)
	if [ "$2" -eq 0 ]; then
		echo "PASS: $name: $1 ($((now - step_start)) s)" >> "$result"
	else
		echo "FAIL: $name: $1 ($((now - step_start)) s)${3:+: $3}" |
			tee -a "$result" >&2
	fi
	step_start=$now
}

vm_passed=0
vm_failed=0
finish() {
	local passed failed
	passed=$(($(grep -c '^PASS: ' "$result") + vm_passed))
	failed=$(($(grep -c '^FAIL: ' "$result") + vm_failed))
	echo "$passed passed, $failed failed" | tee -a "$result"
	[ "$failed" -eq 0 ]
	exit
}

echo "kernels: $name: $release ($suite, $version)"
fetch > "$work/fetch.log" 2>&1
report "fetch $release $version from $suite" $? "see $work/fetch.log"
[ -e "$kroot/.complete" ] || {
	report "VM tests" 1 "no kernel"
	finish
}

# The build reports its own W=1 and sparse lines; the module it leaves
# is the one the VM loads.
"$project/kmod/check-build.sh" "$kdir" "$work/build" "$result" "$name"
module=$work/build/kmod/sipsteer.ko
magic=$(modinfo -F vermagic "$module" 2>/dev/null | cut -d' ' -f1)
[ "$magic" = "$release" ]
report "build, vermagic $release" $? "got '$magic'"
[ -e "$module" ] || {
	report "VM tests" 1 "no module"
	finish
}

userspace=$BUILD
rootfs=
if [ "$arch" != amd64 ]; then
	userspace=$BUILD/$arch
	rootfs=$project/.cache/rootfs/$(awk '$1 == "userspace" { print $2 }' \
		"$conf")-$arch/root
fi
for f in sipsteer tools/nlfuzz san/tests/cli/test_tcpkill; do
	[ -x "$userspace/$f" ] || {
		report "VM tests" 1 "no $userspace/$f (make kernels-userspace)"
		finish
	}
done

scripts=()
for s in "$project"/selftests/kmod/*.sh; do
	case $(basename "$s") in lib.sh|demo.sh) continue ;; esac
	scripts+=("$s")
done
scripts+=("$project/selftests/unit/cli/vm/cli.sh")
rm -f "$work/vm.txt"
BUILD=$userspace KDIR=$kdir KROOT=$kroot MODULE=$module VM_ARCH=$arch \
	VM_ROOTFS=$rootfs VM_QUIET=1 VM_TIMEOUT=${VM_TIMEOUT:-2400} \
	"$here/run.sh" --log "$work/console.log" --result "$work/vm.txt" \
	"${scripts[@]}" > "$work/vm.out" 2>&1
rc=$?
cat "$work/vm.out"
# The VM's cases count one each, as check-log.sh counted them.
vm=$(tail -n 1 "$work/vm.txt" 2>/dev/null)
vm_passed=$(echo "$vm" | sed -n 's/^\([0-9]*\) passed, [0-9]* failed$/\1/p')
vm_failed=$(echo "$vm" | sed -n 's/^[0-9]* passed, \([0-9]*\) failed$/\1/p')
if [ -z "$vm_passed" ]; then
	vm_passed=0 vm_failed=0
	report "VM tests" 1 "no result; see $work/console.log"
else
	echo "VM: $vm ($(($(date +%s) - step_start)) s; console log" \
		"$work/console.log)" >> "$result"
	sed '$d; s/^/    /' "$work/vm.txt" >> "$result"
	[ "$rc" -eq 0 ] || [ "$vm_failed" -gt 0 ] ||
		report "VM run" "$rc" "see $work/console.log"
fi
finish
