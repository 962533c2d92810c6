// SPDX-License-Identifier: GPL-2.0
/*
 * cowtrace-libtest - libcowtrace.a used the way forkbench --trace uses it:
 * follow this process, read the per-role counts around each iteration and
 * diff them.  Each iteration forks a child that writes N of M shared pages.
 * Prints PASS:/FAIL:/SKIP: lines (tests/bpf/cowtrace-lib.sh runs it).
 *
 *   cowtrace-libtest [ITERATIONS]
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "cowtrace_lib.h"

#define M 1000
#define N 300

static int failures;

/* PASS, or FAIL with the value got and the one expected (or its bound). */
static void check(const char *name, int ok, unsigned long long got, unsigned long long want)
{
	if (ok) {
		printf("PASS: %s\n", name);
	} else {
		printf("FAIL: %s: got %llu, expected %llu\n", name, got, want);
		failures++;
	}
}

static int iteration(struct ct_tracer *t, volatile char *buf, long ps, struct ct_counts d[2])
{
	struct ct_counts before[2], after[2];
	pid_t pid;
	int st, i;

	if (ct_read(t, before, 2))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		for (i = 0; i < N; i++)
			buf[(long)i * ps] = 2;
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	if (ct_read(t, after, 2))
		return -1;
	for (i = 0; i < 2; i++) {
		d[i] = after[i];
		ct_counts_sub(&d[i], &before[i]);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct ct_options o = { .mode = CT_MODE_AUTO };
	int iters = argc > 1 ? atoi(argv[1]) : 3, i, rc;
	long ps = sysconf(_SC_PAGESIZE);
	struct ct_counts d[2];
	struct ct_tracer *t;
	volatile char *buf;
	char err[256], name[96];

	if (iters < 1 || iters > 1000) {
		fprintf(stderr, "cowtrace-libtest: invalid ITERATIONS '%s' (allowed: 1-1000)\n", argv[1]);
		return 2;
	}
	buf = mmap(NULL, (size_t)(M * ps), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return 1;
	madvise((void *)buf, (size_t)(M * ps), MADV_NOHUGEPAGE);
	for (i = 0; i < M; i++)
		buf[(long)i * ps] = 1;

	rc = ct_open(&t, &o, err, sizeof(err));
	if (rc == CT_ERR_PERM || rc == CT_ERR_NOBTF) {
		printf("SKIP: libcowtrace: %s\n", err);
		return 0;
	}
	check("ct_open", rc == 0, (unsigned long long)rc, 0);
	if (rc) {
		printf("# %s\n", err);
		return 1;
	}
	printf("# mode %s; %s\n", ct_mode_name(t), ct_probe_summary(t));
	rc = ct_follow(t, getpid());
	check("ct_follow(getpid())", rc == 0, (unsigned long long)rc, 0);
	rc = ct_follow(t, 4194303);
	check("ct_follow of a missing PID is CT_ERR_PID", rc == CT_ERR_PID,
	      (unsigned long long)rc, CT_ERR_PID);
	ct_follow(t, getpid());
	check("wp_faults is counted", ct_counter_status(t, CT_WP_FAULTS) != CT_UNAVAILABLE,
	      ct_counter_status(t, CT_WP_FAULTS), CT_APPROX);
	check("counter names are docs/design.md's",
	      !strcmp(ct_counter_name(CT_TLB_FLUSH_FAULT), "tlb_flush_fault"), 0, 0);

	for (i = 0; i < iters; i++) {
		if (iteration(t, buf, ps, d)) {
			check("iteration", 0, (unsigned long long)errno, 0);
			break;
		}
		snprintf(name, sizeof(name), "iteration %d: child (role 1) wp_faults N..N+16", i);
		check(name, d[1].wp_faults >= N && d[1].wp_faults <= N + 16,
		      (unsigned long long)d[1].wp_faults, N);
		snprintf(name, sizeof(name), "iteration %d: child cow_copies N..N+16", i);
		check(name, ct_counter_status(t, CT_COW_COPIES) == CT_UNAVAILABLE ||
		      (d[1].cow_copies >= N && d[1].cow_copies <= N + 16),
		      (unsigned long long)d[1].cow_copies, N);
		snprintf(name, sizeof(name), "iteration %d: one child, one fork, one fork flush", i);
		check(name, d[1].procs == 1 && d[0].forks == 1 &&
		      (ct_counter_status(t, CT_TLB_FLUSH_FORK) == CT_UNAVAILABLE ||
		       d[0].tlb_flush_fork == 1),
		      (unsigned long long)d[1].procs * 100 + (unsigned long long)d[0].forks * 10 +
		      (unsigned long long)d[0].tlb_flush_fork, 111);
	}
	ct_close(t);

	/* with a range: exactly the N pages */
	o.range_start = (uintptr_t)buf;
	o.range_end = (uintptr_t)buf + (uintptr_t)(M * ps);
	if (ct_open(&t, &o, err, sizeof(err)) == 0 && ct_follow(t, getpid()) == 0 &&
	    iteration(t, buf, ps, d) == 0) {
		check("range: child wp_faults == N", d[1].wp_faults == N,
		      (unsigned long long)d[1].wp_faults, N);
		check("range: parent wp_faults == 0", d[0].wp_faults == 0,
		      (unsigned long long)d[0].wp_faults, 0);
		ct_close(t);
	} else {
		check("range: open and iterate", 0, 1, 0);
	}
	return failures ? 1 : 0;
}
