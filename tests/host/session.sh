# shellcheck shell=bash
# Sourced by the application benchmarks' tests (pymp.sh, build.sh,
# redis.sh, pgbench.sh): a forkbench run in a session of its own, stopped
# by a signal, and the session checked empty afterwards (the method of
# forkbench-interrupt.sh, whose comment says why a session).  Needs lib.sh
# first.
#
#   sess_start NAME ARGS...   forkbench ARGS in the background under setsid; sets pid
#   sess_run ARGS...          forkbench ARGS under setsid, to its end; sets pid and rc
#   sess_procs SID            "PID:COMM" of every live process of session SID but SID
#   sess_wait_for SID PATTERN SECONDS [COUNT]
#                             until COUNT (default 1) processes of the session match PATTERN
#   sess_stop NAME SIG LIMIT  signals forkbench, waits up to LIMIT s; sets rc
#   sess_left NAME [SCRATCH]  nothing of the session left (killed if there is) after
#                             up to SESS_GRACE tenths of a second (default 20); with
#                             SCRATCH, that folder is empty too

sess_procs() {
	local p st c rest out=
	for p in /proc/[0-9]*; do
		read -r st 2>/dev/null <"$p/stat" || continue
		c=${st#*(} c=${c%)*} rest=${st##*) }
		# shellcheck disable=SC2086 # state ppid pgrp session ...
		set -- "$1" $rest
		if [ "$5" != "$1" ] || [ "${p#/proc/}" = "$1" ] || [ "$2" = Z ]; then
			continue
		fi
		out="$out${out:+ }${p#/proc/}:$c"
	done
	echo "$out"
}

sess_start() {
	local n=$1
	shift
	setsid "$FB" "$@" >/dev/null 2>"$T_TMP/err" &
	pid=$!
	for _ in $(seq 50); do
		[ "$(awk '{ print $6 }' "/proc/$pid/stat" 2>/dev/null)" = "$pid" ] && return 0
		sleep 0.1
	done
	fail "$n: forkbench leads a session of its own" "PID $pid"
	return 1
}

sess_run() {
	setsid "$FB" "$@" >/dev/null 2>"$T_TMP/err" &
	pid=$!
	wait "$pid"
	# shellcheck disable=SC2034 # rc is for the test that sources this file
	rc=$?
	return $rc
}

sess_wait_for() {
	local end=$((SECONDS + $3))
	while [ $SECONDS -lt $end ]; do
		[ "$(sess_procs "$1" | tr ' ' '\n' | grep -Ec -- "$2")" -ge "${4:-1}" ] && return 0
		sleep 0.1
	done
	return 1
}

sess_stop() {
	local n=$1 end=$((SECONDS + $3)) st
	kill -s "$2" "$pid"
	while st=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) && [ -n "$st" ] &&
		[ "$st" != Z ] && [ $SECONDS -lt $end ]; do
		sleep 0.1
	done
	if [ -n "$st" ] && [ "$st" != Z ]; then
		fail "$n: forkbench exits within $3 s of SIG$2" "its session holds: $(sess_procs "$pid")"
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	# shellcheck disable=SC2034 # rc is for the test that sources this file
	rc=$?
}

sess_left() {
	local left
	for _ in $(seq "${SESS_GRACE:-20}"); do
		left=$(sess_procs "$pid")
		[ -z "$left" ] && break
		sleep 0.1
	done
	check_eq "$1: no process of its session left" "" "$left"
	for p in $left; do kill -KILL "${p%%:*}" 2>/dev/null; done
	if [ $# -ge 2 ]; then
		check_eq "$1: no scratch folder left" "" "$(ls -A "$2")"
	fi
}
