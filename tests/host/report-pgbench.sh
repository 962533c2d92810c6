#!/bin/sh
# analysis/report.py's pgbench plot and headline, from synthetic runs
# (tests/tools/synth-pgbench.py: pgbench rows at 16 and 256 MiB of
# shared_buffers, known costs):
# - three fork modes, a flat cost: the plot (PNG, SVG), one data file per
#   mode holding the medians and CIs of its connect rows exactly, its
#   caption naming the error bars, every pgbench cell shown in it, and a
#   headline per mode with both sizes' medians, CIs and n, the ratio of
#   the medians and "shared memory keeps fork flat" (its bootstrap CI
#   holds 1);
# - a cost 3x at 256 MiB: the headline says it costs more, never "flat",
#   its ratio's CI above 1;
# - 4 iterations: no CI, no error bars, the caption saying so;
# - a QEMU TCG run: no plot, one line saying why; only traced pgbench
#   rows: no plot, one line saying why; a run without pgbench cells: no
#   plot and no line about it (as redis and pymp).
. "$(dirname "$0")/../lib.sh"
A="$FORKLAB_ROOT/analysis"
SYN="$FORKLAB_ROOT/tests/tools/synth-pgbench.py"

need_tools "report pgbench" gnuplot python3

# report NAME DIR SYNTH-ARGS...: a synthetic run and its report.
report() { synth_report "$SYN" "$@"; }

# dat_ok NAME RUN: each mode's data file holds its connect rows' medians
# and CIs (ms, %.6g), one line per shared_buffers size, nothing else.
dat_ok() {
	python3 - "$2" <<'PY' >"$T_TMP/dat" 2>&1
import csv, glob, os, sys
run = sys.argv[1]
rows = [r for r in csv.DictReader(open(os.path.join(run, "summary.csv")))
        if r["bench"] == "pgbench" and r["method"] == "connect"]
f = lambda v: "NaN" if v == "" else f"{float(v) / 1e6:.6g}"
bad = []
modes = sorted({r["fork_mode"] for r in rows})
for m in modes:
    want = sorted((float(r["heap_bytes"]), f"{float(r['heap_bytes']) / 2**20:.6g} {f(r['median_ns'])} "
                   f"{f(r['ci95_lo_ns'])} {f(r['ci95_hi_ns'])}") for r in rows if r["fork_mode"] == m)
    got = [l for l in open(os.path.join(run, "plots", "data", f"pgbench-{m}.dat")).read().splitlines()
           if not l.startswith("#")]
    if got != [w for _, w in want]:
        bad.append(f"{m}: {got} != {[w for _, w in want]}")
print(f"{len(modes)} modes, {len(rows)} rows" if not bad else "; ".join(bad))
PY
	if grep -q ' modes, ' "$T_TMP/dat"; then
		pass "$1: pgbench-MODE.dat hold the connect rows' medians and CIs ($(cat "$T_TMP/dat"))"
	else
		fail "$1: pgbench-MODE.dat hold the connect rows' medians and CIs" "$(tail -n 2 "$T_TMP/dat")"
	fi
}

# ratio RUN MODE: the ratio of the connect medians, 256 MiB over 16 MiB, 3 digits.
ratio() {
	python3 - "$1" "$2" <<'PY'
import csv, os, sys
sys.path.insert(0, os.path.join(os.environ["FORKLAB_ROOT"], "analysis"))
from report import sig
rows = {float(r["heap_bytes"]): float(r["median_ns"]) for r in csv.DictReader(open(os.path.join(sys.argv[1], "summary.csv")))
        if r["bench"] == "pgbench" and r["method"] == "connect" and r["fork_mode"] == sys.argv[2]}
print(sig(rows[max(rows)] / rows[min(rows)]))
PY
}

headline() { grep "^- A new PostgreSQL connection .*($2 mode)" "$1/report.md"; }

# 1. Three modes, a flat cost.
R=$T_TMP/flat
report "flat" "$R"
size=$(stat -c %s "$R/plots/pgbench.png" 2>/dev/null || echo 0)
check_ge "flat: a pgbench PNG ($size bytes)" "$size" 20000
check_eq "flat: an SVG that parses" 0 "$(python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$R/plots/pgbench.svg" >/dev/null 2>&1; echo $?)"
check_eq "flat: report.md shows the pgbench plot" 1 "$(grep -c '^!\[pgbench\.png\](plots/pgbench\.png)$' "$R/report.md")"
check_eq "flat: its caption names the error bars" 1 \
	"$(grep -c "^### What does a new connection cost? .* (median; error bars: 95 % CI of the median)$" "$R/report.md")"
# shellcheck disable=SC2016 # the backquotes are markdown's
check_eq "flat: every pgbench cell shown in the pgbench plot" 3 "$(grep -c '^| `pg@[a-z]*` | pgbench | .* | pgbench |$' "$R/report.md")"
dat_ok "flat" "$R"
for m in cow stack eager; do
	h=$(headline "$R" $m)
	check_eq "flat: $m: one headline" 1 "$(printf '%s\n' "$h" | grep -c .)"
	check_eq "flat: $m: both sizes' medians with CI and n" 2 \
		"$(printf '%s\n' "$h" | grep -o 'ms (median; 95 % CI [0-9.]*–[0-9.]* ms, n = 11) with [0-9]* MiB' | wc -l)"
	r=$(ratio "$R" $m)
	check_eq "flat: $m: the ratio of the medians ($r) and its CI" 1 \
		"$(printf '%s\n' "$h" | grep -c ": ${r}x at 256 MiB over 16 MiB (95 % CI [0-9.]*–[0-9.]*x, bootstrap): shared memory keeps fork flat\.$")"
	check_eq "flat: $m: the plot's ratio label" 1 "$(grep -c "^\"$m: 256 MiB / 16 MiB = ${r}x (95 % CI [0-9.]*–[0-9.]*x): flat\"$" "$R/plots/data/pgbench-ratio-$m.dat")"
done

# 2. The cost 3x at 256 MiB.
R=$T_TMP/grow
report "grow" "$R" --modes cow,eager --grow 3
dat_ok "grow" "$R"
for m in cow eager; do
	h=$(headline "$R" $m)
	r=$(ratio "$R" $m)
	check_eq "grow: $m: costs more ($r x), its CI above 1, not flat" 1 \
		"$(printf '%s\n' "$h" | grep -c ": ${r}x at 256 MiB over 16 MiB (95 % CI [1-9][0-9.]*–[0-9.]*x, bootstrap): the connection costs more with the larger shared_buffers\.$")"
done
check_eq "grow: no 'flat' anywhere" 0 "$(grep -c 'flat' "$R/report.md")"

# 3. Four iterations: no CI.
R=$T_TMP/few
report "few" "$R" --modes cow -n 4
dat_ok "few" "$R"
check_eq "few: the caption says there are no error bars" 1 \
	"$(grep -c '^### What does a new connection cost? .* (median; no error bars: fewer than 6 iterations)$' "$R/report.md")"
check_eq "few: no CI in the data" 2 "$(grep -c '^[0-9]* [0-9.]* NaN NaN$' "$R/plots/data/pgbench-cow.dat")"
check_eq "few: the headline: CIs n/a, no verdict" 1 \
	"$(headline "$R" cow | grep -c '95 % CI n/a (fewer than 6 iterations), n = 4.*95 % CI n/a: no samples, or fewer than 6): too few samples to tell')"
check_eq "few: the plot's ratio label: no verdict" 1 \
	"$(grep -c '^"cow: 256 MiB / 16 MiB = [0-9.]*x (95 % CI n/a): too few samples to tell"$' "$R/plots/data/pgbench-ratio-cow.dat")"

# 4. Left out, saying why; or, without pgbench cells, not mentioned.
R=$T_TMP/tcg
report "tcg" "$R" --tcg
check_eq "tcg: no pgbench plot, one line why" 1 \
	"$(grep -c '^- No pgbench plot: a QEMU TCG run: its times mean nothing, so no plot of times\.$' "$R/report.md")"
check_eq "tcg: no pgbench PNG" no "$(test -e "$R/plots/pgbench.png" && echo yes || echo no)"
R=$T_TMP/traced
report "traced" "$R" --traced
check_eq "traced: no pgbench plot, one line why" 1 \
	"$(grep -c '^- No pgbench plot: no untraced pgbench connect rows in this run (tracing slows what it measures)\.$' "$R/report.md")"
check_eq "traced: no headline" 0 "$(grep -c 'A new PostgreSQL connection' "$R/report.md")"
R=$T_TMP/none
if "$FORKLAB_ROOT/tests/tools/synth-run.py" "$R" >/dev/null 2>&1 && "$A/report.py" "$R" >"$T_TMP/out" 2>&1; then
	check_eq "none: no pgbench plot and no line about it" 0 "$(grep -ci 'pgbench' "$R/report.md")"
else
	fail "none: report.py renders a run without pgbench cells" "$(tail -n 1 "$T_TMP/out")"
fi
