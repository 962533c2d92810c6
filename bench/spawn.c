// SPDX-License-Identifier: GPL-2.0
/*
 * forkbench spawn — how a new program is started: fork+exit, fork+exec,
 * vfork+exec, posix_spawn, clone(CLONE_VM|CLONE_VFORK)+exec, from a parent
 * with a touched heap of --heap SIZE.
 *
 * Per iteration, three times from the call in the parent:
 *   return  the call returned in the parent
 *   start   the new program (or, for fork_exit, the child) ran its first
 *           instruction of main: the exec target reports CLOCK_MONOTONIC
 *           through a pipe
 *   reap    the parent has reaped the child
 * and minor faults of parent (getrusage) and child (wait4).  Methods are
 * interleaved iteration by iteration, so drift hits all of them alike.
 */
#include "forkbench.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

enum method { M_FORK_EXIT, M_FORK_EXEC, M_VFORK_EXEC, M_POSIX_SPAWN, M_CLONE_VFORK_EXEC, M_NR };
static const char *const method_names[] = {
	"fork_exit", "fork_exec", "vfork_exec", "posix_spawn", "clone_vfork_exec", NULL
};
static const char *const target_names[] = { "static", "dynamic", NULL };

static struct {
	bool use[M_NR];
	int nmethods;
	int target;	/* index in target_names */
} opt = { .target = 0 };

struct spawn_ctx {
	char target[4200];
	char fdarg[16];
	char *argv[3];
	int rfd, wfd;
	void *stack;
	size_t stack_size;
};

#define STACK_SIZE (256 * 1024)

static int child_exec(void *arg)
{
	struct spawn_ctx *s = arg;

	execve(s->target, s->argv, environ);
	_exit(127);
}

/* vfork in its own frame: the child only execs or _exits. */
static __attribute__((noinline)) pid_t do_vfork_exec(struct spawn_ctx *s)
{
	pid_t pid = vfork();

	if (pid == 0) {
		execve(s->target, s->argv, environ);
		_exit(127);
	}
	return pid;
}

static pid_t start_child(enum method m, struct spawn_ctx *s, int *err)
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
		rc = posix_spawn(&pid, s->target, NULL, NULL, s->argv, environ);
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

/* One iteration.  Returns 0, -1 on error (printed), 1 when stopping. */
static int run_once(struct fb_common *c, enum method m, struct spawn_ctx *s,
		    struct fb_cell *cell)
{
	struct rusage self0, self1, child;
	uint64_t t0, t_ret, t_reap, t_start;
	double ev[FB_MAX_EVENTS];
	int status = 0, err, i;
	pid_t pid;

	getrusage(RUSAGE_SELF, &self0);
	events_begin(&c->ev);
	t0 = now_ns();
	pid = start_child(m, s, &err);
	t_ret = now_ns();
	if (pid < 0) {
		if (fb_stopping())
			return 1;
		fprintf(stderr, "forkbench spawn: %s failed: %s\n", method_names[m], strerror(err));
		return -1;
	}
	if (reap(pid, &status, &child) < 0) {
		fprintf(stderr, "forkbench spawn: wait for %s child %d failed: %s\n",
			method_names[m], (int)pid, strerror(errno));
		kill_and_reap(pid);
		return -1;
	}
	t_reap = now_ns();
	events_end(&c->ev, ev);
	getrusage(RUSAGE_SELF, &self1);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (fb_stopping())
			return 1;
		if (WIFEXITED(status))
			fprintf(stderr, "forkbench spawn: %s: the child exited with status %d%s\n",
				method_names[m], WEXITSTATUS(status),
				WEXITSTATUS(status) == 127 ? " (exec failed)" : "");
		else
			fprintf(stderr, "forkbench spawn: %s: the child was killed by signal %d\n",
				method_names[m], WTERMSIG(status));
		return -1;
	}
	if (read(s->rfd, &t_start, sizeof(t_start)) != (ssize_t)sizeof(t_start)) {
		fprintf(stderr, "forkbench spawn: %s: the child reported no start time\n",
			method_names[m]);
		return -1;
	}
	if (!cell)
		return 0;
	cell_put(cell, "return", FB_TIME, (double)(t_ret - t0));
	cell_put(cell, "start", FB_TIME, (double)(t_start - t0));
	cell_put(cell, "reap", FB_TIME, (double)(t_reap - t0));
	cell_put(cell, "parent_minflt", FB_MEDIAN, (double)(self1.ru_minflt - self0.ru_minflt));
	cell_put(cell, "child_minflt", FB_MEDIAN, (double)child.ru_minflt);
	for (i = 0; i < c->ev.n; i++)
		cell_put(cell, c->ev.ev[i].column, FB_MEDIAN, ev[i]);
	cell_commit(cell);
	return 0;
}

static int setup(struct fb_common *c, struct spawn_ctx *s)
{
	int p[2];

	memset(s, 0, sizeof(*s));
	s->rfd = s->wfd = -1;
	snprintf(s->target, sizeof(s->target), "%s/forkbench-target-%s", c->self_dir,
		 target_names[opt.target]);
	if (access(s->target, X_OK)) {
		fprintf(stderr, "forkbench spawn: exec target %s: %s (build it with make)\n",
			s->target, strerror(errno));
		return -1;
	}
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
		close(s->rfd);
		return -1;
	}
	snprintf(s->fdarg, sizeof(s->fdarg), "%d", s->wfd);
	s->argv[0] = s->target;
	s->argv[1] = s->fdarg;
	s->argv[2] = NULL;
	s->stack_size = STACK_SIZE;
	s->stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (s->stack == MAP_FAILED) {
		fprintf(stderr, "forkbench spawn: stack: %s\n", strerror(errno));
		close(s->rfd);
		close(s->wfd);
		return -1;
	}
	return 0;
}

static void teardown(struct spawn_ctx *s)
{
	munmap(s->stack, s->stack_size);
	close(s->rfd);
	close(s->wfd);
}

static int spawn_run(struct fb_common *c)
{
	struct fb_cell *cells[M_NR] = { 0 };
	struct spawn_ctx s;
	char err[FB_ERRLEN];
	int h, rc = 0;
	uint64_t i;

	if (setup(c, &s))
		return -1;
	for (h = 0; h < c->nheaps && !rc && !fb_stopping(); h++) {
		struct heap heap;
		uint64_t thp_bytes;
		int m;

		if (heap_create(&heap, c->heaps[h], c->thp, err, sizeof(err))) {
			fprintf(stderr, "forkbench spawn: %s\n", err);
			rc = -1;
			break;
		}
		thp_bytes = heap_thp_bytes(&heap);
		for (m = 0; m < M_NR; m++) {
			if (!opt.use[m])
				continue;
			cells[m] = cell_new(c->res, "spawn", method_names[m], fork_mode_names[c->fork_mode], c->heaps[h],
					    thp_names[c->thp], c->iterations);
			cells[m]->thp_bytes = thp_bytes;
		}
		for (i = 0; i < c->warmup + c->iterations && !rc && !fb_stopping(); i++)
			for (m = 0; m < M_NR && !rc; m++)
				if (opt.use[m])
					rc = run_once(c, (enum method)m, &s,
						      i < c->warmup ? NULL : cells[m]);
		heap_destroy(&heap);
	}
	teardown(&s);
	return rc < 0 ? -1 : 0;
}

static int set_method(const char *item, void *ctx)
{
	char *err = ctx;
	int m = parse_choice(item, method_names, "method", err, FB_ERRLEN);

	if (m < 0)
		return -1;
	if (!opt.use[m])
		opt.nmethods++;
	opt.use[m] = true;
	return 0;
}

enum { OPT_METHOD = 'm', OPT_TARGET = 0x200 };

static const struct argp_option spawn_options[] = {
	{ NULL, 0, NULL, 0, "spawn options:", 2 },
	{ "method", OPT_METHOD, "M[,M...]", 0,
	  "fork_exit, fork_exec, vfork_exec, posix_spawn, clone_vfork_exec (default: all)", 2 },
	{ "exec-target", OPT_TARGET, "static|dynamic", 0,
	  "The program exec'd: forklab's static (default) or dynamic tiny target", 2 },
	{ 0 }
};

static error_t spawn_parse(int key, char *arg, struct argp_state *state)
{
	int i;

	switch (key) {
	case OPT_METHOD:
		memset(opt.use, 0, sizeof(opt.use));
		opt.nmethods = 0;
		if (parse_list(arg, set_method, fb_parse_err, fb_parse_err, sizeof(fb_parse_err)) < 0)
			return EINVAL;
		return 0;
	case OPT_TARGET:
		i = parse_choice(arg, target_names, "--exec-target", fb_parse_err, sizeof(fb_parse_err));
		if (i < 0)
			return EINVAL;
		opt.target = i;
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static int spawn_check(struct fb_common *c, char *err, size_t errlen)
{
	uint64_t need = 0;
	int h, m;

	if (!opt.nmethods)
		for (m = 0; m < M_NR; m++)
			opt.use[m] = true;
	for (h = 0; h < c->nheaps; h++)
		if (c->heaps[h] > need)
			need = c->heaps[h];
	return heap_fits(need, "--heap", err, errlen);
}

static const struct argp spawn_argp = {
	spawn_options, spawn_parse, NULL,
	"forkbench spawn: time to start a new program from a parent of a given size.\v"
	"Times per iteration: return (the call returned in the parent), start (the new "
	"program ran main), reap (the parent reaped the child); minor faults of parent and "
	"child.\n\n"
	"Examples:\n"
	"  forkbench spawn\n"
	"  forkbench spawn --method fork_exec,posix_spawn --heap 0,1G -n 50\n"
	"  forkbench spawn --heap 256M --thp always --format csv --samples s.csv\n"
	"  forkbench spawn --method vfork_exec --events perf::PAGE-FAULTS,cycles",
	NULL, NULL, NULL
};

const struct fb_bench spawn_bench = {
	.name = "spawn",
	.summary = "fork/vfork/posix_spawn/clone+exec compared, vs parent size",
	.argp = &spawn_argp,
	.default_iterations = 100,
	.check = spawn_check,
	.run = spawn_run,
};
