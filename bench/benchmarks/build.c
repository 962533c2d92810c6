// SPDX-License-Identifier: GPL-2.0
/*
 * forkbench build — a fork-heavy build: Debian's make -j J of a small C
 * project forklab ships (bench/apps/buildproj, installed beside forkbench
 * as forkbench-buildproj/): a configure-style script (a compiler run per
 * header and function checked, command substitutions and pipelines per
 * source), main.c and the first --units of 23 small units compiled, a link
 * and a run of the program.
 *
 * Each iteration copies the project into a scratch folder of its own
 * ($TMPDIR or /tmp, forkbench-build.XXXXXX) and runs make there from the
 * first process of a new PID namespace (root; clone(CLONE_NEWPID)): that
 * process is PID 1 of the namespace, so once make and everything it
 * started are gone, the namespace's last PID less one is the number of
 * tasks the build created, make itself included: forks, exactly, whatever
 * else the machine runs.  The last PID is /proc/sys/kernel/ns_last_pid,
 * read from inside (a kernel with CONFIG_CHECKPOINT_RESTORE), else one PID
 * less than a task started after the build without an mm of its own
 * (CLONE_VM | CLONE_VFORK: no address space is copied for it), since a new
 * namespace hands out its PIDs in order.
 * forks_system is /proc/stat's processes over the same time (every fork on
 * the machine: at least forks).  Without a namespace (not root) forks is
 * empty with the reason on stderr.  A stop request kills the namespace's
 * first process (the kernel kills the rest of the namespace with it) and
 * its process group; the scratch folder is removed on every exit of an
 * iteration.  The fork mode is forkbench's, inherited by make and its
 * children (lib/fork_mode.h).
 */
#include "app.h"
#include "forkbench.h"
#include "sysinfo.h"
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAKE "/usr/bin/make"
#define CC "/usr/bin/cc"
#define PROJECT "forkbench-buildproj"
#define MAX_JOBS 8
#define NUNITS 23

static struct {
	uint64_t jobs[MAX_JOBS];
	int njobs;
	uint64_t units;
} opt = { { 0 }, 0, NUNITS };

/* What the namespace's first process runs make with. */
struct init_arg {
	const char *dir;
	uint64_t jobs;
	int fd;		/* writes "WALL_NS FORKS\n" here */
	bool ns;	/* PID 1 of a namespace of its own */
};

static char init_stack[64 * 1024] __attribute__((aligned(16)));
static char probe_stack[16 * 1024] __attribute__((aligned(16)));

static int probe_exit(void *arg)
{
	(void)arg;
	return 0;
}

/*
 * The namespace's last PID, from inside it (see the top); 0 if it cannot be
 * had.  FORKLAB_BUILD_PID_PROBE=1 skips ns_last_pid: how the tests check
 * the other way on a kernel that has both.
 */
static long last_pid(void)
{
	const char *force = getenv("FORKLAB_BUILD_PID_PROBE");
	char *s = NULL;
	long last = 0;
	pid_t pid;

	if (!force || strcmp(force, "1") != 0)
		s = read_line("/proc/sys/kernel/ns_last_pid");
	if (s) {
		last = strtol(s, NULL, 10);
		free(s);
		return last;
	}
	pid = clone(probe_exit, probe_stack + sizeof(probe_stack),
		    CLONE_VM | CLONE_VFORK | SIGCHLD, NULL);
	if (pid <= 0 || waitpid(pid, NULL, 0) != pid)
		return 0;
	return pid - 1;
}

static pid_t run_make(const struct init_arg *a)
{
	char j[24], u[32];
	pid_t pid = fork();
	int fd;

	if (pid)
		return pid;
	snprintf(j, sizeof(j), "%llu", (unsigned long long)a->jobs);
	snprintf(u, sizeof(u), "UNITS=%llu", (unsigned long long)opt.units);
	fd = -1;
	if (chdir(a->dir) == 0)
		fd = open("build.log", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		_exit(126);
	/* A make above forkbench (make test) passes its jobs down in these. */
	unsetenv("MAKEFLAGS");
	unsetenv("MFLAGS");
	unsetenv("GNUMAKEFLAGS");
	unsetenv("MAKELEVEL");
	close(0);
	if (open("/dev/null", O_RDONLY) != 0)
		_exit(126);
	execl(MAKE, "make", "-s", "-j", j, u, (char *)NULL);
	_exit(127);
}

/* The namespace's first process: make, then every orphan it left, then
 * the namespace's last PID. */
static int ns_init(void *arg)
{
	const struct init_arg *a = arg;
	long last = 0;
	int status = 0;
	uint64_t t0, t1;
	pid_t pid;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	setpgid(0, 0);
	t0 = now_ns();
	pid = run_make(a);
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		_exit(125);
	t1 = now_ns();
	while (waitpid(-1, NULL, 0) > 0)
		;
	if (a->ns)
		last = last_pid();
	dprintf(a->fd, "%llu %ld\n", (unsigned long long)(t1 - t0), last - 1);
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 124);
}

static double processes_total(void)
{
	char line[256];
	double v = NAN;
	FILE *f = fopen("/proc/stat", "r");

	if (!f)
		return NAN;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "processes ", 10))
			v = strtod(line + 10, NULL);
	fclose(f);
	return v;
}

static int copy_project(const struct fb_common *c, const char *dst)
{
	char src[4200];
	int status = 0;
	pid_t pid;

	snprintf(src, sizeof(src), "%s/" PROJECT "/.", c->self_dir);
	pid = fork();
	if (pid == 0) {
		execl("/bin/cp", "cp", "-R", src, dst, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || reap(pid, &status, NULL) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		if (!fb_stopping())
			fprintf(stderr, "forkbench build: cannot copy %s to %s (status 0x%x)\n", src,
				dst, status);
		return -1;
	}
	return 0;
}

/* The last line of the build's log, for a failed build's message. */
static void print_log_tail(const char *dir)
{
	char path[4300], line[512], last[512] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/build.log", dir);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		snprintf(last, sizeof(last), "%s", line);
	fclose(f);
	fprintf(stderr, "forkbench build: make's last words: %s", last[0] ? last : "(none)\n");
}

/* Starts the namespace's first process (or, without the privilege, a
 * plain child doing the same); -1 when neither starts. */
static pid_t start_init(struct init_arg *a)
{
	static bool warned;
	pid_t pid;

	a->ns = true;
	pid = clone(ns_init, init_stack + sizeof(init_stack), CLONE_NEWPID | SIGCHLD, a);
	if (pid < 0 && (errno == EPERM || errno == EINVAL || errno == ENOSPC)) {
		if (!warned)
			fprintf(stderr, "forkbench build: forks n/a: no PID namespace (%s): "
				"forks_system only\n", strerror(errno));
		warned = true;
		a->ns = false;
		pid = clone(ns_init, init_stack + sizeof(init_stack), SIGCHLD, a);
	}
	if (pid > 0)
		setpgid(pid, pid);
	return pid;
}

static bool warned_pid;

/* One build in dir: 0, -1 failed (printed), 1 stopping. */
static int build_once(uint64_t jobs, const char *dir, struct fb_cell *cell)
{
	struct init_arg a = { dir, jobs, -1, false };
	unsigned long long wall = 0;
	long forks = -1;
	double p0, p1;
	int p[2], status = 0, rc = -1;
	FILE *f = NULL;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	a.fd = p[1];
	p0 = processes_total();
	trace_begin();
	pid = start_init(&a);
	close(p[1]);
	if (pid < 0) {
		fprintf(stderr, "forkbench build: clone: %s\n", strerror(errno));
		close(p[0]);
		return -1;
	}
	f = fdopen(p[0], "r");
	if (!f)
		close(p[0]);
	else if (fscanf(f, "%llu %ld", &wall, &forks) == 2)
		rc = 0;
	if (rc || fb_stopping()) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
	if (reap(pid, &status, NULL) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		rc = -1;
	p1 = processes_total();
	if (f)
		fclose(f);
	if (fb_stopping())
		return 1;
	if (rc) {
		fprintf(stderr, "forkbench build: make -j %llu failed (status 0x%x)\n",
			(unsigned long long)jobs, status);
		print_log_tail(dir);
		return -1;
	}
	if (cell) {
		if (a.ns && forks < 0 && !warned_pid) {
			fprintf(stderr, "forkbench build: forks n/a: the namespace's last PID "
				"could not be read (no /proc/sys/kernel/ns_last_pid, and clone "
				"failed): forks_system only\n");
			warned_pid = true;
		}
		cell_put(cell, "build", FB_TIME, (double)wall);
		cell_put(cell, "forks", FB_MEDIAN, a.ns && forks >= 0 ? (double)forks : NAN);
		cell_put(cell, "forks_system", FB_MEDIAN, p1 - p0);
		trace_end(cell, 2);
		cell_commit(cell);
	}
	return 0;
}

static int iteration(struct fb_common *c, uint64_t jobs, struct fb_cell *cell)
{
	const char *tmp = getenv("TMPDIR");
	char dir[4200];
	int rc = -1;

	snprintf(dir, sizeof(dir), "%s/forkbench-build.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		fprintf(stderr, "forkbench build: cannot make a scratch folder %s: %s\n", dir,
			strerror(errno));
		return -1;
	}
	if (copy_project(c, dir))
		goto cleanup;
	rc = build_once(jobs, dir, cell);
cleanup:
	app_remove_tree(dir);
	return rc;
}

static int build_run(struct fb_common *c)
{
	struct fb_cell *cell;
	char name[32];
	uint64_t i;
	int k, rc = 0;

	for (k = 0; k < opt.njobs && !rc && !fb_stopping(); k++) {
		snprintf(name, sizeof(name), "make-j%llu", (unsigned long long)opt.jobs[k]);
		cell = cell_new(c->res, "build", name, fork_mode_name(c->fork_mode), 0,
				thp_names[c->thp], c->iterations);
		for (i = 0; i < c->warmup + c->iterations && !rc && !fb_stopping(); i++)
			rc = iteration(c, opt.jobs[k], i < c->warmup ? NULL : cell);
	}
	return rc < 0 ? -1 : 0;
}

/* ---- options ----------------------------------------------------------- */

static int add_jobs(const char *item, void *ctx)
{
	(void)ctx;
	return fb_add_u64("--jobs", item, 1, 64, "values", opt.jobs, &opt.njobs, MAX_JOBS);
}

enum { OPT_JOBS = 'j', OPT_UNITS = 0x800 };

static const struct argp_option build_options[] = {
	{ NULL, 0, NULL, 0, "build options:", 2 },
	{ "jobs", OPT_JOBS, "J[,J...]", 0, "make -j J, one row each (1..64, default 2)", 2 },
	{ "units", OPT_UNITS, "N", 0,
	  "Compile main.c and the first N of the project's 23 units (1..23, default 23)", 2 },
	{ 0 }
};

static error_t build_parse(int key, char *arg, struct argp_state *state)
{
	(void)state;
	switch (key) {
	case OPT_JOBS:
		opt.njobs = 0;
		return fb_list_option("--jobs", arg, add_jobs, NULL);
	case OPT_UNITS:
		return fb_u64_option("--units", arg, 1, NUNITS, &opt.units);
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static int build_check(struct fb_common *c, char *err, size_t errlen)
{
	(void)c;
	(void)err;
	(void)errlen;
	if (!opt.njobs)
		opt.jobs[opt.njobs++] = 2;
	return 0;
}

/* make, cc and the project must be there. */
static int build_fits(struct fb_common *c, char *err, size_t errlen)
{
	static const char *const need[][2] = { { MAKE, "make" }, { CC, "gcc" } };
	char mk[4200];
	size_t i;

	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (access(need[i][0], X_OK)) {
			snprintf(err, errlen, "needs Debian's %s (%s: %s; scripts/install-deps.sh "
				 "installs it)", need[i][1], need[i][0], strerror(errno));
			return -1;
		}
	snprintf(mk, sizeof(mk), "%s/" PROJECT "/Makefile", c->self_dir);
	if (access(mk, R_OK)) {
		snprintf(err, errlen, "needs %.200s beside forkbench (%s; make builds it)", mk,
			 strerror(errno));
		return -1;
	}
	return 0;
}

static const struct argp build_argp = {
	build_options, build_parse, NULL,
	"forkbench build: a fork-heavy build, make -j J of a small C project forklab ships "
	"(a configure-style script, main.c and --units small units, a link), from a fresh copy "
	"in a scratch folder per iteration.\v"
	"Rows: make-jJ build (make's wall time), with forks (the tasks the build created, make "
	"included, counted exactly in a PID namespace of its own: root; empty otherwise) and "
	"forks_system (/proc/stat's processes over the build: every fork on the machine). "
	"--heap does not apply (heap_bytes 0). With --trace, cowtrace's counters: parent_ is "
	"make, child_ everything it started.\n\n"
	"Examples:\n"
	"  forkbench build -j 2 -n 6\n"
	"  forkbench build -j 1,2,4 --units 8 -n 10 --format csv\n"
	"  forkbench build -j 2 --fork-mode cow,eager --trace -n 6",
	NULL, NULL, NULL
};

static const struct fb_bench build_bench = {
	.name = "build",
	.order = 90,
	.summary = "a fork-heavy build: make -j of a small C project, its forks",
	.argp = &build_argp,
	.default_iterations = 6,
	.trace_heap_only = false,
	.check = build_check,
	.fits = build_fits,
	.run = build_run,
};
FB_BENCH(build_bench);
