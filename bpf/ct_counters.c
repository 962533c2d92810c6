// SPDX-License-Identifier: GPL-2.0
/*
 * ct_counters.c - the rows of ct_counters.h in user space: names, units,
 * default status and note, the accessors of struct ct_counts and the
 * column order of every report.
 */
#include <stddef.h>
#include <string.h>
#include <linux/types.h>

#include "cowtrace.h"
#include "cowtrace_lib.h"
#include "ct_internal.h"

_Static_assert(CT_CLS_NR == CT_VMA_COUNT, "vma classes differ");

/* The loader copies struct ct_stats into struct ct_counts as it is. */
_Static_assert(sizeof(struct ct_stats) == sizeof(struct ct_counts), "ct_stats != ct_counts");
#define CT_SAME_OFFSET(ID, name, ...)						\
	_Static_assert(offsetof(struct ct_stats, name) == offsetof(struct ct_counts, name), \
		       #name " is elsewhere in ct_stats and ct_counts");
CT_COUNTERS(CT_SAME_OFFSET)

#define CT_HAS_VMA_VMA		1
#define CT_HAS_VMA_NOVMA	0

struct ct_row {
	const char *name;
	const char *unit;
	const char *note;
	const char *doc;
	enum ct_status status;
	enum ct_counter of;
	unsigned int show;
	int vma;
};

#define CT_ROW(ID, name, unit, status, of, vma, show, note, doc)		\
	[CT_##ID] = { #name, unit, note, doc, CT_##status, CT_##of, show, CT_HAS_VMA_##vma },

static const struct ct_row rows[CT_NR_COUNTERS] = {
	CT_COUNTERS(CT_ROW)
};

static const struct ct_row *row(enum ct_counter k)
{
	static const struct ct_row none = { "?", "", "", "", CT_UNAVAILABLE, CT_NR_COUNTERS, 0, 0 };

	return (unsigned int)k < CT_NR_COUNTERS ? &rows[k] : &none;
}

const char *ct_counter_name(enum ct_counter k)
{
	return row(k)->name;
}

const char *ct_counter_unit(enum ct_counter k)
{
	return row(k)->unit;
}

const char *ct_counter_doc(enum ct_counter k)
{
	return row(k)->doc;
}

unsigned int ct_counter_show(enum ct_counter k)
{
	return row(k)->show;
}

int ct_counter_has_vma(enum ct_counter k)
{
	return row(k)->vma;
}

enum ct_counter ct_counter_of(enum ct_counter k)
{
	return row(k)->of;
}

enum ct_status ct_counter_default(enum ct_counter k, const char **note)
{
	*note = row(k)->note;
	return row(k)->status;
}

/*
 * JSON's order: the lead counter, then those with a status of their own,
 * then those reported under another's status; the human table's: the
 * CT_FIRST counters (fork-caused COW), then the table's order; every other
 * report: the table's.
 */
static int view_rank(unsigned int view, enum ct_counter k)
{
	if (view == CT_HUMAN)
		return rows[k].show & CT_FIRST ? 0 : 1;
	if (view != CT_JSON)
		return 0;
	if (rows[k].show & CT_LEAD)
		return 0;
	return rows[k].of == k ? 1 : 2;
}

int ct_columns(unsigned int view, enum ct_counter *out, int max)
{
	int n = 0, rank, last = view == CT_JSON ? 2 : view == CT_HUMAN ? 1 : 0;
	enum ct_counter k;

	for (rank = 0; rank <= last; rank++) {
		for (k = 0; k < CT_NR_COUNTERS; k++) {
			if (!(rows[k].show & view) || view_rank(view, k) != rank)
				continue;
			if (n < max)
				out[n] = k;
			n++;
		}
	}
	return n;
}

uint64_t ct_counts_get(const struct ct_counts *c, enum ct_counter k)
{
	switch (k) {
#define CT_GET(ID, name, ...)	case CT_##ID: return c->name;
	CT_COUNTERS(CT_GET)
#undef CT_GET
	default:
		return 0;
	}
}

#define CT_VMA_GET_VMA(ID, name)	case CT_##ID: return c->vma_##name[v];
#define CT_VMA_GET_NOVMA(ID, name)
#define CT_VMA_GET(ID, name, unit, status, of, vma, ...) CT_VMA_GET_##vma(ID, name)

uint64_t ct_counts_vma(const struct ct_counts *c, enum ct_counter k, enum ct_vma v)
{
	if ((unsigned int)v >= CT_VMA_COUNT)
		return 0;
	switch (k) {
	CT_COUNTERS(CT_VMA_GET)
	default:
		return 0;
	}
}

static uint64_t step(uint64_t a, uint64_t b, int sub)
{
	return sub ? a - b : a + b;
}

#define CT_STEP(ID, name, ...)		d->name = step(d->name, s->name, sub);
#define CT_VMA_STEP_VMA(name)						\
	for (int v = 0; v < CT_VMA_COUNT; v++)				\
		d->vma_##name[v] = step(d->vma_##name[v], s->vma_##name[v], sub);
#define CT_VMA_STEP_NOVMA(name)
#define CT_VMA_STEP(ID, name, unit, status, of, vma, ...) CT_VMA_STEP_##vma(name)

/* d += s, or d -= s with sub: field by field. */
static void counts_step(struct ct_counts *d, const struct ct_counts *s, int sub)
{
	CT_COUNTERS(CT_STEP)
	CT_COUNTERS(CT_VMA_STEP)
}

void ct_counts_add(struct ct_counts *dst, const struct ct_counts *src)
{
	counts_step(dst, src, 0);
}

void ct_counts_sub(struct ct_counts *dst, const struct ct_counts *src)
{
	counts_step(dst, src, 1);
}

/* k and, if it has them, its per-mapping counts to 0. */
void ct_counts_clear(struct ct_counts *c, enum ct_counter k)
{
	switch (k) {
#define CT_CLEAR(ID, name, ...)	case CT_##ID: c->name = 0; break;
	CT_COUNTERS(CT_CLEAR)
#undef CT_CLEAR
	default:
		break;
	}
	switch (k) {
#define CT_VMA_CLEAR_VMA(ID, name)					\
	case CT_##ID: memset(c->vma_##name, 0, sizeof(c->vma_##name)); break;
#define CT_VMA_CLEAR_NOVMA(ID, name)
#define CT_VMA_CLEAR(ID, name, unit, status, of, vma, ...) CT_VMA_CLEAR_##vma(ID, name)
	CT_COUNTERS(CT_VMA_CLEAR)
	default:
		break;
	}
}

const char *ct_status_name(enum ct_status s)
{
	switch (s) {
	case CT_EXACT:	return "exact";
	case CT_APPROX:	return "approx";
	default:	return "unavailable";
	}
}

const char *ct_vma_name(enum ct_vma v)
{
	static const char *const names[CT_VMA_COUNT] = {
		"stack", "heap", "anon", "libc", "tls", "file", "unknown",
	};

	return (unsigned int)v < CT_VMA_COUNT ? names[v] : "?";
}
