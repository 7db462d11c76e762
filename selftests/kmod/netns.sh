#!/bin/bash
# Per-namespace state: a service in one network namespace steers only
# that namespace's traffic; namespaces come and go with services in them.
. "$(dirname "$0")/lib.sh"

# phone2 reaches proxy1 (VIP and P1) over its own veth.
add_phone2() {
	ip netns add phone2
	ip -n phone2 -batch - <<-EOT
		link set lo up
		link add q1 address 02:09:03:00:00:01 type veth peer name eth1 address 02:09:03:00:00:02 netns proxy1
		addr add 10.9.3.1/24 dev q1
		addr add fd00:9:3::1/64 dev q1 nodad
		neigh add 10.9.3.2 lladdr 02:09:03:00:00:02 dev q1 nud permanent
		neigh add fd00:9:3::2 lladdr 02:09:03:00:00:02 dev q1 nud permanent
		link set q1 up
		route add 10.9.0.0/24 via 10.9.3.2
		route add 10.9.1.0/24 via 10.9.3.2
		route add fd00:9::/64 via fd00:9:3::2
		route add fd00:9:1::/64 via fd00:9:3::2
	EOT
	ip -n proxy1 -batch - <<-EOT
		addr add 10.9.3.2/24 dev eth1
		addr add fd00:9:3::2/64 dev eth1 nodad
		neigh add 10.9.3.1 lladdr 02:09:03:00:00:01 dev eth1 nud permanent
		neigh add fd00:9:3::1 lladdr 02:09:03:00:00:01 dev eth1 nud permanent
		link set eth1 up
	EOT
	wait_links_up phone2:1 proxy1:2
}

# The phone's service leaves phone2's traffic to the same address alone.
case_other_netns_untouched() {
	use_family "$1"
	add_phone2
	add_service active 10.9.2.2:$PORT active "[fd00:9:2::2]:$PORT"
	sink vip proxy1 "$(ap "$VIP" $PORT)"
	sink p2 proxy2 "$(ap "$P2" $PORT)"
	ip netns exec phone2 udpsend -d "$(ap "$VIP" $PORT)" -c 5 > /dev/null
	n0 udpsend -d "$(ap "$VIP" $PORT)" -c 3 > /dev/null
	stop vip p2
	expect_eq "$(received vip)" 5 "phone2's datagrams at the original"
	expect_eq "$(received p2)" 3 "phone's datagrams at proxy2"
	if ip netns exec phone2 sipsteer show | grep -q "$SERVICE"; then
		fail "phone2 sees the phone's service"
	fi
}

# Two services of the same name in two namespaces, different targets.
case_same_name_two_netns() {
	use_family "$1"
	add_phone2
	add_service active 10.9.2.2:$PORT active "[fd00:9:2::2]:$PORT"
	ip netns exec phone2 sipsteer service add "$SERVICE" \
		endpoint udp "$(ap "$VIP" $PORT)" active "$(ap "$P1" $PORT)"
	sink p1 proxy1 "$(ap "$P1" $PORT)"
	sink p2 proxy2 "$(ap "$P2" $PORT)"
	ip netns exec phone2 udpsend -d "$(ap "$VIP" $PORT)" -c 4 > /dev/null
	n0 udpsend -d "$(ap "$VIP" $PORT)" -c 6 > /dev/null
	sst service del "$SERVICE"
	ip netns exec phone2 udpsend -d "$(ap "$VIP" $PORT)" -c 4 -s 40001 \
		> /dev/null
	stop p1 p2
	expect_eq "$(received p1)" 8 "phone2's datagrams at proxy1"
	expect_eq "$(received p2)" 6 "phone's datagrams at proxy2"
}

# Deleting a namespace with live steered flows and a service in it.
case_netns_deleted_with_flows() {
	use_family "$1"
	add_service active 10.9.2.2:$PORT active "[fd00:9:2::2]:$PORT"
	sink p2 proxy2 "$(ap "$P2" $PORT)"
	bg send phone udpsend -d "$(ap "$VIP" $PORT)" -r 500 -t 2 -s 40000
	sleep 0.5
	ip netns del phone
	wait "${BG_PIDS[send]}" || true
	stop p2
	expect_ge "$(received p2)" 1 "datagrams at proxy2"
	# The namespace's service is gone with it; a new phone starts empty.
	ip netns add phone
	if sst show | grep -q "$SERVICE"; then
		fail "a new namespace inherited a service"
	fi
}

ktap_run "other_netns_untouched 4" "other_netns_untouched 6" \
	"same_name_two_netns 4" "same_name_two_netns 6" \
	"netns_deleted_with_flows 4"
