// SPDX-License-Identifier: GPL-2.0
/*
 * forkbench-spawn-worker: the process forkbench spawn measures from
 * (spawn_worker.h).  Statically linked, with nothing but its heap, the
 * exec target's name and its counters: the fork it times is the fork of a
 * process as small as a minimal C program.
 *
 *   forkbench-spawn-worker CMD_FD RES_FD
 *
 * Not meant to be run by hand: forkbench spawn starts it.
 */
#include "forkbench.h"
#include "spawn_worker.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;


struct spawn_ctx {
	char fdarg[16];
	char *argv[3];
	int rfd, wfd;
	void *stack;
	size_t stack_size;
};

#define STACK_SIZE ((size_t)256 * 1024)

static struct spawn_setup set;

static int child_exec(void *arg)
{
	struct spawn_ctx *s = arg;

	execve(set.target, s->argv, environ);
	_exit(127);
}

/* vfork in its own frame: the child only execs or _exits. */
static __attribute__((noinline)) pid_t do_vfork_exec(struct spawn_ctx *s)
{
	pid_t pid = vfork();

	if (pid == 0) {
		execve(set.target, s->argv, environ);
		_exit(127);
	}
	return pid;
}

static pid_t start_child(enum spawn_method m, struct spawn_ctx *s, int *err)
{
	pid_t pid = -1;
	uint64_t t;
	int rc;

	switch (m) {
	case M_FORK_EXIT:
		pid = fork();
		if (pid == 0) {
			t = now_ns();
			_exit(write(s->wfd, &t, sizeof(t)) == (ssize_t)sizeof(t) ? 0 : 1);
		}
		break;
	case M_FORK_EXEC:
		pid = fork();
		if (pid == 0)
			child_exec(s);
		break;
	case M_VFORK_EXEC:
		pid = do_vfork_exec(s);
		break;
	case M_POSIX_SPAWN:
		rc = posix_spawn(&pid, set.target, NULL, NULL, s->argv, environ);
		if (rc) {
			errno = rc;
			pid = -1;
		}
		break;
	case M_CLONE_VFORK_EXEC:
		pid = clone(child_exec, (char *)s->stack + s->stack_size,
			    CLONE_VM | CLONE_VFORK | SIGCHLD, s);
		break;
	case M_NR:
		break;
	}
	*err = errno;
	return pid;
}

/* The child's exit status as a failed iteration's message. */
static void child_failed(enum spawn_method m, int status)
{
	if (WIFEXITED(status))
		fprintf(stderr, "forkbench spawn: %s: the child exited with status %d%s\n",
			spawn_method_names[m], WEXITSTATUS(status),
			WEXITSTATUS(status) == 127 ? " (exec failed)" : "");
	else
		fprintf(stderr, "forkbench spawn: %s: the child was killed by signal %d\n",
			spawn_method_names[m], WTERMSIG(status));
}

/* One iteration.  Returns 0, -1 on error (printed), 1 when stopping. */
static int run_once(enum spawn_method m, struct spawn_ctx *s, struct spawn_sample *out)
{
	struct rusage self0, self1, child;
	uint64_t t0, t_ret, t_reap, t_start;
	int status = 0, err;
	pid_t pid;

	getrusage(RUSAGE_SELF, &self0);
	events_begin(&set.ev);
	t0 = now_ns();
	pid = start_child(m, s, &err);
	t_ret = now_ns();
	if (pid < 0) {
		if (fb_stopping())
			return 1;
		fprintf(stderr, "forkbench spawn: %s failed: %s\n", spawn_method_names[m], strerror(err));
		return -1;
	}
	if (reap(pid, &status, &child) < 0) {
		fprintf(stderr, "forkbench spawn: wait for %s child %d failed: %s\n",
			spawn_method_names[m], (int)pid, strerror(errno));
		kill_and_reap(pid);
		return -1;
	}
	t_reap = now_ns();
	events_end(&set.ev, out->ev);
	getrusage(RUSAGE_SELF, &self1);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (fb_stopping())
			return 1;
		child_failed(m, status);
		return -1;
	}
	if (read(s->rfd, &t_start, sizeof(t_start)) != (ssize_t)sizeof(t_start)) {
		fprintf(stderr, "forkbench spawn: %s: the child reported no start time\n",
			spawn_method_names[m]);
		return -1;
	}
	out->ret = (double)(t_ret - t0);
	out->start = (double)(t_start - t0);
	out->reap = (double)(t_reap - t0);
	out->parent_minflt = (double)(self1.ru_minflt - self0.ru_minflt);
	out->child_minflt = (double)child.ru_minflt;
	return 0;
}

/* The start-time pipe and the clone stack.  0, or -1 (printed). */
static int setup(struct spawn_ctx *s)
{
	int p[2];

	/* Read end: close-on-exec, non-blocking; write end: inherited by every
	 * child at a fixed number passed in argv[1]. */
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK)) {
		fprintf(stderr, "forkbench spawn: pipe: %s\n", strerror(errno));
		return -1;
	}
	s->rfd = p[0];
	s->wfd = fcntl(p[1], F_DUPFD, 10);
	close(p[1]);
	if (s->wfd < 0) {
		fprintf(stderr, "forkbench spawn: fcntl: %s\n", strerror(errno));
		return -1;
	}
	snprintf(s->fdarg, sizeof(s->fdarg), "%d", s->wfd);
	s->argv[0] = set.target;
	s->argv[1] = s->fdarg;
	s->argv[2] = NULL;
	s->stack_size = STACK_SIZE;
	s->stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (s->stack == MAP_FAILED) {
		fprintf(stderr, "forkbench spawn: stack: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static void teardown(struct spawn_ctx *s)
{
	if (s->stack != MAP_FAILED)
		munmap(s->stack, s->stack_size);
	if (s->rfd >= 0)
		close(s->rfd);
	if (s->wfd >= 0)
		close(s->wfd);
}

static int fd_arg(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	return errno || *end || end == s || v < 0 || v > 1 << 20 ? -1 : (int)v;
}

/* The counters of the setup, opened on this process: the fd numbers are
 * the coordinator's, closed by the exec. */
static void open_events(void)
{
	int i;

	for (i = 0; i < set.ev.n; i++)
		set.ev.ev[i].fd = -1;
	events_reopen(&set.ev);
}

/* The iterations the coordinator asks for, until EOF or a failure. */
static int serve(int cmd, int res)
{
	struct spawn_ctx s;
	struct spawn_sample smp;
	struct heap heap;
	char err[FB_ERRLEN];
	uint64_t thp_bytes;
	int m, rc = -1;

	memset(&heap, 0, sizeof(heap));
	memset(&s, 0, sizeof(s));
	s.rfd = s.wfd = -1;
	s.stack = MAP_FAILED;
	if (heap_create(&heap, set.heap_bytes, set.thp, err, sizeof(err))) {
		fprintf(stderr, "forkbench spawn: %s\n", err);
		goto cleanup;
	}
	if (setup(&s))
		goto cleanup;
	thp_bytes = heap_thp_bytes(&heap);
	if (write(res, &thp_bytes, sizeof(thp_bytes)) != (ssize_t)sizeof(thp_bytes))
		goto cleanup;
	while (read_full(cmd, &m, sizeof(m)) == 0 && m >= 0 && m < M_NR) {
		memset(&smp, 0, sizeof(smp));
		smp.rc = run_once((enum spawn_method)m, &s, &smp);
		if (write(res, &smp, sizeof(smp)) != (ssize_t)sizeof(smp) || smp.rc)
			break;
	}
	rc = 0;
cleanup:
	teardown(&s);
	heap_destroy(&heap);
	return rc;
}

int main(int argc, char **argv)
{
	int cmd, res;

	cmd = argc == 3 ? fd_arg(argv[1]) : -1;
	res = argc == 3 ? fd_arg(argv[2]) : -1;
	if (cmd < 0 || res < 0) {
		fprintf(stderr, "%s: started by forkbench spawn, not by hand "
			"(usage: %s CMD_FD RES_FD)\n", SPAWN_WORKER, SPAWN_WORKER);
		return USAGE_EXIT;
	}
	/* Its stop requests are forkbench's: the iteration under way ends,
	 * its child is reaped. */
	fb_install_signals();
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (read_full(cmd, &set, sizeof(set)))
		return 1;
	set.target[sizeof(set.target) - 1] = '\0';
	if (set.ev.n < 0 || set.ev.n > FB_MAX_EVENTS)
		return 1;
	open_events();
	return serve(cmd, res) ? 1 : 0;
}
