# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034
#
# Helpers shared by the daemon's integration tests. Each topic script
# sources this file and runs in a network namespace of its own (run.sh
# puts it there), so fixed ports cannot collide with anything else on the
# machine and nothing outlives the namespace's processes, which the EXIT
# trap kills.
#
# Peers are real programs: Kamailio (registrar with digest auth over UDP,
# TCP, TLS), dnsmasq (NAPTR/SRV/A/AAAA), sipp (misbehaving servers).

set -u

IT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IT_TOPIC=$(basename "$0" .sh)
SIPSTEERD=${SIPSTEERD:-}
# Where logs of a failed topic are kept for the reader (run.sh sets it).
IT_LOGDIR=${IT_LOGDIR:-}
IT_VERBOSE=${IT_VERBOSE:-0}

KAM_MODULES=$(ls -d /usr/lib/*/kamailio/modules 2>/dev/null | head -n 1)
KAM_PASSWORD=secret
# The SIP domain the test certificates are made for.
SIP_DOMAIN=example.test
DNS_PORT=5353

T=$(mktemp -d "${TMPDIR:-/tmp}/sipsteer-it.${IT_TOPIC}.XXXXXX")
IT_PIDS=()
IT_CASE=0
IT_FAILED=0

# ---------------------------------------------------------------- cleanup

# Our children stay zombies until waited for: kill -0 cannot tell.
pid_alive() {
	local st
	st=$(sed -n 's/^[0-9]* (.*) \([A-Z]\) .*/\1/p' "/proc/$1/stat" \
		2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ]
}

# Only our own children: a pid reaped earlier may belong to someone else.
our_child() {
	local ppid
	ppid=$(sed -n 's/^[0-9]* (.*) [A-Z] \([0-9]*\) .*/\1/p' \
		"/proc/$1/stat" 2>/dev/null)
	[ "$ppid" = "$$" ]
}

it_kill() {
	local pid=$1
	our_child "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for _ in $(seq 20); do
		pid_alive "$pid" || break
		sleep 0.1
	done
	pid_alive "$pid" && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

it_cleanup() {
	local pid
	trap - EXIT INT TERM
	for pid in "${IT_PIDS[@]}"; do
		it_kill "$pid"
	done
	if [ -n "$IT_LOGDIR" ] && { [ "$IT_FAILED" -ne 0 ] || [ "$IT_VERBOSE" != 0 ]; }; then
		mkdir -p "$IT_LOGDIR/$IT_TOPIC"
		find "$T" -maxdepth 2 -name '*.log' -exec cp {} "$IT_LOGDIR/$IT_TOPIC/" \;
		cp "$T"/*.conf "$T"/*/kamailio.cfg "$IT_LOGDIR/$IT_TOPIC/" 2>/dev/null
	fi
	rm -rf "$T"
}
trap it_cleanup EXIT
trap 'exit 1' INT TERM

# Start "$@" in the background, logging to $1.log under $T; sets BG_PID.
# Usage: it_bg NAME cmd args...
it_bg() {
	local name=$1
	shift
	"$@" </dev/null >>"$T/$name.log" 2>&1 &
	BG_PID=$!
	IT_PIDS+=("$BG_PID")
}

# ------------------------------------------------------------- reporting

# TAP-like: "1..N" first; run.sh counts missing results as failures.
plan() {
	echo "1..$1"
}

ok() {
	IT_CASE=$((IT_CASE + 1))
	echo "ok $IT_CASE $*"
}

not_ok() {
	IT_CASE=$((IT_CASE + 1))
	IT_FAILED=$((IT_FAILED + 1))
	echo "not ok $IT_CASE $*"
}

# Print a diagnostic line (shown by run.sh, ignored in the count).
diag() {
	echo "# $*"
}

# Usage: check NAME cmd args... -- ok when the command succeeds.
check() {
	local name=$1
	shift
	if "$@"; then
		ok "$name"
	else
		not_ok "$name"
	fi
}

# Print the last lines of a log under $T as diagnostics.
diag_log() {
	local f=$T/$1.log
	[ -f "$f" ] || return 0
	tail -n "${2:-15}" "$f" | sed -e "s/^/# $1: /"
}

# ------------------------------------------------------------------ time

now_ms() {
	local s
	s=$(date +%s%N)
	echo $((s / 1000000))
}

# Usage: wait_until TIMEOUT_S cmd args... -- poll every 100 ms.
wait_until() {
	local deadline=$(($(now_ms) + $1 * 1000))
	shift
	while ! "$@"; do
		[ "$(now_ms)" -lt "$deadline" ] || return 1
		sleep 0.1
	done
	return 0
}

# Usage: log_has NAME ERE -- the log $T/NAME.log has a matching line.
log_has() {
	grep -Eq -- "$2" "$T/$1.log" 2>/dev/null
}

# Usage: log_count NAME ERE
log_count() {
	local n
	n=$(grep -Ec -- "$2" "$T/$1.log" 2>/dev/null) || n=0
	echo "$n"
}

# Usage: log_event NAME ERE -- like log_has, but not on the daemon's
# "starting with FILE" line, whose path holds test names.
log_event() {
	grep -v ' starting with ' "$T/$1.log" 2>/dev/null | grep -Eq -- "$2"
}

# Usage: wait_log NAME ERE TIMEOUT_S
wait_log() {
	wait_until "$3" log_has "$1" "$2"
}

# ------------------------------------------------------------------ TLS

# A test CA and server certificates made with certtool at test time:
#   $T/pki/ca.pem            CA the daemon is told to trust
#   $T/pki/good.{pem,key}    sip:example.test / DNS example.test
#   $T/pki/wrong.{pem,key}   sip:wrong.test / DNS wrong.test
#   $T/pki/target.{pem,key}  only the SRV target name sip1.example.test
pki_make() {
	local d=$T/pki name
	mkdir -p "$d"
	certtool --generate-privkey --key-type=ecdsa --outfile "$d/ca.key" \
		>/dev/null 2>&1 || return 1
	cat >"$d/ca.tmpl" <<-EOF
		cn = "sipsteer test CA"
		ca
		cert_signing_key
		expiration_days = 2
	EOF
	certtool --generate-self-signed --load-privkey "$d/ca.key" \
		--template "$d/ca.tmpl" --outfile "$d/ca.pem" \
		>/dev/null 2>&1 || return 1
	for name in good:example.test wrong:wrong.test \
		    target:sip1.example.test; do
		pki_leaf "$d" "${name%%:*}" "${name#*:}" || return 1
	done
}

pki_leaf() {
	local d=$1 file=$2 dom=$3
	certtool --generate-privkey --key-type=ecdsa --outfile "$d/$file.key" \
		>/dev/null 2>&1 || return 1
	{
		echo "cn = \"$dom\""
		# The target certificate carries no sip: URI: it names a host.
		[ "$file" = target ] || echo "uri = \"sip:$dom\""
		echo "dns_name = \"$dom\""
		echo "tls_www_server"
		echo "signing_key"
		echo "encryption_key"
		echo "expiration_days = 2"
	} >"$d/$file.tmpl"
	certtool --generate-certificate --load-privkey "$d/$file.key" \
		--load-ca-certificate "$d/ca.pem" \
		--load-ca-privkey "$d/ca.key" --template "$d/$file.tmpl" \
		--outfile "$d/$file.pem" >/dev/null 2>&1
}

# -------------------------------------------------------------- Kamailio

# Usage: kam_start NAME [key=value...]
# Keys: addrs ("127.0.0.1 ::1"), udp, tcp, tls (ports; 0: none),
# tls_wrong (a second TLS port with the wrong-domain certificate),
# tls_target (a TLS port with the SRV-target-only certificate),
# algo (auth algorithm: MD5, SHA-256), min_expires, max_expires (what
# it grants at most: the daemon asks for >= 30 s, tests want less),
# password, min_expires_mode (1: answer 423 below min_expires),
# nonce_expire (s), auth (www: 401; proxy: 407 Proxy-Authenticate),
# calls (ADDR:PORT of a far end: route calls, see kam_calls_cfg), nat
# (1: a registrar behind which phones are NATed: it keeps the source of
# each REGISTER (fix_nated_register), sends requests for the user there
# instead of to the Contact, and pings it with OPTIONS every 2 s).
# db (a SQLite file made by kam_db_make: usrloc keeps its bindings there
# alone, db_mode 3, so two registrars given the same file share one
# location database), busy (1: kam_busy NAME 1|0 makes it answer 503 to
# OPTIONS and to every REGISTER but an un-REGISTER), flow_timer (s:
# the registrar supports RFC 5626 outbound, "Require: outbound" and this
# Flow-Timer in its 2xx to a REGISTER with reg-id).
# Logs every REGISTER as "REGISTER-IN proto=.. expires=.. auth=.." to
# $T/NAME.log; `kamcmd` reaches it over $T/NAME/ctl.sock.
kam_start() {
	local name=$1 d=$T/$1 kv
	local addrs="127.0.0.1" udp=5060 tcp=5060 tls=0 tls_wrong=0
	local tls_target=0 algo="" min_expires=5 max_expires=10
	local min_expires_mode=0 nonce_expire=300 auth=www
	local password=$KAM_PASSWORD calls= nat=0 db= busy=0 flow_timer=0
	shift
	for kv in "$@"; do
		case $kv in
		addrs=*) addrs=${kv#*=} ;;
		udp=*) udp=${kv#*=} ;;
		tcp=*) tcp=${kv#*=} ;;
		tls=*) tls=${kv#*=} ;;
		tls_wrong=*) tls_wrong=${kv#*=} ;;
		tls_target=*) tls_target=${kv#*=} ;;
		algo=*) algo=${kv#*=} ;;
		min_expires=*) min_expires=${kv#*=} ;;
		max_expires=*) max_expires=${kv#*=} ;;
		min_expires_mode=*) min_expires_mode=${kv#*=} ;;
		nonce_expire=*) nonce_expire=${kv#*=} ;;
		auth=*) auth=${kv#*=} ;;
		password=*) password=${kv#*=} ;;
		calls=*) calls=${kv#*=} ;;
		nat=*) nat=${kv#*=} ;;
		db=*) db=${kv#*=} ;;
		busy=*) busy=${kv#*=} ;;
		flow_timer=*) flow_timer=${kv#*=} ;;
		*) echo "kam_start: bad option $kv" >&2; return 1 ;;
		esac
	done
	mkdir -p "$d/run"
	# A restart must not find the old control socket ready.
	rm -f "$d/ctl.sock"
	local any_tls=$((tls + tls_wrong + tls_target)) tls_log=
	# The SNI the client sent: only the tls module knows it.
	[ "$any_tls" -eq 0 ] ||
		tls_log='if ($pr == "tls") { xlog("L_NOTICE", "TLS-IN user=$fU sni=$tls_peer_server_name\n"); }'
	# Without calls=, the configuration is the registrar's alone.
	# shellcheck disable=SC2016 # Kamailio's variables
	local req_log='REQUEST-IN $rm proto=$pr src=$si:$sp' calls_req=
	local calls_mods= nat_mods= nat_reg= db_mods= busy_req= ob_mods=
	local db_mode='modparam("usrloc", "db_mode", 0)' children=2
	if [ -n "$db" ]; then
		# One worker: a retransmitted REGISTER handled by a second
		# worker at the same time would find no binding in the table
		# yet and insert a second one (no transaction spans save()).
		children=1
		# Updates and deletes by ruid: the bindings of one line's
		# flows share Contact URI and Call-ID.
		db_mods=$(printf '%s\n' 'loadmodule "db_sqlite.so"' \
			"modparam(\"usrloc\", \"db_url\", \"sqlite:///$db\")" \
			'modparam("usrloc", "db_ops_ruid", 1)')
		db_mode='modparam("usrloc", "db_mode", 3)'
	fi
	if [ "$flow_timer" -gt 0 ]; then
		ob_mods=$(printf '%s\n' \
			'modparam("registrar", "outbound_mode", 1)' \
			"modparam(\"registrar\", \"flow_timer\", $flow_timer)")
	fi
	if [ "$busy" = 1 ]; then
		# shellcheck disable=SC2016 # Kamailio's variables
		busy_req='if ($shv(busy) == 1 && $hdr(Expires) != "0") { sl_send_reply("503", "Busy"); exit; }'
	fi
	if [ "$nat" = 1 ]; then
		nat_mods=$(printf '%s\n' 'loadmodule "nathelper.so"' \
			'modparam("nathelper", "received_avp", "$avp(RECEIVED)")' \
			'modparam("registrar", "received_avp", "$avp(RECEIVED)")' \
			'modparam("usrloc", "nat_bflag", 6)' \
			'modparam("nathelper", "natping_interval", 2)' \
			'modparam("nathelper", "ping_nated_only", 1)' \
			'modparam("nathelper", "sipping_bflag", 7)' \
			"modparam(\"nathelper\", \"sipping_from\", \"sip:pinger@$SIP_DOMAIN\")")
		nat_reg='fix_nated_register(); setbflag(6); setbflag(7);'
	fi
	if [ -n "$calls" ]; then
		# shellcheck disable=SC2016
		req_log="$req_log"' t=$TV(Sn) callid=$ci ruri=$ru'
		calls_req='route(CALLS);'
		calls_mods=$(kam_calls_cfg modules)
	fi
	{
		cat <<-EOF
			#!KAMAILIO
			debug=2
			log_stderror=yes
			memdbg=5
			memlog=5
			children=$children
			tcp_children=$children
			auto_aliases=no
			dns=no
			rev_dns=no
			tcp_connection_lifetime=120
			mpath="$KAM_MODULES/"
		EOF
		local a la p
		for a in $addrs; do
			la=$a
			case $a in *:*) la="[$a]" ;; esac
			[ "$udp" -eq 0 ] || echo "listen=udp:$la:$udp"
			[ "$tcp" -eq 0 ] || echo "listen=tcp:$la:$tcp"
			for p in $tls $tls_wrong $tls_target; do
				[ "$p" -eq 0 ] || echo "listen=tls:$la:$p"
			done
		done
		if [ "$any_tls" -ne 0 ]; then
			echo "enable_tls=yes"
			echo 'loadmodule "tls.so"'
			echo "modparam(\"tls\", \"config\", \"$d/tls.cfg\")"
		else
			echo "enable_tls=no"
		fi
		cat <<-EOF
			loadmodule "kex.so"
			loadmodule "corex.so"
			loadmodule "tm.so"
			loadmodule "sl.so"
			loadmodule "pv.so"
			loadmodule "maxfwd.so"
			loadmodule "textops.so"
			loadmodule "siputils.so"
			loadmodule "xlog.so"
			loadmodule "sanity.so"
			loadmodule "ctl.so"
			loadmodule "usrloc.so"
			loadmodule "registrar.so"
			loadmodule "auth.so"
			modparam("ctl", "binrpc", "unix:$d/ctl.sock")
			$db_mods
			$db_mode
			$ob_mods
			modparam("registrar", "min_expires", $min_expires)
			modparam("registrar", "min_expires_mode", $min_expires_mode)
			modparam("registrar", "max_expires", $max_expires)
			modparam("registrar", "default_expires", $max_expires)
			modparam("auth", "algorithm", "$algo")
			modparam("auth", "qop", "auth")
			modparam("auth", "nonce_expire", $nonce_expire)
			$calls_mods
			$nat_mods

			request_route {
				if (is_method("REGISTER")) {
					xlog("L_NOTICE", "REGISTER-IN t=\$TV(Sn) user=\$fU proto=\$pr src=\$si:\$sp expires=\$hdr(Expires) to=\$hdr(To) contact=\$hdr(Contact) auth=\$hdr(Authorization)\n");
				} else {
					xlog("L_NOTICE", "$req_log\n");
				}
				$tls_log
				if (!mf_process_maxfwd_header("10")) {
					sl_send_reply("483", "Too Many Hops");
					exit;
				}
				$busy_req
				$calls_req
				if (is_method("OPTIONS")) {
					sl_send_reply("200", "OK");
					exit;
				}
				if (!is_method("REGISTER")) {
					sl_send_reply("405", "Method Not Allowed");
					exit;
				}
				if (!pv_${auth}_authenticate("\$td", "$password", "0")) {
					xlog("L_NOTICE", "AUTH-CHALLENGE user=\$au code=\$rc\n");
					${auth}_challenge("\$td", "1");
					exit;
				}
				consume_credentials();
				$nat_reg
				if (!save("location")) {
					sl_reply_error();
					exit;
				}
				xlog("L_NOTICE", "REGISTER-SAVED user=\$tU expires=\$hdr(Expires)\n");
				exit;
			}
		EOF
		[ -z "$calls" ] || kam_calls_cfg routes "$calls"
	} >"$d/kamailio.cfg"
	if [ "$any_tls" -ne 0 ]; then
		kam_tls_cfg "$d" "$addrs" "$tls_wrong" "$tls_target" || return 1
	fi
	it_bg "$name" kamailio -f "$d/kamailio.cfg" -DD -E -Y "$d/run" \
		-P "$d/run/kamailio.pid" -w "$d"
	eval "KAM_PID_$name=$BG_PID"
	wait_until 10 test -S "$d/ctl.sock" || {
		diag "kamailio $name did not start"
		diag_log "$name"
		return 1
	}
	# The control socket comes up before the SIP workers; ask it.
	wait_until 5 kam_rpc "$name" core.version >/dev/null 2>&1
}

# Usage: kam_calls_cfg modules|routes [FAR_ADDR:PORT] -- the parts of
# Kamailio's configuration that route calls (kam_start calls=...).
# Requests inside a dialog (To tag) follow their Route headers
# (loose_route) or, for the ACK of a failed INVITE, the transaction; a
# CANCEL follows its INVITE. Any other request but REGISTER and an
# OPTIONS to the server itself (no user part) is record-routed (INVITE,
# SUBSCRIBE, REFER) and relayed statefully to the Contact of the
# requested user when one is registered here (lookup, no
# authentication), else to the far end; one from the far end for a user
# not registered gets 404. Logged: REQUEST-IN with t=, callid= and ruri=
# for every request; CALL-LOOKUP / CALL-FAR (where an initial request
# goes); REPLY-IN (every response to a relayed request, with its source)
# and SEND-OUT (every request sent, with its destination and protocol).
# Record-Route: rr adds ";transport=" for TCP and TLS and two entries
# (r2=on) where the protocol or the address family changes on the way.
kam_calls_cfg() {
	local far=${2:-} far_host far_port
	if [ "$1" = modules ]; then
		cat <<-'EOF'
			loadmodule "rr.so"
			modparam("tm", "fr_timer", 5000)
			modparam("tm", "fr_inv_timer", 30000)
		EOF
		return 0
	fi
	far_host=${far%:*}
	far_port=${far##*:}
	far_host=${far_host#[}
	far_host=${far_host%]}
	cat <<-EOF

		route[CALLS] {
			if (is_method("REGISTER") || (is_method("OPTIONS") && \$rU == \$null)) {
				return;
			}
			if (has_totag()) {
				if (loose_route()) {
					route(RELAY);
				}
				if (is_method("ACK")) {
					if (t_check_trans()) {
						t_relay();
					}
					exit;
				}
				sl_send_reply("404", "Not here");
				exit;
			}
			if (is_method("CANCEL")) {
				if (t_check_trans()) {
					route(RELAY);
				}
				exit;
			}
			t_check_trans();
			if (is_method("INVITE|SUBSCRIBE|REFER")) {
				record_route();
			}
			if (lookup("location")) {
				xlog("L_NOTICE", "CALL-LOOKUP \$rm callid=\$ci user=\$rU to=\$ru\n");
				route(RELAY);
			}
			if (\$si == "$far_host" && \$sp == $far_port) {
				sl_send_reply("404", "Not Found");
				exit;
			}
			\$du = "sip:$far";
			xlog("L_NOTICE", "CALL-FAR \$rm callid=\$ci user=\$rU to=\$du\n");
			route(RELAY);
		}

		route[RELAY] {
			t_on_reply("REPLY_IN");
			if (!t_relay()) {
				sl_reply_error();
			}
			exit;
		}

		onreply_route[REPLY_IN] {
			xlog("L_NOTICE", "REPLY-IN \$rs \$rm callid=\$ci src=\$si:\$sp proto=\$pr\n");
		}

		onsend_route {
			if (is_request()) {
				xlog("L_NOTICE", "SEND-OUT \$rm callid=\$ci dst=\$sndto(ip):\$sndto(port) proto=\$sndto(sproto)\n");
			}
		}
	EOF
}

kam_tls_cfg() {
	local d=$1 addrs=$2 wrong=$3 target=$4 a la
	[ -f "$T/pki/ca.pem" ] || pki_make || return 1
	{
		cat <<-EOF
			[server:default]
			method = TLSv1.2+
			verify_certificate = no
			require_certificate = no
			private_key = $T/pki/good.key
			certificate = $T/pki/good.pem

			[client:default]
			verify_certificate = no
			require_certificate = no
		EOF
		for a in $addrs; do
			la=$a
			case $a in *:*) la="[$a]" ;; esac
			if [ "$wrong" -ne 0 ]; then
				printf '\n[server:%s:%s]\n' "$la" "$wrong"
				echo "method = TLSv1.2+"
				echo "verify_certificate = no"
				echo "private_key = $T/pki/wrong.key"
				echo "certificate = $T/pki/wrong.pem"
			fi
			if [ "$target" -ne 0 ]; then
				printf '\n[server:%s:%s]\n' "$la" "$target"
				echo "method = TLSv1.2+"
				echo "verify_certificate = no"
				echo "private_key = $T/pki/target.key"
				echo "certificate = $T/pki/target.pem"
			fi
		done
	} >"$d/tls.cfg"
}

# Usage: kam_busy NAME 1|0 -- a registrar started with busy=1 answers
# 503 (1) or as usual (0).
kam_busy() {
	kam_rpc "$1" pv.shvSet busy int "$2" >/dev/null
}

# Usage: kam_db_make FILE -- an empty usrloc database (Kamailio's own
# schema) for kam_start db=FILE. In WAL mode (it stays with the file):
# Kamailio has no busy timeout, and a reader (the test polling the
# table) would otherwise make a registrar's write fail, "database is
# locked", a 500 to the REGISTER.
kam_db_make() {
	local s=/usr/share/kamailio/db_sqlite
	python3 - "$1" "$s/standard-create.sql" "$s/usrloc-create.sql" <<-'EOF'
		import sqlite3, sys
		db = sqlite3.connect(sys.argv[1])
		db.execute("PRAGMA journal_mode=WAL")
		for f in sys.argv[2:]:
		    db.executescript(open(f).read())
		db.commit()
	EOF
}

# Usage: kam_db_bindings FILE AOR -- "reg_id socket instance" of each
# binding of AOR in a kam_start db=FILE database, by reg-id.
kam_db_bindings() {
	python3 - "$1" "$2" <<-'EOF'
		import sqlite3, sys
		db = sqlite3.connect(sys.argv[1], timeout=5)
		for r in db.execute("SELECT reg_id, socket, instance FROM location"
		                    " WHERE username = ? ORDER BY reg_id",
		                    (sys.argv[2],)):
		    print(*r)
	EOF
}

kam_stop() {
	local pid
	eval "pid=\${KAM_PID_$1:-}"
	[ -n "$pid" ] && it_kill "$pid"
}

kam_rpc() {
	local name=$1
	shift
	kamcmd -s "unix:$T/$name/ctl.sock" "$@"
}

# Usage: kam_contacts NAME -- print the registered contact URIs.
kam_contacts() {
	kam_rpc "$1" ul.dump 2>/dev/null |
		sed -n 's/^[[:space:]]*Address:[[:space:]]*//p'
}

# Usage: kam_has_contact NAME [ERE] -- some contact (matching ERE).
kam_has_contact() {
	kam_contacts "$1" | grep -Eq -- "${2:-.}"
}

# Usage: kam_aor NAME AOR -- "Address Socket Expires" of each contact of
# the address-of-record AOR (user part: usrloc runs without domains).
kam_aor() {
	kam_rpc "$1" ul.dump 2>/dev/null | awk -v aor="$2" '
		$1 == "AoR:" { cur = $2 }
		cur != aor { next }
		$1 == "Address:" { addr = $2 }
		$1 == "Expires:" { ex = $2 }
		$1 == "Socket:" { sock = $2 }
		$1 == "Last-Modified:" { print addr, sock, ex }'
}

# Usage: kam_aor_has NAME AOR [ERE] -- a contact of AOR (matching ERE
# on "Address Socket Expires").
kam_aor_has() {
	kam_aor "$1" "$2" | grep -Eq -- "${3:-.}"
}

kam_aor_none() {
	[ -z "$(kam_aor "$1" "$2")" ]
}

# Usage: kam_sockets NAME -- the local sockets contacts arrived on,
# e.g. "tls:127.0.0.1:5061".
kam_sockets() {
	kam_rpc "$1" ul.dump 2>/dev/null |
		sed -n 's/^[[:space:]]*Socket:[[:space:]]*//p'
}

kam_no_contact() {
	! kam_has_contact "$1"
}

# Usage: kam_first_ms NAME [USER] -- epoch ms of the first REGISTER
# Kamailio NAME received (from USER); empty: none.
kam_first_ms() {
	grep "REGISTER-IN .* user=${2:-[^ ]*} " "$T/$1.log" 2>/dev/null |
		sed -n 's/.*REGISTER-IN t=\([0-9]*\)\.\([0-9]\{3\}\).*/\1\2/p' |
		head -n 1
}

# Number of REGISTERs Kamailio received so far.
kam_registers() {
	log_count "$1" 'REGISTER-IN'
}

# ---------------------------------------------------------------- dnsmasq

# Usage: dns_start [dnsmasq options...] -- authoritative-looking answers
# for the test domain on 127.0.0.1:$DNS_PORT. TTLs: --local-ttl. Names
# under .test it does not know are NXDOMAIN (--local), not REFUSED for
# want of an upstream: "no such record" must not look like "DNS down".
dns_start() {
	it_bg dnsmasq dnsmasq --no-daemon --conf-file=/dev/null \
		--port="$DNS_PORT" --listen-address=127.0.0.1 --bind-interfaces \
		--no-resolv --no-hosts --no-negcache --log-queries \
		--local=/test/ \
		--log-facility=- --pid-file= "$@"
	DNS_PID=$BG_PID
	wait_until 5 dns_up
}

dns_up() {
	dig +time=1 +tries=1 -p "$DNS_PORT" @127.0.0.1 version.bind \
		chaos txt >/dev/null 2>&1
}

dns_stop() {
	it_kill "$DNS_PID"
}

# Usage: dns_q TYPE NAME -- short answer from the test DNS.
dns_q() {
	dig +short +time=1 +tries=1 -p "$DNS_PORT" @127.0.0.1 "$2" "$1"
}

# Times dnsmasq logged a query for NAME.
dns_queries() {
	log_count dnsmasq "query\\[[A-Z]+\\] $1 "
}

# ------------------------------------------------------------------- sipp

# Usage: sipp_start NAME SCENARIO ADDR PORT TRANSPORT [sipp options...]
# Runs a server scenario from sipp/; its messages go to $T/NAME.log.
sipp_start() {
	local name=$1 sf=$IT_DIR/sipp/$2 addr=$3 port=$4 tr=$5 t
	shift 5
	case $tr in
	udp) t=u1 ;;
	tcp) t=t1 ;;
	*) echo "sipp_start: transport $tr" >&2; return 1 ;;
	esac
	it_bg "$name.out" sipp -sf "$sf" -i "$addr" -p "$port" -t "$t" \
		-nostdin -trace_msg -message_file "$T/$name.log" \
		-trace_err -error_file "$T/$name.err.log" \
		-trace_logs -log_file "$T/$name.actions.log" "$@"
	eval "SIPP_PID_$name=$BG_PID"
	# sipp has no readiness signal; its message log appears on use.
	sleep 0.3
	kill -0 "$BG_PID" 2>/dev/null || {
		diag "sipp $name did not start"
		diag_log "$name.out"
		return 1
	}
}

sipp_stop() {
	local pid
	eval "pid=\${SIPP_PID_$1:-}"
	[ -n "$pid" ] && it_kill "$pid"
}

# REGISTERs the sipp server NAME received, retransmissions included.
sipp_registers() {
	log_count "$1" '^REGISTER sip'
}

# REGISTER transactions (distinct Via branches) sipp NAME received.
sipp_transactions() {
	grep -i '^Via:' "$T/$1.log" 2>/dev/null |
		grep -o 'branch=[^;, ]*' | sort -u | wc -l
}

# Epoch ms of each REGISTER sipp NAME received, one a line.
sipp_times_ms() {
	local ts
	awk '/^-+ [0-9][0-9][0-9][0-9]-/ { ts = $2 " " $3 }
		/^REGISTER sip/ { print ts }' "$T/$1.log" 2>/dev/null |
		while read -r ts; do
			date -d "$ts" +%s%3N
		done
}

# Epoch ms of the first REGISTER sipp NAME received; empty: none.
sipp_first_ms() {
	sipp_times_ms "$1" | head -n 1
}

# ----------------------------------------------------------- the daemon

daemon_require() {
	if [ -z "$SIPSTEERD" ] || [ ! -x "$SIPSTEERD" ]; then
		diag "sipsteerd binary missing: '${SIPSTEERD}'"
		return 1
	fi
}

# Usage: daemon_conf FILE < extra lines -- common settings for tests
# (our DNS server, test CA, short timers, no random start-up delay, debug
# log) unless stdin sets the same key, then stdin.
# Key names: userspace/daemon/config/keys.c, Documentation/admin-guide.md.
daemon_conf() {
	local f=$1 extra kv
	[ -f "$T/pki/ca.pem" ] || pki_make || return 1
	extra=$(cat)
	{
		echo "# written by selftests/integration ($IT_TOPIC)"
		for kv in \
			"system/sipsteerd/log_level=debug" \
			"voip/signalling/sip/dns_servers=127.0.0.1:$DNS_PORT" \
			"voip/signalling/sip/dns_timeout_ms=300" \
			"voip/signalling/sip/dns_tries=1" \
			"voip/signalling/sip/tls/ca_file=$T/pki/ca.pem" \
			"voip/signalling/sip/outgoing_request_no_response_timeout_ms=2000" \
			"voip/signalling/sip/registration_expires=30" \
			"voip/signalling/sip/registration_failed_timeout=10" \
			"voip/signalling/sip/startup_delay_max_ms=0" \
			"voip/signalling/sip/instance_uuid_file=$T/instance_uuid"; do
			printf '%s\n' "$extra" | grep -q "^${kv%%=*}=" ||
				echo "$kv"
		done
		printf '%s\n' "$extra"
	} >"$f"
}

# Usage: daemon_proxy HOST PORT TRANSPORT -- config lines.
daemon_proxy() {
	cat <<-EOF
		voip/signalling/sip/proxy_address=$1
		voip/signalling/sip/proxy_port=$2
		voip/signalling/sip/transport_protocol=$3
	EOF
}

# Usage: daemon_line N USER [PASSWORD] -- config lines for one line.
daemon_line() {
	cat <<-EOF
		voip/line/$1/enabled=1
		voip/line/$1/id=$2
		voip/line/$1/auth_name=$2
		voip/line/$1/auth_password=${3:-$KAM_PASSWORD}
		voip/line/$1/description=integration test line $1
	EOF
}

# Usage: daemon_start CONF [NAME] [wrapper...] -- log in $T/NAME.log.
DAEMON_SOCK=
daemon_start() {
	local conf=$1 name=${2:-sipsteerd}
	shift 2 2>/dev/null || shift $#
	DAEMON_SOCK=$T/$name.sock
	it_bg "$name" "$@" "$SIPSTEERD" --config "$conf" \
		--socket "$DAEMON_SOCK" -v
	DAEMON_PID=$BG_PID
	eval "DAEMON_PID_${name//[^a-zA-Z0-9]/_}=$BG_PID"
}

# Usage: daemon_select NAME -- the daemon_* helpers act on daemon NAME.
daemon_select() {
	DAEMON_SOCK=$T/$1.sock
	eval "DAEMON_PID=\${DAEMON_PID_${1//[^a-zA-Z0-9]/_}:-}"
}

# Usage: daemon_stop -- SIGTERM and wait (5 s at most, then SIGKILL).
daemon_stop() {
	[ -n "${DAEMON_PID:-}" ] || return 0
	it_kill "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null
	DAEMON_PID=
}

daemon_alive() {
	[ -n "${DAEMON_PID:-}" ] && pid_alive "$DAEMON_PID"
}

# Usage: daemon_stop_timed [LIMIT_S] -- SIGTERM, then wait LIMIT_S (5)
# at most. Sets DAEMON_STOP_MS (ms until exit, "timeout" when it did not)
# and DAEMON_RC (exit status).
daemon_stop_timed() {
	local t0
	DAEMON_STOP_MS=timeout
	DAEMON_RC=
	t0=$(now_ms)
	kill -TERM "$DAEMON_PID" 2>/dev/null
	wait_until "${1:-5}" eval '! pid_alive $DAEMON_PID' || return 1
	DAEMON_STOP_MS=$(($(now_ms) - t0))
	wait "$DAEMON_PID" 2>/dev/null
	DAEMON_RC=$?
	DAEMON_PID=
}

daemon_status() {
	"$SIPSTEERD" --status -j --socket "$DAEMON_SOCK"
}

# Usage: daemon_jq FILTER -- jq -e over the status JSON.
daemon_jq() {
	local out
	out=$(daemon_status 2>/dev/null) && [ -n "$out" ] &&
		printf '%s\n' "$out" | jq -e "$1" >/dev/null 2>&1
}

# Usage: daemon_line_jq N FILTER -- FILTER over line N's status object
# ({line, id, state, server, granted_expires_s, contact, last_error,
# servers: [{target, addr, proto, priority, in_use, last, last_code}]}).
daemon_line_jq() {
	daemon_jq ".lines[] | select(.line == $1) | $2"
}

# Usage: daemon_state_is STATE [N] -- line N (0) is in STATE.
daemon_state_is() {
	daemon_line_jq "${2:-0}" ".state == \"$1\""
}
