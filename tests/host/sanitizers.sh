#!/bin/sh
# User space built with AddressSanitizer and UndefinedBehaviorSanitizer
# (-fno-sanitize-recover: any finding fails): forkbench, cowtrace,
# forklab-matrix and the unit tests.  The unit tests pass, every benchmark
# runs clean on small inputs (with --trace as root), cowtrace counts a
# small tree, and their part of the bad-input table (tests/host/badinput.sh)
# passes against these builds: every error path of the three programs.
. "$(dirname "$0")/../lib.sh"
cd "$FORKLAB_ROOT" || exit 1
B=$T_TMP/asan
SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
units=$(printf '%s\n' tests/unit/*.c | sed "s|tests/unit/\(.*\)\.c|$B/tests/unit/\1|")
# shellcheck disable=SC2086
if ! make -s BUILD="$B" EXTRA_CFLAGS="$SAN" "$B/forkbench" "$B/forkbench-target-static" \
	"$B/forkbench-target-dynamic" "$B/forkbench-spawn-worker" "$B/cowtrace" "$B/forklab-matrix" $units >"$T_TMP/build.log" 2>&1; then
	fail "sanitizer build" "$(grep -m3 -E 'error' "$T_TMP/build.log")"
	exit 1
fi
pass "sanitizer build"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1
for u in $units; do
	if "$u" >"$T_TMP/u.log" 2>&1; then
		pass "$(basename "$u") under ASan/UBSan ($(grep -c PASS "$T_TMP/u.log") checks)"
	else
		fail "$(basename "$u") under ASan/UBSan" "$(grep -m2 -E 'FAIL|ERROR|runtime error' "$T_TMP/u.log")"
	fi
done
run() { # NAME ARGS...: forkbench exits 0 and the sanitizers say nothing
	name=$1; shift
	if "$B/forkbench" "$@" >"$T_TMP/o" 2>"$T_TMP/e" && ! grep -qE 'Sanitizer|runtime error' "$T_TMP/e"; then
		pass "ASan/UBSan: $name"
	else
		fail "ASan/UBSan: $name" "$(grep -m2 -E 'ERROR|runtime error|forkbench' "$T_TMP/e")"
	fi
}
run "spawn" spawn -n 2 --warmup 1 --heap 0,1M --format json --samples "$T_TMP/s.csv" --events perf::PAGE-FAULTS,amd64_k7::RETIRED_INSTRUCTIONS
run "heap" heap --heap 4M -n 2 --child-write 0.5 --pattern random --parent-write 1 --parent-when before-exit --format csv
run "nested" nested --shape tree:2:2 --heap 64K -n 2 --write-order root-first --events perf::PAGE-FAULTS
run "scenarios" scenario last-sharer-reuses -n 2
run "fork-exec" scenario fork-exec -n 3
if is_root; then
	run "--trace" nested -n 2 --trace
fi
"$B/forkbench" spawn --heap 5T >/dev/null 2>"$T_TMP/e"
if [ $? = 2 ] && ! grep -qE 'Sanitizer|runtime error' "$T_TMP/e"; then
	pass "ASan/UBSan: bad input refused cleanly"
else
	fail "ASan/UBSan: bad input refused cleanly" "$(cat "$T_TMP/e")"
fi

# forklab-matrix expands the shipped configs.
for conf in configs/matrix/*.conf; do
	if "$B/forklab-matrix" --modes "cow stack eager" "$conf" >"$T_TMP/o" 2>"$T_TMP/e" &&
		[ -s "$T_TMP/o" ] && [ ! -s "$T_TMP/e" ]; then
		pass "ASan/UBSan: forklab-matrix $(basename "$conf") ($(wc -l <"$T_TMP/o") cells)"
	else
		fail "ASan/UBSan: forklab-matrix $(basename "$conf")" "$(head -c 300 "$T_TMP/e")"
	fi
done

# cowtrace counts a small tree (root: BPF; a load failure where BPF can
# load is a failure, not a skip).
ct_why=$(ct_load_why)
case "$ct_why" in fail:*) fail "ASan/UBSan: cowtrace loads its BPF" "${ct_why#fail: }" ;; esac
if [ -z "$ct_why" ]; then
	if "$B/cowtrace" -f csv -V -o "$T_TMP/ct.csv" -- "$FORKLAB_BUILD/bpf/cowtrace-pages" -m 100 -n 10 \
		>/dev/null 2>"$T_TMP/e" && ! grep -qE 'Sanitizer|runtime error' "$T_TMP/e" &&
		grep -q '^tracepoint,total\|,total,' "$T_TMP/ct.csv"; then
		pass "ASan/UBSan: cowtrace counts a tree"
	else
		fail "ASan/UBSan: cowtrace counts a tree" "$(grep -m2 -E 'ERROR|runtime error|cowtrace' "$T_TMP/e")"
	fi
else
	skip "ASan/UBSan: cowtrace counts a tree" "cowtrace cannot load BPF here (not root or no BPF)"
fi

# Every bad input of the table for these three programs, against the
# sanitizer builds.
chmod 755 "$T_TMP"	# its cases run as nobody too
FORKLAB_BUILD=$B BADINPUT_ONLY="forkbench cowtrace forklab-matrix" \
	"$FORKLAB_ROOT/tests/host/badinput.sh" >"$T_TMP/bad.log" 2>&1
nbad=$(grep -c '^PASS' "$T_TMP/bad.log")
if ! grep -q '^FAIL' "$T_TMP/bad.log" && [ "$nbad" -gt 50 ]; then
	pass "ASan/UBSan: bad-input table ($nbad cases) passes"
else
	fail "ASan/UBSan: bad-input table" "$(grep -m3 '^FAIL' "$T_TMP/bad.log" | cut -c1-300)"
fi
