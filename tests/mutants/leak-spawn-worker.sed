# file: bench/benchmarks/spawn.c
# test: tests/host/forkbench-interrupt.sh
# what: an interrupted spawn run does not stop its per-heap worker: no SIGKILL, and the worker ends neither at EOF on its command pipe nor when its result pipe is closed
/^static void stop_worker(/,/^}/ s/kill(w->pid, SIGKILL);/(void)0;/
/^static __attribute__((noreturn)) void worker_main(/,/^}/ {
	s/^\tprctl(PR_SET_PDEATHSIG, SIGKILL);$/&\n\tsignal(SIGPIPE, SIG_IGN);/
	s/while (read(cmd, &m, sizeof(m)) == (ssize_t)sizeof(m)) {/while (read(cmd, \&m, sizeof(m)) >= 0) {/
	s/if (write(res, &smp, sizeof(smp)) != (ssize_t)sizeof(smp) || smp.rc)/if (write(res, \&smp, sizeof(smp)) < -1 || smp.rc)/
}
