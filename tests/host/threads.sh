#!/bin/sh
# forkbench threads: a thread writing its own pages while the main thread
# forks a 1 GiB parent is held up for the fork (the write faults on the
# page fork write-protected and waits for the mmap lock fork holds): in one
# run, the p99 of the per-fork stall (the longest operation overlapping
# each fork) is at least 1000x the p99 of the thread's operations outside
# forks.  Measured on this 2-core VM (stock 6.18, load average 14 to 17
# from a kernel build and other tests, -n 8): stall p99 139 to 250 ms,
# outside p99 31 to 40 ns, a ratio of 3.5 million or more; 1000 leaves a
# margin of more than 1000x, and a fork that did not stall the thread (a
# stall of one operation, ~30 ns to a few us when preempted) fails it.
# The rows are well formed: 8 forks and 8 stalls, operations during and
# outside, the tlb_flush_* columns numbers with root and the tlb:tlb_flush
# tracepoint, or empty with the reason on stderr.
. "$(dirname "$0")/../lib.sh"
COL="$FORKLAB_ROOT/tests/tools/col.py"

cpus=$(nproc)
pin="--cpu 0"
[ "$cpus" -ge 2 ] || pin=""
# shellcheck disable=SC2086 # $pin is zero or two words
if ! "$FB" threads --heap 1G --threads 1 --thread-work write $pin -n 8 --warmup 1 --format csv \
	-o "$T_TMP/t.csv" 2>"$T_TMP/err"; then
	if grep -Eq "needs .* but only .* is available" "$T_TMP/err"; then
		skip "threads" "$(cat "$T_TMP/err")"
		exit 0
	fi
	fail "threads runs" "$(cat "$T_TMP/err")"
	exit 1
fi
check_eq "8 forks measured" 8 "$("$COL" "$T_TMP/t.csv" write-1t fork iterations)"
check_eq "8 stalls measured" 8 "$("$COL" "$T_TMP/t.csv" write-1t stall iterations)"
nd=$("$COL" "$T_TMP/t.csv" write-1t-during op iterations)
no=$("$COL" "$T_TMP/t.csv" write-1t-outside op iterations)
check_ge "operations during forks sampled ($nd)" "${nd:-0}" 8
check_ge "operations outside forks sampled ($no)" "${no:-0}" 1000
s=$("$COL" "$T_TMP/t.csv" write-1t stall p99_ns)
o=$("$COL" "$T_TMP/t.csv" write-1t-outside op p99_ns)
r=$(awk -v s="$s" -v o="$o" 'BEGIN { if (s > 0 && o > 0) printf "%.0f", s / o }')
if awk -v r="$r" 'BEGIN { exit !(r != "" && r >= 1000) }'; then
	pass "stall p99 during forks of 1 GiB >= 1000x the p99 outside ($r x: $s ns vs $o ns)"
else
	fail "stall p99 during forks of 1 GiB >= 1000x the p99 outside" "ratio '$r' ($s ns vs $o ns)"
fi
ipi=$("$COL" "$T_TMP/t.csv" write-1t fork tlb_flush_remote_send_ipi)
if is_root && [ -r /sys/kernel/tracing/events/tlb/tlb_flush/id ]; then
	if [ -n "$ipi" ]; then pass "tlb_flush counted per fork (remote_send_ipi $ipi)"
	else fail "tlb_flush counted per fork" "empty; stderr: $(cat "$T_TMP/err")"; fi
elif [ -z "$ipi" ] && grep -q "tlb_flush_\* n/a: " "$T_TMP/err"; then
	pass "tlb_flush n/a, with the reason: $(grep "n/a" "$T_TMP/err")"
else
	fail "tlb_flush n/a with a reason" "value '$ipi', stderr: $(cat "$T_TMP/err")"
fi
echo "FIGURE: threads-stall-ratio $r stall p99 during forks of a 1 GiB parent over a writing thread's op p99 outside"
