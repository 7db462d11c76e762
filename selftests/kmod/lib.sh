#!/bin/bash
# Shared by the kernel selftests: topology, background tools, assertions
# and KTAP output. Sourced by selftests/kmod/*.sh inside the test VM.
#
# Topology (fresh for every case):
#
#   phone  p1 10.9.1.1/24 fd00:9:1::1/64 --- eth0 10.9.1.2 fd00:9:1::2  proxy1
#          p2 10.9.2.1/24 fd00:9:2::1/64 --- eth0 10.9.2.2 fd00:9:2::2  proxy2
#
# proxy1 also owns, on lo, the address the phone's processes were given
# (VIP 10.9.0.10 / fd00:9::10) and another host's (OTHER 10.9.0.20 /
# fd00:9::20). The phone routes 10.9.0.0/24 and fd00:9::/64 to proxy1, so
# traffic the module leaves alone reaches VIP at proxy1; steered traffic
# reaches P1 (10.9.1.2) or P2 (10.9.2.2). Sinks bound to each address
# tell them apart.

SERVICE=sip
PORT=5060

n0() { ip netns exec phone "$@"; }
n1() { ip netns exec proxy1 "$@"; }
n2() { ip netns exec proxy2 "$@"; }
sst() { ip netns exec phone sipsteer "$@"; }

# ADDR PORT -> ADDR:PORT, IPv6 in brackets.
ap() { case "$1" in *:*) echo "[$1]:$2" ;; *) echo "$1:$2" ;; esac; }

# Address set of one family for the case: VIP OTHER P1 P2, and the
# phone's own address towards proxy1, PHONE.
# shellcheck disable=SC2034
use_family() {
	if [ "$1" = 6 ]; then
		VIP=fd00:9::10 OTHER=fd00:9::20 P1=fd00:9:1::2 P2=fd00:9:2::2
		PHONE=fd00:9:1::1
	else
		VIP=10.9.0.10 OTHER=10.9.0.20 P1=10.9.1.2 P2=10.9.2.2
		PHONE=10.9.1.1
	fi
}

# Batched `ip` commands: one process per namespace, not one per line
# (process start-up dominates the setup time under TCG). Neighbours are
# static: address resolution is not under test, and a lost first IPv6
# neighbour solicitation would stall a case for a second.
topo_up() {
	local ns
	for ns in phone proxy1 proxy2; do
		ip netns add "$ns"
	done
	ip -n phone -batch - <<-EOT
		link set lo up
		link add p1 address 02:09:01:00:00:01 type veth peer name eth0 address 02:09:01:00:00:02 netns proxy1
		link add p2 address 02:09:02:00:00:01 type veth peer name eth0 address 02:09:02:00:00:02 netns proxy2
		addr add 10.9.1.1/24 dev p1
		addr add fd00:9:1::1/64 dev p1 nodad
		addr add 10.9.2.1/24 dev p2
		addr add fd00:9:2::1/64 dev p2 nodad
		neigh add 10.9.1.2 lladdr 02:09:01:00:00:02 dev p1 nud permanent
		neigh add fd00:9:1::2 lladdr 02:09:01:00:00:02 dev p1 nud permanent
		neigh add 10.9.2.2 lladdr 02:09:02:00:00:02 dev p2 nud permanent
		neigh add fd00:9:2::2 lladdr 02:09:02:00:00:02 dev p2 nud permanent
		link set p1 up
		link set p2 up
		route add 10.9.0.0/24 via 10.9.1.2
		route add fd00:9::/64 via fd00:9:1::2
	EOT
	# Steered packets keep the phone's p1 source address: the proxies
	# route back through the phone.
	ip -n proxy1 -batch - <<-EOT
		link set lo up
		addr add 10.9.1.2/24 dev eth0
		addr add fd00:9:1::2/64 dev eth0 nodad
		addr add 10.9.0.10/32 dev lo
		addr add 10.9.0.20/32 dev lo
		addr add fd00:9::10/128 dev lo nodad
		addr add fd00:9::20/128 dev lo nodad
		neigh add 10.9.1.1 lladdr 02:09:01:00:00:01 dev eth0 nud permanent
		neigh add fd00:9:1::1 lladdr 02:09:01:00:00:01 dev eth0 nud permanent
		link set eth0 up
		route add default via 10.9.1.1
		route add default via fd00:9:1::1
	EOT
	ip -n proxy2 -batch - <<-EOT
		link set lo up
		addr add 10.9.2.2/24 dev eth0
		addr add fd00:9:2::2/64 dev eth0 nodad
		neigh add 10.9.2.1 lladdr 02:09:02:00:00:01 dev eth0 nud permanent
		neigh add fd00:9:2::1 lladdr 02:09:02:00:00:01 dev eth0 nud permanent
		link set eth0 up
		route add default via 10.9.2.1
		route add default via fd00:9:2::1
	EOT
	wait_links_up phone:2 proxy1:1 proxy2:1
}

# wait_links_up NS:N...: until N veth links of each NS are operationally
# up. Link watch brings carrier up asynchronously; packets sent before
# that are dropped (IPv6 neighbour discovery loses its first probes).
wait_links_up() {
	local i spec ok
	for i in $(seq 100); do
		ok=1
		for spec in "$@"; do
			[ "$(ip -n "${spec%:*}" -o link show type veth up |
				grep -c 'state UP')" -ge "${spec#*:}" ] || ok=
		done
		[ -n "$ok" ] && return 0
		sleep 0.05
	done
	fail "links did not come up: $(ip -all -o netns exec ip -o link)"
}

topo_down() {
	ip -all netns delete
}

# Background tools: bg NAME NS CMD... runs CMD in NS with its output in
# $T/NAME.out; wait_ready NAME waits for its "ready" line; stop NAME
# sends SIGTERM and waits, so $T/NAME.out is complete.
declare -A BG_PIDS
bg() {
	local name=$1 ns=$2
	shift 2
	ip netns exec "$ns" "$@" > "$T/$name.out" 2>&1 &
	BG_PIDS[$name]=$!
}

wait_ready() {
	local i
	for i in $(seq 100); do
		grep -q '^ready' "$T/$1.out" 2>/dev/null && return 0
		sleep 0.05
	done
	fail "$1 did not start: $(cat "$T/$1.out")"
}

stop() {
	local name pid
	for name in "$@"; do
		pid=${BG_PIDS[$name]}
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		unset "BG_PIDS[$name]"
	done
}

# Start a UDP sink NAME in NS on ADDR:PORT (extra args: -e to echo).
sink() {
	local name=$1 ns=$2 addr=$3
	shift 3
	bg "$name" "$ns" udpsink -l "$addr" "$@"
	wait_ready "$name"
}

# Counter KEY of the service (from `sipsteer -j stats`), in NS (phone).
stat() {
	ip netns exec "${2:-phone}" sipsteer -j stats "$SERVICE" |
		grep -o "\"$1\": *[0-9]*" | grep -o '[0-9]*$'
}

# Value of KEY=VALUE in FILE (the last one).
kv() { sed -n "s/.*\\b$2=\\([^ ]*\\).*/\\1/p" "$1" | tail -n 1; }
# Datagrams a sink received (stop it first: stop NAME...).
received() { kv "$T/$1.out" received; }

fail() {
	echo "FAIL: $*"
	exit 1
}
expect_eq() { [ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"; }
expect_ge() { [ "${1:-0}" -ge "$2" ] || fail "$3: got '$1', want >= $2"; }
expect_le() { [ "${1:-0}" -le "$2" ] || fail "$3: got '$1', want <= $2"; }

# Microseconds since the epoch, comparable with the tools' *_ns / 1000.
now_us() { echo "${EPOCHREALTIME/./}"; }

# A service matching VIP:5060 over UDP and TCP, both families.
add_service() {
	sst service add "$SERVICE" \
		endpoint udp "$(ap 10.9.0.10 $PORT)" \
		endpoint tcp "$(ap 10.9.0.10 $PORT)" \
		endpoint udp "$(ap fd00:9::10 $PORT)" \
		endpoint tcp "$(ap fd00:9::10 $PORT)" "$@"
}

case_cleanup() {
	local pid
	set +eE
	trap - ERR
	for pid in "${BG_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	wait 2>/dev/null
	topo_down
	rm -rf "$T"
}

# ktap_run "CASE ARGS" ...: each case function case_CASE runs with ARGS in
# a subshell with `set -e` and a fresh topology; its output becomes KTAP
# diagnostics. The script's exit status is non-zero if a case failed.
ktap_run() {
	local i=0 failed=0 spec rc start
	echo "KTAP version 1"
	echo "1..$#"
	for spec in "$@"; do
		i=$((i + 1))
		start=$(now_us)
		# shellcheck disable=SC2086
		(
			set -eE
			trap 'echo "FAIL: ${BASH_SOURCE[0]##*/}:$LINENO: $BASH_COMMAND"' ERR
			T=$(mktemp -d)
			trap case_cleanup EXIT
			topo_up
			case_$spec
		) 2>&1 | sed -u 's/^/# /'
		rc=${PIPESTATUS[0]}
		echo "# $spec: $(( ($(now_us) - start) / 1000 )) ms"
		if [ "$rc" -eq 0 ]; then
			echo "ok $i $spec"
		else
			echo "not ok $i $spec"
			failed=$((failed + 1))
		fi
	done
	[ "$failed" -eq 0 ]
}
