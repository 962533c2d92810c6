#!/bin/sh
# In-guest: the heap scenario counted exactly and checked against the
# kernel's own counters.  cowtrace-pages maps M pages at 0x5eed10000000
# (selected with --range), writes them, forks; the child writes N (N copies:
# the parent still shares them), the parent writes K after the child exited
# (K reuses).  In the probe mode cowtrace picks (auto), and the exact
# per-role counts again in the other probe mode (kprobe, fentry):
#  - per role, exactly: child N faults / N copies / 0 reuses, parent K / 0 / K;
#  - whole tree against /proc/vmstat over the same interval: pgreuse counts
#    every wp_page_reuse in the system, so 0 <= pgreuse - cow_reuses <= 16
#    (the guest's shell is the rest; +-16 when reuses are derived), and the
#    patched kernel's cow_fault_copy is cow_copies +-16 (it leaves out
#    zero-page writes);
#  - patched kernel (vm.fork_copy_mode exists): eager mode (2) copies the
#    pages at fork, so no write-protect fault in the range at all, and
#    eager_copies in [M, M + 64] from the fork_copy_count probe (>= M where
#    derived from the vm events); stack mode (1) is cow for these
#    pages.  The sysctl is restored.
# POSIX sh (busybox ash).
. "$(dirname "$0")/../lib.sh"

P=$FORKLAB_BUILD/cowtrace-pages
R=0x5eed10000000-0x5eed20000000
M=3000 N=777 K=333
if [ ! -x "$CT" ] || [ ! -x "$P" ]; then
	fail cowtrace-heap "no $CT or $P (make static)"
	exit 0
fi

# roles FILE: "wp copies reuses / ..." of roles 0 and 1
roles() {
	_g=""
	for _r in 0 1; do
		for _c in wp_faults cow_copies cow_reuses; do
			_g="$_g $(ct_get "$1" role $_r $_c)"
		done
		_g="$_g /"
	done
	echo "$_g"
}

"$CT" -f csv -o "$T_TMP/a.csv" --range $R -- "$P" -m $M -n $N -k $K 2>"$T_TMP/a.err"
rc=$?
check_eq "cowtrace-heap: runs" 0 $rc
mode=$(ct_get "$T_TMP/a.csv" status "" mode)
echo "# auto mode: $mode"
check_eq "cowtrace-heap/$mode: parent K reuses / child N copies (wp copies reuses)" \
	" $K 0 $K / $N $N 0 /" "$(roles "$T_TMP/a.csv")"
# the other probe mode (forklab's kernel has both): the same exact counts
case $mode in
kprobe) other=fentry ;;
fentry) other=kprobe ;;
*) other="" ;;
esac
if [ -n "$other" ]; then
	if "$CT" --mode $other -f csv -o "$T_TMP/o.csv" --range $R -- "$P" -m $M -n $N -k $K 2>"$T_TMP/o.err"; then
		check_eq "cowtrace-heap/$other: parent K reuses / child N copies (wp copies reuses)" \
			" $K 0 $K / $N $N 0 /" "$(roles "$T_TMP/o.csv")"
	else
		fail "cowtrace-heap/$other: runs" "$(tail -n 1 "$T_TMP/o.err")"
	fi
fi

# the faults' time (do_wp_page entry to return) and the bytes copied.  TCG
# times follow the host's load (a ratio of two runs moved 4x-13x for 4x the
# copies), so the time is bounded, not compared: at least 200 ns per copy
# (a 4 KiB copy under TCG takes microseconds) and at most the wall time of
# the whole traced run (/proc/uptime, 10 ms ticks) -- an unset entry time
# or a fault never closed would break the one or the other; cow_bytes is
# cow_copies pages of 4096 bytes
uptime_cs() { read -r _u _ </proc/uptime; _u=${_u%.*}${_u#*.}; echo "${_u#0}"; }
if [ "$(ct_get "$T_TMP/a.csv" status "" wp_fault_ns)" = exact ]; then
	u0=$(uptime_cs)
	"$CT" -f csv -o "$T_TMP/t.csv" --range $R -- "$P" -m 2000 -n 1600 2>>"$T_TMP/a.err"
	u1=$(uptime_cs)
	t=$(ct_get "$T_TMP/t.csv" role 1 wp_fault_ns)
	wall=$(((u1 - u0 + 1) * 10000000))
	echo "# child's wp_fault_ns for 1600 copies: $t ns (the traced run: $wall ns of wall time at most)"
	case $t in
	'' | *[!0-9]*) fail "cowtrace-heap/$mode: wp_fault_ns of 1600 copies" "not a number: '$t'" ;;
	*)	if [ "$t" -ge $((1600 * 200)) ] && [ "$t" -le "$wall" ]; then
			pass "cowtrace-heap/$mode: wp_fault_ns of 1600 copies, 200 ns each to the run's wall time ($t)"
		else
			fail "cowtrace-heap/$mode: wp_fault_ns of 1600 copies" \
				"$t ns, not within $((1600 * 200))..$wall"
		fi ;;
	esac
	check_eq "cowtrace-heap/$mode: child's cow_bytes = 1600 x 4096" $((1600 * 4096)) \
		"$(ct_get "$T_TMP/t.csv" role 1 cow_bytes)"
else
	fail "cowtrace-heap/$mode: wp_fault_ns" "status '$(ct_get "$T_TMP/a.csv" status "" wp_fault_ns)', not exact"
fi

# against /proc/vmstat (whole tree, no --range)
"$CT" --vmstat -- "$P" -m $M -n $N -k $K 2>"$T_TMP/h.txt"
# human_total COLUMN FILE: the total row's value of COLUMN, by the header
human_total() {
	awk -v c="$1" '/^pid ppid role comm/ { for (i = 5; i <= NF; i++) if ($i == c) k = i - 4 }
		/^total/ && k { print $(k + 3); exit }' "$2"
}
reuses=$(human_total cow_reuses "$T_TMP/h.txt")
pgreuse=$(sed -n 's/.* pgreuse=\([0-9]*\).*/\1/p' "$T_TMP/h.txt")
# derived (wp_faults - cow_copies) also counts the few write faults that
# end in neither (a retried fault, a lost race): then +-16 both ways
lo=$reuses
grep -q '^cow_reuses *exact' "$T_TMP/h.txt" || lo=$((reuses - 16))
echo "# tree cow_reuses $reuses ($(sed -n 's/^cow_reuses *\([a-z]*\).*/\1/p' "$T_TMP/h.txt")), /proc/vmstat pgreuse delta $pgreuse"
if [ -n "$reuses" ] && [ -n "$pgreuse" ] && [ "$reuses" -ge $K ] &&
   [ "$pgreuse" -ge "$lo" ] && [ "$pgreuse" -le $((reuses + 16)) ]; then
	pass "cowtrace-heap: cow_reuses matches /proc/vmstat pgreuse ($reuses vs $pgreuse)"
else
	fail "cowtrace-heap: cow_reuses matches /proc/vmstat pgreuse" \
		"tree $reuses, pgreuse delta $pgreuse; $(tail -3 "$T_TMP/h.txt")"
fi
copy=$(sed -n 's/.* cow_fault_copy=\([0-9]*\).*/\1/p' "$T_TMP/h.txt")
if [ -n "$copy" ]; then
	copies=$(human_total cow_copies "$T_TMP/h.txt")
	# cow_copies counts wp_page_copy calls: also writes to the zero page
	# and lost races, which cow_fault_copy leaves out; +-16 both ways
	if [ "$copy" -ge $((copies - 16)) ] && [ "$copy" -le $((copies + 16)) ]; then
		pass "cowtrace-heap: cow_copies matches /proc/vmstat cow_fault_copy ($copies vs $copy)"
	else
		fail "cowtrace-heap: cow_copies matches /proc/vmstat cow_fault_copy" "tree $copies, vmstat $copy"
	fi
fi

# the patched kernel's modes
F=/proc/sys/vm/fork_copy_mode
if [ ! -w $F ]; then
	fail "cowtrace-heap/fork_copy_mode" "no $F: forklab's guest kernel lacks kernel-patch/"
	exit 0
fi
old=$(cat $F)
trap 'echo "$old" >$F; rm -rf "$T_TMP"' EXIT
echo 2 >$F
"$CT" -f csv -o "$T_TMP/e.csv" --range $R -- "$P" -m $M -n $N -k $K 2>"$T_TMP/e.err"
check_eq "cowtrace-heap/eager: no write-protect fault on the pages" " 0 0 0 / 0 0 0 /" \
	"$(roles "$T_TMP/e.csv")"
case $(ct_get "$T_TMP/e.csv" status "" eager_copies) in
exact)
	# fork_copy_count's probe: the parent's M pages and the few others
	# of its own (stack, data, bss) copied at its fork, nothing twice
	c=$(ct_get "$T_TMP/e.csv" role 0 eager_copies)
	echo "# cowtrace-heap/eager: eager_copies $c, M = $M"
	check_ge "cowtrace-heap/eager: eager_copies >= M" "$c" $M
	check_ge "cowtrace-heap/eager: eager_copies <= M + 64" $((M + 64)) "$c" ;;
unavailable) ;;
*)
	check_ge "cowtrace-heap/eager: eager_copies >= M" \
		"$(ct_get "$T_TMP/e.csv" role 0 eager_copies)" $M ;;
esac
echo 1 >$F
"$CT" -f csv -o "$T_TMP/s.csv" --range $R -- "$P" -m $M -n $N -k $K 2>"$T_TMP/s.err"
check_eq "cowtrace-heap/stack: heap pages still cow" " $K 0 $K / $N $N 0 /" "$(roles "$T_TMP/s.csv")"
echo "$old" >$F
