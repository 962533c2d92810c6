#!/bin/sh
# In-guest: who may choose a fork copy mode (kernel-patch/, Documentation/
# userspace-api/fork_copy_mode.rst in the patched tree).  forkmode-secure,
# run as root, drops to nobody in its children and checks that a setuid or
# setgid execve() resets the per-process mode (a plain one keeps it), and
# that vm.fork_copy_prctl_max caps the prctl (EPERM) and the forks of a
# process that chose more before.  Both sysctls are restored.
. "$(dirname "$0")/../lib.sh"
P=$FORKLAB_BUILD/forkmode-secure
m=/proc/sys/vm/fork_copy_mode
cap=/proc/sys/vm/fork_copy_prctl_max
# forklab's guest runs forklab's kernel: a missing sysctl or program is a failure.
[ -f $m ] || { fail "secure/kernel" "no $m: kernel-patch/ not applied"; exit 1; }
[ -f $cap ] || { fail "secure/kernel" "no $cap: kernel-patch/ 0007 too old"; exit 1; }
[ -x "$P" ] || { fail "secure/program" "no $P in this initramfs (make static)"; exit 1; }
saved_m=$(cat $m) saved_cap=$(cat $cap)
trap 'echo "$saved_m" >$m; echo "$saved_cap" >$cap; rm -rf "$T_TMP"' EXIT
echo 0 >$m
# Copies nobody can exec: setuid root, setgid root, and plain.
chmod 755 "$T_TMP"
if ! { cp "$P" "$T_TMP/suid" && cp "$P" "$T_TMP/sgid" && cp "$P" "$T_TMP/plain" &&
	chown 0:0 "$T_TMP/suid" "$T_TMP/sgid" "$T_TMP/plain" &&
	chmod 4755 "$T_TMP/suid" && chmod 2755 "$T_TMP/sgid" && chmod 755 "$T_TMP/plain"; }; then
	fail "secure/setup" "cannot make the setuid copies in $T_TMP"
	exit 1
fi
"$P" "$T_TMP/suid" "$T_TMP/sgid" "$T_TMP/plain"
