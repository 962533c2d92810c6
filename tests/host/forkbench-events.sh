#!/bin/sh
# --events through libpfm4, in every benchmark that lists it (all four): a
# software event is counted; an event libpfm4 knows that this machine
# cannot count (a PMU it lacks; hardware events in a VM without a PMU) is
# n/a (empty), with a warning, and the run goes on; a name libpfm4 does not
# know, or a bad attribute, is bad input: exit 2, one line, nothing run.
# perf::PAGE-FAULTS counts parent and child (inherit), so per iteration it
# is at least the child's minor faults; in nested and scenario each
# process counts its own write loop, which is its write_minflt.
. "$(dirname "$0")/../lib.sh"
COL="$FORKLAB_ROOT/tests/tools/col.py"

# An event of a PMU no machine running this has (the AMD K7's).
FOREIGN=amd64_k7::RETIRED_INSTRUCTIONS
if ! "$FB" spawn --method fork_exec -n 5 --warmup 1 --format csv -o "$T_TMP/e.csv" \
	--events perf::PAGE-FAULTS,perf::CYCLES,$FOREIGN 2>"$T_TMP/err"; then
	fail "events run completes" "$(cat "$T_TMP/err")"
	exit 1
fi
pass "events run completes despite events this machine lacks"
col() { "$COL" "$T_TMP/e.csv" fork_exec start "$1"; }
pf=$(col ev:perf::PAGE-FAULTS)
cf=$(col child_minflt)
if [ -n "$pf" ] && [ "$pf" -ge "$cf" ]; then
	pass "perf::PAGE-FAULTS counted ($pf >= child minflt $cf)"
else
	fail "perf::PAGE-FAULTS counted" "got '$pf', child minflt $cf"
fi
check_eq "an event of a PMU this machine lacks: n/a (empty)" "" "$(col ev:$FOREIGN)"
if grep -q "event '$FOREIGN' not available here (libpfm4 knows it for the amd64_k7 PMU, which this machine does not have)" "$T_TMP/err"; then
	pass "an event of a PMU this machine lacks: warned, with the PMU"
else
	fail "an event of a PMU this machine lacks: warned" "$(cat "$T_TMP/err")"
fi
# Cycles: a number where the PMU exists, else empty plus a warning.
cy=$(col ev:perf::CYCLES)
if [ -n "$cy" ]; then
	pass "perf::CYCLES counted ($cy)"
elif grep -q "event 'perf::CYCLES' not available here" "$T_TMP/err"; then
	pass "perf::CYCLES n/a on this machine, warned"
else
	fail "perf::CYCLES" "neither counted nor warned"
fi

# Names libpfm4 does not know, and bad attributes: refused before anything
# runs (no output file), in every benchmark.
for b in spawn heap nested "scenario nested"; do
	# shellcheck disable=SC2086 # "scenario nested" is two words
	expect_fail "$b: unknown event refused" 2 \
		"^forkbench ${b%% *}: --events: unknown event 'nosuchpmu::NOSUCHEVENT' \(libpfm4 knows no such event" -- \
		"$FB" $b --heap 1M -n 1 --events perf::PAGE-FAULTS,nosuchpmu::NOSUCHEVENT -o "$T_TMP/no.csv"
done
expect_fail "unknown bare name refused" 2 "--events: unknown event 'bogus'" -- \
	"$FB" spawn -n 1 --events bogus -o "$T_TMP/no.csv"
expect_fail "bad attribute refused" 2 "--events: 'perf::PAGE-FAULTS:nosuchattr': invalid event attribute \(libpfm4\)" -- \
	"$FB" spawn -n 1 --events perf::PAGE-FAULTS:nosuchattr
check_eq "nothing written for a refused event" "" "$(ls "$T_TMP"/no.csv* 2>/dev/null)"

# heap: fork to the end of both writes, parent and child.
if "$FB" heap --heap 4M -n 3 --warmup 0 --events perf::PAGE-FAULTS --format csv -o "$T_TMP/h.csv" 2>"$T_TMP/err"; then
	pf=$("$COL" "$T_TMP/h.csv" child100%-sequential-exit fork ev:perf::PAGE-FAULTS)
	cw=$("$COL" "$T_TMP/h.csv" child100%-sequential-exit fork child_write_minflt)
	if [ -n "$pf" ] && [ "$cw" -ge 1024 ] && [ "$pf" -ge "$cw" ]; then
		pass "heap: perf::PAGE-FAULTS counted ($pf >= the child's $cw write faults)"
	else
		fail "heap: perf::PAGE-FAULTS counted" "got '$pf', child write faults '$cw'"
	fi
else
	fail "heap --events runs" "$(cat "$T_TMP/err")"
fi

# nested and scenario: each process its own write loop.
for b in "nested --heap 1M" "scenario parent-writes"; do
	# shellcheck disable=SC2086
	if "$FB" $b -n 2 --warmup 0 --events perf::PAGE-FAULTS --format csv -o "$T_TMP/n.csv" 2>"$T_TMP/err"; then
		got=$(python3 -c '
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["metric"] == "write"]
print(" ".join("%s=%s/%s" % (r["method"].split("(")[0], r["ev:perf::PAGE-FAULTS"], r["write_minflt"])
               for r in rows))' "$T_TMP/n.csv")
		ok=$(echo "$got" | tr ' ' '\n' | awk -F'[=/]' '$2 == "" || $2 != $3 { bad = 1 } END { print bad ? "no" : "yes" }')
		if [ "$ok" = yes ] && [ -n "$got" ]; then
			pass "${b%% *}: perf::PAGE-FAULTS per process equals its write faults ($got)"
		else
			fail "${b%% *}: perf::PAGE-FAULTS per process equals its write faults" "$got"
		fi
	else
		fail "${b%% *} --events runs" "$(cat "$T_TMP/err")"
	fi
done
if "$FB" scenario fork-exec -n 3 --warmup 0 --events perf::PAGE-FAULTS --format csv -o "$T_TMP/f.csv" 2>"$T_TMP/err"; then
	pf=$("$COL" "$T_TMP/f.csv" fork-exec:child fork_exec_reap ev:perf::PAGE-FAULTS)
	mf=$("$COL" "$T_TMP/f.csv" fork-exec:child fork_exec_reap minflt_fork_to_exec)
	if [ -n "$pf" ] && [ "$pf" -ge "$mf" ]; then
		pass "scenario fork-exec: perf::PAGE-FAULTS of fork to reap ($pf >= the child's $mf before exec)"
	else
		fail "scenario fork-exec: perf::PAGE-FAULTS" "got '$pf', child faults '$mf'"
	fi
else
	fail "scenario fork-exec --events runs" "$(cat "$T_TMP/err")"
fi
