#!/bin/sh
# In-guest: switching modes under load (kernel-patch/).  forkmode-stress runs
# 2 workers in storms of 20 s, each forking in a loop with a random per-process mode
# (prctl); one has a thread that keeps writing (its stack and eager forks run
# as cow), the other is single-threaded (they copy at fork); children and grandchildren
# check the data they inherited.  Meanwhile this script flips
# vm.fork_copy_mode through 0, 1, 2 and fork_copy_stack_pages through
# 1, 4, 64 as fast as it can.  Then: no data mismatch, no failed fork, no
# kernel warning; every mode was used; anonymous memory (apart from what
# this shell's own loop added), page tables, free memory and Committed_AS
# are back where they were (nothing leaked).  Sysctls restored.
. "$(dirname "$0")/../lib.sh"
W=$FORKLAB_BUILD/forkmode-stress
m=/proc/sys/vm/fork_copy_mode
s=/proc/sys/vm/fork_copy_stack_pages
[ -f $m ] || { echo "FAIL: forkmode-load/setup: kernel without vm.fork_copy_mode (kernel-patch/ not applied)"; exit 1; }
[ -x "$W" ] || { echo "FAIL: forkmode-load/setup: no $W in this initramfs (make static)"; exit 1; }
saved_m=$(cat $m) saved_s=$(cat $s)
trap 'echo "$saved_m" >$m; echo "$saved_s" >$s; rm -rf "$T_TMP"' EXIT

# settle: let deferred frees happen (RCU-freed page tables, exiting tasks),
# drop caches and slab, compact.  (The per-CPU free lists are not drained:
# mem_snap counts their pages instead.)
settle() {
	sync
	echo 3 >/proc/sys/vm/drop_caches 2>/dev/null
	echo 1 >/proc/sys/vm/compact_memory 2>/dev/null
	sleep 1
}
# Bounds: every fork of the storm copies or shares 256 heap pages plus its
# page tables, and the storms must do at least MIN_FORKS forks (checked),
# so a leak of one page in every 12 forks exceeds ANON_SLACK (a 20 s storm
# on an idle 2-core TCG host does 1100-1400 forks, on a loaded one
# 130-450).  The slacks are what the counters moved by in storms without a
# leak (measured: anon 0-9 pages, page tables 0, free memory -0.2..+2 MiB,
# Committed_AS +4 kB).
MIN_FORKS=400 MAX_STORMS=4 ANON_SLACK=32 PT_SLACK=4 FREE_SLACK_KB=4096 COMMIT_SLACK_KB=256

dmesg -c >/dev/null 2>&1
settle
mem_snap
anon0=$anon pt0=$pt free0=$free commit0=$commit
eager0=$(vmstat_get fork_eager_copy) stack0=$(vmstat_get fork_stack_copy) skip0=$(vmstat_get fork_tlb_flush_skipped)

# Storms of 20 s until MIN_FORKS forks are done (one storm on an idle
# machine; up to MAX_STORMS when other guests share the CPUs).
forks=0 storms=0 flips=0 rc=0
while [ $forks -lt $MIN_FORKS ] && [ $storms -lt $MAX_STORMS ]; do
	"$W" --seconds 20 --workers 2 --pages 256 >"$T_TMP/stress" 2>&1 &
	pid=$!
	while kill -0 $pid 2>/dev/null; do
		for v in 0 1 2; do echo $v >$m; done
		for v in 1 4 64; do echo $v >$s; done
		flips=$((flips + 1))
	done
	wait $pid || rc=$?
	grep -E '^(FAIL|SKIP):' "$T_TMP/stress"
	grep '^#' "$T_TMP/stress"
	n=$(sed -n 's/^# worker [0-9]*: \([0-9]*\) forks.*/\1/p' "$T_TMP/stress" | awk '{n += $1} END {print n + 0}')
	forks=$((forks + n)) storms=$((storms + 1))
done
grep '^PASS:' "$T_TMP/stress"
echo "# $storms storm(s), $forks forks, $flips rounds of sysctl flips"
check_eq load/stress-exit 0 $rc
check_ge load/enough-forks "$forks" $MIN_FORKS
echo "$saved_m" >$m
echo "$saved_s" >$s

check_ge load/eager-forks-happened $(($(vmstat_get fork_eager_copy) - eager0)) 1
check_ge load/stack-forks-happened $(($(vmstat_get fork_stack_copy) - stack0)) 1
check_ge load/tlb-flush-skips-happened $(($(vmstat_get fork_tlb_flush_skipped) - skip0)) 1

# Page tables are freed after an RCU grace period (MMU_GATHER_RCU_TABLE_FREE)
# and exiting processes release their pages late under TCG and load: wait up
# to 15 s for both to come back; the bounds below stay the same.
settle
mem_snap
tries=0
while { [ "$pt" -gt $((pt0 + PT_SLACK)) ] || [ "$anon" -gt $((anon0 + ANON_SLACK)) ] ||
	[ "$free" -lt $((free0 - FREE_SLACK_KB)) ]; } && [ $tries -lt 15 ]; do
	settle
	mem_snap
	tries=$((tries + 1))
done
echo "# settled after $tries extra second(s)"
echo "# nr_anon_pages (less this shell's) $anon0 -> $anon, nr_page_table_pages $pt0 -> $pt, MemFree $free0 -> $free kB, Committed_AS $commit0 -> $commit kB"
check_le load/no-anon-leak "$anon" $((anon0 + ANON_SLACK))
check_le load/no-page-table-leak "$pt" $((pt0 + PT_SLACK))
check_ge load/memfree-back "$free" $((free0 - FREE_SLACK_KB))
check_le load/committed-as-back "$commit" $((commit0 + COMMIT_SLACK_KB))

if dmesg | grep -Eq 'BUG|WARNING|Oops|bad page|leak'; then
	fail load/no-kernel-warning "$(dmesg | grep -Em3 'BUG|WARNING|Oops|bad page|leak' | tr '\n' ' ')"
else
	pass load/no-kernel-warning
fi
