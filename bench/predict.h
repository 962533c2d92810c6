/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kernel should do, page by page, for a family of processes that
 * share private anonymous 4 KiB pages (no swap, no KSM):
 *
 *   cow    a write to a page still shared by k > 1 processes copies it (k-1
 *          sharers remain); a write by the last sharer reuses it; a write to
 *          a page the process already copied or reused takes no fault.
 *   stack  as cow for the heap (only the page(s) at the stack pointer differ).
 *   eager  fork copies every present private anonymous page into the child;
 *          no write-protect fault follows on them.
 *
 * The simulation is exact for the events it is given; benchmarks replay the
 * same events they perform (forks, writes of a page set, exits).
 */
#ifndef FORKLAB_PREDICT_H
#define FORKLAB_PREDICT_H

#include <stddef.h>
#include <stdint.h>

#include "fork_mode.h"	/* enum fork_mode */


#define PRED_MAX_PROCS 64

struct pred_counts {
	uint64_t wp_faults;	/* write-protect faults on the shared pages */
	uint64_t cow_copies;	/* ... that copied */
	uint64_t cow_reuses;	/* ... that reused */
	uint64_t eager_copies;	/* pages copied by this process's forks */
	uint64_t new_faults;	/* first writes to pages nobody had: not COW */
};

/* Frames are tracked exactly: which frame each process maps at each page,
 * whether its PTE is writable, and how many processes map each frame. */
struct predictor {
	enum fork_mode mode;
	size_t pages;
	int nprocs;
	uint32_t *frame;	/* [proc * pages + page]; 0: not mapped */
	uint8_t *writable;	/* [proc * pages + page] */
	uint32_t *refs;		/* per frame id: processes mapping it */
	size_t nframes, cap;
	struct pred_counts c[PRED_MAX_PROCS];
};

/* Process 0 owns pages private (written, present) pages. */
int pred_init(struct predictor *p, enum fork_mode mode, size_t pages);
/* Same, but of the pages only present[0..n) are present (touched). */
int pred_init_present(struct predictor *p, enum fork_mode mode, size_t pages,
		      const uint32_t *present, size_t n);
/* parent forks: returns the child's index, or -1 (too many processes or out
 * of memory). */
int pred_fork(struct predictor *p, int parent);
/* proc writes the given pages, in order. */
void pred_write(struct predictor *p, int proc, const uint32_t *pages, size_t n);
/* proc exits: its mappings go away. */
void pred_exit(struct predictor *p, int proc);
void pred_free(struct predictor *p);

/* Page sets written by benchmarks (shared with the predictor, so both see
 * the same pages).  count = round(fraction * npages). */
enum pattern { PAT_SEQUENTIAL, PAT_STRIDE, PAT_RANDOM };
extern const char *const pattern_names[]; /* "sequential", "stride", "random", NULL */
/* Malloc'd array of *count page indices; seed makes PAT_RANDOM repeatable. */
uint32_t *pattern_pages(enum pattern pat, double fraction, size_t npages, uint64_t seed,
			size_t *count);

#endif
