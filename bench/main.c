// SPDX-License-Identifier: GPL-2.0
/*
 * forkbench — what fork() costs, measured.
 *
 * The harness: command line, the benchmark registry, signals, the timing
 * helpers every benchmark shares, and output.  Each benchmark lives in its
 * own file and exports a struct fb_bench.
 */
#include "forkbench.h"
#include "fork_mode.h"
#include "output.h"
#include "sysinfo.h"
#include "trace.h"
#include "usage.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const struct fb_bench *const benches[] = {
	&spawn_bench,
	&heap_bench,
	&nested_bench,
	&scenario_bench,
};
#define NBENCH (sizeof(benches) / sizeof(benches[0]))

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

static void on_signal(int sig)
{
	fb_stop_signal = sig;
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: waits return EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* ---- command line ---- */

enum {
	OPT_HEAP = 0x100, OPT_THP, OPT_WARMUP, OPT_CPU, OPT_FORMAT, OPT_SAMPLES,
	OPT_EVENTS, OPT_TRACE, OPT_USAGE, OPT_FORK_MODE,
};

static const char *const format_names[] = { "human", "csv", "json", NULL };
char fb_parse_err[2 * FB_ERRLEN];

static const struct argp_option common_options[] = {
	{ NULL, 0, NULL, 0, "Common options:", 1 },
	{ "heap", OPT_HEAP, "SIZE[,SIZE...]", 0,
	  "Touched private anonymous memory in the parent (0, 4K, 64M, 1G, ...); a list runs each size (default 0)", 1 },
	{ "thp", OPT_THP, "never|always", 0,
	  "Back the heap with 4 KiB pages (never, default) or transparent huge pages (always)", 1 },
	{ "iterations", 'n', "N", 0, "Measured iterations per configuration (1..10000000)", 1 },
	{ "warmup", OPT_WARMUP, "N", 0, "Unmeasured iterations first (0..1000000, default 5)", 1 },
	{ "cpu", OPT_CPU, "CPU", 0, "Pin forkbench and its children to CPU", 1 },
	{ "format", OPT_FORMAT, "human|csv|json", 0, "Summary format (default human)", 1 },
	{ "output", 'o', "FILE", 0, "Write the summary to FILE instead of standard output", 1 },
	{ "samples", OPT_SAMPLES, "FILE", 0, "Write every sample to FILE (CSV, long format)", 1 },
	{ "events", OPT_EVENTS, "LIST", 0,
	  "Count libpfm4 events per iteration, e.g. perf::PAGE-FAULTS,cycles (n/a where absent)", 1 },
	{ "fork-mode", OPT_FORK_MODE, "MODE[,MODE...]", 0,
	  "cow, stack, eager: run in each (prctl; stack and eager need forklab's kernel patch); "
	  "default: the kernel's vm.fork_copy_mode", 1 },
	{ "trace", OPT_TRACE, NULL, 0,
	  "Attach cowtrace: write-protect faults, COW copies/reuses, TLB flushes per row", 1 },
	{ "help", 'h', NULL, 0, "Give this help list", -1 },
	{ "usage", OPT_USAGE, NULL, 0, "Give a short usage message", -1 },
	{ 0 }
};

static int add_heap(const char *item, void *ctx)
{
	struct fb_common *c = ctx;
	char e[FB_ERRLEN];

	if (c->nheaps == FB_MAX_HEAPS) {
		snprintf(fb_parse_err, sizeof(fb_parse_err), "--heap: at most %d sizes", FB_MAX_HEAPS);
		return -1;
	}
	if (parse_size(item, 1ULL << 42, &c->heaps[c->nheaps], e, sizeof(e))) {
		snprintf(fb_parse_err, sizeof(fb_parse_err), "--heap: %s", e);
		return -1;
	}
	c->nheaps++;
	return 0;
}

static int add_mode(const char *item, void *ctx)
{
	struct fb_common *c = ctx;
	int i = parse_choice(item, fork_mode_names(), "--fork-mode", fb_parse_err,
			     sizeof(fb_parse_err));

	if (i < 0)
		return -1;
	for (int k = 0; k < c->nmodes; k++)
		if (c->modes[k] == (enum fork_mode)i) {
			snprintf(fb_parse_err, sizeof(fb_parse_err), "--fork-mode: '%s' given twice", item);
			return -1;
		}
	c->modes[c->nmodes++] = (enum fork_mode)i;
	return 0;
}

static error_t common_parse(int key, char *arg, struct argp_state *state)
{
	struct fb_common *c = state->input;
	char e[FB_ERRLEN], q[SHOWN_LEN];
	uint64_t v;
	int i;

	switch (key) {
	case OPT_HEAP:
		c->nheaps = 0;
		if (parse_list(arg, add_heap, c, e, sizeof(e)) < 0) {
			if (!fb_parse_err[0])
				snprintf(fb_parse_err, sizeof(fb_parse_err), "--heap '%s': %s",
					 parse_shown(arg, q, sizeof(q)), e);
			return EINVAL;
		}
		return 0;
	case OPT_THP:
		i = parse_choice(arg, thp_names, "--thp value", fb_parse_err, sizeof(fb_parse_err));
		if (i < 0)
			return EINVAL;
		c->thp = (enum thp_mode)i;
		return 0;
	case 'n':
		if (parse_u64(arg, 1, 10000000, &c->iterations, e, sizeof(e))) {
			snprintf(fb_parse_err, sizeof(fb_parse_err), "--iterations: %s", e);
			return EINVAL;
		}
		return 0;
	case OPT_WARMUP:
		if (parse_u64(arg, 0, 1000000, &c->warmup, e, sizeof(e))) {
			snprintf(fb_parse_err, sizeof(fb_parse_err), "--warmup: %s", e);
			return EINVAL;
		}
		return 0;
	case OPT_CPU: {
		long ncpu = sysconf(_SC_NPROCESSORS_CONF);
		cpu_set_t set;

		if (parse_u64(arg, 0, ncpu > 0 ? (uint64_t)ncpu - 1 : 0, &v, e, sizeof(e))) {
			snprintf(fb_parse_err, sizeof(fb_parse_err), "--cpu: %s", e);
			return EINVAL;
		}
		if (sched_getaffinity(0, sizeof(set), &set) == 0 && !CPU_ISSET((int)v, &set)) {
			snprintf(fb_parse_err, sizeof(fb_parse_err),
				 "--cpu: CPU %s is not in this process's allowed set", arg);
			return EINVAL;
		}
		c->cpu = (int)v;
		return 0;
	}
	case OPT_FORMAT:
		i = parse_choice(arg, format_names, "--format", fb_parse_err, sizeof(fb_parse_err));
		if (i < 0)
			return EINVAL;
		c->format = (enum fb_format)i;
		return 0;
	case 'o':
		c->output = arg;
		return 0;
	case OPT_SAMPLES:
		c->samples = arg;
		return 0;
	case OPT_EVENTS:
		c->events = arg;
		return 0;
	case OPT_TRACE:
		c->trace = true;
		return 0;
	case OPT_FORK_MODE:
		c->nmodes = 0;
		if (parse_list(arg, add_mode, c, e, sizeof(e)) < 0) {
			if (!fb_parse_err[0])
				snprintf(fb_parse_err, sizeof(fb_parse_err), "--fork-mode '%s': %s",
					 parse_shown(arg, q, sizeof(q)), e);
			return EINVAL;
		}
		return 0;
	case ARGP_KEY_ARG:
		if (c->takes_args)
			return ARGP_ERR_UNKNOWN;
		snprintf(fb_parse_err, sizeof(fb_parse_err), "unexpected argument '%s'",
			 parse_shown(arg, q, sizeof(q)));
		return EINVAL;
	case 'h':
		argp_state_help(state, stdout, ARGP_HELP_STD_HELP);
		exit(FB_EXIT_OK);
	case OPT_USAGE:
		argp_state_help(state, stdout, ARGP_HELP_USAGE);
		exit(FB_EXIT_OK);
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const struct argp common_argp = { common_options, common_parse, NULL, NULL, NULL, NULL, NULL };

static void usage_list(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: forkbench BENCH [OPTION...]\n"
		   "       forkbench metadata        (the machine, as JSON)\n\n"
		   "What fork() costs, measured. Benchmarks:\n");
	for (i = 0; i < NBENCH; i++)
		fprintf(f, "  %-10s %s\n", benches[i]->name, benches[i]->summary);
	fprintf(f, "\n'forkbench BENCH --help' shows a benchmark's options and examples.\n");
}

/* "spawn, heap, ..., metadata" */
static const char *bench_names(void)
{
	static char names[256];
	size_t i;

	names[0] = '\0';
	for (i = 0; i < NBENCH; i++)
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s, ",
			 benches[i]->name);
	snprintf(names + strlen(names), sizeof(names) - strlen(names), "metadata");
	return names;
}

static const struct fb_bench *find_bench(const char *name)
{
	size_t i;

	for (i = 0; i < NBENCH; i++)
		if (!strcmp(benches[i]->name, name))
			return benches[i];
	return NULL;
}

/* Bad input for benchmark b: "forkbench NAME: msg", exit 2. */
static void die_usage(const struct fb_bench *b, const char *msg)
{
	char prog[64];

	snprintf(prog, sizeof(prog), "forkbench %s", b->name);
	usage_die(prog, "%s", msg);
}

/* argp with one-line errors.  getopt and argp print two lines (the error and
 * "Try --help"); they write to stderr, which is captured while parsing, and
 * the first line is reported with the benchmark's name. */
static void parse_args(const struct fb_bench *b, int argc, char **argv, struct fb_common *c)
{
	struct argp bench_opts = *b->argp;	/* its doc is the top level's */
	struct argp_child children[] = {
		{ &common_argp, 0, NULL, 0 },
		{ &bench_opts, 0, NULL, 0 },
		{ 0 }
	};
	struct argp top = { NULL, NULL, NULL, b->argp->doc, children, NULL, NULL };
	char msg[2 * FB_ERRLEN], name[64], *captured = NULL, *line, *nl, *argv0 = argv[0];
	size_t len = 0;
	FILE *saved = stderr, *cap = open_memstream(&captured, &len);
	int rc;

	bench_opts.doc = NULL;
	c->takes_args = b->argp->args_doc != NULL;
	snprintf(name, sizeof(name), "forkbench %s", b->name);
	argv[0] = name;
	if (cap)
		stderr = cap;
	rc = argp_parse(&top, argc, argv, ARGP_NO_EXIT | ARGP_NO_HELP | ARGP_IN_ORDER, NULL, c);
	if (cap) {
		stderr = saved;
		fclose(cap);
	}
	argv[0] = argv0;
	if (rc == 0) {
		free(captured);
		return;
	}
	if (fb_parse_err[0]) {
		free(captured);
		die_usage(b, fb_parse_err);
	}
	line = captured ? captured : "";
	nl = strchr(line, '\n');
	if (nl)
		*nl = '\0';
	if (!strncmp(line, name, strlen(name)) && line[strlen(name)] == ':')
		line += strlen(name) + 1;
	while (*line == ' ')
		line++;
	snprintf(msg, sizeof(msg), "%s (see 'forkbench %s --help')",
		 *line ? line : "bad arguments", b->name);
	free(captured);
	die_usage(b, msg);
}

/* ---- output ---- */

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

/* Every child of forkbench is gone when it exits.  As a subreaper it also
 * inherits orphaned descendants (an exec target whose worker was killed):
 * wait for all of them. */
static void reap_all_children(void)
{
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	static struct fb_results res = { .complete = true };
	struct fb_common c = {
		.thp = THP_NEVER, .iterations = FB_UNSET, .warmup = 5, .cpu = -1,
		.format = FMT_HUMAN, .nheaps = 1,
	};
	const struct fb_bench *b;
	char err[FB_ERRLEN], *meta;
	int rc = 0, k;

	if (argc < 2) {
		usage_die("forkbench", "no benchmark given (allowed: %s; see forkbench --help)",
			  bench_names());
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "-?")) {
		usage_list(stdout);
		return FB_EXIT_OK;
	}
	if (!strcmp(argv[1], "metadata")) {
		meta = sysinfo_json(NULL);
		printf("%s\n", meta ? meta : "{}");
		free(meta);
		return meta ? FB_EXIT_OK : FB_EXIT_ERROR;
	}
	b = find_bench(argv[1]);
	if (!b) {
		char q[SHOWN_LEN];

		usage_die("forkbench", "unknown benchmark '%s' (allowed: %s)",
			  parse_shown(argv[1], q, sizeof(q)), bench_names());
	}
	parse_args(b, argc - 1, argv + 1, &c);
	if (c.iterations == FB_UNSET)
		c.iterations = b->default_iterations;
	err[0] = '\0';
	if (b->check && b->check(&c, err, sizeof(err)))
		die_usage(b, err);

	if ((c.output && check_writable("-o", c.output, err, sizeof(err))) ||
	    (c.samples && check_writable("--samples", c.samples, err, sizeof(err)))) {
		fprintf(stderr, "forkbench %s: %s\n", b->name, err);
		return FB_EXIT_ERROR;
	}
	self_dir(c.self_dir, sizeof(c.self_dir));
	if (c.cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(c.cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			fprintf(stderr, "forkbench: cannot pin to CPU %d: %s\n", c.cpu, strerror(errno));
			return FB_EXIT_ERROR;
		}
	}
	if (c.events && events_open(&c.ev, c.events, err, sizeof(err)))
		die_usage(b, err);
	if (c.trace && trace_open(b->trace_heap_only, err, sizeof(err))) {
		fprintf(stderr, "forkbench %s: --trace: %s\n", b->name, err);
		return FB_EXIT_ERROR;
	}
	if (c.nmodes && !fork_mode_supported()) {
		for (k = 0; k < c.nmodes; k++)
			if (c.modes[k] != FORK_MODE_COW)
				die_usage(b, "--fork-mode stack/eager need forklab's kernel patch "
						   "(this kernel has no vm.fork_copy_mode); cow is what it does");
	}
	install_signals();
	/* Orphaned grandchildren come back to forkbench, which reaps them. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	c.res = &res;
	if (!c.nmodes) {
		/* The kernel's mode, whatever it is. */
		c.fork_mode = fork_mode_parse(effective_fork_mode());
		rc = b->run(&c);
	}
	for (k = 0; k < c.nmodes && !rc && !fb_stopping(); k++) {
		c.fork_mode = c.modes[k];
		if (fork_mode_supported() && fork_mode_set(c.fork_mode)) {
			fprintf(stderr, "forkbench: cannot set fork mode %s: %s\n",
				fork_mode_name(c.fork_mode), strerror(errno));
			rc = -1;
			break;
		}
		rc = b->run(&c);
	}
	reap_all_children();
	events_close(&c.ev);
	if (fb_stopping()) {
		res.complete = false;
		snprintf(res.why, sizeof(res.why), "interrupted by %s",
			 fb_stop_signal == SIGINT ? "SIGINT" :
			 fb_stop_signal == SIGTERM ? "SIGTERM" : "SIGHUP");
	} else if (rc) {
		res.complete = false;
		snprintf(res.why, sizeof(res.why), "the measurement failed");
	}
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
