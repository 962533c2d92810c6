// SPDX-License-Identifier: GPL-2.0
/*
 * cowtrace - like perf stat, for what fork() costs: runs COMMAND (or
 * follows -p PID) and reports, per process of the tree and per role
 * (depth below the root), write-protect faults, COW copies and reuses,
 * TLB flushes during forks and faults, and fork's address-space copy time.
 */
#include <argp.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <bpf/libbpf.h>

#include "cowtrace_lib.h"
#include "output.h"
#include "parse.h"
#include "usage.h"
#include "version.h"

enum format { FMT_HUMAN, FMT_CSV, FMT_JSON };
enum by { BY_AUTO, BY_PID, BY_COMM };

static struct env {
	enum format format;
	struct ct_options opt;
	const char *output;
	pid_t pid;
	int vmstat;
	enum by by;
	int top;
	int tree;
	char **cmd;
	int ncmd;
} env = {
	.opt = { .mode = CT_MODE_AUTO, .per_process = 1 },
	.top = 20,
};

#define STR_(x)		#x
#define STR(x)		STR_(x)
#define MAX_PROCS	1048576		/* --max-procs */
#define MAX_TOP		100000		/* --top */
#define AUTO_BY_COMM	20		/* human: --by comm beyond this many processes */

static const char doc[] =
"Count what fork() costs for every process of a tree: write-protect faults,\n"
"COW copies and reuses, TLB flushes during forks and during faults, and the\n"
"time fork spends copying the address space.  Per process and per role\n"
"(depth below the root: 0 root, 1 child, 2 grandchild...), and per image (the\n"
"program between two execve calls).  Write faults are attributed: to a fork\n"
"(fork_copies, fork_reuses: anonymous pages a fork shared), to a first write\n"
"to a private file page (file_copies), or to neither.  Like perf stat,\n"
"the report goes to stderr and COMMAND's exit status is passed through.\n"
"The report names the probe mode and marks every counter exact, approx or\n"
"unavailable (printed as '-' / empty / null, never as 0).\n"
"\v"
"EXAMPLES:\n"
"  cowtrace -- ./prog arg           run prog, report its process tree\n"
"  cowtrace --per-vma -- make -j2   split faults by mapping class\n"
"  cowtrace -f json -o out.json -- sh -c 'ls | wc'\n"
"  cowtrace --by comm --top 5 -- make -j2   the 5 programs with most fork COW\n"
"  cowtrace --tree -- sh -c 'ls | wc'      the process tree, indented\n"
"  cowtrace -f csv -o - -- ./prog   the CSV on stdout\n"
"  cowtrace -p 1234                 follow PID 1234 until it exits or ^C\n"
"  cowtrace -m tracepoint -- ./prog use tracepoints even if kprobes work\n"
"  cowtrace --btf vmlinux -- ./prog  a kernel without /sys/kernel/btf/vmlinux\n"
"\n"
"EXIT STATUS: COMMAND's status (128+N if killed by signal N); cowtrace's own\n"
"errors: 2 bad usage or -o FILE not writable, 3 not root / no CAP_BPF and\n"
"CAP_PERFMON, 4 kernel without BTF (or --btf FILE unusable), 5 tracefs\n"
"unavailable, 6 tracepoint missing, 7 probe mode impossible, 8 BPF load or\n"
"attach failure, 9 no such PID, 126/127 COMMAND not runnable.\n";

static const char args_doc[] = "[--] COMMAND [ARGS...]\n-p PID";

enum { OPT_MAX_PROCS = 1000, OPT_VMSTAT, OPT_RANGE, OPT_USAGE, OPT_VERSION, OPT_BTF,
       OPT_BY, OPT_TOP, OPT_TREE };

static const struct argp_option options[] = {
	{ "format", 'f', "FMT", 0, "Output format: human (default), csv or json", 0 },
	{ "mode", 'm', "MODE", 0, "Probe mode: auto (default: fentry or kprobe, whichever "
	  "reaches more functions, else tracepoint), kprobe, fentry or tracepoint", 0 },
	{ "output", 'o', "FILE", 0, "Write the report to FILE instead of stderr ('-': stdout)", 0 },
	{ "pid", 'p', "PID", 0, "Follow running process PID and its descendants until it "
	  "exits or SIGINT", 0 },
	{ "per-vma", 'V', NULL, 0, "Split faults, copies and reuses by mapping: stack, heap, "
	  "anon, libc, tls, file", 0 },
	{ "lock-wait", 'l', NULL, 0, "Time other threads waited on the mmap lock during "
	  "forks (mmap_lock tracepoints)", 0 },
	{ "max-procs", OPT_MAX_PROCS, "N", 0, "Processes tracked at once (default 16384, "
	  "1-1048576); more are lost and counted", 0 },
	{ "range", OPT_RANGE, "START-END", 0, "Count write faults (and their copies, reuses, "
	  "flushes) only at addresses in [START, END), e.g. 0x5eed00000000-0x5eed00001000", 0 },
	{ "by", OPT_BY, "pid|comm", 0, "Human report: a row per process (pid), or per program "
	  "name with the top --top rows and the rest summed (comm; the default beyond "
	  STR(AUTO_BY_COMM) " processes)", 0 },
	{ "top", OPT_TOP, "N", 0, "With --by comm: rows shown (default 20, 1-" STR(MAX_TOP) ")", 0 },
	{ "tree", OPT_TREE, NULL, 0, "Human report: the processes as a tree, children below "
	  "their parent", 0 },
	{ "vmstat", OPT_VMSTAT, NULL, 0, "Also print system-wide /proc/vmstat deltas "
	  "(pgreuse, fork_*, ...)", 0 },
	{ "btf", OPT_BTF, "FILE", 0, "Kernel BTF to use instead of /sys/kernel/btf/vmlinux "
	  "(a vmlinux with .BTF, or raw BTF), for a kernel built without it", 0 },
	{ "verbose", 'v', NULL, 0, "Print libbpf messages (twice: the verifier log too)", 0 },
	{ "help", 'h', NULL, 0, "Give this help list", -1 },
	{ "usage", OPT_USAGE, NULL, 0, "Give a short usage message", -1 },
	{ "version", OPT_VERSION, NULL, 0, "Print the forklab revision and the libbpf version", -1 },
	{ 0 },
};

/* The names of -f and -m, in the order of enum format and enum ct_mode. */
static const char *const format_names[] = { "human", "csv", "json", NULL };
static const char *const mode_names[] = { "auto", "kprobe", "fentry", "tracepoint", NULL };
static const char *const by_names[] = { "auto", "pid", "comm", NULL };
_Static_assert(sizeof(format_names) / sizeof(format_names[0]) == FMT_JSON + 2, "formats");
_Static_assert(sizeof(mode_names) / sizeof(mode_names[0]) == CT_MODE_TRACEPOINT + 2, "modes");

/* Bad input: one line naming the value and what is allowed, exit 2. */
static void bad_value(const char *what, const char *arg, const char *allowed)
{
	char q[SHOWN_LEN];

	usage_die("cowtrace", "invalid %s '%s' (allowed: %s)", what,
		  parse_shown(arg, q, sizeof(q)), allowed);
}

/* Index of arg in names, or the one-line error and exit 2. */
static int choice(const char *arg, const char *const *names, const char *what)
{
	char err[FB_ERRLEN];
	int i = parse_choice(arg, names, what, err, sizeof(err));

	if (i < 0)
		usage_die("cowtrace", "%s", err);
	return i;
}

static void parse_range(const char *s)
{
	unsigned long long lo, hi;
	char *end, *dash;

	errno = 0;
	lo = strtoull(s, &dash, 0);
	if (errno || dash == s || *dash != '-' || s[0] == '-')
		bad_value("--range", s, "START-END, START < END, decimal or 0x hex");
	hi = strtoull(dash + 1, &end, 0);
	if (errno || end == dash + 1 || *end || dash[1] == '-' || hi <= lo)
		bad_value("--range", s, "START-END, START < END, decimal or 0x hex");
	env.opt.range_start = lo;
	env.opt.range_end = hi;
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	char buf[SHOWN_LEN];		/* a parser's message; a value shown */
	uint64_t v;

	switch (key) {
	case 'f':
		env.format = (enum format)choice(arg, format_names, "format");
		break;
	case 'm':
		env.opt.mode = (enum ct_mode)choice(arg, mode_names, "mode");
		break;
	case 'o':
		env.output = arg;
		break;
	case 'p':
		if (parse_pid(arg, &env.pid, buf, sizeof(buf)))
			bad_value("PID", arg, "a process ID, 1-" STR(PARSE_PID_MAX));
		break;
	case 'V':
		env.opt.per_vma = 1;
		break;
	case 'l':
		env.opt.lock_wait = 1;
		break;
	case OPT_MAX_PROCS:
		if (parse_u64(arg, 1, MAX_PROCS, &v, buf, sizeof(buf)))
			bad_value("--max-procs", arg, "1-" STR(MAX_PROCS));
		env.opt.max_procs = (unsigned int)v;
		break;
	case OPT_RANGE:
		parse_range(arg);
		break;
	case OPT_VMSTAT:
		env.vmstat = 1;
		break;
	case OPT_BY:
		env.by = (enum by)choice(arg, by_names, "--by");
		break;
	case OPT_TOP:
		if (parse_u64(arg, 1, MAX_TOP, &v, buf, sizeof(buf)))
			bad_value("--top", arg, "1-" STR(MAX_TOP));
		env.top = (int)v;
		break;
	case OPT_TREE:
		env.tree = 1;
		break;
	case OPT_BTF:
		env.opt.btf_path = arg;
		break;
	case 'v':
		env.opt.verbose++;
		break;
	case 'h':
		argp_help(state->root_argp, stdout, ARGP_HELP_STD_HELP, (char *)"cowtrace");
		exit(0);
	case OPT_USAGE:
		argp_help(state->root_argp, stdout, ARGP_HELP_USAGE, (char *)"cowtrace");
		exit(0);
	case OPT_VERSION:
		printf("cowtrace (forklab) %s, libbpf %s\n", forklab_revision(),
		       libbpf_version_string());
		exit(0);
	case ARGP_KEY_ARG:
		/* COMMAND: everything from here on is its own */
		env.cmd = &state->argv[state->next - 1];
		env.ncmd = state->argc - state->next + 1;
		state->next = state->argc;
		break;
	case ARGP_KEY_ERROR:
		/* ARGP_NO_ERRS: one line instead of getopt's message + "Try" */
		usage_die("cowtrace", "unknown option or missing value: '%s' "
			  "(allowed: see cowtrace --help)",
			  state->next > 0 && state->next <= state->argc ?
			  parse_shown(state->argv[state->next - 1], buf, sizeof(buf)) : "?");
	case ARGP_KEY_END:
		if (!env.cmd && !env.pid)
			usage_die("cowtrace", "no COMMAND and no -p PID given (usage: "
				  "cowtrace [OPTIONS] -- COMMAND [ARGS], or cowtrace -p PID)");
		if (env.cmd && env.pid)
			usage_die("cowtrace", "give either COMMAND or -p %d, not both", (int)env.pid);
		if (env.tree && env.by == BY_COMM)
			usage_die("cowtrace", "give --tree or --by comm, not both (the tree is per process)");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* --help ends with the counters: their rows of the counter table. */
static char *help_filter(int key, const char *text, void *input)
{
	enum ct_counter k;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (key != ARGP_KEY_HELP_POST_DOC || !text)
		return (char *)text;
	f = open_memstream(&buf, &len);
	if (!f)
		return (char *)text;
	fprintf(f, "%s\nCOUNTERS (report columns; unit; what is counted):\n", text);
	for (k = 0; k < CT_NR_COUNTERS; k++)
		if (ct_counter_show(k) & (CT_CSV | CT_JSON | CT_HUMAN))
			fprintf(f, "  %-16s %-9s %s\n", ct_counter_name(k), ct_counter_unit(k),
				ct_counter_doc(k));
	if (fclose(f) || !buf)
		return (char *)text;
	return buf;		/* argp frees it */
}

/* ---- /proc/vmstat ---------------------------------------------------- */

#define NVMSTAT 64

struct vmstat {
	int n;
	char name[NVMSTAT][64];
	unsigned long long v[NVMSTAT];
};

static int vmstat_wanted(const char *name)
{
	static const char *const names[] = {
		"pgfault", "pgreuse", "cow_fault_copy", "nr_tlb_local_flush_one",
		"nr_tlb_local_flush_all", "nr_tlb_remote_flush", "thp_split_pmd",
	};
	size_t i;

	if (!strncmp(name, "fork_", 5))
		return 1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return 1;
	return 0;
}

static void vmstat_read(struct vmstat *s)
{
	char name[64];
	unsigned long long v;
	FILE *f = fopen("/proc/vmstat", "r");

	s->n = 0;
	if (!f)
		return;
	while (s->n < NVMSTAT && fscanf(f, "%63s %llu", name, &v) == 2) {
		if (!vmstat_wanted(name))
			continue;
		snprintf(s->name[s->n], sizeof(s->name[0]), "%s", name);
		s->v[s->n++] = v;
	}
	fclose(f);
}

/* ---- output ---------------------------------------------------------- */

struct report {
	struct ct_tracer *t;
	struct ct_proc_info *procs;
	int nprocs;
	struct ct_proc_info *images;	/* per image, ordered like procs */
	int nimages;
	pid_t root;			/* COMMAND's pid, or -p's */
	struct ct_counts roles[CT_ROLES];
	int nroles;			/* highest role with a process, + 1 */
	struct ct_counts total;
	struct ct_loss loss;
	uint64_t lost;
	int status;			/* exit status of COMMAND, -1 with -p */
	double secs;
	struct vmstat vm0, vm1;
};

static int avail(const struct report *r, enum ct_counter k)
{
	return ct_counter_status(r->t, k) != CT_UNAVAILABLE;
}

/* The columns of a report (CT_CSV, CT_JSON, CT_HUMAN, CT_NOTE): the
 * counter table's, ct_counters.h. */
static int columns(unsigned int view, enum ct_counter col[CT_NR_COUNTERS])
{
	int n = ct_columns(view, col, CT_NR_COUNTERS);

	return n < CT_NR_COUNTERS ? n : CT_NR_COUNTERS;
}

/* The /proc/vmstat deltas: " name=N" each (human), or "name": N (JSON). */
static void vmstat_deltas(FILE *f, const struct report *r, int json)
{
	int i, j;

	for (i = 0; i < r->vm1.n; i++) {
		unsigned long long before = 0;

		for (j = 0; j < r->vm0.n; j++)
			if (!strcmp(r->vm0.name[j], r->vm1.name[i]))
				before = r->vm0.v[j];
		if (json)
			fprintf(f, "%s\"%s\": %llu", i ? ", " : "", r->vm1.name[i],
				r->vm1.v[i] - before);
		else
			fprintf(f, " %s=%llu", r->vm1.name[i], r->vm1.v[i] - before);
	}
}

/* ---- human ----------------------------------------------------------- */

static int is_time(enum ct_counter k)
{
	return !strcmp(ct_counter_unit(k), "ns");
}

/* Human columns are as wide as their name, at least 6 (times 9: "999.9 us"). */
static int human_width(enum ct_counter k)
{
	size_t n = strlen(ct_counter_name(k));
	int min = is_time(k) ? 9 : 6;

	return n < (size_t)min ? min : (int)n;
}

/* A time in ns as people read it: ns, us, ms or s. */
static const char *fmt_ns(uint64_t v, char *buf, size_t len)
{
	if (v < 1000)
		snprintf(buf, len, "%llu ns", (unsigned long long)v);
	else if (v < 1000000)
		snprintf(buf, len, "%.1f us", (double)v / 1e3);
	else if (v < 1000000000)
		snprintf(buf, len, "%.1f ms", (double)v / 1e6);
	else
		snprintf(buf, len, "%.2f s", (double)v / 1e9);
	return buf;
}

/* --lock-wait's columns with it only; the fork phases' where measured. */
static int human_shown(const struct report *r, enum ct_counter k)
{
	if (ct_counter_show(k) & CT_PHASE)
		return avail(r, k);
	return !(ct_counter_show(k) & CT_OPTIN) || env.opt.lock_wait;
}

static void human_val(FILE *f, const struct report *r, enum ct_counter k, uint64_t v)
{
	char b[32];

	if (!avail(r, k))
		fprintf(f, " %*s", human_width(k), "-");
	else if (is_time(k) && v)
		fprintf(f, " %*s", human_width(k), fmt_ns(v, b, sizeof(b)));
	else
		fprintf(f, " %*llu", human_width(k), (unsigned long long)v);
}

/* The header (c NULL) or a row of counts. */
static void human_row(FILE *f, const struct report *r, const char *lead,
		      const struct ct_counts *c)
{
	enum ct_counter col[CT_NR_COUNTERS];
	int i, n = columns(CT_HUMAN, col);

	fprintf(f, "%-36s", lead);
	for (i = 0; i < n; i++) {
		if (!human_shown(r, col[i]))
			continue;
		if (c)
			human_val(f, r, col[i], ct_counts_get(c, col[i]));
		else
			fprintf(f, " %*s", human_width(col[i]), ct_counter_name(col[i]));
	}
	fputc('\n', f);
}

/* A per-mapping line: lead, then the human columns up to the last one
 * split by mapping: the others blank, those their name (c NULL: the
 * header) or their count in class v. */
static void human_vma_line(FILE *f, const struct report *r, const char *lead,
			   const struct ct_counts *c, enum ct_vma v)
{
	enum ct_counter col[CT_NR_COUNTERS];
	int i, n = columns(CT_HUMAN, col);

	while (n > 0 && !ct_counter_has_vma(col[n - 1]))
		n--;
	fprintf(f, "%-36s", lead);
	for (i = 0; i < n; i++) {
		if (!human_shown(r, col[i]))
			continue;
		if (!ct_counter_has_vma(col[i]))
			fprintf(f, " %*s", human_width(col[i]), "");
		else if (c)
			human_val(f, r, col[i], ct_counts_vma(c, col[i], v));
		else
			fprintf(f, " %*s", human_width(col[i]), ct_counter_name(col[i]));
	}
	fputc('\n', f);
}

/* A line per mapping class with a nonzero count. */
static void human_vma(FILE *f, const struct report *r, const struct ct_counts *c)
{
	enum ct_counter k;
	int v, any;
	char l[64];

	for (v = 0; v < CT_VMA_COUNT; v++) {
		for (k = 0, any = 0; k < CT_NR_COUNTERS; k++)
			any |= ct_counts_vma(c, k, (enum ct_vma)v) != 0;
		if (!any)
			continue;
		snprintf(l, sizeof(l), "  %s", ct_vma_name((enum ct_vma)v));
		human_vma_line(f, r, l, c, (enum ct_vma)v);
	}
}

static void human_status(FILE *f, const struct report *r)
{
	enum ct_counter col[CT_NR_COUNTERS];
	int i, n = columns(CT_NOTE, col);

	fprintf(f, "%-16s %-12s %s\n", "counter", "status", "source");
	for (i = 0; i < n; i++)
		fprintf(f, "%-16s %-12s %s\n", ct_counter_name(col[i]),
			ct_status_name(ct_counter_status(r->t, col[i])),
			ct_counter_note(r->t, col[i]));
	if (env.opt.per_vma)
		fprintf(f, "%-16s %-12s %s\n", "per-vma", "approx",
			"mapping classes: tls = pages around fsbase; libc .bss counts as anon");
	fputc('\n', f);
}

static const char *made_name(int created, int depth)
{
	switch (created) {
	case CT_MADE_BY_FORK:	return "fork";
	case CT_MADE_BY_VM:	return "clone_vm";
	default:		return depth ? "before" : "root";
	}
}

/* The images of process p (ordered by image in r->images): the first and
 * how many. */
static int proc_images(const struct report *r, const struct ct_proc_info *p, int *first)
{
	int i, n = 0;

	*first = -1;
	for (i = 0; i < r->nimages; i++) {
		if (r->images[i].pid != p->pid)
			continue;
		if (*first < 0)
			*first = i;
		n++;
	}
	return n;
}

/* Whether an image counted anything (a CLONE_VM child's image before its
 * execve, in its parent's address space, usually does not). */
static int image_counted(const struct ct_proc_info *im)
{
	enum ct_counter k;

	for (k = 0; k < CT_NR_COUNTERS; k++)
		if (k != CT_PROCS && ct_counts_get(&im->c, k))
			return 1;
	return 0;
}

/* A process's row, and below it a row per image that counted anything if
 * two or more did. */
static void human_proc(FILE *f, const struct report *r, const struct ct_proc_info *p,
		       int indent)
{
	char lead[96];
	int i, first, n = proc_images(r, p, &first), counted = 0;

	snprintf(lead, sizeof(lead), "%-7d %-7d %-4d %*s%.15s%s", (int)p->pid, (int)p->ppid,
		 p->role, indent, "", p->comm, p->exited ? "" : "*");
	human_row(f, r, lead, &p->c);
	if (env.opt.per_vma)
		human_vma(f, r, &p->c);
	for (i = first; n > 1 && i < first + n; i++)
		counted += image_counted(&r->images[i]);
	for (i = first; counted > 1 && i < first + n; i++) {
		if (!image_counted(&r->images[i]))
			continue;
		snprintf(lead, sizeof(lead), "%21s%*s  image %d: %.15s", "", indent, "",
			 r->images[i].image, r->images[i].comm);
		human_row(f, r, lead, &r->images[i].c);
	}
}

/* The processes whose parent is ppid (none traced: the roots), depth first. */
static void human_tree(FILE *f, const struct report *r, pid_t ppid, int depth)
{
	int i, j, parent;

	for (i = 0; i < r->nprocs && depth < 64; i++) {
		const struct ct_proc_info *p = &r->procs[i];

		for (j = 0, parent = 0; j < r->nprocs && depth == 0; j++)
			parent |= r->procs[j].pid == p->ppid;
		if (depth ? p->ppid != ppid : parent)
			continue;
		human_proc(f, r, p, 2 * (depth < 8 ? depth : 8));
		human_tree(f, r, p->pid, depth + 1);
	}
}

/* --by comm: the images summed per program name. */
struct by_comm {
	char comm[16];
	int images;
	struct ct_counts c;
};

static uint64_t fork_cost(const struct ct_counts *c)
{
	return c->fork_copies + c->fork_reuses;
}

static int cmp_by_comm(const void *a, const void *b)
{
	const struct by_comm *x = a, *y = b;

	if (fork_cost(&x->c) != fork_cost(&y->c))
		return fork_cost(&x->c) > fork_cost(&y->c) ? -1 : 1;
	if (x->c.wp_faults != y->c.wp_faults)
		return x->c.wp_faults > y->c.wp_faults ? -1 : 1;
	return strcmp(x->comm, y->comm);
}

/* Rows of the top --top program names, most fork COW first, and the rest. */
static int human_by_comm(FILE *f, const struct report *r)
{
	struct by_comm *g = calloc((size_t)r->nimages + 1, sizeof(*g)), rest;
	char lead[64];
	int i, j, n = 0;

	if (!g)
		return -1;
	for (i = 0; i < r->nimages; i++) {
		if (!image_counted(&r->images[i]))
			continue;
		for (j = 0; j < n && strcmp(g[j].comm, r->images[i].comm) != 0; j++)
			;
		if (j == n)
			memcpy(g[n++].comm, r->images[i].comm, sizeof(g[0].comm));
		g[j].images++;
		ct_counts_add(&g[j].c, &r->images[i].c);
	}
	qsort(g, (size_t)n, sizeof(*g), cmp_by_comm);
	human_row(f, r, "comm (images)", NULL);
	memset(&rest, 0, sizeof(rest));
	for (i = 0; i < n; i++) {
		if (i >= env.top) {
			rest.images += g[i].images;
			ct_counts_add(&rest.c, &g[i].c);
			continue;
		}
		snprintf(lead, sizeof(lead), "%.15s (%d)", g[i].comm, g[i].images);
		human_row(f, r, lead, &g[i].c);
	}
	if (n > env.top) {
		snprintf(lead, sizeof(lead), "%d others (%d)", n - env.top, rest.images);
		human_row(f, r, lead, &rest.c);
	}
	free(g);
	return n;
}

/* The rows of the processes: per process (flat or as a tree) or per name. */
static void human_procs(FILE *f, const struct report *r)
{
	enum by by = env.by;
	int i;

	if (by == BY_AUTO)
		by = !env.tree && r->nprocs > AUTO_BY_COMM ? BY_COMM : BY_PID;
	if (by == BY_COMM && human_by_comm(f, r) >= 0) {
		fprintf(f, "(%d processes summed per program name: --by pid for a row each)\n",
			r->nprocs);
		return;
	}
	human_row(f, r, "pid ppid role comm", NULL);
	if (env.tree) {
		human_tree(f, r, 0, 0);
		return;
	}
	for (i = 0; i < r->nprocs; i++)
		human_proc(f, r, &r->procs[i], 0);
}

/* Notes on what the numbers mean where they look odd. */
static void human_notes(FILE *f, const struct report *r)
{
	const struct ct_counts *c = &r->total;

	if (avail(r, CT_TLB_PAGES_FORK) && c->tlb_flush_fork && !c->tlb_pages_fork)
		fprintf(f, "tlb_pages_fork 0: the %llu flushes during forks were whole-address-space "
			"flushes (tlb_full_fork %llu), which name no pages\n",
			(unsigned long long)c->tlb_flush_fork, (unsigned long long)c->tlb_full_fork);
	else if (avail(r, CT_TLB_PAGES_FORK) && c->tlb_full_fork)
		fprintf(f, "tlb_pages_fork counts ranged flushes only: %llu of the flushes during forks "
			"were whole-address-space ones (tlb_full_fork)\n",
			(unsigned long long)c->tlb_full_fork);
	if (avail(r, CT_FORK_COPIES) && c->fork_faults > c->fork_copies + c->fork_reuses)
		fprintf(f, "fork_faults %llu: fork_copies + fork_reuses and %llu faults that did "
			"neither (userfaultfd write-protect, a fault retried)\n",
			(unsigned long long)c->fork_faults,
			(unsigned long long)(c->fork_faults - c->fork_copies - c->fork_reuses));
}

static void print_human(FILE *f, const struct report *r)
{
	char lead[64];
	int i;

	fprintf(f, "\ncowtrace: mode %s; ", ct_mode_name(r->t));
	if (r->status >= 0)
		fprintf(f, "%s exited with status %d after %.3f s\n", env.cmd[0], r->status, r->secs);
	else
		fprintf(f, "PID %d followed for %.3f s\n", (int)env.pid, r->secs);
	fprintf(f, "probes: %s\n\n", ct_probe_summary(r->t));
	human_status(f, r);
	human_procs(f, r);
	for (i = 0; i < r->nroles; i++) {
		snprintf(lead, sizeof(lead), "role %d (%llu proc%s)", i,
			 (unsigned long long)r->roles[i].procs, r->roles[i].procs == 1 ? "" : "s");
		human_row(f, r, lead, &r->roles[i]);
		if (env.opt.per_vma)
			human_vma(f, r, &r->roles[i]);
	}
	snprintf(lead, sizeof(lead), "total (%llu proc%s)", (unsigned long long)r->total.procs,
		 r->total.procs == 1 ? "" : "s");
	human_row(f, r, lead, &r->total);
	if (env.opt.per_vma) {
		human_vma_line(f, r, "per-vma (total)", NULL, CT_VMA_STACK);
		human_vma(f, r, &r->total);
	}
	fprintf(f, "(* = still running at the end; role %d holds all deeper roles; "
		"image N: the program between execve calls)\n", CT_ROLES - 1);
	human_notes(f, r);
	fprintf(f, "lost events: %llu (process map full %llu, thread map full %llu, "
		"program runs skipped by the kernel %llu)\n", (unsigned long long)r->lost,
		(unsigned long long)r->loss.procs, (unsigned long long)r->loss.threads,
		(unsigned long long)r->loss.prog_misses);
	if (env.vmstat) {
		fprintf(f, "/proc/vmstat deltas (system-wide, not per process):");
		vmstat_deltas(f, r, 0);
		fputc('\n', f);
	}
}

/* ---- CSV ------------------------------------------------------------- */

/* CSV: process rows (each followed by its image rows if it exec'd), role and
 * total rows, then the statuses as a comment line (#MODE,status,...: the
 * old status row, '#' first).  Unavailable counters are empty. */
static void csv_val(FILE *f, const struct report *r, enum ct_counter k, uint64_t v)
{
	if (avail(r, k))
		fprintf(f, ",%llu", (unsigned long long)v);
	else
		fputc(',', f);
}

/* The counter columns of the header, the status row or a row of counts. */
enum csv_what { CSV_NAMES, CSV_STATUS, CSV_COUNTS };

static void csv_columns(FILE *f, const struct report *r, enum csv_what what,
			const struct ct_counts *c)
{
	enum ct_counter col[CT_NR_COUNTERS];
	int i, v, n = columns(CT_CSV, col);

	for (v = -1; v < (env.opt.per_vma ? CT_VMA_COUNT : 0); v++) {
		for (i = 0; i < n; i++) {
			if (v >= 0 && !ct_counter_has_vma(col[i]))
				continue;
			if (what == CSV_STATUS)
				fprintf(f, ",%s", ct_status_name(ct_counter_status(r->t, col[i])));
			else if (what == CSV_NAMES && v < 0)
				fprintf(f, ",%s", ct_counter_name(col[i]));
			else if (what == CSV_NAMES)
				fprintf(f, ",vma_%s_%s", ct_vma_name((enum ct_vma)v),
					ct_counter_name(col[i]));
			else
				csv_val(f, r, col[i], v < 0 ? ct_counts_get(c, col[i])
					: ct_counts_vma(c, col[i], (enum ct_vma)v));
		}
	}
}

/* A process row (image < 0) or one of its image rows. */
static void csv_proc(FILE *f, const struct report *r, const struct ct_proc_info *p, int image)
{
	fprintf(f, "%s,%s,%d,%d,%d,", ct_mode_name(r->t), image < 0 ? "process" : "image",
		(int)p->pid, (int)p->ppid, p->role);
	csv_str(f, p->comm);
	if (image < 0)
		fprintf(f, ",,%s", made_name(p->created, p->depth));
	else
		fprintf(f, ",%d,%s", image, made_name(p->created, p->depth));
	csv_columns(f, r, CSV_COUNTS, &p->c);
	fprintf(f, ",\n");
}

static void print_csv(FILE *f, const struct report *r)
{
	const char *mode = ct_mode_name(r->t);
	int i, j, first, n;

	fprintf(f, "mode,scope,pid,ppid,role,comm,image,created");
	csv_columns(f, r, CSV_NAMES, NULL);
	fprintf(f, ",lost_events\n");

	for (i = 0; i < r->nprocs; i++) {
		csv_proc(f, r, &r->procs[i], -1);
		n = proc_images(r, &r->procs[i], &first);
		for (j = first; n > 1 && j < first + n; j++)
			csv_proc(f, r, &r->images[j], r->images[j].image);
	}
	for (i = 0; i < r->nroles; i++) {
		fprintf(f, "%s,role,,,%d,,,", mode, i);
		csv_columns(f, r, CSV_COUNTS, &r->roles[i]);
		fprintf(f, ",\n");
	}
	fprintf(f, "%s,total,,,,,,", mode);
	csv_columns(f, r, CSV_COUNTS, &r->total);
	fprintf(f, ",%llu\n", (unsigned long long)r->lost);

	fprintf(f, "#%s,status,,,,,,", mode);
	csv_columns(f, r, CSV_STATUS, NULL);
	fprintf(f, ",exact\n");
}

/* ---- JSON ------------------------------------------------------------ */

/* "name": value, or null when unavailable; sep before it. */
static void json_num(FILE *f, const struct report *r, const char *sep, enum ct_counter k,
		     uint64_t v)
{
	fprintf(f, "%s\"%s\": ", sep, ct_counter_name(k));
	if (avail(r, k))
		fprintf(f, "%llu", (unsigned long long)v);
	else
		fprintf(f, "null");
}

static void json_counts(FILE *f, const struct report *r, const struct ct_counts *c)
{
	enum ct_counter col[CT_NR_COUNTERS];
	int i, v, j, n = columns(CT_JSON, col);

	for (i = 0; i < n; i++)
		json_num(f, r, i ? ", " : "", col[i], ct_counts_get(c, col[i]));
	if (!env.opt.per_vma)
		return;
	fprintf(f, ", \"per_vma\": {");
	for (v = 0; v < CT_VMA_COUNT; v++) {
		fprintf(f, "%s\"%s\": {", v ? ", " : "", ct_vma_name((enum ct_vma)v));
		for (i = 0, j = 0; i < n; i++)
			if (ct_counter_has_vma(col[i]))
				json_num(f, r, j++ ? ", " : "", col[i],
					 ct_counts_vma(c, col[i], (enum ct_vma)v));
		fputc('}', f);
	}
	fputc('}', f);
}

static void json_status(FILE *f, const struct report *r)
{
	enum ct_counter col[CT_NR_COUNTERS];
	int i, n = columns(CT_NOTE, col);

	fprintf(f, ",\n  \"counters\": {");
	for (i = 0; i < n; i++) {
		fprintf(f, "%s\n    \"%s\": {\"status\": \"%s\", \"source\": ", i ? "," : "",
			ct_counter_name(col[i]),
			ct_status_name(ct_counter_status(r->t, col[i])));
		json_str(f, ct_counter_note(r->t, col[i]));
		fputc('}', f);
	}
	fprintf(f, "\n  }");
}

/* , "images": [...]: the process's counts per image. */
static void json_images(FILE *f, const struct report *r, const struct ct_proc_info *p)
{
	int i, first, n = proc_images(r, p, &first);

	fprintf(f, ", \"images\": [");
	for (i = first; i >= 0 && i < first + n; i++) {
		fprintf(f, "%s{\"image\": %d, \"comm\": ", i > first ? ", " : "", r->images[i].image);
		json_str(f, r->images[i].comm);
		fprintf(f, ", ");
		json_counts(f, r, &r->images[i].c);
		fputc('}', f);
	}
	fputc(']', f);
}

static void print_json(FILE *f, const struct report *r)
{
	int i;

	fprintf(f, "{\n  \"tool\": \"cowtrace\",\n  \"mode\": \"%s\",\n  \"probes\": ",
		ct_mode_name(r->t));
	json_str(f, ct_probe_summary(r->t));
	fprintf(f, ",\n  \"command\": [");
	for (i = 0; i < env.ncmd; i++) {
		if (i)
			fprintf(f, ", ");
		json_str(f, env.cmd[i]);
	}
	fprintf(f, "],\n  \"pid\": %d,\n  \"exit_status\": ", (int)r->root);
	if (r->status >= 0)
		fprintf(f, "%d", r->status);
	else
		fprintf(f, "null");
	fprintf(f, ",\n  \"elapsed_s\": %.6f", r->secs);
	json_status(f, r);
	fprintf(f, ",\n  \"lost_events\": {\"total\": %llu, \"procs\": %llu, "
		"\"threads\": %llu, \"prog_misses\": %llu},\n  \"processes\": [",
		(unsigned long long)r->lost, (unsigned long long)r->loss.procs,
		(unsigned long long)r->loss.threads, (unsigned long long)r->loss.prog_misses);
	for (i = 0; i < r->nprocs; i++) {
		const struct ct_proc_info *p = &r->procs[i];

		fprintf(f, "%s\n    {\"pid\": %d, \"ppid\": %d, \"role\": %d, \"depth\": %d, "
			"\"comm\": ", i ? "," : "", (int)p->pid, (int)p->ppid, p->role, p->depth);
		json_str(f, p->comm);
		fprintf(f, ", \"exited\": %s, \"created\": \"%s\", ", p->exited ? "true" : "false",
			made_name(p->created, p->depth));
		json_counts(f, r, &p->c);
		json_images(f, r, p);
		fputc('}', f);
	}
	fprintf(f, "\n  ],\n  \"roles\": [");
	for (i = 0; i < r->nroles; i++) {
		fprintf(f, "%s\n    {\"role\": %d, ", i ? "," : "", i);
		json_counts(f, r, &r->roles[i]);
		fputc('}', f);
	}
	fprintf(f, "\n  ],\n  \"total\": {");
	json_counts(f, r, &r->total);
	fprintf(f, "}");
	if (env.vmstat) {
		fprintf(f, ",\n  \"vmstat_delta\": {");
		vmstat_deltas(f, r, 1);
		fprintf(f, "}");
	}
	fprintf(f, "\n}\n");
}

/* ---- running --------------------------------------------------------- */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * COMMAND's process, created with CLONE_VM (as posix_spawn does) so that
 * cowtrace's own pages are not shared copy-on-write with it: its writes
 * until the exec would otherwise be COW faults that /proc/vmstat sees and
 * the trace does not.  It waits on a pipe until it is traced, then execs;
 * a failed exec sends errno back on a close-on-exec pipe.
 */
#define SPAWN_STACK ((size_t)256 * 1024)

/* The pipe ends as created, for the child: it reads them from the shared
 * address space, so they are never changed once it runs. */
struct spawn_fds {
	int go_r, go_w, ep_r, ep_w;
};

struct spawn {
	pid_t pid;
	int go[2];		/* cowtrace -> child: "traced, exec now" */
	int ep[2];		/* child -> cowtrace: exec's errno (EOF: it ran) */
	struct spawn_fds child;
	void *stack;
};

/* Runs on its own stack in cowtrace's address space: AddressSanitizer
 * cannot follow that stack (it warns at _exit), so it is not instrumented. */
__attribute__((no_sanitize_address))
static int spawn_child(void *arg)
{
	const struct spawn_fds *fd = arg;
	char c;
	int e;

	close(fd->go_w);
	close(fd->ep_r);
	if (read(fd->go_r, &c, 1) != 1)
		_exit(127);
	execvp(env.cmd[0], env.cmd);
	e = errno;
	if (write(fd->ep_w, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(e == ENOENT ? 127 : 126);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* What spawn left open (cowtrace's ends in go and ep), once the child has
 * exec'd or is gone. */
static void spawn_end(struct spawn *sp)
{
	close_fd(&sp->go[0]);
	close_fd(&sp->go[1]);
	close_fd(&sp->ep[0]);
	close_fd(&sp->ep[1]);
	if (sp->stack != MAP_FAILED)
		munmap(sp->stack, SPAWN_STACK);
	sp->stack = MAP_FAILED;
}

/* The child, waiting on sp->go; 0, or -1 with errno (spawn_end either way). */
static int spawn(struct spawn *sp)
{
	sp->pid = -1;
	sp->go[0] = sp->go[1] = sp->ep[0] = sp->ep[1] = -1;
	sp->stack = MAP_FAILED;
	if (pipe2(sp->go, O_CLOEXEC) || pipe2(sp->ep, O_CLOEXEC))
		return -1;
	sp->stack = mmap(NULL, SPAWN_STACK, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (sp->stack == MAP_FAILED)
		return -1;
	sp->child = (struct spawn_fds){ sp->go[0], sp->go[1], sp->ep[0], sp->ep[1] };
	sp->pid = clone(spawn_child, (char *)sp->stack + SPAWN_STACK, CLONE_VM | SIGCHLD,
			&sp->child);
	if (sp->pid < 0)
		return -1;
	close_fd(&sp->go[0]);
	close_fd(&sp->ep[1]);
	return 0;
}

/* Wait for a process that is not our child: pidfd, else polling. */
static void wait_foreign(pid_t pid)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	while (!stop) {
		if (fd >= 0) {
			struct pollfd p = { .fd = fd, .events = POLLIN };

			if (poll(&p, 1, -1) > 0)
				break;
		} else {
			if (kill(pid, 0) && errno == ESRCH)
				break;
			usleep(100000);
		}
	}
	if (fd >= 0)
		close(fd);
}

/* -o FILE (a regular file) is written as FILE.tmp and renamed when the
 * report is complete: an error or a full disk leaves no half report. */
static char out_tmp[4096];

static void drop_out_tmp(void)
{
	if (out_tmp[0])
		unlink(out_tmp);
}

/* Opens -o FILE (FILE.tmp for a regular file); NULL with a message. */
static FILE *open_output(const char *path)
{
	char q[SHOWN_LEN];
	struct stat st;
	int exists = stat(path, &st) == 0;
	FILE *f;

	parse_shown(path, q, sizeof(q));
	if (exists && S_ISDIR(st.st_mode)) {
		fprintf(stderr, "cowtrace: cannot write output file '%s': it is a folder\n", q);
		return NULL;
	}
	if (!exists || S_ISREG(st.st_mode)) {
		if (snprintf(out_tmp, sizeof(out_tmp), "%s.tmp", path) >= (int)sizeof(out_tmp)) {
			out_tmp[0] = '\0';
			fprintf(stderr, "cowtrace: cannot write output file '%s': path too long\n", q);
			return NULL;
		}
		path = out_tmp;
	}
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "cowtrace: cannot write output file '%s': %s\n", q, strerror(errno));
		out_tmp[0] = '\0';
		return NULL;
	}
	atexit(drop_out_tmp);
	return f;
}

/* Flushes and closes the report; 0, or -1 with a message. */
static int close_output(FILE *f, const char *path)
{
	char q[SHOWN_LEN];
	int bad;

	errno = 0;
	bad = fflush(f) || ferror(f);
	if (fclose(f))
		bad = 1;
	if (!bad && out_tmp[0] && rename(out_tmp, path))
		bad = 1;
	if (bad) {
		fprintf(stderr, "cowtrace: cannot write output file '%s': %s\n",
			parse_shown(path, q, sizeof(q)), errno ? strerror(errno) : "write error");
		return -1;
	}
	out_tmp[0] = '\0';
	return 0;
}

/* COMMAND, traced: its exit status in r->status.  0, or cowtrace's exit
 * status for an error (said on stderr). */
static int run_command(struct ct_tracer *t, struct report *r)
{
	struct spawn sp;
	int rc, eno = 0, wstatus = 0;
	double t0;

	rc = spawn(&sp);
	if (rc) {
		fprintf(stderr, "cowtrace: cannot fork: %s\n", strerror(errno));
		rc = CT_ERR_BPF;
		goto cleanup;
	}
	r->root = sp.pid;
	rc = ct_follow(t, sp.pid);
	if (rc) {
		fprintf(stderr, "cowtrace: %s\n", ct_last_error(t));
		kill(sp.pid, SIGKILL);
		waitpid(sp.pid, NULL, 0);
		goto cleanup;
	}
	t0 = now_s();
	if (write(sp.go[1], "g", 1) != 1)
		kill(sp.pid, SIGKILL);
	close_fd(&sp.go[1]);
	if (read(sp.ep[0], &eno, sizeof(eno)) == (ssize_t)sizeof(eno)) {
		waitpid(sp.pid, NULL, 0);
		fprintf(stderr, "cowtrace: cannot run '%s': %s\n", env.cmd[0], strerror(eno));
		rc = eno == ENOENT ? 127 : 126;
		goto cleanup;
	}
	/* end of file: the exec replaced the shared address space */
	spawn_end(&sp);
	/* like perf stat: SIGINT goes to COMMAND, cowtrace waits for it */
	while (waitpid(sp.pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	r->secs = now_s() - t0;
	r->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus)
		  : WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus) : 1;
cleanup:
	spawn_end(&sp);
	return rc;
}

/* -p PID, traced until it exits or SIGINT.  0 or cowtrace's exit status. */
static int follow_pid(struct ct_tracer *t, struct report *r)
{
	int rc = ct_follow(t, env.pid);
	double t0;

	if (rc) {
		fprintf(stderr, "cowtrace: %s\n", ct_last_error(t));
		return rc;
	}
	r->root = env.pid;
	fprintf(stderr, "cowtrace: following PID %d and its descendants (mode %s); "
		"Ctrl-C to stop\n", (int)env.pid, ct_mode_name(t));
	t0 = now_s();
	wait_foreign(env.pid);
	r->secs = now_s() - t0;
	r->status = -1;
	return 0;
}

/* The counts per role, in total, per process, and the lost events. */
static int collect(struct ct_tracer *t, struct report *r)
{
	int i, max = env.opt.max_procs ? (int)env.opt.max_procs : 16384;

	r->t = t;
	if (ct_read(t, r->roles, CT_ROLES)) {
		fprintf(stderr, "cowtrace: cannot read the counters: %s\n", strerror(errno));
		return CT_ERR_BPF;
	}
	memset(&r->total, 0, sizeof(r->total));
	for (i = 0; i < CT_ROLES; i++) {
		ct_counts_add(&r->total, &r->roles[i]);
		if (r->roles[i].procs)
			r->nroles = i + 1;
	}
	r->procs = calloc((size_t)max, sizeof(*r->procs));
	r->nprocs = r->procs ? ct_read_procs(t, r->procs, max) : 0;
	if (r->nprocs < 0)
		r->nprocs = 0;
	/* every image a process left by execve, and its last */
	r->images = calloc((size_t)max * 2, sizeof(*r->images));
	r->nimages = r->images ? ct_read_images(t, r->images, max * 2) : 0;
	if (r->nimages < 0)
		r->nimages = 0;
	ct_read_loss(t, &r->loss);
	r->lost = r->loss.procs + r->loss.threads + r->loss.prog_misses;
	return 0;
}

static void print_report(FILE *f, const struct report *r)
{
	switch (env.format) {
	case FMT_CSV:
		print_csv(f, r);
		break;
	case FMT_JSON:
		print_json(f, r);
		break;
	default:
		print_human(f, r);
		break;
	}
}

/* -v: the programs' run time; lost events, where the report is a file. */
static void print_notes(struct ct_tracer *t, const struct report *r)
{
	char stats[1024];

	if (env.opt.verbose) {
		if (ct_prog_stats(t, stats, sizeof(stats)) == 0)
			fprintf(stderr, "cowtrace: BPF program run time: %s\n", stats);
		else
			fprintf(stderr, "cowtrace: BPF program run time: not kept "
				"(sysctl kernel.bpf_stats_enabled=1 to measure it)\n");
	}
	if (r->lost && env.format != FMT_HUMAN)
		fprintf(stderr, "cowtrace: warning: %llu events lost (see lost_events)\n",
			(unsigned long long)r->lost);
}

static void catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int main(int argc, char **argv)
{
	static const struct argp argp = {
		options, parse_arg, args_doc, doc, NULL, help_filter, NULL
	};
	struct ct_tracer *t = NULL;
	FILE *out = stderr, *f;
	struct report r;
	char err[512];
	int rc = CT_ERR_USAGE;

	memset(&r, 0, sizeof(r));
	argp_err_exit_status = CT_ERR_USAGE;
	if (argp_parse(&argp, argc, argv, ARGP_IN_ORDER | ARGP_NO_ERRS | ARGP_NO_HELP, NULL, NULL))
		goto cleanup;
	if (env.output && !strcmp(env.output, "-")) {
		out = stdout;
	} else if (env.output) {
		out = open_output(env.output);
		if (!out)
			goto cleanup;
	}
	rc = ct_open(&t, &env.opt, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "cowtrace: %s\n", err);
		goto cleanup;
	}
	catch_signals();
	/* before anything is counted, so the deltas cover every counted event */
	if (env.vmstat)
		vmstat_read(&r.vm0);
	rc = env.cmd ? run_command(t, &r) : follow_pid(t, &r);
	if (rc)
		goto cleanup;
	if (env.vmstat)
		vmstat_read(&r.vm1);
	rc = collect(t, &r);
	if (rc)
		goto cleanup;
	print_report(out, &r);
	print_notes(t, &r);
	f = out;
	out = stderr;		/* closed here, not at cleanup */
	if (f == stdout && (fflush(f) || ferror(f))) {
		fprintf(stderr, "cowtrace: cannot write the report to stdout: %s\n", strerror(errno));
		rc = CT_ERR_USAGE;
	} else if (f != stderr && f != stdout && close_output(f, env.output))
		rc = CT_ERR_USAGE;
	else
		rc = env.cmd ? r.status : 0;
cleanup:
	if (out && out != stderr && out != stdout)
		fclose(out);		/* an error: FILE.tmp goes at exit */
	free(r.procs);
	free(r.images);
	ct_close(t);
	return rc;
}
