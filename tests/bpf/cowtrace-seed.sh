#!/bin/sh
# Host (tracepoint mode): the nested seed case (build/bpf/cowtrace-seed:
# A forks B, B forks C and D, one shared page written D, C, B, A) counted
# exactly: 4 write faults, 3 copies, 1 reuse; by role A 1 reuse, B 1 copy,
# C+D 2 copies.  --range limits counting to the seed page (every process
# also faults on its own stack/.data/TLS, in an order the scheduler picks).
# In tracepoint mode copies are derived from wp_page_copy's one-page TLB
# flush; the guest test tests/guest/cowtrace-seed.sh checks kprobe mode.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/ct-lib.sh"
ct_require

S=$CT_PROG/cowtrace-seed
R=0x5eed00000000-0x5eed00001000

for run in 1 2 3; do
	"$CT" -f csv -o "$T_TMP/s.csv" --range $R -- "$S"
	rc=$?
	check_eq "seed run $run: exit status" 0 $rc
	got=""
	for col in wp_faults cow_copies cow_reuses; do
		got="$got $(ct_get "$T_TMP/s.csv" total "" $col)"
	done
	check_eq "seed run $run: total wp_faults, cow_copies, cow_reuses" " 4 3 1" "$got"
	got=""
	for role in 0 1 2; do
		for col in procs wp_faults cow_copies cow_reuses; do
			got="$got $(ct_get "$T_TMP/s.csv" role $role $col)"
		done
		got="$got /"
	done
	check_eq "seed run $run: per role (procs wp copies reuses): A / B / C+D" \
		" 1 1 0 1 / 1 1 1 0 / 2 2 2 0 /" "$got"
done

# the same processes reading instead of writing: nothing in the range
"$CT" -f csv -o "$T_TMP/z.csv" --range $R -- "$S" -0
got=""
for col in procs wp_faults cow_copies cow_reuses; do
	got="$got $(ct_get "$T_TMP/z.csv" total "" $col)"
done
check_eq "seed baseline (-0): 4 processes, no fault in the range" " 4 0 0 0" "$got"
