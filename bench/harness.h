/* SPDX-License-Identifier: GPL-2.0 */
/* forkbench's harness (harness.c); the helpers benchmarks call are in
 * forkbench.h. */
#ifndef FORKLAB_HARNESS_H
#define FORKLAB_HARNESS_H

#include "forkbench.h"

/* Runs b in each --fork-mode of c (the kernel's mode when none was given)
 * into res, with SIGINT/SIGTERM/SIGHUP stopping it early, and every child
 * reaped at the end.  res is marked incomplete (why) when stopped or when
 * a run failed.  Returns 0, or -1 if a run failed. */
int fb_run(const struct fb_bench *b, struct fb_common *c, struct fb_results *res);

#endif
