#!/bin/sh
# In-guest: the kernel's own mm selftests (tools/testing/selftests/mm of the
# 6.12 tree, built by scripts/kernel/selftests.sh; cow itself is
# forkmode-selftest-cow.sh's) in cow, stack and eager mode (vm.fork_copy_mode
# 0, 1, 2), set up as selftests/mm/run_vmtests.sh does.  Every program's
# result per case (a TAP line, a uffd-unit-tests "Testing ..." line, a
# khugepaged check line) and its exit status in stack and eager mode is
# compared with cow mode's:
#   FAIL  a case (or a program) that passes in cow mode and fails, skips,
#         times out or is missing in another mode, unless the
#         expected-differences table below explains it; only a program of
#         the FLAKY list gets a second run (in any mode, cow too) and passes
#         if that run gives cow mode's results; failing twice fails
#   FAIL  a case failing in cow mode that is not a known stock failure
#   SKIP  a case failing in cow mode that fails on the stock kernel too
#         (the known-stock-failures table below gives the reason)
#   FAIL  a kernel warning, BUG, lockdep or page_table_check report in the
#         kernel log while a program ran (any mode)
#   PASS  one per program: every mode gave what cow gave
# On a kernel without vm.fork_copy_mode (stock) it runs once, mode "stock".
#
#   forkmode-selftests-mm.sh            make test form (about 4 minutes under TCG)
#   forkmode-selftests-mm.sh --full     every program, long ones too (make
#                                       vm-selftests; about an hour under TCG)
#
# Figures: selftests-mm-<mode> (programs) and selftests-mm-<mode>-cases,
# with -full appended for --full.  Sysctls and THP settings it touches are
# restored.
. "$(dirname "$0")/../lib.sh"
# the figures are printed at the end, only when no check failed
fail() { echo "FAIL: $1: $2"; : >"$T_TMP/failed"; }
FULL=0
[ "${1:-}" = --full ] && FULL=1
D=$FORKLAB_BUILD/kernel-selftests
built=$D/mm-selftests-build.txt
[ -f "$built" ] || { echo "FAIL: forkmode-selftests-mm/setup: no $built in this initramfs (make kernel-selftests)"; exit 1; }

# The runs: ID TIER LIMIT SETUP PROGRAM ARGS...  (run_vmtests.sh's
# invocations; bounds allow for the DEBUG_VM/PROVE_LOCKING guest kernel,
# 3-5 times slower than a plain one).  TIER q: both forms, f: --full only.  The make test form
# keeps the programs that fork (fork_copy_mode matters only there) and
# take a few seconds; f are the programs that do not fork and take 4 s or
# more under TCG, the forking ones that take 15 s to 100 s on the debug
# kernel (uffd-stress anon, ksm_functional_tests, protection_keys), and
# the long ones (ksm -H/-P, khugepaged, compaction, split_huge_page_test,
# transhuge-stress 20 s, hugetlb and shmem uffd-stress, uffd-unit-tests in
# full: 70 s to over 7 minutes each).  LIMIT: seconds before the program's
# process group is killed.  SETUP (comma-separated, - for none):
#   huge      128 hugetlb pages (256 MB) reserved; without it none are
#   huge1     exactly one hugetlb page
#   shm       shmmax 256 MB, shmall 4194304
#   overcommit  vm.overcommit_memory=1
#   norandbrk   kernel.randomize_va_space=1: no brk randomization (on
#               x86-64 it places the heap anywhere in the first GiB, and
#               6.12's uffd tests map shmem at a fixed 1 GiB hint that a
#               heap grown past it occupies: "mmap of memfd failed at
#               0x40000000", a flake seen once in eager mode here)
#   nobody    run as uid/gid 65534 (on-fault-limit checks RLIMIT_MEMLOCK)
# One change from run_vmtests.sh: ksm_tests -H and -P get -l 600 (KSM scan
# time limit, default 120 s): under TCG on a busy host 100 MB take longer.
RUNS='
hugepage-mmap            f  120 huge  hugepage-mmap
hugepage-shm             f  120 huge,shm hugepage-shm
map_hugetlb              f  120 huge  map_hugetlb
hugepage-mremap          q  120 huge  hugepage-mremap
hugepage-vmemmap         q  120 huge  hugepage-vmemmap
hugetlb-madvise          f  120 huge  hugetlb-madvise
hugetlb_dio              q  120 huge  hugetlb_dio
hugetlb_fault_after_madv f 120 huge1 hugetlb_fault_after_madv
hugetlb_madv_vs_map      q  120 huge1 hugetlb_madv_vs_map
map_fixed_noreplace      q  120 -     map_fixed_noreplace
gup_test-u               q  120 -     gup_test -u
gup_test-a               q  120 -     gup_test -a
gup_test-ct              q  120 -     gup_test -ct -F 0x1 0 19 0x1000
gup_longterm             q  120 huge  gup_longterm
uffd-unit-tests-wp-fork  q 240 huge,norandbrk uffd-unit-tests -f wp-fork
uffd-unit-tests          f 1200 huge,norandbrk uffd-unit-tests
uffd-stress-anon         f  180 -     uffd-stress anon 20 16
uffd-stress-hugetlb      f 600 huge  uffd-stress hugetlb 128 32
uffd-stress-hugetlb-private f 600 huge uffd-stress hugetlb-private 128 32
uffd-stress-shmem        f 300 norandbrk uffd-stress shmem 20 16
uffd-stress-shmem-private f 300 norandbrk uffd-stress shmem-private 20 16
compaction_test          f 600 -     compaction_test
on-fault-limit           q  120 nobody on-fault-limit
map_populate             q  120 -     map_populate
mlock-random-test        q  120 -     mlock-random-test
mlock2-tests             q  120 -     mlock2-tests
mrelease_test            q  120 -     mrelease_test
mremap_test              f 300 -     mremap_test
thuge-gen                q  120 huge  thuge-gen
virtual_address_range    q  120 overcommit virtual_address_range
va_high_addr_switch      q  120 -     va_high_addr_switch
mremap_dontunmap         q  120 -     mremap_dontunmap
madv_populate            q  120 -     madv_populate
memfd_secret             q  120 -     memfd_secret
ksm_tests-H              f 900 -     ksm_tests -H -s 100 -l 600
ksm_tests-P              f 900 -     ksm_tests -P -s 100 -l 600
ksm_tests-M              q  120 -     ksm_tests -M -p 10
ksm_tests-U              q  120 -     ksm_tests -U
ksm_tests-Z0             q  120 -     ksm_tests -Z -p 10 -z 0
ksm_tests-Z1             q  120 -     ksm_tests -Z -p 10 -z 1
ksm_tests-N1             q  120 -     ksm_tests -N -m 1
ksm_tests-N0             q  120 -     ksm_tests -N -m 0
ksm_functional_tests     f 300 -     ksm_functional_tests
protection_keys_64       f 300 huge  protection_keys_64
pkey_sighandler_tests_64 q  120 -     pkey_sighandler_tests_64
soft-dirty               q  120 -     soft-dirty
pagemap_ioctl            f 300 huge  pagemap_ioctl
khugepaged               f 600 -     khugepaged
khugepaged-s2            f 600 -     khugepaged -s 2
transhuge-stress         f 240 -     transhuge-stress -d 20
split_huge_page_test     f 900 -     split_huge_page_test
migration                q  120 -     migration
mkdirty                  q  120 -     mkdirty
mdwe_test                q  120 -     mdwe_test
droppable                q  120 -     droppable
mseal_test               q  120 -     mseal_test
seal_elf                 q  120 -     seal_elf
'
# Built but not run: hmm-tests (needs the test_hmm module and its
# /dev/hmm_dmirror devices), hugetlb-read-hwpoison and hugetlb-soft-offline
# (destructive, need CONFIG_MEMORY_FAILURE; run_vmtests.sh runs them only
# with -d), write_to_hugetlbfs (a helper of charge_reserved_hugetlb.sh).

# Cases that fail in cow mode and on the stock kernel (QEMU guest, 2 GB,
# TCG -cpu max), with the reason: ID, case (shell pattern; "(exit)" is the
# program's exit status), reason.
KNOWN_STOCK='
thuge-gen|(exit)|no 1 GB huge pages in the guest: it bails out (exit 1) unless booted with hugepagesz=1G hugepages=4
virtual_address_range|(exit)|QEMU -cpu max has 5-level paging (la57): with the 47-bit space filled, mmap without a hint returns an address above 2^47 and the test bails out ("Bad address"); 6.12 test bug
mremap_test|2GB mremap - *|the guest has 2 GB of RAM and no swap: the overcommit heuristic refuses the 2 GB source mapping (ENOMEM)
mremap_test|(exit)|the 2GB mremap cases above
khugepaged|Swapout *|the guest has no swap (CONFIG_SWAP off): MADV_PAGEOUT cannot swap the pages out
khugepaged-s2|Swapout *|the guest has no swap (CONFIG_SWAP off): MADV_PAGEOUT cannot swap the pages out
ksm_tests-H|*|"Scan time limit exceeded": KSM merging 100 MB took longer than -l under TCG
ksm_tests-P|*|"Scan time limit exceeded": KSM merging 100 MB took longer than -l under TCG
hugetlb_fault_after_madv|(exit)|too slow under TCG: 10000 rounds of two threads faulting and MADV_DONTNEED-ing a 2 MB hugetlb page take over 120 s
'
# Programs that fail now and then in any mode, with the reason; each mode
# that fails gets a second run, and only two failures in a row fail.
# ksm_tests-U: flaky in any mode (seen in cow and stack mode; the program
# does not fork): after unsharing its two KSM pages it waits for one full
# KSM scan, which may have begun before the writes, then requires the
# global pages_shared and pages_sharing to be 0.
FLAKY='ksm_tests-U'
is_flaky() { case " $FLAKY " in *" $1 "*) return 0 ;; esac; return 1; }

# Results in stack (1) or eager (2) mode that differ from cow's and are
# expected: MODE, ID, case (shell pattern), why.  khugepaged's
# collapse_max_ptes_shared forks with a THP, has the child write one page
# and expects the shared PMD to be split by the copy-on-write fault.
EXPECTED_DIFF='
2|khugepaged|Trigger CoW on page *|eager mode gives the child its own copy of the THP at fork, so the write does not split a shared PMD (the test expects no THP after it) and the max_ptes_shared collapse cases that need pages shared with the parent cannot happen
2|khugepaged|Maybe collapse with max_ptes_shared exceeded*|eager mode gives the child its own copy of the THP at fork, so the write does not split a shared PMD (the test expects no THP after it) and the max_ptes_shared collapse cases that need pages shared with the parent cannot happen
2|khugepaged|Collapse with max_ptes_shared PTEs shared*|eager mode gives the child its own copy of the THP at fork, so the write does not split a shared PMD (the test expects no THP after it) and the max_ptes_shared collapse cases that need pages shared with the parent cannot happen
2|khugepaged-s2|Trigger CoW on page *|eager mode gives the child its own copy of the THP at fork, so the write does not split a shared PMD (the test expects no THP after it) and the max_ptes_shared collapse cases that need pages shared with the parent cannot happen
2|khugepaged-s2|Maybe collapse with max_ptes_shared exceeded*|eager mode gives the child its own copy of the THP at fork, so the write does not split a shared PMD (the test expects no THP after it) and the max_ptes_shared collapse cases that need pages shared with the parent cannot happen
2|khugepaged-s2|Collapse with max_ptes_shared PTEs shared*|eager mode gives the child its own copy of the THP at fork, so the write does not split a shared PMD (the test expects no THP after it) and the max_ptes_shared collapse cases that need pages shared with the parent cannot happen
'

m=/proc/sys/vm/fork_copy_mode
if [ -f $m ]; then
	modes="0 1 2"
	saved_m=$(cat $m)
else
	modes=stock
	saved_m=""
fi
mode_name() {
	case "$1" in 0) echo cow ;; 1) echo stack ;; 2) echo eager ;; *) echo "$1" ;; esac
}
thp=/sys/kernel/mm/transparent_hugepage
saved_thp=$(sed -n 's/.*\[\(.*\)\].*/\1/p' $thp/enabled 2>/dev/null)
saved_huge=$(cat /proc/sys/vm/nr_hugepages)
saved_shmmax=$(cat /proc/sys/kernel/shmmax 2>/dev/null)
saved_shmall=$(cat /proc/sys/kernel/shmall 2>/dev/null)
saved_oc=$(cat /proc/sys/vm/overcommit_memory)
saved_aslr=$(cat /proc/sys/kernel/randomize_va_space)
restore() {
	[ -z "$saved_m" ] || echo "$saved_m" >$m
	[ -z "$saved_thp" ] || echo "$saved_thp" >$thp/enabled
	echo "$saved_huge" >/proc/sys/vm/nr_hugepages
	[ -z "$saved_shmmax" ] || echo "$saved_shmmax" >/proc/sys/kernel/shmmax
	[ -z "$saved_shmall" ] || echo "$saved_shmall" >/proc/sys/kernel/shmall
	echo "$saved_oc" >/proc/sys/vm/overcommit_memory
	echo "$saved_aslr" >/proc/sys/kernel/randomize_va_space
}
trap 'restore; rm -rf "$T_TMP"' EXIT
[ -d /sys/kernel/debug/mm ] || [ -f /sys/kernel/debug/gup_test ] ||
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
[ -z "$saved_thp" ] || echo always >$thp/enabled
grep -q ' /dev/hugepages ' /proc/mounts ||
	{ mkdir -p /dev/hugepages && mount -t hugetlbfs hugetlbfs /dev/hugepages; }

set_huge() {
	echo "$1" >/proc/sys/vm/nr_hugepages
	_got=$(cat /proc/sys/vm/nr_hugepages)
	[ "$_got" = "$1" ] || echo "# only $_got of $1 hugetlb pages could be reserved"
}
setup() { # SETUP
	case ",$1," in
	*,huge,*) set_huge 128 ;;
	*,huge1,*) set_huge 1 ;;
	*) set_huge 0 ;;
	esac
	case ",$1," in *,shm,*) echo 268435456 >/proc/sys/kernel/shmmax; echo 4194304 >/proc/sys/kernel/shmall ;; esac
	case ",$1," in *,overcommit,*) echo 1 >/proc/sys/vm/overcommit_memory ;; esac
	case ",$1," in *,norandbrk,*) echo 1 >/proc/sys/kernel/randomize_va_space ;; esac
}
unsetup() {
	[ -z "$saved_shmmax" ] || echo "$saved_shmmax" >/proc/sys/kernel/shmmax
	[ -z "$saved_shmall" ] || echo "$saved_shmall" >/proc/sys/kernel/shmall
	echo "$saved_oc" >/proc/sys/vm/overcommit_memory
	echo "$saved_aslr" >/proc/sys/kernel/randomize_va_space
}

# bounded LIMIT MARK CMD...: run CMD in its own process group, in a fresh
# directory, and wait for the whole group (protection_keys' parent exits
# while its last child goes on testing); kill the group after LIMIT
# seconds, creating MARK.
bounded() {
	_lim=$1 _mark=$2
	shift 2
	setsid "$@" &
	_pid=$!
	(
		sleep "$_lim"
		: >"$_mark"
		kill -KILL -"$_pid" 2>/dev/null
	) </dev/null >/dev/null 2>&1 &
	_wd=$!
	wait "$_pid"
	_rc=$?
	while kill -0 -"$_pid" 2>/dev/null && [ ! -f "$_mark" ]; do sleep 1; done
	kill "$_wd" 2>/dev/null
	wait "$_wd" 2>/dev/null
	return $_rc
}

# results OUT RC: one line per case, "RESULT<TAB>CASE", RESULT one of ok,
# xfail, skip, fail, timeout; the program's own line is "(exit)".  Repeated
# case names get " #2", " #3"...
results() {
	awk -v rc="$2" -v timedout="$3" -v pk="$4" '
	function emit(r, n) {
		if (n == "") n = "(unnamed)"
		if (++seen[n] > 1) n = n " #" seen[n]
		print r "\t" n
	}
	{
		gsub(/\033\[[0-9;]*m/, ""); sub(/\r$/, "")
		# Case names with figures that vary from run to run: mrelease_test
		# doubles the child'"'"'s size until the child is still there to reap;
		# pagemap_ioctl counts the pages a racing thread dirtied.
		sub(/reaping a child with [0-9]+MB/, "reaping a child with <N>MB")
		sub(/Extra pages [0-9]+ \([0-9.]+%\), extra thread faults [0-9]+/, "Extra pages <N>, extra thread faults <N>")
		gsub(/0x[0-9a-f][0-9a-f][0-9a-f][0-9a-f]+/, "0x<addr>")
	}
	/^# \[RUN\] / { run = substr($0, 9); next }
	/^(ok|not ok) [0-9]+/ {
		r = ($1 == "ok") ? "ok" : "fail"
		d = $0
		sub(/^(ok|not ok) [0-9]+ ?/, "", d)
		if (d ~ /# *SKIP/) r = "skip"
		else if (d ~ /# *XFAIL/) r = "xfail"
		dd = d
		sub(/ *# *(SKIP|XFAIL|TODO).*$/, "", dd)
		if (dd == "") { dd = d; sub(/^ *# */, "", dd) }
		emit(r, (run != "" ? run " / " : "") dd)
		next
	}
	/^Testing .*\.\.\. (done|skipped|failed)/ {
		n = $0; sub(/^Testing /, "", n); sub(/\.\.\. .*$/, "", n)
		r = "ok"
		if ($0 ~ /\.\.\. skipped/) r = "skip"
		if ($0 ~ /\.\.\. failed/) r = "fail"
		emit(r, n)
		next
	}
	/\.\.\.* *(OK|Fail|Skip)$/ {
		n = $0; sub(/\.\.\..*$/, "", n)
		r = "ok"
		if ($0 ~ /Fail$/) r = "fail"
		if ($0 ~ /Skip$/) r = "skip"
		emit(r, n)
		next
	}
	/^done \(all tests OK\)$/ { pk_done = 1 }
	END {
		if (timedout == 1) r = "timeout"
		else if (rc == 0) r = "ok"
		else if (rc == 4) r = "skip"
		else r = "fail(exit " rc ")"
		# protection_keys: the exit status is its first parent'"'"'s
		if (pk == 1 && r == "ok" && !pk_done) r = "fail(no \"done (all tests OK)\")"
		print r "\t(exit)"
	}' "$1"
}

# field N LINE: the N-th "|"-separated field
known_stock() { # ID CASE: print the reason if CASE of ID is a known stock failure
	echo "$KNOWN_STOCK" | while IFS='|' read -r _id _pat _why; do
		[ "$_id" = "$1" ] || continue
		# shellcheck disable=SC2254
		case "$2" in $_pat) echo "$_why"; break ;; esac
	done
}
expected_diff() { # MODE ID CASE
	echo "$EXPECTED_DIFF" | while IFS='|' read -r _m _id _pat _why; do
		if [ "$_m" != "$1" ] || [ "$_id" != "$2" ]; then continue; fi
		# shellcheck disable=SC2254
		case "$3" in $_pat) echo "$_why"; break ;; esac
	done
}
is_good() { case "$1" in ok | xfail) return 0 ;; esac; return 1; }
is_bad() { case "$1" in fail* | timeout | missing) return 0 ;; esac; return 1; }

# run_one ID MODE LIMIT SETUP PROGRAM [ARGS...]: run one program in the
# mode already set, in a fresh directory, under its time bound; leaves
# $T_TMP/MODE/ID.out (output), .res (results) and .klog (bad kernel log
# lines, which fail the program).
run_one() {
	_id=$1 _mode=$2 _lim=$3 _set=$4 _prog=$5
	shift 5
	_out=$T_TMP/$_mode/$_id
	rm -f "$_out.timeout"
	setup "$_set"
	_wd=$T_TMP/wd.$_id
	mkdir -p "$_wd"
	case ",$_set," in
	*,nobody,*)
		chmod 777 "$_wd"
		(cd "$_wd" && bounded "$_lim" "$_out.timeout" "$D/mm-as-nobody" "$D/mm-$_prog" "$@") \
			>"$_out.out" 2>&1 </dev/null
		;;
	*)
		(cd "$_wd" && bounded "$_lim" "$_out.timeout" "$D/mm-$_prog" "$@") >"$_out.out" 2>&1 </dev/null
		;;
	esac
	_rc=$?
	dmesg >"$T_TMP/klog"
	_n=$(wc -l <"$T_TMP/klog")
	[ "$_n" -ge "$klog_n" ] || klog_n=0 # the ring buffer wrapped
	tail -n +$((klog_n + 1)) "$T_TMP/klog" | grep -E "$KLOG_BAD" >"$_out.klog"
	klog_n=$_n
	if [ -s "$_out.klog" ]; then
		fail "selftests-mm/$_id/$(mode_name "$_mode")/kernel-log" "$(head -n 1 "$_out.klog")"
		tail -n 40 "$T_TMP/klog" | sed 's/^/#   /'
	fi
	rm -rf "$_wd"
	unsetup
	_to=0
	[ -f "$_out.timeout" ] && _to=1
	_pk=0
	case "$_prog" in protection_keys*) _pk=1 ;; esac
	results "$_out.out" "$_rc" "$_to" "$_pk" >"$_out.res"
}

# compare BASE-RES RES MODE ID: the cases of BASE-RES whose result differs
# in RES ("BASE<TAB>THIS<TAB>CASE" in $T_TMP/diff); prints how many went
# from passing to failing without an expected-differences entry.
compare() {
	awk -F'\t' 'NR == FNR { if (!($2 in r)) r[$2] = $1; next }
		{ r2 = ($2 in r) ? r[$2] : "missing"; if (r2 != $1) print $1 "\t" r2 "\t" $2 }' \
		"$2" "$1" >"$T_TMP/diff"
	_nb=0
	while IFS='	' read -r _r _r2 _c; do
		if is_good "$_r" && ! is_good "$_r2" && [ -z "$(expected_diff "$3" "$4" "$_c")" ]; then
			_nb=$((_nb + 1))
		fi
	done <"$T_TMP/diff"
	echo $_nb
}

grep '^not-built' "$built" | sed 's/^/# /'
runs=$T_TMP/runs
echo "$RUNS" | while read -r id tier lim set prog args; do
	[ -n "$id" ] || continue
	[ "$tier" = q ] || [ "$FULL" = 1 ] || { echo "# left out of the make test form (make vm-selftests runs it): $id" >&2; continue; }
	echo "$id $lim $set $prog $args"
done >"$runs" 2>"$T_TMP/left-out"
if [ "$FULL" = 0 ]; then
	echo "# left out (make vm-selftests runs them): $(sed 's/.*: //' "$T_TMP/left-out" | tr '\n' ' ')"
fi
form=""
[ "$FULL" = 1 ] && form=-full

# Kernel log lines that fail the program that was running.
KLOG_BAD='(WARNING|BUG|INFO): |Oops|general protection|kernel BUG|possible (circular|recursive) locking|inconsistent lock|page_table_check|Call Trace:'
klog_n=$(dmesg | wc -l)
for mode in $modes; do
	name=$(mode_name "$mode")
	[ "$mode" = stock ] || echo "$mode" >$m
	mkdir -p "$T_TMP/$mode"
	t0=$(date +%s)
	np=0 ns=0 nf=0 nk=0 cok=0 cfail=0 cskip=0
	while read -r id lim set prog args; do
		out=$T_TMP/$mode/$id
		if [ ! -x "$D/mm-$prog" ]; then
			printf 'missing\t(exit)\n' >"$out.res"
			echo "# $name: $id: mm-$prog was not built ($(grep "^not-built $prog:" "$built" | cut -d: -f2-))"
			continue
		fi
		s0=$(date +%s)
		# shellcheck disable=SC2086
		run_one "$id" "$mode" "$lim" "$set" "$prog" $args
		secs=$(($(date +%s) - s0))
		ex=$(sed -n 's/\t(exit)$//p' "$out.res")
		case "$ex" in
		ok) np=$((np + 1)) ;;
		skip) ns=$((ns + 1)) ;;
		*) nf=$((nf + 1)) ;;
		esac
		nk=$((nk + 1))
		c=$(grep -cv '	(exit)$' "$out.res")
		grep -v '	(exit)$' "$out.res" >"$out.cases"
		echo "# $name: $id: $ex, $c cases ($(grep -c '^ok	' "$out.cases") ok, $(grep -c '^fail' "$out.cases") fail, $(grep -c '^skip	' "$out.cases") skip), ${secs}s"
		cok=$((cok + $(grep -c '^ok	' "$out.cases")))
		cfail=$((cfail + $(grep -c '^fail' "$out.cases")))
		cskip=$((cskip + $(grep -c '^skip	' "$out.cases")))
	done <"$runs"
	echo "FIGURE: selftests-mm-$name$form $np of $nk mm selftest programs passed in $name mode ($ns skipped, $nf failed; $(($(date +%s) - t0)) s under ${FORKLAB_VIRT:-?})" >>"$T_TMP/figures"
	echo "FIGURE: selftests-mm-$name$form-cases $cok mm selftest cases ok in $name mode ($cfail failed, $cskip skipped)" >>"$T_TMP/figures"
done

# Every run's output, for a closer look on the host.
if [ -n "${FORKLAB_OUT:-}" ] && [ -d "$FORKLAB_OUT" ]; then
	mkdir -p "$FORKLAB_OUT/selftests-mm$form"
	for mode in $modes; do
		mkdir -p "$FORKLAB_OUT/selftests-mm$form/$(mode_name "$mode")"
		cp "$T_TMP/$mode"/*.out "$T_TMP/$mode"/*.res "$FORKLAB_OUT/selftests-mm$form/$(mode_name "$mode")/" 2>/dev/null
	done
fi

base=$(echo "$modes" | cut -d' ' -f1)
while read -r id lim set prog args; do
	bad=0
	if [ ! -x "$D/mm-$prog" ]; then
		skip "selftests-mm/$id" "not built:$(grep "^not-built $prog:" "$built" | cut -d: -f2-)"
		continue
	fi
	# Failures in the base mode (cow, or the stock kernel's only run); a
	# flaky program's second run there stands for the mode if it fails.
	if is_flaky "$id" && grep -q '^fail\|^timeout\|^missing' "$T_TMP/$base/$id.res"; then
		sed 's/^/# first run in base mode: /' "$T_TMP/$base/$id.res"
		[ "$base" = stock ] || echo "$base" >$m
		# shellcheck disable=SC2086
		run_one "$id.again" "$base" "$lim" "$set" "$prog" $args
		cp "$T_TMP/$base/$id.again.res" "$T_TMP/$base/$id.res"
	fi
	while IFS='	' read -r r c; do
		is_bad "$r" || continue
		why=$(known_stock "$id" "$c")
		if [ -n "$why" ]; then
			skip "selftests-mm/$id/$(mode_name "$base")" "$c: $r, a known stock failure: $why"
		else
			fail "selftests-mm/$id/$(mode_name "$base")" "$c: $r (not a known stock failure)"
			bad=1
		fi
	done <"$T_TMP/$base/$id.res"
	for mode in $modes; do
		[ "$mode" != "$base" ] || continue
		res=$T_TMP/$mode/$id.res
		if is_flaky "$id" && [ "$(compare "$T_TMP/$base/$id.res" "$res" "$mode" "$id")" != 0 ]; then
			# A flaky program passing in cow mode, failing here: once
			# more, to tell a failure now and then (timing, global KSM
			# counters) from one in this mode.
			sed 's/^/# first run: /' "$T_TMP/diff"
			echo "$mode" >$m
			# shellcheck disable=SC2086
			run_one "$id.again" "$mode" "$lim" "$set" "$prog" $args
			if [ "$(compare "$T_TMP/$base/$id.res" "$T_TMP/$mode/$id.again.res" "$mode" "$id")" = 0 ]; then
				echo "# $(mode_name "$mode") vs cow: $id failed in the first run (above) and gave what cow mode gave in a second: counted as passing"
				res=$T_TMP/$mode/$id.again.res
			else
				echo "# $(mode_name "$mode") vs cow: $id failed in a second run too"
			fi
		fi
		compare "$T_TMP/$base/$id.res" "$res" "$mode" "$id" >/dev/null
		while IFS='	' read -r r r2 c; do
			if is_good "$r" && ! is_good "$r2"; then
				why=$(expected_diff "$mode" "$id" "$c")
				if [ -n "$why" ]; then
					echo "# $(mode_name "$mode") vs cow: $id: $c: $r -> $r2, expected: $why"
				else
					fail "selftests-mm/$id/$(mode_name "$mode")" "$c: $r in cow mode, $r2 in $(mode_name "$mode") mode"
					bad=1
				fi
			else
				echo "# $(mode_name "$mode") vs cow: $id: $c: $r -> $r2"
			fi
		done <"$T_TMP/diff"
		# cases only this mode has
		awk -F'\t' 'NR == FNR { have[$2] = 1; next } !($2 in have) { print "# " m " vs cow: " id ": " $2 ": (none) -> " $1 }' \
			m="$(mode_name "$mode")" id="$id" "$T_TMP/$base/$id.res" "$res"
	done
	if [ $bad = 0 ]; then
		if [ "$base" = stock ]; then
			pass "selftests-mm/$id"
		else
			pass "selftests-mm/$id/cow-stack-eager-alike"
		fi
	fi
	# the output of any run with a failure, for the log
	for mode in $modes; do
		if grep -q '^fail\|^timeout' "$T_TMP/$mode/$id.res" 2>/dev/null; then
			echo "# --- $id, $(mode_name "$mode") mode: last lines of output"
			grep -v '^ok \|^# \[RUN\]\|^#  *OK\|^#  *RUN\|PASSED (iteration' "$T_TMP/$mode/$id.out" | tail -n 6 | sed 's/^/#   /'
		fi
	done
done <"$runs"
[ -f "$T_TMP/failed" ] || cat "$T_TMP/figures" 2>/dev/null
