#!/usr/bin/env bash
# mutants.sh [--quick] [NAME...]: plants each small bug of tests/mutants/
# in a scratch copy of forklab, one at a time, builds it and runs the tests
# that cover that code.  A mutant is killed when one of its tests prints a
# FAIL: line or exits non-zero (77, a skip, does not kill).  Ends with
#   N mutants, N killed
# and exits 1 if a mutant survived, no longer applies (its sed rule changes
# nothing, or the mutated copy does not build), or no mutant was selected.
#
# A mutant is tests/mutants/NAME.sed: a sed script for one file, with a
# header of comment lines
#   # file: bench/benchmarks/heap.c          the file the rule changes
#   # test: tests/host/cow-faults.sh         a command run in the copy's root
#                                            (one per line; unit/NAME is the
#                                            C test build/tests/unit/NAME)
#   # quick: yes                             in the quick set (tests/host/mutants.sh)
#   # what: one line saying what the bug is
# The tests run with FORKLAB_ROOT and FORKLAB_BUILD of the copy, each under
# a time limit (FORKLAB_MUTANT_TIMEOUT, default 300 s; a test that hangs
# on a mutant kills it).
#
# The copy is git ls-files of the work tree (uncommitted edits included)
# and its build/ (so that make rebuilds only what a mutant changes); it is
# removed on exit.  Output: one PASS:/FAIL: line per mutant, the tests'
# logs in build/test-logs/mutants/.
set -u
die() { echo "mutants.sh: $*" >&2; exit 2; }
cd "$(dirname "$0")/../.." || die "cannot enter forklab's root"
ROOT=$PWD
: "${FORKLAB_BUILD:=$ROOT/build}"
quick=0
names=()
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) quick=1 ;;
	-h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
	-*) die "unknown option '$1' (allowed: --quick, mutant names)" ;;
	*) [ -f "tests/mutants/$1.sed" ] || die "no mutant '$1' (allowed: the names of tests/mutants/*.sed)"
	   names+=("$1") ;;
	esac
	shift
done
if [ ${#names[@]} = 0 ]; then
	for f in tests/mutants/*.sed; do
		[ -f "$f" ] || continue
		n=$(basename "$f" .sed)
		if [ $quick = 1 ] && ! grep -q '^# quick: yes' "$f"; then continue; fi
		names+=("$n")
	done
fi
[ ${#names[@]} -gt 0 ] || { echo "FAIL: mutants: none selected in tests/mutants/"; exit 1; }
[ -x "$FORKLAB_BUILD/forkbench" ] || die "no build in $FORKLAB_BUILD (run make first)"

logs=$FORKLAB_BUILD/test-logs/mutants
mkdir -p "$logs" || die "cannot create '$logs'"
S=$(mktemp -d "${TMPDIR:-/tmp}/forklab-mutants.XXXXXX") || die "cannot create a scratch folder"
# badinput runs forkbench and cowtrace as nobody: the copy must be reachable
# by them, as the work tree is (mktemp makes it 0700: every such case then
# failed with "Permission denied" and counted as a kill).
chmod 755 "$S" || die "cannot open '$S' to other users"
trap 'rm -rf "$S"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
git ls-files -z | tar --null -T - -cf - | tar -C "$S" -xf - || die "cannot copy the work tree to $S"
mkdir -p "$S/build"
tar -C "$FORKLAB_BUILD" --exclude=./test-logs --exclude=./sanitize --exclude=./kernel \
	--exclude='./kernel-*' -cf - . | tar -C "$S/build" -xf - || die "cannot copy $FORKLAB_BUILD to $S"

# hdr FILE KEY: the values of "# KEY: ..." header lines, one a line.
hdr() { sed -n "s/^# $2: //p" "$1"; }

# run_test T LOG: run test command T on the copy, its output added to LOG;
# status 0 if it failed (a FAIL: line, or an exit status other than 0 and 77).
run_test() {
	local t=$1 rc
	case "$t" in unit/*) t=build/tests/$t ;; esac
	echo "== $t" >>"$2"
	(cd "$S" && FORKLAB_ROOT=$S FORKLAB_BUILD=$S/build timeout -k 10 "${FORKLAB_MUTANT_TIMEOUT:-300}" sh -c "$t") \
		>"$S/.out" 2>&1 </dev/null
	rc=$?
	cat "$S/.out" >>"$2"
	grep -q '^FAIL:' "$S/.out" || { [ $rc != 0 ] && [ $rc != 77 ]; }
}

# The baseline: every test the selected mutants name passes on the copy
# without a mutant; a test failing there would "kill" every mutant it runs
# for, and prove nothing.
make -C "$S" -j2 -s all >"$logs/baseline.log" 2>&1 || die "the copy in $S does not build (log: $logs/baseline.log)"
base_fail=0
while IFS= read -r t; do
	[ -n "$t" ] || continue
	if run_test "$t" "$logs/baseline.log"; then
		echo "FAIL: mutants: '$t' fails without any mutant: its kills would prove nothing (log: $logs/baseline.log)"
		base_fail=1
	fi
done <<EOF
$(for n in "${names[@]}"; do hdr "$ROOT/tests/mutants/$n.sed" test; done | sort -u)
EOF
[ $base_fail = 0 ] || exit 1

total=0 killed=0
for n in "${names[@]}"; do
	m=$ROOT/tests/mutants/$n.sed
	total=$((total + 1))
	file=$(hdr "$m" file)
	tests=$(hdr "$m" test)
	log=$logs/$n.log
	: >"$log"
	if [ -z "$file" ] || [ -z "$tests" ] || [ ! -f "$S/$file" ]; then
		echo "FAIL: mutant $n: no longer applies: its header names no file ('$file' missing) or no test"
		continue
	fi
	cp "$S/$file" "$S/.orig"
	sed -f "$m" "$S/.orig" >"$S/$file"
	if cmp -s "$S/.orig" "$S/$file"; then
		echo "FAIL: mutant $n: no longer applies: its rule changes nothing in $file"
		cp "$S/.orig" "$S/$file"
		continue
	fi
	t0=$SECONDS
	if ! make -C "$S" -j2 -s all >>"$log" 2>&1; then
		echo "FAIL: mutant $n: no longer applies: the mutated copy does not build (log: $log)"
		cp "$S/.orig" "$S/$file"
		continue
	fi
	by=""
	while IFS= read -r t; do
		if run_test "$t" "$log"; then
			by="$t"
			break
		fi
	done <<EOF
$tests
EOF
	cp "$S/.orig" "$S/$file"
	if [ -n "$by" ]; then
		killed=$((killed + 1))
		echo "PASS: mutant $n killed by $by ($((SECONDS - t0))s)"
	else
		echo "FAIL: mutant $n survived ($(hdr "$m" what)): should be caught by $(echo "$tests" | paste -sd, -) (log: $log)"
	fi
done
# The copy as it was (its objects are rebuilt by the next make there).
echo "# $total mutants, $killed killed"
[ "$killed" = "$total" ]
