#!/usr/bin/env bash
# VM tier, opt-in (make test-debian-apps; about 30 min under TCG): the
# applications in forklab's kernel on the Debian 12 userland, in every fork
# mode: ./run-all.sh --vm --debian with configs/matrix/debian.conf (Debian's
# redis-server, python3, postgresql, make and gcc), then what each mode must
# do to their counts (cowtrace in fentry or kprobe mode, exact in this kernel; per
# iteration):
#   apps/run                 every cell ran (12), none refused, the report made
#   apps/redis/MODE/no-copy-at-fork
#                            eager_copies 0 in every mode: Redis has threads
#                            (bio, jemalloc), and stack and eager copy only in
#                            a single-threaded parent: its BGSAVE fork runs as
#                            cow (fork_copy_threaded)
#   apps/redis/MODE/one-flush-per-fork
#                            tlb_flush_fork = 1 per BGSAVE: write-protected, as cow
#   apps/redis/MODE/cow-size Redis's own rdb_last_cow_size (the BGSAVE child's
#                            Private_Dirty at its end) within 5 % of the pages
#                            private to the child per BGSAVE x 4 KiB: the
#                            originals of the server's fork-caused copies (the
#                            SET load), every page the child copied (cow_copies:
#                            fork-shared, private-file and zero-page pages are
#                            all private to it after), and its reuses (Redis's
#                            figure is the median of the iterations, cowtrace's
#                            their sum).  Measured 0.967-1.019 in three guest
#                            runs (9 cells); counting only the child's
#                            fork-caused copies instead gave 0.999-1.078
#                            (one BGSAVE 1.141): the child's 30-50 copies of
#                            private-file and zero pages per BGSAVE are in
#                            Redis's figure too
#   apps/pymp/eager/children-no-fork-cow
#                            child_fork_copies 0: eager gave each worker its
#                            own copy of every page, none is shared to write
#   apps/pymp/eager/no-flush, apps/build/eager/no-flush
#                            tlb_flush_fork 0: an eager fork write-protects nothing
#   apps/pymp/cow/no-copy-at-fork, apps/build/cow/no-copy-at-fork
#                            eager_copies 0 in cow mode
#   apps/pgbench/MODE/rows   the select and select-connect rows in each mode
#   apps/build/MODE/forks    108 tasks per build in its PID namespace (90 + 9
#                            per source, as tests/host/build.sh counts them),
#                            and cowtrace's address-space forks at most one
#                            more (the namespace's first process)
#   apps/APP/MODE/vmstat/*, apps/vmstat/sources/*
#                            cowtrace's counts against the kernel's own
#                            /proc/vmstat counters over the same windows
#                            (forkbench's vmstat_ columns), never a counter
#                            against itself: tests/tools/vmstat_check.py
#                            (copies vs cow_fault_copy, reuses vs pgreuse,
#                            flushed or skipped forks, fork_copy_threaded as
#                            each application's threads predict, pgbench's
#                            connections = the postmaster's traced forks)
# FORKLAB_DEBIAN_APPS_RUN=DIR checks a finished run folder instead of making
# one.  Skips (never fails) when the Debian image cannot be built here.
. "$(dirname "$0")/../lib.sh"
cd "$FORKLAB_ROOT" || exit 1
if [ "${FORKLAB_DEBIAN_APPS:-0}" != 1 ]; then
	echo "the applications in the Debian guest are opt-in (about 30 min under TCG): make test-debian-apps"
	exit 77
fi
run=${FORKLAB_DEBIAN_APPS_RUN:-}
if [ -z "$run" ]; then
	is_root || { echo "the Debian image needs root (mmdebstrap)"; exit 77; }
	command -v mmdebstrap >/dev/null || { echo "no mmdebstrap (scripts/install-deps.sh)"; exit 77; }
	run=$FORKLAB_BUILD/debian-apps/run-$(date +%Y%m%d-%H%M%S)
	t0=$SECONDS
	rc=0
	./run-all.sh --vm --debian --out "$run" >"$T_TMP/log" 2>&1 || rc=$?
	if [ $rc != 0 ]; then
		if grep -q 'no Debian image' "$T_TMP/log"; then
			grep -m1 'no Debian image' "$T_TMP/log"
			exit 77
		fi
		fail apps/run "run-all.sh --vm --debian exit $rc: $(tail -n 1 "$T_TMP/log")"
		echo "# $run"
		exit 0
	fi
	echo "# run-all.sh --vm --debian: $((SECONDS - t0)) s, $run"
fi

ncells=0
for f in "$run"/cells/*.csv; do
	case $f in *.samples.csv) ;; *) [ -f "$f" ] && ncells=$((ncells + 1)) ;; esac
done
want=$((3 * $(grep -c '^cell-modes ' configs/matrix/debian.conf) + $(grep -c '^cell ' configs/matrix/debian.conf)))
if [ "$ncells" = "$want" ] && [ ! -s "$run/refused.txt" ] && [ -f "$run/report.md" ]; then
	pass "apps/run ($ncells cells, report)"
else
	fail apps/run "$ncells of $want cells, refused: $(head -c 200 "$run/refused.txt" 2>/dev/null), report: $(ls "$run/report.md" 2>/dev/null)"
fi

# v CELL METHOD METRIC COLUMN: the value per iteration (integer division:
# the counts are sums over the cell's iterations), or the raw value with -r.
v() {
	_raw=0
	[ "$1" = -r ] && { _raw=1; shift; }
	_f=$run/cells/$1.csv
	_x=$(python3 tests/tools/col.py "$_f" "$2" "$3" "$4" 2>/dev/null) || { echo none; return; }
	[ -n "$_x" ] || { echo empty; return; }
	if [ $_raw = 1 ]; then echo "$_x"; return; fi
	_n=$(python3 tests/tools/col.py "$_f" "$2" "$3" iterations)
	python3 -c "import sys; x, n = float(sys.argv[1]), int(sys.argv[2]); print(f'{x / n:g}')" "$_x" "$_n"
}

for m in cow stack eager; do
	check_eq "apps/redis/$m/no-copy-at-fork" 0 "$(v "redis@$m" bgsave fork eager_copies)"
	check_eq "apps/redis/$m/one-flush-per-fork" 1 "$(v "redis@$m" bgsave fork tlb_flush_fork)"
	cow=$(v -r "redis@$m" bgsave fork rdb_last_cow_size)
	pages=$(python3 -c "import sys; print(f'{sum(map(float, sys.argv[1:])):g}')" \
		"$(v "redis@$m" bgsave fork parent_fork_copies)" "$(v "redis@$m" bgsave fork child_cow_copies)" \
		"$(v "redis@$m" bgsave fork child_fork_reuses)" 2>/dev/null)
	r=$(python3 -c "import sys; print(f'{float(sys.argv[1]) / (float(sys.argv[2]) * 4096):.3f}')" "$cow" "$pages" 2>/dev/null)
	if python3 -c "import sys; sys.exit(not 0.95 <= float(sys.argv[1]) <= 1.05)" "$r" 2>/dev/null; then
		pass "apps/redis/$m/cow-size (rdb_last_cow_size $cow B = $r x $pages pages)"
	else
		fail "apps/redis/$m/cow-size" "rdb_last_cow_size '$cow' B vs the child's private pages '$pages' x 4 KiB: ratio '$r', expected 0.95..1.05"
	fi
	for meth in select select-connect; do
		x=$(v -r "pgbench@$m" "$meth" latency median_ns)
		case $x in '' | none | empty) fail "apps/pgbench/$m/rows" "no $meth latency row" ;; *) pass "apps/pgbench/$m/rows ($meth)" ;; esac
	done
done
check_eq apps/pymp/eager/children-no-fork-cow 0 "$(v pymp@eager fork first_result child_fork_copies)"
check_eq apps/pymp/eager/no-flush 0 "$(v pymp@eager fork first_result tlb_flush_fork)"
check_eq apps/pymp/cow/no-copy-at-fork 0 "$(v pymp@cow fork first_result eager_copies)"
check_eq apps/build/eager/no-flush 0 "$(v build@eager make-j2 build tlb_flush_fork)"
for m in cow stack eager; do
	# the tasks of one build in its PID namespace: tests/host/build.sh's
	# count at --units 1 (debian.conf), the same dash, make and gcc
	f=$(v -r "build@$m" make-j2 build forks)
	check_eq "apps/build/$m/forks (90 + 9 x 2 tasks per build)" 108 "$f"
	# the forks that copied an address space (cowtrace): the build's own,
	# and forkbench's clone of the namespace's first process
	check_ge "apps/build/$m/mm-forks <= tasks + 1" $((${f%.*} + 1)) \
		"$(v "build@$m" make-j2 build phase_forks | sed 's/\..*//')"
done
check_eq apps/build/cow/no-copy-at-fork 0 "$(v build@cow make-j2 build eager_copies)"
python3 tests/tools/vmstat_check.py "$run" || fail apps/vmstat "tests/tools/vmstat_check.py exit $?"
echo "# $run"
