// SPDX-License-Identifier: GPL-2.0
#include "events.h"
#include "parse.h"

#include <errno.h>
#include <math.h>
#include <perfmon/pfmlib_perf_event.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* The PMU libpfm4 has a table for, present here or not, with an event
 * called ev: its name in pmu (empty if none).  want_pmu, when not empty,
 * limits the search to that PMU. */
static void find_in_tables(const char *want_pmu, const char *ev, char *pmu, size_t len)
{
	pfm_pmu_t p;

	pmu[0] = '\0';
	pfm_for_all_pmus(p) {
		pfm_pmu_info_t pi;
		int i;

		memset(&pi, 0, sizeof(pi));
		pi.size = sizeof(pi);
		if (pfm_get_pmu_info(p, &pi) != PFM_SUCCESS || !pi.name ||
		    (*want_pmu && strcasecmp(pi.name, want_pmu) != 0))
			continue;
		for (i = pi.first_event; i != -1; i = pfm_get_event_next(i)) {
			pfm_event_info_t ei;

			memset(&ei, 0, sizeof(ei));
			ei.size = sizeof(ei);
			if (pfm_get_event_info(i, PFM_OS_NONE, &ei) != PFM_SUCCESS)
				break;
			if (ei.name && strcasecmp(ei.name, ev) == 0) {
				snprintf(pmu, len, "%s", pi.name);
				return;
			}
		}
	}
}

/* An event libpfm4 found in no PMU of this machine: known (n/a here) if
 * one of its other tables has it, else bad input. */
static int absent_or_unknown(struct fb_event *ev, char *err, size_t errlen)
{
	char want[64] = "", name[96], pmu[64], q[SHOWN_LEN];
	const char *sep = strstr(ev->name, "::"), *evname = ev->name;
	char *colon;

	if (sep) {
		snprintf(want, sizeof(want), "%.*s", (int)(sep - ev->name), ev->name);
		evname = sep + 2;
	}
	snprintf(name, sizeof(name), "%s", evname);
	colon = strchr(name, ':');	/* EVENT:ATTR... */
	if (colon)
		*colon = '\0';
	find_in_tables(want, name, pmu, sizeof(pmu));
	if (!pmu[0]) {
		snprintf(err, errlen, "--events: unknown event '%s' (libpfm4 knows no such event; "
			 "e.g. perf::PAGE-FAULTS, perf::CYCLES, cycles)",
			 parse_shown(ev->name, q, sizeof(q)));
		return -1;
	}
	snprintf(ev->why, sizeof(ev->why), "libpfm4 knows it for the %s PMU, which this machine "
		 "does not have", pmu);
	return 0;
}

static int check_one(struct fb_event *ev, char *err, size_t errlen)
{
	pfm_perf_encode_arg_t arg;
	char q[SHOWN_LEN];
	int rc;

	memset(&ev->attr, 0, sizeof(ev->attr));
	memset(&arg, 0, sizeof(arg));
	arg.attr = &ev->attr;
	arg.size = sizeof(arg);
	rc = pfm_get_os_event_encoding(ev->name, PFM_PLM0 | PFM_PLM3, PFM_OS_PERF_EVENT, &arg);
	if (rc == PFM_SUCCESS) {
		ev->encoded = true;
		return 0;
	}
	if (rc == PFM_ERR_NOTFOUND)
		return absent_or_unknown(ev, err, errlen);
	snprintf(err, errlen, "--events: '%s': %s (libpfm4)", parse_shown(ev->name, q, sizeof(q)),
		 pfm_strerror(rc));
	return -1;
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

int events_parse(struct fb_events *e, const char *list, char *err, size_t errlen)
{
	char q[SHOWN_LEN], e2[256] = "";
	int i, rc;

	memset(e, 0, sizeof(*e));
	if (parse_list(list, add_event, e, e2, sizeof(e2)) < 0) {
		if (!e2[0] || e->n == FB_MAX_EVENTS)
			snprintf(err, errlen, "--events '%s': at most %d events of at most 95 characters each",
				 parse_shown(list, q, sizeof(q)), FB_MAX_EVENTS);
		else
			snprintf(err, errlen, "--events: %s", e2);
		e->n = 0;
		return -1;
	}
	rc = pfm_initialize();
	if (rc != PFM_SUCCESS) {
		/* No tables to check names against: every event is n/a. */
		for (i = 0; i < e->n; i++)
			snprintf(e->ev[i].why, sizeof(e->ev[i].why), "libpfm4 initialisation: %s",
				 pfm_strerror(rc));
		return 0;
	}
	for (i = 0; i < e->n; i++)
		if (check_one(&e->ev[i], err, errlen)) {
			e->n = 0;
			return -1;
		}
	return 0;
}

void events_open(struct fb_events *e)
{
	int i;

	for (i = 0; i < e->n; i++) {
		struct fb_event *ev = &e->ev[i];

		event_open_one(ev);
		if (!ev->ok)
			fprintf(stderr, "forkbench: event '%s' not available here (%s); reported as n/a\n",
				ev->name, ev->why);
	}
}
