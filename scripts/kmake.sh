#!/bin/sh
# Print the make variables that build an external module against the
# kernel tree KDIR on this host: ARCH and CROSS_COMPILE when the tree is
# not x86-64 (Debian's cross compilers), and CC when the compiler the
# tree names is not installed (bullseye's headers name gcc-10, which
# bookworm lacks; its gcc-12 builds them).
# usage: kmake.sh KDIR      e.g. make -C KDIR M=... $(kmake.sh KDIR) modules
set -eu
kdir=$1
cross=
if grep -q '^CONFIG_ARM64=y' "$kdir/.config"; then
	cross=aarch64-linux-gnu-
	echo "ARCH=arm64 CROSS_COMPILE=$cross"
elif grep -q '^CONFIG_ARM=y' "$kdir/.config"; then
	cross=arm-linux-gnueabihf-
	echo "ARCH=arm CROSS_COMPILE=$cross"
elif ! grep -q '^CONFIG_X86_64=y' "$kdir/.config"; then
	echo "kmake: $kdir is neither x86-64, arm64 nor arm" >&2
	exit 1
fi
# Debian's headers: CC = ... $(CROSS_COMPILE)gcc-N
gcc=$(sed -n 's/^CC = .*)\(gcc-[0-9]*\)$/\1/p' \
	"$kdir/.kernelvariables" 2>/dev/null || true)
if [ -n "$gcc" ] && ! command -v "$cross$gcc" > /dev/null; then
	echo "CC=${cross}gcc"
fi
