#!/bin/sh
# Host (tracepoint mode): cowtrace tells fork-caused COW (fork_faults,
# fork_copies, fork_reuses: anonymous pages a fork shared) apart from
# private-file COW (file_copies: first writes to a private file mapping,
# such as a program's relocations and .data after exec) and the rest.
#  - programs that never fork show 0 fork-caused COW, and their exec-time
#    writes as file COW;
#  - the known workload (cowtrace-pages: the child writes N of M shared
#    pages, the parent K after the child exited) puts exactly N copies and
#    K reuses in the fork columns with --range, and N + the child's
#    allowance without it;
#  - the seed case's 3 copies and 1 reuse are all fork-caused.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/ct-lib.sh"
ct_require

# ct_sum FILE COLUMN...: "a b ..." the total row's values of the columns
ct_sum() {
	_f=$1
	shift
	_o=""
	for _c in "$@"; do
		_o="$_o $(ct_get "$_f" total "" "$_c")"
	done
	echo "${_o# }"
}

# ---- programs that do not fork: no fork-caused COW ---------------------
for prog in /bin/true "/usr/bin/python3 -c pass"; do
	# shellcheck disable=SC2086 # the program and its arguments
	"$CT" -f csv -o "$T_TMP/n.csv" -- $prog
	check_eq "$prog: forks, fork_faults, fork_copies, fork_reuses" "0 0 0 0" \
		"$(ct_sum "$T_TMP/n.csv" forks fork_faults fork_copies fork_reuses)"
	ct_within "$prog: its exec-time writes are file COW" \
		"$(ct_get "$T_TMP/n.csv" total "" file_copies)" 1 100000
done

# ---- the known workload: N copies and K reuses, all fork-caused ---------
M=3000 N=777 K=333
P=$CT_PROG/cowtrace-pages
"$CT" -f csv -o "$T_TMP/x.csv" --range 0x5eed10000000-0x5eed20000000 -- "$P" -m $M -n $N -k $K
got=""
for role in 0 1; do
	for col in fork_faults fork_copies fork_reuses file_copies other_faults; do
		got="$got $(ct_get "$T_TMP/x.csv" role $role $col)"
	done
	got="$got /"
done
check_eq "--range: parent K reuses / child N copies, fork-caused (fork_faults copies reuses file other)" \
	" $K 0 $K 0 0 / $N $N 0 0 0 /" "$got"

"$CT" -f csv -o "$T_TMP/b.csv" -- "$P" -m $M -n 0 -k 0
"$CT" -f csv -o "$T_TMP/c.csv" -- "$P" -m $M -n $N -k $K
bc=$(ct_get "$T_TMP/b.csv" role 1 fork_copies)
ct_within "child's own fork copies (N=0: stack, libc data, TLS) are few" "$bc" 1 16
ct_within "child fork_copies = N $N + its allowance $bc" \
	"$(ct_get "$T_TMP/c.csv" role 1 fork_copies)" $((N + bc - 2)) $((N + bc + 2))
check_eq "child: no file COW (it never execs)" 0 "$(ct_get "$T_TMP/c.csv" role 1 file_copies)"
ct_within "parent fork_reuses >= K" "$(ct_get "$T_TMP/c.csv" role 0 fork_reuses)" $K $((K + 30))
ct_within "parent's exec-time writes are file COW" \
	"$(ct_get "$T_TMP/c.csv" role 0 file_copies)" 1 100

# ---- tracepoint mode keeps a VMA only while the mm's map is unchanged ---
# The child writes N shared pages, unmaps them, maps an anonymous page
# elsewhere (which may take the old VMA's memory) and a private file over
# the same addresses, then writes each file page: the first is file COW,
# the rest fork-classed file faults (the VMA has an anon_vma by then: what
# tracepoint mode cannot tell apart, docs/cowtrace.md).  A VMA kept past
# the unmap would make all N fork_faults of an anonymous mapping.
dd if=/dev/zero of="$T_TMP/file" bs=4096 count=$N status=none
"$CT" -m tracepoint -f csv -o "$T_TMP/r.csv" --range 0x5eed10000000-0x5eed20000000 -- \
	"$P" -m $M -n $N -r "$T_TMP/file"
got=""
for col in fork_faults fork_copies file_copies fork_file_faults other_faults; do
	got="$got $(ct_get "$T_TMP/r.csv" role 1 $col)"
done
check_eq "remapped pages: fork_faults fork_copies file_copies fork_file_faults other_faults" \
	" $((2 * N - 1)) $((2 * N - 1)) 1 $((N - 1)) 0" "$got"

# ---- and costs no interrupt per fault ----------------------------------
# bpf_find_vma in page_fault_user (interrupts off) releases the mmap_lock
# through an irq_work: one self-IPI (IWI) per call.  The kept VMA makes it
# one call per VMA: a child writing 16384 shared pages costs a few, not
# 16384 (/proc/interrupts, x86).
iwi() { awk '/^ *IWI:/ { s = 0; for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i; print s }' /proc/interrupts; }
if [ -n "$(iwi)" ]; then
	i0=$(iwi)
	"$CT" -m tracepoint -f csv -o "$T_TMP/i.csv" --range 0x5eed10000000-0x5eed20000000 -- \
		"$P" -m 16384 -n 16384
	i1=$(iwi)
	check_eq "16384 traced copies: child fork_copies" 16384 "$(ct_get "$T_TMP/i.csv" role 1 fork_copies)"
	ct_within "16384 traced copies: irq_work interrupts (a few; 16384 were one per fault)" \
		$((i1 - i0)) 0 512
else
	skip "irq_work interrupts" "/proc/interrupts has no IWI line on this machine"
fi

# ---- the seed case: every copy and reuse is fork-caused ----------------
"$CT" -f csv -o "$T_TMP/s.csv" --range 0x5eed00000000-0x5eed00001000 -- "$CT_PROG/cowtrace-seed"
check_eq "seed: fork_faults fork_copies fork_reuses file_copies other_faults" "4 3 1 0 0" \
	"$(ct_sum "$T_TMP/s.csv" fork_faults fork_copies fork_reuses file_copies other_faults)"

# ---- the human table leads with the fork-caused numbers ----------------
"$CT" -- "$P" -m 100 -n 10 2>"$T_TMP/h.txt"
if grep -qE '^pid ppid role comm +fork_copies +fork_reuses +forks +wp_faults ' "$T_TMP/h.txt"; then
	pass "human: fork_copies and fork_reuses lead the table"
else
	fail "human: fork_copies and fork_reuses lead the table" "$(grep '^pid' "$T_TMP/h.txt")"
fi
