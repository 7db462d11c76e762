#!/bin/bash
# `make bench`, inside the test VM: the cost of sipsteer against no NAT
# and against the equivalent nftables dnat rule, the cost it puts on
# unmatched traffic, new-flow setup rate, switch latency and the time to
# move 10,000 live flows. Rates are medians over BENCH_ROUNDS rounds of
# BENCH_SECONDS each; configurations alternate within every round
# because TCG timing drifts. Results: Documentation/benchmarks.md.
. "$(dirname "$0")/../kmod/lib.sh"
set -eE
ROUNDS=${BENCH_ROUNDS:-5}
SECONDS_PER_RUN=${BENCH_SECONDS:-3}
T=$(mktemp -d)
trap case_cleanup EXIT
declare -A RATES LAST RATIOS

# Configurations of the phone namespace, each on a fresh topology:
#  none      no NAT, no conntrack
#  sipsteer  service steering 10.9.0.10:5060 to 10.9.2.2:5060
#  nft       nftables dnat rule doing the same in a nat output chain
#  ctonly    conntrack active (a ct rule on prerouting), no NAT
configure() {
	topo_down
	topo_up
	case "$1" in
	none) ;;
	sipsteer)
		sst service add "$SERVICE" endpoint udp 10.9.0.10:$PORT \
			active 10.9.2.2:$PORT ;;
	nft)
		n0 nft -f - <<-EOT
			table ip bench {
				chain out {
					type nat hook output priority -100;
					ip daddr 10.9.0.10 udp dport $PORT dnat to 10.9.2.2:$PORT
				}
			}
		EOT
		;;
	ctonly)
		n0 nft -f - <<-EOT
			table inet bench {
				chain pre {
					type filter hook prerouting priority 0;
					ct state invalid drop
				}
			}
		EOT
		;;
	esac
}

# measure KEY CONFIG DEST [udpsend flags]: one run, rate appended to KEY.
measure() {
	local key=$1 config=$2 dst=$3 pps got sent
	shift 3
	configure "$config"
	# Steered traffic arrives at proxy2, the rest where it was sent.
	case "$config:$dst" in
	sipsteer:10.9.0.10:*|nft:10.9.0.10:*)
		sink rx proxy2 10.9.2.2:$PORT ;;
	*) sink rx proxy1 "$dst" ;;
	esac
	n0 udpsend -d "$dst" -t "$SECONDS_PER_RUN" "$@" > "$T/send.out"
	stop rx
	sent=$(kv "$T/send.out" sent)
	got=$(received rx)
	pps=$(kv "$T/send.out" pps)
	# The traffic must arrive where the configuration sends it; at full
	# speed the sink may drop some when its socket buffer overflows.
	[ "$got" -ge $((sent / 2)) ] ||
		fail "$key/$config: sent $sent, received $got"
	RATES[$key]="${RATES[$key]} $pps"
	LAST[$key]=$pps
	printf '  %-22s %-9s %8s pps  (%s%% received)\n' "$key" "$config" \
		"$pps" "$((got * 100 / sent))"
}

median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

echo "bench: $ROUNDS rounds of $SECONDS_PER_RUN s per configuration, $(nproc) vCPU, TCG"
for round in $(seq "$ROUNDS"); do
	echo "round $round"
	for config in none sipsteer nft; do
		measure "steady:$config" "$config" 10.9.0.10:$PORT -s 40000
	done
	for config in sipsteer ctonly; do
		measure "unmatched:$config" "$config" 10.9.0.20:4000 -s 40000
	done
	for config in sipsteer nft; do
		measure "newflow:$config" "$config" 10.9.0.10:$PORT -f
	done
	# Ratios within a round: TCG speed drifts between rounds.
	RATIOS[ba]="${RATIOS[ba]} $(ratio "${LAST[steady:sipsteer]}" "${LAST[steady:none]}")"
	RATIOS[bc]="${RATIOS[bc]} $(ratio "${LAST[steady:sipsteer]}" "${LAST[steady:nft]}")"
	RATIOS[um]="${RATIOS[um]} $(ratio "${LAST[unmatched:sipsteer]}" "${LAST[unmatched:ctonly]}")"
	RATIOS[nf]="${RATIOS[nf]} $(ratio "${LAST[newflow:sipsteer]}" "${LAST[newflow:nft]}")"
done

a=$(echo "${RATES[steady:none]}" | median)
b=$(echo "${RATES[steady:sipsteer]}" | median)
c=$(echo "${RATES[steady:nft]}" | median)
um=$(echo "${RATES[unmatched:sipsteer]}" | median)
uc=$(echo "${RATES[unmatched:ctonly]}" | median)
nb=$(echo "${RATES[newflow:sipsteer]}" | median)
nc=$(echo "${RATES[newflow:nft]}" | median)

echo "switch latency"
configure sipsteer
sst service set "$SERVICE" active 10.9.1.2:$PORT
n0 switchlat -s "$SERVICE" -d 10.9.0.10:$PORT -a proxy1,10.9.1.2:$PORT \
	-b proxy2,10.9.2.2:$PORT -r 200 | tee "$T/lat.out"

echo "moving 10000 live flows"
for _ in 1 2 3; do
	configure sipsteer
	n0 switchlat -s "$SERVICE" -d 10.9.0.10:$PORT \
		-a proxy1,10.9.1.2:$PORT -b proxy2,10.9.2.2:$PORT -F 10000 |
		tee -a "$T/move.out"
done
set_ms=$(sed -n 's/.*set_ms=\([0-9.]*\).*/\1/p' "$T/move.out" | median)
all_ms=$(sed -n 's/.*all_moved_ms=\([0-9.]*\).*/\1/p' "$T/move.out" | median)

# Where the time goes: system-wide cpu-clock samples (TCG has no
# hardware counters) while one configuration runs.
profile() {
	local name=$1 config=$2 dst=$3
	shift 3
	configure "$config"
	sink rx proxy2 10.9.2.2:$PORT
	n0 udpsend -d "$dst" -t 4 "$@" > /dev/null &
	local pid=$!
	sleep 0.5
	perf record -q -e cpu-clock -a -o "$T/$name.data" -- sleep 3 \
		> /dev/null 2>&1 || { echo "perf record failed"; wait $pid; stop rx; return 0; }
	wait $pid
	stop rx
	echo "profile $name: top kernel symbols (self, % of all samples)"
	perf report -q -i "$T/$name.data" --stdio --no-children --sort sym \
		2> /dev/null | head -n 25
	echo "profile $name: sipsteer symbols"
	perf report -q -i "$T/$name.data" --stdio --no-children --sort sym \
		2> /dev/null | grep -i sipsteer || echo "  (none sampled)"
}
if command -v perf > /dev/null; then
	profile newflow-sipsteer sipsteer 10.9.0.10:$PORT -f
	profile newflow-nft nft 10.9.0.10:$PORT -f
	profile steady-sipsteer sipsteer 10.9.0.10:$PORT -s 40000
else
	echo "perf is not installed: no profile"
fi

cat <<EOT

bench: results (medians of $ROUNDS runs, datagrams/s at the sender)
bench: steady flow   a none     $a
bench: steady flow   b sipsteer $b
bench: steady flow   c nft dnat $c
bench: b/a $(ratio "$b" "$a")   b/c $(ratio "$b" "$c")   (goal b/c >= 0.98)
bench: unmatched     sipsteer configured $um   conntrack only $uc   ratio $(ratio "$um" "$uc")   (goal >= 0.98)
bench: new flows     sipsteer $nb   nft dnat $nc   ratio $(ratio "$nb" "$nc")   (goal >= 1)
bench: per-round ratios, median [all]:
bench:   b/a        $(echo "${RATIOS[ba]}" | median)  [${RATIOS[ba]# }]
bench:   b/c        $(echo "${RATIOS[bc]}" | median)  [${RATIOS[bc]# }]
bench:   unmatched  $(echo "${RATIOS[um]}" | median)  [${RATIOS[um]# }]
bench:   new flows  $(echo "${RATIOS[nf]}" | median)  [${RATIOS[nf]# }]
bench: switch        $(grep reply_to_first_packet "$T/lat.out")   (goal median < 1000 us)
bench: switch        $(grep set_rtt "$T/lat.out")
bench: 10000 flows   set (flush before the reply) $set_ms ms   all moved $all_ms ms (medians of 3)
EOT
