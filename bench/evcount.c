// SPDX-License-Identifier: GPL-2.0
/*
 * Counting --events: opening, reading and closing the counters whose
 * perf_event_attr events.c encoded.  No libpfm4 here: spawn's worker, a
 * small static program, opens its own counters with this file alone.
 */
#include "events.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int perf_open(struct perf_event_attr *attr)
{
	return (int)syscall(SYS_perf_event_open, attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

void event_open_one(struct fb_event *ev)
{
	struct perf_event_attr attr = ev->attr;

	if (!ev->encoded)
		return;
	attr.size = sizeof(attr);
	attr.inherit = 1;
	attr.disabled = 0;
	attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
	ev->fd = perf_open(&attr);
	if (ev->fd < 0 && (errno == EACCES || errno == EPERM)) {
		/* perf_event_paranoid may forbid kernel counting: user only. */
		attr.exclude_kernel = 1;
		attr.exclude_hv = 1;
		ev->fd = perf_open(&attr);
	}
	if (ev->fd < 0) {
		snprintf(ev->why, sizeof(ev->why), "perf_event_open: %s", strerror(errno));
		return;
	}
	ev->ok = true;
}

void events_reopen(struct fb_events *e)
{
	int i;

	for (i = 0; i < e->n; i++) {
		struct fb_event *ev = &e->ev[i];

		if (ev->fd >= 0)
			close(ev->fd);
		ev->fd = -1;
		if (ev->ok) {
			ev->ok = false;
			event_open_one(ev);
		}
	}
}

static bool read_scaled(struct fb_event *ev, uint64_t *val)
{
	uint64_t buf[3];

	if (read(ev->fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf) || buf[2] == 0)
		return false;
	*val = buf[2] < buf[1] ? (uint64_t)((double)buf[0] * buf[1] / buf[2]) : buf[0];
	return true;
}

void events_begin(struct fb_events *e)
{
	int i;

	for (i = 0; i < e->n; i++)
		if (e->ev[i].ok && !read_scaled(&e->ev[i], &e->ev[i].start))
			e->ev[i].start = 0;
}

void events_end(struct fb_events *e, double *out)
{
	uint64_t v;
	int i;

	for (i = 0; i < e->n; i++)
		out[i] = e->ev[i].ok && read_scaled(&e->ev[i], &v) ? (double)(v - e->ev[i].start)
								   : NAN;
}

void events_close(struct fb_events *e)
{
	int i;

	for (i = 0; i < e->n; i++)
		if (e->ev[i].fd >= 0)
			close(e->ev[i].fd);
	e->n = 0;
}
