#!/bin/bash
# Concurrency and module lifetime: updates racing with traffic, rmmod
# under live steered flows, repeated load and unload.
. "$(dirname "$0")/lib.sh"

# Two writers switch the service back and forth as fast as netlink
# allows, a third replaces it and reads it back, for 10 s, while UDP and
# TCP traffic flows. Every request must succeed and every datagram must
# arrive at one of the targets, but those refused for being NATed from a
# table a switch replaced before conntrack confirmed them.
case_concurrent_updates() {
	local sent at1 at2 end
	add_service active 10.9.1.2:$PORT
	sink p1 proxy1 10.9.1.2:$PORT
	sink p2 proxy2 10.9.2.2:$PORT
	bg s1 proxy1 tcpecho -l 10.9.1.2:$PORT -b proxy1
	bg s2 proxy2 tcpecho -l 10.9.2.2:$PORT -b proxy2
	wait_ready s1
	wait_ready s2
	bg long phone udpsend -d 10.9.0.10:$PORT -r 500 -t 10 -s 40000
	bg fresh phone udpsend -d 10.9.0.10:$PORT -r 200 -t 10 -f
	bg tcp phone tcpclient -c 10.9.0.10:$PORT -i 10 -t 10
	bg w1 phone switchlat -s "$SERVICE" -a 10.9.1.2:$PORT \
		-b 10.9.2.2:$PORT -L 10
	bg w2 phone switchlat -s "$SERVICE" -a 10.9.2.2:$PORT \
		-b 10.9.1.2:$PORT -L 10
	end=$(( $(now_us) + 10000000 ))
	while [ "$(now_us)" -lt "$end" ]; do
		if add_service > /dev/null 2>&1; then
			fail "a duplicate add succeeded"
		fi
		sst service replace "$SERVICE" endpoint udp 10.9.0.10:$PORT \
			endpoint tcp 10.9.0.10:$PORT active 10.9.2.2:$PORT
		sst -j show > /dev/null
		sst -j stats > /dev/null
	done
	wait "${BG_PIDS[w1]}" || fail "writer 1: $(cat "$T/w1.out")"
	wait "${BG_PIDS[w2]}" || fail "writer 2: $(cat "$T/w2.out")"
	wait "${BG_PIDS[long]}" "${BG_PIDS[fresh]}" "${BG_PIDS[tcp]}"
	stop p1 p2 s1 s2
	cat "$T/w1.out" "$T/w2.out" "$T/long.out" "$T/fresh.out" \
		"$T/p1.out" "$T/p2.out"
	tail -n 1 "$T/tcp.out"
	sent=$(( $(kv "$T/long.out" sent) + $(kv "$T/fresh.out" sent) ))
	at1=$(received p1)
	at2=$(received p2)
	expect_ge "$at1" 1 "datagrams at proxy1"
	expect_ge "$at2" 1 "datagrams at proxy2"
	sst show "$SERVICE"
	sst stats "$SERVICE"
	# Refused counts TCP connection attempts too: a bound, not a sum.
	expect_ge "$((sent - at1 - at2))" 0 "datagrams lost"
	expect_le "$((sent - at1 - at2))" "$(stat flows_refused)" \
		"datagrams lost (at most the refused flows)"
}

# rmmod while steered flows run: the module leaves no NAT behind, so the
# flow's next datagrams go to the original destination.
case_rmmod_live_flows() {
	local t_unload late i
	add_service active 10.9.2.2:$PORT
	sink vip proxy1 10.9.0.10:$PORT
	sink p2 proxy2 10.9.2.2:$PORT
	bg tcp proxy2 tcpecho -l 10.9.2.2:$PORT -b proxy2
	wait_ready tcp
	# The senders run until stopped, 1 s after the unload: a fixed
	# duration ran out before it on a slow host (a debug kernel under
	# load), leaving nothing to send after it.
	bg client phone tcpclient -c 10.9.0.10:$PORT -i 20 -t 120
	bg send phone udpsend -d 10.9.0.10:$PORT -r 500 -t 120 -s 40000
	# Both flows steered, and running for a while: under emulation the
	# tools may take more than a second to start.
	for i in $(seq 200); do
		[ "$(stat flows_steered)" -ge 2 ] && break
		sleep 0.05
	done
	sleep 0.5
	rmmod sipsteer
	t_unload=$(now_us)
	sleep 1
	stop send client
	insmod "$MODULE"
	stop vip p2 tcp
	cat "$T/send.out" "$T/vip.out" "$T/p2.out"
	expect_ge "$(received p2)" 1 "datagrams at proxy2 before rmmod"
	expect_ge "$(received vip)" 1 "datagrams at the original after rmmod"
	late=$(kv "$T/p2.out" max_sent_ns)
	expect_le "$((late / 1000))" "$t_unload" \
		"send time (us) of the newest datagram at proxy2"
	expect_eq "$(( $(received vip) + $(received p2) ))" \
		"$(kv "$T/send.out" sent)" "datagrams received in total"
	# The phone's entries, in the phone's namespace (the VM's own has
	# none): none may still lead to the target.
	n0 conntrack -L > "$T/ct" 2>/dev/null || fail "conntrack -L failed"
	grep -q 'src=10.9.2.2' "$T/ct" && fail "stale NAT: $(cat "$T/ct")"
	true
}

# 50 times: load, configure a steering service in a namespace, steer a
# datagram, unload with the service and its flow still there.
case_load_unload_50() {
	local i
	sink p2 proxy2 10.9.2.2:$PORT
	rmmod sipsteer
	for i in $(seq 50); do
		insmod "$MODULE"
		add_service active 10.9.2.2:$PORT
		if [ $((i % 10)) -eq 0 ]; then
			n0 udpsend -d 10.9.0.10:$PORT -c 1 > /dev/null
		fi
		rmmod sipsteer
	done
	insmod "$MODULE"
	stop p2
	expect_eq "$(received p2)" 5 "steered datagrams"
}

ktap_run concurrent_updates rmmod_live_flows load_unload_50
