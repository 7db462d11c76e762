#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the daemon's integration topics, each in a network namespace of its
# own, and sum their "ok N" / "not ok N" lines into RESULT_FILE, whose last
# line is "N passed, N failed". A topic that dies early counts its missing
# cases as failed; a missing daemon fails every case that needs it.
#
# Usage: run.sh RESULT_FILE SIPSTEERD [TOPIC...]
# Env: IT_TIMEOUT (seconds per topic, default 240), IT_LOGDIR (logs of
# failed topics; default next to RESULT_FILE), IT_VERBOSE=1 keeps all logs.
set -u

result=$1
daemon=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
[ $# -gt 0 ] || set -- peers register auth tls discovery failback outbound dns-stale \
	reload shutdown valgrind
timeout_s=${IT_TIMEOUT:-240}
logdir=${IT_LOGDIR:-$(dirname "$result")/integration-logs}
rm -rf "$logdir"
mkdir -p "$logdir" "$(dirname "$result")"
: >"$result"

# A private network namespace (and, without root, a user namespace to
# own it): fixed loopback ports, nothing shared with the host.
if [ "$(id -u)" -eq 0 ]; then
	netns="unshare --net"
else
	netns="unshare --net --map-root-user"
fi
if ! $netns -- true 2>/dev/null; then
	echo "# integration: no network namespace ($netns failed):" \
		"the host's loopback is used, ports may collide" | tee -a "$result"
	netns=env
fi

passed=0
failed=0
t_start=$(date +%s)
for topic in "$@"; do
	script=$here/$topic.sh
	out=$logdir/$topic.tap
	t0=$(date +%s)
	SIPSTEERD=$daemon IT_LOGDIR=$logdir \
		timeout -k 10 "$timeout_s" $netns -- bash -c \
		'ip link set lo up 2>/dev/null; exec bash "$0"' "$script" \
		>"$out" 2>&1
	rc=$?
	t1=$(date +%s)
	planned=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$out" | head -n 1)
	p=$(grep -c '^ok ' "$out")
	f=$(grep -c '^not ok ' "$out")
	sed -e "s/^/$topic: /" "$out" | grep -E "^$topic: (ok|not ok|#)"
	[ -n "$planned" ] || planned=1
	if [ $((p + f)) -lt "$planned" ]; then
		echo "$topic: not ok: $((planned - p - f)) case(s) did not run (exit $rc)"
		tail -n 5 "$out" | sed -e "s/^/$topic: # /"
		f=$((planned - p))
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "$topic: not ok: exited $rc"
		f=$((f + 1))
	fi
	echo "$topic: $p passed, $f failed ($((t1 - t0)) s)"
	passed=$((passed + p))
	failed=$((failed + f))
	{
		grep -E '^(ok|not ok) ' "$out" | sed -e "s/^/$topic: /"
	} >>"$result"
done
echo "# integration: $(($(date +%s) - t_start)) s" >>"$result"
echo "$passed passed, $failed failed" | tee -a "$result"
[ "$failed" -eq 0 ]
