// SPDX-License-Identifier: GPL-2.0
#include "stats.h"

#include <math.h>
#include <stdlib.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double stats_quantile(const double *sorted, size_t n, double q)
{
	double h, lo;
	size_t i;

	if (n == 0)
		return NAN;
	h = (double)(n - 1) * q;
	lo = floor(h);
	i = (size_t)lo;
	if (i + 1 >= n)
		return sorted[n - 1];
	return sorted[i] + (h - lo) * (sorted[i + 1] - sorted[i]);
}

void stats_median_ci_ranks(size_t n, size_t *j, size_t *k)
{
	double half = 0.98 * sqrt((double)n); /* 1.96 * sqrt(n) / 2 */
	double lo = floor((double)n / 2 - half);
	double hi = ceil((double)n / 2 + 1 + half);

	*j = lo < 1 ? 1 : (size_t)lo;
	*k = hi > (double)n ? n : (size_t)hi;
}

void stats_compute(double *v, size_t n, struct stats *st)
{
	size_t i, m = 0, j, k;
	double sum = 0, ss = 0;

	for (i = 0; i < n; i++)
		if (isfinite(v[i]))
			v[m++] = v[i];
	n = m;
	st->n = n;
	if (n == 0) {
		st->median = st->p10 = st->p90 = st->p99 = st->mean = st->stddev = NAN;
		st->min = st->max = st->ci95_lo = st->ci95_hi = NAN;
		return;
	}
	qsort(v, n, sizeof(*v), cmp_double);
	for (i = 0; i < n; i++)
		sum += v[i];
	st->mean = sum / (double)n;
	for (i = 0; i < n; i++)
		ss += (v[i] - st->mean) * (v[i] - st->mean);
	st->stddev = n > 1 ? sqrt(ss / (double)(n - 1)) : 0;
	st->min = v[0];
	st->max = v[n - 1];
	st->median = stats_quantile(v, n, 0.5);
	st->p10 = stats_quantile(v, n, 0.10);
	st->p90 = stats_quantile(v, n, 0.90);
	st->p99 = stats_quantile(v, n, 0.99);
	stats_median_ci_ranks(n, &j, &k);
	st->ci95_lo = v[j - 1];
	st->ci95_hi = v[k - 1];
}
