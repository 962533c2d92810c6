// SPDX-License-Identifier: GPL-2.0
/*
 * forkbench vmas — fork latency vs the number of mappings (VMAs) of the
 * parent.
 *
 * For each --vmas N the parent maps N one-page private anonymous mappings,
 * each written once (present), separated by unmapped one-page gaps so no
 * two of them can merge, and checks in /proc/self/maps that it has exactly
 * N more mappings than before.  Per iteration it forks; the child exits at
 * once.  Measured:
 *   fork     the fork() call in the parent (dup_mmap walks every VMA)
 *   reap     fork call until the child is reaped (its exit_mmap included)
 * with forks_per_s (1 s over the fork time), the VMAs of the parent and,
 * once per N, of a child (read from its own /proc/self/maps before it
 * exits) next to the prediction: a child has every mapping of its parent
 * except those marked do-not-copy (MADV_DONTFORK, VmFlags dc in smaps).
 * The same numbers in every fork mode: the modes differ in the pages
 * copied, not in the VMAs duplicated.
 */
#include "forkbench.h"
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
#include <sys/wait.h>
#include <unistd.h>

#define MAX_NVMAS 16
#define VMAS_MAX 1000000	/* beyond any vm.max_map_count default */
#define MAX_MAP_COUNT "/proc/sys/vm/max_map_count"
/* Mappings the run itself may add beyond the process's own (the heap,
 * stdio buffers, the child): kept free below vm.max_map_count. */
#define VMAS_SLACK 64

static struct {
	uint64_t n[MAX_NVMAS];
	int nn;
} opt;

/* Mappings in /proc/self/maps (all: -1 on error); dontcopy, when not NULL,
 * gets those marked dc (do not copy on fork) in /proc/self/smaps. */
static long count_maps(long *dontcopy)
{
	char line[512];
	long n = 0, dc = 0;
	FILE *f = fopen(dontcopy ? "/proc/self/smaps" : "/proc/self/maps", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!dontcopy) {
			n += strchr(line, '\n') != NULL;
			continue;
		}
		if (!strncmp(line, "VmFlags:", 8)) {
			n++;
			dc += strstr(line, " dc") != NULL;
		}
	}
	fclose(f);
	if (dontcopy)
		*dontcopy = dc;
	return n;
}

/* vm.max_map_count, or -1 when it cannot be read. */
static long max_map_count(void)
{
	char *s = read_line(MAX_MAP_COUNT);
	long v = s ? strtol(s, NULL, 10) : -1;

	free(s);
	return v > 0 ? v : -1;
}

struct vmaset {
	unsigned char *base;	/* 2N + 1 pages: odd pages mapped */
	size_t pages;
};

static void vmaset_free(struct vmaset *v)
{
	/* One call: the gaps inside the range are no error. */
	if (v->base)
		munmap(v->base, v->pages * 4096);
	v->base = NULL;
}

/* N mappings of one written page each, with a gap on both sides; 0, or -1
 * with a message in err. */
static int vmaset_make(struct vmaset *v, uint64_t n, char *err, size_t errlen)
{
	size_t i;

	v->pages = 2 * (size_t)n + 1;
	v->base = mmap(NULL, v->pages * 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (v->base == MAP_FAILED) {
		v->base = NULL;
		snprintf(err, errlen, "mmap of %zu pages failed: %s", v->pages, strerror(errno));
		return -1;
	}
	for (i = 1; i < v->pages; i += 2)
		v->base[i * 4096] = (unsigned char)(i | 1);
	for (i = 0; i < v->pages; i += 2)
		if (munmap(v->base + i * 4096, 4096)) {
			snprintf(err, errlen, "munmap of a gap failed after %zu mappings: %s "
				 "(vm.max_map_count?)", i / 2, strerror(errno));
			return -1;
		}
	return 0;
}

/* One fork whose child reports how many mappings it has; -1 on error. */
static long child_maps(void)
{
	int p[2], status;
	long n = -1;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		long m = count_maps(NULL);

		_exit(write(p[1], &m, sizeof(m)) == (ssize_t)sizeof(m) ? 0 : 1);
	}
	close(p[1]);
	if (pid > 0 && read(p[0], &n, sizeof(n)) != (ssize_t)sizeof(n))
		n = -1;
	if (pid > 0)
		reap(pid, &status, NULL);
	close(p[0]);
	return n;
}

/* One iteration: fork, the child exits, reap.  0, -1 error, 1 stopping. */
static int run_once(struct fb_cell *cell, struct fb_common *c)
{
	uint64_t t0, t1, t2;
	double ev[FB_MAX_EVENTS];
	int status = 0;
	pid_t pid;

	trace_begin();
	events_begin(&c->ev);
	t0 = now_ns();
	pid = fork();
	t1 = now_ns();
	if (pid == 0)
		_exit(0);
	if (pid < 0) {
		if (fb_stopping())
			return 1;
		fprintf(stderr, "forkbench vmas: fork failed: %s\n", strerror(errno));
		return -1;
	}
	if (reap(pid, &status, NULL) < 0 || !WIFEXITED(status)) {
		if (fb_stopping())
			return 1;
		fprintf(stderr, "forkbench vmas: the child failed (status 0x%x)\n", status);
		return -1;
	}
	t2 = now_ns();
	events_end(&c->ev, ev);
	if (!cell)
		return 0;
	cell_put(cell, "fork", FB_TIME, (double)(t1 - t0));
	cell_put(cell, "reap", FB_TIME, (double)(t2 - t0));
	cell_put(cell, "forks_per_s", FB_MEDIAN, t1 > t0 ? 1e9 / (double)(t1 - t0) : NAN);
	fb_put_events(c, cell, ev);
	trace_end(cell, 0);
	return 0;
}

struct counts {
	long own, total, dontcopy, child;
};

/* The mappings around the set: own before it, all and do-not-copy after,
 * and a child's.  0, or -1 with a message when the set is not N apart. */
static int vmaset_verify(uint64_t n, long own, struct counts *k, char *err, size_t errlen)
{
	k->own = own;
	k->total = count_maps(&k->dontcopy);
	k->child = child_maps();
	if (k->total < 0 || k->child < 0) {
		snprintf(err, errlen, "cannot count the mappings in /proc/self/maps");
		return -1;
	}
	if (k->total - own != (long)n) {
		snprintf(err, errlen, "--vmas %llu: /proc/self/maps has %ld mappings, expected %ld "
			 "(%ld of its own + %llu)", (unsigned long long)n, k->total,
			 own + (long)n, own, (unsigned long long)n);
		return -1;
	}
	return 0;
}

static void put_counts(struct fb_cell *cell, uint64_t n, const struct counts *k)
{
	cell_put(cell, "vmas", FB_MEDIAN, (double)n);
	cell_put(cell, "parent_vmas", FB_MEDIAN, (double)k->total);
	cell_put(cell, "own_vmas", FB_MEDIAN, (double)k->own);
	cell_put(cell, "pred_vmas_dup", FB_MEDIAN, (double)(k->total - k->dontcopy));
	cell_put(cell, "child_vmas", FB_MEDIAN, (double)k->child);
}

static int run_one(struct fb_common *c, uint64_t heap_bytes, uint64_t n)
{
	struct vmaset v = { NULL, 0 };
	struct fb_cell *cell = NULL;
	struct counts k;
	struct heap h;
	char err[FB_ERRLEN], method[48];
	long own;
	uint64_t i;
	int rc = -1;

	if (heap_create(&h, heap_bytes, c->thp, err, sizeof(err))) {
		fprintf(stderr, "forkbench vmas: %s\n", err);
		return -1;
	}
	own = count_maps(NULL);
	if (vmaset_make(&v, n, err, sizeof(err)) ||
	    vmaset_verify(n, own, &k, err, sizeof(err))) {
		fprintf(stderr, "forkbench vmas: %s\n", err);
		goto cleanup;
	}
	snprintf(method, sizeof(method), "vmas%llu", (unsigned long long)n);
	cell = cell_new(c->res, "vmas", method, fork_mode_name(c->fork_mode), heap_bytes,
			thp_names[c->thp], c->iterations);
	cell->thp_bytes = heap_thp_bytes(&h);
	rc = 0;
	for (i = 0; i < c->warmup + c->iterations && !rc && !fb_stopping(); i++) {
		rc = run_once(i < c->warmup ? NULL : cell, c);
		if (!rc && i >= c->warmup) {
			put_counts(cell, n, &k);
			cell_commit(cell);
		}
	}
cleanup:
	vmaset_free(&v);
	heap_destroy(&h);
	return rc < 0 ? -1 : 0;
}

static int vmas_run(struct fb_common *c)
{
	int hi, ni, rc = 0;

	for (hi = 0; hi < c->nheaps && !rc; hi++)
		for (ni = 0; ni < opt.nn && !rc && !fb_stopping(); ni++)
			rc = run_one(c, c->heaps[hi], opt.n[ni]);
	return rc;
}

static int add_n(const char *item, void *ctx)
{
	(void)ctx;
	return fb_add_u64("--vmas", item, 1, VMAS_MAX, "counts", opt.n, &opt.nn, MAX_NVMAS);
}

enum { OPT_VMAS = 0x500 };

static const struct argp_option vmas_options[] = {
	{ NULL, 0, NULL, 0, "vmas options:", 2 },
	{ "vmas", OPT_VMAS, "N[,N...]", 0,
	  "Mappings added to the parent, one written page each, unmergeable (1..vm.max_map_count "
	  "minus the process's own; default 100,1000,10000)", 2 },
	{ 0 }
};

static error_t vmas_parse(int key, char *arg, struct argp_state *state)
{
	(void)state;
	if (key != OPT_VMAS)
		return ARGP_ERR_UNKNOWN;
	opt.nn = 0;
	return fb_list_option("--vmas", arg, add_n, NULL);
}

static int vmas_check(struct fb_common *c, char *err, size_t errlen)
{
	(void)c;
	(void)err;
	(void)errlen;
	if (!opt.nn) {
		opt.n[0] = 100;
		opt.n[1] = 1000;
		opt.n[2] = 10000;
		opt.nn = 3;
	}
	return 0;
}

/* vm.max_map_count bounds N: the process's own mappings and some slack
 * (heap, stdio, the verifying child) must fit beside it. */
static int vmas_fits(struct fb_common *c, char *err, size_t errlen)
{
	long max = max_map_count(), own = count_maps(NULL);
	uint64_t need = 0;
	int i;

	for (i = 0; i < opt.nn; i++)
		if (max > 0 && own >= 0 && opt.n[i] + (uint64_t)own + VMAS_SLACK > (uint64_t)max) {
			snprintf(err, errlen, "--vmas %llu: with forkbench's own %ld mappings and %d "
				 "spare, above vm.max_map_count %ld (at most %ld here)",
				 (unsigned long long)opt.n[i], own, VMAS_SLACK, max,
				 max - own - VMAS_SLACK);
			return -1;
		}
	for (i = 0; i < c->nheaps; i++)
		if (c->heaps[i] > need)
			need = c->heaps[i];
	return heap_fits(need, "--heap", err, errlen);
}

static const struct argp vmas_argp = {
	vmas_options, vmas_parse, NULL,
	"forkbench vmas: fork latency vs the number of the parent's mappings (VMAs).\v"
	"The parent maps N one-page private anonymous mappings, each written once, separated "
	"by unmapped gaps so none can merge, and checks the count in /proc/self/maps. Times "
	"per iteration: fork (the call), reap (until the child, which exits at once, is "
	"reaped); forks_per_s; the parent's and a child's mappings next to the predicted "
	"VMAs duplicated (every mapping not marked do-not-copy). --heap adds one touched "
	"mapping of that size. N is limited by vm.max_map_count.\n\n"
	"Examples:\n"
	"  forkbench vmas\n"
	"  forkbench vmas --vmas 100,10000 -n 30\n"
	"  forkbench vmas --vmas 1000,65000 --heap 1G --format csv",
	NULL, NULL, NULL
};

static const struct fb_bench vmas_bench = {
	.name = "vmas",
	.order = 50,
	.summary = "fork latency vs the parent's number of mappings (VMAs)",
	.argp = &vmas_argp,
	.default_iterations = 20,
	.trace_heap_only = true,
	.check = vmas_check,
	.fits = vmas_fits,
	.run = vmas_run,
};
FB_BENCH(vmas_bench);
