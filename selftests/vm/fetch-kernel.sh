#!/bin/sh
# Fetch and unpack Debian's stock kernel image KVER into DIR/root, once.
# The VM tests boot it so the module runs on the kernel it was built for.
# usage: fetch-kernel.sh KVER DIR
set -eu
kver=$1
dir=$2
root=$dir/root
[ -e "$root/.complete" ] && exit 0

mkdir -p "$dir"
cd "$dir"

download() {
	for pkg in "linux-image-$kver" "linux-image-$kver-unsigned"; do
		apt-get download -q "$pkg" 2>/dev/null && return 0
	done
	return 1
}

if ! ls linux-image-*.deb >/dev/null 2>&1; then
	# A fresh machine may have no package lists yet: refresh them once.
	if ! download; then
		echo "fetch-kernel: updating package lists"
		apt-get update -q >/dev/null
		download || {
			echo "fetch-kernel: no linux-image-$kver package" >&2
			exit 1
		}
	fi
fi

rm -rf root.tmp
dpkg -x "$(ls linux-image-*.deb | head -n 1)" root.tmp
depmod -b root.tmp "$kver"
[ -e "root.tmp/boot/vmlinuz-$kver" ] || {
	echo "fetch-kernel: no vmlinuz-$kver in the package" >&2
	exit 1
}
touch root.tmp/.complete
rm -rf root
mv root.tmp root
echo "fetch-kernel: $kver in $root"
