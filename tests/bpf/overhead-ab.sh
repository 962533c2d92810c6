#!/bin/sh
# bpf/overhead-ab.sh, the cowtrace-against-bpftrace benchmark (not timed
# here): every bad argument a one-line exit-2 error naming the value and
# what is allowed (no root needed); with root, BPF and bpftrace, a 2-pair
# run of its three workloads prints one well-formed line per workload,
# tracer and measure (ratio, CI, n, load, plain median), in order.  SKIP
# without bpftrace or BPF.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/ct-lib.sh"
AB=$FORKLAB_ROOT/bpf/overhead-ab.sh

# ---- bad input: one line naming the value, exit 2 ---------------------
expect_fail "-p 1" 2 "^overhead-ab.sh: -p '1' is not a whole number in 2\.\.1000$" -- "$AB" -p 1
expect_fail "-p not a number" 2 "^overhead-ab.sh: -p '3x' is not a whole number in 2\.\.1000$" -- "$AB" -p 3x
expect_fail "-n 0" 2 "^overhead-ab.sh: -n '0' is not a whole number in 1\.\.1000000$" -- "$AB" -n 0
expect_fail "-s too large" 2 "^overhead-ab.sh: -s '65537' is not a whole number in 1\.\.65536$" -- "$AB" -s 65537
expect_fail "-j 0" 2 "^overhead-ab.sh: -j '0' is not a whole number in 1\.\.64$" -- "$AB" -j 0
expect_fail "unknown workload" 2 "^overhead-ab.sh: -w: unknown workload 'fork' \(allowed: exec, cow, build\)$" -- "$AB" -w exec,fork
expect_fail "empty -w" 2 "^overhead-ab.sh: -w '' names no workload \(allowed: exec, cow, build\)$" -- "$AB" -w ''
expect_fail "bad -m" 2 "^overhead-ab.sh: -m 'fast' is not a cowtrace mode \(allowed: auto, kprobe, fentry, tracepoint\)$" -- "$AB" -m fast
expect_fail "unknown option" 2 "^overhead-ab.sh: unknown option '-x' \(allowed: -p PAIRS, -w WORKLOADS, -n N, -s MIB, -j JOBS, -m MODE, -v, -h\)$" -- "$AB" -x
expect_fail "missing value" 2 "^overhead-ab.sh: option -p needs a value$" -- "$AB" -p
expect_fail "extra argument" 2 "^overhead-ab.sh: unexpected argument 'now' \(options only\)$" -- "$AB" now
if "$AB" -h | grep -q '^#   bpf/overhead-ab.sh \[-p PAIRS\]'; then
	pass "-h prints the usage"
else
	fail "-h prints the usage" "$("$AB" -h 2>&1 | head -3)"
fi

# ---- a 2-pair run -----------------------------------------------------
if ! command -v bpftrace >/dev/null; then
	if is_root; then
		expect_fail "no bpftrace: refused" 2 "^overhead-ab.sh: no bpftrace \(Debian's bpftrace package" -- "$AB" -p 2
	fi
	skip "2-pair run" "no bpftrace (scripts/install-deps.sh)"
	exit 0
fi
ct_require
if ! "$AB" -p 2 -n 20 -s 8 -j 2 >"$T_TMP/ab.out" 2>"$T_TMP/ab.err"; then
	fail "2-pair run" "exit status $?: $(tail -n 2 "$T_TMP/ab.err")"
	exit 0
fi
want=
for w in exec cow build; do
	for m in wall cpu; do
		want="$want$w,cowtrace,$m $w,bpftrace,$m $w,cowtrace_over_bpftrace,$m "
	done
done
got=$(grep -v '^#' "$T_TMP/ab.out" | sed 's/^workload=\([a-z]*\) tracer=\([a-z_]*\) measure=\([a-z]*\) .*/\1,\2,\3/' | tr '\n' ' ')
check_eq "one line per workload, tracer and measure, in order" "$want" "$got"
re='^workload=[a-z]+ tracer=[a-z_]+ measure=[a-z]+ ratio=[0-9]+\.[0-9]{3} ci95=none n=2 load=[0-9]+\.[0-9]{2} plain_median_ms=[0-9]+\.[0-9]{3}$'
bad=$(grep -v '^#' "$T_TMP/ab.out" | grep -Ev "$re")
check_eq "every line well formed (ratio, no CI from 2 pairs, n=2, load, plain median)" "" "$bad"
# each ratio a real one: two positive times of the same workload (a time
# of 0 or a parse error gives 0, inf or nan)
bad=$(grep -v '^#' "$T_TMP/ab.out" | awk '{ split($4, r, "="); if (r[2] < 0.1 || r[2] > 50) print }')
check_eq "every ratio in 0.1..50" "" "$bad"
# the workloads ran: the plain wall medians above what they cannot beat
# (20 fork+exec+wait at 50 us each, 2048 COW faults at 0.3 us, a build
# of 24 compiler runs at 5 ms)
bad=$(grep '^workload=[a-z]* tracer=cowtrace measure=wall ' "$T_TMP/ab.out" | awk '
	{ split($1, w, "="); split($NF, m, "=") }
	w[2] == "exec" && m[2] < 1 || w[2] == "cow" && m[2] < 0.6 || w[2] == "build" && m[2] < 120 { print }')
check_eq "each workload's plain wall median above its floor (exec 1 ms, cow 0.6 ms, build 120 ms)" "" "$bad"
if grep -q '^# overhead-ab: cowtrace [a-z]* mode, bpftrace v' "$T_TMP/ab.out"; then
	pass "the header names cowtrace's mode and bpftrace's version"
else
	fail "the header names cowtrace's mode and bpftrace's version" "$(head -n 1 "$T_TMP/ab.out")"
fi
