/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The benchmark registry.  A benchmark is one file in bench/benchmarks/
 * with its descriptor and one registration row:
 *
 *   static const struct fb_bench my_bench = { .name = "my", ... };
 *   FB_BENCH(my_bench);
 *
 * FB_BENCH puts a pointer to the descriptor into the ELF section fb_benches;
 * the linker delimits it with __start_fb_benches and __stop_fb_benches (in
 * dynamic and static links alike), so no list anywhere names the
 * benchmarks.  The build compiles every bench/benchmarks/NAME.c into forkbench.
 */
#ifndef FORKLAB_REGISTRY_H
#define FORKLAB_REGISTRY_H

#include <stddef.h>

struct fb_bench;

#define FB_BENCH(desc)                                                          \
	static const struct fb_bench *const fb_bench_entry_##desc                \
		__attribute__((used, section("fb_benches"), aligned(sizeof(void *)))) = &(desc)

/* How many benchmarks there are, and the i-th of them (NULL past the
 * end) in list order: by the descriptor's order key (lowest first,
 * benchmarks without one last), then by name. */
size_t bench_count(void);
const struct fb_bench *bench_at(size_t i);
/* The benchmark called name, or NULL. */
const struct fb_bench *bench_find(const char *name);

#endif
