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
# DSCP CS1 on output (IPv4 and IPv6), so wire.py tells them ("tag=1")
# from the daemon's.
#
# Options a scenario sets before it sources this file (all off by
# default: the IPv4 test bed above):
#   FO_DUAL=1   dual stack: fd00:10:N::1/64 on pN, fd00:10:N::2/64 on
#               regN's eth0 (and its default route), AAAA records beside
#               the A records, Kamailio on both addresses.
#   FO_TLS=1    Kamailio also on TLS 5061 with the test PKI's example.test
#               certificate (fo_pki); NAPTR SIPS+D2T -> SRV _sips._tcp
#               port 5061; wire.py records port 5061 too ("port=5061").
#   FO_CALLS=1  the registrars route calls (kam_start calls=, see
#               kam_calls_cfg) and each has a far end: callapp.py "farN",
#               user bob, on 10.10.N.2:5070 (UDP and TCP) in regN's
#               namespace, which Kamailio reaches over lo, so silencing
#               or refusing regN (eth0 only) leaves it alone. Calls to a
#               user not registered at regN go there; the far end calls
#               alice through regN's Kamailio.
#
# The call test bed (FO_CALLS): the phone's call application is
# callapp.py too ("callapp", callapp_start), as uid 65534 (tagged like the
# other process), on 5060 UDP/TCP and 5061 TLS, IPv4 and IPv6; it sends
# calls to the primary's address as a naive phone application does.
# Each call instance logs events to $T/NAME.log and takes commands on
# the FIFO $T/calls/NAME.ctl (ua_ctl). Kamailio logs every request with
# its Call-ID (kam_dialog). Cost under TCG: about 1 s to start each
# callapp.py, a call with hold=1 about 2 s.
#
# One scenario: selftests/failover/run.sh selftests/failover/NAME.sh
# (SIPSTEERD=... picks another daemon binary).

FO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FO_PROJECT=$(cd "$FO_DIR/../.." && pwd)
FO_REGS=3
FO_SIP_PORT=5060
# The other process's packets: DSCP CS1 (0x08) in the IPv4 TOS byte
# and the IPv6 traffic class.
FO_APP_UID=65534
FO_DUAL=${FO_DUAL:-}
FO_TLS=${FO_TLS:-}
FO_CALLS=${FO_CALLS:-}
FO_TLS_PORT=5061
# The far end of every registrar (FO_CALLS) and the phone's call app.
FO_FAR_PORT=5070
FO_CALL_USER=alice
FO_FAR_USER=bob

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
				meta skuid $FO_APP_UID ip6 dscp set cs1
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
			[ -z "$FO_DUAL" ] || {
				echo "addr add fd00:10:$i::1/64 dev p$i nodad"
				echo "neigh add fd00:10:$i::2 lladdr 02:0a:0$i:00:00:02 dev p$i nud permanent"
			}
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
		[ -z "$FO_DUAL" ] || ip -n "reg$i" -batch - <<-EOT || return 1
			addr add fd00:10:$i::2/64 dev eth0 nodad
			neigh add fd00:10:$i::1 lladdr 02:0a:0$i:00:00:01 dev eth0 nud permanent
			route add default via fd00:10:$i::1
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
# IPv6 (FO_DUAL): regN's address, and the phone's on the link to regN.
reg_addr6() { echo "fd00:10:$1::2"; }
phone_addr() { echo "10.10.$1.1"; }
phone_addr6() { echo "fd00:10:$1::1"; }
# Where regN's far end listens (FO_CALLS).
far_ap() { echo "10.10.$1.2:$FO_FAR_PORT"; }

# Usage: reg_start N [kam_start options] -- Kamailio on regN's address
# (and its IPv6 one with FO_DUAL), UDP and TCP 5060 (and TLS 5061 with
# FO_TLS), granting 10 s registrations (refresh within 10 s); with
# FO_CALLS it routes calls and regN's far end is started unless it runs.
reg_start() {
	local n=$1 addrs opts=()
	shift
	addrs=$(reg_addr "$n")
	[ -z "$FO_DUAL" ] || addrs="$addrs $(reg_addr6 "$n")"
	if [ -n "$FO_TLS" ]; then
		[ -f "$T/pki/ca.pem" ] || fo_pki || return 1
		opts+=("tls=$FO_TLS_PORT")
	fi
	[ -z "$FO_CALLS" ] || opts+=("calls=$(far_ap "$n")")
	PEER_NS=reg$n kam_start "reg$n" addrs="$addrs" \
		udp=$FO_SIP_PORT tcp=$FO_SIP_PORT min_expires=5 \
		max_expires=10 "${opts[@]}" "$@" || return 1
	[ -z "$FO_CALLS" ] || far_start "$n"
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
	local n specs=() ports=$FO_SIP_PORT
	[ -z "$FO_TLS" ] || [ "$FO_SIP_PORT" = "$FO_TLS_PORT" ] ||
		ports="$ports,$FO_TLS_PORT"
	for n in "$@"; do
		specs+=("reg$n:eth0:$T/wire$n.log")
	done
	it_bg wire python3 -B "$FO_DIR/wire.py" "$ports" "${specs[@]}"
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
# FO_TLS adds NAPTR SIPS+D2T (order 30) and its SRV records, FO_DUAL the
# AAAA records.
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
	if [ -n "$FO_TLS" ]; then
		args+=("--naptr-record=$SIP_DOMAIN,30,10,S,SIPS+D2T,,_sips._tcp.$SIP_DOMAIN")
		for i in $(seq "$FO_REGS"); do
			args+=("--srv-host=_sips._tcp.$SIP_DOMAIN,sip$i.$SIP_DOMAIN,$FO_TLS_PORT,$i,10")
		done
	fi
	for i in $(seq "$FO_REGS"); do
		args+=("--host-record=sip$i.$SIP_DOMAIN,$(reg_addr "$i")${FO_DUAL:+,$(reg_addr6 "$i")}")
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

# ------------------------------------------------- the call test bed

# The phone's call application listens here (the Contact port).
FO_CALL_PORT=5060
FO_CALL_TLS_PORT=5061

# $T/calls: what a call instance running as uid 65534 opens (the test
# PKI's CA and example.test certificate, its control FIFO).
calls_dir() {
	local d=$T/calls
	[ -d "$d" ] || mkdir -p "$d" || return 1
	# $T is private to root; the call app only passes through it.
	chmod o+x "$T"
	chown "$FO_APP_UID:$FO_APP_UID" "$d"
}

calls_pki() {
	calls_dir || return 1
	[ -f "$T/calls/good.key" ] && return 0
	{ [ -f "$T/pki/ca.pem" ] || fo_pki; } &&
		cp "$T/pki/ca.pem" "$T/pki/good.pem" "$T/pki/good.key" \
			"$T/calls/" &&
		chown "$FO_APP_UID:$FO_APP_UID" "$T"/calls/*
}

# Usage: ua_start NAME NETNS|- UID|- [callapp.py options...] -- a call
# instance (selftests/failover/callapp.py) in NETNS (- : here) as UID
# (- : root): events in $T/NAME.log, commands on $T/calls/NAME.ctl.
# Returns once it is ready.
ua_start() {
	local name=$1 ns=$2 uid=$3 ctl run=()
	shift 3
	calls_dir || return 1
	ctl=$T/calls/$name.ctl
	rm -f "$ctl"
	mkfifo -m 600 "$ctl" && chown "$FO_APP_UID:$FO_APP_UID" "$ctl" ||
		return 1
	[ "$ns" = - ] || run+=(ip netns exec "$ns")
	[ "$uid" = - ] ||
		run+=(setpriv --reuid="$uid" --regid="$uid" --clear-groups)
	it_bg "$name" "${run[@]}" python3 -B "$FO_DIR/callapp.py" \
		--name "$name" --ctl "$ctl" "$@"
	eval "UA_PID_$name=$BG_PID"
	wait_until 10 log_has "$name" '^ready ' || {
		diag "call instance $name did not start"
		diag_log "$name"
		return 1
	}
}

ua_alive() {
	local pid
	eval "pid=\${UA_PID_$1:-}"
	[ -n "$pid" ] && pid_alive "$pid"
}

# Usage: ua_ctl NAME COMMAND... -- one command line to instance NAME
# (callapp.py: call, bye, cancel, answer, quit).
ua_ctl() {
	local name=$1
	shift
	ua_alive "$name" || {
		diag "ua_ctl: $name is not running"
		return 1
	}
	printf '%s\n' "$*" >"$T/calls/$name.ctl"
}

# Usage: ua_stop NAME -- SIGTERM (its "summary" line) and wait.
ua_stop() {
	local pid
	eval "pid=\${UA_PID_$1:-}"
	[ -z "$pid" ] || it_kill "$pid"
}

# Usage: ua_line NAME EVENT [ID [ERE]] -- NAME's first EVENT line (of
# call ID, matching ERE).
ua_line() {
	awk -v ev="$2" -v id="${3:-}" -v re="${4:-}" '
		$1 != ev { next }
		id != "" {
			ok = 0
			for (i = 3; i <= NF; i++)
				if ($i == "id=" id)
					ok = 1
			if (!ok)
				next
		}
		re != "" && $0 !~ re { next }
		{ print; exit }' "$T/$1.log" 2>/dev/null
}

ua_has() { [ -n "$(ua_line "$@")" ]; }

# Usage: ua_wait TIMEOUT_S NAME EVENT [ID [ERE]]
ua_wait() {
	local s=$1
	shift
	wait_until "$s" ua_has "$@"
}

# Usage: ua_field NAME EVENT ID KEY -- KEY's value in that line ("t":
# its time in ms).
ua_field() {
	ua_line "$1" "$2" "$3" | tr ' ' '\n' | sed -n "s/^$4=//p" | head -n 1
}

# Usage: callapp_start [udp|tcp|tls [4|6]] [callapp.py options...] --
# the phone's call application ("callapp", user alice) as uid 65534:
# 5060 UDP and TCP, with FO_TLS (or tls) 5061 TLS with example.test's
# certificate, on every IPv4 and IPv6 address. Its next hop is the
# primary's address of that family (4) for that protocol (udp): a naive
# phone application, configured before any failover. TLS servers are
# verified against the test CA and example.test.
callapp_start() {
	local proto=udp af=4 host port=$FO_SIP_PORT tls=()
	case ${1:-} in udp | tcp | tls) proto=$1; shift ;; esac
	case ${1:-} in 4 | 6) af=$1; shift ;; esac
	host=$(reg_addr 1)
	[ "$af" = 4 ] || host="[$(reg_addr6 1)]"
	[ "$proto" != tls ] || port=$FO_TLS_PORT
	if [ -n "$FO_TLS" ] || [ "$proto" = tls ]; then
		calls_pki || return 1
		tls=(--cert "$T/calls/good.pem" --key "$T/calls/good.key"
			--ca "$T/calls/ca.pem")
	fi
	ua_start callapp - "$FO_APP_UID" --user "$FO_CALL_USER" \
		--port "$FO_CALL_PORT" --tls-port "$FO_CALL_TLS_PORT" \
		"${tls[@]}" --via "$host:$port" --proto "$proto" "$@"
}

# Usage: call_place ID [USER] [via=ADDR:PORT] [proto=P] [hold=S] -- the
# call app calls USER@example.test (default bob: the far end of the
# registrar that routes it) through its next hop; hold=S: BYE S seconds
# after it is up (default: hold until call_end).
call_place() {
	local id=$1 user=$FO_FAR_USER
	shift
	case ${1:-} in '' | *=*) ;; *) user=$1; shift ;; esac
	ua_ctl callapp call "$id" "$user@$SIP_DOMAIN" "$@"
}

# Usage: call_wait ID STATE [TIMEOUT_S [ERE]] -- until the call app logs
# STATE for call ID: out, 1xx, up, fail, in, answer, cancelled, end
# (call-STATE), bye-out, bye-in or retrans. Default 10 s.
call_wait() {
	local ev=$2
	case $ev in bye-* | retrans) ;; *) ev=call-$ev ;; esac
	ua_wait "${3:-10}" callapp "$ev" "$1" "${4:-}"
}

# Usage: call_field ID EVENT KEY -- a field of the call app's event
# (EVENT as for call_wait), e.g. call_field c1 up route.
call_field() {
	local ev=$2
	case $ev in bye-* | retrans) ;; *) ev=call-$ev ;; esac
	ua_field callapp "$ev" "$1" "$3"
}

# Usage: call_in_id CALLID -- the call app's id (in1, in2, ...) of the
# incoming call with that Call-ID (e.g. a far end's: far_field).
call_in_id() {
	awk -v c="callid=$1" '$1 == "call-in" {
		for (i = 3; i <= NF; i++)
			if ($i == c) { sub(/^id=/, "", $3); print $3; exit }
	}' "$T/callapp.log" 2>/dev/null
}

# Usage: call_end ID [TIMEOUT_S] -- BYE from the call app; true when
# the BYE was answered 200 within TIMEOUT_S (10).
call_end() {
	ua_ctl callapp bye "$1" &&
		call_wait "$1" end "${2:-10}" &&
		[ "$(call_field "$1" end code)" = 200 ]
}

# Usage: far_start N -- regN's far end ("farN", user bob) on
# far_ap N, unless it runs; its next hop is regN's Kamailio (UDP, lo).
far_start() {
	ua_alive "far$1" && return 0
	ua_start "far$1" "reg$1" - --user "$FO_FAR_USER" \
		--listen "$(reg_addr "$1")" --port "$FO_FAR_PORT" \
		--via "$(reg_addr "$1"):$FO_SIP_PORT" --proto udp
}

# Usage: far_call N ID [USER] [hold=S] -- far end N calls USER (default
# alice) through regN's Kamailio.
far_call() {
	local n=$1 id=$2 user=$FO_CALL_USER
	shift 2
	case ${1:-} in '' | *=*) ;; *) user=$1; shift ;; esac
	ua_ctl "far$n" call "$id" "$user@$SIP_DOMAIN" "$@"
}

# Usage: far_field N ID EVENT KEY -- as call_field, at far end N (e.g.
# far_field 1 f1 out callid).
far_field() {
	local ev=$3
	case $ev in bye-* | retrans) ;; *) ev=call-$ev ;; esac
	ua_field "far$1" "$ev" "$2" "$4"
}

# Usage: far_wait N ID STATE [TIMEOUT_S [ERE]] -- as call_wait, at far
# end N.
far_wait() {
	local ev=$3
	case $ev in bye-* | retrans) ;; *) ev=call-$ev ;; esac
	ua_wait "${4:-10}" "far$1" "$ev" "$2" "${5:-}"
}

# Usage: calls_contact N [udp|tcp|tls [4|6]] -- the call app's Contact
# on the phone's link to regN.
calls_contact() {
	local n=$1 proto=${2:-udp} af=${3:-4} host port=$FO_CALL_PORT tp=
	host=$(phone_addr "$n")
	[ "$af" = 4 ] || host="[$(phone_addr6 "$n")]"
	[ "$proto" = udp ] || tp=";transport=$proto"
	[ "$proto" != tls ] || port=$FO_CALL_TLS_PORT
	echo "sip:$FO_CALL_USER@$host:$port$tp"
}

# Usage: calls_bind N [udp|tcp|tls [4|6]] -- alice's only binding at
# regN is the call app (calls_contact), made by hand (kamcmd ul.add),
# not by a REGISTER: the daemon is not involved.
calls_bind() {
	kam_rpc "reg$1" ul.rm location "$FO_CALL_USER" >/dev/null 2>&1
	kam_rpc "reg$1" ul.add location "$FO_CALL_USER" \
		"$(calls_contact "$@")" 3600 1.0 . 0 0 0 >/dev/null
}

calls_unbind() {
	kam_rpc "reg$1" ul.rm location "$FO_CALL_USER" >/dev/null 2>&1
	kam_aor_none "reg$1" "$FO_CALL_USER"
}

# Usage: kam_dialog N CALLID -- the requests regN's Kamailio received
# with that Call-ID, one a line: "METHOD proto=P src=ADDR:PORT t=S.US
# callid=CALLID ruri=URI" (needs FO_CALLS).
kam_dialog() {
	awk -v c="callid=$2 " 'index($0, "REQUEST-IN ") && index($0, c) {
		sub(/.*REQUEST-IN /, ""); print }' "$T/reg$1.log" 2>/dev/null
}

# Usage: kam_dialog_methods N CALLID -- "INVITE ACK BYE ": the methods.
kam_dialog_methods() {
	kam_dialog "$@" | awk '{ printf "%s ", $1 }'
}

# Usage: kam_dialog_none N CALLID -- regN received no request of it.
kam_dialog_none() {
	[ -z "$(kam_dialog "$@")" ]
}

# ------------------------------------------- what a call went through

# Usage: other_regs_none N CALLID -- no registrar but N saw the dialog.
other_regs_none() {
	local i
	for i in $(seq "$FO_REGS"); do
		[ "$i" = "$1" ] || kam_dialog_none "$i" "$2" || {
			diag "reg$i saw $(kam_dialog_methods "$i" "$2")"
			return 1
		}
	done
}

# Usage: saw N CALLID METHOD... -- regN received each METHOD of it.
saw() {
	local n=$1 cid=$2 m got
	shift 2
	got=$(kam_dialog_methods "$n" "$cid")
	for m in "$@"; do
		case " $got" in *" $m "*) ;; *)
			diag "reg$n saw '$got', not $m"
			return 1 ;;
		esac
	done
}

# Usage: in_ok N FID PROTO SRC_ERE -- far end N's call FID (hold=1) to
# alice went through regN: the call app got the INVITE over PROTO from
# SRC_ERE and answered it; the far end's BYE ended it at both ends,
# answered 200; no other registrar saw any of it.
in_ok() {
	local n=$1 fid=$2 proto=$3 src=$4 cid in
	far_wait "$n" "$fid" end 15 || {
		diag "far$n: $fid did not end"
		return 1
	}
	cid=$(far_field "$n" "$fid" out callid)
	in=$(call_in_id "$cid")
	diag "far$n $fid: $(ua_line "far$n" call-up "$fid")"
	diag "callapp: $(ua_line callapp call-in "$in")"
	[ -n "$in" ] &&
		ua_has callapp call-in "$in" " from=$src proto=$proto " &&
		ua_has callapp call-answer "$in" " code=200" &&
		ua_has callapp call-up "$in" " proto=$proto " &&
		ua_has "far$n" call-end "$fid" " by=local code=200 " &&
		call_wait "$in" end 3 " by=remote code=200 " &&
		saw "$n" "$cid" INVITE ACK BYE &&
		other_regs_none "$n" "$cid"
}

# Usage: out_ok ID N PROTO HOP -- the call app's call ID (hold=1) went
# through regN to far end N: up, its route set's first hop is HOP
# (ADDR:PORT as in bye-out), the ACK and BYE went there, the BYE was
# answered 200; the far end saw it end; regN received INVITE, ACK and
# BYE of it, no other registrar anything.
out_ok() {
	local id=$1 n=$2 proto=$3 hop=$4 cid fin
	call_wait "$id" end 15 || {
		diag "$id did not end"
		diag_log callapp 6
		return 1
	}
	cid=$(call_field "$id" out callid)
	fin=$(ua_line "far$n" call-in "" "callid=$cid ")
	fin=$(echo "$fin" | sed -n 's/.* id=\([^ ]*\) .*/\1/p')
	diag "$(ua_line callapp call-up "$id")"
	diag "$(ua_line callapp bye-out "$id")"
	diag "$(ua_line callapp call-end "$id")"
	[ -n "$fin" ] &&
		ua_has callapp call-end "$id" " by=local code=200 " &&
		ua_has callapp bye-out "$id" " to=$hop proto=$proto " &&
		ua_has "far$n" call-end "$fin" " by=remote code=200 " &&
		saw "$n" "$cid" INVITE ACK BYE &&
		other_regs_none "$n" "$cid"
}

# Usage: first_hop ID -- the route set's first hop of call ID, as
# ADDR:PORT (rr leaves out the port when it is 5060).
first_hop() {
	call_field "$1" up route | sed -e 's/,.*//' -e 's/^<sip:\([^;>]*\).*/\1/' |
		awk '{ if ($0 ~ /^\[/ ? $0 !~ /\]:/ : $0 !~ /:/) $0 = $0 ":5060"
			print }'
}

# -------------------------------------------------------- the call story

# Usage: re_quote TEXT -- an ERE that matches TEXT ([, ], . quoted).
re_quote() { printf '%s' "$1" | sed 's/[].[]/\\&/g'; }

# Usage: reg_hop N udp|tcp|tls [4|6] -- regN's SIP address and port for
# that protocol and family, as the call app prints addresses.
reg_hop() {
	local host port=$FO_SIP_PORT
	host=$(reg_addr "$1")
	[ "${3:-4}" = 4 ] || host="[$(reg_addr6 "$1")]"
	[ "$2" != tls ] || port=$FO_TLS_PORT
	echo "$host:$port"
}

# Usage: reg_src_re N udp|tcp|tls [4|6] -- an ERE for where regN's
# requests to the call app come from: its SIP port over UDP, any port
# over TCP and TLS (Kamailio connects anew).
reg_src_re() {
	local hop
	hop=$(re_quote "$(reg_hop "$@")")
	[ "$2" = udp ] && echo "$hop" || echo "${hop%:*}:[0-9]+"
}

# The call story (calls-*.sh): the daemon registers alice with the call
# application's Contact; calls in and out through the primary; the
# primary goes silent (its far end and Kamailio keep running): calls out
# to the primary's address and in through the secondary complete; a
# call set up during the outage outlives the failback, its BYE reaching
# the secondary directly (the primary sees no request of it); calls go
# through the primary again after the failback.
# Usage: call_story PROTO DAEMON_AF [APP_AF...] -- PROTO udp|tcp|tls;
# DAEMON_AF the family the daemon registers over (6 with FO_DUAL: AAAA
# first); each APP_AF a family the call application calls the primary's
# address in (default DAEMON_AF). The caller sets FO_CALLS (FO_TLS and
# FO_DUAL as needed) before sourcing this file.
call_story() {
	local proto=$1 daf=$2 af id cid contact
	shift 2
	[ $# -gt 0 ] || set -- "$daf"
	plan $((11 + 4 * $#))
	daemon_require || exit 1
	FO_KAM="1 2" fo_start "${proto^^}" <<-EOF
		voip/signalling/sip/outgoing_request_no_response_timeout_ms=3000
		voip/signalling/sip/registrar_ka/enabled=1
		voip/signalling/sip/registrar_ka/timeout=5
		voip/signalling/sip/redundant_proxy/failback_retry_timeout=5
		voip/signalling/sip/redundant_proxy/failback_probes=2
		voip/signalling/sip/redundant_proxy/hold_down=1
	EOF
	callapp_start "$proto" "$1" || exit 1
	contact=$(calls_contact 1 "$proto" "$daf")
	check "registered at reg1, the Contact is the call application ($contact)" \
		wait_until 20 kam_aor_has reg1 alice "^$(re_quote "$contact") "

	far_call 1 f1 hold=1
	check "in through reg1: the far end's call reaches the call app, answered, BYE 200" \
		in_ok 1 f1 "$proto" "$(reg_src_re 1 "$proto" "$daf")"
	call_place o1 hold=1
	check "out through reg1: reaches the far end, BYE to reg1's Record-Route, 200" \
		out_ok o1 1 "$proto" "$(re_quote "$(reg_hop 1 "$proto" "$1")")"

	reg_silence 1
	check "reg1 silent: every line registered at reg2" \
		wait_until 30 kam_aor_has reg2 alice "^$(re_quote "$(calls_contact 2 "$proto" "$daf")") "
	check "steering: reg1 steered" \
		wait_until 5 steer_jq "[.steered[] | select(test(\"$(reg_addr 1)|$(reg_addr6 1)\"))] | length >= 1"
	for af in "$@"; do
		id=o2-$af
		call_place "$id" via="$(reg_hop 1 "$proto" "$af")" hold=1
		check "IPv$af: a call to reg1's address during the outage completes through reg2" \
			out_ok "$id" 2 "$proto" "$(re_quote "$(reg_hop 2 "$proto" "$af")")"
	done
	far_call 2 f2 hold=1
	check "in through reg2 during the outage: reaches the call app" \
		in_ok 2 f2 "$proto" "$(reg_src_re 2 "$proto" "$daf")"
	for af in "$@"; do
		id=o3-$af
		call_place "$id" via="$(reg_hop 1 "$proto" "$af")"
		check "IPv$af: a call set up through reg2 during the outage is held" \
			eval 'call_wait "$id" up 15 &&
				[ "$(first_hop "$id")" = "$(reg_hop 2 "$proto" "$af")" ]'
	done

	reg_revive 1
	# (Kamailio lists an expired binding until its timer runs: the
	# failback event says when the lines are back. On a dual-stack list
	# reg1's other address may reach its probe count a round before the
	# daemon's family: the lines still go to the better one, in one move.)
	check "reg1 back: failback, registered at reg1 and un-registered at reg2" \
		eval 'wait_until 40 pset_jq ".failbacks >= 1 and .state == \"active\"" &&
			pset_jq ".active_addr == \"$(reg_hop 1 "$proto" "$daf")\"" &&
			wait_until 5 kam_aor_none reg2 alice &&
			kam_aor_has reg1 alice "^$(re_quote "$contact") "'
	check "steering: nothing steered after the failback" \
		wait_until 5 steer_jq '.steered == []'
	for af in "$@"; do
		id=o3-$af
		check "IPv$af: the held call is still up; its BYE reaches reg2 directly, 200" \
			eval '! ua_has callapp call-end "$id" && call_end "$id" 15 &&
				ua_has callapp bye-out "$id" " to=$(re_quote "$(reg_hop 2 "$proto" "$af")") "'
		cid=$(call_field "$id" out callid)
		check "IPv$af: reg1 saw no request of that call, reg2 saw all of it" \
			eval 'kam_dialog_none 1 "$cid" && saw 2 "$cid" INVITE ACK BYE'
	done
	call_place o4 hold=1
	check "out after the failback: through reg1 again" \
		out_ok o4 1 "$proto" "$(re_quote "$(reg_hop 1 "$proto" "$1")")"
	far_call 1 f3 hold=1
	check "in after the failback: through reg1 again" \
		in_ok 1 f3 "$proto" "$(reg_src_re 1 "$proto" "$daf")"
	check "no call failed at the call app" \
		eval '! grep -q "^call-fail" "$T/callapp.log"'
	fo_done
}

# Passive failure detection (passive-*.sh): Kamailio with a far end on
# reg1 and reg2, the daemon with no keep-alive (the manual's default) and
# the default 32 s no-response timeout, and the call application; one
# check: registered at reg1 with its Contact. The caller sets FO_CALLS.
passive_start() {
	FO_KAM="1 2" fo_start UDP \
		<<<"voip/signalling/sip/outgoing_request_no_response_timeout_ms=32000"
	callapp_start udp 4 || exit 1
	check "registered at reg1, the Contact is the call application" \
		wait_until 20 kam_aor_has reg1 alice \
			"^$(re_quote "$(calls_contact 1 udp 4)") "
}

# Requests that reach the daemon itself (relay-*.sh): reg1's Kamailio
# treats the phone as NATed (nat=1): it keeps the source of each
# REGISTER, pings it with OPTIONS every 2 s and sends alice's calls
# there, to the daemon's socket or connection, not to the Contact. The
# daemon answers the OPTIONS; it relays the INVITE to the call
# application (UDP, the Contact's port) and its answers back; with the
# call application gone, the caller gets 480 at once.
# Usage: relay_story udp|tcp (the caller sets FO_CALLS).
relay_story() {
	local proto=$1 cid in src
	# Kamailio's nathelper pings UDP bindings only.
	if [ "$proto" = udp ]; then plan 6; else plan 5; fi
	daemon_require || exit 1
	FO_KAM=1 FO_KAM_OPTS=nat=1 fo_start "${proto^^}" </dev/null
	callapp_start "$proto" || exit 1
	check "$proto: registered at reg1 with the call application's Contact" \
		wait_until 20 kam_aor_has reg1 alice \
			"^$(re_quote "$(calls_contact 1 "$proto")") "
	[ "$proto" != udp ] ||
		check "$proto: the registrar's OPTIONS to the daemon's socket are answered" \
			wait_until 10 daemon_jq '.inbound.options >= 2'
	far_call 1 f1 hold=1
	check "$proto: an INVITE sent to the daemon is relayed: the call app answers, BYE 200" \
		eval 'far_wait 1 f1 end 15 " by=local code=200 " &&
			cid=$(far_field 1 f1 out callid) && in=$(call_in_id "$cid") &&
			ua_has callapp call-up "$in" &&
			log_has reg1 "SEND-OUT INVITE callid=$cid dst=$(phone_addr 1):[0-9]+ proto=$proto"'
	src=$(ua_line callapp call-in "$in" | sed -n 's/.* from=\([^ ]*\) .*/\1/p')
	diag "the relayed INVITE reached the call app from $src"
	check "$proto: relayed by the daemon (from the phone itself), counted" \
		eval 'case $src in "$(phone_addr 1)":*) ;; *) false ;; esac &&
			daemon_jq ".inbound.relayed >= 1 and .inbound.responses >= 2"'
	ua_stop callapp
	far_call 1 f2
	check "$proto: the call app gone: the caller gets 480 from the daemon at once" \
		eval 'far_wait 1 f2 fail 5 " code=480 " &&
			daemon_jq ".inbound.refused >= 1"'
	check "$proto: the daemon logged it" \
		log_has sipsteerd "relayed to the call application: 480"
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
