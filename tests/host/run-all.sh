#!/bin/bash
# run-all.sh: matrix parsing errors name file and line; --dry-run lists
# cells; an interrupted run resumed with --resume finishes the same cells
# with nothing duplicated and the finished cells untouched.
. "$(dirname "$0")/../lib.sh"
set -m	# job control: the run gets its own process group, as under a terminal
RA="$FORKLAB_ROOT/run-all.sh"

printf 'cell ok spawn -n 1\nbogus x y\n' >"$T_TMP/bad1.conf"
expect_fail "config: unknown keyword with line" 2 "bad1.conf:2: unknown keyword 'bogus'" -- "$RA" --config "$T_TMP/bad1.conf" --dry-run
printf '# c\ncell a spawn -n 1\ncell a spawn -n 2\n' >"$T_TMP/bad2.conf"
expect_fail "config: duplicate cell with line" 2 "bad2.conf:3: cell 'a' defined twice" -- "$RA" --config "$T_TMP/bad2.conf" --dry-run
printf 'cell b@d spawn\n' >"$T_TMP/bad3.conf"
expect_fail "config: bad cell name" 2 "bad3.conf:1: bad cell name 'b@d'" -- "$RA" --config "$T_TMP/bad3.conf" --dry-run
printf 'cell lonely\n' >"$T_TMP/bad4.conf"
expect_fail "config: cell without arguments" 2 "bad4.conf:1: cell 'lonely' has no forkbench arguments" -- "$RA" --config "$T_TMP/bad4.conf" --dry-run
expect_fail "missing config" 2 "config '/nonexistent.conf' not found" -- "$RA" --config /nonexistent.conf
expect_fail "unknown option" 2 "unknown option '--fast'" -- "$RA" --fast
expect_fail "resume of a non-run" 2 "is not a run folder" -- "$RA" --resume "$T_TMP"

n=$("$RA" --dry-run | tail -n 1)
case "$n" in
*" cells, about "*) pass "dry-run of quick.conf: $n" ;;
*) fail "dry-run of quick.conf" "$n" ;;
esac

# Interrupt and resume: cells a, b quick; c slow (interrupted); d after it.
cat >"$T_TMP/m.conf" <<'CONF'
cell a spawn --method fork_exit -n 3 --warmup 0
cell b scenario nested -n 2 --warmup 0
cell c spawn --method fork_exec -n 100000 --warmup 0
cell-modes d scenario last-sharer-reuses -n 2 --warmup 0
CONF
run=$T_TMP/run
"$RA" --config "$T_TMP/m.conf" --out "$run" >"$T_TMP/log1" 2>&1 &
pid=$!
for _ in $(seq 200); do
	grep -q '\[3/' "$T_TMP/log1" && break
	sleep 0.1
done
sleep 1
kill -INT -- -$pid	# Ctrl-C: the whole foreground group
wait $pid
check_eq "interrupted run exits 130" 130 $?
check_eq "finished cells kept, interrupted one absent" "a.csv b.csv" \
	"$(cd "$run/cells" && ls *.csv | grep -v samples | tr '\n' ' ' | sed 's/ $//')"
check_eq "no temporary files left" "" "$(ls "$run/cells" | grep tmp || true)"
before=$(stat -c %Y "$run/cells/a.csv")
sleep 1
if "$RA" --resume "$run" >"$T_TMP/log2" 2>&1; then
	pass "resume finishes"
else
	fail "resume finishes" "$(tail -n 3 "$T_TMP/log2")"
fi
check_eq "resume ran only the missing cells" "c d@cow" \
	"$(grep -o '\] [a-z@]*' "$T_TMP/log2" | sed 's/\] //' | tr '\n' ' ' | sed 's/ $//')"
check_eq "finished cell untouched" "$before" "$(stat -c %Y "$run/cells/a.csv")"
# summary: each cell's rows once (a: 3 metrics; b: 4 write rows + 3 fork
# rows, A has no fork; c: 3; d: A's write + B's fork, B exits unwritten).
cells=$(python3 -c '
import csv, sys, collections
c = collections.Counter(r["cell"] for r in csv.DictReader(open(sys.argv[1])))
print(" ".join(f"{k}={v}" for k, v in sorted(c.items())))' "$run/summary.csv")
check_eq "summary has every cell once" "a=3 b=7 c=3 d@cow=2" "$cells"
