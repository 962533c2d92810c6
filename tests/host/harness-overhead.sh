#!/bin/sh
# forkbench's own cost (scripts/harness-overhead.sh): spawn --method
# fork_exit against a minimal C fork loop, interleaved in one run.  The
# ratios of the medians, fork() returning and the child reaped, each with
# its 95 % CI over the rounds: the test fails when a whole CI lies above
# 1.15 (forkbench measurably slower than the minimal program), and prints
# the figures.  Its worker is a small static program: few mappings, little
# private memory, checked from /proc while it runs.
. "$(dirname "$0")/../lib.sh"

# The worker forkbench spawn forks from, while it measures.
"$FB" spawn --method fork_exit -n 1000000 --warmup 0 >/dev/null 2>&1 &
pid=$!
w=
for _ in $(seq 100); do
	w=$(awk '{ print $1 }' "/proc/$pid/task/$pid/children" 2>/dev/null)
	[ -n "$w" ] && [ "$(cat "/proc/$w/comm" 2>/dev/null)" = forkbench-spawn ] && break
	sleep 0.05
done
if [ -z "$w" ]; then
	fail "spawn's worker" "forkbench had no child after 5 s"
else
	check_eq "spawn's worker is forkbench-spawn-worker" forkbench-spawn "$(cat "/proc/$w/comm")"
	maps=$(wc -l <"/proc/$w/maps")
	anon=$(awk '/^Anonymous:/ { print $2 }' "/proc/$w/smaps_rollup")
	check_le "spawn's worker: at most 16 mappings ($maps)" "$maps" 16
	check_le "spawn's worker: at most 256 KiB private anonymous memory (${anon} KiB)" "$anon" 256
fi
kill -TERM "$pid"
wait "$pid"

if ! "$FORKLAB_ROOT/scripts/harness-overhead.sh" --rounds 8 -n 300 >"$T_TMP/out" 2>&1; then
	fail "harness-overhead.sh" "$(tail -n 3 "$T_TMP/out")"
	exit 0
fi
for m in return reap; do
	line=$(grep "^$m " "$T_TMP/out")
	# return RATIO [LO, HI] (COV %) forkbench X us minimal Y us
	# shellcheck disable=SC2086 # the line's words
	set -- $line
	ratio=$2 lo=${3#[} lo=${lo%,} hi=${4%]}
	if ! awk -v a="$ratio" -v l="$lo" -v h="$hi" 'BEGIN { exit !(a > 0 && l > 0 && l <= a && a <= h) }'; then
		fail "harness overhead: $m ratio" "not a ratio within its CI: '$line'"
		continue
	fi
	if awk -v l="$lo" 'BEGIN { exit !(l <= 1.15) }'; then
		pass "harness overhead: $m ratio $ratio [$lo, $hi], not above 1.15x"
	else
		fail "harness overhead: $m ratio" "forkbench/minimal $ratio [$lo, $hi]: the whole CI above 1.15x"
	fi
	echo "FIGURE: harness-overhead-$m $ratio x a minimal C fork loop's median for forkbench spawn fork_exit's $m (95 % CI $lo..$hi, 8 interleaved rounds of 300)"
done
