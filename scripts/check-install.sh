#!/bin/bash
# `make install DESTDIR=...` puts every file where the admin guide says,
# the module where modprobe looks for the kernel it was built for, and
# the init files work: the systemd unit passes systemd-analyze, the
# busybox init script starts, reloads, reports and stops the installed
# daemon, and the DKMS source tree builds the module with dkms.conf's
# own command for each KDIR.
# usage: check-install.sh DESTDIR KVER RESULT_FILE [KDIR...]
set -u
dest=$1
kver=$2
result=$3
shift 3
passed=0
failed=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sipsteer-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

check() {
	if [ "$2" -eq 0 ]; then
		echo "ok - $1"
		passed=$((passed + 1))
	else
		echo "not ok - $1"
		failed=$((failed + 1))
	fi
}

for f in usr/sbin/sipsteer usr/sbin/sipsteerd etc/init.d/S50sipsteerd; do
	[ -x "$dest/$f" ]
	check "$f installed and executable" $?
done
for f in usr/share/man/man8/sipsteer.8 usr/share/man/man8/sipsteerd.8 \
	usr/share/doc/sipsteer/examples/phone.cfg \
	usr/share/doc/sipsteer/admin-guide.md \
	lib/systemd/system/sipsteerd.service lib/modules-load.d/sipsteer.conf; do
	[ -f "$dest/$f" ]
	check "$f installed" $?
done
ko=$dest/lib/modules/$kver/updates/sipsteer.ko
magic=$(modinfo -F vermagic "$ko" 2>/dev/null | cut -d' ' -f1)
[ -n "$kver" ] && [ "$magic" = "$kver" ]
check "module under lib/modules/$kver/updates, built for $kver" $?

# The example is valid and every key in it is known (no warning).
daemon=$dest/usr/sbin/sipsteerd
"$daemon" --check-config --config "$dest/usr/share/doc/sipsteer/examples/phone.cfg" \
	> "$tmp/effective" 2> "$tmp/warnings"
rc=$?
cat "$tmp/warnings"
[ $rc -eq 0 ] && [ ! -s "$tmp/warnings" ] &&
	grep -q '^voip/line/1/enabled=1$' "$tmp/effective"
check "examples/phone.cfg: valid, no unknown key, two lines" $?

# Placeholders replaced by the install paths.
! grep -q '@[A-Z]*@' "$dest/lib/systemd/system/sipsteerd.service" \
	"$dest/etc/init.d/S50sipsteerd" &&
	grep -q '^ExecStart=/usr/sbin/sipsteerd --config /etc/sipsteerd.conf$' \
		"$dest/lib/systemd/system/sipsteerd.service" &&
	grep -qF "DAEMON=\${DAEMON:-/usr/sbin/sipsteerd}" \
		"$dest/etc/init.d/S50sipsteerd"
check "unit and init script name the installed daemon and config" $?

# systemd-analyze prints a line for every problem and still exits 0 for
# most of them; point the unit at the staged daemon so it can be found.
sed "s|=/usr/sbin/|=$dest/usr/sbin/|" \
	"$dest/lib/systemd/system/sipsteerd.service" > "$tmp/sipsteerd.service"
systemd-analyze verify --man=no "$tmp/sipsteerd.service" > "$tmp/verify" 2>&1
rc=$?
cat "$tmp/verify"
[ $rc -eq 0 ] && [ ! -s "$tmp/verify" ]
check "sipsteerd.service passes systemd-analyze verify" $?
grep -q '^CapabilityBoundingSet=CAP_NET_ADMIN$' "$tmp/sipsteerd.service" &&
	grep -q '^Restart=on-failure$' "$tmp/sipsteerd.service" &&
	grep -qFx "ExecReload=/bin/kill -HUP \$MAINPID" "$tmp/sipsteerd.service"
check "sipsteerd.service: CAP_NET_ADMIN only, restart on failure, HUP reload" $?

# The init script, run by dash with Debian's start-stop-daemon and by
# busybox sh with busybox's applets, against the installed daemon. The
# line registers at a closed loopback port: the daemon keeps running.
cat > "$tmp/phone.conf" <<EOT
voip/line/0/enabled=1
voip/line/0/id=2001
voip/signalling/sip/proxy_address=127.0.0.1
voip/signalling/sip/proxy_port=9
voip/signalling/sip/registration_failed_timeout=600
voip/signalling/sip/steering/enabled=0
EOT
mkdir -p "$tmp/bb"
ln -s "$(command -v busybox)" "$tmp/bb/start-stop-daemon"
initscript() {
	DAEMON=$daemon CONFIG=$tmp/phone.conf PIDFILE=$tmp/pid MODULES='' \
		SOCKET=$tmp/sock SIPSTEERD_ARGS='' PATH=$path \
		$shell "$dest/etc/init.d/S50sipsteerd" "$@"
}
for shell in sh busybox; do
	path=$PATH
	[ "$shell" = busybox ] && { shell="busybox sh"; path=$tmp/bb:$PATH; }
	initscript start > "$tmp/out" 2>&1
	rc=$?
	pid=$(cat "$tmp/pid" 2>/dev/null)
	[ $rc -eq 0 ] && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
	check "S50sipsteerd start ($shell): daemon running" $?
	initscript status > "$tmp/out" 2>&1 && grep -q '^line 0: 2001@' "$tmp/out"
	check "S50sipsteerd status ($shell): sipsteerd --status answers" $?
	initscript reload > "$tmp/out" 2>&1 && sleep 0.3 &&
		[ "$(cat "$tmp/pid")" = "$pid" ] && kill -0 "$pid" 2>/dev/null
	check "S50sipsteerd reload ($shell): same daemon, still running" $?
	initscript stop > "$tmp/out" 2>&1
	rc=$?
	[ $rc -eq 0 ] && ! kill -0 "$pid" 2>/dev/null && [ ! -e "$tmp/pid" ]
	check "S50sipsteerd stop ($shell): daemon gone, pid file removed" $?
	initscript status > /dev/null 2>&1
	[ $? -eq 3 ]
	check "S50sipsteerd status ($shell): 3 when stopped" $?
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
done

# DKMS: the source tree make install-dkms writes, built the way
# dkms.conf says, for each kernel tree given. A tree whose compiler this
# host lacks gets the make variables that stand in for it
# (scripts/kmake.sh: bullseye's gcc-10 is bookworm's gcc-12).
src=$(find "$dest/usr/src" -maxdepth 1 -name 'sipsteer-*' | head -n 1)
project=$(cd "$(dirname "$0")/.." && pwd)
for kdir in "$@"; do
	: > "$tmp/dkms.log"
	(
		set -e
		vars=$("$project/scripts/kmake.sh" "$kdir")
		# shellcheck disable=SC2034 # read by dkms.conf's MAKE
		kernel_source_dir=$kdir
		dkms_tree=$tmp/dkms
		# shellcheck source=/dev/null
		. "$src/dkms.conf"
		build=$dkms_tree/$PACKAGE_NAME/$PACKAGE_VERSION/build
		rm -rf "$dkms_tree"
		mkdir -p "$(dirname "$build")"
		cp -r "$src" "$build"
		eval "${MAKE[0]}" "$vars" >> "$tmp/dkms.log" 2>&1
		modinfo -F name "$build/${BUILT_MODULE_LOCATION[0]}/${BUILT_MODULE_NAME[0]}.ko" |
			grep -qx "${BUILT_MODULE_NAME[0]}"
	) 2>> "$tmp/dkms.log"
	rc=$?
	[ $rc -eq 0 ] || tail -n 20 "$tmp/dkms.log"
	check "install-dkms source builds with dkms.conf's MAKE for $(basename "$kdir")" $rc
done

echo "$passed passed, $failed failed" | tee "$result"
[ "$failed" -eq 0 ]
