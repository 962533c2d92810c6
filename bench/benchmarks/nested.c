// SPDX-License-Identifier: GPL-2.0
/*
 * forkbench nested — chains and trees of forks sharing one heap, written in
 * an exact order: who copies and who reuses, per process.
 *
 * The seed case: A forks B, B forks C and D, writes D, C, B, A:
 *   forkbench nested --shape edges:A-B,B-C,B-D --write-order D,C,B,A --heap 4K
 * predicts 3 copies and 1 reuse (A, the last sharer).  --events count each
 * process's own write loop, next to its write_minflt.
 */
#include "family.h"
#include "trace.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static struct {
	const char *shape, *order;
	double write;
} opt = { "edges:A-B,B-C,B-D", "leaves-first", 1.0 };

static struct family fam;

static int nested_run(struct fb_common *c)
{
	struct pred_counts pred[FAM_MAX];
	struct fam_result r[FAM_MAX];
	struct fb_cell *cells[FAM_MAX] = { NULL };
	int h, rc = 0;
	uint64_t i;

	for (h = 0; h < c->nheaps && !rc && !fb_stopping(); h++) {
		bool predicted = c->thp == THP_NEVER &&
				 !family_predict(&fam, c->fork_mode, c->heaps[h] / 4096, pred);

		family_cells(c, "nested", &fam, c->heaps[h], "", cells);
		for (i = 0; i < c->warmup + c->iterations && !rc && !fb_stopping(); i++) {
			trace_reset();
			rc = family_run(c, &fam, c->heaps[h], false, r);
			if (!rc && i >= c->warmup)
				family_record(c, &fam, cells, r, pred, predicted);
		}
	}
	return rc < 0 ? -1 : 0;
}

enum { OPT_SHAPE = 0x400, OPT_ORDER, OPT_WRITE };

static const struct argp_option nested_options[] = {
	{ NULL, 0, NULL, 0, "nested options:", 2 },
	{ "shape", OPT_SHAPE, "SHAPE", 0,
	  "chain:DEPTH, tree:FANOUT:DEPTH or edges:A-B,B-C,... (default the seed case edges:A-B,B-C,B-D)", 2 },
	{ "write-order", OPT_ORDER, "ORDER", 0,
	  "leaves-first (default), root-first, or names in order, e.g. D,C,B,A; exit:NAME makes a leaf exit there", 2 },
	{ "write", OPT_WRITE, "F", 0, "Fraction of the heap each writer writes (default 1)", 2 },
	{ 0 }
};

static error_t nested_parse(int key, char *arg, struct argp_state *state)
{
	char e[FB_ERRLEN];

	switch (key) {
	case OPT_SHAPE:
		opt.shape = arg;
		return 0;
	case OPT_ORDER:
		opt.order = arg;
		return 0;
	case OPT_WRITE:
		if (parse_fraction(arg, &opt.write, e, sizeof(e))) {
			snprintf(fb_parse_err, sizeof(fb_parse_err), "--write: %s", e);
			return EINVAL;
		}
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static int nested_check(struct fb_common *c, char *err, size_t errlen)
{
	int h;

	if (family_shape(&fam, opt.shape, err, errlen) || family_order(&fam, opt.order, err, errlen))
		return -1;
	fam.write_fraction = opt.write;
	if (c->nheaps == 1 && c->heaps[0] == 0)
		c->heaps[0] = 4096;	/* default: one shared page */
	for (h = 0; h < c->nheaps; h++)
		if (c->heaps[h] == 0) {
			snprintf(err, errlen, "--heap: sizes must be above 0 for nested");
			return -1;
		}
	return 0;
}

static int nested_fits(struct fb_common *c, char *err, size_t errlen)
{
	uint64_t max = 0;
	int h;

	for (h = 0; h < c->nheaps; h++)
		if (c->heaps[h] > max)
			max = c->heaps[h];
	return family_fits(&fam, max, err, errlen);
}

static const struct argp nested_argp = {
	nested_options, nested_parse, NULL,
	"forkbench nested: a chain or tree of forks sharing one heap, written in an exact order; "
	"per process: write time, write faults, and the predicted copies and reuses.\v"
	"Processes are named A (root), B, C, ... in breadth-first order. The heap defaults to "
	"one page (4K). --events count each process's own write loop.\n\n"
	"Examples:\n"
	"  forkbench nested                                   # seed: A-B, B-C, B-D; writes D,C,B,A\n"
	"  forkbench nested --shape chain:3 --heap 16M --write-order root-first\n"
	"  forkbench nested --shape tree:2:3 --heap 1M --format csv\n"
	"  forkbench nested --shape edges:A-B --write-order exit:B,A --heap 64M\n"
	"  forkbench nested --heap 1M --events perf::PAGE-FAULTS",
	NULL, NULL, NULL
};

static const struct fb_bench nested_bench = {
	.name = "nested",
	.order = 30,
	.summary = "chains and trees of forks sharing a heap, written in order",
	.argp = &nested_argp,
	.default_iterations = 11,	/* median CI [x_(3), x_(10)], 96.1 % (stats.h) */
	.trace_heap_only = true,
	.check = nested_check,
	.fits = nested_fits,
	.run = nested_run,
};
FB_BENCH(nested_bench);
