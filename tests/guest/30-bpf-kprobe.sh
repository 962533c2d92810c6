#!/bin/sh
# In-guest: BPF and kprobes on the kernel under test.
#  - build/static/kprobe-check: a CO-RE object loads against the guest's own
#    BTF; kprobes on copy_page_range and flush_tlb_mm_range and an fentry on
#    copy_page_range attach and fire for one fork (details in its source).
#  - a tracefs kprobe (kprobe_events) on copy_page_range counts hits.
#  - which of fork's COW functions a probe can reach (stock 6.12 -O2 inlines
#    do_wp_page, wp_page_copy, wp_page_reuse, dup_mmap; the forklab patch makes
#    them noinline, so on a patched kernel they must be probe-able).
. "$(dirname "$0")/../lib.sh"

prog=$FORKLAB_BUILD/kprobe-check
if [ -x "$prog" ]; then
	"$prog" -n 64
else
	fail bpf/kprobe-check "no $prog (make kernel-static)"
fi

T=/sys/kernel/tracing
if [ -w $T/kprobe_events ]; then
	if echo 'p:forklab/cpr copy_page_range' >>$T/kprobe_events 2>"$T_TMP/err" &&
		echo 1 >$T/events/forklab/cpr/enable; then
		sh -c 'true' # one fork from this shell, one from sh -c's own exec-less child
		echo 0 >$T/events/forklab/cpr/enable
		hits=$(awk '$1 == "forklab/cpr" || $1 == "cpr" {print $2}' $T/kprobe_profile)
		echo '-:forklab/cpr' >>$T/kprobe_events
		check_ge tracefs/kprobe-copy_page_range-fires "${hits:-0}" 1
	else
		fail tracefs/kprobe-copy_page_range-fires "cannot add the kprobe: $(cat "$T_TMP/err")"
	fi
else
	fail tracefs/kprobe-copy_page_range-fires "$T/kprobe_events not writable"
fi

# A function gcc cloned (wp_page_reuse.constprop.0) takes a kprobe under the
# clone's name; it counts as reachable, and is named.
missing="" clones=""
for f in do_wp_page wp_page_copy wp_page_reuse dup_mmap copy_page_range flush_tlb_mm_range; do
	if grep -q " $f\$" /proc/kallsyms; then
		:
	elif c=$(grep -m1 -E " $f\.(constprop|isra|part|cold)\.[0-9]+\$" /proc/kallsyms); then
		clones="$clones ${c##* }"
	else
		missing="$missing $f"
	fi
done
echo "# not in kallsyms (inlined):${missing:- none}; only as a clone:${clones:- none}"
case "$missing" in *copy_page_range* | *flush_tlb_mm_range*)
	fail probe/stock-targets-present "missing from kallsyms:$missing" ;;
*) pass probe/stock-targets-present ;;
esac
if [ -e /proc/sys/vm/fork_copy_mode ]; then
	if [ -z "$missing" ]; then pass probe/patched-cow-functions-present
	else fail probe/patched-cow-functions-present "patched kernel, yet inlined:$missing"; fi
else
	fail probe/patched-cow-functions-present "no vm.fork_copy_mode: forklab's guest kernel lacks kernel-patch/"
fi
