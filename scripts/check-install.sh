#!/bin/sh
# `make install DESTDIR=...` puts every file where the README says, and
# the module where modprobe looks for the kernel it was built for.
# usage: check-install.sh DESTDIR KVER RESULT_FILE
set -u
dest=$1
kver=$2
result=$3
passed=0
failed=0

check() {
	if [ "$2" -eq 0 ]; then
		echo "ok - $1"
		passed=$((passed + 1))
	else
		echo "not ok - $1"
		failed=$((failed + 1))
	fi
}

for f in usr/sbin/sipsteer usr/sbin/sipsteerd; do
	[ -x "$dest/$f" ]
	check "$f installed and executable" $?
done
for f in usr/share/man/man8/sipsteer.8 usr/share/man/man8/sipsteerd.8; do
	[ -f "$dest/$f" ]
	check "$f installed" $?
done
ko=$dest/lib/modules/$kver/updates/sipsteer.ko
magic=$(modinfo -F vermagic "$ko" 2>/dev/null | cut -d' ' -f1)
[ -n "$kver" ] && [ "$magic" = "$kver" ]
check "module under lib/modules/$kver/updates, built for $kver" $?

echo "$passed passed, $failed failed" | tee "$result"
[ "$failed" -eq 0 ]
