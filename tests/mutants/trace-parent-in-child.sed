# file: bench/trace.c
# test: tests/bpf/forkbench-trace.sh
# what: forkbench --trace adds the parent's counters to the child's
s/else if (r > parent_role)/else if (r >= parent_role)/
