/* SPDX-License-Identifier: GPL-2.0 */
/* Distribution summaries.  One implementation, used by forkbench and by
 * `forkbench summarize` (which analysis/ calls), so every number in a report
 * comes from the same code. */
#ifndef FORKLAB_STATS_H
#define FORKLAB_STATS_H

#include <stddef.h>

/* The smallest n whose median CI can reach 95 %: [x_(1), x_(n)] covers
 * the median with probability 1 - 2^(1-n), 93.75 % at n = 5, 96.9 % at 6. */
#define STATS_CI_MIN_N 6

struct stats {
	size_t n;
	double median, p10, p90, p99, mean, stddev, min, max;
	/* Distribution-free CI of the median with coverage >= 95 %
	 * (stats_median_ci); NaN when n < STATS_CI_MIN_N. */
	double ci95_lo, ci95_hi;
	double ci_level;	/* its achieved coverage, 0..1; NaN with it */
};

/* Sorts v in place (NaNs are dropped: n counts the finite values).
 * With n == 0 every field is NaN. */
void stats_compute(double *v, size_t n, struct stats *st);

/* Quantile of sorted data, linear interpolation between closest ranks
 * (Hyndman & Fan type 7, numpy/R default), q in [0, 1]. */
double stats_quantile(const double *sorted, size_t n, double q);

/* 1-based ranks lo < hi of the order statistics [x_(lo), x_(hi)] that
 * bound a CI of the median of n values (any continuous distribution):
 * its coverage is P(lo <= B < hi), B ~ Binomial(n, 1/2), chosen >= 95 %
 * and as close to 95 % as the ranks allow, with lo - 1 and n - hi (the
 * values left out below and above) equal or the lower side one more.
 * Returns that coverage, or NaN with lo = hi = 0 when n < STATS_CI_MIN_N
 * (no interval reaches 95 %).  docs/forkbench.md#output has the table. */
double stats_median_ci(size_t n, size_t *lo, size_t *hi);

#endif
