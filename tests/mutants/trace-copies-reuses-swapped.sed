# file: bench/trace.c
# test: tests/bpf/forkbench-trace.sh
# what: forkbench --trace reports cow_copies as cow_reuses and the reverse
s/(double)ct_counts_get(c, k)/(double)ct_counts_get(c, k == CT_COW_COPIES ? CT_COW_REUSES : k == CT_COW_REUSES ? CT_COW_COPIES : k)/
