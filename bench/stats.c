// SPDX-License-Identifier: GPL-2.0
#include "stats.h"

#include <math.h>
#include <stdlib.h>

#define CI_ALPHA 0.05

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

/* P(B = k), B ~ Binomial(n, 1/2), through lgamma (no overflow for any n). */
static double binom_half_pmf(size_t n, size_t k)
{
	double dn = (double)n, dk = (double)k;

	return exp(lgamma(dn + 1) - lgamma(dk + 1) - lgamma(dn - dk + 1) - dn * M_LN2);
}

/*
 * Leaving out i values below and j above, [x_(i+1), x_(n-j)] misses the
 * median with probability F(i) + F(j), F the Binomial(n, 1/2) CDF.  The
 * candidates (i, j) = (0,0), (1,0), (1,1), (2,1), (2,2), ... miss it with
 * rising probability; the last one still at most 5 % is the interval.
 * Below k0 the CDF is under 1e-50 (8 standard deviations), so the walk
 * starts there: a few times sqrt(n) terms for any n.
 */
double stats_median_ci(size_t n, size_t *lo, size_t *hi)
{
	double half = (double)n / 2, k0d = floor(half - 8 * sqrt((double)n));
	size_t k = k0d > 0 ? (size_t)k0d : 0, bi = 0, bj = 0;
	double f_prev = 0, f = 0, best = NAN;

	*lo = *hi = 0;
	for (; (double)k < half; k++) {
		f_prev = f;
		f += binom_half_pmf(n, k);
		if (k > 0) {	/* (k, k - 1) */
			if (f + f_prev > CI_ALPHA || 2 * k + 1 > n)
				break;
			bi = k;
			bj = k - 1;
			best = f + f_prev;
		}
		if (2 * f > CI_ALPHA || 2 * k + 2 > n)	/* (k, k) */
			break;
		bi = bj = k;
		best = 2 * f;
	}
	if (isnan(best))
		return NAN;
	*lo = bi + 1;
	*hi = n - bj;
	return 1 - best;
}

void stats_compute(double *v, size_t n, struct stats *st)
{
	size_t i, m = 0, lo, hi;
	double sum = 0, ss = 0;

	for (i = 0; i < n; i++)
		if (isfinite(v[i]))
			v[m++] = v[i];
	n = m;
	st->n = n;
	st->ci95_lo = st->ci95_hi = st->ci_level = NAN;
	if (n == 0) {
		st->median = st->p10 = st->p90 = st->p99 = st->mean = st->stddev = NAN;
		st->min = st->max = NAN;
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
	st->ci_level = stats_median_ci(n, &lo, &hi);
	if (!isnan(st->ci_level)) {
		st->ci95_lo = v[lo - 1];
		st->ci95_hi = v[hi - 1];
	}
}
