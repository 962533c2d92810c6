#!/bin/sh
# In-guest: PR_SET_FORK_COPY_MODE / PR_GET_FORK_COPY_MODE (kernel-patch/),
# checked by forkmode-prctl with vm.fork_copy_mode at 0 and at 2: every
# value (raw and through lib/fork_mode.h), EINVAL for bad values and unused arguments, inheritance by
# children and grandchildren, kept across execve(), set from a thread.
# The sysctl is restored.
. "$(dirname "$0")/../lib.sh"
P=$FORKLAB_BUILD/forkmode-prctl
m=/proc/sys/vm/fork_copy_mode
[ -f $m ] || { echo "FAIL: forkmode-prctl/setup: kernel without vm.fork_copy_mode (kernel-patch/ not applied)"; exit 1; }
[ -x "$P" ] || { echo "FAIL: forkmode-prctl/setup: no $P in this initramfs (make static)"; exit 1; }
saved_m=$(cat $m)
trap 'echo "$saved_m" >$m; rm -rf "$T_TMP"' EXIT
for v in 0 2; do
	echo $v >$m
	"$P" | sed "s|^\(PASS\|FAIL\|SKIP\): prctl/|\1: prctl[sysctl=$v]/|"
done
