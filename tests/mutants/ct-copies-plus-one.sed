# file: bpf/ct_maps.c
# test: tests/bpf/forkbench-trace.sh
# test: tests/bpf/cowtrace-lib.sh
# what: cowtrace counts one COW copy too many per process (reuses one too few where derived)
/^static void derive_counts(/,/^}/ s/^\tif (t->status\[CT_COW_REUSES\] == CT_APPROX) {/\tc->cow_copies += 1;\n&/
