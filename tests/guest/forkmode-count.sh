#!/bin/sh
# In-guest: what one fork does per page table, counted by kprobes
# (forkmode-count: calls in the forking process only; the difference
# between a fork with a 2048-page heap untouched and one with it written
# is the heap's share: 4 page tables).  Exact per page table:
#   eager: 1 bulk allocation (alloc_pages_bulk_noprof) and 0 single
#          allocations (fork_copy_alloc), 512 memcg charges, 512 new anon
#          rmaps, 512 LRU adds, 512 page copies (copy_mc_to_kernel),
#          1 child page table (__pte_alloc), 512 counted copies
#          (fork_copy_count, cowtrace's probe); the LRU adds move to the LRU
#          in per-CPU batches of 31 (2048 / 31: 65-67 batch moves, by where
#          the batch stood), and the fork flushes no TLB (nothing was
#          write-protected)
#   cow:   none of the per-page work, no counted copy, 1 child page table; the fork's TLB
#          flushes do not depend on the heap (the parent's own copying
#          write faults between a fork and its end marker, counted by
#          wp_page_copy, are taken out)
#   stack: no allocation for the heap (only the stack window's pages
#          are copied)
# The eager figures are printed as a FIGURE line (docs/kernel.md).
. "$(dirname "$0")/../lib.sh"
C=$FORKLAB_BUILD/forkmode-count
m=/proc/sys/vm/fork_copy_mode
[ -f $m ] || { echo "FAIL: forkmode-count/setup: kernel without vm.fork_copy_mode (kernel-patch/ not applied)"; exit 1; }
[ -x "$C" ] || { echo "FAIL: forkmode-count/setup: no $C in this initramfs (make static)"; exit 1; }
[ -w /sys/kernel/tracing/kprobe_events ] || { echo "SKIP: forkmode-count: no /sys/kernel/tracing/kprobe_events"; exit 0; }
trap 'rm -rf "$T_TMP"' EXIT
PAGES=2048 TABLES=4

# val FILE PROBE FIELD: fork1, fork2 or diff of one probe
val() {
	sed -n "s/^probe=$2 .*$3=\(-*[0-9]*\).*/\1/p" "$1"
}

for mode in eager cow stack; do
	out=$T_TMP/$mode.txt
	if ! "$C" --mode $mode $PAGES >"$out" 2>&1; then
		fail "count/$mode" "forkmode-count failed: $(tail -n 1 "$out")"
		continue
	fi
	sed "s/^/# $mode: /" "$out"
	case $mode in
	eager)
		got="$(val "$out" alloc_pages_bulk_noprof diff) $(val "$out" fork_copy_alloc diff)"
		check_eq "count/eager-allocations (bulk, single) for $TABLES tables" "$TABLES 0" "$got"
		for p in __mem_cgroup_charge folio_add_new_anon_rmap folio_add_lru_vma copy_mc_to_kernel fork_copy_count; do
			check_eq "count/eager-$p" $PAGES "$(val "$out" $p diff)"
		done
		lru=$(val "$out" folio_batch_move_lru diff)
		check_ge "count/eager-lru-batches >= $PAGES/31 - 1" "${lru:-0}" $((PAGES / 31 - 1))
		check_le "count/eager-lru-batches <= $PAGES/31 + 1" "${lru:-999}" $((PAGES / 31 + 1))
		check_eq "count/eager-no-tlb-flush" 0 "$(val "$out" flush_tlb_mm_range fork2)"
		v() { val "$out" "$1" per_table | sed 's/\.00$//'; }
		echo "FIGURE: eager-allocations-per-table $(v alloc_pages_bulk_noprof) bulk allocation call per 512-page table in eager mode (single allocations $(v fork_copy_alloc), charges $(v __mem_cgroup_charge), rmaps $(v folio_add_new_anon_rmap), LRU adds $(v folio_add_lru_vma), LRU batch moves $(v folio_batch_move_lru), page copies $(v copy_mc_to_kernel), TLB flushes 0, child page tables $(v __pte_alloc))"
		;;
	cow|stack)
		# the parent's own write faults after a fork (a varying
		# number, each one wp_page_copy) charge, map, add, copy and
		# flush a page each: taken out of the per-page work
		wpc=$(val "$out" wp_page_copy diff)
		got="$(val "$out" alloc_pages_bulk_noprof diff) $(val "$out" fork_copy_alloc diff)"
		for p in __mem_cgroup_charge folio_add_new_anon_rmap folio_add_lru_vma copy_mc_to_kernel flush_tlb_mm_range; do
			got="$got $(( $(val "$out" $p diff) - ${wpc:-0} ))"
		done
		if [ $mode = cow ]; then
			check_eq "count/cow-no-per-page-work (bulk single charge rmap lru copy flush, less the parent's copying faults)" \
				"0 0 0 0 0 0 0" "$got"
			check_eq "count/cow-no-copy-counted (fork_copy_count calls)" 0 "$(val "$out" fork_copy_count diff)"
		else
			check_eq "count/stack-no-heap-allocation (bulk single)" "0 0" \
				"$(val "$out" alloc_pages_bulk_noprof diff) $(val "$out" fork_copy_alloc diff)"
		fi
		;;
	esac
	check_eq "count/$mode-one-child-page-table-per-table" $TABLES "$(val "$out" __pte_alloc diff)"
done
