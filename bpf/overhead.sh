#!/usr/bin/env bash
# cowtrace's overhead, measured in one run (a benchmark, not a test):
#   exec: fork + exec + wait of a small dynamic program, median of N
#   cow:  a 256 MiB parent forks, the child writes every page (65536 COW
#         faults) and exits; median of C
# each with and without cowtrace attached (cowtrace -- cowtrace-bench ...),
# interleaved over R rounds (plain, traced, traced, plain, ...) so drift of
# the machine hits both alike.  Prints every round's medians, then the
# median of the rounds and the ratio traced/plain.
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
	*) sed -n '2,15p' "$0"; exit 2 ;;
	esac
done
for v in "$rounds" "$n" "$c" "$mib"; do
	[[ $v =~ ^[1-9][0-9]*$ ]] || { echo "overhead.sh: '$v' is not a positive integer" >&2; exit 2; }
done
[ -x "$CT" ] && [ -x "$B" ] || { echo "overhead.sh: build first (make)" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "overhead.sh: needs root (cowtrace)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mode_name=$("$CT" -m "$mode" -f csv -- true 2>&1 | awk -F, '$2 == "status" { print $1 }')
echo "# cowtrace mode: $mode_name; kernel $(uname -r); $(nproc) CPUs"
echo "# exec: $n x fork+exec+wait; cow: $c x fork of a $mib MiB parent, child writes every page"

# one WHAT traced|plain -> median ns
one() {
	local what=$1 how=$2 out
	if [ "$how" = traced ]; then
		out=$("$CT" -m "$mode" -o "$tmp/report" -- "$B" $what)
	else
		out=$("$B" $what)
	fi
	sed -n 's/.*median_ns=\([0-9]*\).*/\1/p' <<<"$out"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

printf '%-6s %14s %14s %14s %14s\n' round exec_plain exec_traced cow_plain cow_traced
for ((r = 1; r <= rounds; r++)); do
	if ((r % 2)); then order="plain traced"; else order="traced plain"; fi
	declare -A m=()
	for how in $order; do
		m[exec_$how]=$(one "exec $n" "$how")
	done
	for how in $order; do
		m[cow_$how]=$(one "cow $mib $c" "$how")
	done
	printf '%-6s %14s %14s %14s %14s\n' "$r" "${m[exec_plain]}" "${m[exec_traced]}" \
		"${m[cow_plain]}" "${m[cow_traced]}"
	for k in exec_plain exec_traced cow_plain cow_traced; do
		echo "${m[$k]}" >>"$tmp/$k"
	done
done
for k in exec_plain exec_traced cow_plain cow_traced; do
	declare "med_$k=$(median <"$tmp/$k")"
done
printf '%-6s %14s %14s %14s %14s\n' median "$med_exec_plain" "$med_exec_traced" \
	"$med_cow_plain" "$med_cow_traced"
awk -v a="$med_exec_plain" -v b="$med_exec_traced" -v c="$med_cow_plain" -v d="$med_cow_traced" \
	'BEGIN { printf "ratio traced/plain: exec %.3f, cow %.3f (cow: %.2f us per fault plain, %.2f traced)\n",
		b / a, d / c, c / 65536 / 1000 * 256 / '"$mib"', d / 65536 / 1000 * 256 / '"$mib"' }'
