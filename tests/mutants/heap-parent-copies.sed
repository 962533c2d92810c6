# file: bench/benchmarks/heap.c
# test: tests/host/cow-faults.sh
# what: heap's prediction reports the child's copies as the parent's (pred_parent_cow_copies)
/^static void predict(/,/^}/ s/^\tx->pred_parent = p\.c\[0\];$/&\n\tx->pred_parent.cow_copies = p.c[child].cow_copies;/
