// SPDX-License-Identifier: GPL-2.0
/*
 * cowtrace-bench - the two workloads of cowtrace's overhead benchmark
 * (bpf/overhead.sh), timed with CLOCK_MONOTONIC, one line of results:
 *
 *   cowtrace-bench exec N      N x (fork, exec this program with "noop",
 *                              wait)
 *   cowtrace-bench cow MIB N   MIB MiB touched; N x (fork, the child writes
 *                              every page, exits; wait)
 *
 * Prints the median and p90 of the wall time of each iteration, and the
 * median of the child's CPU time (user + system, from wait4): the tracing
 * cost lands in the child's faults, and CPU time is less disturbed than
 * wall time when other work shares the machine.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static long num(const char *what, const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "cowtrace-bench: invalid %s '%s' (allowed: %ld-%ld)\n",
			what, s, lo, hi);
		exit(2);
	}
	return v;
}

/* Reap pid; its CPU time (user + system) in ns goes to *cpu. */
static int reap(pid_t pid, long long *cpu)
{
	struct rusage ru;
	int st;

	if (wait4(pid, &st, 0, &ru) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return 0;
	*cpu = ((long long)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
	       ((long long)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
	return 1;
}

int main(int argc, char **argv)
{
	long n, i, j, mib = 0, ps = sysconf(_SC_PAGESIZE), pages = 0;
	volatile char *buf = NULL;
	long long *t, *cpu;
	pid_t pid;
	int exec_mode;

	if (argc == 2 && !strcmp(argv[1], "noop"))
		return 0;
	if (argc == 3 && !strcmp(argv[1], "exec")) {
		exec_mode = 1;
		n = num("N", argv[2], 1, 1000000);
	} else if (argc == 4 && !strcmp(argv[1], "cow")) {
		exec_mode = 0;
		mib = num("MIB", argv[2], 1, 65536);
		n = num("N", argv[3], 1, 1000000);
	} else {
		fprintf(stderr, "usage: cowtrace-bench exec N | cow MIB N\n");
		return 2;
	}
	t = calloc((size_t)n, sizeof(*t));
	cpu = calloc((size_t)n, sizeof(*cpu));
	if (!t || !cpu) {
		free(t);
		free(cpu);
		return 1;
	}
	if (!exec_mode) {
		pages = mib * 1024 * 1024 / ps;
		buf = mmap(NULL, (size_t)(pages * ps), PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (buf == MAP_FAILED) {
			free(t);
			free(cpu);
			return 1;
		}
		madvise((void *)buf, (size_t)(pages * ps), MADV_NOHUGEPAGE);
		for (j = 0; j < pages; j++)
			buf[j * ps] = 1;
	}
	for (i = 0; i < n; i++) {
		long long t0 = now_ns();

		pid = fork();
		if (pid < 0) {
			free(t);
			free(cpu);
			return 1;
		}
		if (pid == 0) {
			if (exec_mode) {
				execl("/proc/self/exe", argv[0], "noop", (char *)NULL);
				_exit(127);
			}
			for (j = 0; j < pages; j++)
				buf[j * ps] = 2;
			_exit(0);
		}
		if (!reap(pid, &cpu[i])) {
			free(t);
			free(cpu);
			return 1;
		}
		t[i] = now_ns() - t0;
	}
	qsort(t, (size_t)n, sizeof(*t), cmp);
	qsort(cpu, (size_t)n, sizeof(*cpu), cmp);
	printf("%s median_ns=%lld p90_ns=%lld child_cpu_median_ns=%lld n=%ld\n",
	       exec_mode ? "exec" : "cow", t[n / 2], t[n * 9 / 10], cpu[n / 2], n);
	free(t);
	free(cpu);
	return 0;
}
