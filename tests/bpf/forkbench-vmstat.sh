#!/bin/sh
# forkbench's vmstat_ columns: the growth of /proc/vmstat's pgreuse and of
# forklab's counters (lib/fork_mode.h) over each traced window, and with
# --trace its part while cowtrace's counters were read at the window's
# edges (vmstat_edge_), the last columns of the summary (CSV and JSON) and
# the last rows of each iteration in the samples.  Nothing is faked: on this kernel a counter /proc/vmstat
# has is a number, one it lacks (forklab's, on a stock kernel) is empty in
# CSV and null in JSON, never 0.  Without --trace the columns are there only
# where the kernel has forklab's counters, so a stock kernel's untraced
# rows keep their columns.  The reuses of the heap's parent counted by
# cowtrace are at most the kernel's pgreuse growth over the same window
# (system-wide: other processes add theirs).
. "$(dirname "$0")/../lib.sh"
COL="$FORKLAB_ROOT/tests/tools/col.py"
NAMES="pgreuse cow_fault_copy fork_eager_copy fork_eager_fallback fork_stack_copy fork_tlb_flush_skipped fork_copy_threaded"
has_forklab=0
grep -q '^cow_fault_copy ' /proc/vmstat && has_forklab=1

# Untraced: the columns only in forklab's kernel.
if "$FB" heap --heap 1M -n 1 --warmup 0 --format csv -o "$T_TMP/u.csv" 2>"$T_TMP/err"; then
	n=$(head -n 1 "$T_TMP/u.csv" | tr ',' '\n' | grep -c '^vmstat_')
	if [ $has_forklab = 1 ]; then
		check_eq "untraced, forklab's kernel: the 7 vmstat_ columns" 7 "$n"
	else
		check_eq "untraced, kernel without forklab's counters: no vmstat_ column" 0 "$n"
	fi
else
	fail "heap untraced run" "$(head -c 300 "$T_TMP/err")"
fi

need_root_cow "forkbench --trace vmstat_ columns"

want=$(for n in $NAMES; do printf 'vmstat_%s ' "$n"; done; for n in $NAMES; do printf 'vmstat_edge_%s ' "$n"; done)
# The parent writes all of its 16 MiB after the child exits: 4096 reuses
# per iteration, 2 iterations.
m=child50%-sequential-exit
if "$FB" heap --heap 16M -n 2 --warmup 0 --child-write 0.5 --parent-write 1 --trace \
	--format csv -o "$T_TMP/h.csv" --samples "$T_TMP/s.csv" 2>"$T_TMP/err" &&
	"$FB" heap --heap 1M -n 1 --warmup 0 --trace --format json -o "$T_TMP/h.json" 2>>"$T_TMP/err"; then
	hdr=$(head -n 1 "$T_TMP/h.csv" | tr ',' '\n')
	check_eq "--trace: the vmstat_ columns are the last 14, in order" "$want" \
		"$(echo "$hdr" | tail -n 14 | tr '\n' ' ')"
	check_eq "--trace: no vmstat_ column before the last 14" 0 "$(echo "$hdr" | head -n -14 | grep -c '^vmstat_')"
	check_eq "--trace: the traced counters' columns come first (wp_faults before vmstat_pgreuse)" 1 \
		"$(echo "$hdr" | awk '/^wp_faults$/ { w = NR } /^vmstat_pgreuse$/ { print (w && w < NR) }')"
	for v in $NAMES $(for n in $NAMES; do echo "edge_$n"; done); do
		got=$("$COL" "$T_TMP/h.csv" $m fork "vmstat_$v")
		jgot=$(python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print("missing" if sys.argv[2] not in r else "null" if r[sys.argv[2]] is None else "number" if isinstance(r[sys.argv[2]], int) else repr(r[sys.argv[2]]))' \
			"$T_TMP/h.json" "vmstat_$v" 2>&1)
		if grep -q "^${v#edge_} " /proc/vmstat; then
			case $got in '' | *[!0-9]*) fail "--trace: vmstat_$v a count (the kernel has ${v#edge_})" "'$got'" ;;
			*) pass "--trace: vmstat_$v a count (the kernel has ${v#edge_}): $got" ;; esac
			check_eq "--trace JSON: vmstat_$v a number" number "$jgot"
		else
			check_eq "--trace: vmstat_$v empty (the kernel has no ${v#edge_})" "" "$got"
			check_eq "--trace JSON: vmstat_$v null (the kernel has no ${v#edge_})" null "$jgot"
		fi
	done
	reuses=$("$COL" "$T_TMP/h.csv" $m fork parent_cow_reuses)
	check_eq "--trace: the parent's traced reuses (2 x 4096)" 8192 "$reuses"
	check_ge "--trace: vmstat_pgreuse (the kernel's) >= the traced reuses (cowtrace's)" \
		"$("$COL" "$T_TMP/h.csv" $m fork vmstat_pgreuse)" "$reuses"
	check_eq "--samples: 14 vmstat_ rows per iteration (2 iterations)" 28 \
		"$(awk -F, -v m=$m '$2 == m && $7 ~ /^vmstat_/' "$T_TMP/s.csv" | wc -l)"
	check_le "--trace: vmstat_edge_pgreuse <= vmstat_pgreuse" \
		"$("$COL" "$T_TMP/h.csv" $m fork vmstat_edge_pgreuse)" "$("$COL" "$T_TMP/h.csv" $m fork vmstat_pgreuse)"
else
	fail "heap --trace run" "$(head -c 300 "$T_TMP/err")"
fi

# spawn records its parent_minflt and child_minflt after the traced window
# closes: the vmstat_ columns and rows still come after them.
if "$FB" spawn --heap 1M -n 2 --warmup 0 --method fork_exec --trace --format csv -o "$T_TMP/sp.csv" \
	--samples "$T_TMP/sps.csv" 2>"$T_TMP/err"; then
	hdr=$(head -n 1 "$T_TMP/sp.csv" | tr ',' '\n')
	check_eq "spawn --trace: child_minflt (recorded after the window) before the vmstat_ columns" \
		"child_minflt $want" "$(echo "$hdr" | tail -n 15 | tr '\n' ' ')"
	bad=$(awk -F, 'NR > 2 { k = $1 FS $2 FS $6; if ($7 ~ /^vmstat_/) seen[k] = 1; else if (seen[k]) print k ": " $7 }' \
		"$T_TMP/sps.csv" | head -n 3)
	check_eq "spawn --samples: the vmstat_ rows last in each iteration" "" "$bad"
	check_eq "spawn --samples: 14 vmstat_ rows per iteration (2 iterations)" 28 \
		"$(awk -F, '$7 ~ /^vmstat_/' "$T_TMP/sps.csv" | wc -l)"
else
	fail "spawn --trace run" "$(head -c 300 "$T_TMP/err")"
fi
