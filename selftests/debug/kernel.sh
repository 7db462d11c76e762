#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the debug kernel once per machine: Debian's linux-source-6.1,
# allnoconfig plus selftests/debug/debug.config (KASAN, lockdep, PROVE_RCU,
# kmemleak, lockup detectors, KUnit). The result is cached under a key
# made of the source tarball, the config fragment and the compiler, so a
# change of any of them builds a new one and nothing else does.
#
# usage: kernel.sh
# Prints the kernel's directory: build/ (for out-of-tree modules) and
# root/ (boot/vmlinuz-KVER and lib/modules/KVER, the layout
# selftests/vm/run.sh boots with VM_KROOT).
# Environment: SIPSTEER_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/sipsteer),
#   LINUX_SOURCE_TAR (default /usr/src/linux-source-6.1.tar.xz),
#   JOBS (default: the number of CPUs).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
fragment=$here/debug.config
tarball=${LINUX_SOURCE_TAR:-/usr/src/linux-source-6.1.tar.xz}
cache=${SIPSTEER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sipsteer}
jobs=${JOBS:-$(nproc)}

[ -r "$tarball" ] || {
	echo "debug-kernel: no $tarball (apt-get install linux-source-6.1)" >&2
	exit 1
}
key=$( { sha256sum < "$tarball"; sha256sum < "$fragment"; gcc --version |
	head -n 1; } | sha256sum | cut -c 1-16)
dir=$cache/debug-kernel/$key
if [ -e "$dir/.complete" ]; then
	echo "$dir"
	exit 0
fi

mkdir -p "$dir"
# One build at a time per key; a second caller waits and reuses it.
exec 9> "$dir.lock"
flock 9
if [ -e "$dir/.complete" ]; then
	echo "$dir"
	exit 0
fi

log=$dir/build.log
echo "debug-kernel: building in $dir (log: $log)" >&2
start=$(date +%s)
rm -rf "$dir/src" "$dir/build" "$dir/root"
mkdir -p "$dir/src" "$dir/build"
tar -xJf "$tarball" -C "$dir/src" --strip-components=1
kmake() { make -C "$dir/src" O="$dir/build" "$@" >> "$log" 2>&1; }
{
	kmake allnoconfig &&
	"$dir/src/scripts/kconfig/merge_config.sh" -m -O "$dir/build" \
		"$dir/build/.config" "$fragment" >> "$log" 2>&1 &&
	kmake LOCALVERSION=-sipsteer-debug olddefconfig
} || {
	echo "debug-kernel: configuration failed; see $log" >&2
	exit 1
}
# Every line of the fragment must have survived olddefconfig.
missing=$(grep -E '^(CONFIG_|# CONFIG_)' "$fragment" | while read -r line; do
	grep -qxF "$line" "$dir/build/.config" || echo "$line"
done)
[ -z "$missing" ] || {
	echo "debug-kernel: olddefconfig dropped: $missing" >&2
	exit 1
}
kmake LOCALVERSION=-sipsteer-debug -j"$jobs" bzImage modules || {
	echo "debug-kernel: build failed; see $log" >&2
	tail -n 20 "$log" >&2
	exit 1
}
kver=$(make -s -C "$dir/src" O="$dir/build" LOCALVERSION=-sipsteer-debug \
	kernelrelease)
kmake LOCALVERSION=-sipsteer-debug INSTALL_MOD_PATH="$dir/root" \
	modules_install || {
	echo "debug-kernel: modules_install failed; see $log" >&2
	exit 1
}
install -D -m 0644 "$dir/build/arch/x86/boot/bzImage" \
	"$dir/root/boot/vmlinuz-$kver"
# src/ stays: out-of-tree modules build against build/ and its sources.
echo "debug-kernel: $kver built in $(( $(date +%s) - start )) s" |
	tee -a "$log" >&2
touch "$dir/.complete"
echo "$dir"
