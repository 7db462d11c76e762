#!/bin/bash
# Evidence: a watched service's local flows to its endpoints that show,
# before any reply, that the server is gone produce exactly one EVIDENCE
# event per kind, at most one per endpoint and second; replied and
# unwatched flows produce none and keep no helper.
. "$(dirname "$0")/lib.sh"

# watch [unreplied-ms]: a service steering to proxy2, watched.
watch() {
	add_service active "$(ap 10.9.2.2 $PORT)" \
		active "$(ap fd00:9:2::2 $PORT)" unreplied-ms "${1:-300}"
}

# Listen to the events group; give the subscription time under TCG
# (0.5 s was once too little for the first event, on 5.10 beside
# another VM: the monitor prints nothing to say it has subscribed).
monitor_start() {
	bg mon phone sipsteer monitor
	sleep 1.5
}

# Evidence lines the monitor printed (stop it first: stop mon).
events() { grep '^evidence ' "$T/mon.out" || true; }

# The line of exactly one event of KIND about the endpoint PROTO VIP:PORT.
expect_one_event() {
	local kind=$1 proto=$2 want
	want="evidence $SERVICE generation [0-9]* $kind endpoint $proto"
	want="$want $(ap "$VIP" $PORT | sed 's/\[/\\[/;s/\]/\\]/')"
	events
	expect_eq "$(events | wc -l)" 1 "evidence events"
	events | grep -q "^$want suppressed 0$" ||
		fail "not a $kind event about $proto $(ap "$VIP" $PORT)"
}

# proxy2 drops what reaches PROTO port PORT: a silent server.
silence() {
	ip netns exec proxy2 nft -f - <<-EOF
	table inet silent {
		chain in {
			type filter hook input priority 0;
			$1 dport $PORT drop
		}
	}
	EOF
}

# Conntrack entries in the phone that still carry the module's helper.
helped() { n0 conntrack -L 2>/dev/null | grep -c 'helper=sipsteer' || true; }

# A datagram flow sent again, unreplied, past the threshold: one event.
case_udp_unreplied() {
	use_family "$1"
	watch 300
	sink p2 proxy2 "$(ap "$P2" $PORT)"
	monitor_start
	n0 udpsend -d "$(ap "$VIP" $PORT)" -c 6 -r 5 > /dev/null
	sleep 0.3
	stop mon p2
	expect_one_event unreplied udp
	expect_eq "$(stat evidence_unreplied)" 1 "evidence_unreplied counter"
	expect_eq "$(stat evidence_icmp)" 0 "evidence_icmp counter"
}

# Port unreachable for ten fresh flows within half a second: every error
# is counted, one event announces them; a second later the next event
# tells how many the limit held back.
case_icmp_rate_limit() {
	local icmp second
	use_family "$1"
	watch 5000
	monitor_start
	n0 udpsend -d "$(ap "$VIP" $PORT)" -f -c 10 -r 20 > /dev/null
	sleep 0.3
	icmp=$(stat evidence_icmp)
	expect_ge "$icmp" 2 "evidence_icmp counter"
	sleep 1
	n0 udpsend -d "$(ap "$VIP" $PORT)" -f -c 1 > /dev/null
	sleep 0.3
	stop mon
	events
	expect_eq "$(events | wc -l)" 2 "evidence events"
	events | head -n 1 | grep -q ' icmp endpoint udp .* suppressed 0$' ||
		fail "first event"
	second=$(events | tail -n 1 | sed -n 's/.* suppressed \([0-9]*\)$/\1/p')
	expect_eq "$second" $((icmp - 1)) "suppressed in the second event"
	expect_eq "$(stat evidence_unreplied)" 0 "evidence_unreplied counter"
}

# A reset answering the SYN: one event.
case_tcp_reset() {
	use_family "$1"
	watch
	monitor_start
	n0 bash -c "exec 3<>/dev/tcp/$VIP/$PORT" 2>/dev/null &&
		fail "connected to a closed port"
	sleep 0.3
	stop mon
	expect_one_event reset tcp
	expect_eq "$(stat evidence_reset)" 1 "evidence_reset counter"
}

# A SYN sent again, unanswered (the first retransmission is after 1 s):
# one event, however many times it is sent again.
case_tcp_syn() {
	use_family "$1"
	watch
	silence tcp
	monitor_start
	n0 timeout 3.5 bash -c "exec 3<>/dev/tcp/$VIP/$PORT" 2>/dev/null &&
		fail "connected to a silent server"
	stop mon
	expect_one_event syn tcp
	expect_eq "$(stat evidence_syn)" 1 "evidence_syn counter"
}

# Replied flows: no event, no counter, and no helper left on them.
case_replied_none() {
	use_family "$1"
	watch 100
	sink p2 proxy2 "$(ap "$P2" $PORT)" -e
	bg tcp proxy2 tcpecho -l "$(ap "$P2" $PORT)" -b proxy2
	wait_ready tcp
	monitor_start
	n0 udpsend -d "$(ap "$VIP" $PORT)" -c 10 -r 10 -e > "$T/send.out"
	expect_eq "$(kv "$T/send.out" replies)" 10 "echoes"
	n0 tcpclient -c "$(ap "$VIP" $PORT)" -n > /dev/null
	sleep 0.3
	stop mon
	expect_eq "$(events | wc -l)" 0 "evidence events"
	expect_eq "$(helped)" 0 "entries with the helper"
	expect_eq "$(stat evidence_unreplied)" 0 "evidence_unreplied counter"
	stop p2 tcp
}

# A service without unreplied-ms is not watched: refused flows tell
# nothing, and no entry gets the helper.
case_unwatched_none() {
	use_family "$1"
	add_service active "$(ap 10.9.2.2 $PORT)" \
		active "$(ap fd00:9:2::2 $PORT)"
	monitor_start
	n0 udpsend -d "$(ap "$VIP" $PORT)" -c 4 -r 10 > /dev/null
	n0 bash -c "exec 3<>/dev/tcp/$VIP/$PORT" 2>/dev/null || true
	sleep 0.3
	stop mon
	expect_eq "$(events | wc -l)" 0 "evidence events"
	expect_eq "$(helped)" 0 "entries with the helper"
	expect_eq "$(stat evidence_icmp)" 0 "evidence_icmp counter"
}

# rmmod while watched flows are unreplied and their evidence is being
# announced: the helper leaves every entry, nothing of the module stays.
case_rmmod_watched() {
	use_family 4
	watch 200
	sink p2 proxy2 "$(ap "$P2" $PORT)"
	monitor_start
	bg send phone udpsend -d "$(ap "$VIP" $PORT)" -F 16 -r 160 -t 3
	sleep 1.5
	expect_ge "$(helped)" 1 "entries with the helper before rmmod"
	rmmod sipsteer
	wait "${BG_PIDS[send]}"
	insmod "$MODULE"
	stop mon p2
	expect_ge "$(events | wc -l)" 1 "evidence events before rmmod"
	expect_eq "$(helped)" 0 "entries with the helper after rmmod"
}

ktap_run "udp_unreplied 4" "udp_unreplied 6" \
	"icmp_rate_limit 4" "icmp_rate_limit 6" \
	"tcp_reset 4" "tcp_reset 6" "tcp_syn 4" "tcp_syn 6" \
	"replied_none 4" "replied_none 6" \
	"unwatched_none 4" "unwatched_none 6" rmmod_watched
