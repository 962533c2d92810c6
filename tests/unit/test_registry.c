// SPDX-License-Identifier: GPL-2.0
/* bench/registry.c: benchmarks registered with FB_BENCH, listed by their
 * order key (none given: after the rest), then by name; found by name. */
#include "forkbench.h"
#include "unit.h"

static const struct fb_bench b20 = { .name = "b", .order = 20 };
static const struct fb_bench z10 = { .name = "z", .order = 10 };
static const struct fb_bench a0 = { .name = "a" };
static const struct fb_bench c0 = { .name = "c" };
static const struct fb_bench y10 = { .name = "y", .order = 10 };
FB_BENCH(b20);
FB_BENCH(z10);
FB_BENCH(a0);
FB_BENCH(c0);
FB_BENCH(y10);

int main(void)
{
	char list[64] = "";
	size_t i;

	CHECK("five registered", bench_count() == 5);
	for (i = 0; i < bench_count(); i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? " " : "",
			 bench_at(i)->name);
	CHECK_STR("list order: order key, then name, no key last", "y z b a c", list);
	CHECK("past the end: NULL", bench_at(5) == NULL);
	CHECK("find by name", bench_find("b") == &b20 && bench_find("c") == &c0);
	CHECK("unknown name: NULL", bench_find("nosuch") == NULL && bench_find("") == NULL);
	return unit_failed;
}
