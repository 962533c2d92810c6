// SPDX-License-Identifier: GPL-2.0
#include "result.h"
#include "parse.h"
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);

	if (!p) {
		fprintf(stderr, "forkbench: out of memory\n");
		exit(1);
	}
	return p;
}

struct fb_cell *cell_new(struct fb_results *r, const char *bench, const char *method,
			 const char *fork_mode, uint64_t heap_bytes, const char *thp,
			 size_t planned)
{
	struct fb_cell *c = xcalloc(1, sizeof(*c));
	struct fb_cell **cells;

	snprintf(c->bench, sizeof(c->bench), "%s", bench);
	snprintf(c->method, sizeof(c->method), "%s", method);
	snprintf(c->fork_mode, sizeof(c->fork_mode), "%s", fork_mode);
	snprintf(c->thp, sizeof(c->thp), "%s", thp);
	c->heap_bytes = heap_bytes;
	c->cap = planned;
	cells = realloc(r->cells, (r->n + 1) * sizeof(struct fb_cell *));
	if (!cells) {
		fprintf(stderr, "forkbench: out of memory\n");
		exit(1);
	}
	r->cells = cells;
	r->cells[r->n++] = c;
	return c;
}

int cell_metric(struct fb_cell *c, const char *name, enum fb_kind kind)
{
	struct fb_metric *m;
	size_t i;
	int k;

	for (k = 0; k < c->nm; k++)
		if (!strcmp(c->m[k].name, name))
			return k;
	if (c->nm == FB_MAX_METRICS)
		return -1;
	m = &c->m[c->nm];
	m->name = strdup(name);
	m->kind = kind;
	m->v = xcalloc(c->cap, sizeof(double));
	if (!m->name) {
		fprintf(stderr, "forkbench: out of memory\n");
		exit(1);
	}
	for (i = 0; i < c->cap; i++)
		m->v[i] = NAN;
	return c->nm++;
}

void cell_set(struct fb_cell *c, int idx, double v)
{
	if (idx >= 0 && idx < c->nm && c->n < c->cap)
		c->m[idx].v[c->n] = v;
}

void cell_put(struct fb_cell *c, const char *name, enum fb_kind kind, double v)
{
	cell_set(c, cell_metric(c, name, kind), v);
}

void cell_commit(struct fb_cell *c)
{
	if (c->n < c->cap)
		c->n++;
}

void results_free(struct fb_results *r)
{
	size_t i;
	int k;

	for (i = 0; i < r->n; i++) {
		for (k = 0; k < r->cells[i]->nm; k++) {
			free(r->cells[i]->m[k].name);
			free(r->cells[i]->m[k].v);
		}
		free(r->cells[i]);
	}
	free(r->cells);
	r->cells = NULL;
	r->n = 0;
}

static void num(FILE *f, double v, const char *missing)
{
	if (!isfinite(v))
		fputs(missing, f);
	else if (v == floor(v) && fabs(v) < 9.007199254740992e15)
		fprintf(f, "%.0f", v);
	else
		fprintf(f, "%.6g", v);
}

void csv_num(FILE *f, double v)
{
	num(f, v, "");
}

void json_num(FILE *f, double v)
{
	num(f, v, "null");
}

double cell_thp_fraction(const struct fb_cell *c)
{
	uint64_t can = c->heap_bytes / FB_HPAGE_BYTES * FB_HPAGE_BYTES;

	return can ? (double)c->thp_bytes / (double)can : NAN;
}

/* Statistics of metric k of c, on a copy (stats_compute sorts in place). */
static void metric_stats(const struct fb_cell *c, int k, struct stats *st)
{
	double *tmp = xcalloc(c->n, sizeof(double));

	memcpy(tmp, c->m[k].v, c->n * sizeof(double));
	stats_compute(tmp, c->n, st);
	free(tmp);
}

/* Column set of the summary: the fixed columns (docs/design.md), then every
 * non-time metric of any cell in first-seen order, the vmstat_ ones last. */
struct extra_cols {
	const char *name[FB_MAX_METRICS * 4];
	int n;
};

/* Whether metric name goes after all others (in both passes below): the
 * vmstat_ counters of forkbench --trace (trace.c), the last columns. */
static bool metric_last(const char *name)
{
	return strncmp(name, "vmstat_", 7) == 0;
}

/* One pass of collect_extras(): the metrics metric_last() says are last, or
 * the others. */
static void collect_pass(const struct fb_results *r, struct extra_cols *x, bool last)
{
	size_t i;
	int k, j;

	for (i = 0; i < r->n; i++) {
		for (k = 0; k < r->cells[i]->nm; k++) {
			const struct fb_metric *m = &r->cells[i]->m[k];

			if (m->kind == FB_TIME || metric_last(m->name) != last)
				continue;
			for (j = 0; j < x->n; j++)
				if (!strcmp(x->name[j], m->name))
					break;
			if (j == x->n && x->n < (int)(sizeof(x->name) / sizeof(x->name[0])))
				x->name[x->n++] = m->name;
		}
	}
}

static void collect_extras(const struct fb_results *r, struct extra_cols *x)
{
	x->n = 0;
	collect_pass(r, x, false);
	collect_pass(r, x, true);
}

/* Summary value of a non-time metric: median or sum of its finite values;
 * NaN if the cell lacks it or no iteration has a value. */
static double extra_value(const struct fb_cell *c, const char *name)
{
	double s = 0;
	size_t i, n = 0;
	struct stats st;
	int k;

	for (k = 0; k < c->nm; k++)
		if (c->m[k].kind != FB_TIME && !strcmp(c->m[k].name, name))
			break;
	if (k == c->nm)
		return NAN;
	for (i = 0; i < c->n; i++)
		if (isfinite(c->m[k].v[i])) {
			s += c->m[k].v[i];
			n++;
		}
	if (n == 0)
		return NAN;
	if (c->m[k].kind == FB_SUM)
		return s;
	metric_stats(c, k, &st);
	return st.median;
}

static const char *const stat_cols[] = {
	"median_ns", "p90_ns", "p99_ns", "mean_ns", "stddev_ns", "min_ns", "max_ns",
	"ci95_lo_ns", "ci95_hi_ns", "p10_ns",
};
#define NSTAT (sizeof(stat_cols) / sizeof(stat_cols[0]))

static void stat_values(const struct stats *st, double out[NSTAT])
{
	out[0] = st->median; out[1] = st->p90; out[2] = st->p99; out[3] = st->mean;
	out[4] = st->stddev; out[5] = st->min; out[6] = st->max; out[7] = st->ci95_lo;
	out[8] = st->ci95_hi; out[9] = st->p10;
}

static void human_time(FILE *f, double ns)
{
	if (!isfinite(ns))
		fprintf(f, " %10s", "n/a");
	else if (ns < 1e4)
		fprintf(f, " %7.0f ns", ns);
	else if (ns < 1e6)
		fprintf(f, " %7.1f us", ns / 1e3);
	else
		fprintf(f, " %7.1f ms", ns / 1e6);
}

/* "never", "always", or "always 37%": the share of the heap huge pages
 * could back that they did back (cell_thp_fraction). */
static const char *human_thp(const struct fb_cell *c, char *buf, size_t len)
{
	double f = cell_thp_fraction(c);

	if (strcmp(c->thp, "always") != 0 || isnan(f))
		return c->thp;
	snprintf(buf, len, "%s %.0f%%", c->thp, floor(100 * f));
	return buf;
}

/* The median's CI and its achieved coverage, or why there is none. */
static void human_ci(FILE *f, const struct stats *st)
{
	if (isnan(st->ci_level)) {
		fprintf(f, "  n/a (n < %d)", STATS_CI_MIN_N);
		return;
	}
	fputs("  [", f);
	human_time(f, st->ci95_lo);
	fputs(",", f);
	human_time(f, st->ci95_hi);
	fprintf(f, " ] %.1f%%", 100 * st->ci_level);
}

static void write_human(FILE *f, const struct fb_results *r, const struct extra_cols *x)
{
	char hb[32], tb[32];
	size_t i;
	int k, j;

	if (!r->complete)
		fprintf(f, "INCOMPLETE: %s\n", r->why);
	fprintf(f, "%-7s %-26s %-12s %-5s %-10s %-11s %5s %10s %10s %10s %10s %10s %10s  %s\n",
		"bench", "method", "metric", "mode", "heap", "thp", "n", "median", "p90",
		"p99", "mean", "stddev", "min", "CI of median (>= 95 %, coverage)");
	for (i = 0; i < r->n; i++) {
		const struct fb_cell *c = r->cells[i];

		for (k = 0; k < c->nm; k++) {
			struct stats st;

			if (c->m[k].kind != FB_TIME)
				continue;
			metric_stats(c, k, &st);
			if (st.n == 0)
				continue;	/* e.g. the fork of the root */
			fprintf(f, "%-7s %-26s %-12s %-5s %-10s %-11s %5zu", c->bench, c->method,
				c->m[k].name, c->fork_mode, fmt_size(c->heap_bytes, hb, sizeof(hb)),
				human_thp(c, tb, sizeof(tb)), st.n);
			human_time(f, st.median);
			human_time(f, st.p90);
			human_time(f, st.p99);
			human_time(f, st.mean);
			human_time(f, st.stddev);
			human_time(f, st.min);
			human_ci(f, &st);
			fputc('\n', f);
		}
	}
	/* Counts: one line per cell that has any. */
	if (x->n)
		fputs("\ncounts (median per iteration; traced counters: total over the iterations)\n", f);
	for (i = 0; i < r->n && x->n; i++) {
		const struct fb_cell *c = r->cells[i];

		fprintf(f, "%-7s %-26s %-10s", c->bench, c->method,
			fmt_size(c->heap_bytes, hb, sizeof(hb)));
		for (j = 0; j < x->n; j++) {
			double v = extra_value(c, x->name[j]);

			if (isfinite(v) && v == floor(v) && fabs(v) < 1e15)
				fprintf(f, " %s=%.0f", x->name[j], v);
			else if (isfinite(v))
				fprintf(f, " %s=%.4g", x->name[j], v);
			else
				fprintf(f, " %s=n/a", x->name[j]);
		}
		fputc('\n', f);
	}
}

int write_summary(FILE *f, const struct fb_results *r, enum fb_format fmt,
		  const char *meta_json)
{
	struct extra_cols x;
	size_t i, s;
	int k, j, rows = 0;

	collect_extras(r, &x);
	if (fmt == FMT_HUMAN) {
		write_human(f, r, &x);
		return ferror(f) ? -1 : 0;
	}
	if (fmt == FMT_CSV) {
		if (!r->complete)
			fprintf(f, "# incomplete: %s\n", r->why);
		fputs("bench,method,fork_mode,heap_bytes,thp,iterations", f);
		for (s = 0; s < NSTAT; s++)
			fprintf(f, ",%s", stat_cols[s]);
		fputs(",metric,thp_bytes,thp_fraction,ci_level", f);
		for (j = 0; j < x.n; j++) {
			fputc(',', f);
			csv_str(f, x.name[j]);
		}
		fputc('\n', f);
	} else {
		fputs("{\n  \"tool\": \"forkbench\",\n  \"format_version\": 1,\n", f);
		fprintf(f, "  \"complete\": %s,\n", r->complete ? "true" : "false");
		if (!r->complete) {
			fputs("  \"incomplete_reason\": ", f);
			json_str(f, r->why);
			fputs(",\n", f);
		}
		if (meta_json)
			fprintf(f, "  \"metadata\": %s,\n", meta_json);
		fputs("  \"results\": [", f);
	}
	for (i = 0; i < r->n; i++) {
		const struct fb_cell *c = r->cells[i];

		for (k = 0; k < c->nm; k++) {
			struct stats st;
			double vals[NSTAT];

			if (c->m[k].kind != FB_TIME)
				continue;
			metric_stats(c, k, &st);
			if (st.n == 0)
				continue;
			stat_values(&st, vals);
			if (fmt == FMT_CSV) {
				csv_str(f, c->bench);
				fputc(',', f);
				csv_str(f, c->method);
				fprintf(f, ",%s,%llu,%s,%zu", c->fork_mode,
					(unsigned long long)c->heap_bytes, c->thp, st.n);
				for (s = 0; s < NSTAT; s++) {
					fputc(',', f);
					csv_num(f, vals[s]);
				}
				fputc(',', f);
				csv_str(f, c->m[k].name);
				fprintf(f, ",%llu,", (unsigned long long)c->thp_bytes);
				csv_num(f, cell_thp_fraction(c));
				fputc(',', f);
				csv_num(f, st.ci_level);
				for (j = 0; j < x.n; j++) {
					fputc(',', f);
					csv_num(f, extra_value(c, x.name[j]));
				}
				fputc('\n', f);
				continue;
			}
			fprintf(f, "%s\n    {\"bench\": ", rows ? "," : "");
			json_str(f, c->bench);
			fputs(", \"method\": ", f);
			json_str(f, c->method);
			fputs(", \"metric\": ", f);
			json_str(f, c->m[k].name);
			fprintf(f, ", \"fork_mode\": \"%s\", \"heap_bytes\": %llu, \"thp\": \"%s\", \"thp_bytes\": %llu, \"thp_fraction\": ",
				c->fork_mode, (unsigned long long)c->heap_bytes, c->thp,
				(unsigned long long)c->thp_bytes);
			json_num(f, cell_thp_fraction(c));
			fprintf(f, ", \"iterations\": %zu", st.n);
			for (s = 0; s < NSTAT; s++) {
				fprintf(f, ", \"%s\": ", stat_cols[s]);
				json_num(f, vals[s]);
			}
			fputs(", \"ci_level\": ", f);
			json_num(f, st.ci_level);
			for (j = 0; j < x.n; j++) {
				fputs(", ", f);
				json_str(f, x.name[j]);
				fputs(": ", f);
				json_num(f, extra_value(c, x.name[j]));
			}
			fputc('}', f);
			rows++;
		}
	}
	if (fmt == FMT_JSON)
		fputs("\n  ]\n}\n", f);
	return ferror(f) ? -1 : 0;
}

int write_samples(FILE *f, const struct fb_results *r)
{
	size_t i, it;
	int j, k;

	fprintf(f, "# forklab-samples v1 %s%s%s\n", r->complete ? "complete" : "incomplete",
		r->complete ? "" : ": ", r->complete ? "" : r->why);
	fputs("bench,method,fork_mode,heap_bytes,thp,iteration,metric,value\n", f);
	for (i = 0; i < r->n; i++) {
		const struct fb_cell *c = r->cells[i];

		for (it = 0; it < c->n; it++) {
			for (j = 0; j < 2 * c->nm; j++) {
				k = j % c->nm;
				if (metric_last(c->m[k].name) != (j >= c->nm))
					continue;
				csv_str(f, c->bench);
				fputc(',', f);
				csv_str(f, c->method);
				fprintf(f, ",%s,%llu,%s,%zu,", c->fork_mode,
					(unsigned long long)c->heap_bytes, c->thp, it);
				csv_str(f, c->m[k].name);
				fputc(',', f);
				csv_num(f, c->m[k].v[it]);
				fputc('\n', f);
			}
		}
	}
	return ferror(f) ? -1 : 0;
}

/* fn's content into f, flushed (and with sync, on disk), f closed.
 * Returns 0 or -1 (errno set if a call failed). */
static int write_stream(FILE *f, int (*fn)(FILE *f, const void *arg), const void *arg,
			bool sync)
{
	int rc;

	errno = 0;
	rc = fn(f, arg);
	if (fflush(f) || ferror(f) || (sync && fsync(fileno(f))) || rc)
		rc = -1;
	if (fclose(f))
		rc = -1;
	return rc;
}

int write_file_atomic(const char *path, int (*fn)(FILE *f, const void *arg),
		      const void *arg, char *err, size_t errlen)
{
	char tmp[4096];
	struct stat st;
	bool direct;
	FILE *f;

	/* A device or pipe (/dev/stdout, /dev/full, a FIFO) is written as it
	 * is: a .tmp beside it and a rename would replace the device node. */
	direct = stat(path, &st) == 0 && !S_ISREG(st.st_mode);
	if (snprintf(tmp, sizeof(tmp), "%s%s", path, direct ? "" : ".tmp") >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "path too long: %s", path);
		return -1;
	}
	f = fopen(tmp, "w");
	if (!f) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		return -1;
	}
	if (write_stream(f, fn, arg, !direct)) {
		snprintf(err, errlen, "cannot write %s: %s", path,
			 errno ? strerror(errno) : "write error");
		goto cleanup;
	}
	if (direct)
		return 0;
	if (rename(tmp, path) == 0)
		return 0;
	snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
cleanup:
	if (!direct)
		unlink(tmp);
	return -1;
}
