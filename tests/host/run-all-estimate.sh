#!/bin/bash
# run-all.sh's estimates and run.log, on a small matrix of quick.conf's
# kinds of cells (spawn, heap, a scenario): --dry-run's total within 2x
# of the real time (or 8 s: per-cell estimates are whole seconds, at
# least 1) and every progress line's "about S s left" within 2x of the
# real time left (or 5 s of it, for what is left near the end); run.log holds every progress line,
# each cell's time, forkbench's warnings, the refusal and run-all.sh's
# warnings (docs/run-all.md, "Estimates").
. "$(dirname "$0")/../lib.sh"
RA="$FORKLAB_ROOT/run-all.sh"
# The sysctls run-all.sh sets for a THP cell live in a fake tree: the
# machine's stay as they are.
fake=$T_TMP/sysfs
mkdir -p "$fake/sys/kernel/mm/transparent_hugepage" "$fake/proc/sys/vm"
echo 'always [madvise] never' >"$fake/sys/kernel/mm/transparent_hugepage/enabled"
export FORKLAB_SYSFS_ROOT=$fake
cat >"$T_TMP/m.conf" <<'CONF'
cell sp spawn --heap 0,16M --thp never -n 10 --warmup 2
cell-modes hp heap --heap 16M --child-write 1 -n 3 --warmup 1
cell-modes ns scenario nested -n 11
cell thp heap --heap 1M --thp always -n 6 --warmup 0
cell huge heap --heap 2T -n 6 --warmup 0
CONF
dry=$("$RA" --config "$T_TMP/m.conf" --dry-run 2>&1 | tail -n 1)
est=$(echo "$dry" | sed -n 's/.* cells, about \([0-9]*\) min \([0-9]*\) s .*/\1 \2/p' | awk '{ print $1 * 60 + $2 }')
t0=$(date +%s)
rc=0
"$RA" --config "$T_TMP/m.conf" --out "$T_TMP/run" >"$T_TMP/out" 2>"$T_TMP/err" || rc=$?
real=$(($(date +%s) - t0))
check_eq "the run exits 0 (a refused cell is no failure)" 0 "$rc"
if [ -z "$est" ]; then
	fail "dry-run estimate" "no total in '$dry'"
# Per-cell estimates are whole seconds, at least 1, so on a quiet
# machine, where these cells take a fraction of a second, each may be
# over by up to 1 s, and the setup and report (modelled as 15 s each at
# the reference) by a few more: 2x, or 1 s per cell + 3 s (8 s here; a
# quiet run: 12 s estimated for 5 s).
elif awk -v e="$est" -v r="$real" 'BEGIN { d = e - r; if (d < 0) d = -d
	exit !((e <= 2 * r && r <= 2 * e) || d <= 8) }'; then
	pass "dry-run estimate $est s within 2x (or 8 s) of the real $real s"
else
	fail "dry-run estimate within 2x (or 8 s)" "estimated $est s, took $real s ($dry)"
fi
# Progress: "[k/N] NAME (E s elapsed, about L s left)"; the end "done in T s"
# (E and T count from the same start).
total=$(sed -n 's/^forklab: done in \([0-9]*\) s.*/\1/p' "$T_TMP/out")
bad=$(sed -n 's/^\[[0-9]*\/[0-9]*\] .*(\([0-9]*\) s elapsed, about \([0-9]*\) s left)$/\1 \2/p' "$T_TMP/out" |
	awk -v t="$total" '{ left = t - $1; l = $2
		if (!(l <= 2 * left && left <= 2 * l) && (l - left > 5 || left - l > 5)) printf "%s s left said at %s s, %s s real; ", l, $1, left }')
n=$(grep -c 'about [0-9]* s left' "$T_TMP/out")
if [ -z "$total" ] || [ "$n" = 0 ]; then
	fail "progress lines" "no 'done in' or no estimate in: $(head -c 300 "$T_TMP/out")"
elif [ -z "$bad" ]; then
	pass "every progress line's time left ($n) within 2x (or 5 s) of the real"
else
	fail "progress lines within 2x of the real time left" "$bad"
fi
log=$T_TMP/run/run.log
check_eq "run.log: every progress line" "$(grep -c '^\[[0-9]*/[0-9]*\] ' "$T_TMP/out")" "$(grep -c '^\[[0-9]*/[0-9]*\] ' "$log")"
check_eq "run.log: each cell's time" 5 "$(grep -c '^      [a-z@]*: [0-9]* s (estimate [0-9]* s), exit [0-9]*$' "$log")"
check_eq "run.log: forkbench's warning" 1 "$(grep -c 'forkbench heap: warning: --thp always: the 1 MiB heap is smaller than a huge page' "$log")"
check_eq "run.log: the refusal" 1 "$(grep -c '^      refused: forkbench heap: .*needs .* but only .* is available' "$log")"
check_eq "run.log: run-all.sh's warning" 1 "$(grep -c '^warning: forklab: 1 cell(s) refused or failed: ' "$log")"
check_eq "run.log: the summary and the end" 2 "$(grep -c '^summary: \|^forklab: done in ' "$log")"
