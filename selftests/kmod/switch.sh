#!/bin/bash
# Switching: once `sipsteer service set` returns, every datagram goes to
# the new target (long-lived 5-tuples move on their very next packet, and
# no datagram from the old proxy can keep one there) and established TCP
# connections to the old target fail within a second, so their owners
# reconnect and are steered.
. "$(dirname "$0")/lib.sh"

# switch_under_traffic FAMILY [udpsend flags]: 4 s of traffic at 1000
# datagrams/s, switched from proxy1 to proxy2 after 1.5 s. No datagram
# sent after the switch returned may reach proxy1, and every one reaches
# a proxy but those the module refused: NATed to proxy1 just before the
# switch and not yet confirmed by conntrack when it was made.
switch_under_traffic() {
	local t_switch sent at1 at2 last1
	use_family "$1"
	shift
	add_service active 10.9.1.2:$PORT active "[fd00:9:1::2]:$PORT"
	sink p1 proxy1 "$(ap "$P1" $PORT)"
	sink p2 proxy2 "$(ap "$P2" $PORT)"
	bg send phone udpsend -d "$(ap "$VIP" $PORT)" -r 1000 -t 4 "$@"
	sleep 1.5
	sst service set "$SERVICE" active 10.9.2.2:$PORT \
		active "[fd00:9:2::2]:$PORT"
	t_switch=$(now_us)
	wait "${BG_PIDS[send]}"
	stop p1 p2
	cat "$T/send.out" "$T/p1.out" "$T/p2.out"
	sent=$(kv "$T/send.out" sent)
	at1=$(received p1)
	at2=$(received p2)
	last1=$(kv "$T/p1.out" max_sent_ns)
	expect_ge "$at1" 1 "datagrams at proxy1 before the switch"
	expect_ge "$at2" 1 "datagrams at proxy2 after the switch"
	expect_eq "$((at1 + at2 + $(stat flows_refused)))" "$sent" \
		"datagrams received or refused in total"
	expect_le "$((last1 / 1000))" "$t_switch" \
		"send time (us) of the newest datagram at proxy1"
}

case_switch_long_lived_flow() { switch_under_traffic "$1" -s 40000; }
case_switch_fresh_flows() { switch_under_traffic "$1" -f; }

# An established connection to proxy1 is failed within 1 s of the
# switch; the reconnect lands on proxy2.
case_tcp_failed_and_reconnected() {
	local t_switch t_error i
	use_family "$1"
	add_service active 10.9.1.2:$PORT active "[fd00:9:1::2]:$PORT"
	bg s1 proxy1 tcpecho -l "$(ap "$P1" $PORT)" -b proxy1
	bg s2 proxy2 tcpecho -l "$(ap "$P2" $PORT)" -b proxy2
	wait_ready s1
	wait_ready s2
	bg client phone tcpclient -c "$(ap "$VIP" $PORT)" -i 20
	for i in $(seq 100); do
		grep -q 'banner=proxy1' "$T/client.out" && break
		sleep 0.05
	done
	grep -q 'banner=proxy1' "$T/client.out" || fail "no reply from proxy1"
	sst service set "$SERVICE" active 10.9.2.2:$PORT \
		active "[fd00:9:2::2]:$PORT"
	t_switch=$(now_us)
	for i in $(seq 100); do
		grep -q 'banner=proxy2' "$T/client.out" && break
		sleep 0.05
	done
	stop client
	cat "$T/client.out"
	grep -q 'banner=proxy2' "$T/client.out" ||
		fail "the reconnect did not reach proxy2"
	t_error=$(sed -n 's/^error \([0-9]*\) .*/\1/p' "$T/client.out" |
		head -n 1)
	[ -n "$t_error" ] || fail "the connection to proxy1 was not failed"
	echo "connection failed $(( (t_error / 1000 - t_switch) / 1000 )) ms after the switch returned"
	expect_le "$((t_error / 1000))" "$((t_switch + 1000000))" \
		"error time (us)"
}

# Switching back and forth: each direction moves the same 5-tuple.
case_switch_back_and_forth() {
	local i
	use_family "$1"
	add_service
	sink p1 proxy1 "$(ap "$P1" $PORT)"
	sink p2 proxy2 "$(ap "$P2" $PORT)"
	for i in 1 2 3; do
		sst service set "$SERVICE" active "$(ap "$P1" $PORT)"
		n0 udpsend -d "$(ap "$VIP" $PORT)" -c 2 -s 40000 > /dev/null
		sst service set "$SERVICE" active "$(ap "$P2" $PORT)"
		n0 udpsend -d "$(ap "$VIP" $PORT)" -c 3 -s 40000 > /dev/null
	done
	stop p1 p2
	expect_eq "$(received p1)" 6 "datagrams at proxy1"
	expect_eq "$(received p2)" 9 "datagrams at proxy2"
	expect_ge "$(stat flushes)" 6 "flushes counter"
}

# stray: 300 switches as the controller makes them (P1 found dead: P1
# becomes an endpoint, P2 the target; P1 back: no endpoint, P1 the target;
# with a virtual address as a further endpoint when asked). After each,
# the old proxy sends the phone's 5060 a datagram from its 5060 (or P1
# a request, making the flow an inbound entry), then the phone sends 3
# datagrams on its 5060 <-> P1:5060 flow: every one reaches the target of
# the moment. $2 = race: P1 sends to the phone's 5060 every 200 us
# throughout, racing each switch.
run_stray() {
	local family=$1 mode=$2 rc=0 args=(-n 150)
	use_family "$family"
	[ "$mode" = vip ] && args+=(-v "$VIP")
	[ "$mode" = race ] && args+=(-r -n 100)
	n0 stray -s "$SERVICE" -P "$PHONE" -1 "$P1" -2 "$P2" "${args[@]}" \
		> "$T/stray.out" || rc=$?
	cat "$T/stray.out"
	sst stats "$SERVICE"
	expect_eq "$(kv "$T/stray.out" misdelivered)" 0 \
		"datagrams that reached the other proxy"
	expect_eq "$(kv "$T/stray.out" lost)" 0 "datagrams lost"
	[ "$mode" = race ] || {
		expect_eq "$(kv "$T/stray.out" switches)" 301 "switches"
		expect_eq "$(kv "$T/stray.out" strays_in)" 0 \
			"strays from a dead P1 that reached the phone"
		expect_eq "$(stat flows_refused)" 150 "flows_refused counter"
	}
	expect_eq "$rc" 0 "stray's exit status"
}

case_stray_datagrams() { run_stray "$1" "${2:-}"; }
case_stray_racing() { run_stray "$1" race; }

ktap_run "switch_long_lived_flow 4" "switch_long_lived_flow 6" \
	"switch_fresh_flows 4" "switch_fresh_flows 6" \
	"tcp_failed_and_reconnected 4" "tcp_failed_and_reconnected 6" \
	"switch_back_and_forth 4" "switch_back_and_forth 6" \
	"stray_datagrams 4" "stray_datagrams 6" "stray_datagrams 4 vip" \
	"stray_racing 4" "stray_racing 6"
