// SPDX-License-Identifier: GPL-2.0
#include "trace.h"
#include "cowtrace_lib.h"
#include "fork_mode.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static struct ct_tracer *tracer;
static struct ct_counts before[CT_ROLES];

/* The /proc/vmstat counters whose growth over each window is recorded as
 * vmstat_<name>: the stock kernel's pgreuse and forklab's (lib/fork_mode.h). */
static const char *const vm_names[] = {
	"pgreuse",
	FORK_MODE_VMSTAT_COW_FAULT_COPY,
	FORK_MODE_VMSTAT_EAGER_COPY,
	FORK_MODE_VMSTAT_EAGER_FALLBACK,
	FORK_MODE_VMSTAT_STACK_COPY,
	FORK_MODE_VMSTAT_TLB_FLUSH_SKIPPED,
	FORK_MODE_VMSTAT_COPY_THREADED,
};
#define NVM (sizeof(vm_names) / sizeof(vm_names[0]))
/* At a window's start, read before and after cowtrace's counters: what
 * grows between the two reads (and the two at its end) is in vmstat_<name>
 * but may be outside cowtrace's window, recorded as vmstat_edge_<name>. */
static double vm_before[NVM], vm_after[NVM];
static int vm_on = -1;	/* -1: not decided yet */

/* The counters of forkbench --trace: CT_BENCH rows of bpf/ct_counters.h. */
static enum ct_counter cols[CT_NR_COUNTERS];
static int ncols;

int trace_open(bool heap_only, char *err, size_t errlen)
{
	struct ct_options o;
	int rc;

	memset(&o, 0, sizeof(o));
	o.mode = CT_MODE_AUTO;
	o.per_process = 1;
	if (heap_only) {
		o.range_start = FB_HEAP_ADDR;
		o.range_end = FB_HEAP_ADDR + FB_HEAP_SPAN;
	}
	ncols = ct_columns(CT_BENCH, cols, CT_NR_COUNTERS);
	if (ncols > CT_NR_COUNTERS)
		ncols = CT_NR_COUNTERS;
	rc = ct_open(&tracer, &o, err, errlen);
	if (rc) {
		tracer = NULL;
		return rc;
	}
	if (ct_follow(tracer, getpid())) {
		snprintf(err, errlen, "cannot follow forkbench: %s", ct_last_error(tracer));
		ct_close(tracer);
		tracer = NULL;
		return CT_ERR_BPF;
	}
	return 0;
}

/* Every counter of vm_names into v, NaN for one /proc/vmstat lacks. */
static void vm_read(double v[NVM])
{
	char line[128], name[64];
	unsigned long long n;
	size_t k;
	FILE *f = fopen("/proc/vmstat", "re");

	for (k = 0; k < NVM; k++)
		v[k] = NAN;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %llu", name, &n) != 2)
			continue;
		for (k = 0; k < NVM; k++)
			if (strcmp(name, vm_names[k]) == 0)
				v[k] = (double)n;
	}
	fclose(f);
}

/* The vmstat columns are recorded with --trace, and without it where the
 * kernel has forklab's counters (a stock kernel's untraced rows keep their
 * columns). */
static bool vm_wanted(void)
{
	double v[NVM];

	if (vm_on < 0) {
		vm_read(v);
		vm_on = tracer != NULL || !isnan(v[1]);
	}
	return vm_on;
}

bool trace_on(void)
{
	return tracer != NULL;
}

const char *trace_mode(void)
{
	return tracer ? ct_mode_name(tracer) : "off";
}

void trace_begin(void)
{
	if (vm_wanted())
		vm_read(vm_before);
	if (tracer && ct_read(tracer, before, CT_ROLES))
		memset(before, 0, sizeof(before));
	if (tracer && vm_wanted())
		vm_read(vm_after);
}

/* The growth of each vmstat counter since trace_begin(), and with a tracer
 * its growth while cowtrace's counters were read at the window's edges
 * (end: the counters read just before cowtrace's): empty where the kernel
 * lacks the counter, never 0. */
static void vm_end(struct fb_cell *cell, const double end[NVM])
{
	double now[NVM];
	char name[64];
	size_t k;

	if (!vm_wanted())
		return;
	vm_read(now);
	for (k = 0; k < NVM; k++) {
		snprintf(name, sizeof(name), "vmstat_%s", vm_names[k]);
		cell_put(cell, name, FB_SUM, now[k] - vm_before[k]);
	}
	for (k = 0; k < NVM && tracer; k++) {
		snprintf(name, sizeof(name), "vmstat_edge_%s", vm_names[k]);
		cell_put(cell, name, FB_SUM, vm_after[k] - vm_before[k] + now[k] - end[k]);
	}
}

static double val(const struct ct_counts *c, enum ct_counter k)
{
	return ct_counter_status(tracer, k) == CT_UNAVAILABLE ? NAN : (double)ct_counts_get(c, k);
}

void trace_end(struct fb_cell *cell, int parent_role)
{
	struct ct_counts now[CT_ROLES], total, parent, child;
	double end[NVM] = { 0 };
	char name[64];
	int i, r;

	if (tracer && vm_wanted())
		vm_read(end);
	if (!tracer || ct_read(tracer, now, CT_ROLES)) {
		vm_end(cell, end);
		return;
	}
	memset(&total, 0, sizeof(total));
	memset(&parent, 0, sizeof(parent));
	memset(&child, 0, sizeof(child));
	for (r = 0; r < CT_ROLES; r++) {
		ct_counts_sub(&now[r], &before[r]);
		ct_counts_add(&total, &now[r]);
		if (r == parent_role)
			ct_counts_add(&parent, &now[r]);
		else if (r > parent_role)
			ct_counts_add(&child, &now[r]);
	}
	for (i = 0; i < ncols; i++) {
		cell_put(cell, ct_counter_name(cols[i]), FB_SUM, val(&total, cols[i]));
		snprintf(name, sizeof(name), "parent_%s", ct_counter_name(cols[i]));
		cell_put(cell, name, FB_SUM, val(&parent, cols[i]));
		snprintf(name, sizeof(name), "child_%s", ct_counter_name(cols[i]));
		cell_put(cell, name, FB_SUM, val(&child, cols[i]));
	}
	vm_end(cell, end);
}

void trace_reset(void)
{
	if (tracer)
		ct_follow(tracer, getpid());
}

void trace_record_pid(struct fb_cell *cell, pid_t pid)
{
	static struct ct_proc_info procs[1024];
	const struct ct_counts *c = NULL;
	int n, i;

	if (!tracer)
		return;
	n = ct_read_procs(tracer, procs, 1024);
	for (i = 0; i < n; i++)
		if (procs[i].pid == pid)
			c = &procs[i].c;
	for (i = 0; i < ncols; i++)
		cell_put(cell, ct_counter_name(cols[i]), FB_SUM, c ? val(c, cols[i]) : NAN);
}

void trace_close(void)
{
	if (tracer)
		ct_close(tracer);
	tracer = NULL;
}
