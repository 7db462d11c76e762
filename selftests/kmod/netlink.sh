#!/bin/bash
# The netlink interface refuses bad input with an error and an extack
# message, refuses unprivileged callers, and logs nothing of its own for
# either.
. "$(dirname "$0")/lib.sh"

dmesg_lines() { dmesg | wc -l; }
# Kernel log lines since line $1, without the topology's own link-up
# messages and TCG timer complaints, which arrive asynchronously, and the
# netlink core's own (ratelimited) lines about a wrongly sized integer
# attribute or bytes after the last attribute.
core_lines="netlink: '[^']*': attribute type [0-9]+ has an invalid length\.$"
core_lines+="|netlink: [0-9]+ bytes leftover after parsing attributes in process"
core_lines+="|(validate_nla|__nla_validate_parse): [0-9]+ callbacks suppressed$"
expect_quiet_log() {
	local noise
	noise=$(dmesg | tail -n +"$(($1 + 1))" |
		grep -v 'ADDRCONF\|hrtimer: interrupt took' |
		grep -Ev "$core_lines" || true)
	[ -z "$noise" ] || fail "kernel log noise: $noise"
}

# Malformed, oversized, unknown and out-of-range requests and the
# per-namespace service limit (nlfuzz).
case_malformed_requests() {
	local before
	before=$(dmesg_lines)
	n0 nlfuzz
	expect_quiet_log "$before"
}

# Random requests for 15 s: each answered, the family still works after.
case_random_requests() {
	local before
	add_service active 10.9.2.2:$PORT
	before=$(dmesg_lines)
	n0 nlrandom -t 15
	sst show "$SERVICE" | grep -q 10.9.2.2 || fail "the service changed"
	expect_quiet_log "$before"
}

# CMD... as root of a new user namespace that owns a new network
# namespace, as in a container. The VM's tests run chrooted, and a
# chrooted process may not create a user namespace: PID 1's busybox, in
# the real root (nsenter --root), makes the namespaces, then chroots back
# into the tests' root (SIPSTEER_VM_ROOT, from /init: the host's, or the
# guest architecture's own userspace).
as_userns_root() {
	nsenter --target 1 --root -- /bin/busybox unshare --user \
		--map-root-user --net /bin/busybox \
		chroot "${SIPSTEER_VM_ROOT:?not in the test VM}" "$@"
}

# Root of a user namespace that owns its network namespace (a container)
# manages its own services; FLOWS_FLUSH is refused: it would walk the
# conntrack table every namespace shares.
case_userns_root() {
	local before
	before=$(dmesg_lines)
	as_userns_root "$(command -v nlfuzz)" -n
	as_userns_root "$(command -v sipsteer)" flows flush "$SERVICE" \
		2> "$T/err" && fail "flush from a user namespace succeeded"
	cat "$T/err"
	grep -q 'Operation not permitted' "$T/err" || fail "no EPERM text"
	expect_quiet_log "$before"
}

# Without CAP_NET_ADMIN (as nobody, and as root with the capability
# dropped): mutations get EPERM, reads work.
case_unprivileged_eperm() {
	local before
	add_service active 10.9.2.2:$PORT
	before=$(dmesg_lines)
	n0 setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all --bounding-set=-all nlfuzz -u
	n0 setpriv --inh-caps=-net_admin --bounding-set=-net_admin nlfuzz -u
	if n0 setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all --bounding-set=-all \
		sipsteer service set "$SERVICE" inactive 2> "$T/err"; then
		fail "unprivileged set succeeded"
	fi
	cat "$T/err"
	grep -q 'Operation not permitted' "$T/err" || fail "no EPERM text"
	n0 setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all --bounding-set=-all sipsteer show "$SERVICE" |
		grep -q "$SERVICE" || fail "unprivileged show failed"
	sst show "$SERVICE" | grep -q 10.9.2.2 ||
		fail "the service changed"
	expect_quiet_log "$before"
}

# The CLI reports the kernel's reason, with its documented exit codes.
case_cli_errors() {
	local rc
	add_service
	rc=0
	sst service set nosuch active 10.9.2.2:$PORT 2> "$T/err" || rc=$?
	cat "$T/err"
	expect_eq "$rc" 1 "exit code for an unknown service"
	rc=0
	add_service 2> "$T/err" || rc=$?
	cat "$T/err"
	expect_eq "$rc" 1 "exit code for a duplicate service"
	rc=0
	sst service set "$SERVICE" active 10.9.2.2:$PORT expect-gen 999999 \
		2> "$T/err" || rc=$?
	cat "$T/err"
	expect_eq "$rc" 4 "exit code for a stale generation"
	rc=0
	sst service set "$SERVICE" bogus 2> "$T/err" || rc=$?
	expect_eq "$rc" 2 "exit code for a usage error"
}

ktap_run malformed_requests random_requests unprivileged_eperm userns_root \
	cli_errors
