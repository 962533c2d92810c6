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
 * and minor faults of parent (getrusage) and child (wait4).
 */
#include "forkbench.h"
#include "trace.h"

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

#define STACK_SIZE ((size_t)256 * 1024)

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

/* One measured iteration, as a worker sends it to the coordinator. */
struct sample {
	int rc;			/* 0, -1 error (printed by the worker), 1 stopping */
	double ret, start, reap, parent_minflt, child_minflt;
	double ev[FB_MAX_EVENTS];
};

/* One iteration.  Returns 0, -1 on error (printed), 1 when stopping. */
static int run_once(struct fb_common *c, enum method m, struct spawn_ctx *s,
		    struct sample *out)
{
	struct rusage self0, self1, child;
	uint64_t t0, t_ret, t_reap, t_start;
	int status = 0, err;
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
	events_end(&c->ev, out->ev);
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
	out->ret = (double)(t_ret - t0);
	out->start = (double)(t_start - t0);
	out->reap = (double)(t_reap - t0);
	out->parent_minflt = (double)(self1.ru_minflt - self0.ru_minflt);
	out->child_minflt = (double)child.ru_minflt;
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

/*
 * One worker process per heap size, forked before any heap exists, so each
 * parent has exactly its own heap.  The coordinator asks the workers in
 * turn for one iteration of each method: heap sizes and methods are
 * interleaved iteration by iteration, so load on the machine hits them all
 * alike and their ratios stay meaningful.
 */
struct worker {
	pid_t pid;
	int cmd, res;		/* pipes: coordinator -> worker, worker -> coordinator */
	uint64_t thp_bytes;
};

static __attribute__((noreturn)) void worker_main(struct fb_common *c, uint64_t heap_bytes,
						  int cmd, int res)
{
	struct spawn_ctx s;
	struct sample smp;
	struct heap heap;
	char err[FB_ERRLEN];
	uint64_t thp_bytes;
	int m;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (c->events)
		events_reopen(&c->ev);
	if (heap_create(&heap, heap_bytes, c->thp, err, sizeof(err))) {
		fprintf(stderr, "forkbench spawn: %s\n", err);
		_exit(1);
	}
	if (setup(c, &s))
		_exit(1);
	thp_bytes = heap_thp_bytes(&heap);
	if (write(res, &thp_bytes, sizeof(thp_bytes)) != (ssize_t)sizeof(thp_bytes))
		_exit(1);
	while (read(cmd, &m, sizeof(m)) == (ssize_t)sizeof(m)) {
		memset(&smp, 0, sizeof(smp));
		smp.rc = run_once(c, (enum method)m, &s, &smp);
		if (write(res, &smp, sizeof(smp)) != (ssize_t)sizeof(smp) || smp.rc)
			break;
	}
	teardown(&s);
	heap_destroy(&heap);
	_exit(0);
}

/* Starts w[k]; w[0..k) are running: the new worker closes their pipes, or
 * an earlier worker would never see EOF on its command pipe. */
static int start_worker(struct fb_common *c, uint64_t heap_bytes, struct worker *w, int k)
{
	int cmd[2], res[2], j;

	if (pipe2(cmd, O_CLOEXEC))
		return -1;
	if (pipe2(res, O_CLOEXEC)) {
		close(cmd[0]);
		close(cmd[1]);
		return -1;
	}
	w[k].pid = fork();
	if (w[k].pid == 0) {
		for (j = 0; j < k; j++) {
			close(w[j].cmd);
			close(w[j].res);
		}
		close(cmd[1]);
		close(res[0]);
		worker_main(c, heap_bytes, cmd[0], res[1]);
	}
	close(cmd[0]);
	close(res[1]);
	w[k].cmd = cmd[1];
	w[k].res = res[0];
	if (w[k].pid < 0 ||
	    read(w[k].res, &w[k].thp_bytes, sizeof(w[k].thp_bytes)) != (ssize_t)sizeof(w[k].thp_bytes)) {
		if (w[k].pid > 0 && !fb_stopping())
			fprintf(stderr, "forkbench spawn: the worker for heap %llu bytes did not start\n",
				(unsigned long long)heap_bytes);
		return -1;
	}
	return 0;
}

static void stop_worker(struct worker *w)
{
	if (w->cmd >= 0)
		close(w->cmd);	/* EOF: the worker exits */
	if (w->res >= 0)
		close(w->res);
	if (w->pid > 0) {
		if (fb_stopping())
			kill(w->pid, SIGKILL);
		reap(w->pid, NULL, NULL);
	}
	w->pid = 0;
	w->cmd = w->res = -1;
}

static void record(struct fb_common *c, struct fb_cell *cell, const struct sample *smp)
{
	cell_put(cell, "return", FB_TIME, smp->ret);
	cell_put(cell, "start", FB_TIME, smp->start);
	cell_put(cell, "reap", FB_TIME, smp->reap);
	cell_put(cell, "parent_minflt", FB_MEDIAN, smp->parent_minflt);
	cell_put(cell, "child_minflt", FB_MEDIAN, smp->child_minflt);
	fb_put_events(c, cell, smp->ev);
	cell_commit(cell);
}

static int spawn_run(struct fb_common *c)
{
	struct fb_cell *cells[FB_MAX_HEAPS][M_NR] = { { 0 } };
	struct worker w[FB_MAX_HEAPS];
	struct sample smp;
	int h, m, rc = 0;
	uint64_t i;

	for (h = 0; h < c->nheaps; h++)
		w[h].pid = 0, w[h].cmd = w[h].res = -1;
	for (h = 0; h < c->nheaps && !rc; h++)
		rc = start_worker(c, c->heaps[h], w, h);
	for (h = 0; h < c->nheaps && !rc; h++)
		for (m = 0; m < M_NR; m++) {
			if (!opt.use[m])
				continue;
			cells[h][m] = cell_new(c->res, "spawn", method_names[m],
					       fork_mode_name(c->fork_mode), c->heaps[h],
					       thp_names[c->thp], c->iterations);
			cells[h][m]->thp_bytes = w[h].thp_bytes;
		}
	for (i = 0; i < c->warmup + c->iterations && !rc && !fb_stopping(); i++)
		for (m = 0; m < M_NR && !rc; m++)
			for (h = 0; h < c->nheaps && !rc && opt.use[m]; h++) {
				trace_begin();
				if (write(w[h].cmd, &m, sizeof(m)) != (ssize_t)sizeof(m) ||
				    read(w[h].res, &smp, sizeof(smp)) != (ssize_t)sizeof(smp)) {
					rc = fb_stopping() ? 1 : -1;
					if (rc < 0)
						fprintf(stderr, "forkbench spawn: a worker died\n");
					break;
				}
				rc = smp.rc;
				if (!rc && i >= c->warmup) {
					/* The worker forks: role 1 below forkbench. */
					trace_end(cells[h][m], 1);
					record(c, cells[h][m], &smp);
				}
			}
	for (h = 0; h < c->nheaps; h++)
		stop_worker(&w[h]);
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
	int m;

	if (!opt.nmethods)
		for (m = 0; m < M_NR; m++)
			opt.use[m] = true;
	return 0;
}

static int spawn_fits(struct fb_common *c, char *err, size_t errlen)
{
	uint64_t need = 0;
	int h;

	/* One worker per heap size, all alive at once. */
	for (h = 0; h < c->nheaps; h++)
		need += c->heaps[h];
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

static const struct fb_bench spawn_bench = {
	.name = "spawn",
	.order = 10,
	.summary = "fork/vfork/posix_spawn/clone+exec compared, vs parent size",
	.argp = &spawn_argp,
	.default_iterations = 100,
	.trace_heap_only = false,
	.check = spawn_check,
	.fits = spawn_fits,
	.run = spawn_run,
};
FB_BENCH(spawn_bench);
