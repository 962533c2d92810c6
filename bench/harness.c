// SPDX-License-Identifier: GPL-2.0
/*
 * forkbench's harness: the run of a benchmark in each fork mode (the
 * timing, signal and process helpers every benchmark shares are in
 * proc.c).
 */
#include "harness.h"
#include "fork_mode.h"
#include "sysinfo.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

void fb_put_events(const struct fb_common *c, struct fb_cell *cell, const double *vals)
{
	int i;

	for (i = 0; i < c->ev.n; i++)
		cell_put(cell, c->ev.ev[i].column, FB_MEDIAN, vals[i]);
}

/* Every child of forkbench is gone when it exits.  As a subreaper it also
 * inherits orphaned descendants (an exec target whose worker was killed):
 * wait for all of them. */
static void reap_all_children(void)
{
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
}

/* --thp always that did not get every huge page the heap could hold: one
 * warning per heap size and fork mode, with the share obtained and the
 * likely reason.  The summary's thp_fraction carries it too. */
static void warn_thp(const struct fb_bench *b, const struct fb_results *res)
{
	char hb[32];
	size_t i, k;

	for (i = 0; i < res->n; i++) {
		const struct fb_cell *c = res->cells[i];
		double f = cell_thp_fraction(c);
		bool seen = false;

		if (strcmp(c->thp, "always") != 0 || !c->heap_bytes || f >= 1)
			continue;
		for (k = 0; k < i && !seen; k++)
			seen = res->cells[k]->heap_bytes == c->heap_bytes &&
			       !strcmp(res->cells[k]->fork_mode, c->fork_mode) &&
			       !strcmp(res->cells[k]->thp, c->thp);
		if (seen)
			continue;
		fmt_size(c->heap_bytes, hb, sizeof(hb));
		if (isnan(f))
			fprintf(stderr, "forkbench %s: warning: --thp always: the %s heap is smaller than "
				"a huge page (%llu MiB): no THP (thp_fraction empty)\n", b->name, hb,
				(unsigned long long)(FB_HPAGE_BYTES >> 20));
		else
			fprintf(stderr, "forkbench %s: warning: --thp always: only %.0f %% of the %s heap "
				"(%s mode) is backed by huge pages: %s (thp_fraction %.3g)\n", b->name,
				floor(100 * f), hb, c->fork_mode, thp_shortfall_why(), f);
	}
}

int fb_run(const struct fb_bench *b, struct fb_common *c, struct fb_results *res)
{
	int rc = 0, k;

	fb_install_signals();
	/* Orphaned grandchildren come back to forkbench, which reaps them. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	c->res = res;
	if (!c->nmodes) {
		/* The kernel's mode, whatever it is. */
		c->fork_mode = fork_mode_parse(effective_fork_mode());
		rc = b->run(c);
	}
	for (k = 0; k < c->nmodes && !rc && !fb_stopping(); k++) {
		c->fork_mode = c->modes[k];
		if (fork_mode_supported() && fork_mode_set(c->fork_mode)) {
			fprintf(stderr, "forkbench: cannot set fork mode %s: %s\n",
				fork_mode_name(c->fork_mode), strerror(errno));
			rc = -1;
			break;
		}
		rc = b->run(c);
	}
	reap_all_children();
	events_close(&c->ev);
	warn_thp(b, res);
	if (fb_stopping()) {
		res->complete = false;
		snprintf(res->why, sizeof(res->why), "interrupted by %s",
			 fb_stop_signal == SIGINT ? "SIGINT" :
			 fb_stop_signal == SIGTERM ? "SIGTERM" : "SIGHUP");
	} else if (rc) {
		res->complete = false;
		snprintf(res->why, sizeof(res->why), "the measurement failed");
	}
	return rc;
}
