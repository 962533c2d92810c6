#!/usr/bin/env bash
# cowtrace's overhead, measured in one run (a benchmark, not a test):
#   exec: fork + exec + wait of a small dynamic program, median of N
#   cow:  a 256 MiB parent forks, the child writes every page (65536 COW
#         faults) and exits; median of C
# each with and without cowtrace attached (cowtrace -- cowtrace-bench ...),
# interleaved over R rounds (plain, traced, traced, plain, ...) so drift of
# the machine hits both alike.  Two measures: wall time per iteration, and
# the child's CPU time (wait4), where the tracing cost lands and which other
# load on the machine disturbs less.  Prints every round, the median of the
# rounds and the ratios traced/plain.
#
#   bpf/overhead.sh [-r ROUNDS] [-n EXEC_ITERS] [-c COW_ITERS] [-s MIB] [-m MODE]
#
# Needs root (cowtrace) and `make` (build/cowtrace, build/bpf/cowtrace-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
CT=$BUILD/cowtrace
B=$BUILD/bpf/cowtrace-bench
rounds=5 n=300 c=8 mib=256 mode=auto

while getopts "r:n:c:s:m:h" o; do
	case $o in
	r) rounds=$OPTARG ;;
	n) n=$OPTARG ;;
	c) c=$OPTARG ;;
	s) mib=$OPTARG ;;
	m) mode=$OPTARG ;;
	*) sed -n '2,17p' "$0"; exit 2 ;;
	esac
done
for v in "$rounds" "$n" "$c" "$mib"; do
	[[ $v =~ ^[1-9][0-9]*$ ]] || { echo "overhead.sh: '$v' is not a positive integer" >&2; exit 2; }
done
if [ ! -x "$CT" ] || [ ! -x "$B" ]; then echo "overhead.sh: build first (make)" >&2; exit 2; fi
[ "$(id -u)" = 0 ] || { echo "overhead.sh: needs root (cowtrace)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mode_name=$("$CT" -m "$mode" -f csv -- true 2>&1 | awk -F, '$2 == "status" { print $1 }')
echo "# cowtrace mode: $mode_name; kernel $(uname -r); $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# exec: $n x fork+exec+wait; cow: $c x fork of a $mib MiB parent, child writes every page"

# one traced|plain ARGS... -> "wall_median_ns child_cpu_median_ns"
one() {
	local how=$1 out
	shift
	if [ "$how" = traced ]; then
		out=$("$CT" -m "$mode" -o "$tmp/report" -- "$B" "$@")
	else
		out=$("$B" "$@")
	fi
	sed -n 's/.*median_ns=\([0-9]*\) .*child_cpu_median_ns=\([0-9]*\).*/\1 \2/p' <<<"$out"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

cols="exec_plain exec_traced cow_plain cow_traced"
printf '%-6s' round
for k in $cols; do printf ' %21s' "$k(wall/cpu us)"; done
echo
for ((r = 1; r <= rounds; r++)); do
	if ((r % 2)); then order="plain traced"; else order="traced plain"; fi
	declare -A w=() u=()
	for how in $order; do
		read -r "w[exec_$how]" "u[exec_$how]" <<<"$(one "$how" exec "$n")"
	done
	for how in $order; do
		read -r "w[cow_$how]" "u[cow_$how]" <<<"$(one "$how" cow "$mib" "$c")"
	done
	printf '%-6s' "$r"
	for k in $cols; do
		printf ' %21s' "$((w[$k] / 1000))/$((u[$k] / 1000))"
		echo "${w[$k]}" >>"$tmp/w_$k"
		echo "${u[$k]}" >>"$tmp/u_$k"
	done
	echo
done
printf '%-6s' median
declare -A mw=() mu=()
for k in $cols; do
	mw[$k]=$(median <"$tmp/w_$k") mu[$k]=$(median <"$tmp/u_$k")
	printf ' %21s' "$((mw[$k] / 1000))/$((mu[$k] / 1000))"
done
echo
awk -v a="${mw[exec_plain]}" -v b="${mw[exec_traced]}" -v c="${mw[cow_plain]}" -v d="${mw[cow_traced]}" \
    -v e="${mu[exec_plain]}" -v f="${mu[exec_traced]}" -v g="${mu[cow_plain]}" -v h="${mu[cow_traced]}" \
    -v pages="$((mib * 256))" 'BEGIN {
	printf "ratio traced/plain, wall: exec %.3f, cow %.3f\n", b / a, d / c
	printf "ratio traced/plain, child CPU: exec %.3f, cow %.3f (%.2f vs %.2f us CPU per COW fault)\n",
		f / e, h / g, g / pages / 1000, h / pages / 1000 }'
