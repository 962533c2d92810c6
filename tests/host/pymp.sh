#!/bin/bash
# forkbench pymp: Python multiprocessing over a heap of small objects
# (Debian's python3).  In one run of every start method, with and without
# gc.freeze() (32 MiB, 2 iterations each):
#  - the fork child that walks the list (a reference count write per
#    object) has a Private_Dirty (smaps_rollup) within 5 % of the
#    prediction: the idle child's Private_Dirty plus the pages holding the
#    reference counts the walk writes (the script counts them from the
#    objects' addresses), the 5 % taken of the walked pages alone (about
#    8200 pages here; measured within 0.2 % of them);
#  - gc.collect() in a child dirties the heap without gc.freeze() (at least
#    90 % of the walk's pages) and not with it (under 10 %);
#  - every row has its 2 samples, first_result <= join.
# Then SIGINT in the middle of a run of spawn pools: forkbench exits 130
# within 20 s, and nothing of its session (python3, its pool workers, the
# forkserver) is left.  Skipped without /usr/bin/python3.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/session.sh"
COL="$FORKLAB_ROOT/tests/tools/col.py"

if [ ! -x /usr/bin/python3 ]; then
	skip "pymp" "no /usr/bin/python3 (scripts/install-deps.sh installs it)"
	exit 0
fi
if ! "$FB" pymp --heap 32M --start-method fork,forkserver,spawn --gc-freeze no,yes -n 2 \
	--warmup 0 --format csv -o "$T_TMP/p.csv" 2>"$T_TMP/err"; then
	fail "pymp runs" "$(head -c 400 "$T_TMP/err")"
	exit 1
fi
for m in fork forkserver spawn fork-gcfreeze forkserver-gcfreeze spawn-gcfreeze; do
	n=$("$COL" "$T_TMP/p.csv" "$m" first_result iterations)
	check_eq "$m: 2 samples" 2 "$n"
	f=$("$COL" "$T_TMP/p.csv" "$m" first_result median_ns)
	j=$("$COL" "$T_TMP/p.csv" "$m" join median_ns)
	if awk -v f="$f" -v j="$j" 'BEGIN { exit !(f > 0 && f <= j) }'; then
		pass "$m: 0 < first_result <= join ($f, $j ns)"
	else
		fail "$m: 0 < first_result <= join" "first_result '$f', join '$j'"
	fi
	b=$("$COL" "$T_TMP/p.csv" "$m" first_result base_dirty_kb)
	w=$("$COL" "$T_TMP/p.csv" "$m" first_result walk_dirty_kb)
	p=$("$COL" "$T_TMP/p.csv" "$m" first_result predicted_walk_kb)
	c=$("$COL" "$T_TMP/p.csv" "$m" first_result collect_dirty_kb)
	if awk -v b="$b" -v w="$w" -v p="$p" 'BEGIN { d = w - p; if (d < 0) d = -d
		exit !(p - b > 1000 && d <= 0.05 * (p - b)) }'; then
		pass "$m: the walking child's Private_Dirty within 5 % of the prediction ($w KiB vs $p KiB, idle child $b KiB)"
	else
		fail "$m: the walking child's Private_Dirty within 5 % of the prediction" \
			"walk '$w' KiB, predicted '$p' KiB, idle child '$b' KiB"
	fi
	case $m in
	*-gcfreeze) cond='c - b < 0.1 * (p - b)' what="under 10 % of the walk's pages" ;;
	*) cond='c - b >= 0.9 * (p - b)' what="at least 90 % of the walk's pages" ;;
	esac
	if awk -v b="$b" -v c="$c" -v p="$p" "BEGIN { exit !($cond) }"; then
		pass "$m: gc.collect() in a child dirties $what ($c KiB, idle $b KiB)"
	else
		fail "$m: gc.collect() in a child dirties $what" "collect '$c' KiB, idle '$b' KiB, walk predicted '$p' KiB"
	fi
done

# SIGINT while spawn pools come and go.
if sess_start "pymp SIGINT" pymp --heap 16M --start-method spawn -n 1000 --warmup 0 \
	--format csv -o "$T_TMP/int.csv"; then
	if sess_wait_for "$pid" ':python3' 30; then
		sleep 2
		before=$(sess_procs "$pid" | wc -w)
		sess_stop "pymp SIGINT" INT 20
		check_eq "pymp SIGINT: exit status 130" 130 "$rc"
		check_ge "pymp SIGINT: python3 was running ($before processes in the session)" "$before" 1
		sess_left "pymp SIGINT"
		check_eq "pymp SIGINT: the summary marked incomplete" 1 \
			"$(grep -c '^# incomplete: interrupted by SIGINT' "$T_TMP/int.csv")"
	else
		fail "pymp SIGINT: python3 starts" "$(sess_procs "$pid"); $(head -c 300 "$T_TMP/err")"
		kill -KILL "$pid"
	fi
fi
