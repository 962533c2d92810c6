#!/bin/sh
# In the guest, under `scripts/kernel/vm-run.sh --accel icount` (1 ns = 1
# instruction): where an eager fork's instructions go.  function_graph,
# depth 1, on the forking process only (forkmode-bench --mode eager -n 1 16:
# two eager forks of a parent with 2 x 16 MiB touched, and that parent's
# own first-touch faults, which call the same rmap/LRU/charge functions).
# Prints, per traced function, its calls and mean instructions per call,
# each inflated by the tracer's own work (see the mutex_unlock line of the
# last run: a near-empty function).  docs/kernel.md quotes a run.
#
#   scripts/kernel/vm-run.sh --accel icount -- sh /forklab/scripts/eager-profile.sh
# (make initramfs puts it there)
T=/sys/kernel/tracing
B=/forklab/build/forkmode-bench
echo 0 > $T/tracing_on
# what it changes, restored at the end: the buffer's size (the expanded
# one if the buffer was never used), the tracer and its depth
saved_kb=$(sed 's/.*expanded: \([0-9]*\).*/\1/; s/^\([0-9]*\).*/\1/' $T/buffer_size_kb)
saved_depth=$(cat $T/max_graph_depth)
echo 65536 > $T/buffer_size_kb
echo function_graph > $T/current_tracer
echo 1 > $T/max_graph_depth
run() {
	: > $T/set_graph_function
	for f in "$@"; do echo "$f" >> $T/set_graph_function || echo "no $f"; done
	echo > $T/trace
	echo 1 > $T/tracing_on
	sh -c "echo \$\$ > $T/set_ftrace_pid; exec $B --mode eager -n 1 16" > /dev/null
	echo 0 > $T/tracing_on
	echo > $T/set_ftrace_pid
	awk '/\|/ && /\(\);|\}/ { for (i = 1; i <= NF; i++) if ($(i+1) == "us") { d = $i; break }
		n = $NF; sub(/\(\);$/, "", n); if ($NF == "}") next;
		sum[n] += d * 1000; cnt[n]++ }
		END { for (n in sum) printf "graph %s calls=%d instructions=%.0f per_call=%.1f\n", n, cnt[n], sum[n], sum[n] / cnt[n] }' $T/trace
}
run copy_page_range
run alloc_pages_bulk_noprof __mem_cgroup_charge folio_add_new_anon_rmap folio_add_lru_vma copy_mc_to_kernel
run dup_mmap
run mutex_unlock
: > $T/set_graph_function
echo nop > $T/current_tracer
echo "$saved_depth" > $T/max_graph_depth
echo "$saved_kb" > $T/buffer_size_kb
