#!/bin/sh
# analysis/report.py on a run of run-all.sh --vm --icount (instructions, not
# time), from tests/tools/synth-run.py: the same synthetic run twice, timed
# and as an -icount run (metadata clock and virtualization icount, the
# summary's *_ns columns named *_insn):
# - the -icount report says so (its note, the clock row of the machines'
#   table), has the timed report's lines one for one with the same numbers
#   in each, and no ns, µs, ms or "time" left in its text; the timed one
#   has no clock row and says nothing of instructions;
# - the same plots from the same data (the plot data files identical), and
#   no ns, µs, ms or "time" left in any text of the -icount SVGs: the axes
#   say instructions;
# - both runs in one report: a note naming the -icount run, each run's
#   section in its own words, no overlay plot (instructions and times do
#   not compare).
. "$(dirname "$0")/../lib.sh"
A="$FORKLAB_ROOT/analysis"
SYN="$FORKLAB_ROOT/tests/tools/synth-run.py"

need_tools "report icount" gnuplot python3

# report NAME DIR SYNTH-ARGS...: a synthetic run and its report.
report() { synth_report "$SYN" "$@"; }
report "timed run" "$T_TMP/timed"
report "icount run" "$T_TMP/icount" --icount

# A time's words, as a regular expression: never inside a name.
UNITS='(?<![\w@/.-])(ms|µs|ns|[Tt]imes?)(?![\w@/-]|\.\w)'
export UNITS

check_eq "icount run: summary.csv names its columns *_insn" "median_insn ci95_lo_insn" \
	"$(head -n 1 "$T_TMP/icount/summary.csv" | tr ',' '\n' | grep -E '^(median|ci95_lo)_(ns|insn)$' | tr '\n' ' ' | sed 's/ $//')"
check_eq "icount run: the clock row" "| clock | instructions (QEMU -icount shift=0) |" \
	"$(grep '^| clock |' "$T_TMP/icount/report.md")"
check_eq "icount run: the note" 1 "$(grep -c '^\*\*Instructions, not time: a run under QEMU -icount' "$T_TMP/icount/report.md")"
check_eq "timed run: no clock row, no instructions" 0 "$(grep -ci -e '^| clock |' -e instructions "$T_TMP/timed/report.md")"

# The -icount report without its note and clock row against the timed one:
# line for line the same numbers; the timed lines with a time's words are
# many, the -icount lines with one none (the machines' rows aside).
if python3 - "$T_TMP/timed/report.md" "$T_TMP/icount/report.md" >"$T_TMP/cmp" 2>&1 <<'PY'
import os, re, sys
units = re.compile(os.environ["UNITS"])
timed = open(sys.argv[1]).read().splitlines()
ic = open(sys.argv[2]).read().splitlines()
i = ic.index(next(l for l in ic if l.startswith("**Instructions, not time")))
ic = ic[:i] + ic[i + 2:]
ic = [l for l in ic if not l.startswith("| clock |")]
assert len(ic) == len(timed), f"{len(ic)} lines against {len(timed)}"
nums = lambda l: re.findall(r"\d+(?:\.\d+)?", l)
machines = lambda l: re.match(r"\| (virtualization|timings|\|) ", l) or l.startswith("| | ")
worded = changed = 0
for t, c in zip(timed, ic):
    if machines(t):
        continue
    assert nums(t) == nums(c), f"numbers differ: {t!r} vs {c!r}"
    assert not units.search(c), f"a time's word left: {c!r}"
    worded += bool(units.search(t))
    changed += t != c
assert worded >= 5, f"only {worded} timed lines with a time's words"
assert changed == worded, f"{changed} lines changed, {worded} had a time's words"
print(worded)
PY
then
	pass "icount run: report.md, line for line the timed one's numbers, $(cat "$T_TMP/cmp") lines in instructions, no time's word left"
else
	fail "icount run: report.md, line for line the timed one's numbers in instructions" "$(tail -n 1 "$T_TMP/cmp")"
fi

check_eq "icount run: the timed run's plots" "$(cd "$T_TMP/timed/plots" && ls ./*.svg)" \
	"$(cd "$T_TMP/icount/plots" && ls ./*.svg)"
check_eq "icount run: the plots' data files are the timed run's" "" \
	"$(diff -r "$T_TMP/timed/plots/data" "$T_TMP/icount/plots/data" 2>&1 | head -n 3)"
# svg_texts SVG: the text elements of a plot, one per line.
svg_texts() {
	python3 -c 'import html, re, sys
for m in re.findall(r"<text[^>]*>(.*?)</text>", open(sys.argv[1]).read(), re.S):
    print(html.unescape(re.sub(r"<[^>]+>", "", m)).strip())' "$1"
}
for p in "$T_TMP"/icount/plots/*.svg; do
	b=$(basename "$p" .svg)
	check_eq "icount run: $b.svg has no time's word" "" "$(svg_texts "$p" | grep -P "$UNITS" | head -n 2)"
done
check_ge "timed run: its SVGs' texts with a time's word" \
	"$(for p in "$T_TMP"/timed/plots/*.svg; do svg_texts "$p"; done | grep -cP "$UNITS")" 8
check_eq "icount run: pages.svg's axis" "instructions per 4 KiB page (log scale)" \
	"$(svg_texts "$T_TMP/icount/plots/pages.svg" | grep -m1 'per 4 KiB page (log')"
check_eq "icount run: modes.svg's axis" "fork() instructions (millions)" \
	"$(svg_texts "$T_TMP/icount/plots/modes.svg" | grep -m1 '^fork() [a-z]* (')"

# Both in one report.
if "$A/report.py" "$T_TMP/timed" "$T_TMP/icount" --out "$T_TMP/both" >"$T_TMP/out" 2>&1; then
	pass "timed and icount runs: one report"
else
	fail "timed and icount runs: one report" "$(tail -n 1 "$T_TMP/out")"
fi
check_eq "timed and icount runs: the note names the icount run" 1 \
	"$(grep -c '^\*\*synth 6.12.117-forklab: instructions, not time (QEMU -icount)' "$T_TMP/both/report.md")"
# the headlines: the first run's in ms, the second's in M instructions
check_eq "timed and icount runs: each run's fork headline in its words" \
	"ms (median; 95 % CI|M instructions (median; 95 % CI" \
	"$(sed -n 's/^- fork() of a parent .* takes [0-9.]* \(ms\|M instructions\) (median; 95 % CI.*/\1 (median; 95 % CI/p' "$T_TMP/both/report.md" | paste -sd '|')"
check_eq "timed and icount runs: no overlay plot" "" "$(ls "$T_TMP/both/plots-overlay/"*.svg 2>/dev/null)"
check_ge "timed and icount runs: each overlay says why not" \
	"$(grep -c '^- No .* plot: a QEMU -icount run among them' "$T_TMP/both/report.md")" 1
