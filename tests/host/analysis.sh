#!/bin/sh
# analysis/: every gnuplot script renders on a fixture (PNG non-trivial, SVG
# well-formed XML); the report names all six plots and flags the cells
# whose THP fell short or that have no 95 % CI; compare flags the one
# known regression between two fixtures (its bootstrap CI from the samples)
# and nothing between a run and itself.
. "$(dirname "$0")/../lib.sh"
A="$FORKLAB_ROOT/analysis"
FIX="$FORKLAB_ROOT/tests/fixtures"

cp -r "$FIX/run-a" "$T_TMP/run"
if "$A/report.py" "$T_TMP/run" >"$T_TMP/out" 2>&1; then
	pass "report.py renders the fixture"
else
	fail "report.py renders the fixture" "$(cat "$T_TMP/out")"
fi
for p in spawn modes counts cdf throughput crossover; do
	png=$T_TMP/run/plots/$p.png svg=$T_TMP/run/plots/$p.svg
	size=$(stat -c %s "$png" 2>/dev/null || echo 0)
	if [ "$size" -gt 20000 ] && [ "$(head -c 4 "$png" | od -An -c | tr -d ' ')" = "211PNG" ]; then
		pass "$p.png exists and is non-trivial ($size bytes)"
	else
		fail "$p.png exists and is non-trivial" "size $size"
	fi
	if python3 -c 'import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); assert r.tag.endswith("svg")' "$svg" 2>"$T_TMP/x"; then
		pass "$p.svg parses"
	else
		fail "$p.svg parses" "$(tail -n 1 "$T_TMP/x")"
	fi
done
n=$(grep -c '^!\[' "$T_TMP/run/report.md")
check_eq "report.md shows six plots" 6 "$n"
if grep -q 'ms per GiB' "$T_TMP/run/report.md" && grep -q 'per COW fault' "$T_TMP/run/report.md" &&
	grep -q 'as long as posix_spawn' "$T_TMP/run/report.md"; then
	pass "report.md has the headline numbers"
else
	fail "report.md has the headline numbers" "$(grep '^- ' "$T_TMP/run/report.md")"
fi
# The headline numbers are the fixture's (its medians, worked out by hand
# from tests/fixtures/run-a) and agree with each other: per GiB = the fork
# time x 1024 / heap MiB, the ratio = fork+exec / posix_spawn.
if python3 - "$T_TMP/run/report.md" >"$T_TMP/h" 2>&1 <<'PY'
import re, sys
t = open(sys.argv[1]).read()
num = r"([0-9]+(?:\.[0-9]+)?)"
m = re.search(r"touched %s MiB heap .* takes %s ms \(median\): %s ms per GiB" % (num, num, num), t)
c = re.search(r"pays %s µs per COW fault" % num, t)
r = re.search(r"takes %sx as long as posix_spawn to start the new program \(%s µs vs %s µs" % (num, num, num), t)
assert m and c and r, "a headline number is not a number (nan, inf or missing)"
mib, ms, gib = map(float, m.groups())
assert (mib, ms, gib) == (256, 21.1, 84.3), "fork of the fixture's 256 MiB: %s" % (m.groups(),)
assert abs(ms * 1024 / mib - gib) <= 0.15, "per GiB %s is not %s ms x 1024 / %s MiB" % (gib, ms, mib)
assert float(c.group(1)) == 6.45, "per COW fault %s, the fixture's median is 6.45" % c.group(1)
x, a, b = map(float, r.groups())
assert (a, b) == (77961, 472), "fork+exec vs posix_spawn %s" % (r.groups(),)
assert abs(a / b - x) <= 0.05, "ratio %s is not %s / %s" % (x, a, b)
PY
then
	pass "report.md's headline numbers are the fixture's and agree with each other"
else
	fail "report.md's headline numbers are the fixture's and agree with each other" "$(tail -n 1 "$T_TMP/h")"
fi
if grep -q 'src="data:image/png;base64,' "$T_TMP/run/report.html" && ! grep -q 'src="plots/' "$T_TMP/run/report.html"; then
	pass "report.html is self-contained"
else
	fail "report.html is self-contained" "images not embedded"
fi

# Two runs merged into one report.
mkdir -p "$T_TMP/merged"
if "$A/report.py" "$FIX/run-a" "$FIX/run-b" --out "$T_TMP/merged" >"$T_TMP/out" 2>&1 &&
	[ -f "$T_TMP/merged/plots-2/spawn.png" ]; then
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
