#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Prepare, once, a kernel tree to build external modules against that has
# CONFIG_IPV6=n (as many phone kernels do): the kernel source TAR
# configured with CONFIG minus IPv6, after `make modules_prepare`. Prints
# the tree's path. Made again when TAR or CONFIG is newer than it.
# usage: noipv6-tree.sh TAR CONFIG DIR
set -eu
tar=$1
config=$2
dir=$3
tree=$dir/tree
if [ -e "$tree/.complete" ] && [ "$tree/.complete" -nt "$tar" ] &&
   [ "$tree/.complete" -nt "$config" ]; then
	echo "$tree"
	exit 0
fi

rm -rf "$dir"
mkdir -p "$tree"
tar -xJf "$tar" -C "$tree" --strip-components=1
cp "$config" "$tree/.config"
(
	cd "$tree"
	scripts/config --disable IPV6
	make -s olddefconfig
	grep -q '^# CONFIG_IPV6 is not set' .config || {
		echo "noipv6-tree: CONFIG_IPV6 is still set" >&2
		exit 1
	}
	make -s -j "$(nproc)" modules_prepare
) > "$dir/prepare.log" 2>&1 || {
	cat "$dir/prepare.log" >&2
	exit 1
}
touch "$tree/.complete"
echo "$tree"
