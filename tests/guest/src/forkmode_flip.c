// SPDX-License-Identifier: GPL-2.0
/*
 * forkmode-flip.so - LD_PRELOAD library: every process of a program (and
 * of everything it forks) changes its own fork copy mode every few
 * milliseconds, just before it forks.
 *
 *   FORKLAB_FLIP_MODES=inherit,cow,stack,eager FORKLAB_FLIP_MS=100 \
 *   FORKLAB_FLIP_STATS=/tmp/flip.stats LD_PRELOAD=forkmode-flip.so stress-ng ...
 *
 * PR_SET_FORK_COPY_MODE acts on the calling process (its mm) and what it
 * forks later, so the flipping has to happen inside every process that
 * forks: a pthread_atfork() prepare handler, run by fork() in the forking
 * thread, sets a mode picked at random from FORKLAB_FLIP_MODES once
 * FORKLAB_FLIP_MS have passed since this process last did, and reads it
 * back with PR_GET_FORK_COPY_MODE (vfork() and clone() children inherit
 * the mode their parent had then).  No thread: the kernel makes every
 * stack or eager fork of a process with a second thread a cow one, so a
 * flipper thread would leave nothing but cow forks to test.  Changes made
 * while a fork runs come from the sysctl, flipped by the test script.
 *
 * FORKLAB_FLIP_STATS: the first process writes, at each of its flips and
 * at exit, "flips=N failures=N forks=N" to that file: prctl calls made by
 * all processes, calls that failed or read back another mode, and forks
 * seen.  Without FORKLAB_FLIP_MODES the library does nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "fork_mode.h"

#define MAX_MODES 8

struct flip_stats {
	atomic_llong flips;
	atomic_llong failures;
	atomic_llong forks;
};

static struct flip_stats *stats;	/* MAP_SHARED: one for all processes */
static int modes[MAX_MODES], nmodes;
static long interval_ms = 100;
static int stats_fd = -1;		/* only in the first process */
static pid_t first_pid;

static void write_stats(void)
{
	char buf[128];
	int n;

	if (stats_fd < 0 || getpid() != first_pid)
		return;
	n = snprintf(buf, sizeof(buf), "flips=%lld failures=%lld forks=%lld\n",
		     (long long)atomic_load(&stats->flips),
		     (long long)atomic_load(&stats->failures),
		     (long long)atomic_load(&stats->forks));
	if (n > 0 && pwrite(stats_fd, buf, (size_t)n, 0) == n)
		(void)ftruncate(stats_fd, n);
}

static uint64_t rng;
static long long last_flip_ms = -1;	/* copied into each child by fork() */

/* pthread_atfork prepare handler: runs in the forking thread. */
static void flip_before_fork(void)
{
	struct timespec now;
	long long ms;
	int mode, own;

	atomic_fetch_add(&stats->forks, 1);
	if (clock_gettime(CLOCK_MONOTONIC, &now))
		return;
	ms = (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
	if (last_flip_ms >= 0 && ms - last_flip_ms < interval_ms)
		return;
	last_flip_ms = ms;
	if (!rng)
		rng = (uint64_t)getpid() * 0x9e3779b97f4a7c15ULL + 1;
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	mode = modes[rng % (uint64_t)nmodes];
	atomic_fetch_add(&stats->flips, 1);
	if (fork_mode_set(mode) || fork_mode_get(&own) < 0 || own != mode)
		atomic_fetch_add(&stats->failures, 1);
	write_stats();
}

/* A child picks its own random sequence. */
static void reseed_in_child(void)
{
	rng = 0;
}

static void __attribute__((constructor)) flip_init(void)
{
	const char *m = getenv("FORKLAB_FLIP_MODES");
	const char *ms = getenv("FORKLAB_FLIP_MS");
	const char *path = getenv("FORKLAB_FLIP_STATS");
	char buf[128], *tok, *save;
	int mode;

	if (!m || !*m)
		return;
	snprintf(buf, sizeof(buf), "%s", m);
	for (tok = strtok_r(buf, ",", &save); tok && nmodes < MAX_MODES;
	     tok = strtok_r(NULL, ",", &save)) {
		mode = fork_mode_parse(tok);
		if (mode == FORK_MODE_INVALID) {
			fprintf(stderr, "forkmode-flip: unknown mode '%s'\n", tok);
			_exit(2);
		}
		modes[nmodes++] = mode;
	}
	if (!nmodes)
		return;
	if (ms)
		interval_ms = strtol(ms, NULL, 10);
	if (interval_ms < 1)
		interval_ms = 1;
	stats = mmap(NULL, sizeof(*stats), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (stats == MAP_FAILED) {
		perror("forkmode-flip: mmap");
		_exit(2);
	}
	if (path && *path) {
		stats_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (stats_fd < 0) {
			fprintf(stderr, "forkmode-flip: %s: %s\n", path, strerror(errno));
			_exit(2);
		}
		first_pid = getpid();
		/* Programs this one execs keep flipping, but write no stats. */
		unsetenv("FORKLAB_FLIP_STATS");
	}
	pthread_atfork(flip_before_fork, NULL, reseed_in_child);
}

static void __attribute__((destructor)) flip_fini(void)
{
	if (stats && stats != MAP_FAILED)
		write_stats();
}
