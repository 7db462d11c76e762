#!/bin/sh
# Build the VM's initramfs: static busybox, the modules needed to mount
# the host's root over virtio 9p, and selftests/vm/init as /init.
# usage: mkinitramfs.sh KERNEL_ROOT KVER OUTPUT [BUSYBOX]
#   BUSYBOX: a static busybox of the guest's architecture (default: the
#   host's).
set -eu
kroot=$1
kver=$2
out=$3
here=$(cd "$(dirname "$0")" && pwd)
busybox=${4:-$(command -v busybox || echo /bin/busybox)}

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/lib/modules" "$stage/proc" "$stage/sys" \
	"$stage/dev" "$stage/host" "$stage/tmp"
cp "$busybox" "$stage/bin/busybox"
cp "$here/init" "$stage/init"
chmod 0755 "$stage/init"

# Dependencies first, in load order, each module once; compressed ones
# (6.12's .ko.xz) unpacked for busybox's insmod.
for mod in virtio_pci 9pnet_virtio 9p; do
	modprobe -d "$kroot" -S "$kver" --show-depends "$mod" |
		sed -n 's/^insmod \([^ ]*\).*/\1/p'
done | awk '!seen[$0]++' | while read -r path; do
	name=$(basename "$path" .xz)
	case $path in
	*.xz) xz -dc "$path" > "$stage/lib/modules/$name" ;;
	*) cp "$path" "$stage/lib/modules/" ;;
	esac
	echo "$name" >> "$stage/lib/modules/load-order"
done

(cd "$stage" && find . | cpio -o -H newc --quiet) | gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
