// SPDX-License-Identifier: GPL-2.0
/*
 * forkbench — what fork() costs, measured.
 *
 * main: the command line (cli.c), the setup a run needs (output files
 * writable, CPU pinning, events, tracer), the run in each fork mode
 * (harness.c) and the summary and samples written.  The benchmarks are
 * bench/benchmarks/NAME.c, found through the registry (registry.h).
 */
#include "cli.h"
#include "forkbench.h"
#include "fork_mode.h"
#include "harness.h"
#include "output.h"
#include "sysinfo.h"
#include "trace.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct out_ctx {
	const struct fb_results *res;
	enum fb_format fmt;
	const char *meta;
};

static int out_summary(FILE *f, const void *arg)
{
	const struct out_ctx *o = arg;

	return write_summary(f, o->res, o->fmt, o->meta);
}

static int out_samples(FILE *f, const void *arg)
{
	const struct out_ctx *o = arg;

	return write_samples(f, o->res);
}

static char *run_metadata(const struct fb_bench *b, const struct fb_common *c, char **argv, int argc)
{
	char *extra = NULL, *json;
	size_t len = 0;
	FILE *f = open_memstream(&extra, &len);
	int i;

	if (!f)
		return NULL;
	fprintf(f, "\"bench\": \"%s\", \"cpu_pinned\": %d, \"trace_mode\": \"%s\", \"command\": \"forkbench",
		b->name, c->cpu, trace_mode());
	for (i = 1; i < argc; i++) {
		fputc(' ', f);
		json_chars(f, argv[i]);
	}
	fputc('"', f);
	fclose(f);
	json = sysinfo_json(extra);
	free(extra);
	return json;
}

static int finish(const struct fb_common *c, struct fb_results *res, const char *meta)
{
	struct out_ctx o = { res, c->format, meta };
	char err[FB_ERRLEN + 64];
	int rc = 0;

	if (c->samples && write_file_atomic(c->samples, out_samples, &o, err, sizeof(err))) {
		fprintf(stderr, "forkbench: %s\n", err);
		rc = -1;
	}
	if (c->output) {
		if (write_file_atomic(c->output, out_summary, &o, err, sizeof(err))) {
			fprintf(stderr, "forkbench: %s\n", err);
			rc = -1;
		}
	} else if (write_summary(stdout, res, c->format, meta) || fflush(stdout)) {
		fprintf(stderr, "forkbench: cannot write the summary: %s\n", strerror(errno));
		rc = -1;
	}
	return rc;
}

/* Can path be written, at the end of the run?  Checked before anything
 * runs: a device or FIFO must be writable, a file's folder must let us
 * create path.tmp in it. */
static int check_writable(const char *opt, const char *path, char *err, size_t errlen)
{
	char dir[4096], q[SHOWN_LEN], *slash;
	struct stat st;

	parse_shown(path, q, sizeof(q));
	if (!*path) {
		snprintf(err, errlen, "%s: empty file name", opt);
		return -1;
	}
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: '%.150s' is a folder, not a file", opt, q);
		return -1;
	}
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (access(path, W_OK)) {
			snprintf(err, errlen, "%s: cannot write '%.150s': %s", opt, q, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir)) {
		snprintf(err, errlen, "%s: path too long: '%.150s'", opt, q);
		return -1;
	}
	slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if (access(dir, W_OK | X_OK)) {
		snprintf(err, errlen, "%s: cannot write '%.150s' (folder %.60s: %s)", opt, q,
			 parse_shown(dir, dir, sizeof(dir)), strerror(errno));
		return -1;
	}
	return 0;
}

static void self_dir(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);
	char *slash;

	if (n <= 0) {
		snprintf(buf, len, ".");
		return;
	}
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (slash)
		*slash = '\0';
}

/* Everything a run needs before it starts; exits when the run does not
 * fit this machine (2) or could not start (1). */
static void prepare(const struct fb_bench *b, struct fb_common *c)
{
	char err[FB_ERRLEN];
	int k;

	err[0] = '\0';
	self_dir(c->self_dir, sizeof(c->self_dir));	/* fits() may look there */
	if (b->fits && b->fits(c, err, sizeof(err)))
		cli_die(b, err);
	if ((c->output && check_writable("-o", c->output, err, sizeof(err))) ||
	    (c->samples && check_writable("--samples", c->samples, err, sizeof(err)))) {
		fprintf(stderr, "forkbench %s: %s\n", b->name, err);
		exit(FB_EXIT_ERROR);
	}
	/*
	 * Exact reuse counts need one CPU: a page faulted in on another CPU
	 * can still sit in that CPU's LRU batch, whose reference makes the
	 * last sharer's write fault copy instead of reuse.
	 */
	if (c->trace && c->cpu < 0) {
		c->cpu = sched_getcpu();
		if (c->cpu < 0) {
			fprintf(stderr, "forkbench: --trace: sched_getcpu: %s\n", strerror(errno));
			exit(FB_EXIT_ERROR);
		}
	}
	if (c->cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(c->cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			fprintf(stderr, "forkbench: cannot pin to CPU %d: %s\n", c->cpu, strerror(errno));
			exit(FB_EXIT_ERROR);
		}
	}
	if (c->events)
		events_open(&c->ev);
	if (c->trace && trace_open(b->trace_heap_only, err, sizeof(err))) {
		fprintf(stderr, "forkbench %s: --trace: %s\n", b->name, err);
		exit(FB_EXIT_ERROR);
	}
	for (k = 0; k < c->nmodes && !fork_mode_supported(); k++)
		if (c->modes[k] != FORK_MODE_COW)
			cli_die(b, "--fork-mode stack/eager need forklab's kernel patch "
				   "(this kernel has no vm.fork_copy_mode); cow is what it does");
}

int main(int argc, char **argv)
{
	static struct fb_results res = { .complete = true };
	struct fb_common c = {
		.thp = THP_NEVER, .iterations = FB_UNSET, .warmup = 5, .cpu = -1,
		.format = FMT_HUMAN, .nheaps = 1,
	};
	const struct fb_bench *b;
	char *meta;
	int rc;

	b = cli_parse(argc, argv, &c);
	if (c.check_only) {
		/* The command line is valid; whether it fits is the run's. */
		printf("forkbench %s: the arguments are valid (nothing was run)\n", b->name);
		return FB_EXIT_OK;
	}
	prepare(b, &c);
	rc = fb_run(b, &c, &res);
	meta = run_metadata(b, &c, argv, argc);
	trace_close();
	if (finish(&c, &res, meta))
		rc = -1;
	free(meta);
	results_free(&res);
	if (fb_stopping())
		return 128 + fb_stop_signal;
	return rc ? FB_EXIT_ERROR : FB_EXIT_OK;
}
