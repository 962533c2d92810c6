#!/bin/sh
# forkbench spawn: every method runs at small sizes and writes well-formed
# CSV, JSON and samples; the counts it reports are plausible for the method.
. "$(dirname "$0")/../lib.sh"
CHECK="$FORKLAB_ROOT/tests/tools/check_summary.py"
METHODS=fork_exit,fork_exec,vfork_exec,posix_spawn,clone_vfork_exec

for target in static dynamic; do
	if "$FB" spawn --method $METHODS --heap 0,1M --exec-target $target -n 5 --warmup 1 \
		--format csv -o "$T_TMP/s.csv" --samples "$T_TMP/samples.csv" 2>"$T_TMP/err"; then
		pass "spawn $target: all five methods ran"
	else
		fail "spawn $target: all five methods ran" "$(cat "$T_TMP/err")"
		continue
	fi
	# 5 methods x 2 heaps x 3 metrics (return, start, reap)
	if out=$("$CHECK" "$T_TMP/s.csv" --rows 30 --require-columns metric,parent_minflt,child_minflt \
		--nonempty child_minflt,parent_minflt); then
		pass "spawn $target: CSV well formed, 30 rows"
	else
		fail "spawn $target: CSV well formed, 30 rows" "$out"
	fi
	# samples: header line, then 5 x 2 x 5 iterations x 5 metrics = 250 rows
	check_eq "spawn $target: samples marked complete" "# forklab-samples v1 complete" \
		"$(head -n 1 "$T_TMP/samples.csv")"
	check_eq "spawn $target: 250 sample rows" 250 $(($(wc -l <"$T_TMP/samples.csv") - 2))
done

if "$FB" spawn --method $METHODS -n 3 --warmup 0 --format json >"$T_TMP/s.json" 2>"$T_TMP/err"; then
	if out=$("$CHECK" "$T_TMP/s.json" --rows 15); then
		pass "spawn: JSON well formed, 15 rows"
	else
		fail "spawn: JSON well formed, 15 rows" "$out"
	fi
	virt=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); m=d["metadata"]; print(m["virtualization"], m["kernel_release"] != "", d["complete"])' "$T_TMP/s.json")
	case "$virt" in
	*" True True") pass "spawn: JSON carries metadata ($virt)" ;;
	*) fail "spawn: JSON carries metadata" "$virt" ;;
	esac
else
	fail "spawn: JSON run" "$(cat "$T_TMP/err")"
fi

# No temporary file is left beside the outputs.
check_eq "spawn: no .tmp files left" "" "$(find "$T_TMP" -maxdepth 1 -name '*.tmp' -printf '%f\n')"

# Human output names every method.
"$FB" spawn -n 2 --warmup 0 >"$T_TMP/h.txt" 2>&1
n=$(grep -cE '^spawn +(fork_exit|fork_exec|vfork_exec|posix_spawn|clone_vfork_exec) +start' "$T_TMP/h.txt")
check_eq "spawn: human table has a start row per method" 5 "$n"
