/* SPDX-License-Identifier: GPL-2.0 */
/*
 * spawn's worker: the process that starts the new programs (one per heap
 * size), a small static program of its own (forkbench-spawn-worker,
 * spawn_worker.c) that forkbench forks and execs before any heap exists.
 *
 * Forked straight from forkbench, the worker was forkbench: 45 mappings
 * and about 2 MiB of private anonymous memory (libpfm4's relocated tables,
 * the shared libraries' data, the argument parser's and the results'
 * buffers), which every fork() copied the page tables of and every child's
 * exit tore down.  The exec'd worker is about as small as a minimal C
 * program, so spawn's heap-0 row is the fork of such a program
 * (docs/forkbench.md, "The harness's own cost").
 *
 * Protocol, over two pipes (coordinator -> worker: cmd, worker ->
 * coordinator: res), both ends' numbers in argv[1] and argv[2]:
 *   cmd: struct spawn_setup, once
 *   res: uint64_t thp_bytes of the heap (the worker is ready)
 *   cmd: int method, res: struct spawn_sample, per iteration, until EOF
 */
#ifndef FORKLAB_SPAWN_WORKER_H
#define FORKLAB_SPAWN_WORKER_H

#include "events.h"
#include "heapmem.h"

#include <stdint.h>

#define SPAWN_WORKER "forkbench-spawn-worker"

enum spawn_method { M_FORK_EXIT, M_FORK_EXEC, M_VFORK_EXEC, M_POSIX_SPAWN, M_CLONE_VFORK_EXEC, M_NR };
static const char *const spawn_method_names[] = {
	"fork_exit", "fork_exec", "vfork_exec", "posix_spawn", "clone_vfork_exec", NULL
};

/* What the worker needs: its heap, the exec target, the --events encoded
 * (fd and ok as the coordinator found them: the worker opens on itself
 * those that were ok). */
struct spawn_setup {
	uint64_t heap_bytes;
	enum thp_mode thp;
	char target[4200];
	struct fb_events ev;
};

/* One measured iteration, as the worker sends it to the coordinator. */
struct spawn_sample {
	int rc;			/* 0, -1 error (printed by the worker), 1 stopping */
	double ret, start, reap, parent_minflt, child_minflt;
	double ev[FB_MAX_EVENTS];
};

#endif
