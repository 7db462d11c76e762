#!/bin/bash
# `make demo`: the failover scenario, narrated. A phone's processes keep
# sending SIP to the proxy address they were given (10.9.0.10:5060);
# the controller moves them from proxy1 to proxy2 and back with one
# command each, and probes proxy1 past the steering with the bypass mark.
. "$(dirname "$0")/lib.sh"
set -e
T=$(mktemp -d)
trap case_cleanup EXIT

say() { printf '\n== %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
count() { stop "$@"; local n; for n in "$@"; do printf '   %-8s %s datagrams\n' "$n" "$(received "$n")"; done; }

say "Topology: namespaces phone, proxy1 (10.9.1.2, also owns 10.9.0.10) and proxy2 (10.9.2.2)"
topo_up
sink proxy1 proxy1 10.9.1.2:5060 -e
sink proxy2 proxy2 10.9.2.2:5060 -e
bg tcp1 proxy1 tcpecho -l 10.9.1.2:5060 -b proxy1
bg tcp2 proxy2 tcpecho -l 10.9.2.2:5060 -b proxy2
wait_ready tcp1
wait_ready tcp2
bg monitor phone sipsteer monitor

say "The controller registers with proxy1 and steers the proxy address to it"
run ip netns exec phone sipsteer service add sip \
	endpoint udp 10.9.0.10:5060 endpoint tcp 10.9.0.10:5060 \
	bypass-mark 0x5e active 10.9.1.2:5060
run ip netns exec phone sipsteer show

say "A phone process sends 5 SIP datagrams to 10.9.0.10:5060"
run ip netns exec phone udpsend -d 10.9.0.10:5060 -c 5 -e
count proxy1 proxy2

say "The call app holds a TCP connection; another process sends UDP every 10 ms"
sink proxy1 proxy1 10.9.1.2:5060
sink proxy2 proxy2 10.9.2.2:5060
bg call phone tcpclient -c 10.9.0.10:5060 -i 20
bg udp phone udpsend -d 10.9.0.10:5060 -r 100 -t 3 -s 40000
sleep 1
grep '^connected\|^reply' "$T/call.out" | sed 's/^/   call app: /'

say "proxy1 stops answering: the controller switches to proxy2"
start=$(now_us)
run ip netns exec phone sipsteer service set sip active 10.9.2.2:5060
switched=$(now_us)
echo "   switch took $(( (switched - start) / 1000 )) ms (including the CLI's start-up)"
wait "${BG_PIDS[udp]}"
sleep 0.5
stop call
count proxy1 proxy2
last=$(kv "$T/proxy1.out" max_sent_ns)
echo "   newest datagram at proxy1 was sent $(( (switched - last / 1000) / 1000 )) ms before the switch returned"
sed 's/^/   call app: /' "$T/call.out"
err=$(sed -n 's/^error \([0-9]*\) .*/\1/p' "$T/call.out" | head -n 1)
[ -n "$err" ] && echo "   the stale connection failed $(( (err / 1000 - switched) / 1000 )) ms after the switch returned"

say "Replies still come from the address the process used"
sink proxy2 proxy2 10.9.2.2:5060 -e
run ip netns exec phone udpsend -d 10.9.0.10:5060 -c 3 -e
stop proxy2

say "Failback probe: the controller asks proxy1 directly, with the bypass mark"
sink proxy1 proxy1 10.9.0.10:5060 -e
run ip netns exec phone udpsend -d 10.9.0.10:5060 -c 1 -m 0x5e -e
stop proxy1

say "Counters"
run ip netns exec phone sipsteer stats sip

say "proxy1 is back: fail back, then stop steering altogether"
run ip netns exec phone sipsteer service set sip active 10.9.1.2:5060
run ip netns exec phone sipsteer service set sip inactive
run ip netns exec phone sipsteer show

say "Events seen by \`sipsteer monitor\` meanwhile"
sleep 0.3
stop monitor
sed 's/^/   /' "$T/monitor.out"
say "Demo finished"
