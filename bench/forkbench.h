/* SPDX-License-Identifier: GPL-2.0 */
/* forkbench: one harness (cli.c: command line; harness.c: signals, timing
 * helpers, the run in each fork mode; main.c: the run's order and its
 * output) and the benchmarks, one file each in bench/benchmarks/.  Adding a
 * benchmark is that one file: its struct fb_bench and FB_BENCH(it)
 * (registry.h); the build and the list find it. */
#ifndef FORKLAB_FORKBENCH_H
#define FORKLAB_FORKBENCH_H

#include <argp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "events.h"
#include "heapmem.h"
#include "parse.h"
#include "predict.h"
#include "registry.h"
#include "result.h"
#include "usage.h"

#define FB_MAX_HEAPS 16
#define FB_UNSET UINT64_MAX

/* Exit statuses. */
#define FB_EXIT_OK 0
#define FB_EXIT_ERROR 1		/* the measurement failed */
/* bad input, nothing was run: USAGE_EXIT (usage.h) */

/* Options common to every benchmark. */
struct fb_common {
	uint64_t heaps[FB_MAX_HEAPS];
	int nheaps;
	enum thp_mode thp;
	uint64_t iterations;	/* FB_UNSET: the benchmark's default */
	uint64_t warmup;
	int cpu;		/* -1: not pinned */
	enum fb_format format;
	const char *samples;	/* --samples FILE */
	const char *output;	/* --output FILE (summary) */
	const char *events;	/* --events LIST */
	bool trace;
	bool check_only;	/* --check: parse and check, run nothing */
	enum fork_mode modes[FORK_MODE_NR];	/* --fork-mode list */
	int nmodes;
	enum fork_mode fork_mode; /* the mode this process's forks run in */
	bool takes_args;	/* the benchmark has positional arguments */
	char self_dir[4096];	/* where forkbench lives: exec targets are beside it */

	/* Set up by the harness for run(). */
	struct fb_results *res;
	struct fb_events ev;
};

struct fb_bench {
	const char *name;
	const char *summary;		/* one line for the list */
	unsigned int order;		/* place in the list, lowest first; 0: after those given */
	const struct argp *argp;	/* its own options and --help text */
	uint64_t default_iterations;
	bool trace_heap_only;		/* --trace counts faults in the heap only */
	/* Validate the parsed options (bad input: message in err, exit 2).
	 * Whatever this machine is: --check runs it and no more. */
	int (*check)(struct fb_common *c, char *err, size_t errlen);
	/* Does the run fit this machine (memory, process limits)?  A refusal
	 * is a message in err and exit 2, before anything runs; NULL: always
	 * fits.  Not called by --check. */
	int (*fits)(struct fb_common *c, char *err, size_t errlen);
	/* Measure; 0 done, -1 failed (message printed). Stops early when
	 * fb_stopping() says so. */
	int (*run)(struct fb_common *c);
};

/* Option parsers put a one-line message here and return EINVAL. */
extern char fb_parse_err[2 * FB_ERRLEN];

/* The option parsers' common steps (cli.c), each with its message in
 * fb_parse_err.  A comma-separated option: fn(item, ctx) for each item;
 * the message is the item's (fn sets fb_parse_err) or else the list's
 * ("OPT 'ARG': empty item ...").  EINVAL or 0. */
error_t fb_list_option(const char *opt, const char *arg,
		       int (*fn)(const char *item, void *ctx), void *ctx);
/* A whole number in [min, max] into out ("OPT: why"); EINVAL or 0. */
error_t fb_u64_option(const char *opt, const char *arg, uint64_t min, uint64_t max,
		      uint64_t *out);
/* One item of a list of sizes, appended to vals[*n]: at most cap of them
 * ("OPT: at most CAP sizes"), at most max, at least min ("OPT: ITEM is too
 * small (allowed: ALLOWED)"; min 0: no lower bound).  -1 or 0. */
int fb_add_size(const char *opt, const char *item, uint64_t min, uint64_t max,
		const char *allowed, uint64_t *vals, int *n, int cap);
/* One item of a list of whole numbers in [min, max], appended to vals[*n]:
 * at most cap of them ("OPT: at most CAP NOUN").  -1 or 0. */
int fb_add_u64(const char *opt, const char *item, uint64_t min, uint64_t max,
	       const char *noun, uint64_t *vals, int *n, int cap);

/* Set by SIGINT/SIGTERM: finish the current iteration, clean up, write what
 * was measured as incomplete. */
extern volatile sig_atomic_t fb_stop_signal;
static inline bool fb_stopping(void)
{
	return fb_stop_signal != 0;
}
/* SIGINT, SIGTERM and SIGHUP set fb_stop_signal (no SA_RESTART: waits
 * return EINTR). */
void fb_install_signals(void);

/* One iteration's --events counts (events_end's out) into cell, as the
 * ev:NAME columns; nothing without --events. */
void fb_put_events(const struct fb_common *c, struct fb_cell *cell, const double *vals);

/* Monotonic clock in ns (comparable across processes). */
uint64_t now_ns(void);
/* Minor faults of the calling process so far (getrusage). */
long minflt_self(void);
/* Kills (SIGKILL) and reaps pid; returns its wait status. */
int kill_and_reap(pid_t pid);
/* Reads len bytes from fd, across short reads and EINTR (unless stopping);
 * 0, or -1 on an error, end of file or a stop request. */
int read_full(int fd, void *buf, size_t len);
/* waitpid that survives EINTR; on a stop request the child is killed first.
 * Returns the pid or -1. */
pid_t reap(pid_t pid, int *status, struct rusage *ru);

#endif
