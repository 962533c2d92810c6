#!/bin/sh
# In-guest: data integrity across fork trees in every fork copy mode
# (kernel-patch/), forkmode-integrity: FORKLAB_INTEGRITY_TREES trees
# (default 1; make vm-stress: 200) per mode (cow, stack, eager: the whole
# tree in that mode; mixed: every process picks a random mode, inherit
# included, before each fork) and heap (small pages; THPs; 64 kB mTHPs,
# hugepages-64kB/enabled set to always meanwhile), depth 3, width
# 2: 15 processes per tree, each checking every byte of its heap, of a
# MAP_PRIVATE memfd mapping, of its ancestors' stack buffers and of a
# MAP_SHARED page, before and after writing its own patterns, parents again
# after their children wrote.  Meanwhile vm.fork_copy_mode flips every
# 100 ms (what "inherit" follows) and fork_copy_stack_pages is 64 (stack
# mode copies the stack buffers).
#   integrity/inject-detected  a flipped byte is found (the checker can fail)
#   integrity/no-mismatch      every byte as expected, every fork worked
#   integrity/thp-heaps-thp    the THP trees' heaps were THP-backed
#   integrity/mthp-heaps-mthp  64 kB mTHPs were allocated (anon_fault_alloc)
#   integrity/no-kernel-report no oops, BUG, WARNING, lockdep report in dmesg
# Prints FIGURE integrity-checks (pages verified, trees, mismatches).
. "$(dirname "$0")/../lib.sh"
I=$FORKLAB_BUILD/forkmode-integrity
TREES=${FORKLAB_INTEGRITY_TREES:-1}
KEY=${FORKLAB_INTEGRITY_KEY:-integrity-checks}
NOTE=${FORKLAB_FIGURE_NOTE:+ ($FORKLAB_FIGURE_NOTE)}
m=/proc/sys/vm/fork_copy_mode
s=/proc/sys/vm/fork_copy_stack_pages
thp=/sys/kernel/mm/transparent_hugepage
[ -f $m ] || { echo "FAIL: stress-integrity/setup: kernel without vm.fork_copy_mode (kernel-patch/ not applied)"; exit 1; }
[ -x "$I" ] || { echo "FAIL: stress-integrity/setup: no $I in this initramfs (make static)"; exit 1; }
saved_m=$(cat $m) saved_s=$(cat $s)
saved_thp=$(sed -n 's/.*\[\(.*\)\].*/\1/p' $thp/enabled 2>/dev/null)
m64=$thp/hugepages-64kB
saved_64k=$(sed -n 's/.*\[\(.*\)\].*/\1/p' $m64/enabled 2>/dev/null)
cleanup() {
	echo "$saved_m" >$m
	echo "$saved_s" >$s
	[ -n "$saved_thp" ] && echo "$saved_thp" >$thp/enabled
	[ -n "$saved_64k" ] && echo "$saved_64k" >$m64/enabled
	rm -rf "$T_TMP"
}
trap cleanup EXIT
SPLAT='Oops|BUG|WARNING|bad page|Bad page|possible circular locking|inconsistent lock state|possible recursive locking|suspicious RCU usage|sleeping function called from invalid context|page_table_check|Call Trace'
dmesg -c >/dev/null 2>&1
echo 64 >$s
[ -n "$saved_thp" ] && [ "$saved_thp" = never ] && echo madvise >$thp/enabled
[ -n "$saved_64k" ] && echo always >$m64/enabled
mthp0=$(cat $m64/stats/anon_fault_alloc 2>/dev/null || echo 0)

# The checker must be able to fail: one byte flipped behind its back.
"$I" --inject --modes eager --heaps small --trees 1 --depth 1 --width 1 >"$T_TMP/inject" 2>&1
rc=$?
if [ $rc = 1 ] && grep -q '^first: .*heap page [0-9]* offset [0-9]* (address 0x[0-9a-f]*): expected 0x[0-9a-f]* (tag [0-9]*), got 0x' "$T_TMP/inject"; then
	pass integrity/inject-detected
else
	fail integrity/inject-detected "exit $rc: $(tail -n 1 "$T_TMP/inject")"
fi

"$I" --trees "$TREES" >"$T_TMP/out" 2>&1 &
pid=$!
flips=0
while kill -0 $pid 2>/dev/null; do
	echo $((flips % 3)) >$m
	flips=$((flips + 1))
	usleep 100000
done
wait $pid
rc=$?
echo "$saved_m" >$m
sed 's/^/# /' "$T_TMP/out"
echo "# $flips sysctl flips"
line=$(grep '^pages_verified=' "$T_TMP/out")
kv() { echo "$line" | sed -n "s/.*$1=\([0-9]*\).*/\1/p"; }
pages=$(kv pages_verified) trees=$(kv trees) mism=$(kv mismatches) errs=$(kv errors)
if [ $rc = 0 ] && [ "$mism" = 0 ] && [ "$errs" = 0 ]; then
	pass integrity/no-mismatch
else
	fail integrity/no-mismatch "exit $rc, ${mism:-?} mismatches, ${errs:-?} errors: $(grep -m1 '^first:' "$T_TMP/out")"
fi
# 4 modes x 3 heaps x TREES trees of 15 processes.
check_eq integrity/all-trees-ran $((12 * TREES)) "${trees:-0}"
check_eq integrity/all-processes-ran $((12 * TREES * 15)) "$(kv processes)"
if [ -n "$saved_thp" ]; then
	thp_kb=$(sed -n 's/.* heap=thp .* thp_kb=\([0-9]*\)$/\1/p' "$T_TMP/out" | awk '{n += $1} END {print n + 0}')
	check_ge integrity/thp-heaps-thp "$thp_kb" 2048
else
	skip integrity/thp-heaps-thp "no transparent hugepage support"
fi
if [ -n "$saved_64k" ]; then
	check_ge integrity/mthp-heaps-mthp $(($(cat $m64/stats/anon_fault_alloc) - mthp0)) 1
else
	skip integrity/mthp-heaps-mthp "no 64 kB mTHP support"
fi
if dmesg | grep -Eq "$SPLAT"; then
	fail integrity/no-kernel-report "$(dmesg | grep -Em3 "$SPLAT" | tr '\n' ' ' | cut -c1-300)"
else
	pass integrity/no-kernel-report
fi
if [ $rc = 0 ] && [ "$mism" = 0 ] && [ "$errs" = 0 ]; then
	echo "FIGURE: $KEY $pages pages verified in $trees process trees, 0 mismatches$NOTE"
fi
