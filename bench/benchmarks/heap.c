// SPDX-License-Identifier: GPL-2.0
/*
 * forkbench heap — the large-heap parent.
 *
 * Per iteration: the parent (heap of --heap SIZE, every page written, so
 * private and writable) forks; the child writes --child-write of the pages
 * in --pattern order and exits or execs; the parent writes --parent-write of
 * the pages before or after the child exits.  Measured:
 *   fork          the fork() call in the parent
 *   child_write   the child's writes (copy-on-write faults in cow mode)
 *   parent_write  the parent's writes
 *   total         fork call until the child is reaped and both wrote
 *   memcpy        a user-space copy of the whole heap in the same process:
 *                 the bandwidth floor any copy at fork competes with
 * Per-page figures and bandwidth are derived per iteration; the minor faults
 * of the child's and the parent's write loops (getrusage) sit next to the
 * numbers the prediction rules give for the running fork mode.  --events
 * count from the fork to the end of both writes, parent and child
 * together (the memcpy is left out).
 */
#include "folio.h"
#include "forkbench.h"
#include "predict.h"
#include "sysinfo.h"
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

enum when { BEFORE_EXIT, AFTER_EXIT };
enum then { THEN_EXIT, THEN_EXEC };
static const char *const when_names[] = { "before-exit", "after-exit", NULL };
static const char *const then_names[] = { "exit", "exec", NULL };

#define MAX_FOLIOS 16

static struct {
	double child_write, parent_write, touch;
	enum pattern pattern, touch_pattern;
	enum when when;
	enum then then;
	uint64_t folio[MAX_FOLIOS];	/* --folio sizes in bytes */
	int nfolio;			/* 0: not given, the heap as --thp says */
} opt = { 1.0, 0.0, 1.0, PAT_SEQUENTIAL, PAT_SEQUENTIAL, AFTER_EXIT, THEN_EXIT, { 0 }, 0 };

struct child_report {
	uint64_t t0, t1;	/* the child's write loop */
	int64_t minflt;
};

static __attribute__((noreturn)) void child_main(struct heap *h, const uint32_t *pages, size_t n,
						  int rep, int go, const char *target)
{
	struct child_report r;
	char b;
	long f0;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	f0 = minflt_self();
	r.t0 = now_ns();
	heap_write_pages(h, pages, n, 0xc5);
	r.t1 = now_ns();
	r.minflt = minflt_self() - f0;
	if (write(rep, &r, sizeof(r)) != (ssize_t)sizeof(r))
		_exit(1);
	if (opt.when == BEFORE_EXIT && read(go, &b, 1) != 1)
		_exit(1);
	if (opt.then == THEN_EXEC) {
		char *argv[] = { (char *)target, NULL };

		execve(target, argv, environ);
		_exit(127);
	}
	_exit(0);
}

struct iter_ctx {
	struct heap *h;
	uint32_t *cpages, *ppages, *tpages;	/* child's, parent's, touched */
	size_t nc, np, nt;
	unsigned char *dst;	/* memcpy destination */
	char target[4200];
	struct pred_counts pred_child, pred_parent;
	bool predicted;
};

/* The same starting state for every iteration: the touched pages present,
 * private and writable, the others not present. */
static void reset_heap(struct iter_ctx *x)
{
	if (x->nt == heap_pages(x->h)) {
		heap_dirty_all(x->h, 0x11);
		return;
	}
	madvise(x->h->p, x->h->bytes, MADV_DONTNEED);
	heap_write_pages(x->h, x->tpages, x->nt, 0x11);
}

/* One iteration; 0 ok, -1 error (printed), 1 stopping. */
static int run_once(struct fb_common *c, struct iter_ctx *x, struct fb_cell *cell)
{
	int rep[2], go[2], status = 0, rc = -1;
	uint64_t t0, t1, tp0 = 0, tp1 = 0, tend, tm0, tm1;
	struct child_report r;
	double pages = (double)x->nt;	/* mapped (touched) pages */
	double ev[FB_MAX_EVENTS];
	long pf0, pf1 = 0, pf2 = 0;
	pid_t pid;

	if (pipe2(rep, O_CLOEXEC))
		return -1;
	if (pipe2(go, O_CLOEXEC)) {
		close(rep[0]);
		close(rep[1]);
		return -1;
	}
	trace_begin();
	pf0 = minflt_self();
	events_begin(&c->ev);
	t0 = now_ns();
	pid = fork();
	t1 = now_ns();
	if (pid == 0)
		child_main(x->h, x->cpages, x->nc, rep[1], go[0], x->target);
	close(rep[1]);
	close(go[0]);
	if (pid < 0) {
		fprintf(stderr, "forkbench heap: fork failed: %s\n", strerror(errno));
		goto out;
	}
	pf1 = minflt_self();
	if (read_full(rep[0], &r, sizeof(r))) {
		if (fb_stopping()) {
			kill_and_reap(pid);
			rc = 1;
			goto out;
		}
		fprintf(stderr, "forkbench heap: the child died before reporting\n");
		kill_and_reap(pid);
		goto out;
	}
	if (opt.when == BEFORE_EXIT) {
		pf1 = minflt_self();
		tp0 = now_ns();
		heap_write_pages(x->h, x->ppages, x->np, 0x3a);
		tp1 = now_ns();
		pf2 = minflt_self();
		if (write(go[1], "g", 1) != 1)
			kill(pid, SIGKILL);
	}
	if (reap(pid, &status, NULL) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		if (fb_stopping()) {
			rc = 1;
			goto out;
		}
		fprintf(stderr, "forkbench heap: the child failed (status 0x%x)\n", status);
		goto out;
	}
	if (opt.when == AFTER_EXIT) {
		pf1 = minflt_self();
		tp0 = now_ns();
		heap_write_pages(x->h, x->ppages, x->np, 0x3a);
		tp1 = now_ns();
		pf2 = minflt_self();
	}
	tend = now_ns();
	events_end(&c->ev, ev);
	tm0 = now_ns();
	memcpy(x->dst, x->h->p, x->h->bytes);
	tm1 = now_ns();
	rc = 0;
	if (!cell)
		goto out;
	cell_put(cell, "fork", FB_TIME, (double)(t1 - t0));
	cell_put(cell, "child_write", FB_TIME, (double)(r.t1 - r.t0));
	cell_put(cell, "parent_write", FB_TIME, x->np ? (double)(tp1 - tp0) : NAN);
	cell_put(cell, "total", FB_TIME, (double)(tend - t0));
	cell_put(cell, "memcpy", FB_TIME, (double)(tm1 - tm0));
	cell_put(cell, "fork_ns_per_page", FB_MEDIAN, pages ? (double)(t1 - t0) / pages : NAN);
	cell_put(cell, "memcpy_ns_per_page", FB_MEDIAN, pages ? (double)(tm1 - tm0) / pages : NAN);
	cell_put(cell, "memcpy_gbps", FB_MEDIAN,
		 tm1 > tm0 ? (double)x->h->bytes / (double)(tm1 - tm0) : NAN);
	cell_put(cell, "child_write_ns_per_page", FB_MEDIAN,
		 x->nc ? (double)(r.t1 - r.t0) / (double)x->nc : NAN);
	cell_put(cell, "child_copy_gbps", FB_MEDIAN,
		 x->nc && r.t1 > r.t0 ? (double)x->nc * 4096 / (double)(r.t1 - r.t0) : NAN);
	cell_put(cell, "touch_fraction", FB_MEDIAN, opt.touch);
	cell_put(cell, "child_write_fraction", FB_MEDIAN, opt.child_write);
	cell_put(cell, "parent_write_fraction", FB_MEDIAN, opt.parent_write);
	cell_put(cell, "fork_minflt", FB_MEDIAN, (double)(pf1 - pf0));
	cell_put(cell, "child_write_minflt", FB_MEDIAN, (double)r.minflt);
	cell_put(cell, "parent_write_minflt", FB_MEDIAN, (double)(pf2 - pf1));
	cell_put(cell, "pred_child_wp_faults", FB_MEDIAN,
		 x->predicted ? (double)x->pred_child.wp_faults : NAN);
	cell_put(cell, "pred_child_cow_copies", FB_MEDIAN,
		 x->predicted ? (double)x->pred_child.cow_copies : NAN);
	cell_put(cell, "pred_child_new_faults", FB_MEDIAN,
		 x->predicted ? (double)x->pred_child.new_faults : NAN);
	cell_put(cell, "pred_parent_wp_faults", FB_MEDIAN,
		 x->predicted ? (double)x->pred_parent.wp_faults : NAN);
	cell_put(cell, "pred_parent_cow_copies", FB_MEDIAN,
		 x->predicted ? (double)x->pred_parent.cow_copies : NAN);
	cell_put(cell, "pred_parent_new_faults", FB_MEDIAN,
		 x->predicted ? (double)x->pred_parent.new_faults : NAN);
	cell_put(cell, "pred_parent_cow_reuses", FB_MEDIAN,
		 x->predicted ? (double)x->pred_parent.cow_reuses : NAN);
	cell_put(cell, "pred_eager_copies", FB_MEDIAN,
		 x->predicted ? (double)x->pred_parent.eager_copies : NAN);
	fb_put_events(c, cell, ev);
	trace_end(cell, 0);	/* before the heap is dirtied again below */
	cell_commit(cell);
out:
	close(rep[0]);
	close(go[1]);
	reset_heap(x);
	return rc;
}

/* The prediction for one iteration, replaying its events. */
static void predict(struct iter_ctx *x, enum fork_mode mode)
{
	struct predictor p;
	int child;

	x->predicted = false;
	if (x->h->thp == THP_ALWAYS ||
	    pred_init_present(&p, mode, heap_pages(x->h), x->tpages, x->nt))
		return;		/* the rules are for 4 KiB pages */
	child = pred_fork(&p, 0);
	if (child < 0) {
		pred_free(&p);
		return;
	}
	pred_write(&p, child, x->cpages, x->nc);
	if (opt.when == BEFORE_EXIT)
		pred_write(&p, 0, x->ppages, x->np);
	pred_exit(&p, child);
	if (opt.when == AFTER_EXIT)
		pred_write(&p, 0, x->ppages, x->np);
	x->pred_child = p.c[child];
	x->pred_parent = p.c[0];
	x->predicted = true;
	pred_free(&p);
}

/* What --folio asked for and what the heap got. */
struct folio_got {
	uint64_t bytes;		/* asked; 0: no --folio */
	double allocs;		/* folios of that size faulted in while the heap was made */
	double fraction;	/* of the heap's pages in folios of that size */
};

/* The share of the heap in folios of f->bytes: from the page flags (root),
 * else from the kernel's fault count of that size; NaN if neither. */
static double folio_fraction(const struct heap *h, const struct folio_got *f)
{
	size_t fp = (size_t)(f->bytes / 4096);
	int64_t pages = heap_folio_pages(h, fp);

	if (pages >= 0)
		return (double)pages / (double)heap_pages(h);
	if (f->bytes == FOLIO_BASE || isnan(f->allocs))
		return NAN;
	return f->allocs * (double)fp / (double)heap_pages(h);
}

/* The heap, with --folio's size set up for it first. */
static int make_heap(struct heap *h, uint64_t bytes, enum thp_mode thp, struct folio_got *f)
{
	char err[FB_ERRLEN];
	int64_t a0, a1;

	if (f->bytes && folio_set(f->bytes, err, sizeof(err))) {
		fprintf(stderr, "forkbench heap: --folio: %s\n", err);
		return -1;
	}
	a0 = f->bytes ? folio_fault_allocs(f->bytes) : -1;
	if (heap_create(h, bytes, f->bytes > FOLIO_BASE ? THP_ALWAYS : thp, err, sizeof(err))) {
		fprintf(stderr, "forkbench heap: %s\n", err);
		folio_restore();
		return -1;
	}
	a1 = f->bytes ? folio_fault_allocs(f->bytes) : -1;
	f->allocs = a0 >= 0 && a1 >= a0 ? (double)(a1 - a0) : NAN;
	f->fraction = f->bytes ? folio_fraction(h, f) : NAN;
	return 0;
}

static void put_folio(struct fb_cell *cell, const struct folio_got *f)
{
	if (!f->bytes)
		return;
	cell_put(cell, "folio_bytes", FB_MEDIAN, (double)f->bytes);
	cell_put(cell, "folio_allocs", FB_MEDIAN, f->allocs);
	cell_put(cell, "folio_fraction", FB_MEDIAN, f->fraction);
}

/* After the iterations: the share still in folios of the size asked (the
 * writes after each fork may have split them), on every iteration's row. */
static void put_folio_end(struct fb_cell *cell, const struct heap *h, const struct folio_got *f)
{
	double v;
	int k;
	size_t i;

	if (!f->bytes || !cell->n)
		return;
	v = folio_fraction(h, &(struct folio_got){ f->bytes, NAN, NAN });
	k = cell_metric(cell, "folio_fraction_end", FB_MEDIAN);
	for (i = 0; k >= 0 && i < cell->n; i++)
		cell->m[k].v[i] = v;
}

static int heap_run_one(struct fb_common *c, uint64_t heap_bytes, uint64_t folio)
{
	enum fork_mode mode = c->fork_mode;
	struct folio_got f = { folio, NAN, NAN };
	char method[128], fs[32] = "";
	struct iter_ctx x;
	struct heap h;
	struct fb_cell *cell;
	int rc = 0;
	uint64_t i;

	memset(&x, 0, sizeof(x));
	if (make_heap(&h, heap_bytes, c->thp, &f))
		return -1;
	x.h = &h;
	snprintf(x.target, sizeof(x.target), "%s/forkbench-target-static", c->self_dir);
	x.cpages = pattern_pages(opt.pattern, opt.child_write, heap_pages(&h), 1, &x.nc);
	x.ppages = pattern_pages(opt.pattern, opt.parent_write, heap_pages(&h), 2, &x.np);
	x.tpages = pattern_pages(opt.touch_pattern, opt.touch, heap_pages(&h), 3, &x.nt);
	/* MADV_DONTFORK: the memcpy buffer is not part of the parent
	 * being forked, and no fork write-protects it. */
	x.dst = mmap(NULL, h.bytes, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (x.dst == MAP_FAILED || madvise(x.dst, h.bytes, MADV_DONTFORK))
		x.dst = NULL;
	if (!x.cpages || !x.ppages || !x.tpages || !x.dst) {
		fprintf(stderr, "forkbench heap: out of memory\n");
		rc = -1;
	} else {
		memset(x.dst, 1, h.bytes);
		reset_heap(&x);
		predict(&x, mode);
		if (folio)
			snprintf(fs, sizeof(fs), "-folio%lluK", (unsigned long long)(folio >> 10));
		snprintf(method, sizeof(method), "child%g%%-%s-%s%s", opt.child_write * 100,
			 pattern_names[opt.pattern], then_names[opt.then], fs);
		cell = cell_new(c->res, "heap", method, fork_mode_name(mode),
				heap_bytes, thp_names[c->thp], c->iterations);
		cell->thp_bytes = heap_thp_bytes(&h);
		for (i = 0; i < c->warmup + c->iterations && !rc && !fb_stopping(); i++) {
			if (i >= c->warmup)
				put_folio(cell, &f);
			rc = run_once(c, &x, i < c->warmup ? NULL : cell);
		}
		put_folio_end(cell, &h, &f);
	}
	free(x.cpages);
	free(x.ppages);
	free(x.tpages);
	if (x.dst)
		munmap(x.dst, h.bytes);
	heap_destroy(&h);
	if (folio)
		folio_restore();
	return rc < 0 ? -1 : 0;
}

static int heap_run(struct fb_common *c)
{
	int hi, fi, rc = 0;

	for (hi = 0; hi < c->nheaps && !rc && !fb_stopping(); hi++)
		for (fi = 0; fi < (opt.nfolio ? opt.nfolio : 1) && !rc && !fb_stopping(); fi++)
			rc = heap_run_one(c, c->heaps[hi], opt.nfolio ? opt.folio[fi] : 0);
	return rc;
}

static int add_folio(const char *item, void *ctx)
{
	char e[FB_ERRLEN];

	(void)ctx;
	if (opt.nfolio == MAX_FOLIOS) {
		snprintf(fb_parse_err, sizeof(fb_parse_err), "--folio: at most %d sizes", MAX_FOLIOS);
		return -1;
	}
	if (parse_size(item, 1ULL << 30, &opt.folio[opt.nfolio], e, sizeof(e)) ||
	    folio_check(opt.folio[opt.nfolio], e, sizeof(e))) {
		snprintf(fb_parse_err, sizeof(fb_parse_err), "%s%s",
			 strncmp(e, "--folio", 7) ? "--folio: " : "", e);
		return -1;
	}
	opt.nfolio++;
	return 0;
}

enum { OPT_CHILD_WRITE = 0x300, OPT_PARENT_WRITE, OPT_PATTERN, OPT_WHEN, OPT_THEN, OPT_TOUCH,
       OPT_TOUCH_PATTERN, OPT_FOLIO };

static const struct argp_option heap_options[] = {
	{ NULL, 0, NULL, 0, "heap options:", 2 },
	{ "touch", OPT_TOUCH, "F", 0,
	  "Fraction of the heap the parent has written before fork (default 1); the rest is not present", 2 },
	{ "touch-pattern", OPT_TOUCH_PATTERN, "sequential|stride|random", 0,
	  "Which pages --touch covers (default sequential)", 2 },
	{ "child-write", OPT_CHILD_WRITE, "F", 0,
	  "Fraction of the heap the child writes after fork: 0..1 or 0%..100% (default 1)", 2 },
	{ "pattern", OPT_PATTERN, "sequential|stride|random", 0,
	  "Which pages the writes touch (default sequential)", 2 },
	{ "parent-write", OPT_PARENT_WRITE, "F", 0,
	  "Fraction of the heap the parent writes after fork (default 0)", 2 },
	{ "parent-when", OPT_WHEN, "before-exit|after-exit", 0,
	  "The parent writes while the child lives, or after reaping it (default after-exit)", 2 },
	{ "child-then", OPT_THEN, "exit|exec", 0,
	  "After writing, the child exits (default) or execs forklab's static target", 2 },
	{ "folio", OPT_FOLIO, "SIZE[,SIZE...]", 0,
	  "Back the heap with anonymous folios of each size in turn (4K, 16K, 64K, ..., 2M: "
	  "the sizes of /sys/kernel/mm/transparent_hugepage/hugepages-*kB; root): the "
	  "per-size switches are set for the run and restored; the size obtained is verified", 2 },
	{ 0 }
};

static error_t heap_parse(int key, char *arg, struct argp_state *state)
{
	char e[FB_ERRLEN];
	int i;

	switch (key) {
	case OPT_CHILD_WRITE:
	case OPT_PARENT_WRITE:
	case OPT_TOUCH:
		if (parse_fraction(arg, key == OPT_CHILD_WRITE ? &opt.child_write :
					key == OPT_PARENT_WRITE ? &opt.parent_write : &opt.touch,
				   e, sizeof(e))) {
			snprintf(fb_parse_err, sizeof(fb_parse_err), "--%s: %s",
				 key == OPT_CHILD_WRITE ? "child-write" :
				 key == OPT_PARENT_WRITE ? "parent-write" : "touch", e);
			return EINVAL;
		}
		return 0;
	case OPT_TOUCH_PATTERN:
		i = parse_choice(arg, pattern_names, "--touch-pattern", fb_parse_err,
				 sizeof(fb_parse_err));
		if (i < 0)
			return EINVAL;
		opt.touch_pattern = (enum pattern)i;
		return 0;
	case OPT_PATTERN:
		i = parse_choice(arg, pattern_names, "--pattern", fb_parse_err, sizeof(fb_parse_err));
		if (i < 0)
			return EINVAL;
		opt.pattern = (enum pattern)i;
		return 0;
	case OPT_WHEN:
		i = parse_choice(arg, when_names, "--parent-when", fb_parse_err, sizeof(fb_parse_err));
		if (i < 0)
			return EINVAL;
		opt.when = (enum when)i;
		return 0;
	case OPT_THEN:
		i = parse_choice(arg, then_names, "--child-then", fb_parse_err, sizeof(fb_parse_err));
		if (i < 0)
			return EINVAL;
		opt.then = (enum then)i;
		return 0;
	case OPT_FOLIO:
		opt.nfolio = 0;
		return fb_list_option("--folio", arg, add_folio, NULL);
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static int heap_check(struct fb_common *c, char *err, size_t errlen)
{
	int h;

	for (h = 0; h < c->nheaps; h++)
		if (c->heaps[h] == 0) {
			snprintf(err, errlen, "--heap: sizes must be above 0 for heap (e.g. --heap 64M,1G)");
			return -1;
		}
	if (opt.nfolio && c->thp == THP_ALWAYS) {
		snprintf(err, errlen, "--folio and --thp always: one of them (--folio 2M is THP)");
		return -1;
	}
	return 0;
}

/* Will any run be in eager mode (a full copy at fork)? */
static bool runs_eager(const struct fb_common *c)
{
	int k;

	for (k = 0; k < c->nmodes; k++)
		if (c->modes[k] == FORK_MODE_EAGER)
			return true;
	return !c->nmodes && fork_mode_parse(effective_fork_mode()) == FORK_MODE_EAGER;
}

static int heap_fits_here(struct fb_common *c, char *err, size_t errlen)
{
	uint64_t need = 0, n;
	int h;

	for (h = 0; h < opt.nfolio; h++)
		if (folio_fits(opt.folio[h], err, errlen))
			return -1;
	/* heap + memcpy destination + the child's copies + the parent's copies
	 * while the child lives + a full copy in eager mode. */
	for (h = 0; h < c->nheaps; h++) {
		n = c->heaps[h] * 2 + (uint64_t)(opt.child_write * (double)c->heaps[h]) +
		    (uint64_t)(opt.parent_write * (double)c->heaps[h]) +
		    (runs_eager(c) ? c->heaps[h] : 0);
		if (n > need)
			need = n;
	}
	return heap_fits(need, "heap (parent + memcpy buffer + copies)", err, errlen);
}

static const struct argp heap_argp = {
	heap_options, heap_parse, NULL,
	"forkbench heap: fork of a large parent, the copy-on-write faults after it, and a "
	"memcpy of the same size as the bandwidth floor.\v"
	"Times per iteration: fork, child_write, parent_write, total, memcpy; per page: "
	"fork_ns_per_page, child_write_ns_per_page (COW fault cost), memcpy_ns_per_page; "
	"minor faults of each write loop next to the predicted write-protect faults. "
	"--events count from the fork to the end of both writes, parent and child together.\n\n"
	"Examples:\n"
	"  forkbench heap --heap 64M,256M,1G\n"
	"  forkbench heap --heap 1G --thp always -n 10\n"
	"  forkbench heap --heap 256M --child-write 10% --pattern random\n"
	"  forkbench heap --heap 256M --touch 25% --touch-pattern random\n"
	"  forkbench heap --heap 64M --events perf::PAGE-FAULTS\n"
	"  forkbench heap --heap 256M --folio 4K,16K,64K,2M\n"
	"  forkbench heap --heap 256M --child-write 0.5 --parent-write 1 --parent-when before-exit",
	NULL, NULL, NULL
};

static const struct fb_bench heap_bench = {
	.name = "heap",
	.order = 20,
	.summary = "large-heap parent: fork, COW faults after it, memcpy floor",
	.argp = &heap_argp,
	.default_iterations = 10,
	.trace_heap_only = true,
	.check = heap_check,
	.fits = heap_fits_here,
	.run = heap_run,
};
FB_BENCH(heap_bench);
