#!/bin/bash
# Steering: new UDP and TCP flows to a match endpoint go to the active
# target and the replies come back from the address the process used;
# everything else is left alone.
. "$(dirname "$0")/lib.sh"

# Datagrams to VIP:5060 reach proxy2, echoes come from VIP:5060.
case_udp_steering() {
	use_family "$1"
	add_service active 10.9.2.2:$PORT active "[fd00:9:2::2]:$PORT"
	sink vip proxy1 "$(ap "$VIP" $PORT)" -e
	sink p2 proxy2 "$(ap "$P2" $PORT)" -e
	n0 udpsend -d "$(ap "$VIP" $PORT)" -c 20 -e > "$T/send.out"
	cat "$T/send.out"
	expect_eq "$(kv "$T/send.out" replies)" 20 "echoes"
	expect_eq "$(kv "$T/send.out" reply_from)" "$(ap "$VIP" $PORT)" \
		"reply source"
	stop p2 vip
	expect_eq "$(received p2)" 20 "datagrams at proxy2"
	expect_eq "$(received vip)" 0 "datagrams at the original address"
	expect_ge "$(stat flows_steered)" 1 "flows_steered counter"
}

# A TCP connection to VIP:5060 is served by proxy2 and its peer address
# is still VIP:5060.
case_tcp_steering() {
	use_family "$1"
	add_service active 10.9.2.2:$PORT active "[fd00:9:2::2]:$PORT"
	bg vip proxy1 tcpecho -l "$(ap "$VIP" $PORT)" -b vip
	bg p2 proxy2 tcpecho -l "$(ap "$P2" $PORT)" -b proxy2
	wait_ready vip
	wait_ready p2
	n0 tcpclient -c "$(ap "$VIP" $PORT)" -n > "$T/client.out"
	cat "$T/client.out"
	grep -qF " peer=$(ap "$VIP" $PORT)" "$T/client.out" ||
		fail "peer address is not the original one"
	grep -q '^reply .* banner=proxy2$' "$T/client.out" ||
		fail "not served by proxy2"
}

# Another port, another address, the other protocol: untouched.
case_unmatched_untouched() {
	use_family "$1"
	sst service add "$SERVICE" endpoint udp "$(ap "$VIP" $PORT)" \
		active "$(ap "$P2" $PORT)"
	sink p2 proxy2 "$(ap "$P2" $PORT)"
	sink port proxy1 "$(ap "$VIP" 4000)"
	sink other proxy1 "$(ap "$OTHER" $PORT)"
	bg tcp proxy1 tcpecho -l "$(ap "$VIP" $PORT)" -b original
	wait_ready tcp
	n0 udpsend -d "$(ap "$VIP" 4000)" -c 10 > /dev/null
	n0 udpsend -d "$(ap "$OTHER" $PORT)" -c 10 > /dev/null
	n0 tcpclient -c "$(ap "$VIP" $PORT)" -n > "$T/client.out"
	grep -q '^reply .* banner=original$' "$T/client.out" ||
		fail "TCP to a UDP-only service was steered: $(cat "$T/client.out")"
	stop port other p2
	expect_eq "$(received port)" 10 "datagrams to another port"
	expect_eq "$(received other)" 10 "datagrams to another address"
	expect_eq "$(received p2)" 0 "datagrams at the target"
	expect_eq "$(stat flows_steered)" 0 "flows_steered counter"
}

# Packets carrying the bypass mark (under its mask) go where they were
# sent: the controller probes proxies this way.
case_bypass_mark() {
	use_family "$1"
	add_service bypass-mark 0x500/0xf00 active 10.9.2.2:$PORT \
		active "[fd00:9:2::2]:$PORT"
	sink vip proxy1 "$(ap "$VIP" $PORT)"
	sink p2 proxy2 "$(ap "$P2" $PORT)"
	n0 udpsend -d "$(ap "$VIP" $PORT)" -c 10 -m 0x5ff > /dev/null
	n0 udpsend -d "$(ap "$VIP" $PORT)" -c 7 -m 0x4ff > /dev/null
	stop vip p2
	expect_eq "$(received vip)" 10 "marked datagrams at the original"
	expect_eq "$(received p2)" 7 "datagrams with another mark at proxy2"
	expect_ge "$(stat flows_bypassed)" 1 "flows_bypassed counter"
}

# No active target: pass through. Deactivating moves a steered flow
# back to the original destination on its next datagram.
case_inactive_passthrough() {
	local dst
	use_family "$1"
	dst=$(ap "$VIP" $PORT)
	add_service
	sink vip proxy1 "$dst"
	sink p2 proxy2 "$(ap "$P2" $PORT)"
	n0 udpsend -d "$dst" -c 5 -s 40000 > /dev/null
	sst service set "$SERVICE" active "$(ap "$P2" $PORT)"
	n0 udpsend -d "$dst" -c 6 -s 40000 > /dev/null
	sst service set "$SERVICE" inactive
	n0 udpsend -d "$dst" -c 7 -s 40000 > /dev/null
	stop vip p2
	expect_eq "$(received vip)" 12 "datagrams at the original"
	expect_eq "$(received p2)" 6 "datagrams at proxy2 while active"
	expect_ge "$(stat flows_passed)" 1 "flows_passed counter"
}

# A target with a port rewrites the port; without one, keeps it.
case_target_port() {
	use_family "$1"
	add_service active "$(ap "$P2" 5080)"
	sink p2 proxy2 "$(ap "$P2" 5080)"
	sink p2same proxy2 "$(ap "$P2" $PORT)"
	n0 udpsend -d "$(ap "$VIP" $PORT)" -c 4 > /dev/null
	sst service set "$SERVICE" active "$P2"
	n0 udpsend -d "$(ap "$VIP" $PORT)" -c 3 > /dev/null
	stop p2 p2same
	expect_eq "$(received p2)" 4 "datagrams at the rewritten port"
	expect_eq "$(received p2same)" 3 "datagrams at the kept port"
}

ktap_run "udp_steering 4" "udp_steering 6" "tcp_steering 4" \
	"tcp_steering 6" "unmatched_untouched 4" "unmatched_untouched 6" \
	"bypass_mark 4" "bypass_mark 6" "inactive_passthrough 4" \
	"inactive_passthrough 6" "target_port 4" "target_port 6"
