#!/bin/bash
# forkbench build: make -j of forklab's small project (bench/apps/buildproj)
# in a scratch folder per iteration.
#
# Its forks, counted in a PID namespace of its own (root), are exactly
#   90 + 9 * (units + 1)
# (also where the namespace's last PID comes from a task started after the
# build instead of /proc/sys/kernel/ns_last_pid) on Debian 12 (dash 0.5.12, gcc 12), whatever -j: 90 for what does not
# depend on the sources (make 1; the configure line 2: /bin/sh -c and sh;
# 8 header checks of 6: $(echo | tr) 3, printf | cc -E 3 with cc1; 4
# function checks of 8: $(echo | tr) 3, cc, cc1, as, collect2, ld; the
# trap's rm 1; mv 1; the link 3: cc, collect2, ld; the ./app line 2) and 9
# per source (configure's $(basename), $(wc), $(echo | tr) 5; mkdir, cc,
# cc1, as 4), as strace -f counts them (every clone, clone3 and vfork that
# made a task, plus make).  Checked exactly at --units 4 with -j 1 and -j 2
# and at --units 1, which pins the 9 per source apart from the 90.
# /proc/stat's processes over the build (forks_system) counts every fork of
# the machine: at least forks.  Without root (no PID namespace) forks is
# empty with the reason on stderr.  No scratch folder is left.
# Then SIGINT while it compiles: exit 130 within 20 s, nothing of its
# session left, no scratch folder.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/session.sh"
COL="$FORKLAB_ROOT/tests/tools/col.py"

for t in make gcc; do
	if [ ! -x "/usr/bin/$t" ]; then
		skip "build" "no /usr/bin/$t (scripts/install-deps.sh installs it)"
		exit 0
	fi
done
mkdir -p "$T_TMP/scratch"
run() { # OUT ARGS...
	local o=$1
	shift
	if ! TMPDIR="$T_TMP/scratch" "$FB" build "$@" --warmup 0 --format csv -o "$T_TMP/$o.csv" \
		2>"$T_TMP/$o.err"; then
		fail "build $*" "$(head -c 400 "$T_TMP/$o.err")"
		return 1
	fi
}
run u4 -j 1,2 --units 4 -n 2 || exit 1
run u1 -j 2 --units 1 -n 2 || exit 1
check_eq "no scratch folder left" "" "$(ls -A "$T_TMP/scratch")"
for r in "u4 make-j1 4" "u4 make-j2 4" "u1 make-j2 1"; do
	# shellcheck disable=SC2086 # three words
	set -- $r
	n=$("$COL" "$T_TMP/$1.csv" "$2" build iterations)
	check_eq "$2 --units $3: 2 builds" 2 "$n"
	f=$("$COL" "$T_TMP/$1.csv" "$2" build forks)
	s=$("$COL" "$T_TMP/$1.csv" "$2" build forks_system)
	if is_root; then
		check_eq "$2 --units $3: forks = 90 + 9 * ($3 + 1)" $((90 + 9 * ($3 + 1))) "$f"
		check_ge "$2 --units $3: /proc/stat's processes over the build >= its forks ($s)" \
			"${s%.*}" "${f:-1000000}"
	else
		check_eq "$2 --units $3: forks empty without root" "" "$f"
	fi
done
if ! is_root; then
	check_eq "forks n/a with the reason" 1 "$(grep -c 'forks n/a: no PID namespace' "$T_TMP/u4.err")"
fi
# The other way to the namespace's last PID (kernels without
# /proc/sys/kernel/ns_last_pid): a task started after the build, CLONE_VM.
if is_root; then
	FORKLAB_BUILD_PID_PROBE=1 run probe -j 2 --units 1 -n 1 &&
		check_eq "make-j2 --units 1, last PID from a CLONE_VM task: forks = 90 + 9 * 2" \
			$((90 + 9 * 2)) "$("$COL" "$T_TMP/probe.csv" make-j2 build forks)"
fi

# SIGINT while it compiles.
mkdir -p "$T_TMP/s2"
export TMPDIR="$T_TMP/s2"
if sess_start "build SIGINT" build -j 2 -n 1000 --warmup 0 --format csv -o "$T_TMP/int.csv"; then
	if sess_wait_for "$pid" ':(cc1|as|make)$' 60; then
		sess_stop "build SIGINT" INT 20
		check_eq "build SIGINT: exit status 130" 130 "$rc"
		sess_left "build SIGINT"
		check_eq "build SIGINT: no scratch folder left" "" "$(ls -A "$T_TMP/s2")"
	else
		fail "build SIGINT: make starts" "$(sess_procs "$pid"); $(head -c 300 "$T_TMP/err")"
		kill -KILL "$pid"
	fi
fi
