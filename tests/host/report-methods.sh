#!/bin/sh
# analysis/report.py takes the spawn methods from the run (its method
# column), not from a list of its own: a method forkbench gains is plotted
# with no edit to report.py, and a method the run lacks is not.  The
# fixture run-a with posix_spawn renamed to a method report.py has never
# heard of and vfork_exec left out.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
A="$FORKLAB_ROOT/analysis"
FIX="$FORKLAB_ROOT/tests/fixtures"

need_tools "report methods" gnuplot python3

R=$T_TMP/run
cp -r "$FIX/run-a" "$R"
for f in "$R/summary.csv" "$R"/cells/spawn-4k*.samples.csv; do
	sed -e '/^[^,]*,spawn,vfork_exec,/d' -e 's/^\([^,]*\),spawn,posix_spawn,/\1,spawn,clone3_exec,/' \
		-e '/^spawn,vfork_exec,/d' -e 's/^spawn,posix_spawn,/spawn,clone3_exec,/' "$f" >"$f.new" &&
		mv "$f.new" "$f"
done
gone=$(cat "$R/summary.csv" "$R"/cells/spawn-4k*.samples.csv | grep -c '\(^\|,\)\(posix_spawn\|vfork_exec\),')
check_eq "fixture: no posix_spawn or vfork_exec row left" 0 "$gone"
check_ge "fixture: clone3_exec rows" "$(grep -c ',clone3_exec,' "$R/summary.csv")" 1

if "$A/report.py" "$R" >"$T_TMP/out" 2>&1; then
	pass "report.py renders a run with a new method"
else
	fail "report.py renders a run with a new method" "$(tail -n 3 "$T_TMP/out")"
	exit 0
fi
D=$R/plots/data
for f in spawn-never-clone3_exec spawn-always-clone3_exec cdf-1-clone3_exec cdf-2-clone3_exec; do
	n=$(grep -vc '^#' "$D/$f.dat" 2>/dev/null || echo 0)
	check_ge "the new method is plotted: $f.dat has points" "$n" 1
done
lacking=$(cd "$D" && echo ./*-vfork_exec.dat ./*-posix_spawn.dat)
check_eq "a method the run lacks is not plotted" "./*-vfork_exec.dat ./*-posix_spawn.dat" "$lacking"
# Their order is the run's: fork_exit, fork_exec, clone3_exec, clone_vfork_exec.
check_eq "the methods in the run's order" "fork_exit fork_exec clone3_exec clone_vfork_exec" \
	"$(python3 -c 'import csv,sys
seen = []
for r in csv.DictReader(open(sys.argv[1])):
    if r["bench"] == "spawn" and r["metric"] == "start" and r["method"] not in seen:
        seen.append(r["method"])
print(" ".join(seen))' "$R/summary.csv")"
