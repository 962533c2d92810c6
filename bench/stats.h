/* SPDX-License-Identifier: GPL-2.0 */
/* Distribution summaries.  One implementation, used by forkbench and by
 * `forkbench summarize` (which analysis/ calls), so every number in a report
 * comes from the same code. */
#ifndef FORKLAB_STATS_H
#define FORKLAB_STATS_H

#include <stddef.h>

struct stats {
	size_t n;
	double median, p10, p90, p99, mean, stddev, min, max;
	double ci95_lo, ci95_hi; /* distribution-free 95 % CI of the median */
};

/* Sorts v in place (NaNs are dropped: n counts the finite values).
 * With n == 0 every field is NaN. */
void stats_compute(double *v, size_t n, struct stats *st);

/* Quantile of sorted data, linear interpolation between closest ranks
 * (Hyndman & Fan type 7, numpy/R default), q in [0, 1]. */
double stats_quantile(const double *sorted, size_t n, double q);

/* 1-based order-statistic ranks bounding a 95 % CI of the median:
 * j = floor(n/2 - 0.98 sqrt(n)), k = ceil(n/2 + 1 + 0.98 sqrt(n)), clamped to
 * [1, n] (normal approximation to the binomial, as in Conover). */
void stats_median_ci_ranks(size_t n, size_t *j, size_t *k);

#endif
