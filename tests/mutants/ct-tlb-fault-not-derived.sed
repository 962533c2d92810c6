# file: bpf/ct_maps.c
# test: tests/bpf/forkbench-trace.sh
# test: tests/bpf/counter-table.sh
# test: tests/bpf/cowtrace-counts.sh
# test: tests/bpf/cowtrace-seed.sh
# what: tlb_flush_fault is not derived from the copies' flushes in tracepoint mode
s/c->tlb_flush_fault = c->cow_copies;/c->tlb_flush_fault = 0;/
