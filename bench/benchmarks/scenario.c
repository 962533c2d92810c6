// SPDX-License-Identifier: GPL-2.0
/*
 * forkbench scenario NAME — the classic copy-on-write questions, each run as
 * a demonstration that prints, per process, the write faults, copies and
 * reuses predicted for every fork mode next to what was measured.  --events
 * count each process's own write loop (fork-exec: the fork, exec and reap,
 * parent and child together).
 */
#include "family.h"
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct scenario {
	const char *name, *question, *shape, *order;
	uint64_t heap;
	bool pfn;		/* read page frame numbers */
	bool fork_exec;		/* its own runner */
};

static const struct scenario scenarios[] = {
	{ "parent-writes", "after fork, does the parent fault when it writes? (yes: it lost write access)",
	  "edges:A-B", "A", 64 * 4096ULL, false, false },
	{ "same-va-different-pa", "same virtual address, same frame before a write, different after?",
	  "edges:A-B", "B,A", 4096, true, false },
	{ "last-sharer-reuses", "does the last holder of a page copy it? (no: it reuses)",
	  "edges:A-B", "exit:B,A", 64 * 4096ULL, false, false },
	{ "nested", "A-B, B-C, B-D; writes D, C, B, A: how many copies? (3, and A reuses)",
	  "edges:A-B,B-C,B-D", "D,C,B,A", 4096, false, false },
	{ "fork-exec", "what does a fork+exec child write before exec? (stack, libc data, TLS)",
	  NULL, NULL, 0, false, true },
};
#define NSCEN (sizeof(scenarios) / sizeof(scenarios[0]))

static const struct scenario *scen;

static void put_predictions(struct fb_cell *cell, const struct pred_counts *p, enum fork_mode m,
			    bool ok)
{
	char col[48];

	snprintf(col, sizeof(col), "%s_pred_wp_faults", fork_mode_name(m));
	cell_put(cell, col, FB_MEDIAN, ok ? (double)p->wp_faults : NAN);
	snprintf(col, sizeof(col), "%s_pred_cow_copies", fork_mode_name(m));
	cell_put(cell, col, FB_MEDIAN, ok ? (double)p->cow_copies : NAN);
	snprintf(col, sizeof(col), "%s_pred_cow_reuses", fork_mode_name(m));
	cell_put(cell, col, FB_MEDIAN, ok ? (double)p->cow_reuses : NAN);
	snprintf(col, sizeof(col), "%s_pred_eager_copies", fork_mode_name(m));
	cell_put(cell, col, FB_MEDIAN, ok ? (double)p->eager_copies : NAN);
}

static int run_family(struct fb_common *c)
{
	struct pred_counts pred[FORK_MODE_NR][FAM_MAX];
	struct fam_result r[FAM_MAX];
	struct fb_cell *cells[FAM_MAX];
	char err[FB_ERRLEN];
	struct family f;
	bool ok[FORK_MODE_NR];
	uint64_t heap = c->heaps[0] ? c->heaps[0] : scen->heap, i;
	int m, p, rc = 0;

	memset(r, 0, sizeof(r));
	if (family_shape(&f, scen->shape, err, sizeof(err)) ||
	    family_order(&f, scen->order, err, sizeof(err))) {
		fprintf(stderr, "forkbench scenario: %s\n", err);
		return -1;
	}
	for (m = 0; m < FORK_MODE_NR; m++)
		ok[m] = c->thp == THP_NEVER && !family_predict(&f, (enum fork_mode)m, heap / 4096, pred[m]);
	family_cells(c, "scenario", &f, heap, scen->name, cells);
	for (i = 0; i < c->warmup + c->iterations && !rc && !fb_stopping(); i++) {
		trace_reset();
		rc = family_run(c, &f, heap, scen->pfn, r);
		if (rc || i < c->warmup)
			continue;
		for (p = 0; p < f.n; p++) {
			for (m = 0; m < FORK_MODE_NR; m++)
				put_predictions(cells[p], &pred[m][p], (enum fork_mode)m, ok[m]);
			if (scen->pfn) {
				/* B wrote first: before its write B and A map one
				 * frame; after it, different frames; A reuses its. */
				bool known = !isnan(r[0].pfn_before) && !isnan(r[1].pfn_before);

				cell_put(cells[p], "pfn_same_before_write", FB_MEDIAN,
					 known ? (double)(r[1].pfn_before == r[0].pfn_before) : NAN);
				cell_put(cells[p], "pfn_differs_after_write", FB_MEDIAN,
					 known ? (double)(r[1].pfn_after != r[0].pfn_after) : NAN);
			}
		}
		family_record(c, &f, cells, r, NULL, false);
	}
	if (scen->pfn && !rc && c->res->n && isnan(r[0].pfn_before))
		fprintf(stderr, "forkbench scenario: page frame numbers need CAP_SYS_ADMIN; "
				"the same-frame checks were skipped (n/a)\n");
	return rc < 0 ? -1 : 0;
}

/* fork-exec: the child, between fork's return and execve, takes the faults
 * a shell's child takes: its stack page(s), libc's data and TLS.  Predicted
 * faults on the stack page at the stack pointer: cow 1, stack 0, eager 0.
 * --events count the whole iteration, parent and child, fork to reap. */
static int run_fork_exec(struct fb_common *c)
{
	struct fb_cell *cell;
	char target[4200];
	uint64_t i;
	int rc = 0;

	snprintf(target, sizeof(target), "%s/forkbench-target-static", c->self_dir);
	cell = cell_new(c->res, "scenario", "fork-exec:child", fork_mode_name(c->fork_mode), 0,
			thp_names[c->thp], c->iterations);
	for (i = 0; i < c->warmup + c->iterations && !rc && !fb_stopping(); i++) {
		int p[2], status = 0;
		long flt[2] = { 0, 0 };
		double ev[FB_MAX_EVENTS];
		uint64_t t0 = 0, t1;
		pid_t pid;

		if (pipe2(p, O_CLOEXEC))
			return -1;
		events_begin(&c->ev);
		t0 = now_ns();
		pid = fork();
		if (pid == 0) {
			struct rusage ru0, ru1;
			char *argv[] = { target, NULL };

			getrusage(RUSAGE_SELF, &ru0);
			/* Nothing here but what a shell's child does. */
			getrusage(RUSAGE_SELF, &ru1);
			flt[0] = ru0.ru_minflt;
			flt[1] = ru1.ru_minflt;
			if (write(p[1], flt, sizeof(flt)) != (ssize_t)sizeof(flt))
				_exit(1);
			execve(target, argv, environ);
			_exit(127);
		}
		close(p[1]);
		if (pid < 0 || read(p[0], flt, sizeof(flt)) != (ssize_t)sizeof(flt) ||
		    reap(pid, &status, NULL) < 0 || status) {
			if (pid > 0)
				kill_and_reap(pid);
			close(p[0]);
			if (fb_stopping())
				return 0;
			fprintf(stderr, "forkbench scenario fork-exec: the child failed\n");
			return -1;
		}
		t1 = now_ns();
		events_end(&c->ev, ev);
		close(p[0]);
		if (i < c->warmup)
			continue;
		cell_put(cell, "fork_exec_reap", FB_TIME, (double)(t1 - t0));
		fb_put_events(c, cell, ev);
		/* Faults from fork's return to the first getrusage: the
		 * stack, TLS and libc pages fork's child path writes. */
		cell_put(cell, "minflt_fork_to_exec", FB_MEDIAN, (double)flt[0]);
		cell_put(cell, "cow_pred_stack_page_faults", FB_MEDIAN, 1);
		cell_put(cell, "stack_pred_stack_page_faults", FB_MEDIAN, 0);
		cell_put(cell, "eager_pred_stack_page_faults", FB_MEDIAN, 0);
		cell_commit(cell);
	}
	return rc;
}

static int scenario_run(struct fb_common *c)
{
	return scen->fork_exec ? run_fork_exec(c) : run_family(c);
}

static error_t scenario_parse(int key, char *arg, struct argp_state *state)
{
	char q[SHOWN_LEN];
	size_t i;

	switch (key) {
	case ARGP_KEY_ARG:
		if (scen) {
			snprintf(fb_parse_err, sizeof(fb_parse_err), "unexpected argument '%s' (one scenario per run)",
				 parse_shown(arg, q, sizeof(q)));
			return EINVAL;
		}
		for (i = 0; i < NSCEN; i++)
			if (!strcmp(arg, scenarios[i].name))
				scen = &scenarios[i];
		if (!scen) {
			size_t off = (size_t)snprintf(fb_parse_err, sizeof(fb_parse_err),
						      "unknown scenario '%s' (allowed:",
						      parse_shown(arg, q, sizeof(q)));

			for (i = 0; i < NSCEN && off < sizeof(fb_parse_err); i++)
				off += (size_t)snprintf(fb_parse_err + off, sizeof(fb_parse_err) - off,
							"%s %s", i ? "," : "", scenarios[i].name);
			if (off < sizeof(fb_parse_err))
				snprintf(fb_parse_err + off, sizeof(fb_parse_err) - off, ")");
			return EINVAL;
		}
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static int scenario_check(struct fb_common *c, char *err, size_t errlen)
{
	if (!scen) {
		snprintf(err, errlen, "which scenario? (parent-writes, same-va-different-pa, last-sharer-reuses, nested, fork-exec)");
		return -1;
	}
	if (c->nheaps > 1) {
		snprintf(err, errlen, "--heap: one size per scenario");
		return -1;
	}
	return 0;
}

static int scenario_fits(struct fb_common *c, char *err, size_t errlen)
{
	struct family f;

	if (scen->fork_exec)
		return 0;
	if (family_shape(&f, scen->shape, err, errlen))
		return -1;
	return family_fits(&f, c->heaps[0] ? c->heaps[0] : scen->heap, err, errlen);
}

static const struct argp scenario_argp = {
	NULL, scenario_parse, "NAME",
	"forkbench scenario: the classic copy-on-write questions, with predicted counts per "
	"fork mode next to the measured ones.\v"
	"Scenarios:\n"
	"  parent-writes         after fork the parent faults on its first write to each page\n"
	"  same-va-different-pa  one frame before a write, two after (PFNs need CAP_SYS_ADMIN)\n"
	"  last-sharer-reuses    the last process holding a page reuses it, no copy\n"
	"  nested                A-B, B-C, B-D written D, C, B, A: 3 copies, 1 reuse\n"
	"  fork-exec             what a fork+exec child writes before exec\n\n"
	"--events count each process's own write loop (fork-exec: fork to reap, parent and "
	"child).\n\n"
	"Examples:\n"
	"  forkbench scenario nested\n"
	"  forkbench scenario parent-writes --events perf::PAGE-FAULTS\n"
	"  forkbench scenario parent-writes --heap 1M --format csv\n"
	"  forkbench scenario fork-exec -n 20",
	NULL, NULL, NULL
};

static const struct fb_bench scenario_bench = {
	.name = "scenario",
	.order = 40,
	.summary = "the classic COW questions, predicted and measured",
	.argp = &scenario_argp,
	.default_iterations = 11,	/* median CI [x_(3), x_(10)], 96.1 % (stats.h) */
	.trace_heap_only = true,
	.check = scenario_check,
	.fits = scenario_fits,
	.run = scenario_run,
};
FB_BENCH(scenario_bench);
