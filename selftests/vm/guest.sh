#!/bin/bash
# Runs inside the VM, chrooted into the host's root (read-only). Loads the
# netfilter modules of the booted kernel and sipsteer.ko, then runs the
# job: KTAP test scripts, the benchmark or the demo. Output goes to the
# serial console; the host parses it (selftests/vm/run.sh).
# Environment (from the job's env file): PROJECT BUILD KROOT MODULE MODE
# SCRIPTS.
set -u

# Modules every job needs, in load order (modprobe resolves the rest):
# conntrack and NAT, ctnetlink, sock_diag for the socket killer, veth,
# nftables for the reference rules of the tests and the benchmark.
BASE_MODULES="nf_defrag_ipv4 nf_defrag_ipv6 libcrc32c nf_conntrack nf_nat
	nf_conntrack_netlink inet_diag tcp_diag udp_diag veth nf_tables
	nft_chain_nat nft_ct nft_nat"

load_base_modules() {
	local mod
	for mod in $BASE_MODULES; do
		modprobe -d "$KROOT" "$mod" || {
			echo "sipsteer-vm: cannot load $mod"
			return 1
		}
	done
}

# kmemleak (the debug kernel, selftests/debug): scan twice (a new object
# is reported on its second scan) and say what was found. At the start,
# the suspects of boot are cleared; at the end, the kernel log says "N new
# suspected memory leaks", which check-log.sh counts as a failure.
kmemleak() {
	local file=/sys/kernel/debug/kmemleak
	[ -w "$file" ] || return 0
	echo scan > "$file"
	echo scan > "$file"
	[ "$1" = clear ] && echo clear > "$file"
	[ "$1" = report ] && sed 's/^/kmemleak: /' "$file"
}

export PROJECT BUILD KROOT MODULE BENCH_ROUNDS BENCH_SECONDS
export PATH="$BUILD:$BUILD/tools:$PATH"
ulimit -n 65536
cd /tmp || exit 1
kmemleak clear
load_base_modules || exit 1
# The benchmark and the stress cases hold many flows at once.
sysctl -qw net.netfilter.nf_conntrack_max=262144

case "$MODE" in
tests)
	for script in $SCRIPTS; do
		echo "# selftest: $(basename "$script")"
		if ! lsmod | grep -q '^sipsteer '; then
			insmod "$MODULE" || echo "sipsteer-vm: insmod failed"
		fi
		timeout -k 5 "${SCRIPT_TIMEOUT:-600}" bash "$script"
		rc=$?
		echo "# selftest: $(basename "$script") exit $rc"
	done
	;;
bench)
	insmod "$MODULE" || echo "sipsteer-vm: insmod failed"
	bash "$PROJECT/selftests/bench/bench.sh" &&
		echo "sipsteer-vm: job ok"
	;;
bench-failover)
	insmod "$MODULE" || echo "sipsteer-vm: insmod failed"
	bash "$PROJECT/selftests/bench/failover.sh" &&
		echo "sipsteer-vm: job ok"
	;;
demo)
	insmod "$MODULE" || echo "sipsteer-vm: insmod failed"
	bash "$PROJECT/selftests/kmod/demo.sh" && echo "sipsteer-vm: job ok"
	;;
*)
	echo "sipsteer-vm: unknown mode $MODE"
	exit 1
	;;
esac
rmmod sipsteer 2>/dev/null
kmemleak report
exit 0
