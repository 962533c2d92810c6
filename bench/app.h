/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Application benchmarks' servers (redis, pgbench): a real server started
 * by forkbench itself and gone when forkbench is.
 *
 *   struct app_server s;
 *   app_init(&s);
 *   app_no_heap(c, "redis", ..., err, len)      --heap and --thp refused
 *   app_need(path, "redis-server", err, len)   missing program: a refusal
 *   app_scratch(&s, "redis", owner, err, len)  a scratch folder (mkdtemp)
 *   app_free_port(&s.port, err, len)           a free TCP port on 127.0.0.1
 *   app_start(&s, argv, mode, user, err, len)  fork, fork mode, exec
 *   app_wait_ready(&s, timeout_ms, err, len)   until the port accepts
 *   app_stop(&s)                               on every exit path
 *
 * The server runs in a process group of its own (its children too: a
 * BGSAVE child, a backend), with its standard output and error in
 * SCRATCH/server.log.  The fork mode is set by prctl in the process that
 * execs the server (lib/fork_mode.h: inherited and kept across exec);
 * with a user, the process drops to it before the exec.  app_stop sends
 * SIGTERM to the group, waits, SIGKILLs it after APP_STOP_MS, reaps the
 * server and removes the scratch folder.  PR_SET_PDEATHSIG takes the
 * server down if forkbench itself dies (SIGKILL); forkbench is the
 * children's subreaper (harness.c), so a child of the server outliving it
 * is reaped at the end of the run.
 */
#ifndef FORKLAB_APP_H
#define FORKLAB_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "fork_mode.h"

#define APP_STOP_MS 5000

struct app_server {
	pid_t pid;		/* 0: not running */
	int port;
	char scratch[512];	/* "": none */
	char log[600];
};

struct fb_common;

void app_init(struct app_server *s);
/* The benchmark's check of the common options: the server's memory is its
 * own, so --heap other than 0 ("--heap: NAME has no heap of its own; SETS")
 * and --thp other than never ("--thp: NAME leaves WHOSE memory to the
 * kernel (allowed: never)") are refused: -1 with the message in err. */
int app_no_heap(const struct fb_common *c, const char *name, const char *sets,
		const char *whose, char *err, size_t errlen);
/* 0 if path is an executable file; else -1 and "PATH not found: install
 * Debian's PKG (scripts/install-deps.sh)" in err. */
int app_need(const char *path, const char *pkg, char *err, size_t errlen);
/* mkdtemp of $TMPDIR (or /tmp)/forklab-TAG-XXXXXX; owned by user if not NULL. */
int app_scratch(struct app_server *s, const char *tag, const char *user, char *err,
		size_t errlen);
int app_free_port(int *port, char *err, size_t errlen);
/* Starts argv[0] (a path) with argv; mode FORK_MODE_INHERIT: leaves the mode. */
int app_start(struct app_server *s, char *const argv[], enum fork_mode mode, const char *user,
	      char *err, size_t errlen);
/* 0 once 127.0.0.1:port accepts a connection; -1 on timeout, on the
 * server's exit or on a stop request, with the log's last line in err. */
int app_wait_ready(struct app_server *s, int timeout_ms, char *err, size_t errlen);
/* Whether the server is still running (reaps it if it exited). */
bool app_alive(struct app_server *s);
/* The log's last non-empty line ("(empty log)" if none) into buf. */
const char *app_log_tail(const struct app_server *s, char *buf, size_t len);
/* Stops the server's group and removes the scratch folder; idempotent. */
void app_stop(struct app_server *s);
/* Removes dir and everything below it (links not followed), as far as it can. */
void app_remove_tree(const char *dir);

#endif
