// SPDX-License-Identifier: GPL-2.0
/*
 * forkbench pymp — Python multiprocessing over a parent heap.
 *
 * forkbench execs Debian's /usr/bin/python3 (-I: no user site, no PYTHON*
 * variables) with forkbench-pymp.py, the script installed beside forkbench
 * (bench/apps/pymp.py), once per heap size, start method and --gc-freeze
 * choice.  The script builds a heap of SIZE as a list of small GC-tracked
 * objects and, per iteration, times a Pool(1) from its start to the first
 * result and to the end of join(), then forks three children that read
 * Private_Dirty of /proc/self/smaps_rollup: one after walking the list (a
 * reference count write per object), one after doing nothing, one after a
 * full gc.collect().  It prints one JSON line per iteration; forkbench
 * keeps those after the warm-up ones as its rows.  python3 runs in a
 * process group of its own (pool workers, the forkserver and the
 * children with it): a stop request kills the group, and PR_SET_PDEATHSIG
 * kills python3 if forkbench dies.  The fork mode is forkbench's, which
 * python3 inherits across exec (lib/fork_mode.h).
 */
#include "forkbench.h"
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define PYTHON "/usr/bin/python3"
#define SCRIPT "forkbench-pymp.py"

static const char *const method_names[] = { "fork", "forkserver", "spawn", NULL };
static const char *const freeze_names[] = { "no", "yes", NULL };

static struct {
	bool method[3];
	bool freeze[2];
	bool method_set, freeze_set;
} opt;

/* The number after "key": in a JSON line, NaN when absent. */
static double json_field(const char *line, const char *key)
{
	char pat[64];
	const char *p;
	char *end;
	double v;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(line, pat);
	if (!p)
		return NAN;
	v = strtod(p + strlen(pat), &end);
	return end == p + strlen(pat) ? NAN : v;
}

/* python3 SCRIPT HEAP METHOD FREEZE N, stdout to a pipe, in a process
 * group of its own; the read end in *fd. */
static pid_t start_python(const struct fb_common *c, uint64_t heap, int method, int freeze,
			  int *fd)
{
	char script[4200], hs[32], ns[32];
	int p[2];
	pid_t pid;

	snprintf(script, sizeof(script), "%s/" SCRIPT, c->self_dir);
	snprintf(hs, sizeof(hs), "%llu", (unsigned long long)heap);
	snprintf(ns, sizeof(ns), "%" PRIu64, c->warmup + c->iterations);
	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (null < 0 || dup2(null, 0) < 0 || dup2(p[1], 1) < 0)
			_exit(127);
		execl(PYTHON, "python3", "-I", script, hs, method_names[method],
		      freeze_names[freeze], ns, (char *)NULL);
		fprintf(stderr, "forkbench pymp: cannot run " PYTHON ": %s\n", strerror(errno));
		_exit(127);
	}
	if (pid > 0)
		setpgid(pid, pid);
	close(p[1]);
	if (pid < 0)
		close(p[0]);
	else
		*fd = p[0];
	return pid;
}

static const char *const metrics[] = {
	"base_dirty_kb", "walk_dirty_kb", "collect_dirty_kb", "predicted_walk_kb", NULL
};

/* One sample line into cell; -1 when it lacks a field. */
static int put_sample(struct fb_cell *cell, const char *line)
{
	double first = json_field(line, "first_result_ns"), join = json_field(line, "join_ns");
	int k;

	if (isnan(first) || isnan(join))
		return -1;
	cell_put(cell, "first_result", FB_TIME, first);
	cell_put(cell, "join", FB_TIME, join);
	for (k = 0; metrics[k]; k++) {
		double v = json_field(line, metrics[k]);

		if (isnan(v))
			return -1;
		cell_put(cell, metrics[k], FB_MEDIAN, v);
	}
	trace_end(cell, 1);
	cell_commit(cell);
	return 0;
}

/* Reads python3's lines into cell: 0 at EOF, -1 on a malformed line, 1
 * when stopping. */
static int read_samples(const struct fb_common *c, FILE *f, struct fb_cell *cell)
{
	char *line = NULL;
	size_t cap = 0;
	uint64_t seen = 0;
	int rc = 0;

	trace_begin();
	for (;;) {
		errno = 0;
		if (getline(&line, &cap, f) < 0) {
			rc = errno == EINTR || fb_stopping() ? 1 : 0;
			break;
		}
		if (strstr(line, "\"heap\":"))
			continue;
		if (seen++ >= c->warmup && put_sample(cell, line)) {
			fprintf(stderr, "forkbench pymp: unexpected line from " SCRIPT ": %.200s",
				line);
			rc = -1;
			break;
		}
		trace_begin();
	}
	free(line);
	return rc;
}

static int run_one(struct fb_common *c, uint64_t heap, int method, int freeze)
{
	char name[48];
	struct fb_cell *cell;
	FILE *f = NULL;
	int fd = -1, status = 0, rc = -1;
	pid_t pid;

	snprintf(name, sizeof(name), "%s%s", method_names[method], freeze ? "-gcfreeze" : "");
	cell = cell_new(c->res, "pymp", name, fork_mode_name(c->fork_mode), heap,
			thp_names[c->thp], c->iterations);
	pid = start_python(c, heap, method, freeze, &fd);
	if (pid < 0) {
		fprintf(stderr, "forkbench pymp: cannot start " PYTHON ": %s\n", strerror(errno));
		return -1;
	}
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		goto cleanup;
	}
	rc = read_samples(c, f, cell);
cleanup:
	if (rc || fb_stopping())
		kill(-pid, SIGKILL);
	if (reap(pid, &status, NULL) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		if (!rc && !fb_stopping())
			fprintf(stderr, "forkbench pymp: " PYTHON " " SCRIPT " failed (status 0x%x)\n",
				status);
		rc = rc ? rc : -1;
	}
	kill(-pid, SIGKILL);	/* whatever of its group is left */
	if (f)
		fclose(f);
	if (!rc && cell->n < c->iterations) {
		fprintf(stderr, "forkbench pymp: " SCRIPT " gave %zu of %llu samples\n", cell->n,
			(unsigned long long)c->iterations);
		rc = -1;
	}
	return rc < 0 ? -1 : 0;
}

static int pymp_run(struct fb_common *c)
{
	int hi, m, g, rc = 0;

	for (hi = 0; hi < c->nheaps && !rc && !fb_stopping(); hi++)
		for (g = 0; g < 2 && !rc && !fb_stopping(); g++)
			for (m = 0; m < 3 && !rc && !fb_stopping(); m++)
				if (opt.method[m] && opt.freeze[g])
					rc = run_one(c, c->heaps[hi], m, g);
	return rc;
}

/* ---- options ----------------------------------------------------------- */

static int add_method(const char *item, void *ctx)
{
	int i = parse_choice(item, method_names, "--start-method", fb_parse_err,
			     sizeof(fb_parse_err));

	(void)ctx;
	if (i < 0)
		return -1;
	opt.method[i] = true;
	return 0;
}

static int add_freeze(const char *item, void *ctx)
{
	int i = parse_choice(item, freeze_names, "--gc-freeze", fb_parse_err,
			     sizeof(fb_parse_err));

	(void)ctx;
	if (i < 0)
		return -1;
	opt.freeze[i] = true;
	return 0;
}

enum { OPT_METHOD = 0x700, OPT_FREEZE };

static const struct argp_option pymp_options[] = {
	{ NULL, 0, NULL, 0, "pymp options:", 2 },
	{ "start-method", OPT_METHOD, "fork|forkserver|spawn[,...]", 0,
	  "multiprocessing start methods (default fork,forkserver,spawn)", 2 },
	{ "gc-freeze", OPT_FREEZE, "no|yes[,...]", 0,
	  "gc.freeze() the heap before the forks, or not (default no)", 2 },
	{ 0 }
};

static error_t pymp_parse(int key, char *arg, struct argp_state *state)
{
	(void)state;
	switch (key) {
	case OPT_METHOD:
		memset(opt.method, 0, sizeof(opt.method));
		opt.method_set = true;
		return fb_list_option("--start-method", arg, add_method, NULL);
	case OPT_FREEZE:
		memset(opt.freeze, 0, sizeof(opt.freeze));
		opt.freeze_set = true;
		return fb_list_option("--gc-freeze", arg, add_freeze, NULL);
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static int pymp_check(struct fb_common *c, char *err, size_t errlen)
{
	(void)c;
	(void)err;
	(void)errlen;
	if (!opt.method_set)
		opt.method[0] = opt.method[1] = opt.method[2] = true;
	if (!opt.freeze_set)
		opt.freeze[0] = true;
	return 0;
}

/* python3 and the script must be there; the heap, the walk and collect
 * children's copies of it (up to the heap again) and the list's own
 * array (8 bytes per object of 48) must fit. */
static int pymp_fits(struct fb_common *c, char *err, size_t errlen)
{
	char script[4200];
	uint64_t need = 0;
	int i;

	for (i = 0; i < c->nheaps; i++)
		if (c->heaps[i] > need)
			need = c->heaps[i];
	if (heap_fits(need / 6 * 13, "--heap", err, errlen))
		return -1;
	if (access(PYTHON, X_OK)) {
		snprintf(err, errlen, "needs Debian's python3 (" PYTHON ": %s; "
			 "scripts/install-deps.sh installs it)", strerror(errno));
		return -1;
	}
	snprintf(script, sizeof(script), "%s/" SCRIPT, c->self_dir[0] ? c->self_dir : ".");
	if (access(script, R_OK)) {
		snprintf(err, errlen, "needs %.200s beside forkbench (%s; make builds it)", script,
			 strerror(errno));
		return -1;
	}
	return 0;
}

static const struct argp pymp_argp = {
	pymp_options, pymp_parse, NULL,
	"forkbench pymp: Python multiprocessing over a parent heap of SIZE (a list of small "
	"objects), per start method, with and without gc.freeze(); Debian's " PYTHON " runs "
	SCRIPT " (installed beside forkbench).\v"
	"Rows: METHOD[-gcfreeze] first_result (Pool(1) started to its first result) and join "
	"(started to the end of join()), with the Private_Dirty (KiB, smaps_rollup) of three "
	"fork children of the heap's owner: base_dirty_kb (does nothing), walk_dirty_kb (walks "
	"the list: a reference count write per object), collect_dirty_kb (gc.collect()), and "
	"predicted_walk_kb: base_dirty_kb plus the pages holding the reference counts the walk "
	"writes (from the objects' addresses). -n iterations after --warmup ones, each a new "
	"pool and three children; the heap is built once per row.\n\n"
	"Examples:\n"
	"  forkbench pymp --heap 64M -n 10\n"
	"  forkbench pymp --heap 16M,256M --start-method fork,spawn --gc-freeze no,yes\n"
	"  forkbench pymp --heap 1G --start-method fork -n 6 --warmup 1 --format csv",
	NULL, NULL, NULL
};

static const struct fb_bench pymp_bench = {
	.name = "pymp",
	.order = 80,
	.summary = "Python multiprocessing: pool latency per start method, children's dirty pages",
	.argp = &pymp_argp,
	.default_iterations = 10,
	.trace_heap_only = false,
	.check = pymp_check,
	.fits = pymp_fits,
	.run = pymp_run,
};
FB_BENCH(pymp_bench);
