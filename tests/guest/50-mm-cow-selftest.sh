#!/bin/sh
# In-guest: the kernel's own COW test suite (tools/testing/selftests/mm/cow.c,
# built by scripts/kernel/build.sh from the tree under test) with 128 huge
# pages reserved and THP=always.  Stock 6.12 gives fail 0 (434 pass, 4 xfail,
# 217 skip); a patched kernel must keep fail 0 in every mode.  Sysctls it
# touches are restored.
. "$(dirname "$0")/../lib.sh"
prog=$FORKLAB_BUILD/kernel-selftests/mm-cow
[ -x "$prog" ] || { echo "FAIL: 50-mm-cow-selftest/setup: no $prog in this initramfs"; exit 1; }

saved_huge=$(cat /proc/sys/vm/nr_hugepages)
thp=/sys/kernel/mm/transparent_hugepage/enabled
saved_thp=$(sed -n 's/.*\[\(.*\)\].*/\1/p' $thp)
trap 'echo "$saved_huge" >/proc/sys/vm/nr_hugepages; echo "$saved_thp" >$thp; rm -rf "$T_TMP"' EXIT
echo 128 >/proc/sys/vm/nr_hugepages
echo always >$thp
got=$(cat /proc/sys/vm/nr_hugepages)
[ "$got" -ge 128 ] || echo "# only $got huge pages could be reserved"

"$prog" >"$T_TMP/cow.log" 2>&1
rc=$?
totals=$(grep -m1 '^# Totals:' "$T_TMP/cow.log")
echo "# mm/cow exit $rc: ${totals:-no Totals line}"
grep -E '^not ok' "$T_TMP/cow.log" | head -n 10 | sed 's/^/# /'
if [ -z "$totals" ]; then
	fail mm-cow-selftest/ran "no '# Totals:' line (exit $rc): $(tail -n 1 "$T_TMP/cow.log")"
	exit 0
fi
val() { echo "$totals" | sed -n "s/.* $1:\([0-9]*\).*/\1/p"; }
check_eq mm-cow-selftest/fail-0 0 "$(val fail)"
check_eq mm-cow-selftest/error-0 0 "$(val error)"
check_ge mm-cow-selftest/pass-at-least-stock-434 "$(val pass)" 434
