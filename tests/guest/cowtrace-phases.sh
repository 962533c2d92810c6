#!/bin/sh
# In-guest: where fork's time goes (docs/cowtrace.md, "Where fork's time
# goes").  The guest kernel has kprobes and fentry, so the phase counters
# (copy_process split into the VMA tree duplication, the page-table copy,
# anon_vma_fork, dup_mmap's TLB flush and the rest) are exact in both modes:
#  - cowtrace -f csv, kprobe and fentry: status exact, every fork of the
#    parent attributed (phase_forks = forks), the five phases sum to the
#    traced fork time (phase_fork_ns, copy_process entry to return) within
#    5 %, and the four inside dup_mmap to fork_ns (dup_mmap entry to
#    return, timed by reads of the clock of its own) within 10 %, each
#    over 12 forks; three runs per mode, the last check on the run of least
#    phase_fork_ns (under TCG on a loaded host, a clock read that waits for
#    the emulator, or a vCPU descheduled, puts milliseconds between two
#    reads of the clock next to each other in the guest: single runs
#    measured 0.2 to 13 % apart; counting copy_page_range twice adds about
#    45 %);
#  - tracepoint mode: unavailable, with the reason, the fields empty;
#  - forkbench vmas --trace, parents of two heap sizes (4M, 64M) and two
#    VMA counts (100, 1000), six single-fork rows of each in one run: per
#    row the phases sum to phase_fork_ns within 5 % and the traced time is
#    at most forkbench's own timing of the call; from the least of each
#    cell's six forks (a host that deschedules the vCPU only ever adds
#    time, and on a loaded host sums over five forks varied fivefold),
#    page-table-copy time grows with the heap (64M over 4M at 100 VMAs:
#    >= 1.5; the heap is 15 times the PTEs; at 1000 VMAs, where a
#    thousand calls of copy_page_range add their fixed cost, printed, not
#    checked) and the VMA phase with the VMA count (1000 over 100, each
#    heap: >= 1.5).
# Under TCG times are not performance: only sums, and ratios within one
# boot, are checked.  POSIX sh (busybox ash).
. "$(dirname "$0")/../lib.sh"

PH="phase_vma_ns phase_pgtable_ns phase_anon_vma_ns phase_tlb_ns phase_rest_ns"

# fb_get FILE METHOD HEAP_BYTES COLUMN: a forkbench CSV field of the fork row
fb_get() {
	awk -F, -v m="$2" -v h="$3" -v c="$4" '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$2 == m && $4 == h && $(col["metric"]) == "fork" {
			print (c in col ? $(col[c]) : "no-column-" c); exit }' "$1"
}

# fb_parent FILE METHOD HEAP_BYTES COLUMN: its parent_COLUMN
fb_parent() {
	fb_get "$1" "$2" "$3" "parent_$4"
}

# within NAME A B PCT: |A - B| <= PCT % of B, both numbers
within() {
	if awk -v a="$2" -v b="$3" -v p="$4" 'BEGIN {
		d = a - b; if (d < 0) d = -d
		exit !(a ~ /^[0-9]+$/ && b ~ /^[0-9]+$/ && b > 0 && d * 100 <= p * b) }'; then
		pass "$1 ($2 vs $3)"
	else
		fail "$1" "$2 vs $3: more than $4 % apart (or not numbers)"
	fi
}

# ratio_ge NAME A B MIN: A / B >= MIN
ratio_ge() {
	if awk -v a="$2" -v b="$3" -v m="$4" 'BEGIN { exit !(b > 0 && a / b >= m) }'; then
		pass "$1 ($(awk -v a="$2" -v b="$3" 'BEGIN { printf "%.2f", a / b }'))"
	else
		fail "$1" "$2 / $3 is below $4"
	fi
}

# sum_phases GETTER ARGS...: the sum of the five phases (GETTER ARGS... COLUMN)
sum_phases() {
	_s=0
	for _c in $PH; do
		_v=$("$@" "$_c")
		_s=$(awk -v a="$_s" -v b="$_v" 'BEGIN { printf "%.0f", a + b }')
	done
	echo "$_s"
}

if [ ! -x "$CT" ] || [ ! -x "$FB" ]; then
	fail cowtrace-phases "no $CT or $FB (make static)"
	exit 0
fi

# ---- cowtrace's own reports, per probe mode, three runs each
for mode in kprobe fentry; do
	least="" least_t=""
	for k in 1 2 3; do
		f=$T_TMP/$mode$k.csv
		if ! "$CT" -m $mode -f csv -o "$f" -- \
			"$FB" vmas --vmas 100 --heap 16M -n 10 --warmup 2 >/dev/null 2>"$T_TMP/$mode.err"; then
			fail "cowtrace-phases/$mode: runs" "$(tail -n 1 "$T_TMP/$mode.err")"
			continue
		fi
		check_eq "cowtrace-phases/$mode ($k): phase_fork_ns exact" exact \
			"$(ct_get "$f" status "" phase_fork_ns)"
		forks=$(ct_get "$f" role 0 forks)
		check_eq "cowtrace-phases/$mode ($k): every fork of the parent attributed (phase_forks = forks)" \
			"$forks" "$(ct_get "$f" role 0 phase_forks)"
		check_ge "cowtrace-phases/$mode ($k): forks" "$forks" 12
		for c in $PH; do
			check_ge "cowtrace-phases/$mode ($k): $c > 0" "$(ct_get "$f" role 0 "$c")" 1
		done
		t=$(ct_get "$f" role 0 phase_fork_ns)
		within "cowtrace-phases/$mode ($k): the phases sum to phase_fork_ns within 5 %" \
			"$(sum_phases ct_get "$f" role 0)" "$t" 5
		if [ -z "$least" ] || [ "$t" -lt "$least_t" ]; then
			least=$f least_t=$t
		fi
	done
	[ -n "$least" ] || continue
	in_dup=$(awk -v a="$(ct_get "$least" role 0 phase_vma_ns)" -v b="$(ct_get "$least" role 0 phase_pgtable_ns)" \
		-v c="$(ct_get "$least" role 0 phase_anon_vma_ns)" -v d="$(ct_get "$least" role 0 phase_tlb_ns)" \
		'BEGIN { printf "%.0f", a + b + c + d }')
	within "cowtrace-phases/$mode: the phases inside dup_mmap sum to fork_ns within 10 % (the run of least phase_fork_ns)" \
		"$in_dup" "$(ct_get "$least" role 0 fork_ns)" 10
done

"$CT" -m tracepoint -f csv -o "$T_TMP/tp.csv" -- "$FB" vmas --vmas 100 -n 2 --warmup 0 \
	>/dev/null 2>"$T_TMP/tp.err"
check_eq "cowtrace-phases/tracepoint: phase_fork_ns unavailable, the fields empty" \
	"unavailable  " \
	"$(ct_get "$T_TMP/tp.csv" status "" phase_fork_ns) $(ct_get "$T_TMP/tp.csv" role 0 phase_fork_ns) $(ct_get "$T_TMP/tp.csv" role 0 phase_pgtable_ns)"
"$CT" -m tracepoint -- true 2>"$T_TMP/tp.txt"
if grep -q '^phase_fork_ns *unavailable *tracepoint mode (asked for): needs kprobe or fentry on copy_process' \
	"$T_TMP/tp.txt"; then
	pass "cowtrace-phases/tracepoint: the status line says why"
else
	fail "cowtrace-phases/tracepoint: the status line says why" "$(grep phase_fork_ns "$T_TMP/tp.txt")"
fi

# ---- forkbench --trace: two heap sizes, two VMA counts, R forks of each
# One run, its heap list the two sizes R times over: R rows per (heap, VMA
# count) cell, one measured fork each (-n 1, after one unmeasured).
H1=4194304 H2=67108864 V1=100 V2=1000 R=6
heaps=$(awk -v r=$R 'BEGIN { for (i = 0; i < r; i++) printf "%s4M,64M", i ? "," : "" }')
B=$T_TMP/fb.csv
if ! "$FB" vmas --vmas $V1,$V2 --heap "$heaps" -n 1 --warmup 1 --trace --format csv -o "$B" \
	2>"$T_TMP/fb.err"; then
	fail "cowtrace-phases/forkbench: runs" "$(tail -n 1 "$T_TMP/fb.err")"
	exit 0
fi
# every fork row: its phases sum to phase_fork_ns within 5 %, its one fork
# attributed, the traced time at most forkbench's timing of the call
awk -F, -v ph="$PH" '
	NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; n = split(ph, p, " "); next }
	$(col["metric"]) != "fork" { next }
	{
		rows++
		t = $(col["parent_phase_fork_ns"]); s = 0
		for (i = 1; i <= n; i++) s += $(col["parent_" p[i]])
		d = s - t; if (d < 0) d = -d
		if (t > 0 && d * 100 <= 5 * t) sum++
		else print "# sum off: " $2 " heap " $4 ": " s " vs " t
		if ($(col["parent_phase_forks"]) == 1) one++
		if (t <= $(col["mean_ns"]) * $(col["iterations"])) inside++
	}
	END { printf "%d %d %d %d\n", rows, sum, one, inside }' "$B" >"$T_TMP/rows"
grep '^#' "$T_TMP/rows"
got=$(grep -v '^#' "$T_TMP/rows")
all=$((4 * R))
check_eq "cowtrace-phases/forkbench: $all fork rows, each: phases sum to the traced fork time within 5 %, its fork attributed, traced time <= the call's" \
	"$all $all $all $all" "$got"

# fb_min METHOD HEAP_BYTES PHASE: the least of the cell's R forks' parent_PHASE
fb_min() {
	awk -F, -v m="$1" -v h="$2" -v c="parent_$3" '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$2 == m && $4 == h && $(col["metric"]) == "fork" {
			v = $(col[c]); if (!k++ || v < min) min = v }
		END { print min }' "$B"
}
for h in $H1 $H2; do
	for v in $V1 $V2; do
		echo "# vmas$v heap $h, least of $R forks: $(for c in $PH; do printf '%s %s ' "$c" "$(fb_min "vmas$v" "$h" "$c")"; done)"
	done
done
ratio_ge "cowtrace-phases/forkbench vmas$V1: page-table copy 64M over 4M >= 1.5 (least of $R forks each)" \
	"$(fb_min "vmas$V1" $H2 phase_pgtable_ns)" "$(fb_min "vmas$V1" $H1 phase_pgtable_ns)" 1.5
echo "# vmas$V2: page-table copy 64M over 4M $(awk -v a="$(fb_min "vmas$V2" $H2 phase_pgtable_ns)" \
	-v b="$(fb_min "vmas$V2" $H1 phase_pgtable_ns)" 'BEGIN { if (b > 0) printf "%.2f", a / b }') (not checked)"
for h in $H1 $H2; do
	ratio_ge "cowtrace-phases/forkbench heap $h: VMA phase $V2 over $V1 VMAs >= 1.5 (least of $R forks each)" \
		"$(fb_min "vmas$V2" "$h" phase_vma_ns)" "$(fb_min "vmas$V1" "$h" phase_vma_ns)" 1.5
done
