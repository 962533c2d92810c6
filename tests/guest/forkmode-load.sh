#!/bin/sh
# In-guest: switching modes under load (kernel-patch/).  forkmode-stress runs
# 2 workers for 20 s, each forking in a loop with a random per-process mode
# (prctl) while one of its threads keeps writing; children and grandchildren
# check the data they inherited.  Meanwhile this script flips
# vm.fork_copy_mode through 0, 1, 2 and fork_eager_stack_pages through
# 1, 4, 64 as fast as it can.  Then: no data mismatch, no failed fork, no
# kernel warning; every mode was used; anonymous memory (apart from what
# this shell's own loop added), page tables and free memory are back where
# they were (nothing leaked).  Sysctls restored.
. "$(dirname "$0")/../lib.sh"
W=$FORKLAB_BUILD/forkmode-stress
m=/proc/sys/vm/fork_copy_mode
s=/proc/sys/vm/fork_eager_stack_pages
[ -f $m ] || { echo "kernel without vm.fork_copy_mode (kernel-patch/ not applied)"; exit 77; }
[ -x "$W" ] || { echo "no $W in this initramfs (make static)"; exit 77; }
saved_m=$(cat $m) saved_s=$(cat $s)
trap 'echo "$saved_m" >$m; echo "$saved_s" >$s; rm -rf "$T_TMP"' EXIT

vm() { sed -n "s/^$1 //p" /proc/vmstat; }
free_kb() { sed -n 's/^MemFree: *\([0-9]*\).*/\1/p' /proc/meminfo; }
# This shell's own anonymous memory (pages): its loop grows its heap a bit.
shell_anon() { echo $(($(sed -n 's/^RssAnon:[[:space:]]*\([0-9]*\).*/\1/p' /proc/$$/status) / 4)); }
# settle: let deferred frees (RCU, per-CPU lists) happen, then fold the
# per-CPU parts of the node counters so that they are exact.
settle() {
	sync
	echo 1 >/proc/sys/vm/drop_caches 2>/dev/null
	sleep 1
	echo 1 >/proc/sys/vm/stat_refresh 2>/dev/null
}

dmesg -c >/dev/null 2>&1
settle
anon0=$(vm nr_anon_pages) pt0=$(vm nr_page_table_pages) free0=$(free_kb) sh0=$(shell_anon)
eager0=$(vm fork_eager_copy) stack0=$(vm fork_stack_copy) skip0=$(vm fork_tlb_flush_skipped)

"$W" --seconds 20 --workers 2 --pages 256 >"$T_TMP/stress" 2>&1 &
pid=$!
flips=0
while kill -0 $pid 2>/dev/null; do
	for v in 0 1 2; do echo $v >$m; done
	for v in 1 4 64; do echo $v >$s; done
	flips=$((flips + 1))
done
wait $pid
rc=$?
grep -E '^(PASS|FAIL|SKIP):' "$T_TMP/stress"
grep '^#' "$T_TMP/stress"
echo "# $flips rounds of sysctl flips"
check_eq load/stress-exit 0 $rc
echo "$saved_m" >$m
echo "$saved_s" >$s

check_ge load/eager-forks-happened $(($(vm fork_eager_copy) - eager0)) 1
check_ge load/stack-forks-happened $(($(vm fork_stack_copy) - stack0)) 1
check_ge load/tlb-flush-skips-happened $(($(vm fork_tlb_flush_skipped) - skip0)) 1

# Page tables are freed after an RCU grace period (MMU_GATHER_RCU_TABLE_FREE)
# and exiting processes release their pages late under TCG and load: wait up
# to 15 s for both to come back; the bounds below stay the same.
settle
tries=0
while { [ "$(vm nr_page_table_pages)" -gt $((pt0 + 4)) ] ||
	[ $(($(vm nr_anon_pages) - ($(shell_anon) - sh0))) -gt $((anon0 + 8)) ]; } &&
	[ $tries -lt 15 ]; do
	settle
	tries=$((tries + 1))
done
anon1=$(vm nr_anon_pages) pt1=$(vm nr_page_table_pages) free1=$(free_kb) sh1=$(shell_anon)
echo "# settled after $tries extra second(s)"
echo "# nr_anon_pages $anon0 -> $anon1 (this shell's own $sh0 -> $sh1), nr_page_table_pages $pt0 -> $pt1, MemFree $free0 -> $free1 kB"
check_le load/no-anon-leak $((anon1 - (sh1 - sh0))) $((anon0 + 8))
check_le load/no-page-table-leak "$pt1" $((pt0 + 4))
check_ge load/memfree-back-within-2MiB "$free1" $((free0 - 2048))

if dmesg | grep -Eq 'BUG|WARNING|Oops|bad page|leak'; then
	fail load/no-kernel-warning "$(dmesg | grep -Em3 'BUG|WARNING|Oops|bad page|leak' | tr '\n' ' ')"
else
	pass load/no-kernel-warning
fi
