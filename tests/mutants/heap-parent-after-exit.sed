# file: bench/benchmarks/heap.c
# test: tests/host/cow-faults.sh
# test: tests/bpf/forkbench-trace.sh
# what: heap's prediction replays the parent's writes after the child's exit even with --parent-when before-exit
/^static void predict(/,/^}/ {
	s/if (opt.when == BEFORE_EXIT)/if (0)/
	s/if (opt.when == AFTER_EXIT)/if (1)/
}
