// SPDX-License-Identifier: GPL-2.0
/* The prediction rules against cases worked out by hand. */
#include "predict.h"
#include "unit.h"

#include <stdlib.h>

static const uint32_t p0[] = { 0 };

#define TOTAL(p, field) ({ uint64_t t_ = 0; for (int i_ = 0; i_ < (p)->nprocs; i_++) t_ += (p)->c[i_].field; t_; })

int main(void)
{
	struct predictor p;
	uint32_t all[8];
	uint32_t *pages;
	size_t n, i;
	int a, b, c, d;

	for (i = 0; i < 8; i++)
		all[i] = (uint32_t)i;

	/* Seed nested case: A forks B; B forks C and D; one shared page written
	 * by D, C, B, A: D copies (4 sharers), C copies (3), B copies (2), A is
	 * the last sharer and reuses.  3 copies, 1 reuse. */
	pred_init(&p, FORK_MODE_COW, 1);
	a = 0;
	b = pred_fork(&p, a);
	c = pred_fork(&p, b);
	d = pred_fork(&p, b);
	pred_write(&p, d, p0, 1);
	pred_write(&p, c, p0, 1);
	pred_write(&p, b, p0, 1);
	pred_write(&p, a, p0, 1);
	CHECK("seed: 3 copies", TOTAL(&p, cow_copies) == 3);
	CHECK("seed: 1 reuse", TOTAL(&p, cow_reuses) == 1);
	CHECK("seed: A reuses", p.c[a].cow_reuses == 1 && p.c[a].cow_copies == 0);
	CHECK("seed: D, C, B copy", p.c[d].cow_copies == 1 && p.c[c].cow_copies == 1 &&
	      p.c[b].cow_copies == 1);
	CHECK("seed: 4 faults", TOTAL(&p, wp_faults) == 4);
	/* Writing again takes no fault. */
	pred_write(&p, a, p0, 1);
	CHECK("seed: second write no fault", TOTAL(&p, wp_faults) == 4);
	pred_free(&p);

	/* Same family in eager mode: 3 forks x 1 page copied at fork, no faults. */
	pred_init(&p, FORK_MODE_EAGER, 1);
	b = pred_fork(&p, 0);
	c = pred_fork(&p, b);
	d = pred_fork(&p, b);
	pred_write(&p, d, p0, 1);
	pred_write(&p, c, p0, 1);
	pred_write(&p, b, p0, 1);
	pred_write(&p, 0, p0, 1);
	CHECK("eager seed: 0 faults", TOTAL(&p, wp_faults) == 0);
	CHECK("eager seed: 3 eager copies", TOTAL(&p, eager_copies) == 3);
	CHECK("eager seed: B copied twice", p.c[b].eager_copies == 2);
	pred_free(&p);

	/* parent-writes: 8 pages, child alive, parent writes all: 8 faults, 8
	 * copies; then the child writes all: 8 faults, 8 reuses. */
	pred_init(&p, FORK_MODE_COW, 8);
	b = pred_fork(&p, 0);
	pred_write(&p, 0, all, 8);
	CHECK("parent-writes: parent 8 faults", p.c[0].wp_faults == 8);
	CHECK("parent-writes: parent 8 copies", p.c[0].cow_copies == 8);
	pred_write(&p, b, all, 8);
	CHECK("parent-writes: child reuses 8", p.c[b].cow_reuses == 8 && p.c[b].cow_copies == 0);
	pred_free(&p);

	/* last-sharer-reuses: child exits without writing; parent writes 8:
	 * 8 faults, all reuses. */
	pred_init(&p, FORK_MODE_COW, 8);
	b = pred_fork(&p, 0);
	pred_exit(&p, b);
	pred_write(&p, 0, all, 8);
	CHECK("last sharer: 8 faults", p.c[0].wp_faults == 8);
	CHECK("last sharer: 8 reuses, 0 copies", p.c[0].cow_reuses == 8 && p.c[0].cow_copies == 0);
	pred_free(&p);

	/* heap: child writes half (4), exits; parent writes all 8: the 4 the
	 * child copied are the parent's alone (reuse), the other 4 too
	 * (child gone): 8 faults, 8 reuses. */
	pred_init(&p, FORK_MODE_COW, 8);
	b = pred_fork(&p, 0);
	pred_write(&p, b, all, 4);
	pred_exit(&p, b);
	pred_write(&p, 0, all, 8);
	CHECK("heap after-exit: child 4 copies", p.c[b].cow_copies == 4);
	CHECK("heap after-exit: parent 8 reuses", p.c[0].cow_reuses == 8 && p.c[0].wp_faults == 8);
	pred_free(&p);

	/* heap before-exit: child writes 4 (copies), parent writes all 8 while
	 * the child lives: pages 0-3 are the parent's alone (reuse), 4-7 still
	 * shared (copy). */
	pred_init(&p, FORK_MODE_COW, 8);
	b = pred_fork(&p, 0);
	pred_write(&p, b, all, 4);
	pred_write(&p, 0, all, 8);
	CHECK("heap before-exit: parent 4 reuses + 4 copies",
	      p.c[0].cow_reuses == 4 && p.c[0].cow_copies == 4);
	pred_free(&p);

	/* A private copy forked again: B copies page 0, then forks C; A's frame
	 * is A's alone (A reuses), B and C share B's copy (B copies, C reuses). */
	pred_init(&p, FORK_MODE_COW, 1);
	b = pred_fork(&p, 0);
	pred_write(&p, b, p0, 1);
	c = pred_fork(&p, b);
	pred_write(&p, 0, p0, 1);
	pred_write(&p, b, p0, 1);
	pred_write(&p, c, p0, 1);
	CHECK("refork: A reuses", p.c[0].cow_reuses == 1 && p.c[0].cow_copies == 0);
	CHECK("refork: B copies twice", p.c[b].cow_copies == 2);
	CHECK("refork: C reuses", p.c[c].cow_reuses == 1);
	pred_free(&p);

	/* stack mode: heap as cow. */
	pred_init(&p, FORK_MODE_STACK, 8);
	b = pred_fork(&p, 0);
	pred_write(&p, b, all, 8);
	CHECK("stack mode heap as cow: 8 copies", p.c[b].cow_copies == 8);
	pred_free(&p);

	/* Half the heap touched (pages 0-3 of 8): the child writes all 8: 4
	 * COW copies and 4 fresh pages; the parent then writes all 8 after
	 * the child exits: 4 reuses and 4 fresh pages. */
	pred_init_present(&p, FORK_MODE_COW, 8, all, 4);
	b = pred_fork(&p, 0);
	pred_write(&p, b, all, 8);
	CHECK("touch half: child 4 copies + 4 new", p.c[b].cow_copies == 4 && p.c[b].new_faults == 4 &&
	      p.c[b].wp_faults == 4);
	pred_exit(&p, b);
	pred_write(&p, 0, all, 8);
	CHECK("touch half: parent 4 reuses + 4 new", p.c[0].cow_reuses == 4 && p.c[0].new_faults == 4);
	pred_free(&p);

	/* Eager copies only present pages. */
	pred_init_present(&p, FORK_MODE_EAGER, 8, all, 3);
	(void)pred_fork(&p, 0);
	CHECK("eager copies the 3 present pages", p.c[0].eager_copies == 3);
	pred_free(&p);

	/* Patterns: counts and distinctness. */
	pages = pattern_pages(PAT_SEQUENTIAL, 0.25, 100, 0, &n);
	CHECK("pattern sequential 25 of 100", n == 25 && pages[0] == 0 && pages[24] == 24);
	free(pages);
	pages = pattern_pages(PAT_STRIDE, 0.25, 100, 0, &n);
	CHECK("pattern stride every 4th", n == 25 && pages[1] == 4 && pages[24] == 96);
	free(pages);
	pages = pattern_pages(PAT_RANDOM, 0.5, 64, 42, &n);
	{
		int seen[64] = { 0 }, dup = 0;

		for (i = 0; i < n; i++)
			dup |= seen[pages[i]]++;
		CHECK("pattern random 32 distinct of 64", n == 32 && !dup);
	}
	free(pages);
	pages = pattern_pages(PAT_RANDOM, 1.0, 64, 7, &n);
	{
		int seen[64] = { 0 }, dup = 0;

		for (i = 0; i < n; i++)
			dup |= seen[pages[i]]++;
		CHECK("pattern random fraction 1 covers all", n == 64 && !dup);
	}
	free(pages);
	return unit_failed;
}
