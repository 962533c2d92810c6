#!/usr/bin/env bash
# forklab test driver.  Runs every test of the selected tiers and ends with
#   N passed, N failed, N skipped
#
# A test is an executable file in tests/<tier>/ (a shell script or a C test
# built into build/tests/<tier>/).  It prints one line per check:
#   PASS: name            FAIL: name: why            SKIP: name: why
# A test may also print figures for docs/testing.md (scripts/readme-figures.sh):
#   FIGURE: key value [words]
# collected by scripts/figures-add.sh into build/test-logs/figures.txt
# (the last value per key, with the run that printed it).
# A test that exits non-zero without printing FAIL counts as one failure;
# exit status 77 with no lines counts as one skip (automake convention).
#
# Tiers, in order: unit host bpf vm.  --tier a,b limits them.  Each test file
# runs under a time limit (FORKLAB_TEST_TIMEOUT, default 600 s; vm: 2400 s).
#
# Nothing ends as a silent pass: a test killed by a signal or that timed out,
# a file in tests/<tier>/ that starts with #! but is not executable (a
# sourced helper has no #! line), a selected tier with no test at all, and
# figures that cannot be stored each count as a failure; Ctrl-C (or SIGTERM)
# stops the running test and ends the run as failed (exit 130/143).  A bad
# option or tier, or a log folder that cannot be made, is a one-line error
# before any test runs (exit 2).  FORKLAB_TESTS=DIR takes the tier folders
# from DIR instead of tests/ (the driver's own test).
set -u
die() { echo "run.sh: $*" >&2; exit 2; }
TESTS=${FORKLAB_TESTS:-}
case "$TESTS" in '' | /*) ;; *) TESTS=$PWD/$TESTS ;; esac
cd "$(dirname "$0")/.." || die "cannot enter the folder above $(dirname "$0")"
ROOT=$PWD
export FORKLAB_ROOT=$ROOT FORKLAB_BUILD=${BUILD:-$ROOT/build}
: "${TESTS:=$ROOT/tests}"
ALL_TIERS="unit host bpf vm"

tiers=$ALL_TIERS
while [ $# -gt 0 ]; do
	case "$1" in
	--tier)
		[ $# -ge 2 ] || die "--tier needs a list (allowed: unit, host, bpf, vm, comma-separated)"
		tiers=$(echo "$2" | tr ',' ' ')
		[ -n "${tiers// /}" ] || die "--tier '$2' names no tier (allowed: unit, host, bpf, vm)"
		shift 2 ;;
	-h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
	*) die "unknown option '$1' (allowed: --tier unit,host,bpf,vm)" ;;
	esac
done
list=
set -f	# a tier word is no file pattern
for t in $tiers; do
	case " $ALL_TIERS " in *" $t "*) ;; *) die "unknown tier '$t' (allowed: unit, host, bpf, vm)" ;; esac
	list="$list${list:+ }$t"
done
set +f
tiers=$list

passed=0 failed=0 skipped=0
failures=()
logdir=$FORKLAB_BUILD/test-logs
figures=$logdir/figures.txt
err=$(mkdir -p "$logdir" 2>&1) || die "cannot create the log folder '$logdir': ${err##*: }"
err=$( (: >"$figures.new") 2>&1) || die "cannot write in the log folder '$logdir': ${err##*: }"

# fail_run NAME WHY: a failure of the run itself, not of a check.
fail_run() {
	failed=$((failed + 1)) failures+=("$1: $2")
	echo "   FAIL: $1: $2"
}

summary() {
	if [ ${#failures[@]} -gt 0 ]; then
		echo "failures:"
		printf '  %s\n' "${failures[@]}"
	fi
	echo "$passed passed, $failed failed, $skipped skipped"
}

# Ctrl-C or SIGTERM: stop the running test (timeout passes the signal on to
# the test's process group), then end the run as failed.
running='' tpid=''
on_signal() {	# SIG STATUS
	trap '' INT TERM HUP
	if [ -n "$tpid" ]; then
		kill -TERM "$tpid" 2>/dev/null
		wait "$tpid" 2>/dev/null
	fi
	rm -f "$figures.new"
	echo
	fail_run "${running:-run.sh}" "interrupted by SIG$1"
	summary
	exit "$2"
}
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM
trap 'on_signal HUP 129' HUP

run_one() {
	local tier=$1 file=$2 name out rc limit t0 p=0 f=0 s=0 line sig
	name=$tier/$(basename "$file")
	limit=${FORKLAB_TEST_TIMEOUT:-600}
	[ "$tier" = vm ] && limit=${FORKLAB_VM_TEST_TIMEOUT:-2400}
	out=$logdir/$(echo "$name" | tr '/' '_').log
	printf '== %s\n' "$name"
	t0=$SECONDS
	# In the background, so that a signal reaches the trap at once.
	running=$name
	timeout -k 10 "$limit" "$file" >"$out" 2>&1 </dev/null &
	tpid=$!
	wait "$tpid"
	rc=$?
	tpid='' running=''
	while IFS= read -r line; do
		case "$line" in
		PASS:*) p=$((p + 1)); echo "   $line" ;;
		FAIL:*) f=$((f + 1)); echo "   $line"; failures+=("$name: ${line#FAIL: }") ;;
		SKIP:*) s=$((s + 1)); echo "   $line" ;;
		FIGURE:*) echo "${line#FIGURE: }" >>"$figures.new" ;;
		esac
	done <"$out"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	# timeout: 124 when the test stopped on SIGTERM, 137 when it needed SIGKILL.
	if [ $rc = 124 ] || { [ $rc = 137 ] && [ $((SECONDS - t0)) -ge "$limit" ]; }; then
		fail_run "$name" "timed out after ${limit}s (log: $out)"
	elif [ $rc -gt 128 ]; then
		sig=$(kill -l $((rc - 128)) 2>/dev/null || echo $((rc - 128)))
		fail_run "$name" "killed by SIG$sig (exit status $rc; log: $out)"
	elif [ $rc = 77 ] && [ $((p + f + s)) = 0 ]; then
		skipped=$((skipped + 1))
		echo "   SKIP: $name: $(tail -n 1 "$out")"
	elif [ $rc != 0 ] && [ $f = 0 ]; then
		fail_run "$name" "exit status $rc; last lines of $out:"
		tail -n 5 "$out" | sed 's/^/      /'
	elif [ $((p + f + s)) = 0 ]; then
		fail_run "$name" "printed no PASS/FAIL/SKIP line (log: $out)"
	fi
	printf '   (%ds)\n' $((SECONDS - t0))
}

# run_tier TIER: the C tests built into build/tests/TIER, then the files of
# tests/TIER.  There, a file that starts with #! is meant to run.
run_tier() {
	local tier=$1 dir file first n=0
	for dir in "$FORKLAB_BUILD/tests/$tier" "$TESTS/$tier"; do
		for file in "$dir"/*; do
			[ -f "$file" ] || continue
			if [ -x "$file" ]; then
				run_one "$tier" "$file"
				n=$((n + 1))
				continue
			fi
			[ "$dir" = "$TESTS/$tier" ] || continue
			first=
			IFS= read -r first <"$file"
			case "$first" in '#!'*)
				n=$((n + 1))
				fail_run "$tier/$(basename "$file")" \
					"starts with #! but is not executable (chmod +x it, or drop the #! line of a sourced helper)" ;;
			esac
		done
	done
	[ $n -gt 0 ] || fail_run "$tier" "no test found in $TESTS/$tier or $FORKLAB_BUILD/tests/$tier (C tests: run make first)"
}

for tier in $tiers; do
	run_tier "$tier"
done

# Keep the figures of earlier runs for keys this run did not produce.
if [ -s "$figures.new" ]; then
	if ! err=$(scripts/figures-add.sh "make test (${tiers// /,})" "$figures" <"$figures.new" 2>&1); then
		fail_run figures "scripts/figures-add.sh could not store the figures in $figures: $(echo "$err" | tail -n 1)"
	fi
fi
rm -f "$figures.new"

summary
[ "$failed" = 0 ]
