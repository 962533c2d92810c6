// SPDX-License-Identifier: GPL-2.0
/* Statistics against values worked out by hand (type-7 quantiles, the
 * median CI's binomial ranks and coverage). */
#include "stats.h"
#include "unit.h"

int main(void)
{
	struct stats st;
	size_t j, k;
	double lvl;

	/* 1..10, shuffled.  median = 5.5; p90: h = 9*0.9 = 8.1 -> 9 + 0.1 = 9.1;
	 * p99: h = 8.91 -> 9.91; p10: h = 0.9 -> 1.9; mean 5.5;
	 * sample variance = 82.5/9 = 9.1666..., stddev = 3.0276503540974917. */
	double a[] = { 7, 3, 10, 1, 5, 9, 2, 8, 4, 6 };

	stats_compute(a, 10, &st);
	CHECK("stats n", st.n == 10);
	CHECK_NUM("stats median even n", 5.5, st.median);
	CHECK_NUM("stats p90", 9.1, st.p90);
	CHECK_NUM("stats p99", 9.91, st.p99);
	CHECK_NUM("stats p10", 1.9, st.p10);
	CHECK_NUM("stats mean", 5.5, st.mean);
	CHECK_NUM("stats stddev (n-1)", 3.0276503540974917, st.stddev);
	CHECK_NUM("stats min", 1, st.min);
	CHECK_NUM("stats max", 10, st.max);
	/* n = 10: F(1) = 11/1024, F(2) = 56/1024 (Binomial(10, 1/2)); leaving
	 * one value out on each side misses the median with 22/1024, one more
	 * below with 67/1024 > 5 % -> [x2, x9], coverage 1002/1024. */
	CHECK_NUM("stats ci95 lo n=10", 2, st.ci95_lo);
	CHECK_NUM("stats ci95 hi n=10", 9, st.ci95_hi);
	CHECK_NUM("stats ci level n=10", 1002.0 / 1024, st.ci_level);

	/* Ranks and coverage against sums of binomial coefficients (Python's
	 * math.comb, exact): n = 6 can only give [min, max]; n = 11 and
	 * n = 100 leave one value more out below than above. */
	lvl = stats_median_ci(6, &j, &k);
	CHECK("stats ci ranks n=6 [1, 6]", j == 1 && k == 6);
	CHECK_NUM("stats ci level n=6", 62.0 / 64, lvl);
	lvl = stats_median_ci(11, &j, &k);
	CHECK("stats ci ranks n=11 [3, 10]", j == 3 && k == 10);
	CHECK_NUM("stats ci level n=11", 1969.0 / 2048, lvl);
	lvl = stats_median_ci(100, &j, &k);
	CHECK("stats ci ranks n=100 [41, 61]", j == 41 && k == 61);
	CHECK_NUM("stats ci level n=100", 0.9539559330706572, lvl);
	lvl = stats_median_ci(1000, &j, &k);
	CHECK("stats ci ranks n=1000 [470, 532]", j == 470 && k == 532);
	CHECK_NUM("stats ci level n=1000", 0.9500154764972458, lvl);
	/* forkbench's largest -n: a level just above 95 %, ranks about
	 * n/2 -+ 0.98 sqrt(n). */
	lvl = stats_median_ci(10000000, &j, &k);
	CHECK("stats ci n=1e7 level in [0.95, 0.9502]", lvl >= 0.95 && lvl < 0.9502);
	CHECK("stats ci n=1e7 ranks near n/2 -+ 3099",
	      j > 5000000 - 3110 && j < 5000000 - 3090 && k > 5000000 + 3090 && k < 5000000 + 3110);
	/* Below 6 no interval reaches 95 %: n/a, never [min, max] as 95 %. */
	for (size_t m = 0; m < 6; m++) {
		char name[64];

		lvl = stats_median_ci(m, &j, &k);
		snprintf(name, sizeof(name), "stats ci n=%zu: n/a (ranks 0, level NaN)", m);
		CHECK(name, isnan(lvl) && j == 0 && k == 0);
	}

	/* Odd n, with NaN (missing) values dropped: {4, 1, 3} -> median 3. */
	double b[] = { 4, NAN, 1, 3, NAN };

	stats_compute(b, 5, &st);
	CHECK("stats NaN dropped", st.n == 3);
	CHECK_NUM("stats median odd n", 3, st.median);
	CHECK_NUM("stats stddev odd n", 1.5275252316519468, st.stddev);

	/* One value: stddev 0, every quantile the value. */
	double c[] = { 42 };

	stats_compute(c, 1, &st);
	CHECK_NUM("stats single median", 42, st.median);
	CHECK_NUM("stats single p99", 42, st.p99);
	CHECK_NUM("stats single stddev", 0, st.stddev);

	/* Empty: all NaN, never 0. */
	stats_compute(c, 0, &st);
	CHECK("stats empty n", st.n == 0);
	CHECK("stats empty median NaN", isnan(st.median) && isnan(st.ci95_hi) && isnan(st.ci_level));

	/* 100 values 1..100 reversed: median 50.5, p90 = 1 + 99*0.9 = 90.1,
	 * CI = [x41, x61] = [41, 61]. */
	double d[100];
	int i;

	for (i = 0; i < 100; i++)
		d[i] = 100 - i;
	stats_compute(d, 100, &st);
	CHECK_NUM("stats n=100 median", 50.5, st.median);
	CHECK_NUM("stats n=100 p90", 90.1, st.p90);
	CHECK_NUM("stats n=100 ci lo", 41, st.ci95_lo);
	CHECK_NUM("stats n=100 ci hi", 61, st.ci95_hi);

	/* n = 5 (nested's old default): no 95 % CI, the fields say so. */
	double e[] = { 5, 1, 4, 2, 3 };

	stats_compute(e, 5, &st);
	CHECK("stats n=5: CI n/a", isnan(st.ci95_lo) && isnan(st.ci95_hi) && isnan(st.ci_level));
	CHECK_NUM("stats n=5: median still there", 3, st.median);
	return unit_failed;
}
