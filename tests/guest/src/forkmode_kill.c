// SPDX-License-Identifier: GPL-2.0
/*
 * forkmode-kill - a fatal signal ends a long eager fork (kernel-patch/ 0009).
 *
 *   forkmode-kill [--mib M]
 *
 * With a heap of M MiB (default 256) in small pages, this program times one
 * whole eager fork (T_full).  Then it forks a process P (cow: quick) that
 * switches to eager and forks again; once P is about to call fork() it is
 * killed T_full / 4 later, and the time from kill() to P's reaping is
 * T_die.  Without a check in the copy loop, P dies only when its fork is
 * done (measured on the series without it: T_full 4107 ms, T_die 1339 ms);
 * with it, at the next page table (512 pages).  Checks:
 *   kill/ends-fork        T_die <= T_full / 8
 *   kill/fork-not-done    P's fork() never returned
 *   kill/memory-freed     nr_anon_pages back within 64 pages once P is gone
 * Prints PASS:/FAIL: lines (tests/lib.sh's format).
 */
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <time.h>

#include "forkmode_lib.h"



static long long anon_pages(void)
{
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY);

	if (fd >= 0) {	/* fold the per-CPU counters in first */
		(void)!write(fd, "1", 1);
		close(fd);
	}
	return fl_vmstat_now("nr_anon_pages");
}

/* One eager fork of this process, timed in ns; -1 on error. */
static long long time_one_fork(void)
{
	long long t0 = fl_now_ns(), t1;
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	t1 = fl_now_ns();
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return t1 - t0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mib", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	volatile int *flags;	/* [0] P is about to fork, [1] its fork returned */
	long long t_full, t_kill, t_die, a0, a1;
	long mib = 256;
	size_t len;
	char *heap;
	int c, status;
	pid_t p;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'm')
			return 2;
		mib = atol(optarg);
	}
	if (mib < 16 || mib > 65536) {
		fprintf(stderr, "forkmode-kill: --mib '%s' is not in 16..65536\n", argv[optind - 1]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	fl_check_prefix = "kill";
	len = (size_t)mib << 20;
	heap = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	flags = mmap(NULL, FL_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (heap == MAP_FAILED || flags == MAP_FAILED) {
		printf("FAIL: kill/setup: mmap: %s\n", strerror(errno));
		return 1;
	}
	madvise(heap, len, MADV_NOHUGEPAGE);	/* page tables of small pages */
	memset(heap, 0x5a, len);

	if (fork_mode_set(FORK_MODE_EAGER)) {
		printf("FAIL: kill/setup: PR_SET_FORK_COPY_MODE eager: %s\n", strerror(errno));
		return 1;
	}
	t_full = time_one_fork();
	if (t_full <= 0) {
		printf("FAIL: kill/setup: the timed eager fork failed: %s\n", strerror(errno));
		return 1;
	}
	fork_mode_set(FORK_MODE_COW);
	a0 = anon_pages();
	flags[0] = flags[1] = 0;
	p = fork();
	if (p == 0) {
		fork_mode_set(FORK_MODE_EAGER);
		flags[0] = 1;
		if (fork() == 0)
			_exit(0);
		flags[1] = 1;
		_exit(0);
	}
	if (p < 0) {
		printf("FAIL: kill/setup: fork: %s\n", strerror(errno));
		return 1;
	}
	while (!flags[0])
		sched_yield();
	usleep((useconds_t)(t_full / 4000));
	t_kill = fl_now_ns();
	kill(p, SIGKILL);
	if (waitpid(p, &status, 0) != p) {
		printf("FAIL: kill/setup: waitpid: %s\n", strerror(errno));
		return 1;
	}
	t_die = fl_now_ns() - t_kill;
	a1 = anon_pages();
	fl_check(t_die <= t_full / 8,
	      "ends-fork: killed %lld ms into an eager fork of %ld MiB that takes %lld ms, it died %lld ms later (want <= %lld)",
	      t_full / 4000000, mib, t_full / 1000000, t_die / 1000000, t_full / 8000000);
	fl_check(!flags[1] && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	      "fork-not-done: the killed process's fork() %s, it ended by %s",
	      flags[1] ? "returned" : "never returned",
	      WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "exit");
	fl_check(a0 >= 0 && a1 >= 0 && a1 - a0 <= 64 && a0 - a1 <= 64,
	      "memory-freed: nr_anon_pages %lld before, %lld after (want within 64)", a0, a1);
	munmap(heap, len);
	return fl_failures ? 1 : 0;
}
