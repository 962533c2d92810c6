#!/bin/sh
# Fuzzing, bounded: the size parser (lib/parse.c) and the matrix config
# parser (bench/matrix.c) under libFuzzer with ASan and UBSan, FUZZ_TEST_SECONDS
# (default 20) each from the checked-in seeds.  A crash, a sanitizer finding
# or a failed property (see tests/fuzz/*.c) fails; the input is kept.
. "$(dirname "$0")/../lib.sh"
cd "$FORKLAB_ROOT" || exit 1
secs=${FUZZ_TEST_SECONDS:-20}
if ! command -v clang >/dev/null; then
	fail "fuzz targets build" "clang not installed (scripts/install-deps.sh)"
	exit 0
fi
if ! make -s BUILD="$FORKLAB_BUILD" fuzz-build >"$T_TMP/build.log" 2>&1; then
	fail "fuzz targets build" "$(grep -m3 -E 'error|cannot find' "$T_TMP/build.log")"
	exit 0
fi
pass "fuzz targets build"
for t in size matrix; do
	mkdir -p "$T_TMP/corpus-$t" "$FORKLAB_BUILD/fuzz"
	"$FORKLAB_BUILD/fuzz/fuzz_$t" -max_total_time="$secs" -max_len=4096 -print_final_stats=1 \
		-artifact_prefix="$FORKLAB_BUILD/fuzz/crash-$t-" \
		"$T_TMP/corpus-$t" "tests/fuzz/corpus/$t" >"$T_TMP/$t.log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$T_TMP/$t.log")
	if [ $rc = 0 ] && [ "${execs:-0}" -gt 1000 ]; then
		pass "fuzz $t parser: $execs inputs in $secs s, no crash, properties hold"
		echo "FIGURE: fuzz-$t-execs $execs inputs given to the $t parser under libFuzzer ($secs s), no failure"
	else
		fail "fuzz $t parser" "exit $rc after ${execs:-?} inputs: $(grep -m2 -E 'property failed|ERROR|runtime error' "$T_TMP/$t.log") (input: $(find "$FORKLAB_BUILD/fuzz" -maxdepth 1 -name "crash-$t-*" 2>/dev/null | head -n 1))"
	fi
done
