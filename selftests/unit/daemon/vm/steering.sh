#!/bin/bash
# The daemon's steering (userspace/daemon/steer/steer.c) against the real
# module, inside the test VM: steerdrv calls it step by step and the
# script checks what the kernel holds with the CLI. Run it with
#   selftests/vm/run.sh selftests/unit/daemon/vm/steering.sh
# It uses the kernel selftests' topology and KTAP helpers: proxy1 is the
# primary (P1), proxy2 the secondary (P2), VIP the virtual address.
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
# The servers of a set: the primary over UDP, TCP and TLS (TCP endpoint),
# the secondary over UDP, and a duplicate.
servers() {
	echo "udp:$(ap "$P1" $PORT),tcp:$(ap "$P1" $PORT),tls:$(ap "$P1" 5061),udp:$(ap "$P2" $PORT),udp:$(ap "$P1" $PORT)"
}

case_nomodule() {
	use_family 4
	rmmod sipsteer
	drv a status servers "$(servers)" switch "$(ap "$P2" $PORT)" status || true
	insmod "$MODULE"
	expect_eq "$(st a state)" no-module "state"
	grep -q '^servers rc=0$' "$T/a.out"
	grep -q '^switch rc=0$' "$T/a.out"
	expect_eq "$(grep -c "$NOMOD" "$T/a.err")" 1 "said once"
	expect_eq "$(sst -j show)" "[]" "no service"
}

case_disabled() {
	use_family 4
	drv a -d servers "$(servers)" switch "$(ap "$P2" $PORT)" status
	expect_eq "$(st a state)" disabled "state"
	expect_eq "$(sst -j show)" "[]" "no service"
}

create() {
	use_family "$1"
	drv a -V "$(ap "$VIP" $PORT)" servers "$(servers)" status
	expect_eq "$(st a state)" ready "state"
	expect_eq "$(st a adopted)" 0 "adopted"
	# VIP udp+tcp, P1 udp, tcp 5060, tcp 5061, P2 udp; the duplicate once.
	expect_eq "$(st a endpoints)" 6 "endpoints"
	json
	expect_eq "$(json | grep -o '"proto":"[a-z]*"' | wc -l)" 6 "kernel endpoints"
	json | grep -q "\"proto\":\"tcp\",\"addr\":\"$P1\",\"port\":5061"
	json | grep -q '"bypass_mark":1397313536,"bypass_mask":4294967295'
	json | grep -q '"targets":\[\]'
	expect_eq "$(st a generation)" "$(gen)" "generation"
}
case_create4() { create 4; }
case_create6() { create 6; }

# The same servers again send nothing; new ones keep target and counters.
case_keep() {
	use_family 4
	sink p2 proxy2 "$(ap "$P2" $PORT)"
	drv a servers "$(servers)" switch "$(ap "$P2" $PORT)" status \
		exec "udpsend -d $(ap "$P1" $PORT) -c 5" \
		servers "$(servers)" status \
		servers "$(servers),udp:$(ap "$OTHER" $PORT)" status
	stop p2
	expect_eq "$(received p2)" 5 "datagrams at proxy2"
	gens=$(sed -n 's/^status .*generation=\([0-9]*\).*/\1/p' "$T/a.out" | tr '\n' ' ')
	set -- $gens
	expect_eq "$2" "$1" "unchanged servers: same generation"
	[ "$3" -gt "$2" ] || fail "new servers: generation $3 not above $2"
	expect_eq "$(st a target)" "$(ap "$P2" $PORT)" "target kept"
	expect_eq "$(st a endpoints)" 5 "endpoints: one more"
	json | grep -q "\"targets\":\[{\"addr\":\"$P2\",\"port\":$PORT}\]"
	expect_ge "$(stat flows_steered)" 1 "counters kept"
}

switch() {
	use_family "$1"
	drv a servers "$(servers)" switch "$(ap "$P1" $PORT)" status \
		switch "$(ap "$P2" $PORT)" status switch "$(ap "$P2" $PORT)" \
		status
	grep -qF "steering: service sip target inactive -> $(ap "$P1" $PORT), generation " "$T/a.err"
	grep -q ' us, 0 TCP connection(s) failed$' "$T/a.err"
	gens=$(sed -n 's/^status .*generation=\([0-9]*\).*/\1/p' "$T/a.out" | tr '\n' ' ')
	set -- $gens
	[ "$2" -gt "$1" ] || fail "switch: generation $2 not above $1"
	expect_eq "$3" "$2" "same target: nothing sent"
	expect_eq "$(st a switches)" 2 "switches"
	expect_eq "$(st a target)" "$(ap "$P2" $PORT)" "target"
	expect_eq "$(st a generation)" "$(gen)" "generation as the kernel's"
	json | grep -q "\"targets\":\[{\"addr\":\"$P2\",\"port\":$PORT}\]"
	us=$(st a us)
	echo "netlink time of the last switch: $us us"
	expect_ge "$us" 1 "switch time measured"
	drv b switch none status
	json | grep -q '"targets":\[\]'
	expect_eq "$(st b target)" - "inactive"
}
case_switch4() { switch 4; }
case_switch6() { switch 6; }

# The CLI changes the service between our read and our switch: the
# conditional set fails with ESTALE, is re-read and still ends at ours.
case_concurrent() {
	use_family 4
	drv a servers "$(servers)" switch "$(ap "$P1" $PORT)" \
		exec "sipsteer service set $SERVICE active $OTHER" \
		switch "$(ap "$P2" $PORT)" status
	grep -q '^exec rc=0$' "$T/a.out"
	grep -q '^switch rc=0$' "$T/a.out"
	grep -q "target $OTHER -> $(ap "$P2" $PORT), .*re-read after a change by another process" "$T/a.err"
	expect_eq "$(st a target)" "$(ap "$P2" $PORT)" "target"
	json | grep -q "\"targets\":\[{\"addr\":\"$P2\",\"port\":$PORT}\]"
	expect_eq "$(st a generation)" "$(gen)" "generation"
}

# A service left by an earlier daemon is adopted: same service, target
# and generation; the same servers send nothing.
case_adopt() {
	use_family 4
	drv a servers "$(servers)" switch "$(ap "$P2" $PORT)" status
	g=$(gen)
	drv b status adopted servers "$(servers)" status
	expect_eq "$(st b adopted)" 1 "adopted"
	grep -q '^adopted rc=0$' "$T/b.out"
	expect_eq "$(st b target)" "$(ap "$P2" $PORT)" "target"
	expect_eq "$(st b generation)" "$g" "generation"
	expect_eq "$(gen)" "$g" "nothing sent"
	grep -q "steering: adopted service sip left by an earlier daemon (target $(ap "$P2" $PORT), generation $g)" "$T/b.err"
	expect_eq "$(sst -j show | grep -o '"name"' | wc -l)" 1 "one service"
	# An inactive service has no target to adopt.
	drv c switch none
	drv d adopted
	grep -q '^adopted rc=-2$' "$T/d.out"
}

# Another process's TCP connection to the primary's address is failed on
# the switch and re-established at the secondary.
tcp_kill() {
	use_family "$1"
	bg e1 proxy1 tcpecho -l "$(ap "$P1" $PORT)" -b proxy1
	bg e2 proxy2 tcpecho -l "$(ap "$P2" $PORT)" -b proxy2
	wait_ready e1
	wait_ready e2
	drv a servers "tcp:$(ap "$P1" $PORT),tcp:$(ap "$P2" $PORT)" \
		switch "$(ap "$P1" $PORT)"
	bg cl phone tcpclient -c "$(ap "$P1" $PORT)" -i 50
	sleep 1
	grep -q 'banner=proxy1' "$T/cl.out"
	drv b switch "$(ap "$P2" $PORT)" status
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

# More addresses than the module matches: the first 16 (the virtual
# address first), and the log says so.
case_cut() {
	use_family 4
	list=
	for i in $(seq 1 20); do
		list="$list${list:+,}udp:10.9.3.$i:$PORT"
	done
	drv a -V "$(ap "$VIP" $PORT)" servers "$list" status
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
	drv a servers "$(servers)" status switch "$(ap "$P2" $PORT)" status
	grep -q '^servers rc=-17$' "$T/a.out"
	expect_eq "$(st a state)" failed "state"
	grep -q '^status .*error=set endpoints: File exists: ' "$T/a.out"
	grep -q 'error: steering: service sip: set endpoints: File exists' "$T/a.err"
	if sst show sip; then fail "service sip exists"; fi
}

case_release() {
	use_family 4
	drv a servers "$(servers)" switch "$(ap "$P2" $PORT)" release status
	grep -q 'steering: service sip deleted' "$T/a.err"
	expect_eq "$(sst -j show)" "[]" "no service"
	expect_eq "$(st a target)" - "no target"
}

ktap_run nomodule disabled create4 create6 keep switch4 switch6 concurrent \
	adopt tcp_kill4 tcp_kill6 cut refused release
