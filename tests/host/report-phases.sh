#!/bin/sh
# analysis/report.py's fork-phase bars (docs/run-all.md, "Where does fork's
# time go?"): the fixture run-a gains a traced vmas cell whose rows carry
# cowtrace's phase columns (heaps 4 MiB and 64 MiB, 100 and 1000 VMAs,
# values from a guest run); the report draws phases.png with one stacked
# bar per row, each phase in us per fork (the parent's phase_* over its
# phase_forks), in heap then VMA order.  With the columns empty (tracepoint
# mode) no bar and the reason in the report; a run without them (from
# before the phases) no bar and no word of it; under TCG no plot of times.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
A="$FORKLAB_ROOT/analysis"
FIX="$FORKLAB_ROOT/tests/fixtures"

need_tools "report phases" gnuplot python3

# add_cell RUN EMPTY: the vmas cell's four fork rows (and their reap rows)
# appended to RUN's summary.csv; EMPTY=1 leaves the phase fields empty
add_cell() {
	python3 - "$1/summary.csv" "$2" <<'PY'
import csv, sys
path, empty = sys.argv[1], sys.argv[2] == "1"
with open(path, newline="") as f:
    rows = list(csv.DictReader(f))
cols = list(rows[0].keys())
ph = ["phase_fork_ns", "phase_vma_ns", "phase_pgtable_ns", "phase_anon_vma_ns", "phase_tlb_ns",
      "phase_rest_ns", "phase_forks"]
new = [f"parent_{c}" for c in ph] + ["vmas", "wp_faults"]
cols += [c for c in new if c not in cols]
# (heap, vmas): fork phases of 3 forks, ns: vma, pgtable, anon_vma, tlb, rest
got = {(4194304, 100): (18848412, 1579597, 872960, 90162, 1022936),
       (4194304, 1000): (66080679, 14620253, 6422341, 138942, 1110544),
       (67108864, 100): (10011499, 18214574, 741406, 106682, 969947),
       (67108864, 1000): (40742817, 44662146, 24020868, 161575, 1389190)}
base = dict.fromkeys(cols, "")
for (heap, v), p in sorted(got.items(), key=lambda kv: (-kv[0][0], -kv[0][1])):
    for metric in ("fork", "reap"):
        r = dict(base, cell="phases@cow", bench="vmas", method=f"vmas{v}", fork_mode="cow",
                 heap_bytes=str(heap), thp="never", iterations="3", median_ns="1000000",
                 metric=metric, vmas=str(v), wp_faults="0")
        if not empty:
            r.update({f"parent_{c}": str(x) for c, x in zip(ph, (sum(p),) + p + (3,))})
        rows.append(r)
with open(path, "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=cols)
    w.writeheader()
    w.writerows(rows)
PY
}

R=$T_TMP/run
cp -r "$FIX/run-a" "$R"
add_cell "$R" 0
if ! "$A/report.py" "$R" >"$T_TMP/out" 2>&1; then
	fail "report.py renders a run with fork phases" "$(tail -n 3 "$T_TMP/out")"
	exit 0
fi
pass "report.py renders a run with fork phases"
check_ge "phases.png drawn" "$(wc -c <"$R/plots/phases.png" 2>/dev/null || echo 0)" 1000
check_ge "phases.svg drawn" "$(wc -c <"$R/plots/phases.svg" 2>/dev/null || echo 0)" 1000
# one bar per fork row, heap then VMA order, us per fork
want='"heap 4 MiB" "100 VMAs" 6282.8 526.532 290.987 30.054 340.979
"heap 4 MiB" "1000 VMAs" 22026.9 4873.42 2140.78 46.314 370.181
"heap 64 MiB" "100 VMAs" 3337.17 6071.52 247.135 35.5607 323.316
"heap 64 MiB" "1000 VMAs" 13580.9 14887.4 8006.96 53.8583 463.063'
check_eq "phases.dat: a bar per row, us per fork, heap then VMAs" "$want" \
	"$(sed -n '2,$p' "$R/plots/data/phases.dat" | cut -d' ' -f2-)"
if grep -q "Where does fork's time go" "$R/report.md" && grep -q 'plots/phases.png' "$R/report.md"; then
	pass "report.md shows the phase bars"
else
	fail "report.md shows the phase bars" "no caption or no plots/phases.png in report.md"
fi

# the same cell traced in tracepoint mode: the fields empty, no bars
E=$T_TMP/empty
cp -r "$FIX/run-a" "$E"
add_cell "$E" 1
"$A/report.py" "$E" >/dev/null 2>&1
if [ ! -e "$E/plots/phases.png" ] && grep -q '^- No phases plot: no cell traced with the fork phases' "$E/report.md"; then
	pass "phase fields empty (tracepoint mode): no bars, the reason in the report"
else
	fail "phase fields empty (tracepoint mode): no bars, the reason in the report" \
		"$(grep "No phases plot" "$E/report.md")"
fi

# a run without the columns: nothing about phases
N=$T_TMP/none
cp -r "$FIX/run-a" "$N"
"$A/report.py" "$N" >/dev/null 2>&1
if [ ! -e "$N/plots/phases.png" ] && ! grep -q 'phases plot' "$N/report.md"; then
	pass "no phase columns (an older run): no bars and no word of them"
else
	fail "no phase columns (an older run): no bars and no word of them" \
		"$(grep "phases plot" "$N/report.md")"
fi

# under TCG: no plot of times
T=$T_TMP/tcg
cp -r "$R" "$T"
rm -rf "$T/plots" "$T/report."*
sed -i 's/"virtualization": "kvm"/"virtualization": "tcg"/' "$T/metadata.json"
"$A/report.py" "$T" >/dev/null 2>&1
if [ ! -e "$T/plots/phases.png" ] && grep -q '^- No phases plot: a QEMU TCG run: its times mean nothing' "$T/report.md"; then
	pass "TCG run: no phase bars"
else
	fail "TCG run: no phase bars" "$(grep "No phases plot" "$T/report.md")"
fi
