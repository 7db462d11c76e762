#!/bin/sh
# Fetch and unpack Debian's stock kernel image KVER into DIR/root, once.
# The VM tests boot it so the module runs on the kernel it was built for.
# usage: fetch-kernel.sh [--from SUITE ARCH VERSION] [--headers] KVER DIR
#   Without --from, the host's package lists give the image. With it,
#   the packages come from SUITE for ARCH at VERSION (selftests/vm/apt.sh,
#   never installed), and --headers adds the headers to build against:
#   DIR/root/usr/src/linux-headers-KVER, with the host's (amd64) kbuild
#   tools beside them.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
suite=
headers=
while [ $# -gt 2 ]; do
	case $1 in
	--from) suite=$2 arch=$3 version=$4; shift 4 ;;
	--headers) headers=1; shift ;;
	*) break ;;
	esac
done
kver=$1
dir=$2
root=$dir/root
[ -e "$root/.complete" ] && exit 0

mkdir -p "$dir/debs"
cd "$dir/debs"

# download PKG...: the pinned version from the suite, or the host's.
download() {
	if [ -n "$suite" ]; then
		pkgs=
		for pkg; do
			pkgs="$pkgs $pkg=$version"
		done
		# shellcheck disable=SC2086
		"$here/apt.sh" "$suite" "$arch" get download $pkgs \
			> /dev/null 2>&1
	else
		apt-get download -q "$@" > /dev/null 2>&1
	fi
}

# A fresh machine may have no package lists yet: refresh them once.
refreshed=
fetch() {
	download "$@" && return 0
	[ -z "$refreshed" ] || return 1
	refreshed=1
	echo "fetch-kernel: updating package lists"
	if [ -n "$suite" ]; then
		"$here/apt.sh" "$suite" "$arch" update
	else
		apt-get update -q > /dev/null
	fi
	download "$@"
}

fetch_image() {
	for pkg in "linux-image-$kver" "linux-image-$kver-unsigned"; do
		fetch "$pkg" && return 0
	done
	echo "fetch-kernel: no linux-image-$kver${suite:+ $version in $suite ($arch)}" >&2
	[ -n "$suite" ] && latest >&2
	return 1
}

# What the suite has now for this flavour: a security update replaces
# the pinned release, which then leaves the archive.
latest() {
	flavour=$(echo "$kver" |
		sed -E 's/^[0-9.]+(-[0-9]+|\+deb[0-9.]+)-//')
	"$here/apt.sh" "$suite" "$arch" cache show "linux-image-$flavour" |
		sed -En 's/^(Version|Depends): /\1 /p' | head -n 2 |
		sed "s/^/fetch-kernel: $suite has linux-image-$flavour /"
}

ls linux-image-*.deb > /dev/null 2>&1 || fetch_image
if [ -n "$headers" ]; then
	[ -n "$suite" ] || {
		echo "fetch-kernel: --headers needs --from" >&2
		exit 2
	}
	# The flavour's headers name the common headers and the kbuild
	# package; kbuild runs on the host, so it is always amd64's.
	deps=$("$here/apt.sh" "$suite" "$arch" cache show \
		"linux-headers-$kver=$version" | sed -n 's/^Depends: //p')
	common=$(echo "$deps" | tr ',' '\n' |
		sed -n 's/^ *\(linux-headers-[^ ]*-common\).*/\1/p')
	kbuild=$(echo "$deps" | tr ',' '\n' |
		sed -n 's/^ *\(linux-kbuild-[^ ]*\).*/\1/p')
	if [ -z "$common" ] || [ -z "$kbuild" ]; then
		echo "fetch-kernel: no linux-headers-$kver $version in $suite" >&2
		exit 1
	fi
	for pkg in "linux-headers-$kver" "$common" "$kbuild"; do
		ls "${pkg}"_*.deb > /dev/null 2>&1 && continue
		[ "$pkg" = "$kbuild" ] && arch=amd64
		fetch "$pkg" || {
			echo "fetch-kernel: cannot download $pkg $version" >&2
			exit 1
		}
	done
fi

rm -rf "../root.tmp"
for deb in *.deb; do
	dpkg -x "$deb" ../root.tmp
done
cd ..
if [ -n "$headers" ]; then
	# The flavour's Makefile includes the common one by its absolute
	# installed path: point it at the unpacked copy.
	kdir=root.tmp/usr/src/linux-headers-$kver
	sed -i "s|^include /usr/src/|include $PWD/root/usr/src/|" \
		"$kdir/Makefile"
fi
depmod -b root.tmp "$kver"
ls root.tmp/boot/vmlinuz-"$kver" > /dev/null 2>&1 || {
	echo "fetch-kernel: no vmlinuz-$kver in the package" >&2
	exit 1
}
touch root.tmp/.complete
rm -rf root debs
mv root.tmp root
echo "fetch-kernel: $kver in $root"
