#!/bin/sh
# --events through libpfm4: a software event is counted; an event this
# machine lacks is reported as n/a (empty), with a warning, and the run goes
# on.  perf::PAGE-FAULTS counts parent and child (inherit), so per iteration it
# is at least the child's minor faults.
. "$(dirname "$0")/../lib.sh"

if ! "$FB" spawn --method fork_exec -n 5 --warmup 1 --format csv -o "$T_TMP/e.csv" \
	--events perf::PAGE-FAULTS,perf::CYCLES,nosuchpmu::NOSUCHEVENT 2>"$T_TMP/err"; then
	fail "events run completes" "$(cat "$T_TMP/err")"
	exit 1
fi
pass "events run completes despite missing events"
col() { # NAME -> value in the start row
	python3 -c '
import csv, sys
rows = [r for r in csv.DictReader(l for l in open(sys.argv[1]) if not l.startswith("#")) if r["metric"] == "start"]
print(rows[0][sys.argv[2]])' "$T_TMP/e.csv" "$1"
}
pf=$(col ev:perf::PAGE-FAULTS)
cf=$(col child_minflt)
if [ -n "$pf" ] && [ "$pf" -ge "$cf" ]; then
	pass "perf::PAGE-FAULTS counted ($pf >= child minflt $cf)"
else
	fail "perf::PAGE-FAULTS counted" "got '$pf', child minflt $cf"
fi
check_eq "unknown event reported as n/a (empty)" "" "$(col ev:nosuchpmu::NOSUCHEVENT)"
if grep -q "event 'nosuchpmu::NOSUCHEVENT' not available here" "$T_TMP/err"; then
	pass "unknown event warned about"
else
	fail "unknown event warned about" "$(cat "$T_TMP/err")"
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
