#!/bin/bash
# The sipsteer CLI against the real module, inside the test VM: grammar
# and extack errors, exit codes, JSON, monitor, expect-gen, and the stale
# TCP connection killer (IPv4 and IPv6). Run it with
#   selftests/vm/run.sh selftests/unit/cli/vm/cli.sh
# It uses the kernel selftests' topology and KTAP helpers.
. "$PROJECT/selftests/kmod/lib.sh"

rc_of() { local rc=0; "$@" > "$T/out" 2> "$T/err" || rc=$?; echo $rc; }

# wait_out NAME PATTERN: until background tool NAME printed PATTERN (10 s
# at most: an emulated ARM guest may take more than a second to connect).
wait_out() {
	local i
	for i in $(seq 200); do
		grep -q "$2" "$T/$1.out" 2>/dev/null && return 0
		sleep 0.05
	done
	fail "$1 did not print $2: $(cat "$T/$1.out")"
}

case_crud() {
	add_service bypass-mark 0x5e/0xff
	sst show
	sst -j show
	sst -j -p service show sip
	sst -j show | grep -q '"name":"sip"'
	sst -j show | grep -q '"bypass_mark":94,"bypass_mask":255'
	sst -j show | grep -q '"targets":\[\]'
	expect_eq "$(rc_of sst service add sip endpoint udp 10.9.0.10:5060)" 1 "dup add rc"
	cat "$T/err"
	grep -q '^sipsteer: service add: File exists: ' "$T/err"
	sst service replace sip endpoint udp 10.9.0.10:5060 active 10.9.2.2
	sst show sip
	sst -j show sip | grep -q '"targets":\[{"addr":"10.9.2.2"}\]'
	sst -j show sip | grep -q '"endpoints":\[{"proto":"udp","addr":"10.9.0.10","port":5060}\]'
	sst service del sip
	expect_eq "$(rc_of sst service del sip)" 1 "del unknown rc"
	cat "$T/err"
	expect_eq "$(rc_of sst show sip)" 1 "show unknown rc"
	cat "$T/err"
	expect_eq "$(sst -j show)" "[]" "empty dump"
	expect_eq "$(rc_of sst service add x endpoint udp 1.2.3.4)" 2 "usage rc"
	cat "$T/err"
}

case_generation() {
	add_service
	gen=$(sst -j show sip | grep -o '"generation":[0-9]*' | cut -d: -f2)
	echo "generation $gen"
	expect_eq "$(rc_of sst service set sip active 10.9.2.2 expect-gen $((gen + 5)))" 4 "stale rc"
	cat "$T/err"
	sst -v service set sip active 10.9.2.2 active '[fd00:9:2::2]:5060' expect-gen "$gen"
	sst show sip
	gen2=$(sst -j show sip | grep -o '"generation":[0-9]*' | cut -d: -f2)
	expect_eq "$gen2" "$((gen + 1))" "generation bumped"
	sst service set sip inactive
	sst -j show sip | grep -q '"targets":\[\]'
	sst stats
	sst -j stats sip
}

case_monitor() {
	bg mon phone sipsteer -j monitor
	bg monh phone sipsteer monitor
	sleep 0.5
	add_service
	sst service set sip active 10.9.2.2
	sst flows flush sip all
	sst service del sip
	sleep 0.5
	stop mon monh
	cat "$T/mon.out" "$T/monh.out"
	expect_eq "$(grep -c . "$T/mon.out")" 4 "json events"
	grep -q '^{"event":"new","name":"sip"' "$T/mon.out"
	grep -q '^{"event":"set","name":"sip",.*"targets":\[{"addr":"10.9.2.2"}\]' "$T/mon.out"
	grep -q '^{"event":"flush","name":"sip",.*"flushed":0}' "$T/mon.out"
	grep -q '^{"event":"del","name":"sip"' "$T/mon.out"
	grep -q '^set sip generation [0-9]* active 10.9.2.2$' "$T/monh.out"
}

# TCP connection through the pass-through path, then a switch: the CLI
# must fail it at once and the reconnect must reach proxy2.
tcp_kill() {
	use_family "$1"
	bg e1 proxy1 tcpecho -l "$(ap "$VIP" $PORT)" -b proxy1
	bg e2 proxy2 tcpecho -l "$(ap "$P2" $PORT)" -b proxy2
	wait_ready e1
	wait_ready e2
	add_service
	bg cl phone tcpclient -c "$(ap "$VIP" $PORT)" -i 50
	wait_out cl 'banner=proxy1'
	n0 ss -tn
	t0=$(now_us)
	out=$(sst -v service set sip active "$P2")
	t1=$(now_us)
	echo "$out ($(( (t1 - t0) / 1000 )) ms)"
	sleep 1
	stop cl
	cat "$T/cl.out"
	# The killer aborts the stale connection (ECONNABORTED), unless the
	# client's next segment left between the flush and the kill: then
	# it reached proxy2, which reset it (ECONNRESET). Either way it
	# failed at once; the killer must not have spared it otherwise.
	if echo "$out" | grep -q ', 1 TCP connections destroyed'; then
		grep -q 'errno=103' "$T/cl.out"
	else
		echo "$out" | grep -q ', 0 TCP connections destroyed'
		grep -q 'errno=104' "$T/cl.out"
	fi
	grep -q 'banner=proxy2' "$T/cl.out"
	# The new connection is steered: nothing stale left.
	bg cl2 phone tcpclient -c "$(ap "$VIP" $PORT)" -i 50
	wait_out cl2 'banner=proxy2'
	out=$(sst flows kill sip)
	echo "$out"
	expect_eq "$out" "sip: flushed 0 conntrack entries, destroyed 0 TCP connections" "kill idempotent"
	sst -j flows kill sip
	stop cl2
	grep -q 'banner=proxy2' "$T/cl2.out"
	! grep -q 'errno=' "$T/cl2.out"
	# keep-sockets leaves the stale one alone; flows kill then fails it.
	bg cl3 phone tcpclient -c "$(ap "$VIP" $PORT)" -i 3000
	wait_out cl3 'banner=proxy2'
	sst -v service set sip inactive keep-sockets
	out=$(sst flows kill sip)
	echo "$out"
	echo "$out" | grep -q 'destroyed 1 TCP connections'
	sleep 4
	stop cl3
	cat "$T/cl3.out"
	grep -q 'errno=103' "$T/cl3.out"
	grep -q 'banner=proxy1' "$T/cl3.out"
}
case_tcp_kill4() { tcp_kill 4; }
case_tcp_kill6() { tcp_kill 6; }

case_nomodule() {
	rmmod sipsteer
	expect_eq "$(rc_of sst show)" 3 "no module rc"
	cat "$T/err"
	insmod "$MODULE"
	sst show
}

case_unpriv() {
	add_service
	expect_eq "$(rc_of n0 setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all sipsteer service del sip)" 1 "eperm rc"
	cat "$T/err"
	grep -q 'Operation not permitted' "$T/err"
	n0 setpriv --reuid=65534 --regid=65534 --clear-groups sipsteer -j show
}

# The library's unit test of the killer, on the VM's Debian kernel.
case_unit_tcpkill() {
	CMOCKA_MESSAGE_OUTPUT=TAP "$BUILD/san/tests/cli/test_tcpkill" |
		tee "$T/tap"
	grep -q '^ok 1 ' "$T/tap"
}

ktap_run unit_tcpkill crud generation monitor tcp_kill4 tcp_kill6 nomodule unpriv
