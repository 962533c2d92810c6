# file: bpf/ct_maps.c
# test: tests/bpf/forkbench-trace.sh
# what: derived cow_reuses are all write faults (copies not subtracted)
s/? c->wp_faults - c->cow_copies : 0;/? c->wp_faults : 0;/
