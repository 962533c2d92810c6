#!/bin/sh
# In-guest: SIGKILL ends a long eager fork (kernel-patch/ 0009): the
# process dies well before the copy would have finished, its fork() never
# returns, and its memory is freed.  See tests/guest/src/forkmode_kill.c.
. "$(dirname "$0")/../lib.sh"
P=$FORKLAB_BUILD/forkmode-kill
m=/proc/sys/vm/fork_copy_mode
# forklab's guest runs forklab's kernel: a missing sysctl or program is a failure.
[ -f $m ] || { fail "kill/kernel" "no $m: kernel-patch/ not applied"; exit 1; }
[ -x "$P" ] || { fail "kill/program" "no $P in this initramfs (make static)"; exit 1; }
saved_m=$(cat $m)
trap 'echo "$saved_m" >$m; rm -rf "$T_TMP"' EXIT
echo 0 >$m
"$P" --mib 256
