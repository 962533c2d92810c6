// SPDX-License-Identifier: GPL-2.0
/* The benchmark registry: the descriptors FB_BENCH put into the section
 * fb_benches, in list order (registry.h). */
#include "registry.h"
#include "forkbench.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The section holds the pointers FB_BENCH put there, seen here as entries
 * (a struct of one pointer has its layout).  The linker defines its start
 * and end (weak: with no benchmark linked in, both are 0); they are
 * compared as addresses, being two different objects. */
struct entry {
	const struct fb_bench *b;
};
extern const struct entry __start_fb_benches[] __attribute__((weak));
extern const struct entry __stop_fb_benches[] __attribute__((weak));

/* The list, sorted on first use. */
static struct entry *sorted;
static size_t nsorted;

/* order 0 (none given) sorts after every order given. */
static int by_order(const void *a, const void *b)
{
	const struct fb_bench *x = ((const struct entry *)a)->b;
	const struct fb_bench *y = ((const struct entry *)b)->b;
	unsigned int ox = x->order ? x->order : UINT_MAX;
	unsigned int oy = y->order ? y->order : UINT_MAX;

	if (ox != oy)
		return ox < oy ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Two benchmarks of one name would make one of them unreachable. */
static void check_names(void)
{
	size_t i, j;

	for (i = 0; i < nsorted; i++)
		for (j = i + 1; j < nsorted; j++)
			if (!strcmp(sorted[i].b->name, sorted[j].b->name)) {
				fprintf(stderr, "forkbench: two benchmarks are named '%s'\n",
					sorted[i].b->name);
				exit(FB_EXIT_ERROR);
			}
}

static void sort_once(void)
{
	size_t count = ((uintptr_t)__stop_fb_benches - (uintptr_t)__start_fb_benches) /
		       sizeof(struct entry);

	if (sorted)
		return;
	sorted = calloc(count ? count : 1, sizeof(struct entry));
	if (!sorted) {
		fprintf(stderr, "forkbench: out of memory\n");
		exit(FB_EXIT_ERROR);
	}
	memcpy(sorted, __start_fb_benches, count * sizeof(struct entry));
	nsorted = count;
	qsort(sorted, nsorted, sizeof(struct entry), by_order);
	check_names();
}

size_t bench_count(void)
{
	sort_once();
	return nsorted;
}

const struct fb_bench *bench_at(size_t i)
{
	sort_once();
	return i < nsorted ? sorted[i].b : NULL;
}

const struct fb_bench *bench_find(const char *name)
{
	size_t i;

	for (i = 0; i < bench_count(); i++)
		if (!strcmp(bench_at(i)->name, name))
			return bench_at(i);
	return NULL;
}
