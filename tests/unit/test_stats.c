// SPDX-License-Identifier: GPL-2.0
/* Statistics against values worked out by hand (type-7 quantiles). */
#include "stats.h"
#include "unit.h"

int main(void)
{
	struct stats st;
	size_t j, k;

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
	/* n = 10: 0.98*sqrt(10) = 3.099; j = floor(5 - 3.099) = 1,
	 * k = ceil(6 + 3.099) = 10 -> [x1, x10] = [1, 10]. */
	CHECK_NUM("stats ci95 lo n=10", 1, st.ci95_lo);
	CHECK_NUM("stats ci95 hi n=10", 10, st.ci95_hi);

	/* n = 100: 0.98*10 = 9.8; j = floor(50 - 9.8) = 40, k = ceil(51 + 9.8) = 61. */
	stats_median_ci_ranks(100, &j, &k);
	CHECK("stats ci ranks n=100 j=40", j == 40);
	CHECK("stats ci ranks n=100 k=61", k == 61);
	/* n = 1: both ranks clamp to 1. */
	stats_median_ci_ranks(1, &j, &k);
	CHECK("stats ci ranks n=1", j == 1 && k == 1);

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
	CHECK("stats empty median NaN", isnan(st.median) && isnan(st.ci95_hi));

	/* 100 values 1..100 reversed: median 50.5, p90 = 1 + 99*0.9 = 90.1,
	 * CI = [x40, x61] = [40, 61]. */
	double d[100];
	int i;

	for (i = 0; i < 100; i++)
		d[i] = 100 - i;
	stats_compute(d, 100, &st);
	CHECK_NUM("stats n=100 median", 50.5, st.median);
	CHECK_NUM("stats n=100 p90", 90.1, st.p90);
	CHECK_NUM("stats n=100 ci lo", 40, st.ci95_lo);
	CHECK_NUM("stats n=100 ci hi", 61, st.ci95_hi);
	return unit_failed;
}
