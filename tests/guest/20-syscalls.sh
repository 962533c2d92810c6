#!/bin/sh
# In-guest: the system calls forklab and the mm selftests use work
# (build/static/syscall-check, one line per call).  Reserves two huge pages
# for the MAP_HUGETLB check and restores vm.nr_hugepages afterwards.
. "$(dirname "$0")/../lib.sh"
prog=$FORKLAB_BUILD/syscall-check
[ -x "$prog" ] || { echo "FAIL: 20-syscalls/setup: no $prog (make kernel-static)"; exit 1; }

saved=$(cat /proc/sys/vm/nr_hugepages)
trap 'echo "$saved" >/proc/sys/vm/nr_hugepages; rm -rf "$T_TMP"' EXIT
echo 2 >/proc/sys/vm/nr_hugepages
"$prog"
