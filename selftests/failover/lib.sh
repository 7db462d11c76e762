# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034,SC2016
#
# Failover scenarios in the test VM, with the module and real peers.
# Each scenario script sources this file first. In the VM's own
# namespace it builds the topology and runs the script again inside
# "phone"; there the daemon helpers of selftests/integration/lib.sh
# (Kamailio, dnsmasq, sipp, sipsteerd, TAP output) apply, with the
# registrars started in their own namespaces.
#
#   phone  p1 10.10.1.1 --- eth0 10.10.1.2  reg1  Kamailio :5060 udp+tcp
#          p2 10.10.2.1 --- eth0 10.10.2.2  reg2  (sipp where a scenario
#          p3 10.10.3.1 --- eth0 10.10.3.2  reg3   needs misbehaviour)
#          lo: dnsmasq 127.0.0.1:5353, sipsteerd, the "other process"
#
# DNS: example.test -> NAPTR SIP+D2U, SIP+D2T -> SRV sipN.example.test
# port 5060 priority N -> A 10.10.N.2.
#
# What the registrars saw: wire.py records every packet arriving at each
# registrar's port 5060 with its time, before nftables or the socket
# lookup, so a silent registrar (nft drop in chain "gate") or a dead one
# (port closed: ICMP, RST) is observed too. The "other process"
# (sipapp.py, an OPTIONS exchange over UDP and TCP to the primary's
# address) runs as uid 65534; the phone's nftables marks its packets
# DSCP CS1 on output, so wire.py tells them ("tag=1") from the daemon's.
#
# One scenario: selftests/failover/run.sh selftests/failover/NAME.sh
# (SIPSTEERD=... picks another daemon binary).

FO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FO_PROJECT=$(cd "$FO_DIR/../.." && pwd)
FO_REGS=3
FO_SIP_PORT=5060
# The other process's packets: DSCP CS1 (0x08) in the IPv4 TOS byte.
FO_APP_UID=65534

# ------------------------------------------------------ in the VM's netns

fo_reg_nft() {
	cat <<-'EOF'
		table inet fo {
			chain input {
				type filter hook input priority 0; policy accept;
				iifname "eth0" jump gate
			}
			chain gate {
			}
		}
	EOF
}

fo_phone_nft() {
	cat <<-EOF
		table inet fo {
			chain output {
				type filter hook output priority 0; policy accept;
				meta skuid $FO_APP_UID ip dscp set cs1
			}
		}
	EOF
}

fo_topology_up() {
	local i
	# reg_refuse's reject (the guest cannot autoload: modules live in
	# KROOT, which guest.sh exports).
	modprobe ${KROOT:+-d "$KROOT"} nft_reject_inet 2>/dev/null
	ip netns add phone || return 1
	for i in $(seq "$FO_REGS"); do
		ip netns add "reg$i" || return 1
	done
	{
		echo "link set lo up"
		for i in $(seq "$FO_REGS"); do
			echo "link add p$i address 02:0a:0$i:00:00:01 type veth peer name eth0 address 02:0a:0$i:00:00:02 netns reg$i"
			echo "addr add 10.10.$i.1/24 dev p$i"
			echo "neigh add 10.10.$i.2 lladdr 02:0a:0$i:00:00:02 dev p$i nud permanent"
			echo "link set p$i up"
		done
	} | ip -n phone -batch - || return 1
	for i in $(seq "$FO_REGS"); do
		ip -n "reg$i" -batch - <<-EOT || return 1
			link set lo up
			addr add 10.10.$i.2/24 dev eth0
			neigh add 10.10.$i.1 lladdr 02:0a:0$i:00:00:01 dev eth0 nud permanent
			link set eth0 up
			route add default via 10.10.$i.1
		EOT
		fo_reg_nft | ip netns exec "reg$i" nft -f - || return 1
		# The other process's datagrams to a refusing registrar would
		# use up the per-peer ICMP budget (1/s) the daemon's REGISTER
		# needs: not what a refusing-primary case is about.
		ip netns exec "reg$i" sysctl -qw net.ipv4.icmp_ratelimit=0 ||
			return 1
	done
	fo_phone_nft | ip netns exec phone nft -f - || return 1
	# shellcheck source=../kmod/lib.sh
	( . "$FO_PROJECT/selftests/kmod/lib.sh"
	  wait_links_up "phone:$FO_REGS" $(seq -f 'reg%g:1' "$FO_REGS") )
}

fo_topology_down() {
	local i
	ip netns delete phone 2>/dev/null
	for i in $(seq "$FO_REGS"); do
		ip netns delete "reg$i" 2>/dev/null
	done
}

if [ -z "${FO_IN_PHONE:-}" ]; then
	fo_topology_down
	if ! fo_topology_up; then
		echo "1..1"
		echo "not ok 1 topology"
		fo_topology_down
		exit 1
	fi
	FO_IN_PHONE=1 ip netns exec phone bash "$0" "$@"
	fo_rc=$?
	fo_topology_down
	exit "$fo_rc"
fi

# ------------------------------------------------------ inside "phone"

# The daemon under test: run.sh leaves its choice in $BUILD/vm.
BUILD=${BUILD:-$FO_PROJECT/build}
if [ -z "${SIPSTEERD:-}" ] && [ -r "$BUILD/vm/failover.env" ]; then
	# shellcheck source=/dev/null
	. "$BUILD/vm/failover.env"
fi
SIPSTEERD=${SIPSTEERD:-$BUILD/sipsteerd}

# shellcheck source=../integration/lib.sh
. "$FO_PROJECT/selftests/integration/lib.sh"

# kam_start and sipp_start run their peer with it_bg; with PEER_NS set,
# the peer runs in that namespace (exec: its pid stays the one it_bg
# recorded, so kam_stop/sipp_stop reach it).
kamailio() { exec ${PEER_NS:+ip netns exec "$PEER_NS"} kamailio "$@"; }
sipp() { exec ${PEER_NS:+ip netns exec "$PEER_NS"} sipp "$@"; }

reg_addr() { echo "10.10.$1.2"; }
reg_ap() { echo "10.10.$1.2:$FO_SIP_PORT"; }

# Usage: reg_start N [kam_start options] -- Kamailio on regN's address,
# UDP and TCP 5060, granting 10 s registrations (refresh within 10 s).
reg_start() {
	local n=$1
	shift
	PEER_NS=reg$n kam_start "reg$n" addrs="$(reg_addr "$n")" \
		udp=$FO_SIP_PORT tcp=$FO_SIP_PORT min_expires=5 \
		max_expires=10 "$@"
}

# A refusing registrar: the process is gone, the port closed (ICMP port
# unreachable over UDP, RST over TCP).
# Kamailio's workers keep the socket open if the main process does not
# end them in time (kam_stop kills it after 2 s): they go by pid too.
reg_stop() {
	local pid kids
	eval "pid=\${KAM_PID_reg$1:-}"
	[ -n "$pid" ] || return 0
	kids=$(pgrep -P "$pid")
	kam_stop "reg$1"
	# shellcheck disable=SC2086
	[ -z "$kids" ] || kill -KILL $kids 2>/dev/null
	return 0
}

# A silent registrar: everything from the phone is dropped on arrival.
reg_silence() { ip netns exec "reg$1" nft add rule inet fo gate drop; }
# A refusing one, at once (a stopping Kamailio may still answer): ICMP
# port unreachable for datagrams, RST for TCP, as from a closed port.
reg_refuse() {
	ip netns exec "reg$1" nft add rule inet fo gate \
		meta l4proto tcp reject with tcp reset &&
	ip netns exec "reg$1" nft add rule inet fo gate reject
}
reg_revive() { ip netns exec "reg$1" nft flush chain inet fo gate; }

# Usage: reg_sipp N NAME SCENARIO [sipp options] -- a sipp server
# (selftests/integration/sipp/SCENARIO) on regN's SIP port.
reg_sipp() {
	local n=$1 name=$2 sf=$3
	shift 3
	PEER_NS=reg$n sipp_start "$name" "$sf" "$(reg_addr "$n")" \
		"$FO_SIP_PORT" udp "$@"
}

# Usage: wire_start N... -- record what reaches each registrar's port
# (one recorder for all, logs $T/wireN.log).
wire_start() {
	local n specs=()
	for n in "$@"; do
		specs+=("reg$n:eth0:$T/wire$n.log")
	done
	it_bg wire python3 -B "$FO_DIR/wire.py" "$FO_SIP_PORT" "${specs[@]}"
	wait_until 10 log_has wire '^ready' || {
		diag "wire recorder did not start"
		diag_log wire
		return 1
	}
}

# Wire patterns: the daemon's REGISTERs and OPTIONS, the other
# process's datagrams and connection attempts.
W_REG='tag=0 .*req=REGISTER'
W_BIND='tag=0 .*req=REGISTER$'		# not an un-REGISTER (Expires 0)
W_OPT='tag=0 .*req=OPTIONS'
W_APP_UDP='proto=udp .*tag=1'
W_APP_SYN='proto=tcp .*tag=1 syn=1'
W_APP_TCP_OPT='proto=tcp .*tag=1 .*req=OPTIONS'

# Usage: wire_lines N ERE [FROM_MS [TO_MS]] -- registrar N's packets
# matching ERE that arrived at FROM_MS <= t < TO_MS.
wire_lines() {
	awk -v re="$2" -v from="${3:-0}" -v to="${4:-0}" '
		/^t=/ {
			t = substr($1, 3) + 0
			if (t >= from && (to == 0 || t < to) && $0 ~ re)
				print
		}' "$T/wire$1.log" 2>/dev/null
}

wire_count() { wire_lines "$@" | wc -l; }

# Usage: wire_first_ms N ERE [FROM_MS] -- t of the first match, or "".
wire_first_ms() {
	wire_lines "$1" "$2" "${3:-0}" | head -n 1 | sed 's/^t=\([0-9]*\).*/\1/'
}

# Usage: wire_times N ERE [FROM_MS [TO_MS]] -- t of every match.
wire_times() {
	wire_lines "$@" | sed 's/^t=\([0-9]*\).*/\1/'
}

wire_has() { [ -n "$(wire_first_ms "$@")" ]; }

# Usage: wait_wire TIMEOUT_S N ERE [FROM_MS] -- until a match arrives.
wait_wire() {
	local s=$1
	shift
	wait_until "$s" wire_has "$@"
}

# The DNS of every scenario; extra dnsmasq options follow the TTL.
# Usage: fo_dns_start TTL_S [dnsmasq options...]
fo_dns_start() {
	local ttl=$1 proto svc i args=()
	shift
	for proto in udp:D2U:10 tcp:D2T:20; do
		svc=${proto%%:*}
		args+=("--naptr-record=$SIP_DOMAIN,${proto##*:},10,S,SIP+$(echo "$proto" | cut -d: -f2),,_sip._$svc.$SIP_DOMAIN")
		for i in $(seq "$FO_REGS"); do
			args+=("--srv-host=_sip._$svc.$SIP_DOMAIN,sip$i.$SIP_DOMAIN,$FO_SIP_PORT,$i,10")
		done
	done
	for i in $(seq "$FO_REGS"); do
		args+=("--host-record=sip$i.$SIP_DOMAIN,$(reg_addr "$i")")
	done
	dns_start --local-ttl="$ttl" "${args[@]}" "$@"
}

# Usage: fo_conf FILE [UDP|TCP] < extra lines -- one line (alice) on
# example.test via NAPTR/SRV, no start-up delay, then the extra lines
# (which win over the defaults of daemon_conf).
fo_conf() {
	local f=$1 proto=${2:-UDP}
	{
		cat
		daemon_proxy "$SIP_DOMAIN" 65535 "$proto"
		daemon_line 0 alice
		echo "voip/signalling/sip/startup_delay_max_ms=0"
	} | daemon_conf "$f"
}

# Usage: fo_start [UDP|TCP] < extra config lines (a redirection, not a
# pipe: the daemon's and the peers' pids must stay in this shell) -- registrars (Kamailio
# on those in FO_KAM, default reg1 and reg2, with FO_KAM_OPTS; reg3's
# port stays closed), wire recorders, DNS (TTL FO_DNS_TTL, default
# 60 s), the daemon (log $T/sipsteerd.log).
fo_start() {
	local i t0=$SECONDS t1 t2 t3
	for i in ${FO_KAM-1 2}; do
		# shellcheck disable=SC2086
		reg_start "$i" ${FO_KAM_OPTS:-} ||
			diag "registrar $i did not start"
	done
	t1=$SECONDS
	wire_start $(seq "$FO_REGS") || return 1
	t2=$SECONDS
	fo_dns_start "${FO_DNS_TTL:-60}" || diag "dnsmasq did not start"
	t3=$SECONDS
	fo_pki
	fo_conf "$T/sipsteerd.conf" "${1:-UDP}"
	daemon_start "$T/sipsteerd.conf"
	diag "set up in $((SECONDS - t0)) s: registrars $((t1 - t0)) s, wire $((t2 - t1)) s, dns $((t3 - t2)) s, pki $((SECONDS - t3)) s"
}

# The test PKI (pki_make) takes long under TCG: made once per VM boot
# (its /tmp is fresh), copied into each scenario's $T/pki.
fo_pki() {
	local cache=/tmp/sipsteer-failover-pki
	if [ -f "$cache/ca.pem" ]; then
		mkdir -p "$T/pki" && cp "$cache"/* "$T/pki/"
	else
		pki_make && mkdir -p "$cache" && cp "$T"/pki/* "$cache/"
	fi
}

# Registered (a binding) at registrar N and at no other.
bound_only_at() {
	local i
	for i in $(seq "$FO_REGS"); do
		if [ "$i" = "$1" ]; then
			kam_aor_has "reg$i" alice || return 1
		else
			kam_aor_none "reg$i" alice || return 1
		fi
	done
}

# Usage: fo_kill9 -- the daemon dies without a word.
fo_kill9() {
	kill -KILL "$DAEMON_PID" 2>/dev/null
	wait "$DAEMON_PID" 2>/dev/null
	DAEMON_PID=
}

# Usage: app_start [--udp] [--tcp] -- the other process, talking to the
# primary's address as it was configured before any failover.
app_start() {
	it_bg app setpriv --reuid="$FO_APP_UID" --regid="$FO_APP_UID" \
		--clear-groups python3 -B "$FO_DIR/sipapp.py" \
		--to "$(reg_ap 1)" --interval 200 "$@"
	APP_PID=$BG_PID
	wait_until 10 log_has app '^ready' || {
		diag "the other process did not start"
		diag_log app
		return 1
	}
}

# Usage: app_count ERE [FROM_MS [TO_MS]] -- its events in the window.
app_count() {
	awk -v re="$1" -v from="${2:-0}" -v to="${3:-0}" '
		$0 ~ re {
			t = $2; sub(/^t=/, "", t); t += 0
			if (t >= from && (to == 0 || t < to))
				n++
		}
		END { print n + 0 }' "$T/app.log" 2>/dev/null
}

# Usage: app_lands_only N ERE FROM_MS TO_MS -- in the window, the other
# process's packets (ERE, e.g. $W_APP_UDP) reached registrar N and no
# other registrar.
app_lands_only() {
	local n=$1 re=$2 from=$3 to=$4 i c
	for i in $(seq "$FO_REGS"); do
		c=$(wire_count "$i" "$re" "$from" "$to")
		diag "window $from..$to: $c packet(s) of the other process at reg$i"
		if [ "$i" = "$n" ]; then
			[ "$c" -gt 0 ] || return 1
		else
			[ "$c" -eq 0 ] || return 1
		fi
	done
}

# Usage: app_lands_after N ERE FROM_MS [SETTLE_MS [WINDOW_MS]] -- wait
# SETTLE_MS (300) after FROM_MS, then watch WINDOW_MS (2000): only
# registrar N receives the other process's packets.
app_lands_after() {
	local from=$(($3 + ${4:-300})) to
	to=$((from + ${5:-2000}))
	while [ "$(now_ms)" -lt "$to" ]; do
		sleep 0.2
	done
	app_lands_only "$1" "$2" "$from" "$to"
}

# The proxy set and steering objects of --status -j (failover/pset.h,
# steer/steer.h, status/status.h).
pset_jq() { daemon_jq "(.proxy_set // .set) | $1"; }
steer_jq() { daemon_jq ".steering | $1"; }

# The module's view: the daemon's service (`sipsteer -j show`).
FO_SERVICE=sipsteerd
service_jq() {
	sipsteer -j show 2>/dev/null |
		jq -e ".[] | select(.name == \"$FO_SERVICE\") | $1" \
			>/dev/null 2>&1
}

# Usage: fo_done -- on failure, the tails of every log as diagnostics
# (the VM's console is all that survives it).
fo_done() {
	local f
	diag "$IT_TOPIC: $SECONDS s"
	[ "$IT_FAILED" -eq 0 ] && return 0
	if [ -n "${DAEMON_PID:-}" ] && ! pid_alive "$DAEMON_PID"; then
		wait "$DAEMON_PID"
		diag "the daemon is gone: exit status $? (> 128: signal)"
	fi
	diag "status: $(daemon_status 2>&1 | tr -d '\n' | cut -c1-3000)"
	diag "module: $(sipsteer -j show 2>&1 | tr -d '\n' | cut -c1-1000)"
	for f in "$T"/*.log; do
		diag_log "$(basename "$f" .log)" 25
	done
}

# Usage: fo_switch_checks N REASON_ERE -- the daemon's own account of
# the last change: status and module agree on registrar N, and the
# event names a reason matching REASON_ERE.
fo_switch_checks() {
	local n=$1 why=$2
	check "status: active reg$n, a failover event with reason /$why/" \
		pset_jq "(.active == \"$(reg_ap "$n")\" or
			.active_addr == \"$(reg_ap "$n")\") and
			([.events[] | select(.kind == \"failover\" and
				.to == \"$(reg_ap "$n")\" and
				(.reason | test(\"$why\")))] | length) >= 1"
	check "the module steers the service to reg$n" \
		service_jq "[.targets[].addr] == [\"$(reg_addr "$n")\"]"
}

# The silent primary (silent-*.sh): registered at reg1, reg1 goes
# silent, the next REGISTER there gets nothing; reg2 must see no
# REGISTER before TIMEOUT_MS have passed, and one right after.
# Usage: silent_case TIMEOUT_MS
silent_case() {
	local to=$1 t_bound t_s t_req t_2 gap
	plan 8
	daemon_require || exit 1
	fo_start UDP <<<"voip/signalling/sip/outgoing_request_no_response_timeout_ms=$to"
	app_start --udp
	check "registered at the primary" wait_until 15 kam_aor_has reg1 alice
	t_bound=$(now_ms)
	check "the other process's datagrams land at the primary" \
		app_lands_after 1 "$W_APP_UDP" "$t_bound" 0 1000
	# Right after a refresh, so that none is on its way while the rule
	# goes in (the next one is 5 s or more away: Kamailio grants 10 s).
	t_s=$(now_ms)
	wait_wire 15 1 "$W_REG" "$t_s"
	sleep 0.5
	reg_silence 1
	# After the rule is in: a REGISTER still answered is not the one.
	t_s=$(now_ms)
	# The refresh (Kamailio grants 10 s) meets the silence.
	wait_wire 15 1 "$W_REG" "$t_s"
	t_req=$(wire_first_ms 1 "$W_REG" "$t_s")
	wait_until $((to / 1000 + 8)) wire_has 2 "$W_REG" "$t_s"
	t_2=$(wire_first_ms 2 "$W_REG" "$t_s")
	gap=$(( ${t_2:-0} - ${t_req:-0} ))
	diag "silent at $t_s; unanswered REGISTER at reg1 +$(( ${t_req:-0} - t_s )) ms; first REGISTER at reg2 $gap ms after it"
	check "no REGISTER reaches the secondary before $to ms" \
		test -n "$t_req" -a -n "$t_2" -a "$gap" -ge $((to - 100))
	check "registered at the secondary right after the timeout" \
		eval '[ "$gap" -le $((to + 1500)) ] &&
			wait_until 3 kam_aor_has reg2 alice'
	check "no REGISTER at reg3" test "$(wire_count 3 "$W_REG")" -eq 0
	t_bound=$(now_ms)
	check "the other process's datagrams now land at the secondary" \
		app_lands_after 2 "$W_APP_UDP" "$t_bound"
	fo_switch_checks 2 timeout
	fo_done
}
