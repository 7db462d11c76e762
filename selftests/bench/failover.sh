#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench-failover` (and `make bench`), inside the test VM: the
# outage when the primary registrar fails, sipsteerd against baresip in
# the same topology, same SRV name, same registration interval and a
# keep-alive every 5 s for both. BENCH_FAILOVER_ROUNDS rounds (default
# 3) of these runs, each on a fresh topology (failover-run.sh):
#
#   silent  32000  baresip   reg1 drops everything; sipsteerd at its
#                            default no-response timeout (32 s, which is
#                            also libre's fixed Timer F)
#   silent  3000             the same with sipsteerd's timeout at 3 s
#   refuse  32000  baresip   reg1's Kamailio is gone (ICMP, RST)
#   503     32000  baresip   reg1 answers every request with 503
#   calls-silent   baresip   calls (failover-call-run.sh): reg1 silent
#   calls-refuse   baresip   calls: reg1's Kamailio gone
#   calls-silent-concurrent  the two call runs with sipsteerd alone in
#   calls-refuse-concurrent  redundant_proxy/mode=concurrent
#   first-call p1k0          the first call after a silent failure
#   first-call p1k1          (failover-call-run.sh first-call): one
#   first-call p0k0          call, 1 s after reg1 went silent, never
#   first-call p0k1 baresip  retried; sipsteerd with passive detection
#                            on (p1) or off (p0), keep-alive off (k0)
#                            or every 5 s (k1); baresip beside p0k1
#   first-call p1k0c         p1k0 in redundant_proxy/mode=concurrent
#
# Prints every run and then the medians (ms from the failure): (a) the
# client's REGISTER that was accepted at reg2 arrived there, (b) the
# other process's first datagram arrived there (sipsteerd only: baresip
# steers nothing); for the call runs, the first call out (the call
# application's to reg1's address, or baresip's) and the first call in
# (from reg2's far end) that completed, callers trying again every
# second; for first-call, from that call's INVITE to the ACK of its 200
# at a far end, or "failed". Results: Documentation/benchmarks.md.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# Written by failover-vm.sh on the host: SIPSTEERD, BENCH_FAILOVER_ROUNDS,
# FOBENCH_LIMIT_S, FOBENCH_KINDS (only the runs of these kinds),
# FOBENCH_CLIENTS (only these clients: sipsteerd, baresip).
env_file=${BUILD:-$here/../../build}/vm/bench-failover.env
# shellcheck disable=SC1090
[ -r "$env_file" ] && . "$env_file"
export SIPSTEERD FOBENCH_LIMIT_S
ROUNDS=${BENCH_FAILOVER_ROUNDS:-3}
RUNS=("silent 32000 sipsteerd baresip" "silent 3000 sipsteerd"
	"refuse 32000 sipsteerd baresip" "503 32000 sipsteerd baresip"
	"calls-silent 32000 sipsteerd baresip"
	"calls-refuse 32000 sipsteerd baresip"
	"first-call p1k0 sipsteerd" "first-call p1k1 sipsteerd"
	"first-call p0k0 sipsteerd" "first-call p0k1 sipsteerd baresip"
	"first-call p1k0c sipsteerd"
	"calls-silent-concurrent 32000 sipsteerd"
	"calls-refuse-concurrent 32000 sipsteerd")
out=$(mktemp)
trap 'rm -f "$out"' EXIT

start=$(date +%s)
failed=0
for round in $(seq "$ROUNDS"); do
	for run in "${RUNS[@]}"; do
		# shellcheck disable=SC2086
		set -- $run
		case " ${FOBENCH_KINDS:-$1} " in *" $1 "*) ;; *) continue ;; esac
		kind=$1 timeout_ms=$2 clients=()
		shift 2
		for c in "$@"; do
			case " ${FOBENCH_CLIENTS:-$c} " in
			*" $c "*) clients+=("$c") ;;
			esac
		done
		[ ${#clients[@]} -gt 0 ] || continue
		set -- "$kind" "$timeout_ms" "${clients[@]}"
		t=$(date +%s)
		case $kind in
		calls-*-concurrent)
			# sipsteerd alone, in concurrent mode.
			k=${kind#calls-}
			lines=$(timeout -k 10 480 bash \
				"$here/failover-call-run.sh" "${k%-concurrent}" \
				concurrent 2>&1)
			;;
		calls-*)
			# Both clients run in every failover-mode call run.
			lines=$(timeout -k 10 480 bash \
				"$here/failover-call-run.sh" "${kind#calls-}" 2>&1)
			;;
		first-call)
			# sipsteerd runs in every one, baresip where listed.
			lines=$(timeout -k 10 300 bash \
				"$here/failover-call-run.sh" "$@" 2>&1)
			;;
		*)
			lines=$(timeout -k 10 400 bash "$here/failover-run.sh" \
				"$@" 2>&1)
			;;
		esac
		printf '%s\n' "$lines" | grep '^fobench client=' |
			sed "s/\$/ round=$round/" >>"$out"
		what="timeout $2 ms"
		[ "$1" != first-call ] || what="variant $2"
		echo "failover: round $round/$ROUNDS, $1 ($what)," \
			"$(($(date +%s) - t)) s:"
		printf '%s\n' "$lines" | grep -E '^(fobench|# )' |
			sed 's/^/  /'
		for c in "${clients[@]}"; do
			printf '%s\n' "$lines" | grep -q "^fobench client=$c " ||
				failed=$((failed + 1))
		done
	done
done

# Median of the numeric values of KEY over the lines matching ERE, with
# the count and range: "median (min..max, n=N)"; "-" when none.
summary() {
	grep -E -- "$1" "$out" | sed -n "s/.* $2=\([0-9][0-9]*\).*/\1/p" |
		sort -n | awk -v all="$(grep -cE -- "$1" "$out")" '
			{ v[NR] = $1 }
			END {
				if (!NR) { print "- (n=0/" all ")"; exit }
				m = NR % 2 ? v[(NR + 1) / 2] : \
					(v[NR / 2] + v[NR / 2 + 1]) / 2
				printf "%.1f s (%.1f..%.1f, n=%d/%d)\n", m / 1000,
					v[1] / 1000, v[NR] / 1000, NR, all
			}'
}

echo "failover: $ROUNDS round(s) in $(($(date +%s) - start)) s;" \
	"medians from the failure (range, runs that got there/runs):"
if grep -qvE ' kind=(calls-|first-call)' "$out"; then
	echo "| primary | sipsteerd (a) registered at reg2 | sipsteerd (b) other process at reg2 | baresip (a) registered at reg2 |"
	echo "| --- | --- | --- | --- |"
	for kind in "silent 32000" "silent 3000" "refuse 32000" "503 32000"; do
		# shellcheck disable=SC2086
		set -- $kind
		d="client=sipsteerd kind=$1 timeout_ms=$2 "
		b=-
		[ "$2" = 3000 ] ||
			b=$(summary "client=baresip kind=$1 " reg_ms)
		echo "| $1, sipsteerd timeout $2 ms | $(summary "$d" reg_ms) |" \
			"$(summary "$d" udp_ms) | $b |"
	done
fi
if grep -q ' kind=calls-' "$out"; then
	echo "| calls, primary | sipsteerd (a) call out | sipsteerd (b) call in | baresip (a) call out | baresip (b) call in |"
	echo "| --- | --- | --- | --- | --- |"
	for kind in silent refuse silent-concurrent refuse-concurrent; do
		grep -q " kind=calls-$kind " "$out" || continue
		d="client=sipsteerd kind=calls-$kind "
		b="client=baresip kind=calls-$kind "
		echo "| ${kind/-/, } | $(summary "$d" out_ms) |" \
			"$(summary "$d" in_ms) | $(summary "$b" out_ms) |" \
			"$(summary "$b" in_ms) |"
	done
fi
if grep -q ' kind=first-call ' "$out"; then
	echo "| first call after a silent failure | call set up, from its INVITE | failed (Timer B) | its INVITE, from t0 |"
	echo "| --- | --- | --- | --- |"
	for v in "sipsteerd passive=1 ka=0" "sipsteerd passive=1 ka=1" \
		"sipsteerd passive=0 ka=0" "sipsteerd passive=0 ka=1" \
		"sipsteerd mode=concurrent passive=1 ka=0" "baresip ka=1"; do
		# shellcheck disable=SC2086
		set -- $v
		d="client=$1 kind=first-call ${*:2} "
		grep -q -- "$d" "$out" || continue
		echo "| $* | $(summary "$d" call_ms) |" \
			"$(grep -c -- "$d.*call_ms=failed" "$out") |" \
			"$(summary "$d" invite_ms) |"
	done
fi
[ "$failed" -eq 0 ] || {
	echo "failover: $failed run(s) failed to set up"
	exit 1
}
