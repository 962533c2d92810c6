#!/bin/sh
# forkbench --trace: cowtrace's counters on every row, summed over the
# row's iterations.  heap/nested/scenario count faults in the heap only, so
# the traced write-protect faults equal the predicted ones exactly.
. "$(dirname "$0")/../lib.sh"
COL="$FORKLAB_ROOT/tests/tools/col.py"

if ! is_root; then
	skip "forkbench --trace" "needs root (BPF)"
	exit 0
fi
if [ "$(cat /proc/sys/vm/fork_copy_mode 2>/dev/null || echo 0)" != 0 ]; then
	skip "forkbench --trace" "expects cow mode"
	exit 0
fi

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
	mode=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["metadata"]["trace_mode"])' \
		/dev/stdin <<JSON
$("$FB" scenario nested -n 1 --warmup 0 --trace --format json)
JSON
)
	case "$mode" in
	tracepoint|kprobe|fentry) pass "metadata names the probe mode ($mode)" ;;
	*) fail "metadata names the probe mode" "'$mode'" ;;
	esac
else
	fail "heap --trace run" "$(cat "$T_TMP/err")"
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
