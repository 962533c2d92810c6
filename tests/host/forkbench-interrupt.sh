#!/bin/bash
# SIGINT and SIGTERM in the middle of a run: forkbench kills and reaps its
# children, leaves none behind, writes the samples it has as a readable file
# marked incomplete, leaves no temporary file, and exits 128 + signal.
. "$(dirname "$0")/../lib.sh"

children_of() { # PID -> every descendant pid, from /proc
	local p c d out=
	for p in /proc/[0-9]*; do
		read -r _ _ _ ppid _ 2>/dev/null <"$p/stat" || continue
		[ "$ppid" = "$1" ] || continue
		c=${p#/proc/} d=$(children_of "$c")
		out="$out${out:+ }$c${d:+ }$d"
	done
	echo "$out"
}

# alive PID...: those of the PIDs still running (not gone, not a zombie),
# after up to 2 s for the killed ones to go.
alive() {
	local p st out
	for _ in $(seq 20); do
		out=
		for p in "$@"; do
			st=$(awk '{ print $3 }' "/proc/$p/stat" 2>/dev/null) || continue
			[ -n "$st" ] && [ "$st" != Z ] && out="$out${out:+ }$p"
		done
		[ -z "$out" ] && break
		sleep 0.1
	done
	echo "$out"
}

# spawn runs its children in a per-heap worker (forkbench-spawn-worker, as
# the fork_exit children are named); fork_exec's are forkbench-target-static.
for sig in INT TERM; do
	"$FB" spawn --heap 64M -n 100000 --warmup 0 --format csv -o "$T_TMP/sum.csv" \
		--samples "$T_TMP/samples.csv" >/dev/null 2>"$T_TMP/err" &
	pid=$!
	# Wait until it is measuring: the worker there with its 64 MiB heap
	# touched (up to 20 s on a loaded machine), then children being forked.
	for _ in $(seq 400); do
		for k in $(children_of $pid); do
			[ "$(awk '/^VmRSS:/ { print $2 }' "/proc/$k/status" 2>/dev/null || echo 0)" -ge 65536 ] && break 2
		done
		sleep 0.05
	done
	sleep 1
	kids=$(children_of $pid)
	kill -s $sig $pid
	wait $pid
	rc=$?
	want=$((128 + $(kill -l $sig)))
	check_eq "SIG$sig: exit status 128+signal" $want $rc
	if [ -z "$kids" ]; then
		fail "SIG$sig: forkbench had children when signalled" "none found under PID $pid"
	else
		# shellcheck disable=SC2086 # one PID a word
		check_eq "SIG$sig: none of its $(echo $kids | wc -w) descendants left running" "" "$(alive $kids)"
	fi
	left=$(pgrep -f "forkbench-target-static" || true)
	check_eq "SIG$sig: no forkbench-target-static left running" "" "$left"
	check_eq "SIG$sig: samples marked incomplete" \
		"# forklab-samples v1 incomplete: interrupted by SIG$sig" "$(head -n 1 "$T_TMP/samples.csv")"
	rows=$(python3 -c '
import csv, sys
lines = [l for l in open(sys.argv[1]) if not l.startswith("#")]
rows = list(csv.DictReader(lines))
assert rows and all(r["value"] == "" or float(r["value"]) >= 0 for r in rows)
print(len(rows))' "$T_TMP/samples.csv" 2>&1)
	case "$rows" in
	''|*[!0-9]*) fail "SIG$sig: partial samples readable" "$rows" ;;
	*) pass "SIG$sig: partial samples readable ($rows rows)" ;;
	esac
	check_eq "SIG$sig: summary marked incomplete" "# incomplete: interrupted by SIG$sig" \
		"$(head -n 1 "$T_TMP/sum.csv")"
	check_eq "SIG$sig: no temporary files" "" "$(find "$T_TMP" -maxdepth 1 -name '*.tmp' -printf '%f\n')"
	rm -f "$T_TMP"/*.csv
done

# A family of forks (nested): SIGINT kills the whole tree; no orphan
# survives forkbench.  Family members are forks of forkbench and carry its
# command line, with a tag that is unique to this test.
tag=$(basename "$T_TMP")
"$FB" nested --shape tree:2:3 --heap 16M -n 100000 --warmup 0 --format csv \
	-o "$T_TMP/$tag.csv" >/dev/null 2>"$T_TMP/err" &
pid=$!
sleep 2
members=$(pgrep -f "$tag" | wc -l)
# forkbench itself and its tree:2:3 family
if [ "$members" -gt 1 ]; then pass "nested: the family runs ($members processes with the tag)"
else fail "nested: the family runs" "$members processes with the tag after 2 s"; fi
kill -INT $pid
wait $pid
check_eq "nested SIGINT: exit status 130" 130 $?
sleep 0.5
check_eq "nested SIGINT: no family member left (had $members running)" "" "$(pgrep -f "$tag" || true)"
