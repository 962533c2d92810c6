/* SPDX-License-Identifier: GPL-2.0 */
/*
 * forkbench --trace: cowtrace's counters attached to every row.
 *
 * The tracer follows forkbench and all its descendants; roles are depths
 * below forkbench.  Around each measured iteration the harness reads the
 * counters per role and records, summed over the row's iterations, the
 * counters marked CT_BENCH in bpf/ct_counters.h (wp_faults, cow_copies,
 * cow_reuses, tlb_flush_fork, tlb_flush_fault, eager_copies...)
 * in total and split into parent_ (the role that forks in the benchmark)
 * and child_ (every role below it).  A counter the probe mode cannot give
 * is empty, never 0.  heap, nested and scenario count faults in the heap
 * only (heaps live at FB_HEAP_ADDR); spawn counts every fault.
 *
 * trace_begin()/trace_end() also record the growth of /proc/vmstat's
 * pgreuse and forklab's counters over the window (vmstat_<name>, the last
 * columns; with --trace on every kernel, empty for a counter it lacks,
 * without --trace only in forklab's kernel), and with --trace their growth
 * while cowtrace's counters were read at the window's edges
 * (vmstat_edge_<name>).  Per-process rows (trace_record_pid) have none.
 */
#ifndef FORKLAB_TRACE_H
#define FORKLAB_TRACE_H

#include "result.h"

#include <stdbool.h>
#include <sys/types.h>

/* Where heaps are mapped, so a tracer opened before they exist can count
 * faults in them alone: 1 TiB of address space from here. */
#define FB_HEAP_ADDR 0x5f0000000000UL
#define FB_HEAP_SPAN (1UL << 40)

struct ct_tracer;

/* Opens the tracer (heap_only: count faults in the heap range only).
 * Returns 0, or the cowtrace error code with a one-line reason in err. */
int trace_open(bool heap_only, char *err, size_t errlen);
bool trace_on(void);
const char *trace_mode(void);
/* Starts an iteration's window. */
void trace_begin(void);
/* Ends it: records into cell; parent_role is the depth below forkbench of
 * the process that forks in this benchmark. */
void trace_end(struct fb_cell *cell, int parent_role);
/* Per process, for families: the counts of pid since trace_reset(). */
void trace_reset(void);
void trace_record_pid(struct fb_cell *cell, pid_t pid);
void trace_close(void);

#endif
