// SPDX-License-Identifier: GPL-2.0
/* The benchmark registry: the descriptors FB_BENCH put into the section
 * fb_benches, in list order (registry.h). */
#include "registry.h"
#include "forkbench.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Delimit the section; defined by the linker. */
extern const struct fb_bench *const __start_fb_benches[];
extern const struct fb_bench *const __stop_fb_benches[];

static const struct fb_bench **sorted;
static size_t nsorted;

/* order 0 (none given) sorts after every order given. */
static int by_order(const void *a, const void *b)
{
	const struct fb_bench *x = *(const struct fb_bench *const *)a;
	const struct fb_bench *y = *(const struct fb_bench *const *)b;
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
			if (!strcmp(sorted[i]->name, sorted[j]->name)) {
				fprintf(stderr, "forkbench: two benchmarks are named '%s'\n",
					sorted[i]->name);
				exit(FB_EXIT_ERROR);
			}
}

const struct fb_bench *const *bench_list(size_t *n)
{
	size_t count = (size_t)(__stop_fb_benches - __start_fb_benches);

	if (!sorted) {
		sorted = calloc(count ? count : 1, sizeof(*sorted));
		if (!sorted) {
			fprintf(stderr, "forkbench: out of memory\n");
			exit(FB_EXIT_ERROR);
		}
		memcpy(sorted, __start_fb_benches, count * sizeof(*sorted));
		nsorted = count;
		qsort(sorted, nsorted, sizeof(*sorted), by_order);
		check_names();
	}
	*n = nsorted;
	return sorted;
}

const struct fb_bench *bench_find(const char *name)
{
	const struct fb_bench *const *list;
	size_t n, i;

	list = bench_list(&n);
	for (i = 0; i < n; i++)
		if (!strcmp(list[i]->name, name))
			return list[i];
	return NULL;
}
