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
