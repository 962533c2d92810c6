# file: bench/benchmarks/spawn.c
# test: tests/host/forkbench-interrupt.sh
# what: an interrupted spawn run neither closes its worker's pipes (the worker's EOF) nor kills it, and waits for it: the worker and forkbench stay
/^static void stop_worker(/,/^}/ {
	s/^\t\tclose(w->cmd);.*$/\t\t(void)0;/
	s/^\t\tclose(w->res);$/\t\t(void)0;/
	s/kill(w->pid, SIGKILL);/(void)0;/
}
