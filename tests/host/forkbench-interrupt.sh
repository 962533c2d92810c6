#!/bin/bash
# SIGINT and SIGTERM in the middle of a run: forkbench kills and reaps its
# children, leaves none behind, writes the samples it has as a readable file
# marked incomplete, leaves no temporary file, and exits 128 + signal.
#
# Each run is started in a session of its own (setsid): whatever forkbench
# starts stays in it (the nested family in a process group of its own, the
# spawn worker and the programs it execs), so "nothing left" is checked as
# "no process of that session", whatever its name, and "every
# forkbench-named process" (forkbench, its forks, forkbench-target-*) is
# looked for there, not machine-wide where other runs may be.  While it
# runs, the session must hold more than forkbench itself; after the
# signal forkbench must exit within STOP_LIMIT seconds (it waits for every
# descendant as their subreaper, so a descendant that nothing ends keeps it
# waiting) and its session must be empty.
. "$(dirname "$0")/../lib.sh"
STOP_LIMIT=15

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

# in_session SID [family]: "PID:COMM" of every live process (not a zombie)
# of session SID other than SID itself, from /proc, one a word; with
# "family", only those in a process group other than SID's.
in_session() {
	local p st c rest out=
	for p in /proc/[0-9]*; do
		read -r st 2>/dev/null <"$p/stat" || continue
		c=${st#*(} c=${c%)*} rest=${st##*) }
		# shellcheck disable=SC2086 # state ppid pgrp session ...
		set -- "$1" "${2:-}" $rest
		if [ "$6" != "$1" ] || [ "${p#/proc/}" = "$1" ] || [ "$3" = Z ] ||
			{ [ -n "$2" ] && [ "$5" = "$1" ]; }; then
			continue
		fi
		out="$out${out:+ }${p#/proc/}:$c"
	done
	echo "$out"
}

# start NAME ARGS...: forkbench ARGS in a session of its own, in the
# background; sets pid.  Fails NAME if forkbench does not lead the session.
start() {
	local n=$1 sid
	shift
	setsid "$FB" "$@" >/dev/null 2>"$T_TMP/err" &
	pid=$!
	for _ in $(seq 20); do
		read -r sid 2>/dev/null <"/proc/$pid/stat" || sid=
		# shellcheck disable=SC2086 # state ppid pgrp session ...
		sid=${sid##*) } && set -- $sid && sid=${4:-}
		[ "$sid" = "$pid" ] && break
		sleep 0.1
	done
	if [ "$sid" != "$pid" ]; then
		fail "$n: forkbench leads a session of its own" "session '$sid' of PID $pid"
		return 1
	fi
}

# state PID: the process's state letter (R, S, Z...), nothing if it is gone.
state() {
	local st=
	read -r st 2>/dev/null <"/proc/$1/stat" || return 0
	st=${st##*) }
	echo "${st%% *}"
}

# stop NAME SIG: signal forkbench (pid) and wait for it, at most
# STOP_LIMIT s of wall time; sets rc.  If it is still running then, fails
# NAME with what is left in its session and kills all of it, so nothing
# outlives the test.
stop() {
	local n=$1 sig=$2 end=$((SECONDS + STOP_LIMIT)) st left
	kill -s "$sig" "$pid"
	while st=$(state "$pid") && [ -n "$st" ] && [ "$st" != Z ] && [ $SECONDS -lt $end ]; do
		sleep 0.1
	done
	if [ -n "$st" ] && [ "$st" != Z ]; then
		left=$(in_session "$pid")
		fail "$n: forkbench exits within ${STOP_LIMIT} s of SIG$sig" \
			"still running; its session holds: ${left:-nothing else}"
		# shellcheck disable=SC2086 # one PID:COMM a word
		for p in $left; do kill -KILL "${p%%:*}" 2>/dev/null; done
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	rc=$?
	sid=$pid
}

# left_in NAME: after forkbench (session sid) exited, nothing of its
# session is running (after up to 2 s for killed processes to go), and no
# forkbench-named process either.
left_in() {
	local n=$1 left
	for _ in $(seq 20); do
		left=$(in_session "$sid")
		[ -z "$left" ] && break
		sleep 0.1
	done
	check_eq "$n: no process of its session left" "" "$left"
	check_eq "$n: no forkbench-named process of its session left" "" \
		"$(echo "$left" | tr ' ' '\n' | grep ':forkbench' | paste -sd' ')"
	# shellcheck disable=SC2086 # one PID:COMM a word
	for p in $left; do kill -KILL "${p%%:*}" 2>/dev/null; done
}

# spawn runs its children in a per-heap worker (forkbench-spawn-worker, as
# the fork_exit children are named); fork_exec's are forkbench-target-static.
for sig in INT TERM; do
	start "SIG$sig" spawn --heap 64M -n 100000 --warmup 0 --format csv -o "$T_TMP/sum.csv" \
		--samples "$T_TMP/samples.csv" || continue
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
	members=$(in_session $pid)
	# shellcheck disable=SC2086 # one PID:COMM a word
	set -- $members
	if [ $# -gt 0 ]; then
		pass "SIG$sig: its session holds $# process(es) besides forkbench while it runs ($members)"
	else
		fail "SIG$sig: its session holds processes besides forkbench while it runs" "none in session $pid"
	fi
	stop "SIG$sig" $sig
	want=$((128 + $(kill -l $sig)))
	check_eq "SIG$sig: exit status 128+signal" $want $rc
	if [ -z "$kids" ]; then
		fail "SIG$sig: forkbench had children when signalled" "none found under PID $pid"
	else
		# shellcheck disable=SC2086 # one PID a word
		check_eq "SIG$sig: none of its $(echo $kids | wc -w) descendants left running" "" "$(alive $kids)"
	fi
	left_in "SIG$sig"
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
# command line, with a tag that is unique to this test; they run in a
# process group of their own (the root's PID) inside forkbench's session.
tag=$(basename "$T_TMP")
if start "nested" nested --shape tree:2:3 --heap 16M -n 100000 --warmup 0 --format csv \
	-o "$T_TMP/$tag.csv"; then
	sleep 2
	members=$(pgrep -f "$tag" | wc -l)
	# forkbench itself and its tree:2:3 family: 1 + 2 + 4 + 8 members
	if [ "$members" -gt 1 ]; then pass "nested: the family runs ($members processes with the tag)"
	else fail "nested: the family runs" "$members processes with the tag after 2 s"; fi
	group=$(in_session $pid family | wc -w)
	if [ "$group" -gt 0 ]; then pass "nested: the family's process group holds $group processes while it runs"
	else fail "nested: the family's process group holds processes while it runs" "none in session $pid"; fi
	stop "nested SIGINT" INT
	check_eq "nested SIGINT: exit status 130" 130 "$rc"
	left_in "nested SIGINT"
	check_eq "nested SIGINT: no family member left (had $members running)" "" "$(pgrep -f "$tag" || true)"
fi
