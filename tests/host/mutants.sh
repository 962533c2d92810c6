#!/bin/sh
# The quick set of planted bugs (tests/mutants/*.sed with "# quick: yes"):
# each is applied to a scratch copy, built, and must fail a test that
# covers its code (tests/tools/mutants.sh; all of them: make test-mutants).
. "$(dirname "$0")/../lib.sh"
"$FORKLAB_ROOT/tests/tools/mutants.sh" --quick >"$T_TMP/out" 2>&1
rc=$?
grep -E '^(PASS|FAIL|SKIP):' "$T_TMP/out"
sum=$(sed -n 's/^# \([0-9]* mutants, [0-9]* killed\)$/\1/p' "$T_TMP/out")
if [ $rc = 0 ] && [ -n "$sum" ]; then
	echo "# quick mutants: $sum"
elif ! grep -q '^FAIL:' "$T_TMP/out"; then
	fail "quick mutants" "mutants.sh exit status $rc: $(tail -n 2 "$T_TMP/out" | tr '\n' ' ')"
fi
