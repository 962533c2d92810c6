// SPDX-License-Identifier: GPL-2.0
/*
 * forkbench's command line: the options every benchmark has, each
 * benchmark's own (its argp), and the top level (--help, --version,
 * metadata).  Bad input is one line and exit status 2.
 */
#include "cli.h"
#include "fork_mode.h"
#include "sysinfo.h"
#include "usage.h"
#include "version.h"

#include <bpf/libbpf.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	OPT_HEAP = 0x100, OPT_THP, OPT_WARMUP, OPT_CPU, OPT_FORMAT, OPT_SAMPLES,
	OPT_EVENTS, OPT_TRACE, OPT_USAGE, OPT_FORK_MODE, OPT_CHECK,
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
	  "Count libpfm4 events per iteration, e.g. perf::PAGE-FAULTS,cycles; a name libpfm4 "
	  "does not know is refused, one this machine cannot count is n/a", 1 },
	{ "fork-mode", OPT_FORK_MODE, "MODE[,MODE...]", 0,
	  "cow, stack, eager: run in each (prctl; stack and eager need forklab's kernel patch); "
	  "default: the kernel's vm.fork_copy_mode", 1 },
	{ "trace", OPT_TRACE, NULL, 0,
	  "Attach cowtrace: write-protect faults, COW copies/reuses, TLB flushes per row; "
	  "pins to the current CPU unless --cpu names one", 1 },
	{ "check", OPT_CHECK, NULL, 0,
	  "Parse and check every option, run nothing: exit 0 if the command is valid, 2 with "
	  "one line if not (whether it fits this machine is not checked)", 1 },
	{ "help", 'h', NULL, 0, "Give this help list", -1 },
	{ "usage", OPT_USAGE, NULL, 0, "Give a short usage message", -1 },
	{ 0 }
};

static int add_heap(const char *item, void *ctx)
{
	struct fb_common *c = ctx;

	return fb_add_size("--heap", item, 0, 1ULL << 42, NULL, c->heaps, &c->nheaps,
			   FB_MAX_HEAPS);
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

error_t fb_list_option(const char *opt, const char *arg,
		       int (*fn)(const char *item, void *ctx), void *ctx)
{
	char e[FB_ERRLEN], q[SHOWN_LEN];

	fb_parse_err[0] = '\0';
	if (parse_list(arg, fn, ctx, e, sizeof(e)) >= 0)
		return 0;
	if (!fb_parse_err[0])
		snprintf(fb_parse_err, sizeof(fb_parse_err), "%s '%s': %s", opt,
			 parse_shown(arg, q, sizeof(q)), e);
	return EINVAL;
}

error_t fb_u64_option(const char *opt, const char *arg, uint64_t min, uint64_t max,
		      uint64_t *out)
{
	char e[FB_ERRLEN];

	if (!parse_u64(arg, min, max, out, e, sizeof(e)))
		return 0;
	snprintf(fb_parse_err, sizeof(fb_parse_err), "%s: %s", opt, e);
	return EINVAL;
}

int fb_add_size(const char *opt, const char *item, uint64_t min, uint64_t max,
		const char *allowed, uint64_t *vals, int *n, int cap)
{
	char e[FB_ERRLEN];

	if (*n == cap) {
		snprintf(fb_parse_err, sizeof(fb_parse_err), "%s: at most %d sizes", opt, cap);
		return -1;
	}
	if (parse_size(item, max, &vals[*n], e, sizeof(e))) {
		snprintf(fb_parse_err, sizeof(fb_parse_err), "%s: %s", opt, e);
		return -1;
	}
	if (vals[*n] < min) {
		snprintf(fb_parse_err, sizeof(fb_parse_err), "%s: %s is too small (allowed: %s)",
			 opt, item, allowed);
		return -1;
	}
	(*n)++;
	return 0;
}

int fb_add_u64(const char *opt, const char *item, uint64_t min, uint64_t max,
	       const char *noun, uint64_t *vals, int *n, int cap)
{
	char e[FB_ERRLEN];

	if (*n == cap) {
		snprintf(fb_parse_err, sizeof(fb_parse_err), "%s: at most %d %s", opt, cap, noun);
		return -1;
	}
	if (parse_u64(item, min, max, &vals[*n], e, sizeof(e))) {
		snprintf(fb_parse_err, sizeof(fb_parse_err), "%s: %s", opt, e);
		return -1;
	}
	(*n)++;
	return 0;
}

static error_t common_parse(int key, char *arg, struct argp_state *state)
{
	struct fb_common *c = state->input;
	char q[SHOWN_LEN];
	uint64_t v;
	int i;

	switch (key) {
	case OPT_HEAP:
		c->nheaps = 0;
		return fb_list_option("--heap", arg, add_heap, c);
	case OPT_THP:
		i = parse_choice(arg, thp_names, "--thp value", fb_parse_err, sizeof(fb_parse_err));
		if (i < 0)
			return EINVAL;
		c->thp = (enum thp_mode)i;
		return 0;
	case 'n':
		return fb_u64_option("--iterations", arg, 1, 10000000, &c->iterations);
	case OPT_WARMUP:
		return fb_u64_option("--warmup", arg, 0, 1000000, &c->warmup);
	case OPT_CPU: {
		long ncpu = sysconf(_SC_NPROCESSORS_CONF);
		cpu_set_t set;

		if (fb_u64_option("--cpu", arg, 0, ncpu > 0 ? (uint64_t)ncpu - 1 : 0, &v))
			return EINVAL;
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
	case OPT_CHECK:
		c->check_only = true;
		return 0;
	case OPT_FORK_MODE:
		c->nmodes = 0;
		return fb_list_option("--fork-mode", arg, add_mode, c);
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
	for (i = 0; i < bench_count(); i++)
		fprintf(f, "  %-10s %s\n", bench_at(i)->name, bench_at(i)->summary);
	fprintf(f, "\n'forkbench BENCH --help' shows a benchmark's options and examples.\n");
}

/* "spawn, heap, ..., metadata" */
static const char *bench_names(void)
{
	static char names[1024];
	size_t i;

	names[0] = '\0';
	for (i = 0; i < bench_count(); i++)
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s, ",
			 bench_at(i)->name);
	snprintf(names + strlen(names), sizeof(names) - strlen(names), "metadata");
	return names;
}

void cli_die(const struct fb_bench *b, const char *msg)
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
		cli_die(b, fb_parse_err);
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
	cli_die(b, msg);
}

/* One line: the revision and the libbpf forkbench was linked with. */
static void print_version(void)
{
	printf("forkbench (forklab) %s, libbpf %s\n", forklab_revision(),
	       libbpf_version_string());
}

const struct fb_bench *cli_parse(int argc, char **argv, struct fb_common *c)
{
	const struct fb_bench *b;
	char err[FB_ERRLEN], q[SHOWN_LEN], *meta;

	if (argc < 2)
		usage_die("forkbench", "no benchmark given (allowed: %s; see forkbench --help)",
			  bench_names());
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "-?")) {
		usage_list(stdout);
		exit(FB_EXIT_OK);
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		print_version();
		exit(FB_EXIT_OK);
	}
	if (!strcmp(argv[1], "metadata")) {
		meta = sysinfo_json(NULL);
		printf("%s\n", meta ? meta : "{}");
		free(meta);
		exit(meta ? FB_EXIT_OK : FB_EXIT_ERROR);
	}
	b = bench_find(argv[1]);
	if (!b)
		usage_die("forkbench", "unknown benchmark '%s' (allowed: %s)",
			  parse_shown(argv[1], q, sizeof(q)), bench_names());
	parse_args(b, argc - 1, argv + 1, c);
	if (c->iterations == FB_UNSET)
		c->iterations = b->default_iterations;
	err[0] = '\0';
	if (b->check && b->check(c, err, sizeof(err)))
		cli_die(b, err);
	if (c->events && events_parse(&c->ev, c->events, err, sizeof(err)))
		cli_die(b, err);
	return b;
}
