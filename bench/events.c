// SPDX-License-Identifier: GPL-2.0
#include "events.h"
#include "parse.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <math.h>
#include <perfmon/pfmlib_perf_event.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int perf_open(struct perf_event_attr *attr)
{
	return (int)syscall(SYS_perf_event_open, attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

static void open_one(struct fb_event *ev)
{
	struct perf_event_attr attr;
	pfm_perf_encode_arg_t arg;
	int rc;

	memset(&attr, 0, sizeof(attr));
	memset(&arg, 0, sizeof(arg));
	arg.attr = &attr;
	arg.size = sizeof(arg);
	rc = pfm_get_os_event_encoding(ev->name, PFM_PLM0 | PFM_PLM3, PFM_OS_PERF_EVENT, &arg);
	if (rc != PFM_SUCCESS) {
		snprintf(ev->why, sizeof(ev->why), "libpfm4: %s", pfm_strerror(rc));
		return;
	}
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

static int add_event(const char *item, void *ctx)
{
	struct fb_events *e = ctx;
	struct fb_event *ev;

	if (e->n == FB_MAX_EVENTS || strlen(item) >= sizeof(ev->name))
		return -1;
	ev = &e->ev[e->n++];
	memset(ev, 0, sizeof(*ev));
	ev->fd = -1;
	snprintf(ev->name, sizeof(ev->name), "%s", item);
	snprintf(ev->column, sizeof(ev->column), "ev:%s", item);
	return 0;
}

int events_open(struct fb_events *e, const char *list, char *err, size_t errlen)
{
	int i, rc;

	memset(e, 0, sizeof(*e));
	if (parse_list(list, add_event, e, err, errlen) < 0) {
		if (!err[0] || e->n == FB_MAX_EVENTS)
			snprintf(err, errlen, "--events '%s': at most %d events of at most 95 characters each",
				 list, FB_MAX_EVENTS);
		return -1;
	}
	rc = pfm_initialize();
	for (i = 0; i < e->n; i++) {
		struct fb_event *ev = &e->ev[i];

		if (rc != PFM_SUCCESS)
			snprintf(ev->why, sizeof(ev->why), "libpfm4 initialisation: %s",
				 pfm_strerror(rc));
		else
			open_one(ev);
		if (!ev->ok)
			fprintf(stderr, "forkbench: event '%s' not available here (%s); reported as n/a\n",
				ev->name, ev->why);
	}
	return 0;
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
			open_one(ev);
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
