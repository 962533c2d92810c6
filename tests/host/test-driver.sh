#!/bin/bash
# tests/run.sh on fake tier folders (FORKLAB_TESTS, BUILD): every way a run
# can go wrong ends as a failure or a driver error, never as a pass; the
# last line is always "N passed, N failed, N skipped".  Cases: a test that
# prints PASS then exits non-zero, one killed by a signal, one that times
# out, a PASS after a FAIL, no line at all, exit 77 with and without lines,
# a #! file that is not executable (a sourced helper without #! is no test),
# a selected tier with no test, figures that cannot be stored, Ctrl-C in the
# middle of a test (no process left), an unknown tier and a log folder that
# cannot be made.
# shellcheck disable=SC2016 # the fake tests are single-quoted sh, expanded when they run
. "$(dirname "$0")/../lib.sh"
RUN=$FORKLAB_ROOT/tests/run.sh
TREE=$T_TMP/tests BLD=$T_TMP/build

new_tree() {
	rm -rf "$TREE" "$BLD"
	mkdir -p "$TREE/unit" "$TREE/host" "$TREE/bpf" "$TREE/vm" "$BLD"
}
# mk TIER NAME SH-BODY: an executable fake test.
mk() {
	printf '#!/bin/sh\n%s\n' "$3" >"$TREE/$1/$2"
	chmod +x "$TREE/$1/$2"
}
# drive TIERS [VAR=VALUE...]: run the driver on the fake tree; its output in
# $T_TMP/out, its exit status in $rc.
drive() {
	local tiers=$1
	shift
	rc=0
	env -u FORKLAB_TEST_TIMEOUT FORKLAB_TESTS="$TREE" BUILD="$BLD" "$@" \
		"$RUN" --tier "$tiers" >"$T_TMP/out" 2>&1 </dev/null || rc=$?
}
last() { tail -n 1 "$T_TMP/out"; }
# expect NAME STATUS LAST-LINE [PATTERN]: the run's status, last line, and a
# line of its output matching the extended regex PATTERN.
expect() {
	local why=""
	if [ "$rc" != "$2" ]; then
		why="exit status $rc, expected $2"
	elif [ "$(last)" != "$3" ]; then
		why="last line '$(last)', expected '$3'"
	elif [ -n "${4:-}" ] && ! grep -Eq -- "$4" "$T_TMP/out"; then
		why="no line matches /$4/"
	fi
	if [ -z "$why" ]; then pass "$1"; else fail "$1" "$why: $(tr '\n' '|' <"$T_TMP/out" | head -c 600)"; fi
}

# The fakes work: tests in tests/TIER and C tests in build/tests/TIER run,
# a helper without #! is left alone, figures are stored.
new_tree
mk host a 'echo "PASS: a1"; echo "PASS: a2"; echo "FIGURE: driver-key 42 words"'
printf '# sourced helper\nhelper() { :; }\n' >"$TREE/host/helper.sh"
mkdir -p "$BLD/tests/host"
printf '#!/bin/sh\necho "PASS: built"\n' >"$BLD/tests/host/c-test"
chmod +x "$BLD/tests/host/c-test"
drive host
expect "all pass: exit 0" 0 "3 passed, 0 failed, 0 skipped" '^== host/c-test$'
check_eq "all pass: figures stored" "driver-key 42" "$(cut -f1,2 "$BLD/test-logs/figures.txt" | tr '\t' ' ')"

new_tree
mk host a 'echo "PASS: a1"; exit 3'
drive host
expect "PASS then exit 3: a failure" 1 "1 passed, 1 failed, 0 skipped" 'FAIL: host/a: exit status 3'

new_tree
mk host a 'echo "PASS: a1"; kill -KILL $$'
mk host b 'echo "PASS: b1"; echo "FAIL: b2: no"; kill -SEGV $$'
drive host
expect "killed by a signal: a failure, even after a FAIL" 1 "2 passed, 3 failed, 0 skipped" \
	'FAIL: host/a: killed by SIGKILL \(exit status 137'
expect "killed by SIGSEGV named" 1 "2 passed, 3 failed, 0 skipped" 'FAIL: host/b: killed by SIGSEGV'

new_tree
mk host a 'echo "PASS: a1"; sleep 30'
drive host FORKLAB_TEST_TIMEOUT=1
expect "timed out: a failure" 1 "1 passed, 1 failed, 0 skipped" 'FAIL: host/a: timed out after 1s'

new_tree
mk host a 'echo "FAIL: x: broken"; echo "PASS: x"; echo "PASS: y"'
drive host
expect "PASS after a FAIL: still a failure" 1 "2 passed, 1 failed, 0 skipped" 'FAIL: x: broken'

new_tree
mk host a 'echo "no result lines"'
drive host
expect "no PASS/FAIL/SKIP line: a failure" 1 "0 passed, 1 failed, 0 skipped" 'printed no PASS/FAIL/SKIP line'

new_tree
mk host a 'echo "needs something"; exit 77'
drive host
expect "exit 77, no lines: one skip" 0 "0 passed, 0 failed, 1 skipped" 'SKIP: host/a: needs something'
new_tree
mk host a 'echo "PASS: a1"; exit 77'
drive host
expect "exit 77 after a PASS: a failure" 1 "1 passed, 1 failed, 0 skipped" 'exit status 77'

new_tree
mk host a 'echo "PASS: a1"'
printf '#!/bin/sh\necho "PASS: never"\n' >"$TREE/host/b.sh"
drive host
expect "#! file not executable: a failure" 1 "1 passed, 1 failed, 0 skipped" \
	'FAIL: host/b.sh: starts with #! but is not executable'

new_tree
mk host a 'echo "PASS: a1"'
printf '# sourced helper\n' >"$TREE/vm/helper.sh"
drive host,vm
expect "selected tier without a test: a failure" 1 "1 passed, 1 failed, 0 skipped" \
	"FAIL: vm: no test found in $TREE/vm"
rm -rf "$TREE/bpf"
drive bpf
expect "selected tier folder missing: a failure" 1 "0 passed, 1 failed, 0 skipped" "FAIL: bpf: no test found"

new_tree
mk host a 'echo "PASS: a1"; echo "FIGURE: driver-key 42 words"'
mkdir -p "$BLD/test-logs/figures.txt"
drive host
expect "figures that cannot be stored: a failure" 1 "1 passed, 1 failed, 0 skipped" \
	"FAIL: figures: scripts/figures-add.sh could not store the figures in .*is not a regular file"

expect_fail "unknown tier: one line, exit 2" 2 "^run.sh: unknown tier 'hots' \(allowed: unit, host, bpf, vm\)$" -- \
	env FORKLAB_TESTS="$TREE" BUILD="$BLD" "$RUN" --tier unit,hots
expect_fail "empty --tier: one line, exit 2" 2 "^run.sh: --tier ',' names no tier" -- \
	env FORKLAB_TESTS="$TREE" BUILD="$BLD" "$RUN" --tier ,
expect_fail "log folder that cannot be made: one line, exit 2" 2 \
	"^run.sh: cannot create the log folder '/dev/null/build/test-logs': Not a directory$" -- \
	env FORKLAB_TESTS="$TREE" BUILD=/dev/null/build "$RUN" --tier host

# Ctrl-C while a test runs: the test's processes stop, the tests after it do
# not run, the run ends as failed with its summary line.
new_tree
mk host a 'echo "PASS: a1"; sleep 60 & echo $! >"$0.pid"; wait'
mk host b 'echo "PASS: b1"'
set -m	# the driver in its own process group, as under a terminal
env FORKLAB_TESTS="$TREE" BUILD="$BLD" "$RUN" --tier host >"$T_TMP/out" 2>&1 </dev/null &
pid=$!
set +m
for _ in $(seq 100); do [ -s "$TREE/host/a.pid" ] && break; sleep 0.1; done
sleep 0.2
kill -INT -- -"$pid"
rc=0
wait "$pid" || rc=$?
expect "Ctrl-C: exit 130, the run failed" 130 "0 passed, 1 failed, 0 skipped" "FAIL: host/a: interrupted by SIGINT"
check_eq "Ctrl-C: the test after it did not run" 0 "$(grep -c '^== host/b' "$T_TMP/out")"
sleeper=$(cat "$TREE/host/a.pid" 2>/dev/null)
if [ -z "$sleeper" ]; then
	fail "Ctrl-C: the test's processes stopped" "the test never wrote its child's pid"
else
	for _ in $(seq 50); do kill -0 "$sleeper" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$sleeper" 2>/dev/null; then
		fail "Ctrl-C: the test's processes stopped" "its child $sleeper still runs"
		kill "$sleeper"
	else
		pass "Ctrl-C: the test's processes stopped"
	fi
fi
