#!/bin/sh
# Make, once, the userspace of a guest of another architecture: Debian
# SUITE's packages for ARCH unpacked (dpkg -x, no maintainer scripts)
# into DIR/root. It holds what the tests run (bash, coreutils, iproute2,
# nftables, conntrack, kmod, util-linux, procps, the CLI's and the tests'
# libraries and sanitizer runtimes), busybox for the initramfs, and the
# -dev packages the CLI and the tools are cross-built against: the same
# tree is their sysroot. The VM mounts it read-only (selftests/vm/init).
# usage: mkrootfs.sh SUITE ARCH DIR
set -eu
suite=$1
arch=$2
dir=$3
here=$(cd "$(dirname "$0")" && pwd)
root=$dir/root
[ -e "$root/.complete" ] && exit 0

# usr-is-merged: the lighter way to satisfy init-system-helpers.
# libc6-dev: a whole sysroot, as a phone's is (gcc --sysroot).
packages="bash coreutils grep sed util-linux procps iproute2 nftables
	conntrack kmod busybox-static libmnl0 libmnl-dev libcmocka0
	libcmocka-dev libasan8 libubsan1 libc6-dev usr-is-merged"

mkdir -p "$dir/debs"
: > "$dir/status"
# The resolver picks the packages and their dependencies as if for an
# empty system, without recommends.
# shellcheck disable=SC2086
"$here/apt.sh" "$suite" "$arch" get -s --no-install-recommends \
	-o Dir::State::status="$dir/status" install $packages \
	> "$dir/resolve.log" 2>&1 || {
	cat "$dir/resolve.log" >&2
	exit 1
}
debs=$(sed -n 's/^Inst \([^ ]*\) .*/\1/p' "$dir/resolve.log")
(
	cd "$dir/debs"
	# shellcheck disable=SC2086
	"$here/apt.sh" "$suite" "$arch" get download $debs
) > "$dir/download.log" 2>&1 || {
	cat "$dir/download.log" >&2
	exit 1
}

rm -rf "$root.tmp"
for deb in "$dir"/debs/*.deb; do
	dpkg -x "$deb" "$root.tmp"
done
# What base-files' maintainer script would have made.
rm -rf "$root.tmp/var/run" "$root.tmp/var/lock"
ln -s /run "$root.tmp/var/run"
ln -s /run/lock "$root.tmp/var/lock"
rm -rf "$dir/debs" "$dir/status"
touch "$root.tmp/.complete"
rm -rf "$root"
mv "$root.tmp" "$root"
echo "mkrootfs: $suite $arch userspace in $root"
