#!/bin/sh
# In-guest: exact /proc/vmstat counts for one fork of a process with a heap,
# in each fork copy mode (kernel-patch/).  forkmode-fork does the fork in
# one assembly block that touches nothing but the heap (and MAP_SHARED
# buffers), so the deltas are exact:
#   cow:   the child writing its N heap pages copies each one:
#          cow_fault_copy +N, pgreuse +0, no fork-time copies, TLB flushed
#   stack: the same for the heap (it is not at the stack pointer); only
#          the present pages of the stack window are copied at fork
#   eager: fork copies every present private anonymous page of the
#          parent: the heap's pages it mapped and wrote (heap_pages) plus
#          its own, FORKMODE_OWN_MIN..MAX (tests/lib.sh); the same count as smaps
#          Anonymous at fork; the child's writes fault on none
#          (cow_fault_copy +0, pgreuse +0), nothing was write-protected
#          so the TLB flush is skipped (+1)
#   THP heap: cow splits each THP in the child (thp_split_pmd +K, 512K
#          copies); eager copies each into a THP of the child's own
#          (nr_anon_transparent_hugepages +K while it lives), splits none
#   mTHP (64 KiB folios): eager gives the child 64 KiB folios too
# Each case also checks that the child saw the parent's data, the parent
# kept it, and all the child's memory was freed when it exited.  The per-process mode (prctl) overrides the sysctl.
# This shell runs in eager mode while others measure (its forks then take
# no write fault).  Sysctls and THP settings touched are restored.
. "$(dirname "$0")/../lib.sh"
F=$FORKLAB_BUILD/forkmode-fork
m=/proc/sys/vm/fork_copy_mode
[ -f $m ] || { echo "FAIL: forkmode-heap/setup: kernel without vm.fork_copy_mode (kernel-patch/ not applied)"; exit 1; }
[ -x "$F" ] || { echo "FAIL: forkmode-heap/setup: no $F in this initramfs (make static)"; exit 1; }
thp=/sys/kernel/mm/transparent_hugepage
saved_m=$(cat $m)
saved_thp=$(sed -n 's/.*\[\(.*\)\].*/\1/p' $thp/enabled 2>/dev/null)
saved_64k=$(sed -n 's/.*\[\(.*\)\].*/\1/p' $thp/hugepages-64kB/enabled 2>/dev/null)
saved_2m=$(sed -n 's/.*\[\(.*\)\].*/\1/p' $thp/hugepages-2048kB/enabled 2>/dev/null)
restore() {
	echo "$saved_m" >$m
	[ -n "$saved_thp" ] && echo "$saved_thp" >$thp/enabled
	[ -n "$saved_64k" ] && echo "$saved_64k" >$thp/hugepages-64kB/enabled
	[ -n "$saved_2m" ] && echo "$saved_2m" >$thp/hugepages-2048kB/enabled
	rm -rf "$T_TMP"
}
trap restore EXIT
N=2000
# forkmode-fork's own pages besides the heap: FORKMODE_OWN_MIN..MAX, measured
# and explained in tests/lib.sh (check_eager_copies).

# run NAME ARGS...: forkmode-fork ARGS into $T_TMP/NAME; kv NAME KEY.
run() {
	_n=$1; shift
	if ! "$F" "$@" >"$T_TMP/$_n" 2>&1 || grep -q '^error=' "$T_TMP/$_n"; then
		fail "$_n" "forkmode-fork $*: $(grep -m1 '^error=' "$T_TMP/$_n" || tail -n 1 "$T_TMP/$_n")"
		return 1
	fi
	echo "# $_n: $(grep -E '^(mode|anon_pages|window_present|d_[a-z_]*|mid_[a-z]*)=' "$T_TMP/$_n" | grep -v '=0$' | tr '\n' ' ')"
}
kv() { sed -n "s/^$2=//p" "$T_TMP/$1"; }
# The child saw the parent's data, the parent kept it, and once the child
# has exited every page it had is freed again (node counters folded with
# stat_refresh, so exact).
data_ok() {
	check_eq "$1/child-saw-parent-data" 0 "$(kv "$1" child_exit)"
	check_eq "$1/parent-kept-its-data" 1 "$(kv "$1" heap_intact)"
	check_eq "$1/child-memory-freed" 0 "$(kv "$1" d_nr_anon_pages)"
	check_eq "$1/child-thps-freed" 0 "$(kv "$1" d_nr_anon_transparent_hugepages)"
}

# This shell's forks must not add to the global counters while a test
# program measures: in eager mode they take no write fault.  The measured
# processes pick their own mode (prctl), except where the sysctl is tested
# (and forkmode-fork waits 100 ms for this shell to settle first).
echo 2 >$m
if run cow --mode cow --pages $N --child-writes; then
	check_eq cow/cow_fault_copy=N "$N" "$(kv cow d_cow_fault_copy)"
	check_eq cow/pgreuse=0 0 "$(kv cow d_pgreuse)"
	check_eq cow/fork_eager_copy=0 0 "$(kv cow d_fork_eager_copy)"
	check_eq cow/fork_stack_copy=0 0 "$(kv cow d_fork_stack_copy)"
	check_eq cow/tlb-flushed 0 "$(kv cow d_fork_tlb_flush_skipped)"
	data_ok cow
fi

if run eager --mode eager --pages $N --child-writes; then
	check_eager_copies eager "$(kv eager d_fork_eager_copy)" $N
	check_eq eager/heap-pages=N "$N" "$(kv eager heap_pages)"
	check_eq eager/stack-area-pages=OWN_MIN "$FORKMODE_OWN_MIN" "$(kv eager stack_area_pages)"
	check_eq eager/fork_eager_copy=anon-pages-at-fork "$(kv eager anon_pages)" "$(kv eager d_fork_eager_copy)"
	check_ge eager/anon-pages-include-heap "$(kv eager anon_pages)" $N
	check_eq eager/cow_fault_copy=0 0 "$(kv eager d_cow_fault_copy)"
	check_eq eager/pgreuse=0 0 "$(kv eager d_pgreuse)"
	check_eq eager/tlb-flush-skipped 1 "$(kv eager d_fork_tlb_flush_skipped)"
	check_eq eager/fork_stack_copy=0 0 "$(kv eager d_fork_stack_copy)"
	check_eq eager/parent-anon-unchanged "$(kv eager anon_pages)" "$(kv eager anon_pages_after)"
	data_ok eager
fi

if run stack --mode stack --pages $N --child-writes; then
	check_eq stack/heap-cow_fault_copy=N "$N" "$(kv stack d_cow_fault_copy)"
	check_eq stack/pgreuse=0 0 "$(kv stack d_pgreuse)"
	check_eq stack/fork_stack_copy=window "$(kv stack window_present)" "$(kv stack d_fork_stack_copy)"
	check_ge stack/window-present "$(kv stack window_present)" 1
	check_eq stack/fork_eager_copy=0 0 "$(kv stack d_fork_eager_copy)"
	check_eq stack/tlb-flushed 0 "$(kv stack d_fork_tlb_flush_skipped)"
	data_ok stack
fi

# The sysctl, and the per-process mode overriding it.
if run sysctl-eager --pages $N --child-writes; then
	check_eq sysctl-eager/mode eager "$(kv sysctl-eager mode)"
	check_eager_copies sysctl-eager "$(kv sysctl-eager d_fork_eager_copy)" $N
	check_eq sysctl-eager/fork_eager_copy=anon-pages "$(kv sysctl-eager anon_pages)" "$(kv sysctl-eager d_fork_eager_copy)"
	check_eq sysctl-eager/cow_fault_copy=0 0 "$(kv sysctl-eager d_cow_fault_copy)"
fi
if run prctl-cow-over-sysctl-eager --mode cow --pages $N --child-writes; then
	check_eq prctl-cow-over-sysctl-eager/cow_fault_copy=N "$N" "$(kv prctl-cow-over-sysctl-eager d_cow_fault_copy)"
	check_eq prctl-cow-over-sysctl-eager/fork_eager_copy=0 0 "$(kv prctl-cow-over-sysctl-eager d_fork_eager_copy)"
fi
echo 1 >$m
if run sysctl-stack --pages $N --child-writes; then
	check_eq sysctl-stack/fork_stack_copy=window "$(kv sysctl-stack window_present)" "$(kv sysctl-stack d_fork_stack_copy)"
fi
echo 0 >$m
if run prctl-inherit-sysctl-cow --mode inherit --pages $N --child-writes; then
	check_eq prctl-inherit-sysctl-cow/cow_fault_copy=N "$N" "$(kv prctl-inherit-sysctl-cow d_cow_fault_copy)"
	check_eq prctl-inherit-sysctl-cow/fork_eager_copy=0 0 "$(kv prctl-inherit-sysctl-cow d_fork_eager_copy)"
fi

# THP-backed heap (MADV_HUGEPAGE, 2 MiB aligned): K THPs.
echo 2 >$m
K=4
if [ -n "$saved_thp" ]; then
	echo madvise >$thp/enabled
	[ -n "$saved_2m" ] && echo inherit >$thp/hugepages-2048kB/enabled
	if run thp-cow --mode cow --thp $K --child-writes \
		--mid-file /proc/vmstat --mid-field nr_anon_transparent_hugepages &&
		[ "$(kv thp-cow heap_thp_kb)" = $((K * 2048)) ]; then
		check_eq thp-cow/thp_split_pmd=K $K "$(kv thp-cow d_thp_split_pmd)"
		check_eq thp-cow/cow_fault_copy=512K $((K * 512)) "$(kv thp-cow d_cow_fault_copy)"
		check_eq thp-cow/child-has-no-thp-of-its-own 0 \
			$(($(kv thp-cow mid_child) - $(kv thp-cow mid_before)))
		data_ok thp-cow
	else
		skip thp-cow "no THP-backed heap ($(kv thp-cow heap_thp_kb) kB of $((K * 2048)))"
	fi
	if run thp-eager --mode eager --thp $K --child-writes \
		--mid-file /proc/vmstat --mid-field nr_anon_transparent_hugepages &&
		[ "$(kv thp-eager heap_thp_kb)" = $((K * 2048)) ]; then
		check_eq thp-eager/thp_split_pmd-unchanged 0 "$(kv thp-eager d_thp_split_pmd)"
		check_eager_copies thp-eager "$(kv thp-eager d_fork_eager_copy)" $((K * 512))
		check_eq thp-eager/fork_eager_copy=anon-pages "$(kv thp-eager anon_pages)" "$(kv thp-eager d_fork_eager_copy)"
		check_eq thp-eager/fork_eager_fallback=0 0 "$(kv thp-eager d_fork_eager_fallback)"
		check_eq thp-eager/cow_fault_copy=0 0 "$(kv thp-eager d_cow_fault_copy)"
		check_eq thp-eager/pgreuse=0 0 "$(kv thp-eager d_pgreuse)"
		check_eq thp-eager/child-copies-are-K-thps $K \
			$(($(kv thp-eager mid_child) - $(kv thp-eager mid_before)))
		check_eq thp-eager/parent-heap-still-thp $((K * 2048)) "$(kv thp-eager heap_thp_kb)"
		check_eq thp-eager/tlb-flush-skipped 1 "$(kv thp-eager d_fork_tlb_flush_skipped)"
		data_ok thp-eager
	else
		skip thp-eager "no THP-backed heap ($(kv thp-eager heap_thp_kb) kB of $((K * 2048)))"
	fi
	# The THP policy refuses the child THPs (MADV_NOHUGEPAGE after the
	# fault, or PR_SET_THP_DISABLE, inherited): eager copies each THP into
	# 512 small pages (fork_eager_fallback), the parent's stay THPs.
	for how in madvise prctl; do
		n=thp-policy-$how
		if run $n --mode eager --thp $K --child-writes --refuse-thp $how \
			--mid-file /proc/vmstat --mid-field nr_anon_transparent_hugepages &&
			[ "$(kv $n heap_thp_kb)" = $((K * 2048)) ]; then
			check_eq $n/child-has-no-thp 0 $(($(kv $n mid_child) - $(kv $n mid_before)))
			check_eq $n/fork_eager_fallback=K $K "$(kv $n d_fork_eager_fallback)"
			check_eq $n/fork_eager_copy=anon-pages "$(kv $n anon_pages)" "$(kv $n d_fork_eager_copy)"
			check_eq $n/thp_split_pmd-unchanged 0 "$(kv $n d_thp_split_pmd)"
			check_eq $n/cow_fault_copy=0 0 "$(kv $n d_cow_fault_copy)"
			check_eq $n/tlb-flush-skipped 1 "$(kv $n d_fork_tlb_flush_skipped)"
			data_ok $n
		else
			skip $n "no THP-backed heap ($(kv $n heap_thp_kb) kB of $((K * 2048)))"
		fi
	done
else
	skip thp "no transparent hugepage support"
fi

# mTHP: 64 KiB anonymous folios (the PMD size off), 2 MiB heap = 32 folios.
if [ -n "$saved_64k" ]; then
	echo never >$thp/hugepages-2048kB/enabled
	echo always >$thp/hugepages-64kB/enabled
	nr=$thp/hugepages-64kB/stats/nr_anon
	if [ ! -r $nr ]; then
		skip mthp-eager "no $nr"
	else
		# read, not $(cat): a subshell would hold copies of this
		# shell's own 64 KiB folios while it reads
		read -r base <$nr
		if run mthp-eager --mode eager --mthp 512 --child-writes --mid-file $nr; then
			# The parent's 64 KiB folios: the heap's 32 and any of its others.
			own=$(($(kv mthp-eager mid_before) - base))
			check_ge mthp-eager/heap-is-64k-folios "$own" 32
			check_eq mthp-eager/child-got-a-64k-folio-for-each "$own" \
				$(($(kv mthp-eager mid_child) - $(kv mthp-eager mid_before)))
			# Its own pages may come in 64 KiB folios here (up to 16
			# pages each): the heap and the stack area are a floor.
			check_ge mthp-eager/fork_eager_copy-at-least-heap+stack-area \
				"$(kv mthp-eager d_fork_eager_copy)" $((512 + FORKMODE_OWN_MIN))
			check_eq mthp-eager/fork_eager_copy=anon-pages "$(kv mthp-eager anon_pages)" "$(kv mthp-eager d_fork_eager_copy)"
			check_eq mthp-eager/fork_eager_fallback=0 0 "$(kv mthp-eager d_fork_eager_fallback)"
			check_eq mthp-eager/cow_fault_copy=0 0 "$(kv mthp-eager d_cow_fault_copy)"
			check_eq mthp-eager/pgreuse=0 0 "$(kv mthp-eager d_pgreuse)"
			data_ok mthp-eager
		fi
		# MADV_NOHUGEPAGE on the heap after the fault: its 32 folios are
		# copied page by page, the process's other 64 KiB folios at size.
		read -r base <$nr
		if run mthp-policy --mode eager --mthp 512 --child-writes --refuse-thp madvise \
			--mid-file $nr; then
			own=$(($(kv mthp-policy mid_before) - base))
			check_ge mthp-policy/heap-is-64k-folios "$own" 32
			check_eq mthp-policy/child-64k-folios-only-outside-heap $((own - 32)) \
				$(($(kv mthp-policy mid_child) - $(kv mthp-policy mid_before)))
			check_eq mthp-policy/fork_eager_fallback=32 32 "$(kv mthp-policy d_fork_eager_fallback)"
			check_eq mthp-policy/fork_eager_copy=anon-pages "$(kv mthp-policy anon_pages)" "$(kv mthp-policy d_fork_eager_copy)"
			check_eq mthp-policy/cow_fault_copy=0 0 "$(kv mthp-policy d_cow_fault_copy)"
			data_ok mthp-policy
		fi
	fi
else
	skip mthp "no /sys/kernel/mm/transparent_hugepage/hugepages-64kB"
fi
