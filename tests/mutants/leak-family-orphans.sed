# file: bench/family.c
# test: tests/host/forkbench-interrupt.sh
# what: an interrupted nested run kills only the family's root: neither the kill of the family's process group nor a member's PR_SET_PDEATHSIG ends the other members
/^int family_run(/,/^}/ {
	/ || fb_stopping()) {$/,/kill_and_reap(pid);/ s/kill(-pid, SIGKILL);/(void)0;/
}
/^static __attribute__((noreturn)) void member(/,/^}/ s/prctl(PR_SET_PDEATHSIG, SIGKILL);/(void)0;/
