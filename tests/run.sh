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
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
export FORKLAB_ROOT=$ROOT FORKLAB_BUILD=${BUILD:-$ROOT/build}

tiers="unit host bpf vm"
while [ $# -gt 0 ]; do
	case "$1" in
	--tier) tiers=$(echo "$2" | tr ',' ' '); shift 2 ;;
	-h|--help) sed -n '2,13p' "$0"; exit 0 ;;
	*) echo "run.sh: unknown option '$1' (allowed: --tier unit,host,bpf,vm)" >&2; exit 2 ;;
	esac
done
for t in $tiers; do
	case "$t" in unit|host|bpf|vm) ;; *)
		echo "run.sh: unknown tier '$t' (allowed: unit, host, bpf, vm)" >&2; exit 2 ;;
	esac
done

passed=0 failed=0 skipped=0
failures=()
logdir=$FORKLAB_BUILD/test-logs
mkdir -p "$logdir"
figures=$logdir/figures.txt
: >"$figures.new"

run_one() {
	local tier=$1 file=$2 name out rc limit
	name=$tier/$(basename "$file")
	limit=${FORKLAB_TEST_TIMEOUT:-600}
	[ "$tier" = vm ] && limit=${FORKLAB_VM_TEST_TIMEOUT:-2400}
	out=$logdir/$(echo "$name" | tr '/' '_').log
	printf '== %s\n' "$name"
	local t0=$SECONDS
	timeout -k 10 "$limit" "$file" >"$out" 2>&1 </dev/null
	rc=$?
	local p=0 f=0 s=0 line
	while IFS= read -r line; do
		case "$line" in
		PASS:*) p=$((p + 1)); echo "   $line" ;;
		FAIL:*) f=$((f + 1)); echo "   $line"; failures+=("$name: ${line#FAIL: }") ;;
		SKIP:*) s=$((s + 1)); echo "   $line" ;;
		FIGURE:*) echo "${line#FIGURE: }" >>"$figures.new" ;;
		esac
	done <"$out"
	if [ $rc = 124 ] || [ $rc = 137 ]; then
		f=$((f + 1)); failures+=("$name: timed out after ${limit}s")
		echo "   FAIL: $name: timed out after ${limit}s (log: $out)"
	elif [ $rc = 77 ] && [ $((p + f + s)) = 0 ]; then
		s=1; echo "   SKIP: $name: $(tail -n 1 "$out")"
	elif [ $rc != 0 ] && [ $f = 0 ]; then
		f=1; failures+=("$name: exit status $rc")
		echo "   FAIL: $name: exit status $rc; last lines of $out:"
		tail -n 5 "$out" | sed 's/^/      /'
	elif [ $((p + f + s)) = 0 ]; then
		f=1; failures+=("$name: printed no result")
		echo "   FAIL: $name: printed no PASS/FAIL/SKIP line (log: $out)"
	fi
	printf '   (%ds)\n' $((SECONDS - t0))
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
}

for tier in $tiers; do
	for file in "$FORKLAB_BUILD"/tests/"$tier"/* tests/"$tier"/*; do
		[ -f "$file" ] && [ -x "$file" ] || continue
		run_one "$tier" "$file"
	done
done

# Keep the figures of earlier runs for keys this run did not produce.
[ -s "$figures.new" ] && scripts/figures-add.sh "make test ($(echo $tiers | tr ' ' ','))" "$figures" <"$figures.new"
rm -f "$figures.new"

if [ ${#failures[@]} -gt 0 ]; then
	echo "failures:"
	printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
