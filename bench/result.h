/* SPDX-License-Identifier: GPL-2.0 */
/* Measurement results: cells of samples, their summaries and their files.
 *
 * A cell is one configuration (bench, method, fork mode, heap, THP).  It holds
 * one value per measured iteration for each of its metrics:
 *   FB_TIME          a duration in ns; one summary row per time metric
 *   FB_MEDIAN        a per-iteration count (e.g. minor faults), summarised as
 *                    its median and attached to every row of the cell
 *   FB_SUM           a count summed over the iterations (trace counters)
 * NaN means "not available" and is written as an empty field / null. */
#ifndef FORKLAB_RESULT_H
#define FORKLAB_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "output.h"	/* csv_str, json_str */

/* Metrics a cell can hold: heap's own 22 and --trace's three per counter
 * (total, parent_, child_) of bpf/ct_counters.h's CT_BENCH rows, with room
 * for more rows (40 dropped heap's child_eager_copies). */
#define FB_MAX_METRICS 96

enum fb_kind { FB_TIME, FB_MEDIAN, FB_SUM };

struct fb_metric {
	char *name;
	enum fb_kind kind;
	double *v; /* cap entries */
};

struct fb_cell {
	char bench[16];
	char method[48];
	char fork_mode[8];
	uint64_t heap_bytes;
	char thp[8];
	uint64_t thp_bytes;	/* AnonHugePages actually backing the heap (the
				 * least seen when the heap is made anew per
				 * iteration) */
	size_t n;		/* iterations recorded */
	size_t cap;		/* iterations planned */
	int nm;
	struct fb_metric m[FB_MAX_METRICS];
};

struct fb_results {
	struct fb_cell **cells;
	size_t n;
	bool complete;		/* false after an interruption */
	char why[128];		/* why incomplete */
};

enum fb_format { FMT_HUMAN, FMT_CSV, FMT_JSON };

struct fb_cell *cell_new(struct fb_results *r, const char *bench, const char *method,
			 const char *fork_mode, uint64_t heap_bytes, const char *thp,
			 size_t planned);
/* Index of metric name in c, created on first use; -1 if the table is full. */
int cell_metric(struct fb_cell *c, const char *name, enum fb_kind kind);
/* Sets metric idx of the iteration being recorded (c->n). */
void cell_set(struct fb_cell *c, int idx, double v);
/* Same, by name. */
void cell_put(struct fb_cell *c, const char *name, enum fb_kind kind, double v);
/* Ends the current iteration: unset metrics stay NaN. */
void cell_commit(struct fb_cell *c);
void results_free(struct fb_results *r);

/* Summary: one row per (cell, time metric), the columns of docs/design.md
 * (thp_fraction and ci_level after thp_bytes).  meta_json, when not NULL,
 * is a JSON object written as "metadata" in the JSON format. */
int write_summary(FILE *f, const struct fb_results *r, enum fb_format fmt,
		  const char *meta_json);
/* Samples, long format: bench,method,fork_mode,heap_bytes,thp,iteration,metric,value
 * after a first line "# forklab-samples v1 complete|incomplete: why". */
int write_samples(FILE *f, const struct fb_results *r);
/* Writes through path.tmp + rename, so a reader never sees half a file; a
 * failed write leaves neither.  A path that exists and is not a regular
 * file (device, FIFO) is written directly. */
int write_file_atomic(const char *path, int (*fn)(FILE *f, const void *arg),
		      const void *arg, char *err, size_t errlen);

/* The huge page size a --thp always heap is aligned to (heapmem.c). */
#define FB_HPAGE_BYTES (2ULL << 20)
/* thp_bytes over the part of the heap huge pages can back (heap_bytes in
 * whole FB_HPAGE_BYTES pages): the summary's thp_fraction, 0..1; NaN when
 * the heap is smaller than one huge page. */
double cell_thp_fraction(const struct fb_cell *c);

/* A number, or empty (CSV) / null (JSON) when NaN. Integers print exactly. */
void csv_num(FILE *f, double v);
void json_num(FILE *f, double v);

#endif
