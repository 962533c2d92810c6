// SPDX-License-Identifier: GPL-2.0
/*
 * forkbench pgbench — what a PostgreSQL connection costs: the postmaster
 * forks a backend per connection.
 *
 * Per --shared-buffers SIZE and fork mode: Debian's PostgreSQL 15 cluster
 * is made by initdb (as user postgres: root cannot run the server) in a
 * scratch folder, its server started on a free port of 127.0.0.1 (its
 * socket in the scratch folder, fsync off) with the fork mode set before
 * the exec of postgres (app.h), and filled by pgbench -i -s --scale.  Per
 * iteration pgbench -S -T --seconds runs twice: with -C (a new connection,
 * so a fork of the postmaster, per transaction) and without.  Measured:
 *   select          latency per transaction (pgbench's latency average)
 *   select-connect  the same with -C
 *   connect         their difference in the same iteration: the
 *                   connection's cost per transaction
 * The server goes on every exit path, SIGINT and SIGTERM included (app.c).
 */
#include "app.h"
#include "forkbench.h"
#include "heapmem.h"
#include "sysinfo.h"
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define READY_MS 30000
#define PG_USER "postgres"

static struct {
	uint64_t sb[FB_MAX_HEAPS];
	int nsb;
	uint64_t seconds;
	uint64_t scale;
	const char *bindir;
} opt = { { 0 }, 0, 2, 1, "/usr/lib/postgresql/15/bin" };

static const char *const methods[3] = { "select", "select-connect", "connect" };

/* argv[0] as user (NULL: as is) with its output into log; its exit
 * status, or -1 if it could not run or was stopped. */
static int run_tool(char *const argv[], const char *user, const char *log)
{
	const struct passwd *pw = user ? getpwnam(user) : NULL;
	int status = 0;
	pid_t pid;

	if (user && !pw)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		setpgid(0, 0);
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		if (pw && (fchown(fd, pw->pw_uid, pw->pw_gid) || setgid(pw->pw_gid) ||
			   setuid(pw->pw_uid)))
			_exit(126);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execv(argv[0], argv);
		_exit(127);
	}
	setpgid(pid, pid);
	if (reap(pid, &status, NULL) < 0 || fb_stopping()) {
		kill(-pid, SIGKILL);
		reap(pid, &status, NULL);
		return -1;
	}
	kill(-pid, SIGKILL);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The last line of file into buf. */
static const char *last_line(const char *file, char *buf, size_t len)
{
	char line[512];
	FILE *f = fopen(file, "r");

	snprintf(buf, len, "(no output)");
	if (!f)
		return buf;
	while (fgets(line, sizeof(line), f))
		if (line[0] != '\n') {
			line[strcspn(line, "\n")] = '\0';
			snprintf(buf, len, "%s", line);
		}
	fclose(f);
	return buf;
}

/* pgbench's "latency average = X ms" in ns, or NaN. */
static double latency_ns(const char *file)
{
	char line[512];
	double v = NAN;
	FILE *f = fopen(file, "r");

	if (!f)
		return NAN;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "latency average = %lf ms", &v) == 1)
			break;
	fclose(f);
	return v * 1e6;
}

struct pg {
	struct app_server s;
	char bin[4][600];	/* initdb, postgres, pgbench, pg_isready */
	char data[600], log[600], port[16];
};

static int tool(struct pg *p, char *const argv[], const char *user, const char *what, char *err,
		size_t errlen)
{
	char tail[600];
	int rc = run_tool(argv, user, p->log);

	if (rc == 0 || fb_stopping())
		return rc == 0 ? 0 : 1;
	snprintf(err, errlen, "%s failed (status %d): %s", what, rc,
		 last_line(p->log, tail, sizeof(tail)));
	return -1;
}

/* Its port open, the server may still be starting up: pg_isready until it
 * accepts connections (every 100 ms, up to READY_MS). */
static int accepting(struct pg *p, char *err, size_t errlen)
{
	char *argv[] = { p->bin[3], "-q", "-h", "127.0.0.1", "-p", p->port, "-U", PG_USER,
			 "-t", "1", NULL };
	int k, rc = -1;

	for (k = 0; k < READY_MS / 100 && !fb_stopping(); k++) {
		rc = run_tool(argv, NULL, p->log);
		if (rc == 0 || !app_alive(&p->s))
			break;
		usleep(100000);
	}
	if (rc == 0 || fb_stopping())
		return rc == 0 ? 0 : 1;
	snprintf(err, errlen, "the server does not accept connections (pg_isready status %d)", rc);
	return -1;
}

static int start_server(struct fb_common *c, struct pg *p, uint64_t sb, char *err, size_t errlen)
{
	char sbuf[64], sock[600];
	char *initdb[] = { p->bin[0], "-D", p->data, "-U", PG_USER, "--auth=trust", "-N",
			   "--no-instructions", NULL };
	char *server[] = { p->bin[1], "-D", p->data, "-p", p->port, "-k", sock,
			   "-c", "listen_addresses=127.0.0.1", "-c", sbuf, "-c", "fsync=off",
			   "-c", "max_connections=20", NULL };
	int rc;

	snprintf(p->data, sizeof(p->data), "%s/data", p->s.scratch);
	snprintf(p->log, sizeof(p->log), "%s/client.log", p->s.scratch);
	snprintf(sock, sizeof(sock), "%s", p->s.scratch);
	snprintf(sbuf, sizeof(sbuf), "shared_buffers=%llukB", (unsigned long long)(sb >> 10));
	rc = tool(p, initdb, PG_USER, "initdb", err, errlen);
	if (rc)
		return rc;
	if (app_free_port(&p->s.port, err, errlen))
		return -1;
	snprintf(p->port, sizeof(p->port), "%d", p->s.port);
	if (app_start(&p->s, server, c->fork_mode, PG_USER, err, errlen))
		return -1;
	return app_wait_ready(&p->s, READY_MS, err, errlen) ? -1 : accepting(p, err, errlen);
}

static int fill(struct pg *p, char *err, size_t errlen)
{
	char scale[24];
	char *argv[] = { p->bin[2], "-i", "-q", "-s", scale, "-h", "127.0.0.1", "-p", p->port,
			 "-U", PG_USER, PG_USER, NULL };

	snprintf(scale, sizeof(scale), "%llu", (unsigned long long)opt.scale);
	return tool(p, argv, NULL, "pgbench -i", err, errlen);
}

/* pgbench's "number of transactions actually processed: N", or NaN. */
static double transactions(const char *file)
{
	char line[512];
	double v = NAN;
	unsigned long long n;
	FILE *f = fopen(file, "r");

	if (!f)
		return NAN;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "number of transactions actually processed: %llu", &n) == 1) {
			v = (double)n;
			break;
		}
	fclose(f);
	return v;
}

/* pgbench -S -T seconds, with -C if connect: the latency per transaction;
 * the transactions, if tx is not NULL. */
static int select_run(struct pg *p, bool connect, double *ns, double *tx, char *err,
		      size_t errlen)
{
	char secs[24];
	/* Without -C the database's name takes its slot, and NULL ends the list. */
	char *argv[] = { p->bin[2], "-S", "-n", "-T", secs, "-h", "127.0.0.1", "-p", p->port,
			 "-U", PG_USER, connect ? "-C" : PG_USER, connect ? PG_USER : NULL, NULL };
	int rc;

	snprintf(secs, sizeof(secs), "%llu", (unsigned long long)opt.seconds);
	rc = tool(p, argv, NULL, connect ? "pgbench -S -C" : "pgbench -S", err, errlen);
	if (rc)
		return rc;
	*ns = latency_ns(p->log);
	if (tx)
		*tx = transactions(p->log);
	if (isnan(*ns)) {
		snprintf(err, errlen, "pgbench printed no 'latency average' line");
		return -1;
	}
	return 0;
}

static int iterations(struct fb_common *c, struct pg *p, uint64_t sb, char *err, size_t errlen)
{
	const char *mode = fork_mode_name(c->fork_mode);
	struct fb_cell *cell[3];
	double v[2], tx = NAN;
	uint64_t i;
	int k, rc = 0;

	for (k = 0; k < 3; k++)
		cell[k] = cell_new(c->res, "pgbench", methods[k], mode, sb, "never", c->iterations);
	for (i = 0; i < c->warmup + c->iterations && !rc && !fb_stopping(); i++) {
		rc = select_run(p, false, &v[0], NULL, err, errlen);
		trace_begin();
		if (!rc)
			rc = select_run(p, true, &v[1], &tx, err, errlen);
		if (rc || i < c->warmup)
			continue;
		cell_put(cell[0], "latency", FB_TIME, v[0]);
		cell_put(cell[1], "latency", FB_TIME, v[1]);
		cell_put(cell[2], "connect", FB_TIME, v[1] - v[0]);
		/* With -C every transaction is a new connection (a backend the
		 * postmaster forks), after pgbench's own first one (its scale
		 * query): the connections of the traced window. */
		cell_put(cell[2], "connections", FB_SUM, tx + 1);
		trace_end(cell[2], 1);
		for (k = 0; k < 3; k++)
			cell_commit(cell[k]);
	}
	return rc;
}

static int run_size(struct fb_common *c, uint64_t sb)
{
	static struct pg p;
	char err[FB_ERRLEN + 1200], tail[600];
	int rc = -1;

	memset(&p, 0, sizeof(p));
	app_init(&p.s);
	err[0] = '\0';
	snprintf(p.bin[0], sizeof(p.bin[0]), "%s/initdb", opt.bindir);
	snprintf(p.bin[1], sizeof(p.bin[1]), "%s/postgres", opt.bindir);
	snprintf(p.bin[2], sizeof(p.bin[2]), "%s/pgbench", opt.bindir);
	snprintf(p.bin[3], sizeof(p.bin[3]), "%s/pg_isready", opt.bindir);
	if (app_scratch(&p.s, "pgbench", PG_USER, err, sizeof(err)))
		goto cleanup;
	rc = start_server(c, &p, sb, err, sizeof(err));
	if (!rc)
		rc = fill(&p, err, sizeof(err));
	if (!rc)
		rc = iterations(c, &p, sb, err, sizeof(err));
cleanup:
	if (rc < 0 && !fb_stopping()) {
		fprintf(stderr, "forkbench pgbench: %s\n", err);
		if (p.s.scratch[0] && p.s.pid)
			fprintf(stderr, "forkbench pgbench: the server's log ends: %s\n",
				app_log_tail(&p.s, tail, sizeof(tail)));
	}
	app_stop(&p.s);
	return rc < 0 && !fb_stopping() ? -1 : 0;
}

static int pgbench_run(struct fb_common *c)
{
	int k, rc = 0;

	for (k = 0; k < opt.nsb && !rc && !fb_stopping(); k++)
		rc = run_size(c, opt.sb[k]);
	return rc;
}

/* ---- options ----------------------------------------------------------- */

static int add_sb(const char *item, void *ctx)
{
	(void)ctx;
	return fb_add_size("--shared-buffers", item, 1ULL << 20, 1ULL << 40, "1M..1T", opt.sb,
			   &opt.nsb, FB_MAX_HEAPS);
}

enum { OPT_SB = 0x900, OPT_SECONDS, OPT_SCALE, OPT_BINDIR };

static const struct argp_option pgbench_options[] = {
	{ NULL, 0, NULL, 0, "pgbench options:", 2 },
	{ "shared-buffers", OPT_SB, "SIZE[,SIZE...]", 0,
	  "PostgreSQL's shared_buffers; a list runs each (1M..1T, default 16M)", 2 },
	{ "seconds", OPT_SECONDS, "N", 0,
	  "pgbench -T per run, each iteration runs twice (1..3600, default 2)", 2 },
	{ "scale", OPT_SCALE, "N", 0, "pgbench -i -s scale (1..10000, default 1)", 2 },
	{ "bindir", OPT_BINDIR, "DIR", 0,
	  "Where initdb, postgres and pgbench are (default /usr/lib/postgresql/15/bin)", 2 },
	{ 0 }
};

static error_t pgbench_parse(int key, char *arg, struct argp_state *state)
{
	(void)state;
	switch (key) {
	case OPT_SB:
		opt.nsb = 0;
		return fb_list_option("--shared-buffers", arg, add_sb, NULL);
	case OPT_SECONDS:
		return fb_u64_option("--seconds", arg, 1, 3600, &opt.seconds);
	case OPT_SCALE:
		return fb_u64_option("--scale", arg, 1, 10000, &opt.scale);
	case OPT_BINDIR:
		opt.bindir = arg;
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static int pgbench_check(struct fb_common *c, char *err, size_t errlen)
{
	if (app_no_heap(c, "pgbench", "--shared-buffers SIZE sets PostgreSQL's shared_buffers",
			     "PostgreSQL's", err, errlen))
		return -1;
	if (!opt.nsb) {
		opt.sb[0] = 16ULL << 20;
		opt.nsb = 1;
	}
	return 0;
}

static int pgbench_fits(struct fb_common *c, char *err, size_t errlen)
{
	static const char *const progs[] = { "initdb", "postgres", "pgbench", "pg_isready", NULL };
	char path[600], what[96], sz[32];
	uint64_t need = 0;
	int k;

	(void)c;
	for (k = 0; progs[k]; k++) {
		snprintf(path, sizeof(path), "%s/%s", opt.bindir, progs[k]);
		if (app_need(path, "postgresql-15", err, errlen))
			return -1;
	}
	if (geteuid() != 0) {
		snprintf(err, errlen, "pgbench runs PostgreSQL as user " PG_USER
			 " and needs root (running as uid %u)", (unsigned)geteuid());
		return -1;
	}
	if (!getpwnam(PG_USER)) {
		snprintf(err, errlen, "no user " PG_USER " on this machine: install Debian's "
			 "postgresql-15 (scripts/install-deps.sh)");
		return -1;
	}
	for (k = 0; k < opt.nsb; k++)
		if (opt.sb[k] > need)
			need = opt.sb[k];
	snprintf(what, sizeof(what), "--shared-buffers %s", fmt_size(need, sz, sizeof(sz)));
	return heap_fits(need + (64ULL << 20), what, err, errlen);
}

static const struct argp pgbench_argp = {
	pgbench_options, pgbench_parse, NULL,
	"forkbench pgbench: what a PostgreSQL connection costs (a fork of the postmaster "
	"per connection), with pgbench -S with and without -C.\v"
	"Makes a PostgreSQL 15 cluster with initdb as user postgres in a scratch folder, "
	"starts its server on a free port of 127.0.0.1 (fsync off, --shared-buffers), "
	"fills it with pgbench -i -s --scale, then per iteration runs pgbench -S -T "
	"--seconds without -C and with -C (a new connection per transaction).\n"
	"Rows: select latency, select-connect latency (pgbench's latency average per "
	"transaction), connect connect (their difference in the same iteration: a "
	"connection's cost). Needs root. The server is stopped and its folder removed on "
	"every exit.\n\n"
	"Examples:\n"
	"  forkbench pgbench -n 3 --seconds 2\n"
	"  forkbench pgbench --shared-buffers 16M,1G --fork-mode cow,eager -n 5",
	NULL, NULL, NULL
};

static const struct fb_bench pgbench_bench = {
	.name = "pgbench",
	.order = 85,
	.summary = "PostgreSQL pgbench -S with and without -C: a connection's fork cost",
	.argp = &pgbench_argp,
	.default_iterations = 5,
	.trace_heap_only = false,
	.check = pgbench_check,
	.fits = pgbench_fits,
	.run = pgbench_run,
};
FB_BENCH(pgbench_bench);
