/* SPDX-License-Identifier: GPL-2.0 */
/* --events: PMU and software counters named as libpfm4 names them
 * ("perf::PAGE-FAULTS", "perf::DTLB-LOAD-MISSES", "cycles", ...).
 *
 * A name libpfm4 does not know (in no PMU table it has, present here or
 * not), or with an attribute it does not take, is bad input: refused
 * before anything runs.  An event it knows that this machine cannot count
 * (its PMU absent, "not supported" in a VM, not permitted) is kept with
 * ok = false and its reason, reported as n/a, and never stops the run.
 *
 * Counters are opened on the measuring process with inherit = 1, so a read
 * after the child has been reaped includes the child's counts; a process
 * that wants its own counts alone opens them afresh (events_reopen). */
#ifndef FORKLAB_EVENTS_H
#define FORKLAB_EVENTS_H

#include <linux/perf_event.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FB_MAX_EVENTS 8

struct fb_event {
	char name[96];
	char column[104];	/* "ev:" + name: the result column */
	struct perf_event_attr attr;	/* libpfm4's encoding */
	bool encoded;		/* attr is valid (its PMU is on this machine) */
	int fd;
	bool ok;
	char why[160];		/* why n/a */
	uint64_t start;
};

struct fb_events {
	int n;
	struct fb_event ev[FB_MAX_EVENTS];
};

/* Parses LIST (comma-separated) and checks every name with libpfm4; opens
 * nothing.  Returns -1 with a one-line message for bad input: bad syntax,
 * too many events, a name libpfm4 does not know or a bad attribute. */
int events_parse(struct fb_events *e, const char *list, char *err, size_t errlen);
/* Opens one encoded event on this process (inherit = 1): ok, or why not
 * (evcount.c, with begin/end/reopen/close: no libpfm4 there). */
void event_open_one(struct fb_event *ev);
/* Opens every parsed event; one warning line on stderr for each this
 * machine cannot count. */
void events_open(struct fb_events *e);
/* In a new process: closes the inherited counters and opens them afresh
 * on this process (silently: events_open already warned about missing
 * ones). */
void events_reopen(struct fb_events *e);
void events_begin(struct fb_events *e);
/* Counts since events_begin(); NaN for unavailable events. */
void events_end(struct fb_events *e, double *out);
void events_close(struct fb_events *e);

#endif
