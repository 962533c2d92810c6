#!/bin/sh
# forkbench --trace: cowtrace's counters on every row, summed over the
# row's iterations.  heap/nested/scenario count faults in the heap only, so
# the traced write-protect faults, copies and reuses equal the predicted
# ones exactly (and the hand-worked numbers below).
. "$(dirname "$0")/../lib.sh"
COL="$FORKLAB_ROOT/tests/tools/col.py"

need_root_cow "forkbench --trace"

# trace_vs_pred CSV METHOD N: the traced totals of N iterations equal N
# times the per-iteration predictions, and copies + reuses = write faults.
# With tracepoints only, cowtrace derives reuses as wp_faults - copies, so
# the identity holds by construction; the exact copies (both processes)
# are what tests the derivation there.
trace_vs_pred() {
	_c=$1 _m=$2 _n=$3
	_g() { "$COL" "$_c" "$_m" fork "$1"; }
	check_eq "$_m --trace: child copies = $_n x predicted" \
		"$(($(_g pred_child_cow_copies) * _n))" "$(_g child_cow_copies)"
	check_eq "$_m --trace: parent reuses = $_n x predicted" \
		"$(($(_g pred_parent_cow_reuses) * _n))" "$(_g parent_cow_reuses)"
	check_eq "$_m --trace: parent copies = $_n x (predicted faults - reuses)" \
		"$((($(_g pred_parent_wp_faults) - $(_g pred_parent_cow_reuses)) * _n))" "$(_g parent_cow_copies)"
	for _r in parent child; do
		check_eq "$_m --trace: $_r copies + reuses = write faults" "$(_g ${_r}_wp_faults)" \
			"$(($(_g ${_r}_cow_copies) + $(_g ${_r}_cow_reuses)))"
		# tracepoints: a copy is the fault's one-page flush, counted as both
		[ "$tmode" != tracepoint ] ||
			check_eq "$_m --trace: $_r fault TLB flushes = copies (tracepoint mode)" \
				"$(_g ${_r}_cow_copies)" "$(_g ${_r}_tlb_flush_fault)"
	done
}
tmode=$("$FB" scenario nested -n 1 --warmup 0 --trace --format json 2>"$T_TMP/err" | python3 -c \
	'import json,sys; print(json.load(sys.stdin)["metadata"]["trace_mode"])' 2>>"$T_TMP/err")
case "$tmode" in
tracepoint|kprobe|fentry) pass "metadata names the probe mode ($tmode)" ;;
*) fail "metadata names the probe mode" "'$tmode': $(head -c 300 "$T_TMP/err")" ;;
esac

# heap 16 MiB = 4096 pages; child writes half (2048), parent all after the
# child exits (4096 reuses); 3 iterations -> totals x3.
if "$FB" heap --heap 16M -n 3 --warmup 1 --child-write 0.5 --parent-write 1 --trace \
	--format csv -o "$T_TMP/h.csv" 2>"$T_TMP/err"; then
	m=child50%-sequential-exit
	# every traced counter has its total, parent_ and child_ columns
	missing=$(head -1 "$T_TMP/h.csv" | tr ',' '\n' | sed -n 's/^parent_//p' |
		while read -r c; do
			head -1 "$T_TMP/h.csv" | tr ',' '\n' | grep -qx "child_$c" || printf ' child_%s' "$c"
		done)
	check_eq "heap --trace: a child_ column for each parent_ column" "" "$missing"
	check_eq "heap --trace: child write faults (3 x 2048)" 6144 "$("$COL" "$T_TMP/h.csv" $m fork child_wp_faults)"
	check_eq "heap --trace: parent write faults (3 x 4096)" 12288 "$("$COL" "$T_TMP/h.csv" $m fork parent_wp_faults)"
	# the child copies what it writes, the parent reuses all after the exit
	check_eq "heap --trace: child copies (3 x 2048)" 6144 "$("$COL" "$T_TMP/h.csv" $m fork child_cow_copies)"
	check_eq "heap --trace: child reuses" 0 "$("$COL" "$T_TMP/h.csv" $m fork child_cow_reuses)"
	check_eq "heap --trace: parent copies" 0 "$("$COL" "$T_TMP/h.csv" $m fork parent_cow_copies)"
	check_eq "heap --trace: parent reuses (3 x 4096)" 12288 "$("$COL" "$T_TMP/h.csv" $m fork parent_cow_reuses)"
	trace_vs_pred "$T_TMP/h.csv" $m 3
else
	fail "heap --trace run" "$(cat "$T_TMP/err")"
fi

# Before exit: the parent reuses the 2048 pages the child copied away and
# copies the 2048 the child still maps; 2 iterations.
if "$FB" heap --heap 16M -n 2 --warmup 0 --child-write 0.5 --parent-write 1 --parent-when before-exit \
	--trace --format csv -o "$T_TMP/b.csv" 2>"$T_TMP/err"; then
	m=child50%-sequential-exit
	check_eq "heap before exit --trace: parent copies (2 x 2048)" 4096 "$("$COL" "$T_TMP/b.csv" $m fork parent_cow_copies)"
	check_eq "heap before exit --trace: parent reuses (2 x 2048)" 4096 "$("$COL" "$T_TMP/b.csv" $m fork parent_cow_reuses)"
	trace_vs_pred "$T_TMP/b.csv" $m 2
else
	fail "heap before exit --trace run" "$(cat "$T_TMP/err")"
fi

# nested seed, per process: one write fault each per iteration (2 runs).
if "$FB" nested -n 2 --warmup 0 --trace --format csv -o "$T_TMP/n.csv" 2>"$T_TMP/err"; then
	for p in "A(depth 0)" "B(depth 1)" "C(depth 2)" "D(depth 2)"; do
		check_eq "nested --trace: $p write faults" 2 "$("$COL" "$T_TMP/n.csv" "$p" write wp_faults)"
	done
else
	fail "nested --trace run" "$(cat "$T_TMP/err")"
fi

# Not root: --trace fails with cowtrace's reason, one line, no run.
if command -v setpriv >/dev/null; then
	expect_fail "--trace without privileges" 1 "--trace: .*(root|CAP_BPF)" -- \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$FB" spawn -n 1 --trace
fi
