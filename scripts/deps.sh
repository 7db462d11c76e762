#!/bin/sh
# Install the Debian packages listed in scripts/packages.txt that are
# missing. Runs apt-get only when something is missing, and only as root.
set -eu
list="$(dirname "$0")/packages.txt"
missing=
for pkg in $(sed -e 's/#.*//' "$list"); do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null) ||
		status=
	[ "$status" = installed ] || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0
echo "deps: installing:$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages and not root; run as root:" >&2
	echo "  apt-get install$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q $missing
