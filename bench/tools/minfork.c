// SPDX-License-Identifier: GPL-2.0
/*
 * forklab-minfork: the reference forkbench spawn --method fork_exit is held
 * to (scripts/harness-overhead.sh): a minimal C program timing
 * fork(); _exit(0); waitpid() as spawn does, from the call to fork() to
 * its return in the parent (return) and to the child reaped (reap).
 *
 *   forklab-minfork N     N iterations after 5 warm-up ones; prints
 *                         "return MEDIAN_NS reap MEDIAN_NS"
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double median(uint64_t *v, size_t n)
{
	size_t mid = n / 2;

	qsort(v, n, sizeof(*v), cmp);
	return n % 2 ? (double)v[mid] : ((double)v[mid - 1] + (double)v[mid]) / 2;
}

int main(int argc, char **argv)
{
	long n = argc == 2 ? strtol(argv[1], NULL, 10) : 0, i;
	uint64_t *ret = NULL, *rp = NULL, t0, t1;
	int rc = 1;
	pid_t pid;

	if (n < 1 || n > 10000000) {
		fprintf(stderr, "forklab-minfork: usage: forklab-minfork N (iterations, 1..10000000)\n");
		return 2;
	}
	ret = malloc((size_t)n * sizeof(*ret));
	rp = malloc((size_t)n * sizeof(*rp));
	if (!ret || !rp)
		goto cleanup;
	for (i = -5; i < n; i++) {
		t0 = now_ns();
		pid = fork();
		if (pid == 0)
			_exit(0);
		t1 = now_ns();
		if (pid < 0 || waitpid(pid, NULL, 0) != pid)
			goto cleanup;
		if (i >= 0) {
			ret[i] = t1 - t0;
			rp[i] = now_ns() - t0;
		}
	}
	printf("return %.0f reap %.0f\n", median(ret, (size_t)n), median(rp, (size_t)n));
	rc = 0;
cleanup:
	free(ret);
	free(rp);
	return rc;
}
