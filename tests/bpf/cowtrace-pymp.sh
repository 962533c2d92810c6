#!/bin/sh
# cowtrace against the kernel's own accounting for a Python multiprocessing
# child (start method 'fork', Debian's /usr/bin/python3): the parent fills a
# 256 MiB bytearray, the child writes one byte of every page of its first
# quarter (16384 pages at 4 KiB) and reads its Private_Dirty
# (/proc/PID/smaps_rollup) before and after.  cowtrace's fork_copies for
# that child within 5 % of the Private_Dirty growth, and both at least the
# pages written.  SKIP without python3 or BPF.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/ct-lib.sh"
PY=/usr/bin/python3
MIB=256 PART=4

if [ ! -x "$PY" ]; then
	skip "python multiprocessing child" "no $PY (scripts/install-deps.sh)"
	exit 0
fi
ct_require
if ! "$CT" -f csv -o "$T_TMP/ct.csv" -- "$PY" -I "$FORKLAB_ROOT/bpf/tests/cowtrace-pymp.py" $MIB $PART \
	>"$T_TMP/py.out" 2>"$T_TMP/py.err"; then
	fail "python multiprocessing child under cowtrace" "$(tail -n 2 "$T_TMP/py.err")"
	exit 0
fi
line=$(cat "$T_TMP/py.out")
val() { echo "$line" | sed -n "s/.*\\b$1=\\([0-9]*\\).*/\\1/p"; }
pid=$(val pid) pages=$(val pages) before=$(val dirty_before_kb) after=$(val dirty_after_kb)
if [ -z "$pid" ] || [ -z "$pages" ] || [ -z "$before" ] || [ -z "$after" ]; then
	fail "the child's line" "got '$line'"
	exit 0
fi
check_eq "pages the child wrote" $((MIB * 1024 * 1024 / PART / $(getconf PAGESIZE))) "$pages"
dirty=$(((after - before) * 1024 / $(getconf PAGESIZE)))
# the child's process row (scope process, its pid), column fork_copies
copies=$(awk -F, -v p="$pid" '
	NR == 1 { for (i = 1; i <= NF; i++) if ($i == "fork_copies") c = i; next }
	$2 == "process" && $3 == p { print $c; exit }' "$T_TMP/ct.csv")
if [ -z "$copies" ]; then
	fail "cowtrace has a row for the child $pid" "$(head -c 300 "$T_TMP/ct.csv")"
	exit 0
fi
check_ge "the child's Private_Dirty grew by at least the pages written ($dirty >= $pages)" "$dirty" "$pages"
check_ge "cowtrace's fork_copies for the child at least the pages written ($copies >= $pages)" "$copies" "$pages"
d=$((copies > dirty ? copies - dirty : dirty - copies))
if [ $((d * 100)) -le $((dirty * 5)) ]; then
	pass "cowtrace's fork_copies within 5 % of the child's Private_Dirty growth ($copies vs $dirty pages, $(awk -v a="$copies" -v b="$dirty" 'BEGIN { printf "%.3f", a / b }'))"
else
	fail "cowtrace's fork_copies within 5 % of the child's Private_Dirty growth" "$copies vs $dirty pages ($pages written)"
fi
