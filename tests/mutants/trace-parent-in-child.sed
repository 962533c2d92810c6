# file: bench/trace.c
# test: tests/bpf/forkbench-trace.sh
# what: forkbench --trace adds the parent's counters to the child's
s/ct_counts_add(&parent, &now\[r\]);/ct_counts_add(\&parent, \&now[r]), ct_counts_add(\&child, \&now[r]);/
