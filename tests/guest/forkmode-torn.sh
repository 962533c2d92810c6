#!/bin/sh
# In-guest: a child's view of memory another thread of its parent was
# writing during fork(), in cow, stack and eager mode (kernel-patch/ 0008):
# no child sees a torn snapshot, stack and eager forks of a threaded
# parent run as cow (fork_copy_threaded), and a single-threaded parent
# gets its mode again.  See tests/guest/src/forkmode_torn.c.
. "$(dirname "$0")/../lib.sh"
P=$FORKLAB_BUILD/forkmode-torn
m=/proc/sys/vm/fork_copy_mode
# forklab's guest runs forklab's kernel: a missing sysctl or program is a failure.
[ -f $m ] || { fail "torn/kernel" "no $m: kernel-patch/ not applied"; exit 1; }
grep -q '^fork_copy_threaded ' /proc/vmstat ||
	{ fail "torn/kernel" "no fork_copy_threaded in /proc/vmstat: kernel-patch/ 0008 not applied"; exit 1; }
[ -x "$P" ] || { fail "torn/program" "no $P in this initramfs (make static)"; exit 1; }
saved_m=$(cat $m)
trap 'echo "$saved_m" >$m; rm -rf "$T_TMP"' EXIT
echo 0 >$m
"$P" --forks 20 --pages 256
