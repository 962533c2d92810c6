/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A family of processes sharing one heap: a tree of forks, then an exact
 * sequence of actions (a process writes its pages; a leaf exits), one at a
 * time, in the order given.  Used by `forkbench nested` and by scenarios.
 *
 * Processes are named A, B, C, ... in creation (breadth-first) order; A is
 * the root, a child of forkbench, so forkbench's own memory plays no part.
 * They synchronise through a MAP_SHARED control page; each measures only its
 * own write loop (time, minor faults).  All forks happen before the first
 * action, so the sharing is complete when writing starts.
 */
#ifndef FORKLAB_FAMILY_H
#define FORKLAB_FAMILY_H

#include "forkbench.h"
#include "predict.h"

#define FAM_MAX PRED_MAX_PROCS

struct fam_action {
	int proc;
	bool exit;		/* the process exits instead of writing */
};

struct family {
	int n;
	int parent[FAM_MAX];	/* -1 for the root */
	int depth[FAM_MAX];
	char name[FAM_MAX][12];
	int nact;
	struct fam_action act[2 * FAM_MAX];
	double write_fraction;	/* of the heap, per write action */
};

/* Per process, one family run. */
struct fam_result {
	pid_t pid;
	double fork_ns;		/* the fork() that created it, in its parent */
	double write_ns;
	double write_minflt;
	double pfn_before, pfn_after; /* page 0's frame (pagemap), NaN if unknown */
	double ev[FB_MAX_EVENTS];	/* --events over its write loop, its own */
	uint64_t thp_bytes;	/* huge pages backing the shared heap (root) */
};

/* "chain:DEPTH", "tree:FANOUT:DEPTH" or "edges:A-B,B-C,B-D". */
int family_shape(struct family *f, const char *shape, char *err, size_t errlen);
/* "leaves-first", "root-first", or a list of names, "exit:NAME" for a leaf
 * that exits at that point: "D,C,B,A", "exit:B,A". */
int family_order(struct family *f, const char *order, char *err, size_t errlen);
/* Refuses families that do not fit: processes vs the pid limits, heap x
 * processes vs memory. */
int family_fits(const struct family *f, uint64_t heap, char *err, size_t errlen);
/* Predicted counts per process for heap pages of 4 KiB. */
int family_predict(const struct family *f, enum fork_mode mode, size_t pages,
		   struct pred_counts *out);
/* One run: 0, -1 on error (printed), 1 when stopping.  want_pfn reads page
 * 0's frame number before and after each write (needs CAP_SYS_ADMIN).
 * With --events each process counts its own write loop (its counters
 * opened afresh once its children are forked). */
int family_run(struct fb_common *c, const struct family *f, uint64_t heap, bool want_pfn,
	       struct fam_result *res);

/* Result cells, one per process ("label:NAME(depth d)"), and one iteration
 * recorded into them with the predicted counts (none when pred is NULL),
 * the --events counts and the least THP seen backing the heap. */
int family_cells(struct fb_common *c, const char *bench, const struct family *f,
		 uint64_t heap, const char *label, struct fb_cell **cells);
void family_record(struct fb_common *c, const struct family *f, struct fb_cell **cells,
		   const struct fam_result *r, const struct pred_counts *pred, bool predicted);

#endif
