// SPDX-License-Identifier: GPL-2.0
/*
 * The median CI of bench/stats.c, by simulation: 10,000 samples of size n
 * in {6, 11, 30, 100} from three distributions with a known median
 * (exponential, uniform, lognormal) through stats_compute; the share of
 * intervals holding the true median must be within 93..97 % and within
 * four standard errors of the coverage stats_compute reports (ci_level).
 * Below n = 6 every CI field is n/a.  The generator is seeded
 * (splitmix64), so the run is the same every time.
 */
#include "stats.h"
#include "unit.h"

#include <stdint.h>

#define TRIALS 10000

static uint64_t rng_state = 0x666f726b6c6162ULL;	/* "forklab" */

static uint64_t splitmix64(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform on (0, 1): 53 random bits, never 0. */
static double uniform(void)
{
	return ((double)(splitmix64() >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(void)
{
	return sqrt(-2 * log(uniform())) * cos(2 * M_PI * uniform());
}

struct dist {
	const char *name;
	double median;
	double (*draw)(void);
};

static double draw_exp(void) { return -log(uniform()); }	/* rate 1 */
static double draw_unif(void) { return uniform(); }
static double draw_lognorm(void) { return exp(normal()); }	/* mu 0, sigma 1 */

static const struct dist dists[] = {
	{ "exponential(1)", M_LN2, draw_exp },
	{ "uniform(0,1)", 0.5, draw_unif },
	{ "lognormal(0,1)", 1.0, draw_lognorm },
};

static void coverage(size_t n, const struct dist *d)
{
	double v[100], level = NAN, cov, se;
	struct stats st;
	size_t t, i, hit = 0;
	char name[160];

	for (t = 0; t < TRIALS; t++) {
		for (i = 0; i < n; i++)
			v[i] = d->draw();
		stats_compute(v, n, &st);
		level = st.ci_level;
		if (st.ci95_lo <= d->median && d->median <= st.ci95_hi)
			hit++;
	}
	cov = (double)hit / TRIALS;
	se = sqrt(level * (1 - level) / TRIALS);
	snprintf(name, sizeof(name),
		 "median CI coverage, n=%zu, %s: %.2f %% of %d (reported level %.2f %%) within 93..97 %%",
		 n, d->name, 100 * cov, TRIALS, 100 * level);
	CHECK(name, cov >= 0.93 && cov <= 0.97);
	snprintf(name, sizeof(name), "median CI coverage, n=%zu, %s: within 4 SE (%.2f %%) of the reported level",
		 n, d->name, 100 * se);
	CHECK(name, fabs(cov - level) <= 4 * se);
}

int main(void)
{
	static const size_t ns[] = { 6, 11, 30, 100 };
	struct stats st;
	double v[5];
	size_t i, k, n;

	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
		for (k = 0; k < sizeof(dists) / sizeof(dists[0]); k++)
			coverage(ns[i], &dists[k]);
	/* n = 1..5: n/a, not [min, max] called 95 %. */
	for (n = 1; n <= 5; n++) {
		char name[96];

		for (i = 0; i < n; i++)
			v[i] = draw_exp();
		stats_compute(v, n, &st);
		snprintf(name, sizeof(name), "median CI n=%zu: n/a (lo, hi and level empty)", n);
		CHECK(name, isnan(st.ci95_lo) && isnan(st.ci95_hi) && isnan(st.ci_level) &&
			    !isnan(st.median));
	}
	return unit_failed;
}
