// SPDX-License-Identifier: GPL-2.0
#include "predict.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const pattern_names[] = { "sequential", "stride", "random", NULL };

static uint32_t new_frame(struct predictor *p)
{
	if (p->nframes == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 1024;
		uint32_t *r = realloc(p->refs, cap * sizeof(*r));

		if (!r)
			return 0;
		p->refs = r;
		p->cap = cap;
	}
	p->refs[p->nframes] = 1;
	return (uint32_t)p->nframes++;
}

/* Room for one more process in the per-process arrays. */
static int grow(struct predictor *p, int procs)
{
	size_t n = (size_t)procs * (p->pages ? p->pages : 1);
	uint32_t *f = realloc(p->frame, n * sizeof(*f));
	uint8_t *w;

	if (!f)
		return -1;
	p->frame = f;
	w = realloc(p->writable, n);
	if (!w)
		return -1;
	p->writable = w;
	memset(p->frame + (size_t)(procs - 1) * p->pages, 0, p->pages * sizeof(*f));
	memset(p->writable + (size_t)(procs - 1) * p->pages, 0, p->pages);
	return 0;
}

int pred_init(struct predictor *p, enum fork_mode mode, size_t pages)
{
	return pred_init_present(p, mode, pages, NULL, pages);
}

int pred_init_present(struct predictor *p, enum fork_mode mode, size_t pages,
		      const uint32_t *present, size_t n)
{
	size_t i, pg;

	memset(p, 0, sizeof(*p));
	p->mode = mode;
	p->pages = pages;
	p->nframes = 1;		/* frame 0 means "not mapped" */
	p->cap = 1024;
	p->refs = calloc(p->cap, sizeof(*p->refs));
	if (!p->refs || grow(p, 1)) {
		pred_free(p);
		return -1;
	}
	p->nprocs = 1;
	for (i = 0; i < n; i++) {
		pg = present ? present[i] : i;
		if (pg >= pages || p->frame[pg])
			continue;
		p->frame[pg] = new_frame(p);
		if (!p->frame[pg]) {
			pred_free(p);
			return -1;
		}
		p->writable[pg] = 1;
	}
	return 0;
}

int pred_fork(struct predictor *p, int parent)
{
	size_t i, pi, ci;
	int child;

	if (p->nprocs == PRED_MAX_PROCS || grow(p, p->nprocs + 1))
		return -1;
	child = p->nprocs++;
	for (i = 0; i < p->pages; i++) {
		pi = (size_t)parent * p->pages + i;
		ci = (size_t)child * p->pages + i;
		if (!p->frame[pi])
			continue;
		if (p->mode == FORK_MODE_EAGER) {
			/* The child gets its own copy; the parent's PTE is
			 * left as it was. */
			p->frame[ci] = new_frame(p);
			if (!p->frame[ci])
				return -1;
			p->writable[ci] = 1;
			p->c[parent].eager_copies++;
			continue;
		}
		/* cow and stack: both map the frame, both write-protected. */
		p->frame[ci] = p->frame[pi];
		p->refs[p->frame[pi]]++;
		p->writable[pi] = 0;
		p->writable[ci] = 0;
	}
	return child;
}

void pred_write(struct predictor *p, int proc, const uint32_t *pages, size_t n)
{
	size_t k, idx;
	uint32_t f;

	for (k = 0; k < n; k++) {
		if (pages[k] >= p->pages)
			continue;
		idx = (size_t)proc * p->pages + pages[k];
		f = p->frame[idx];
		if (!f) {
			/* Never touched: a fresh zeroed page, not a COW fault. */
			p->frame[idx] = new_frame(p);
			p->writable[idx] = 1;
			p->c[proc].new_faults++;
			continue;
		}
		if (p->writable[idx])
			continue;	/* writable: no fault */
		p->c[proc].wp_faults++;
		if (p->refs[f] > 1) {
			p->refs[f]--;
			f = new_frame(p);
			if (!f)
				continue;
			p->frame[idx] = f;
			p->c[proc].cow_copies++;
		} else {
			p->c[proc].cow_reuses++;
		}
		p->writable[idx] = 1;
	}
}

void pred_exit(struct predictor *p, int proc)
{
	size_t i, idx;

	for (i = 0; i < p->pages; i++) {
		idx = (size_t)proc * p->pages + i;
		if (p->frame[idx])
			p->refs[p->frame[idx]]--;
		p->frame[idx] = 0;
	}
}

void pred_free(struct predictor *p)
{
	free(p->frame);
	free(p->writable);
	free(p->refs);
	p->frame = NULL;
	p->writable = NULL;
	p->refs = NULL;
}

/* xorshift64*: small, repeatable, good enough to pick pages. */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

uint32_t *pattern_pages(enum pattern pat, double fraction, size_t npages, uint64_t seed,
			size_t *count)
{
	size_t n = (size_t)llround(fraction * (double)npages), i;
	uint32_t *out = malloc((n ? n : 1) * sizeof(*out));
	uint64_t s = seed ? seed : 0x9e3779b97f4a7c15ULL;

	*count = 0;
	if (!out)
		return NULL;
	switch (pat) {
	case PAT_SEQUENTIAL:
		for (i = 0; i < n; i++)
			out[i] = (uint32_t)i;
		break;
	case PAT_STRIDE:
		/* n pages spread evenly: page floor(i * npages / n). */
		for (i = 0; i < n; i++)
			out[i] = (uint32_t)((unsigned __int128)i * npages / n);
		break;
	case PAT_RANDOM: {
		/* Partial Fisher-Yates over all pages: n distinct pages. */
		uint32_t *all = malloc((npages ? npages : 1) * sizeof(*all));

		if (!all) {
			free(out);
			return NULL;
		}
		for (i = 0; i < npages; i++)
			all[i] = (uint32_t)i;
		for (i = 0; i < n && i < npages; i++) {
			size_t j = i + (size_t)(next_rand(&s) % (npages - i));
			uint32_t t = all[i];

			all[i] = all[j];
			all[j] = t;
			out[i] = all[i];
		}
		free(all);
		break;
	}
	}
	*count = n;
	return out;
}
