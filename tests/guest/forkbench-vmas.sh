#!/bin/sh
# In-guest: forkbench vmas in every fork mode, traced (cowtrace in kprobe
# mode, exact here), against its predictions.  Per mode and VMA count
# (100, 1000; 3 forks each, no warm-up):
#   - a child has exactly the VMAs predicted (its parent's, less the
#     do-not-copy ones): the modes differ in pages, not in VMAs;
#   - cow: no page copied at fork, one TLB flush per fork (the parent's
#     entries write-protected);
#   - stack: the stack window's pages copied at each fork
#     (vm.fork_copy_stack_pages), whatever the VMA count;
#   - eager: 900 more pages copied per fork at 1000 VMAs than at 100 (each
#     mapping holds one present page; the process's own pages are the same
#     in both), and no TLB flush (nothing was write-protected).
. "$(dirname "$0")/../lib.sh"
FB=$FORKLAB_BUILD/forkbench
[ -f /proc/sys/vm/fork_copy_mode ] || { echo "FAIL: forkbench-vmas/setup: kernel without vm.fork_copy_mode (kernel-patch/ not applied)"; exit 1; }
[ -x "$FB" ] || { echo "FAIL: forkbench-vmas/setup: no $FB in this initramfs (make static)"; exit 1; }
trap 'rm -rf "$T_TMP"' EXIT
N=3
stack_pages=$(cat /proc/sys/vm/fork_copy_stack_pages)
if ! (cd "$T_TMP" && "$FB" vmas --vmas 100,1000 -n $N --warmup 0 --fork-mode cow,stack,eager \
	--trace --format csv -o "$T_TMP/v.csv") >"$T_TMP/out" 2>&1; then
	fail forkbench-vmas/run "$(tail -n 1 "$T_TMP/out")"
	exit 0
fi
# col METHOD MODE COLUMN: the fork row's value
col() {
	awk -F, -v m="$1" -v f="$2" -v k="$3" '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["metric"] == "fork" && $c["method"] == m && $c["fork_mode"] == f { print $c[k]; exit }' "$T_TMP/v.csv"
}
for mode in cow stack eager; do
	for n in 100 1000; do
		check_eq "vmas/$mode-$n: a child has the predicted VMAs" \
			"$(col vmas$n $mode pred_vmas_dup)" "$(col vmas$n $mode child_vmas)"
	done
	e100=$(col vmas100 $mode parent_eager_copies)
	e1000=$(col vmas1000 $mode parent_eager_copies)
	t100=$(col vmas100 $mode parent_tlb_flush_fork)
	t1000=$(col vmas1000 $mode parent_tlb_flush_fork)
	echo "# $mode: eager_copies $e100 / $e1000, tlb_flush_fork $t100 / $t1000 over $N forks (100 / 1000 VMAs)"
	case $mode in
	cow)
		check_eq "vmas/cow: pages copied at fork, TLB flushes (100, 1000 VMAs)" \
			"0 0 $N $N" "$e100 $e1000 $t100 $t1000" ;;
	stack)
		check_eq "vmas/stack: the stack window copied at each fork (100, 1000 VMAs)" \
			"$((N * stack_pages)) $((N * stack_pages))" "$e100 $e1000" ;;
	eager)
		check_eq "vmas/eager: 900 pages more per fork at 1000 VMAs" \
			$((900 * N)) $((${e1000:-0} - ${e100:-0}))
		check_eq "vmas/eager: no TLB flush at fork (100, 1000 VMAs)" "0 0" "$t100 $t1000" ;;
	esac
done
