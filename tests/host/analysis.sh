#!/bin/sh
# analysis/: the report on four runs, each checked against its own data.
# - run-a (tests/fixtures: a stock kernel, cow only, a summary from before
#   ci_level): the plots it has data for (PNG non-trivial, SVG well-formed,
#   a PDF page each), none of the plots that need more fork modes, "cow only
#   (stock kernel)"; its headline numbers and their CIs and n are the
#   summary's, recomputed here.
# - the same run with every cell renamed: the same plots and headline.
# - a synthetic run (tests/tools/synth-run.py: names no matrix uses, three
#   fork modes, known costs): all six plots, every cell shown, the crossover
#   where the planted costs put it, inside its bootstrap CI.
# - the TCG reference run: no headline or plot derived from times, the count
#   headline equal to the counts recounted here, a planted miscount named.
# Then the THP and no-CI flags, several runs in one report, and compare.
. "$(dirname "$0")/../lib.sh"
A="$FORKLAB_ROOT/analysis"
FIX="$FORKLAB_ROOT/tests/fixtures"
TCG="$FORKLAB_ROOT/results/reference/patched-6.12-qemu"

# plots_are NAME RUN "KEY..." "ABSENT...": RUN/plots has a PNG and an SVG of
# each KEY, report.md shows exactly those, RUN/report.pdf has a page each
# and more, and no ABSENT plot exists.
plots_are() {
	_run=$2
	for p in $3; do
		png=$_run/plots/$p.png svg=$_run/plots/$p.svg
		size=$(stat -c %s "$png" 2>/dev/null || echo 0)
		if [ "$size" -gt 20000 ] && [ "$(head -c 4 "$png" | od -An -c | tr -d ' ')" = "211PNG" ]; then
			pass "$1: $p.png exists and is non-trivial ($size bytes)"
		else
			fail "$1: $p.png exists and is non-trivial" "size $size"
		fi
		if python3 -c 'import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); assert r.tag.endswith("svg")' "$svg" 2>"$T_TMP/x"; then
			pass "$1: $p.svg parses"
		else
			fail "$1: $p.svg parses" "$(tail -n 1 "$T_TMP/x")"
		fi
	done
	for p in $4; do
		check_eq "$1: no $p plot" "" "$(ls "$_run/plots/$p.png" "$_run/plots/$p.svg" 2>/dev/null)"
	done
	check_eq "$1: report.md shows exactly the plots drawn" \
		"$(echo "$3" | tr ' ' '\n' | sort | tr '\n' ' ')" \
		"$(sed -n 's/^!\[\([a-z]*\)\.png\](plots\/\1\.png)$/\1/p' "$_run/report.md" | sort | tr '\n' ' ')"
	pages=$(python3 -c 'import re, sys; d = open(sys.argv[1], "rb").read(); assert d.startswith(b"%PDF"); print(len(re.findall(rb"/Type\s*/Page[^s]", d)))' "$_run/report.pdf" 2>/dev/null || echo 0)
	check_ge "$1: report.pdf has a page per plot and text pages" "$pages" $(($(echo "$3" | wc -w) + 1))
}

# headline_is NAME REPORT.md SUMMARY.csv: the fork, COW fault and spawn
# headline numbers equal the summary's medians, CIs and n (ci95_lo/hi: by
# forkbench's rule of the run), recomputed here from the rows of the cells
# that measured them (found by their parameters), to the 3 significant
# digits printed; the per-GiB and ratio figures agree with them.
headline_is() {
	if python3 - "$2" "$3" >"$T_TMP/h" 2>&1 <<'PY'
import csv, re, sys
t = open(sys.argv[1]).read()
rows = list(csv.DictReader(open(sys.argv[2])))
N = r"([0-9]+(?:\.[0-9]+)?)"

def near(got, want, what):
    assert abs(float(got) - want) <= 0.006 * abs(want) + 1e-9, f"{what}: report {got}, data {want:.4g}"

heap = [r for r in rows if r["bench"] == "heap" and r["thp"] == "never" and r["fork_mode"] == "cow"
        and r["child_write_fraction"] == "1" and r["parent_write_fraction"] in ("0", "")
        and not r.get("child_wp_faults")]
size = max(float(r["heap_bytes"]) for r in heap)
big = {r["metric"]: r for r in heap if float(r["heap_bytes"]) == size}
m = re.search(r"touched %s MiB heap \(4 KiB pages, cow mode\) takes %s ms \(median; 95 %% CI %s–%s ms[^,]*, "
              r"n = (\d+)\): %s ms per GiB \(95 %% CI %s–%s ms per GiB" % ((N,) * 4 + (N,) * 3), t)
assert m, "no fork headline with a CI and n"
mib, ms, lo, hi, n, gib, glo, ghi = m.groups()
f = big["fork"]
assert float(mib) == size / 2**20, f"heap {mib} MiB, the largest is {size / 2**20}"
near(ms, float(f["median_ns"]) / 1e6, "fork median")
near(lo, float(f["ci95_lo_ns"]) / 1e6, "fork CI low")
near(hi, float(f["ci95_hi_ns"]) / 1e6, "fork CI high")
assert int(n) == int(f["iterations"]), f"n {n}, iterations {f['iterations']}"
per = 2**30 / size
near(gib, float(f["median_ns"]) / 1e6 * per, "per GiB")
near(glo, float(f["ci95_lo_ns"]) / 1e6 * per, "per GiB CI low")
near(ghi, float(f["ci95_hi_ns"]) / 1e6 * per, "per GiB CI high")
m = re.search(r"pays %s µs per page, a COW fault each \(median; 95 %% CI %s–%s µs[^,]*, n = (\d+)\), "
              r"against %s µs per page for a memcpy" % (N, N, N, N), t)
assert m, "no COW fault headline with a CI and n"
pages = size / 4096
cw = big["child_write"]
near(m.group(1), float(cw["median_ns"]) / pages / 1e3, "COW fault per page")
near(m.group(2), float(cw["ci95_lo_ns"]) / pages / 1e3, "COW fault CI low")
near(m.group(3), float(cw["ci95_hi_ns"]) / pages / 1e3, "COW fault CI high")
near(m.group(5), float(big["memcpy"]["median_ns"]) / pages / 1e3, "memcpy per page")
st = [r for r in rows if r["bench"] == "spawn" and r["metric"] == "start" and r["thp"] == "never"]
h = max(float(r["heap_bytes"]) for r in st)
fe = [r for r in st if r["method"] == "fork_exec" and float(r["heap_bytes"]) == h][0]
ps = [r for r in st if r["method"] == "posix_spawn" and float(r["heap_bytes"]) == h][0]
m = re.search(r"fork\+exec takes %sx as long as posix_spawn to start the new program \(95 %% CI %s–%sx, "
              r"bootstrap; %s µs \(median; [^)]*n = (\d+)\) vs %s µs \(median; [^)]*n = (\d+)\)" % ((N,) * 4 + (N,)), t)
assert m, "no spawn ratio headline with a CI and n"
x, lo, hi, a, na, b, nb = m.groups()
near(a, float(fe["median_ns"]) / 1e3, "fork+exec median")
near(b, float(ps["median_ns"]) / 1e3, "posix_spawn median")
near(x, float(fe["median_ns"]) / float(ps["median_ns"]), "ratio")
assert float(lo) <= float(x) <= float(hi), f"ratio {x} outside its CI [{lo}, {hi}]"
assert (int(na), int(nb)) == (int(fe["iterations"]), int(ps["iterations"])), "n of the ratio"
PY
	then
		pass "$1: headline numbers, CIs and n are the data's"
	else
		fail "$1: headline numbers, CIs and n are the data's" "$(tail -n 1 "$T_TMP/h")"
	fi
}

# 1. run-a: a stock kernel, cow only.
cp -r "$FIX/run-a" "$T_TMP/run"
if "$A/report.py" "$T_TMP/run" >"$T_TMP/out" 2>&1; then
	pass "report.py renders the fixture"
else
	fail "report.py renders the fixture" "$(cat "$T_TMP/out")"
fi
plots_are run-a "$T_TMP/run" "spawn counts cdf pages fraction" "modes crossover"
check_eq "run-a: one mode said so" "Fork modes measured: cow only (stock kernel)." \
	"$(grep '^Fork modes measured' "$T_TMP/run/report.md")"
check_eq "run-a: the per-mode plots left out, saying why" \
	"- No modes plot: cow only (stock kernel): the plot compares fork modes." \
	"$(grep '^- No .* plot' "$T_TMP/run/report.md")"
headline_is run-a "$T_TMP/run/report.md" "$T_TMP/run/summary.csv"
# Every cell shown: in a plot, the classic questions' table, or (cross-100,
# the same points as heap-4k's 256 MiB) named as drawn from the other cell.
check_eq "run-a: every cell shown" "" \
	"$(grep '^| `' "$T_TMP/run/report.md" | grep 'this table only' | cut -d'|' -f2)"
# shellcheck disable=SC2016 # the backquotes are the report's
check_eq "run-a: cross-100@cow drawn from heap-4k@cow" 1 \
	"$(grep -c '^| `cross-100@cow` | .* | the same points as `heap-4k@cow`, drawn from that cell |$' "$T_TMP/run/report.md")"
check_eq "run-a: the untraced classic questions, faults next to predictions" "| nested-seed@cow | nested:C(depth 2) | 1 (1) | 1 | 0 |" \
	"$(grep '^| nested-seed@cow | nested:C' "$T_TMP/run/report.md")"
# The per-GiB figure (the mutant report-per-gib.sed changes it).
check_eq "run-a: 256 MiB fork 21.1 ms is 84.3 ms per GiB" 1 \
	"$(grep -c 'takes 21.1 ms (median; .*: 84.3 ms per GiB' "$T_TMP/run/report.md")"
if grep -q 'src="data:image/png;base64,' "$T_TMP/run/report.html" && ! grep -q 'src="plots/' "$T_TMP/run/report.html"; then
	pass "report.html is self-contained"
else
	fail "report.html is self-contained" "images not embedded"
fi
# No plot shows p10-p90 any more, and every error bar is named a CI.
for p in spawn pages fraction; do
	if grep -q '95 % CI of the median' "$T_TMP/run/plots/$p.svg" && ! grep -q 'p10' "$T_TMP/run/plots/$p.svg"; then
		pass "run-a: $p names its error bars a 95 % CI of the median"
	else
		fail "run-a: $p names its error bars a 95 % CI of the median" "no such text in $p.svg"
	fi
done

# A report made again over an older one leaves none of its plots behind.
touch "$T_TMP/run/plots/throughput.png" "$T_TMP/run/plots/crossover.svg"
"$A/report.py" "$T_TMP/run" >/dev/null 2>&1
check_eq "run-a again: no plot of an older report left" "" \
	"$(ls "$T_TMP/run/plots/throughput.png" "$T_TMP/run/plots/crossover.svg" 2>/dev/null)"

# 2. The same run, every cell renamed: the report does not read names.
cp -r "$FIX/run-a" "$T_TMP/renamed"
python3 - "$T_TMP/renamed" <<'PY'
import csv, os, sys
d = sys.argv[1]
new = lambda c: "zz-" + c.replace("@", "-at-").replace("-", "x") + ("@" + c.split("@")[1] if "@" in c else "")
rows = list(csv.DictReader(open(os.path.join(d, "summary.csv"))))
for r in rows:
    r["cell"] = new(r["cell"])
w = csv.DictWriter(open(os.path.join(d, "summary.csv"), "w", newline=""), fieldnames=list(rows[0]))
w.writeheader()
w.writerows(rows)
for f in os.listdir(os.path.join(d, "cells")):
    c, rest = f.split(".", 1)
    os.rename(os.path.join(d, "cells", f), os.path.join(d, "cells", new(c) + "." + rest))
PY
"$A/report.py" "$T_TMP/renamed" >/dev/null 2>&1
check_eq "renamed cells: no cell keeps a quick.conf name" 0 \
	"$(cut -d, -f1 "$T_TMP/renamed/summary.csv" | grep -c '^\(spawn\|heap\|cross\|counts\)')"
plots_are renamed "$T_TMP/renamed" "spawn counts cdf pages fraction" "modes crossover"
headline_is renamed "$T_TMP/renamed/report.md" "$T_TMP/renamed/summary.csv"
for f in cdf-1-fork_exec cdf-2-fork_exec spawn-always-posix_spawn cross-cow; do
	check_eq "renamed cells: plots/data/$f.dat as with the quick.conf names" \
		"$(cat "$T_TMP/run/plots/data/$f.dat")" "$(cat "$T_TMP/renamed/plots/data/$f.dat" 2>&1)"
done

# 3. A synthetic run of three fork modes with names no matrix uses.
"$FORKLAB_ROOT/tests/tools/synth-run.py" "$T_TMP/synth"
"$A/report.py" "$T_TMP/synth" >"$T_TMP/out" 2>&1 || fail "report.py renders the synthetic run" "$(cat "$T_TMP/out")"
plots_are synth "$T_TMP/synth" "spawn modes counts cdf pages crossover" "fraction"
check_eq "synth: no plot left out" "" "$(grep '^- No .* plot' "$T_TMP/synth/report.md")"
headline_is synth "$T_TMP/synth/report.md" "$T_TMP/synth/summary.csv"
# Every cell is listed with the plots it feeds; the THP heap cells too.
check_eq "synth: every cell shown in a plot" "" \
	"$(grep '^| `' "$T_TMP/synth/report.md" | grep 'this table only' | cut -d'|' -f2)"
# shellcheck disable=SC2016 # the backquotes are the report's
check_eq "synth: the THP heap cells in the per-page plot" "3" \
	"$(grep -c '^| `big-huge@[a-z]*` | heap | .*thp always.* | pages |$' "$T_TMP/synth/report.md")"
check_eq "synth: cells listed" "$(cut -d, -f1 "$T_TMP/synth/summary.csv" | sed 1d | sort -u | wc -l)" \
	"$(grep -c '^| `' "$T_TMP/synth/report.md")"
# The crossover: interpolated from the summary's medians (on a linear x),
# inside its bootstrap CI, and the planted 37.5 % inside that too.
if python3 - "$T_TMP/synth/report.md" "$T_TMP/synth/summary.csv" >"$T_TMP/h" 2>&1 <<'PY'
import csv, re, sys
t = open(sys.argv[1]).read()
m = re.search(r"eager beats cow above ([0-9.]+) % written \(95 % CI ([0-9.]+)–([0-9.]+) %, bootstrap, n ≥ (\d+)", t)
assert m, "no crossover headline with a CI"
x, lo, hi, n = float(m.group(1)), float(m.group(2)), float(m.group(3)), int(m.group(4))
tot = {}
for r in csv.DictReader(open(sys.argv[2])):
    if r["bench"] == "heap" and r["metric"] == "total" and r["thp"] == "never" and r["heap_bytes"] == str(128 << 20):
        tot[(r["fork_mode"], 100 * float(r["child_write_fraction"]))] = float(r["median_ns"])
xs = sorted(f for m_, f in tot if m_ == "cow")
d = [tot[("eager", f)] - tot[("cow", f)] for f in xs]
i = next(i for i in range(len(d) - 1) if d[i] > 0 >= d[i + 1])
want = xs[i] + (xs[i + 1] - xs[i]) * d[i] / (d[i] - d[i + 1])
assert abs(x - want) < 0.06, f"crossover {x}, the medians give {want:.2f}"
assert lo <= x <= hi and lo <= 37.5 <= hi and hi - lo < 10, f"CI [{lo}, {hi}] of {x}"
assert n == 11, f"n {n}"
PY
then
	pass "synth: the crossover is the medians', inside its CI with the planted 37.5 %"
else
	fail "synth: the crossover is the medians', inside its CI with the planted 37.5 %" "$(tail -n 1 "$T_TMP/h")"
fi
check_eq "synth: the crossover plot's x axis is linear, 0 to 105 %" \
	"1" "$(grep -c 'set xrange \[0:105\]' "$A/crossover.gp")"
# counts: linear bars, a 0 drawn as 0 and a missing count as n/a.
check_eq "synth: counts of eager's child: 0 write faults, n/a eager copies" "0 n/a" \
	"$(awk '/"eager" "child"/ { printf "%s ", $5 }' "$T_TMP/synth/plots/data/counts-1.dat" "$T_TMP/synth/plots/data/counts-6.dat" | sed 's/ $//; s/"//g')"

# 4. The TCG reference run: counts only.
cp -r "$TCG" "$T_TMP/tcg"
rm -rf "$T_TMP/tcg/plots" "$T_TMP/tcg/report."*
"$A/report.py" "$T_TMP/tcg" >/dev/null 2>&1
plots_are tcg "$T_TMP/tcg" "counts" "spawn modes cdf pages crossover fraction"
check_eq "tcg: no headline derived from times (no ms, µs, x or % written)" "" \
	"$(sed -n '/^## forklab-guest/,/^Flagged/p' "$T_TMP/tcg/report.md" | grep '^- ' | grep -E ' (ms|µs)|[0-9]x |% written')"
grep -q 'its times mean nothing (emulated memory copies and faults bear no relation to hardware); only its counts are meaningful' \
	"$T_TMP/tcg/report.md"
check_eq "tcg: the TCG note" 0 $?
# The count headline: every measured count with a prediction, recounted.
recount() {
	python3 - "$1" <<'PY'
import csv, sys
pairs = bad = 0
for r in csv.DictReader(open(sys.argv[1])):
    it = float(r["iterations"])
    if r["bench"] == "heap" and r["metric"] == "fork" and r.get("child_wp_faults"):
        for role in ("parent", "child"):
            pw = float(r[f"pred_{role}_wp_faults"])
            pc = float(r["pred_child_cow_copies"]) if role == "child" else pw - float(r["pred_parent_cow_reuses"])
            pred = {"wp_faults": pw, "cow_copies": pc, "cow_reuses": pw - pc}
            for c, p in pred.items():
                pairs += 1
                bad += float(r[f"{role}_{c}"]) / it != p
    if r["bench"] == "scenario" and r["metric"] == "write" and r.get("wp_faults"):
        for c in ("wp_faults", "cow_copies", "cow_reuses"):
            pairs += 1
            bad += float(r[c]) / it != float(r[f"{r['fork_mode']}_pred_{c}"])
print(f"{pairs - bad} of {pairs}")
PY
}
check_eq "tcg: the count headline is the counts'" "$(recount "$T_TMP/tcg/summary.csv") equal their prediction: every one." \
	"$(sed -n 's/^- Traced counts per iteration (exact under TCG; n = 3 iterations per cell): //p' "$T_TMP/tcg/report.md")"
# One count off (nested-seed@stack, process C, one copy more per iteration).
python3 - "$T_TMP/tcg/summary.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
for r in rows:
    if r["cell"] == "nested-seed@stack" and r["method"].startswith("nested:C") and r["metric"] == "write":
        r["cow_copies"] = str(int(float(r["cow_copies"])) + int(float(r["iterations"])))
w = csv.DictWriter(open(sys.argv[1], "w", newline=""), fieldnames=list(rows[0]))
w.writeheader()
w.writerows(rows)
PY
"$A/report.py" "$T_TMP/tcg" >/dev/null 2>&1
n=$(recount "$T_TMP/tcg/summary.csv")
check_eq "tcg: a count off its prediction is named" \
	"$n equal their prediction; these differ: nested-seed@stack nested:C(depth 2) cow_copies: 2 (predicted 1)." \
	"$(sed -n 's/^- Traced counts per iteration (exact under TCG; n = 3 iterations per cell): //p' "$T_TMP/tcg/report.md")"

# Two runs merged into one report.
mkdir -p "$T_TMP/merged"
if "$A/report.py" "$FIX/run-a" "$T_TMP/synth" --out "$T_TMP/merged" >"$T_TMP/out" 2>&1 &&
	[ -f "$T_TMP/merged/plots-1/spawn.png" ] && [ -f "$T_TMP/merged/plots-2/crossover.png" ] &&
	[ -f "$T_TMP/merged/report.pdf" ]; then
	pass "two runs merge into one report"
else
	fail "two runs merge into one report" "$(cat "$T_TMP/out")"
fi

# Flagged cells: a THP cell that got no huge pages at 16 MiB (its
# thp_fraction 0), and the cells of fewer than 6 iterations (no CI).
cp -r "$FIX/run-a" "$T_TMP/flag"
python3 - "$T_TMP/flag/summary.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
for r in rows:
    full = r["thp"] == "always" and r["heap_bytes"] != "0"
    r["thp_fraction"] = "0" if full and r["cell"] == "spawn-thp" and r["heap_bytes"] == "16777216" else "1" if full else ""
w = csv.DictWriter(open(sys.argv[1], "w", newline=""), fieldnames=list(rows[0]))
w.writeheader()
w.writerows(rows)
PY
"$A/report.py" "$T_TMP/flag" >/dev/null 2>&1
check_eq "report flags the THP cell that got none, only it" \
	"- \`spawn-thp\` asked for THP (\`--thp always\`) and got less: 16 MiB (cow): 0 % of the heap in huge pages (thp_fraction); its times are not those of a THP heap." \
	"$(grep 'asked for THP' "$T_TMP/flag/report.md")"
check_eq "report flags the cells without a 95 % CI" \
	"- No 95 % CI of the median (fewer than 6 iterations): \`counts@cow\`, \`last-sharer@cow\`, \`nested-seed@cow\`, \`parent-writes@cow\`." \
	"$(grep 'No 95 % CI' "$T_TMP/flag/report.md")"
check_eq "a run whose THP cells got it all: no THP flag" "" "$(grep 'asked for THP' "$T_TMP/run/report.md")"

# The CI of the median from the samples of a run made before ci_level
# uses bench/stats.c's ranks (docs/forkbench.md's table).
check_eq "median_ci ranks as bench/stats.c's" \
	"None (1, 6, 0.969) (2, 8, 0.961) (2, 9, 0.979) (3, 10, 0.961) (6, 15, 0.959) (10, 21, 0.957) (14, 27, 0.962) (41, 61, 0.954)" \
	"$(cd "$A" && python3 -c 'from report import median_ci
def f(n):
    r = median_ci(n)
    return "None" if r is None else str((r[0], r[1], round(r[2], 3)))
print(" ".join(f(n) for n in (5, 6, 8, 10, 11, 20, 30, 40, 100)))')"

"$A/compare" "$FIX/run-a" "$FIX/run-b" >"$T_TMP/cmp" 2>&1
check_eq "compare exits 3 on a regression" 3 $?
check_eq "compare flags exactly the known regression" \
	"spawn-4k fork_exec start 1073741824 1.500" \
	"$(awk '/REGRESSION/ { print $1, $2, $3, $5, $9 }' "$T_TMP/cmp")"
"$A/compare" "$FIX/run-a" "$FIX/run-a" >"$T_TMP/cmp2" 2>&1
check_eq "compare of a run with itself: no regression" "0 regressions, 0 improvements" \
	"$(tail -n 1 "$T_TMP/cmp2" | sed 's/ (.*//')"
expect_fail "compare of a non-run" 2 "is not a run folder" -- "$A/compare" "$T_TMP" "$FIX/run-a"
expect_fail "report of a non-run" 1 "is not a run folder" -- "$A/report.py" /nonexistent
