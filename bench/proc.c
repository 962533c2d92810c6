// SPDX-License-Identifier: GPL-2.0
/*
 * The process helpers of forkbench.h that need nothing but libc: the
 * clock, reaping, reading a pipe whole, the stop flag.  Linked into forkbench and into spawn's
 * worker (spawn_worker.c).
 */
#include "forkbench.h"

#include <errno.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

volatile sig_atomic_t fb_stop_signal;

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

pid_t reap(pid_t pid, int *status, struct rusage *ru)
{
	pid_t r;

	for (;;) {
		r = wait4(pid, status, 0, ru);
		if (r >= 0 || errno != EINTR)
			return r;
		if (fb_stopping())
			kill(pid, SIGKILL);
	}
}

long minflt_self(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

int kill_and_reap(pid_t pid)
{
	int status = 0;

	kill(pid, SIGKILL);
	reap(pid, &status, NULL);
	return status;
}

int read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	ssize_t r;

	while (len) {
		r = read(fd, p, len);
		if (r < 0 && errno == EINTR && !fb_stopping())
			continue;
		if (r <= 0)
			return -1;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

static void on_signal(int sig)
{
	fb_stop_signal = sig;
}

void fb_install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: waits return EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}
