#!/bin/sh
# apt-get or apt-cache for one Debian suite and architecture, with a
# private state in .cache/apt/SUITE-ARCH: the host's own package lists,
# sources and architectures are never touched, and nothing is installed.
# The package lists are fetched on first use; `apt.sh SUITE ARCH update`
# refreshes them.
# usage: apt.sh SUITE ARCH get|cache|update [ARGS...]
#   e.g. apt.sh bullseye arm64 get download linux-kbuild-5.10=5.10.262-1
# Environment: DEBIAN_MIRROR, DEBIAN_SECURITY_MIRROR (deb.debian.org).
set -eu
suite=$1
arch=$2
what=$3
shift 3
project=$(cd "$(dirname "$0")/../.." && pwd)
dir=$project/.cache/apt/$suite-$arch
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

# Each suite with the updates that a system of that release would have.
sources() {
	opt="[arch=$arch signed-by=$keyring]"
	case $suite in
	bullseye|bookworm)
		echo "deb $opt $mirror $suite main"
		echo "deb $opt $mirror $suite-updates main"
		# bullseye-security no longer carries armhf.
		[ "$suite-$arch" = bullseye-armhf ] ||
			echo "deb $opt $security $suite-security main"
		;;
	# Only what comes from backports itself (kernels) is fetched.
	*-backports)
		echo "deb $opt $mirror $suite main"
		;;
	*)
		echo "apt: unknown suite $suite" >&2
		exit 2
		;;
	esac
}

opts() {
	echo "-o Dir::State=$dir/state -o Dir::Cache=$dir/cache" \
		"-o Dir::Etc::SourceList=$dir/sources.list" \
		"-o Dir::Etc::SourceParts=$dir/empty" \
		"-o Dir::Etc::Preferences=$dir/empty/preferences" \
		"-o Dir::Etc::PreferencesParts=$dir/empty" \
		"-o APT::Architecture=$arch -o APT::Architectures::=$arch" \
		"-o Acquire::Languages=none -o APT::Sandbox::User=root" \
		"-o Debug::NoLocking=1 -q"
}

update() {
	mkdir -p "$dir/state/lists/partial" "$dir/cache/archives/partial" \
		"$dir/empty"
	sources > "$dir/sources.list"
	# shellcheck disable=SC2046 # one option a word
	apt-get $(opts) update > "$dir/update.log" 2>&1 || {
		cat "$dir/update.log" >&2
		echo "apt: cannot fetch the $suite $arch package lists" >&2
		exit 1
	}
	touch "$dir/.updated"
}

# One apt at a time per state: cells of the matrix fetch in parallel.
mkdir -p "$dir"
exec 9> "$dir.lock"
flock 9
[ -e "$dir/.updated" ] || [ "$what" = update ] || update
# shellcheck disable=SC2046 # one option a word
case $what in
update) update ;;
get) exec apt-get $(opts) "$@" ;;
cache) exec apt-cache $(opts) "$@" ;;
*) echo "usage: apt.sh SUITE ARCH get|cache|update [ARGS...]" >&2; exit 2 ;;
esac
