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
#include "spawn_worker.h"
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

extern char **environ;

static const char *const target_names[] = { "static", "dynamic", NULL };

static struct {
	bool use[M_NR];
	int nmethods;
	int target;	/* index in target_names */
} opt = { .target = 0 };

/*
 * One worker process per heap size (spawn_worker.h), forked and exec'd
 * before any heap exists, so each parent has exactly its own heap and
 * nothing of forkbench's.  The coordinator asks the workers in
 * turn for one iteration of each method: heap sizes and methods are
 * interleaved iteration by iteration, so load on the machine hits them all
 * alike and their ratios stay meaningful.
 */
struct worker {
	pid_t pid;
	int cmd, res;		/* pipes: coordinator -> worker, worker -> coordinator */
	uint64_t thp_bytes;
};

/* The worker's side of a new worker: its two pipe ends kept across the
 * exec, every other inherited descriptor close-on-exec already (pipes,
 * counters and the tracer's are opened so). */
static __attribute__((noreturn)) void exec_worker(const struct fb_common *c, int cmd, int res)
{
	char path[4200], a1[16], a2[16];
	char *argv[] = { path, a1, a2, NULL };

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	snprintf(path, sizeof(path), "%s/" SPAWN_WORKER, c->self_dir);
	snprintf(a1, sizeof(a1), "%d", cmd);
	snprintf(a2, sizeof(a2), "%d", res);
	if (fcntl(cmd, F_SETFD, 0) == 0 && fcntl(res, F_SETFD, 0) == 0)
		execve(path, argv, environ);
	fprintf(stderr, "forkbench spawn: cannot run %s: %s (build it with make)\n", path,
		strerror(errno));
	_exit(1);
}

/* The worker's setup: heap, exec target, the counters forkbench encoded. */
static int send_setup(const struct fb_common *c, uint64_t heap_bytes, int cmd)
{
	static struct spawn_setup set;

	memset(&set, 0, sizeof(set));
	set.heap_bytes = heap_bytes;
	set.thp = c->thp;
	snprintf(set.target, sizeof(set.target), "%s/forkbench-target-%s", c->self_dir,
		 target_names[opt.target]);
	if (access(set.target, X_OK)) {
		fprintf(stderr, "forkbench spawn: exec target %s: %s (build it with make)\n",
			set.target, strerror(errno));
		return -1;
	}
	set.ev = c->ev;
	return write(cmd, &set, sizeof(set)) == (ssize_t)sizeof(set) ? 0 : -1;
}

/* Starts w[k]; w[0..k) are running: the new worker closes their pipes, or
 * an earlier worker would never see EOF on its command pipe. */
static int start_worker(const struct fb_common *c, uint64_t heap_bytes, struct worker *w, int k)
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
		exec_worker(c, cmd[0], res[1]);
	}
	close(cmd[0]);
	close(res[1]);
	w[k].cmd = cmd[1];
	w[k].res = res[0];
	if (w[k].pid < 0)
		return -1;
	if (send_setup(c, heap_bytes, w[k].cmd))
		return -1;
	if (read(w[k].res, &w[k].thp_bytes, sizeof(w[k].thp_bytes)) != (ssize_t)sizeof(w[k].thp_bytes)) {
		if (!fb_stopping())
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

static void record(struct fb_common *c, struct fb_cell *cell, const struct spawn_sample *smp)
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
	struct spawn_sample smp;
	int h, m, rc = 0;
	uint64_t i;

	for (h = 0; h < FB_MAX_HEAPS; h++)
		w[h].pid = 0, w[h].cmd = w[h].res = -1;
	for (h = 0; h < c->nheaps && !rc; h++)
		rc = start_worker(c, c->heaps[h], w, h);
	for (h = 0; h < c->nheaps && !rc; h++)
		for (m = 0; m < M_NR; m++) {
			if (!opt.use[m])
				continue;
			cells[h][m] = cell_new(c->res, "spawn", spawn_method_names[m],
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
	int m = parse_choice(item, spawn_method_names, "method", err, FB_ERRLEN);

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
