/* SPDX-License-Identifier: GPL-2.0 */
/* --events: PMU and software counters named as libpfm4 names them
 * ("perf::PAGE-FAULTS", "perf::DTLB-LOAD-MISSES", "cycles", ...).
 *
 * Counters are opened on the measuring process with inherit = 1, so a read
 * after the child has been reaped includes the child's counts.  An event the
 * machine lacks (no such PMU, not supported, not permitted) is kept with
 * ok = false and its reason, reported as n/a, and never stops the run. */
#ifndef FORKLAB_EVENTS_H
#define FORKLAB_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FB_MAX_EVENTS 8

struct fb_event {
	char name[96];
	char column[104];	/* "ev:" + name: the result column */
	int fd;
	bool ok;
	char why[160];		/* why n/a */
	uint64_t start;
};

struct fb_events {
	int n;
	struct fb_event ev[FB_MAX_EVENTS];
};

/* Parses LIST (comma-separated) and opens every event.  Returns -1 only for
 * bad syntax (empty item, too many events); unavailable events are not
 * errors: each gets one warning line on stderr. */
int events_open(struct fb_events *e, const char *list, char *err, size_t errlen);
/* In a new process: closes the inherited counters and opens them afresh
 * (silently: events_open already warned about missing ones). */
void events_reopen(struct fb_events *e);
void events_begin(struct fb_events *e);
/* Counts since events_begin(); NaN for unavailable events. */
void events_end(struct fb_events *e, double *out);
void events_close(struct fb_events *e);

#endif
