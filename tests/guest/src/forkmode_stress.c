// SPDX-License-Identifier: GPL-2.0
/*
 * forkmode-stress - forks in flight while the fork copy mode changes.
 *
 *   forkmode-stress [--seconds S] [--workers W] [--pages N]
 *
 * W worker processes run for S seconds.  Each has a heap of N pages
 * holding generation g; odd-numbered workers also have a thread that keeps
 * writing to a region of its own (their stack and eager forks then run as
 * cow: kernel-patch/ 0008), even-numbered ones are single-threaded (their
 * forks copy pages at fork in stack and eager mode).  In a loop
 * a worker picks a random per-process mode (inherit, cow, stack, eager)
 * with PR_SET_FORK_COPY_MODE and forks; the child checks that every heap
 * page holds g, writes its own value over all of them, forks a grandchild
 * that checks the child's value, and exits; the parent checks that its
 * heap still holds g, then writes g + 1.  Meanwhile the test script flips
 * vm.fork_copy_mode.  Prints one PASS/FAIL line: data mismatches, failed
 * forks and children that died are failures.
 */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include "forkmode_lib.h"

static volatile int stop_writer;

static void *writer(void *arg)
{
	volatile unsigned char *p = arg;
	unsigned int i = 0;

	while (!stop_writer) {
		p[(i * FL_PAGE) % (64 * FL_PAGE)] = (unsigned char)i;
		i++;
	}
	return NULL;
}

static int heap_holds(const unsigned char *heap, long pages, unsigned char v)
{
	long i;

	for (i = 0; i < pages; i++) {
		if (heap[i * (long)FL_PAGE] != v ||
		    heap[i * (long)FL_PAGE + FL_PAGE - 1] != v)
			return 0;
	}
	return 1;
}

static void heap_fill(unsigned char *heap, long pages, unsigned char v)
{
	long i;

	for (i = 0; i < pages; i++) {
		heap[i * (long)FL_PAGE] = v;
		heap[i * (long)FL_PAGE + FL_PAGE - 1] = v;
	}
}

/* Exit status: 0 ok, 1 heap mismatch in the child, 2 in the grandchild. */
static int child(unsigned char *heap, long pages, unsigned char g)
{
	unsigned char mine = (unsigned char)(g ^ 0xff);
	int status;
	pid_t pid;

	if (!heap_holds(heap, pages, g))
		return 1;
	heap_fill(heap, pages, mine);
	pid = fork();
	if (pid == 0)
		_exit(heap_holds(heap, pages, mine) ? 0 : 2);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 3;
	if (!WIFEXITED(status))
		return 4;
	return WEXITSTATUS(status);
}

static int worker(unsigned int seed, long pages, time_t deadline)
{
	int threaded = seed % 2;
	unsigned char *heap, *wregion, g = 1;
	long forks = 0, bad = 0;
	pthread_t t;
	int status, rc;
	pid_t pid;

	heap = mmap(NULL, (size_t)pages * FL_PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	wregion = mmap(NULL, 64 * FL_PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (heap == MAP_FAILED || wregion == MAP_FAILED)
		return 10;
	heap_fill(heap, pages, g);
	memset(wregion, 0, 64 * FL_PAGE);
	if (threaded && pthread_create(&t, NULL, writer, wregion))
		return 11;
	srand(seed);
	while (time(NULL) < deadline) {
		if (fork_mode_set(rand() % 4 - 1))
			bad++;
		pid = fork();
		if (pid == 0)
			_exit(child(heap, pages, g));
		if (pid < 0) {
			bad++;
			continue;
		}
		forks++;
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			bad++;
		if (!heap_holds(heap, pages, g))
			bad++;
		g = (unsigned char)(g == 0x7f ? 1 : g + 1);
		heap_fill(heap, pages, g);
	}
	if (threaded) {
		stop_writer = 1;
		pthread_join(t, NULL);
	}
	rc = bad ? 1 : 0;
	if (forks == 0)
		rc = 12;
	printf("# worker %u: %ld forks, %ld failures (%s)\n", seed, forks, bad,
	       threaded ? "threaded" : "single-threaded");
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "workers", required_argument, NULL, 'w' },
		{ "pages", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	long seconds = 10, workers = 2, pages = 256, i;
	int c, status, failed = 0;
	time_t deadline;
	char *end;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		long *v = c == 's' ? &seconds : c == 'w' ? &workers : &pages;

		if (c != 's' && c != 'w' && c != 'p') {
			fprintf(stderr, "usage: forkmode-stress [--seconds S] [--workers W] [--pages N]\n");
			return 2;
		}
		*v = strtol(optarg, &end, 10);
		if (*end || *v < 1 || *v > 1000000) {
			fprintf(stderr, "forkmode-stress: '%s' is not a number in 1..1000000\n",
				optarg);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	if (!fork_mode_supported()) {
		printf("FAIL: stress/kernel: no vm.fork_copy_mode: forklab's guest kernel lacks kernel-patch/\n");
		return 1;
	}
	deadline = time(NULL) + seconds;
	for (i = 0; i < workers; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(worker((unsigned int)i + 1, pages, deadline));
		if (pid < 0) {
			printf("FAIL: stress: fork of worker %ld: %s\n", i, strerror(errno));
			return 1;
		}
	}
	for (i = 0; i < workers; i++) {
		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			failed++;
	}
	if (failed)
		printf("FAIL: stress/no-mismatch: %d of %ld workers saw wrong data, failed forks or dead children\n",
		       failed, workers);
	else
		printf("PASS: stress/no-mismatch\n");
	return failed ? 1 : 0;
}
