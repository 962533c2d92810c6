#!/bin/sh
# analysis/report.py on the fork-cost dimensions (vmas, heap --folio,
# threads cells) and on several runs at once, from synthetic runs
# (tests/tools/synth-dims.py: cell names no matrix uses, known costs):
# - one run, cow only: the vmas, folio and threads plots (PNG, SVG, a PDF
#   page each), "cow only (stock kernel)" in their titles, the cells shown
#   in them and the folio cell in no heap plot, and the three headlines'
#   medians, CIs, n and ratios recomputed here from the summary;
# - three fork modes: one line per mode;
# - a folio size not obtained for the whole heap is flagged;
# - two runs (the second 1.3x slower, another kernel and date): overlay
#   plots of spawn, heap and vmas, one line per run labelled by kernel, host
#   and date, each line's points the medians of its own run; a third run
#   without vmas cells: no vmas overlay, saying why; one run: no overlay.
# - a real run (./run-all.sh) of small vmas, folio and threads cells: the
#   report shows their plots and a headline each with a CI and n (no folio
#   where the machine refuses it: root and mTHP).
. "$(dirname "$0")/../lib.sh"
A="$FORKLAB_ROOT/analysis"
SYN="$FORKLAB_ROOT/tests/tools/synth-dims.py"

need_tools "report dims" gnuplot python3

# plot_ok NAME PNG SVG: a non-trivial PNG and an SVG that parses.
plot_ok() {
	size=$(stat -c %s "$2" 2>/dev/null || echo 0)
	if [ "$size" -gt 20000 ] && [ "$(head -c 4 "$2" | od -An -c | tr -d ' ')" = "211PNG" ] &&
		python3 -c 'import sys, xml.etree.ElementTree as E; assert E.parse(sys.argv[1]).getroot().tag.endswith("svg")' "$3" 2>/dev/null; then
		pass "$1: PNG ($size bytes) and SVG"
	else
		fail "$1: PNG and SVG" "PNG size $size, or the SVG does not parse"
	fi
}

pdf_pages() {
	python3 -c 'import re, sys; d = open(sys.argv[1], "rb").read(); assert d.startswith(b"%PDF"); print(len(re.findall(rb"/Type\s*/Page[^s]", d)))' "$1" 2>/dev/null || echo 0
}

# 1. One run, cow only.
R=$T_TMP/one
"$SYN" "$R"
if "$A/report.py" "$R" >"$T_TMP/out" 2>&1; then
	pass "report.py renders a run with vmas, folio and threads cells"
else
	fail "report.py renders a run with vmas, folio and threads cells" "$(tail -n 1 "$T_TMP/out")"
	exit 0
fi
for p in vmas folio threads; do
	plot_ok "one: $p" "$R/plots/$p.png" "$R/plots/$p.svg"
	check_eq "one: report.md shows the $p plot" 1 "$(grep -c "^!\[$p\.png\](plots/$p\.png)$" "$R/report.md")"
	check_eq "one: $p says cow only (stock kernel)" 1 "$(grep -c 'cow only (stock kernel)' "$R/plots/$p.svg")"
done
check_ge "one: report.pdf has a page per plot and text pages" "$(pdf_pages "$R/report.pdf")" \
	$(($(grep -c '^!\[' "$R/report.md") + 1))
check_eq "one: vmas and folio name their error bars a 95 % CI of the median" 2 \
	"$(cat "$R/plots/vmas.svg" "$R/plots/folio.svg" | grep -c '95 % CI of the median')"
check_eq "one: no line about a plot the run has cells for" "" \
	"$(grep -E '^- No (vmas|folio|threads) plot' "$R/report.md")"
# shellcheck disable=SC2016 # the backquotes are the report's
check_eq "one: each cell shown in its plot, the folio cell in no heap plot" \
	'`maps@cow` vmas|`sizes@cow` folio|`busy@cow` threads|' \
	"$(grep -E '^\| `(maps|sizes|busy)@cow`' "$R/report.md" | awk -F' [|] ' '{ f = $6; sub(/ *[|] *$/, "", f); printf "%s %s|", substr($1, 3), f }')"
check_eq "one: the threads CDF is the sample's (4000 operations, nines of the plotting positions)" \
	"4000 30 3.90309" \
	"$(awk 'NR == 1 { next } /^$/ { exit } { n++; if (n == 1) x = int($1); y = $2 } END { print n, x, y }' "$R/plots/data/threads-1-during.dat")"

# The headlines, recomputed from the summary (3 significant digits).
if python3 - "$R/report.md" "$R/summary.csv" "$R/cells" >"$T_TMP/h" 2>&1 <<'PY'
import csv, glob, os, re, sys
t = open(sys.argv[1]).read()
rows = list(csv.DictReader(open(sys.argv[2])))
N = r"([0-9]+(?:\.[0-9]+)?)"

def near(got, want, what):
    assert abs(float(got) - want) <= 0.006 * abs(want) + 1e-9, f"{what}: report {got}, data {want:.4g}"

def row(**kw):
    r = [r for r in rows if all(r[k] == v for k, v in kw.items())]
    assert len(r) == 1, f"{kw}: {len(r)} rows"
    return r[0]

def est(m, lo, hi, n, r, k, what):
    near(m, float(r["median_ns"]) * k, what + " median")
    near(lo, float(r["ci95_lo_ns"]) * k, what + " CI low")
    near(hi, float(r["ci95_hi_ns"]) * k, what + " CI high")
    assert int(n) == int(r["iterations"]), f"{what}: n {n}, iterations {r['iterations']}"

E = r"%s (?:ms|µs) \(median; 95 %% CI %s–%s (?:ms|µs), n = (\d+)\)" % (N, N, N)
m = re.search(r"fork\(\) with 10000 mappings \(VMAs\) takes %sx as long as with 100 \(cow mode; 95 %% CI %s–%sx, "
              r"bootstrap; %s vs %s\): %s µs per added VMA" % (N, N, N, E, E, N), t)
assert m, "no vmas headline with its CI and n"
g = m.groups()
a, b = row(bench="vmas", method="vmas10000", metric="fork"), row(bench="vmas", method="vmas100", metric="fork")
est(*g[3:7], a, 1e-6, "vmas 10000")
est(*g[7:11], b, 1e-6, "vmas 100")
near(g[0], float(a["median_ns"]) / float(b["median_ns"]), "vmas ratio")
assert float(g[1]) <= float(g[0]) <= float(g[2]), f"vmas ratio {g[0]} outside its CI"
assert 30 < float(g[1]) and float(g[2]) < 40, f"vmas CI [{g[1]}, {g[2]}] away from the planted 10.2/0.3 = 34"
near(g[11], (float(a["median_ns"]) - float(b["median_ns"])) / 9900 / 1e3, "µs per VMA")

m = re.search(r"fork\(\) of a 64 MiB heap in 2 MiB folios takes %sx the time in 4 KiB ones \(cow mode; 95 %% CI "
              r"%s–%sx, bootstrap; %s vs %s\)" % (N, N, N, E, E), t)
assert m, "no folio fork headline with its CI and n"
g = m.groups()
big = row(bench="heap", metric="fork", folio_bytes=str(2 << 20))
small = row(bench="heap", metric="fork", folio_bytes="4096")
est(*g[3:7], big, 1e-6, "fork 2M")
est(*g[7:11], small, 1e-6, "fork 4K")
near(g[0], float(big["median_ns"]) / float(small["median_ns"]), "folio ratio")
assert float(g[1]) <= float(g[0]) <= float(g[2]), f"folio ratio {g[0]} outside its CI"
assert re.search(r"The child's write of 10 % of it in 2 MiB folios takes [0-9.]+x the time in 4 KiB ones", t), \
    "no folio child-write headline"

m = re.search(r"While a 256 MiB parent forks \(fork\(\) %s\), its thread `write-1t` stalls %sx as long as outside "
              r"forks \(cow mode; 95 %% CI %s–%sx, bootstrap\): its longest operation per fork %s vs %s in the gap "
              r"after each fork; p99 of its operations %s µs during forks vs %s ns outside \(n = 4000 and 4000 sampled\)"
              % (E, N, N, N, E, E, N, N), t)
assert m, "no threads headline with its CI and n"
g = m.groups()
est(*g[0:4], row(method="write-1t", metric="fork"), 1e-6, "threads fork")
st, om = row(method="write-1t", metric="stall"), row(method="write-1t", metric="outside_max")
est(*g[7:11], st, 1e-3, "stall")
est(*g[11:15], om, 1e-3, "outside_max")
near(g[4], float(st["median_ns"]) / float(om["median_ns"]), "stall ratio")
assert float(g[5]) <= float(g[4]) <= float(g[6]), "stall ratio outside its CI"
near(g[15], float(row(method="write-1t-during")["p99_ns"]) / 1e3, "p99 during")
near(g[16], float(row(method="write-1t-outside")["p99_ns"]), "p99 outside")
PY
then
	pass "one: vmas, folio and threads headlines: medians, CIs, n and ratios are the data's"
else
	fail "one: vmas, folio and threads headlines: medians, CIs, n and ratios are the data's" "$(tail -n 1 "$T_TMP/h")"
fi
check_eq "one: a single run has no overlay" "" "$(ls -d "$R/plots-overlay" 2>/dev/null)"

# 2. Three fork modes: one line per mode, no "cow only".
M=$T_TMP/modes
"$SYN" "$M" --modes cow,stack,eager
"$A/report.py" "$M" >/dev/null 2>&1
for p in vmas-cow vmas-stack vmas-eager folio-fork-eager folio-child_write-stack; do
	check_eq "modes: plots/data/$p.dat has the mode's points" 3 \
		"$(grep -vc '^#' "$M/plots/data/$p.dat" 2>/dev/null | awk '{ print ($1 >= 3) ? 3 : $1 }')"
done
check_eq "modes: no plot says cow only" 0 "$(cat "$M/plots/vmas.svg" "$M/plots/folio.svg" "$M/plots/threads.svg" | grep -c 'cow only')"
check_eq "modes: three vmas headlines, one per mode" 3 "$(grep -c '^- fork() with 10000 mappings' "$M/report.md")"

# 3. A folio size obtained for half the heap is flagged.
F=$T_TMP/flag
"$SYN" "$F"
sed -i 's/^\(sizes@cow,heap,child10%-sequential-exit-folio64K,.*,65536,\)1,/\10.5,/' "$F/summary.csv"
check_eq "flag: the fixture's 64K rows now at folio_fraction 0.5" 4 "$(grep -c ',65536,0.5,' "$F/summary.csv")"
"$A/report.py" "$F" >/dev/null 2>&1
# shellcheck disable=SC2016 # the backquotes are the report's
check_eq "flag: the folio size not obtained is named" \
	'- `sizes@cow` asked for folio sizes and got less: 64 KiB (cow): 50 % of the heap in folios of that size (folio_fraction); those times are not all of that size.' \
	"$(grep 'asked for folio sizes' "$F/report.md")"
check_eq "one: folios obtained: no flag" "" "$(grep 'asked for folio sizes' "$R/report.md")"

# 4. Two runs on the same axes.
B=$T_TMP/slower
"$SYN" "$B" --scale 1.3 --kernel 6.12.117-forklab --date 2026-12-05T09:30:00Z
O=$T_TMP/both
if "$A/report.py" "$R" "$B" --out "$O" >"$T_TMP/out" 2>&1; then
	pass "two runs: report.py renders them"
else
	fail "two runs: report.py renders them" "$(tail -n 1 "$T_TMP/out")"
fi
for p in overlay-spawn overlay-heap overlay-vmas; do
	plot_ok "two runs: $p" "$O/plots-overlay/$p.png" "$O/plots-overlay/$p.svg"
	check_eq "two runs: report.md shows $p" 1 "$(grep -c "^!\[$p\.png\](plots-overlay/$p\.png)$" "$O/report.md")"
	check_eq "two runs: $p labels its lines by kernel, host and date" 2 \
		"$(grep -c -e '6\.18\.44-synth on synth, 2026-12-01 00:00' -e '6\.12\.117-forklab on synth, 2026-12-05 09:30' "$O/plots-overlay/$p.svg")"
done
check_eq "two runs: the section" 1 "$(grep -c '^## Runs compared$' "$O/report.md")"
# Each line's points are its own run's medians: run 1 the first, run 2 the second.
if python3 - "$O/plots-overlay/data" "$R/summary.csv" "$B/summary.csv" >"$T_TMP/h" 2>&1 <<'PY'
import csv, sys
d = sys.argv[1]
for j, f in enumerate(sys.argv[2:], 1):
    rows = list(csv.DictReader(open(f)))
    want = {float(r["vmas"]): float(r["median_ns"]) / 1e6 for r in rows if r["bench"] == "vmas" and r["metric"] == "fork"}
    got = {float(l.split()[0]): float(l.split()[1]) for l in open(f"{d}/overlay-vmas-1-{j}.dat") if not l.startswith("#")}
    assert got.keys() == want.keys(), f"run {j}: VMA counts {sorted(got)} vs {sorted(want)}"
    for n in want:
        assert abs(got[n] - want[n]) <= 1e-5 * want[n], f"run {j} at {n} VMAs: {got[n]} vs {want[n]}"
    want = {float(r["heap_bytes"]) / 2**20 or 0.25: float(r["median_ns"]) / 1e3 for r in rows
            if r["bench"] == "spawn" and r["method"] == "posix_spawn" and r["metric"] == "start"}
    got = {float(l.split()[0]): float(l.split()[1]) for l in open(f"{d}/overlay-spawn-3-{j}.dat") if not l.startswith("#")}
    assert got.keys() == want.keys() and all(abs(got[h] - want[h]) <= 1e-5 * want[h] for h in want), \
        f"run {j}: posix_spawn (the third panel) {got} vs {want}"
    fork = {float(r["heap_bytes"]) / 2**20: float(r["median_ns"]) / 1e6 for r in rows
            if r["bench"] == "heap" and r["metric"] == "fork" and not r["folio_bytes"]}
    got = {float(l.split()[0]): float(l.split()[1]) for l in open(f"{d}/overlay-heap-1-{j}.dat") if not l.startswith("#")}
    assert got.keys() == fork.keys() and all(abs(got[h] - fork[h]) <= 1e-5 * fork[h] for h in fork), \
        f"run {j}: heap fork {got} vs {fork}"
PY
then
	pass "two runs: each overlay line holds its own run's medians"
else
	fail "two runs: each overlay line holds its own run's medians" "$(tail -n 1 "$T_TMP/h")"
fi
check_ge "two runs: report.pdf has the overlay pages too" "$(pdf_pages "$O/report.pdf")" \
	$(($(grep -c '^!\[' "$O/report.md") + 1))

# A third run without vmas cells: spawn and heap overlaid, vmas not.
C=$T_TMP/novmas
"$SYN" "$C" --no-vmas --date 2026-12-06T10:00:00Z
"$A/report.py" "$R" "$B" "$C" --out "$T_TMP/three" >/dev/null 2>&1
check_eq "three runs: three lines in the spawn overlay" 3 "$(find "$T_TMP/three/plots-overlay/data" -name 'overlay-spawn-1-*.dat' | wc -l)"
check_eq "three runs: no vmas overlay, saying why" \
	"- No overlay-vmas plot: no vmas cells in one fork mode in every run." \
	"$(grep '^- No overlay' "$T_TMP/three/report.md")"
check_eq "three runs: no vmas overlay file" "" "$(ls "$T_TMP/three/plots-overlay/overlay-vmas.png" 2>/dev/null)"

# 5. A real run of small vmas, folio and threads cells (./run-all.sh): the
#    report names the plots and has the headline lines.  The folio cell
#    needs root and mTHP; where it is refused, no folio plot nor headline.
if [ ! -x "$FORKLAB_BUILD/forkbench" ]; then
	skip "real run: the report of vmas, folio and threads cells" "no $FORKLAB_BUILD/forkbench (make)"
	exit 0
fi
cat >"$T_TMP/dims.conf" <<'CONF'
cell-modes vmas    vmas --vmas 100,2000 -n 6 --warmup 1
cell-modes folio   heap --heap 16M --folio 4K,2M --child-write 0.1 -n 6 --warmup 1
cell-modes threads threads --heap 64M --threads 1 --thread-work write --cpu 0 -n 6 --warmup 1
CONF
W=$T_TMP/real
if "$FORKLAB_ROOT/run-all.sh" --config "$T_TMP/dims.conf" --out "$W" >"$T_TMP/out" 2>&1; then
	pass "real run: run-all.sh with vmas, folio and threads cells"
else
	fail "real run: run-all.sh with vmas, folio and threads cells" "$(tail -n 2 "$T_TMP/out")"
	exit 0
fi
want="vmas threads"
heads="- fork() with 2000 mappings (VMAs) takes |- While a 64 MiB parent forks (fork() "
if grep -q '^folio' "$W/refused.txt" 2>/dev/null; then
	check_eq "real run: the refused folio cell has no plot" "" "$(ls "$W/plots/folio.png" 2>/dev/null)"
else
	want="vmas folio threads" heads="$heads|- fork() of a 16 MiB heap in 2 MiB folios takes "
fi
for p in $want; do
	check_eq "real run: report.md shows the $p plot" 1 "$(grep -c "^!\[$p\.png\](plots/$p\.png)$" "$W/report.md")"
	plot_ok "real run: $p" "$W/plots/$p.png" "$W/plots/$p.svg"
done
echo "$heads" | tr '|' '\n' >"$T_TMP/heads"
check_eq "real run: a headline each, with a CI and n" "$(echo "$want" | wc -w)" \
	"$(grep -F -f "$T_TMP/heads" "$W/report.md" | grep -c '95 % CI .*n = 6')"
