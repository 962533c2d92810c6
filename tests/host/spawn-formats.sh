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
	# Plausible for the method: every child faults (its stack at least);
	# after fork the parent's writable pages are write-protected, so a fork
	# method's parent faults (its stack) and a vfork-like method's parent
	# (which does not share its pages read-only) faults no more than that;
	# per iteration the fork returns, the child starts, then it is reaped.
	if out=$(python3 - "$T_TMP/s.csv" 2>&1 <<'PY'
import csv, sys
rows = list(csv.DictReader(l for l in open(sys.argv[1]) if not l.startswith("#")))
med = {(r["method"], r["heap_bytes"], r["metric"]): float(r["median_ns"]) for r in rows}
pf = {(r["method"], r["heap_bytes"]): int(r["parent_minflt"]) for r in rows}
cf = {(r["method"], r["heap_bytes"]): int(r["child_minflt"]) for r in rows}
bad = []
for (m, h), c in sorted(cf.items()):
    if c < 1:
        bad.append("%s heap %s: child_minflt %d" % (m, h, c))
    if m.startswith("fork_") and pf[m, h] < 1:
        bad.append("%s heap %s: parent_minflt %d after fork" % (m, h, pf[m, h]))
    if not m.startswith("fork_") and pf[m, h] > max(pf["fork_exit", h], pf["fork_exec", h]):
        bad.append("%s heap %s: parent_minflt %d above fork's" % (m, h, pf[m, h]))
    if not med[m, h, "return"] <= med[m, h, "reap"] or not med[m, h, "start"] <= med[m, h, "reap"]:
        bad.append("%s heap %s: medians return %g, start %g, reap %g" %
                   (m, h, med[m, h, "return"], med[m, h, "start"], med[m, h, "reap"]))
print("; ".join(bad))
sys.exit(1 if bad else 0)
PY
); then
		pass "spawn $target: faults and times plausible for each method"
	else
		fail "spawn $target: faults and times plausible for each method" "$out"
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
