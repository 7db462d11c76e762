#!/bin/bash
# The daemon's steering (userspace/daemon/steer/steer.c) against the real
# module, inside the test VM: steerdrv calls it step by step and the
# script checks what the kernel holds with the CLI. Run it with
#   selftests/vm/run.sh selftests/unit/daemon/vm/steering.sh
# It uses the kernel selftests' topology and KTAP helpers: proxy1 is the
# primary (P1), proxy2 the secondary (P2), VIP the virtual address. The
# daemon steers only what is addressed to servers that do not answer
# (the "dead" list) and the virtual address, to the server in use.
. "$PROJECT/selftests/kmod/lib.sh"

DRV=$BUILD/san/daemon-vm/steerdrv
NOMOD='steering: sipsteer.ko is not loaded; registration failover continues without steering'

# drv NAME ARGS...: run the driver in the phone, output in $T/NAME.{out,err}.
drv() {
	local name=$1
	shift
	n0 "$DRV" "$@" > "$T/$name.out" 2> "$T/$name.err"
	cat "$T/$name.out" "$T/$name.err"
}
# Field KEY of the last status line of run NAME.
st() { sed -n "s/^status .*\\b$2=\\([^ ]*\\).*/\\1/p" "$T/$1.out" | tail -n 1; }
json() { sst -j show "$SERVICE"; }
gen() { json | grep -o '"generation":[0-9]*' | cut -d: -f2; }
gens() { sed -n 's/^status .*generation=\([0-9]*\).*/\1/p' "$T/$1.out" | tr '\n' ' '; }
# The primary dead over UDP, TCP and TLS (a TCP endpoint), and a
# duplicate.
dead_p1() {
	echo "udp:$(ap "$P1" $PORT),tcp:$(ap "$P1" $PORT),tls:$(ap "$P1" 5061),udp:$(ap "$P1" $PORT)"
}

case_nomodule() {
	use_family 4
	rmmod sipsteer
	drv a status apply "$(dead_p1)" "$(ap "$P2" $PORT)" status || true
	insmod "$MODULE"
	expect_eq "$(st a state)" no-module "state"
	grep -q '^apply rc=0$' "$T/a.out"
	expect_eq "$(grep -c "$NOMOD" "$T/a.err")" 1 "said once"
	expect_eq "$(sst -j show)" "[]" "no service"
}

case_disabled() {
	use_family 4
	drv a -d apply "$(dead_p1)" "$(ap "$P2" $PORT)" status
	expect_eq "$(st a state)" disabled "state"
	expect_eq "$(sst -j show)" "[]" "no service"
}

# Nothing dead, no target yet: nothing is created. A dead server without
# a target makes an inactive service (its flows pass untouched).
create() {
	use_family "$1"
	drv a apply - - status
	grep -q '^apply rc=0$' "$T/a.out"
	expect_eq "$(st a generation)" 0 "nothing created"
	expect_eq "$(sst -j show)" "[]" "no service"
	drv a -V "$(ap "$VIP" $PORT)" apply "$(dead_p1)" - status
	expect_eq "$(st a state)" ready "state"
	expect_eq "$(st a adopted)" 0 "adopted"
	# VIP udp+tcp, P1 udp, tcp 5060, tcp 5061; the duplicate once.
	expect_eq "$(st a endpoints)" 5 "endpoints"
	expect_eq "$(st a steered)" "$(ap "$P1" $PORT),$(ap "$P1" 5061)" "steered"
	json
	expect_eq "$(json | grep -o '"proto":"[a-z]*"' | wc -l)" 5 "kernel endpoints"
	json | grep -q "\"proto\":\"tcp\",\"addr\":\"$P1\",\"port\":5061"
	json | grep -q '"bypass_mark":1397313536,"bypass_mask":4294967295'
	json | grep -q '"targets":\[\]'
	expect_eq "$(st a generation)" "$(gen)" "generation"
}
case_create4() { create 4; }
case_create6() { create 6; }

# Every server answers: a service with no endpoints that keeps its
# target, steering nothing; the same state again sends nothing.
case_none_dead() {
	use_family 4
	sink p1 proxy1 "$(ap "$P1" $PORT)"
	sink p2 proxy2 "$(ap "$P2" $PORT)"
	drv a apply - "$(ap "$P1" $PORT)" status \
		exec "udpsend -d $(ap "$P2" $PORT) -c 3" \
		apply - "$(ap "$P1" $PORT)" status
	stop p1 p2
	set -- $(gens a)
	expect_eq "$2" "$1" "same state: same generation"
	expect_eq "$(st a endpoints)" 0 "endpoints"
	expect_eq "$(st a target)" "$(ap "$P1" $PORT)" "target"
	json | grep -q '"endpoints":\[\]'
	expect_eq "$(received p2)" 3 "the secondary's own traffic reaches it"
	expect_eq "$(received p1)" 0 "nothing pulled to the server in use"
}

# Failover: the dead primary's flows go to the secondary; one more dead
# server keeps target and counters.
case_keep() {
	use_family 4
	sink p2 proxy2 "$(ap "$P2" $PORT)"
	drv a apply "$(dead_p1)" "$(ap "$P2" $PORT)" status \
		exec "udpsend -d $(ap "$P1" $PORT) -c 5" \
		apply "$(dead_p1)" "$(ap "$P2" $PORT)" status \
		apply "$(dead_p1),udp:$(ap "$OTHER" $PORT)" "$(ap "$P2" $PORT)" \
		status
	stop p2
	expect_eq "$(received p2)" 5 "datagrams at proxy2"
	set -- $(gens a)
	expect_eq "$2" "$1" "unchanged: same generation"
	[ "$3" -gt "$2" ] || fail "one more dead: generation $3 not above $2"
	expect_eq "$(st a target)" "$(ap "$P2" $PORT)" "target kept"
	expect_eq "$(st a endpoints)" 4 "endpoints: one more"
	json | grep -q "\"targets\":\[{\"addr\":\"$P2\",\"port\":$PORT}\]"
	expect_ge "$(stat flows_steered)" 1 "counters kept"
}

# Failover then failback, as the proxy set does them: each a change of
# endpoints and target at once (one replace), counted as a switch; the
# same state again sends nothing.
switch() {
	use_family "$1"
	drv a apply - "$(ap "$P1" $PORT)" status \
		apply "udp:$(ap "$P1" $PORT)" "$(ap "$P2" $PORT)" status \
		apply "udp:$(ap "$P1" $PORT)" "$(ap "$P2" $PORT)" status \
		apply - "$(ap "$P1" $PORT)" status
	grep -qF "steering: service sip created, 0 endpoint(s), target inactive -> $(ap "$P1" $PORT), generation " "$T/a.err"
	grep -qF "steering: service sip changed, 1 endpoint(s), target $(ap "$P1" $PORT) -> $(ap "$P2" $PORT), generation " "$T/a.err"
	grep -q ' us, 0 TCP connection(s) failed$' "$T/a.err"
	set -- $(gens a)
	[ "$2" -gt "$1" ] || fail "failover: generation $2 not above $1"
	expect_eq "$3" "$2" "same state: nothing sent"
	[ "$4" -gt "$3" ] || fail "failback: generation $4 not above $3"
	expect_eq "$(st a switches)" 2 "switches"
	expect_eq "$(st a target)" "$(ap "$P1" $PORT)" "target"
	expect_eq "$(st a generation)" "$(gen)" "generation as the kernel's"
	json | grep -q "\"targets\":\[{\"addr\":\"$P1\",\"port\":$PORT}\]"
	json | grep -q '"endpoints":\[\]'
	us=$(st a us)
	echo "netlink time of the last change: $us us"
	expect_ge "$us" 1 "change time measured"
	drv b apply - - status
	json | grep -q '"targets":\[\]'
	expect_eq "$(st b target)" - "inactive"
}
case_switch4() { switch 4; }
case_switch6() { switch 6; }

# Only the target changes: a conditional set. The CLI changes the service
# between our read and our switch: it fails with ESTALE, is re-read and
# still ends at ours.
case_concurrent() {
	use_family 4
	drv a apply "udp:$(ap "$OTHER" $PORT)" "$(ap "$P1" $PORT)" \
		exec "sipsteer service set $SERVICE active $VIP" \
		apply "udp:$(ap "$OTHER" $PORT)" "$(ap "$P2" $PORT)" status
	grep -q '^exec rc=0$' "$T/a.out"
	expect_eq "$(grep -c '^apply rc=0$' "$T/a.out")" 2 "applied"
	grep -q "target $VIP -> $(ap "$P2" $PORT), .*re-read after a change by another process" "$T/a.err"
	expect_eq "$(st a target)" "$(ap "$P2" $PORT)" "target"
	json | grep -q "\"targets\":\[{\"addr\":\"$P2\",\"port\":$PORT}\]"
	expect_eq "$(st a generation)" "$(gen)" "generation"
}

# Both families: each dead address goes to the server in use's address
# of its own family.
case_families() {
	use_family 4
	local p1v4=$P1 p2v4=$P2
	use_family 6
	local p1v6=$P1 p2v6=$P2
	sink p24 proxy2 "$(ap "$p2v4" $PORT)"
	sink p26 proxy2 "$(ap "$p2v6" $PORT)"
	drv a apply "udp:$(ap "$p1v6" $PORT),udp:$(ap "$p1v4" $PORT)" \
		"$(ap "$p2v6" $PORT),$(ap "$p2v4" $PORT)" status \
		exec "udpsend -d $(ap "$p1v4" $PORT) -c 4" \
		exec "udpsend -d $(ap "$p1v6" $PORT) -c 3"
	stop p24 p26
	expect_eq "$(received p24)" 4 "IPv4 datagrams at proxy2's IPv4"
	expect_eq "$(received p26)" 3 "IPv6 datagrams at proxy2's IPv6"
	expect_eq "$(st a targets)" "$(ap "$p2v4" $PORT),$(ap "$p2v6" $PORT)" "targets"
	expect_eq "$(st a missing)" - "no family missing"
	# The server in use has no IPv6 address: said in status and log.
	drv b apply "udp:$(ap "$p1v6" $PORT),udp:$(ap "$p1v4" $PORT)" \
		"$(ap "$p2v4" $PORT)" status
	expect_eq "$(st b missing)" IPv6 "missing family"
	grep -q "the server in use has no IPv6 address; IPv6 traffic to the servers that do not answer is not steered" "$T/b.err"
}

# A service left by an earlier daemon: its targets and dead servers (not
# the virtual address) come back; the same state sends nothing.
case_adopt() {
	use_family 4
	drv a -V "$(ap "$VIP" $PORT)" apply "udp:$(ap "$P1" $PORT)" "$(ap "$P2" $PORT)" status
	g=$(gen)
	drv b -V "$(ap "$VIP" $PORT)" status current \
		apply "udp:$(ap "$P1" $PORT)" "$(ap "$P2" $PORT)" status
	expect_eq "$(st b adopted)" 1 "adopted"
	grep -q "^current rc=0 targets=$(ap "$P2" $PORT) dead=$(ap "$P1" $PORT)$" "$T/b.out"
	expect_eq "$(st b target)" "$(ap "$P2" $PORT)" "target"
	expect_eq "$(st b generation)" "$g" "generation"
	expect_eq "$(gen)" "$g" "nothing sent"
	grep -q "steering: adopted service sip left by an earlier daemon (target $(ap "$P2" $PORT), generation $g)" "$T/b.err"
	expect_eq "$(sst -j show | grep -o '"name"' | wc -l)" 1 "one service"
	sst service del "$SERVICE"
	drv c current
	grep -q '^current rc=-2 targets=- dead=-$' "$T/c.out"
}

# Another process's TCP connection to the primary's address: failed when
# the primary is found dead, and re-established at the secondary.
tcp_kill() {
	use_family "$1"
	bg e1 proxy1 tcpecho -l "$(ap "$P1" $PORT)" -b proxy1
	bg e2 proxy2 tcpecho -l "$(ap "$P2" $PORT)" -b proxy2
	wait_ready e1
	wait_ready e2
	drv a apply - "$(ap "$P1" $PORT)"
	bg cl phone tcpclient -c "$(ap "$P1" $PORT)" -i 50
	sleep 1
	grep -q 'banner=proxy1' "$T/cl.out"
	drv b apply "tcp:$(ap "$P1" $PORT)" "$(ap "$P2" $PORT)" status
	sleep 1
	stop cl
	cat "$T/cl.out"
	# As in the CLI test: aborted by the killer (ECONNABORTED), or reset
	# by proxy2 when the client's segment left between flush and kill.
	if [ "$(st b killed)" = 1 ]; then
		grep -q 'errno=103' "$T/cl.out"
		grep -q '1 TCP connection(s) failed' "$T/b.err"
	else
		expect_eq "$(st b killed)" 0 "killed"
		grep -q 'errno=104' "$T/cl.out"
	fi
	grep -q 'banner=proxy2' "$T/cl.out"
}
case_tcp_kill4() { tcp_kill 4; }
case_tcp_kill6() { tcp_kill 6; }

# Failback never touches a live server's flows: a connection and a UDP
# flow addressed to the secondary (a call set up there during the outage)
# go on untouched; the connection that reached the secondary through the
# primary's address is failed, so its owner reconnects to the primary.
case_failback_keeps_live() {
	use_family 4
	bg e1 proxy1 tcpecho -l "$(ap "$P1" $PORT)" -b proxy1
	bg e2 proxy2 tcpecho -l "$(ap "$P2" $PORT)" -b proxy2
	sink p2 proxy2 "$(ap "$P2" 5070)" -e
	wait_ready e1
	wait_ready e2
	drv a apply "tcp:$(ap "$P1" $PORT)" "$(ap "$P2" $PORT)"
	bg via phone tcpclient -c "$(ap "$P1" $PORT)" -i 50
	bg live phone tcpclient -c "$(ap "$P2" $PORT)" -i 50
	bg dgram phone udpsend -d "$(ap "$P2" 5070)" -s 45070 -r 20 -t 3 -e
	sleep 1
	grep -q 'banner=proxy2' "$T/via.out"
	grep -q 'banner=proxy2' "$T/live.out"
	drv b apply - "$(ap "$P1" $PORT)" status
	sleep 1
	stop via live
	wait "${BG_PIDS[dgram]}" 2>/dev/null || true
	stop p2
	cat "$T/via.out" "$T/live.out" "$T/dgram.out"
	if grep -q '^error' "$T/live.out"; then
		fail "the connection to the live secondary was broken"
	fi
	expect_eq "$(grep -c '^connected' "$T/live.out")" 1 "one connection to the secondary"
	grep -q '^error .*errno=10[34]' "$T/via.out"
	grep -q 'banner=proxy1' "$T/via.out"
	expect_eq "$(kv "$T/dgram.out" replies)" "$(kv "$T/dgram.out" sent)" "every datagram to the secondary echoed"
	expect_eq "$(kv "$T/dgram.out" reply_from)" "$(ap "$P2" 5070)" "echoed by the secondary"
}

# More dead servers than the module matches: the first 16 (the virtual
# address first), and the log says so.
case_cut() {
	use_family 4
	list=
	for i in $(seq 1 20); do
		list="$list${list:+,}udp:10.9.3.$i:$PORT"
	done
	drv a -V "$(ap "$VIP" $PORT)" apply "$list" "$(ap "$P2" $PORT)" status
	expect_eq "$(st a endpoints)" 16 "endpoints"
	grep -q "steering: service sip: 6 address(es) beyond the module's 16 endpoints are not matched" "$T/a.err"
	json | grep -q "\"proto\":\"tcp\",\"addr\":\"$VIP\",\"port\":$PORT"
	json | grep -q "\"addr\":\"10.9.3.14\""
	if json | grep -q "\"addr\":\"10.9.3.15\""; then
		fail "10.9.3.15 matched"
	fi
}

# A request the module refuses: state failed with the kernel's reason,
# the caller goes on.
case_refused() {
	use_family 4
	sst service add other endpoint udp "$(ap "$P1" $PORT)"
	drv a apply "udp:$(ap "$P1" $PORT)" "$(ap "$P2" $PORT)" status
	grep -q '^apply rc=-17$' "$T/a.out"
	expect_eq "$(st a state)" failed "state"
	grep -q '^status .*error=set endpoints: File exists: ' "$T/a.out"
	grep -q 'error: steering: service sip: set endpoints: File exists' "$T/a.err"
	if sst show sip; then fail "service sip exists"; fi
}

case_release() {
	use_family 4
	drv a apply "udp:$(ap "$P1" $PORT)" "$(ap "$P2" $PORT)" release status
	grep -q 'steering: service sip deleted' "$T/a.err"
	expect_eq "$(sst -j show)" "[]" "no service"
	expect_eq "$(st a target)" - "no target"
}

ktap_run nomodule disabled create4 create6 none_dead keep switch4 switch6 \
	concurrent families adopt tcp_kill4 tcp_kill6 failback_keeps_live cut \
	refused release
