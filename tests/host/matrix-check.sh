#!/bin/bash
# A matrix cannot silently go wrong: every cell's arguments go through
# forkbench's own parser (forkbench ARGS --check) before anything runs, in
# a dry run and in a real one.  A broken cell (a bad benchmark name, a size
# without a unit, an unknown option, a bad value) stops run-all.sh with
# exit 2 and one line naming the file, the line and the value; no run
# folder is made and no cell runs.  forkbench --check itself: 0 for a valid
# command (fit to the machine is not judged: that is the run's refusal), 2
# with forkbench's one-line error otherwise.
. "$(dirname "$0")/../lib.sh"
RA="$FORKLAB_ROOT/run-all.sh"
MX="$FORKLAB_BUILD/forklab-matrix"

# forkbench --check
out=$("$FB" heap --heap 64M --child-write 0.5 --check 2>&1)
check_eq "forkbench --check of a valid command: exit 0, one line" \
	"0 forkbench heap: the arguments are valid (nothing was run)" "$? $out"
expect_fail "forkbench --check: a size without a unit" 2 \
	"^forkbench heap: --heap: size '256' has no unit" -- "$FB" heap --heap 256 --check
expect_fail "forkbench --check: an unknown option" 2 \
	"^forkbench spawn: unrecognized option '--bogus'" -- "$FB" spawn --bogus --check
expect_fail "forkbench --check: an unknown benchmark" 2 \
	"^forkbench: unknown benchmark 'spwan'" -- "$FB" spwan --check
# Whether a cell fits is the run's business, not --check's.
"$FB" heap --heap 4T --check >/dev/null 2>&1
check_eq "forkbench --check does not judge the fit (4T heap: valid)" 0 $?
expect_fail "... and the run refuses it" 2 "heap \(parent \+ memcpy buffer \+ copies\) needs" -- \
	"$FB" heap --heap 4T -n 1
"$FB" spawn --fork-mode cow,stack,eager --check >/dev/null 2>&1
check_eq "forkbench --check: every fork mode is valid on any kernel" 0 $?

# Broken matrices: the bad cell on line 3, after a good one and a comment.
broken() {	# NAME CELL-LINE
	printf 'cell good scenario nested -n 6 --warmup 0\n# next: broken\n%s\ncell after spawn -n 6\n' "$2" \
		>"$T_TMP/$1.conf"
}
broken badname 'cell b spwan'
broken nounit 'cell-modes h heap --heap 256 -n 6'
broken badopt 'cell o scenario nested --frobnicate'
broken badval 'cell v spawn --method fork_exit,frok'
while read -r name pattern; do
	conf=$T_TMP/$name.conf
	expect_fail "forklab-matrix --check: $name" 2 "^forklab-matrix: $conf:3: cell $pattern" -- \
		"$MX" --check "$FB" "$conf"
	expect_fail "run-all.sh --dry-run: $name" 2 "^run-all.sh: $conf:3: cell $pattern" -- \
		"$RA" --config "$conf" --dry-run
	expect_fail "run-all.sh: $name, refused before anything runs" 2 "^run-all.sh: $conf:3: cell $pattern" -- \
		"$RA" --config "$conf" --out "$T_TMP/run-$name"
	check_eq "run-all.sh: $name: no run folder, no cell ran" "" "$(ls -d "$T_TMP/run-$name" 2>/dev/null)"
done <<'EOF'
badname b: forkbench: unknown benchmark 'spwan' \(allowed: spawn, heap, nested, scenario, vmas, threads, redis, pymp, pgbench, build, metadata\)$
nounit h@cow: forkbench heap: --heap: size '256' has no unit
badopt o: forkbench scenario: unrecognized option '--frobnicate'
badval v: forkbench spawn: unknown method 'frok'
EOF

# The control: the same matrix with the cell mended checks and lists it.
printf 'cell good scenario nested -n 6\ncell-modes h heap --heap 256M -n 6\n' >"$T_TMP/ok.conf"
if out=$("$MX" --check "$FB" "$T_TMP/ok.conf" 2>&1); then
	check_eq "forklab-matrix --check of a valid matrix: the cells" \
		"good	scenario nested -n 6|h@cow	heap --heap 256M -n 6 --fork-mode cow" "$(echo "$out" | tr '\n' '|' | sed 's/|$//')"
else
	fail "forklab-matrix --check of a valid matrix" "$out"
fi
# Every shipped matrix passes the check (its dry run lists every cell).
for m in quick full vm; do
	if out=$("$MX" --modes "cow stack eager" --check "$FB" "$FORKLAB_ROOT/configs/matrix/$m.conf" 2>&1); then
		pass "configs/matrix/$m.conf: every cell valid ($(echo "$out" | wc -l) cells)"
	else
		fail "configs/matrix/$m.conf: every cell valid" "$out"
	fi
done
expect_fail "forklab-matrix --check with no program" 2 "--check needs the forkbench program" -- \
	"$MX" "$T_TMP/ok.conf" --check
