#!/bin/sh
# Host (tracepoint mode): cowtrace counts the write-protect faults of a
# known workload (build/bpf/cowtrace-pages: M shared pages, the child
# writes N, the parent writes K after the child exited).
#
# Every process also faults on its own stack, .data, .bss and TLS pages
# (libc's after-fork bookkeeping); that allowance is measured here with
# N = K = 0 and asserted, as a tight bound, around N and K.  Measured on
# Debian 12 (glibc 2.36, dynamic), 6.18 host:
#   -p PID (attached after exec):  child N + 8, parent K + 12  (+-1)
#   -- COMMAND (exec counted too): child N + 7..8, parent K + 18..27
# (the parent's exec-time faults vary with page-cache state: asserted
# within the range of 5 baseline runs +- 6).  The allowances measured here
# are held to those figures too (-p: child 8, parent 12, +-2; COMMAND:
# child 7..8 +-2, parent 18..27 +-6), so that an offset added to every
# count does not cancel out of the comparison.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/ct-lib.sh"
ct_require

M=3000 N=777 K=333
P=$CT_PROG/cowtrace-pages

# ---- -p PID: attach after exec, release with SIGUSR1 -------------------
ct_attach "$T_TMP/b.csv" "$P" -w -m $M -n 0 -k 0
ct_attach "$T_TMP/r.csv" "$P" -w -m $M -n $N -k $K
bc=$(ct_get "$T_TMP/b.csv" role 1 wp_faults)
bp=$(ct_get "$T_TMP/b.csv" role 0 wp_faults)
check_eq "-p: mode is tracepoint on this host" tracepoint "$(ct_get "$T_TMP/r.csv" status "" mode)"
ct_within "-p: child allowance (N=0) is the measured 8 +-2" "$bc" 6 10
ct_within "-p: parent allowance (K=0) is the measured 12 +-2" "$bp" 10 14
c=$(ct_get "$T_TMP/r.csv" role 1 wp_faults)
p=$(ct_get "$T_TMP/r.csv" role 0 wp_faults)
ct_within "-p: child wp_faults = N $N + allowance $bc" "$c" $((N + bc - 1)) $((N + bc + 1))
ct_within "-p: parent wp_faults = K $K + allowance $bp" "$p" $((K + bp - 1)) $((K + bp + 1))
# the child shares every page with its live parent: copies; the parent
# writes after the child exited: reuses
ct_within "-p: child cow_copies ~ N" "$(ct_get "$T_TMP/r.csv" role 1 cow_copies)" $N $((N + bc + 1))
ct_within "-p: parent cow_reuses ~ K" "$(ct_get "$T_TMP/r.csv" role 0 cow_reuses)" $K $((K + bp + 1))
check_eq "-p: parent forked once" 1 "$(ct_get "$T_TMP/r.csv" role 0 forks)"
check_eq "-p: one TLB flush in the parent's fork" 1 "$(ct_get "$T_TMP/r.csv" role 0 tlb_flush_fork)"
check_eq "-p: two processes seen" 2 "$(ct_get "$T_TMP/r.csv" total "" procs)"
fns=$(ct_get "$T_TMP/r.csv" role 0 fork_ns)
ct_within "-p: parent fork_ns measured" "$fns" 1 1000000000

# ---- -- COMMAND: exec and startup counted too --------------------------
lo=999999 hi=0
for i in 1 2 3 4 5; do
	"$CT" -f csv -o "$T_TMP/cb$i.csv" -- "$P" -m $M -n 0 -k 0
	v=$(ct_get "$T_TMP/cb$i.csv" role 0 wp_faults)
	[ "$v" -lt "$lo" ] && lo=$v
	[ "$v" -gt "$hi" ] && hi=$v
	cb=$(ct_get "$T_TMP/cb$i.csv" role 1 wp_faults)
done
ct_within "COMMAND: parent allowance (K=0, 5 runs: $lo..$hi) is the measured 18..27 +-6, low end" "$lo" 12 33
ct_within "COMMAND: parent allowance (K=0, 5 runs: $lo..$hi) is the measured 18..27 +-6, high end" "$hi" 12 33
ct_within "COMMAND: child allowance (N=0) is the measured 7..8 +-2" "$cb" 5 10
"$CT" -f csv -o "$T_TMP/c.csv" -- "$P" -m $M -n $N -k $K
ct_within "COMMAND: child wp_faults = N $N + allowance $cb" \
	"$(ct_get "$T_TMP/c.csv" role 1 wp_faults)" $((N + cb - 1)) $((N + cb + 1))
ct_within "COMMAND: parent wp_faults = K $K + allowance $lo..$hi" \
	"$(ct_get "$T_TMP/c.csv" role 0 wp_faults)" $((K + lo - 6)) $((K + hi + 6))

# ---- --range: only the M pages (at 0x5eed10000000): exactly N and K -----
"$CT" -f csv -o "$T_TMP/x.csv" --range 0x5eed10000000-0x5eed20000000 -- "$P" -m $M -n $N -k $K
got=""
for role in 0 1; do
	for col in wp_faults cow_copies cow_reuses; do
		got="$got $(ct_get "$T_TMP/x.csv" role $role $col)"
	done
	got="$got /"
done
check_eq "--range: parent K reuses / child N copies (wp copies reuses)" \
	" $K 0 $K / $N $N 0 /" "$got"

# ---- --per-vma: the N pages are anonymous ------------------------------
"$CT" -V -f csv -o "$T_TMP/v.csv" -- "$P" -m $M -n $N -k $K
ct_within "--per-vma: child anon wp_faults ~ N" \
	"$(ct_get "$T_TMP/v.csv" role 1 vma_anon_wp_faults)" $N $((N + cb))
