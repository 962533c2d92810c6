#!/bin/sh
# In-guest: stress-ng fork, vfork, clone and mmap stressors in every
# fork copy mode (kernel-patch/), FORKLAB_STRESS_SECONDS each (default 12;
# make vm-stress: 600).  Phases:
#   cow, stack, eager  vm.fork_copy_mode set to the mode; every stress-ng
#                      process (forkmode-flip.so, LD_PRELOAD) switches its own
#                      setting between that mode and "inherit" at most every
#                      100 ms, just before it forks (no thread of its own: a
#                      second thread makes the kernel run stack and eager
#                      forks as cow): the prctl path runs under load, the mode
#                      in force stays the phase's, so the counters can be
#                      checked exactly
#   mixed              a flipper writes vm.fork_copy_mode (0, 1, 2, ...) every
#                      100 ms while every stress-ng process sets a random mode
#                      of inherit, cow, stack, eager before its forks, at most
#                      every 100 ms
# After each phase: stress-ng succeeded, the fork and vfork stressors (and
# in runs of 60 s or more clone and mmap) did work; the
# prctl flips happened, none failed or read back another mode; no oops, BUG,
# WARNING, lockdep report, bad page or page table check report in dmesg, and
# lockdep is still on (debug_locks 1: it turns itself off after one report);
# counters: cow: fork_eager_copy, fork_stack_copy and fork_tlb_flush_skipped
# +0; stack: fork_stack_copy moved, fork_eager_copy +0; eager:
# fork_eager_copy and fork_tlb_flush_skipped moved, fork_stack_copy +0;
# mixed: both moved.  After all phases and a settle: MemFree, Committed_AS,
# nr_anon_pages and nr_page_table_pages back to the baseline taken after a
# warm-up run (bounds below).  Prints FIGURE stress-seconds-<phase> for every
# phase survived.
. "$(dirname "$0")/../lib.sh"
SECS=${FORKLAB_STRESS_SECONDS:-12}
KEY=${FORKLAB_STRESS_KEY:-stress-seconds}
NOTE=${FORKLAB_FIGURE_NOTE:+ ($FORKLAB_FIGURE_NOTE)}
SNG=/usr/bin/stress-ng
FLIP=$FORKLAB_ROOT/lib/forkmode-flip.so
m=/proc/sys/vm/fork_copy_mode
s=/proc/sys/vm/fork_copy_stack_pages
[ -f $m ] || { echo "FAIL: stress-ng-storm/setup: kernel without vm.fork_copy_mode (kernel-patch/ not applied)"; exit 1; }
[ -x $SNG ] || { echo "FAIL: stress-ng-storm/setup: no $SNG in this initramfs (apt-get install stress-ng; make initramfs)"; exit 1; }
[ -f "$FLIP" ] || { echo "FAIL: stress-ng-storm/setup: no $FLIP in this initramfs (make guest-root)"; exit 1; }
saved_m=$(cat $m) saved_s=$(cat $s)
trap 'echo "$saved_m" >$m; echo "$saved_s" >$s; rm -rf "$T_TMP"' EXIT
echo 8 >$s

# settle: drop caches, compact, and lower the per-CPU free lists (each
# write to vm.stat_refresh frees an eighth of their limit's excess).
settle() {
	sync
	echo 3 >/proc/sys/vm/drop_caches 2>/dev/null
	echo 1 >/proc/sys/vm/compact_memory 2>/dev/null
	_i=0
	while [ $_i -lt 30 ]; do
		echo 1 >/proc/sys/vm/stat_refresh 2>/dev/null
		_i=$((_i + 1))
	done
	sleep 1
}
# Kernel reports that mean a bug (lockdep's, DEBUG_VM's, page_table_check's).
SPLAT='Oops|BUG|WARNING|bad page|Bad page|possible circular locking|inconsistent lock state|possible recursive locking|suspicious RCU usage|sleeping function called from invalid context|page_table_check|Call Trace|Kernel panic'
# Count the failures of a phase (check_* report through fail).
nfail=0
fail() { nfail=$((nfail + 1)); echo "FAIL: $1: $2"; }
debug_locks() { sed -n 's/^ *debug_locks: *//p' /proc/lockdep_stats 2>/dev/null; }
lockdep_on=$(debug_locks)

# storm PHASE SYSCTL FLIP_MODES: one stress-ng run and its checks; a FIGURE
# line if all of them passed.
storm() {
	_p=$1
	_nf0=$nfail
	echo "$2" >$m
	e0=$(vmstat_get fork_eager_copy) s0=$(vmstat_get fork_stack_copy) k0=$(vmstat_get fork_tlb_flush_skipped)
	t0=$(date +%s)
	FORKLAB_FLIP_MODES=$3 FORKLAB_FLIP_MS=100 FORKLAB_FLIP_STATS=$T_TMP/flip.$_p \
		LD_PRELOAD=$FLIP $SNG --fork 2 --vfork 1 --clone 1 --mmap 1 --mmap-bytes 4M \
		--timeout "${SECS}s" --metrics-brief \
		--temp-path /tmp >"$T_TMP/sng.$_p" 2>&1 &
	_pid=$!
	_flips=0
	if [ "$_p" = mixed ]; then
		while kill -0 $_pid 2>/dev/null; do
			echo $((_flips % 3)) >$m
			_flips=$((_flips + 1))
			usleep 100000
		done
	fi
	wait $_pid
	_rc=$?
	_secs=$(($(date +%s) - t0))
	echo "$2" >$m
	echo "# $_p: stress-ng exit $_rc after ${_secs}s; $(cat "$T_TMP/flip.$_p" 2>/dev/null); $_flips sysctl flips"
	echo "# $_p: fork_eager_copy +$(($(vmstat_get fork_eager_copy) - e0)) fork_stack_copy +$(($(vmstat_get fork_stack_copy) - s0)) fork_tlb_flush_skipped +$(($(vmstat_get fork_tlb_flush_skipped) - k0))"
	grep -E 'metrc: .* (fork|vfork|clone|mmap|mmapfork) +[0-9]' "$T_TMP/sng.$_p" | sed 's/^stress-ng: metrc: \[[0-9]*\] */#   /'
	if [ $_rc != 0 ]; then
		fail "stress/$_p/stress-ng-exit-0" "exit $_rc: $(grep -m2 -E 'fail|error' "$T_TMP/sng.$_p" | tr '\n' ' ')"
	else
		pass "stress/$_p/stress-ng-exit-0"
	fi
	# fork and vfork finish many operations a second; clone (stress-ng's
	# clone stressor holds 130 MB of anonymous memory, copied by every
	# clone without CLONE_VM in eager mode: 5-10 s a clone under TCG) and
	# mmap (one operation maps, touches, protects and unmaps 4 MB) took
	# over 10 s for one operation on a loaded host (measured): checked in
	# runs of a minute or more only.
	for st in fork vfork clone mmap; do
		ops=$(sed -n "s/^stress-ng: metrc: \[[0-9]*\] $st  *\([0-9][0-9]*\) .*/\1/p" "$T_TMP/sng.$_p")
		case $st in clone | mmap) [ "$SECS" -ge 60 ] || continue ;; esac
		check_ge "stress/$_p/$st-did-work" "${ops:-0}" 1
	done
	_fl=$(sed -n 's/^flips=\([0-9]*\) .*/\1/p' "$T_TMP/flip.$_p" 2>/dev/null)
	_ff=$(sed -n 's/.* failures=\([0-9]*\) .*/\1/p' "$T_TMP/flip.$_p" 2>/dev/null)
	# At least one flip a second: each forking stressor flips up to ten times.
	check_ge "stress/$_p/prctl-flips-happened" "${_fl:-0}" "$SECS"
	check_eq "stress/$_p/prctl-flips-all-succeeded" 0 "${_ff:-missing}"
	[ "$_p" != mixed ] || check_ge "stress/$_p/sysctl-flips-happened" $_flips "$SECS"
	if dmesg | grep -Eq "$SPLAT"; then
		fail "stress/$_p/no-kernel-report" "$(dmesg | grep -Em3 "$SPLAT" | tr '\n' ' ' | cut -c1-300)"
		dmesg | grep -E -A20 "$SPLAT" | head -n 60 | sed 's/^/#   /'
	else
		pass "stress/$_p/no-kernel-report"
	fi
	if [ "$lockdep_on" = 1 ]; then
		check_eq "stress/$_p/lockdep-still-on" 1 "$(debug_locks)"
	fi
	de=$(($(vmstat_get fork_eager_copy) - e0)) ds=$(($(vmstat_get fork_stack_copy) - s0)) dk=$(($(vmstat_get fork_tlb_flush_skipped) - k0))
	case $_p in
	cow)
		check_eq "stress/cow/fork_eager_copy+0" 0 $de
		check_eq "stress/cow/fork_stack_copy+0" 0 $ds
		check_eq "stress/cow/fork_tlb_flush_skipped+0" 0 $dk ;;
	stack)
		check_ge "stress/stack/fork_stack_copy-moved" $ds 1
		check_eq "stress/stack/fork_eager_copy+0" 0 $de ;;
	eager)
		check_ge "stress/eager/fork_eager_copy-moved" $de 1
		check_ge "stress/eager/fork_tlb_flush_skipped-moved" $dk 1
		check_eq "stress/eager/fork_stack_copy+0" 0 $ds ;;
	mixed)
		check_ge "stress/mixed/fork_eager_copy-moved" $de 1
		check_ge "stress/mixed/fork_stack_copy-moved" $ds 1 ;;
	esac
	if [ $nfail = "$_nf0" ]; then
		echo "FIGURE: $KEY-$_p $_secs seconds of stress-ng storm survived in $_p mode$NOTE"
	fi
}

if [ -n "$lockdep_on" ]; then
	check_eq stress/lockdep-on-before 1 "$lockdep_on"
else
	echo "# no /proc/lockdep_stats: kernel without CONFIG_PROVE_LOCKING"
fi
if dmesg | grep -Eq "$SPLAT"; then
	fail stress/no-kernel-report-before "$(dmesg | grep -Em3 "$SPLAT" | tr '\n' ' ' | cut -c1-300)"
else
	pass stress/no-kernel-report-before
fi
dmesg -c >/dev/null 2>&1

# Warm-up: stress-ng's first run leaves slab caches and per-CPU lists grown.
echo 0 >$m
$SNG --fork 1 --mmap 1 --mmap-bytes 4M --timeout 2s >/dev/null 2>&1
settle
mem_snap
anon0=$anon pt0=$pt free0=$free commit0=$commit

storm cow 0 cow,inherit
storm stack 1 stack,inherit
storm eager 2 eager,inherit
storm mixed 0 inherit,cow,stack,eager

# Bounds.  Measured after the storm and a settle, 4 runs (12 s and 240 s
# phases, test and debug kernel): nr_anon_pages +0..+1, page tables +0,
# free memory -0.2..-0.8 MiB, Committed_AS +32..+36 kB.  The eager phase
# alone copied 11000 pages at fork in 12 s runs, 650000 in 240 s: leaking
# 1 copy in 10 (12 s) or in 150 (240 s) goes past the free memory bound,
# and 64 leaked anonymous pages or 8 page tables past the others.
ANON_SLACK=64 PT_SLACK=8 FREE_SLACK_KB=4096 COMMIT_SLACK_KB=512
settle
mem_snap
tries=0
while { [ "$pt" -gt $((pt0 + PT_SLACK)) ] || [ "$anon" -gt $((anon0 + ANON_SLACK)) ] ||
	[ "$free" -lt $((free0 - FREE_SLACK_KB)) ] || [ "$commit" -gt $((commit0 + COMMIT_SLACK_KB)) ]; } &&
	[ $tries -lt 15 ]; do
	settle
	mem_snap
	tries=$((tries + 1))
done
echo "# settled after $tries extra second(s): nr_anon_pages (less this shell's) $anon0 -> $anon, nr_page_table_pages $pt0 -> $pt, MemFree + per-CPU lists $free0 -> $free kB, Committed_AS $commit0 -> $commit kB"
check_le stress/no-anon-leak "$anon" $((anon0 + ANON_SLACK))
check_le stress/no-page-table-leak "$pt" $((pt0 + PT_SLACK))
check_ge stress/memfree-back "$free" $((free0 - FREE_SLACK_KB))
check_le stress/committed-as-back "$commit" $((commit0 + COMMIT_SLACK_KB))
