// SPDX-License-Identifier: GPL-2.0
/*
 * forkbench redis — a Redis snapshot (BGSAVE: fork, then the child writes
 * the dataset out) under a steady write load.
 *
 * Per --dataset SIZE and fork mode: Debian's redis-server is started on a
 * free port of 127.0.0.1 (no persistence but the BGSAVEs this benchmark
 * asks for, its files in a scratch folder; app.h), filled by DEBUG
 * POPULATE with values of 1 KiB until used_memory reaches SIZE, then per
 * iteration a client sends SETs of existing keys (random, 1 KiB values)
 * at --rate per second for --around ms, sends BGSAVE, keeps on until the
 * snapshot is done (INFO persistence every 10 ms) and --around ms after.
 * A SET's latency runs from the time the schedule gave it (not the time
 * it could be sent): a SET due while the server forks waits for the fork.
 * Measured:
 *   bgsave      fork (Redis's own latest_fork_usec), bgsave (BGSAVE sent
 *               until INFO shows it done), bgsave_cmd (the BGSAVE call:
 *               the fork and the reply); rdb_last_cow_size,
 *               current_cow_peak (the largest seen while it ran),
 *               used_memory, used_memory_rss, keys, fork_ms_per_gib
 *               (latest_fork_usec per GiB of RSS)
 *   set-before, set-during, set-after   every SET's latency by phase
 *   timeline    one row per 100 ms window (window_start_ms from the
 *               BGSAVE): window_p50, window_p99, window_max, window_ops,
 *               window_phase (0 before, 1 during, 2 after) and
 *               window_iteration, for the report's plot
 * The server goes on every exit path, SIGINT and SIGTERM included (app.c).
 */
#include "app.h"
#include "forkbench.h"
#include "sysinfo.h"
#include "trace.h"

#include <errno.h>
#include <hiredis/hiredis.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define VALUE_BYTES 1024
#define WINDOW_NS 100000000ULL
#define POLL_NS 10000000ULL
#define MAX_BATCH 1000
#define READY_MS 20000
#define BGSAVE_LIMIT_NS (3600ULL * 1000000000ULL)
#define CATCH_UP_NS (10ULL * 1000000000ULL)

static struct {
	uint64_t ds[FB_MAX_HEAPS];
	int nds;
	uint64_t rate;
	uint64_t around_ms;
	const char *server;
} opt = { { 0 }, 0, 2000, 500, "/usr/bin/redis-server" };

/* ---- growing arrays ---------------------------------------------------- */

struct dvec {
	double *v;
	size_t n, cap;
};

static int dvec_push(struct dvec *d, double x)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 4096;
		double *v = realloc(d->v, cap * sizeof(*v));

		if (!v)
			return -1;
		d->v = v;
		d->cap = cap;
	}
	d->v[d->n++] = x;
	return 0;
}

static void dvec_free(struct dvec *d)
{
	free(d->v);
	memset(d, 0, sizeof(*d));
}

/* What one dataset's run keeps until its rows are written. */
struct run {
	redisContext *data, *ctl;
	uint64_t nkeys, used, rss;
	uint64_t rng;
	char value[VALUE_BYTES];
	struct dvec when, lat;		/* this iteration's SETs: due time from t0, latency */
	struct dvec phase[3];		/* measured SETs by phase */
	struct dvec win[7];		/* measured windows: start_ms p50 p99 max ops phase iter */
};

static const char *const phase_methods[3] = { "set-before", "set-during", "set-after" };

/* ---- Redis ------------------------------------------------------------- */

static redisReply *cmd(redisContext *r, const char *what, char *err, size_t errlen,
		       const char *fmt, ...)
{
	redisReply *rep;
	va_list ap;

	va_start(ap, fmt);
	rep = redisvCommand(r, fmt, ap);
	va_end(ap);
	if (!rep) {
		snprintf(err, errlen, "%s: %s", what, r->errstr[0] ? r->errstr : "no reply");
		return NULL;
	}
	if (rep->type == REDIS_REPLY_ERROR) {
		snprintf(err, errlen, "%s: %s", what, rep->str);
		freeReplyObject(rep);
		return NULL;
	}
	return rep;
}

/* The value of field in an INFO reply, or NaN. */
static double info_field(const char *info, const char *field)
{
	size_t len = strlen(field);
	const char *p = info;

	while ((p = strstr(p, field)) != NULL) {
		if ((p == info || p[-1] == '\n') && p[len] == ':')
			return strtod(p + len + 1, NULL);
		p += len;
	}
	return NAN;
}

/* INFO section into out[] for the fields named; 0 or -1 (err). */
static int info(redisContext *r, const char *section, const char *const *fields, double *out,
		char *err, size_t errlen)
{
	redisReply *rep = cmd(r, "INFO", err, errlen, "INFO %s", section);
	int i;

	if (!rep)
		return -1;
	for (i = 0; fields[i]; i++)
		out[i] = rep->type == REDIS_REPLY_STRING ?
			 info_field(rep->str, fields[i]) : NAN;
	freeReplyObject(rep);
	return 0;
}

static redisContext *connect_to(int port, char *err, size_t errlen)
{
	struct timeval tv = { 5, 0 };
	redisContext *r = redisConnectWithTimeout("127.0.0.1", port, tv);

	if (!r || r->err) {
		snprintf(err, errlen, "cannot connect to 127.0.0.1:%d: %s", port,
			 r ? r->errstr : "out of memory");
		redisFree(r);
		return NULL;
	}
	/* A reply that never comes (a server stopped) ends the run. */
	tv.tv_sec = 120;
	redisSetTimeout(r, tv);
	return r;
}

/* DEBUG POPULATE until used_memory reaches ds: the key count from a first
 * fill, once corrected. */
static int populate(struct run *x, uint64_t ds, char *err, size_t errlen)
{
	static const char *const f[] = { "used_memory", "used_memory_rss", NULL };
	double v[2];
	uint64_t n = ds / (VALUE_BYTES + 128) + 1;
	redisReply *rep;
	int pass;

	for (pass = 0; pass < 3 && !fb_stopping(); pass++) {
		rep = cmd(x->ctl, "DEBUG POPULATE", err, errlen, "DEBUG POPULATE %llu key %d",
			  (unsigned long long)n, VALUE_BYTES);
		if (!rep)
			return -1;
		freeReplyObject(rep);
		if (info(x->ctl, "memory", f, v, err, errlen))
			return -1;
		x->nkeys = n;
		x->used = isfinite(v[0]) ? (uint64_t)v[0] : 0;
		x->rss = isfinite(v[1]) ? (uint64_t)v[1] : 0;
		if (!x->used) {
			snprintf(err, errlen, "INFO memory has no used_memory");
			return -1;
		}
		if ((double)x->used >= 0.97 * (double)ds)
			return 0;
		n = (uint64_t)((double)n * (double)ds / (double)x->used) + 1;
	}
	if (fb_stopping())
		return -1;
	snprintf(err, errlen, "DEBUG POPULATE reached used_memory %llu bytes, not %llu",
		 (unsigned long long)x->used, (unsigned long long)ds);
	return -1;
}

/* ---- one BGSAVE -------------------------------------------------------- */

struct bgsave {
	uint64_t t0, t_bg, t_done;	/* start, BGSAVE sent, seen done */
	uint64_t cmd_ns;		/* the BGSAVE call */
	double cow_peak;
};

static void sleep_until(uint64_t t)
{
	struct timespec ts = { (time_t)(t / 1000000000ULL), (long)(t % 1000000000ULL) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR &&
	       !fb_stopping())
		;
}

/* The SETs due by now, pipelined; each one's latency from its due time. */
static int send_due(struct run *x, struct bgsave *b, uint64_t *next, char *err, size_t errlen)
{
	uint64_t period = 1000000000ULL / opt.rate, now = now_ns(), due[MAX_BATCH], k;
	redisReply *rep;
	size_t n = 0, i;

	while (n < MAX_BATCH && b->t0 + *next * period <= now) {
		x->rng ^= x->rng << 13;
		x->rng ^= x->rng >> 7;
		x->rng ^= x->rng << 17;
		k = x->rng % x->nkeys;
		x->value[0] = (char)('a' + *next % 26);
		redisAppendCommand(x->data, "SET key:%llu %b", (unsigned long long)k, x->value,
				   (size_t)VALUE_BYTES);
		due[n++] = b->t0 + (*next)++ * period;
	}
	for (i = 0; i < n; i++) {
		if (redisGetReply(x->data, (void **)&rep) != REDIS_OK || !rep) {
			snprintf(err, errlen, "SET: %s", x->data->errstr[0] ? x->data->errstr : "no reply");
			return -1;
		}
		now = now_ns();
		freeReplyObject(rep);
		if (dvec_push(&x->when, (double)(due[i] - b->t0)) ||
		    dvec_push(&x->lat, (double)(now - due[i]))) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	return 0;
}

/* INFO persistence while the snapshot runs: 1 once it is done. */
static int poll_done(struct run *x, struct bgsave *b, char *err, size_t errlen)
{
	redisReply *rep = cmd(x->ctl, "INFO", err, errlen, "INFO persistence");
	double peak;
	int rc = -1;

	if (!rep)
		return -1;
	if (rep->type != REDIS_REPLY_STRING) {
		snprintf(err, errlen, "INFO persistence: not a string reply");
		goto cleanup;
	}
	peak = info_field(rep->str, "current_cow_peak");
	if (isfinite(peak) && (isnan(b->cow_peak) || peak > b->cow_peak))
		b->cow_peak = peak;
	rc = info_field(rep->str, "rdb_bgsave_in_progress") == 0;
	if (rc && !strstr(rep->str, "rdb_last_bgsave_status:ok")) {
		snprintf(err, errlen, "BGSAVE failed (rdb_last_bgsave_status is not ok)");
		rc = -1;
	}
cleanup:
	freeReplyObject(rep);
	return rc;
}

static int start_bgsave(struct run *x, struct bgsave *b, char *err, size_t errlen)
{
	redisReply *rep;

	b->t_bg = now_ns();
	rep = cmd(x->ctl, "BGSAVE", err, errlen, "BGSAVE");
	b->cmd_ns = now_ns() - b->t_bg;
	if (!rep)
		return -1;
	freeReplyObject(rep);
	return 0;
}

/* The schedule of one iteration: before, during, after. */
static int one_bgsave(struct run *x, struct bgsave *b, char *err, size_t errlen)
{
	uint64_t around = opt.around_ms * 1000000ULL, period = 1000000000ULL / opt.rate;
	uint64_t next = 0, last_poll = 0, wake;
	int state = 0, rc;

	memset(b, 0, sizeof(*b));
	b->cow_peak = NAN;
	x->when.n = x->lat.n = 0;
	b->t0 = now_ns();
	while (!fb_stopping()) {
		uint64_t now = now_ns();

		if (state == 0 && now >= b->t0 + around) {
			if (start_bgsave(x, b, err, errlen))
				return -1;
			state = 1;
			last_poll = now_ns();
		} else if (state == 1 && now >= last_poll + POLL_NS) {
			rc = poll_done(x, b, err, errlen);
			if (rc < 0)
				return -1;
			last_poll = now_ns();
			if (rc) {
				b->t_done = last_poll;
				state = 2;
			} else if (last_poll - b->t_bg > BGSAVE_LIMIT_NS) {
				snprintf(err, errlen, "BGSAVE still running after an hour");
				return -1;
			}
		} else if (state == 2 && (b->t0 + next * period >= b->t_done + around ||
					  now >= b->t_done + around + CATCH_UP_NS)) {
			/* Every SET due up to --around after the snapshot was sent
			 * (a client that fell behind catches up first, for a while). */
			return 0;
		}
		if (send_due(x, b, &next, err, errlen))
			return -1;
		wake = b->t0 + next * period;
		if (state == 1 && last_poll + POLL_NS < wake)
			wake = last_poll + POLL_NS;
		sleep_until(wake);
	}
	snprintf(err, errlen, "interrupted");
	return 1;
}

/* ---- rows -------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double quantile(const double *v, size_t n, double q)
{
	size_t i = (size_t)ceil(q * (double)n);

	return v[i ? i - 1 : 0];
}

/* This iteration's SETs by phase and by 100 ms window from the BGSAVE. */
static int keep_iteration(struct run *x, const struct bgsave *b, uint64_t iter)
{
	double bg = (double)(b->t_bg - b->t0), done = (double)(b->t_done - b->t0);
	size_t i = 0, j;
	int rc = 0;

	for (j = 0; j < x->when.n && !rc; j++) {
		int ph = x->when.v[j] < bg ? 0 : x->when.v[j] < done ? 1 : 2;

		rc = dvec_push(&x->phase[ph], x->lat.v[j]);
	}
	while (i < x->when.n && !rc) {
		double w = floor((x->when.v[i] - bg) / (double)WINDOW_NS), start = bg + w * WINDOW_NS;
		double vals[7];

		for (j = i; j < x->when.n && x->when.v[j] < start + (double)WINDOW_NS; j++)
			;
		qsort(x->lat.v + i, j - i, sizeof(double), cmp_double);
		vals[0] = w * (double)WINDOW_NS / 1e6;
		vals[1] = quantile(x->lat.v + i, j - i, 0.5);
		vals[2] = quantile(x->lat.v + i, j - i, 0.99);
		vals[3] = x->lat.v[j - 1];
		vals[4] = (double)(j - i);
		vals[5] = start + (double)WINDOW_NS <= bg ? 0 : start >= done ? 2 : 1;
		vals[6] = (double)iter;
		for (int k = 0; k < 7 && !rc; k++)
			rc = dvec_push(&x->win[k], vals[k]);
		i = j;
	}
	return rc;
}

static void put_rows(struct fb_common *c, struct run *x, uint64_t ds)
{
	static const char *const wn[7] = { "window_start_ms", "window_p50", "window_p99",
					   "window_max", "window_ops", "window_phase",
					   "window_iteration" };
	const char *mode = fork_mode_name(c->fork_mode);
	struct fb_cell *cell;
	size_t i;
	int p, k;

	for (p = 0; p < 3; p++) {
		if (!x->phase[p].n)
			continue;
		cell = cell_new(c->res, "redis", phase_methods[p], mode, ds, "never", x->phase[p].n);
		for (i = 0; i < x->phase[p].n; i++) {
			cell_put(cell, "set", FB_TIME, x->phase[p].v[i]);
			cell_commit(cell);
		}
	}
	if (!x->win[0].n)
		return;
	cell = cell_new(c->res, "redis", "timeline", mode, ds, "never", x->win[0].n);
	for (i = 0; i < x->win[0].n; i++) {
		for (k = 0; k < 7; k++)
			cell_put(cell, wn[k], k >= 1 && k <= 3 ? FB_TIME : FB_MEDIAN, x->win[k].v[i]);
		cell_commit(cell);
	}
}

static int bgsave_row(struct run *x, const struct bgsave *b, struct fb_cell *cell, char *err,
		      size_t errlen)
{
	static const char *const fs[] = { "latest_fork_usec", NULL };
	static const char *const fp[] = { "rdb_last_cow_size", "rdb_last_bgsave_time_sec", NULL };
	double s[1], p[2];

	if (info(x->ctl, "stats", fs, s, err, errlen) ||
	    info(x->ctl, "persistence", fp, p, err, errlen))
		return -1;
	cell_put(cell, "fork", FB_TIME, s[0] * 1000);
	cell_put(cell, "bgsave", FB_TIME, (double)(b->t_done - b->t_bg));
	cell_put(cell, "bgsave_cmd", FB_TIME, (double)b->cmd_ns);
	cell_put(cell, "rdb_last_cow_size", FB_MEDIAN, p[0]);
	cell_put(cell, "current_cow_peak", FB_MEDIAN, b->cow_peak);
	cell_put(cell, "rdb_last_bgsave_time_sec", FB_MEDIAN, p[1]);
	cell_put(cell, "used_memory", FB_MEDIAN, (double)x->used);
	cell_put(cell, "used_memory_rss", FB_MEDIAN, (double)x->rss);
	cell_put(cell, "keys", FB_MEDIAN, (double)x->nkeys);
	cell_put(cell, "fork_ms_per_gib", FB_MEDIAN,
		 x->rss ? s[0] / 1000 / ((double)x->rss / (1ULL << 30)) : NAN);
	return 0;
}

/* ---- the run ----------------------------------------------------------- */

static int start_server(struct fb_common *c, struct app_server *s, char *err, size_t errlen)
{
	char port[16];
	char *argv[] = { (char *)opt.server, "--port", port, "--bind", "127.0.0.1",
			 "--save", "", "--appendonly", "no", "--dir", s->scratch,
			 "--dbfilename", "dump.rdb", "--enable-debug-command", "local",
			 "--daemonize", "no", "--logfile", "", "--protected-mode", "yes", NULL };

	if (app_free_port(&s->port, err, errlen))
		return -1;
	snprintf(port, sizeof(port), "%d", s->port);
	if (app_start(s, argv, c->fork_mode, NULL, err, errlen))
		return -1;
	return app_wait_ready(s, READY_MS, err, errlen);
}

static void run_free(struct run *x)
{
	int k;

	if (x->data)
		redisFree(x->data);
	if (x->ctl)
		redisFree(x->ctl);
	dvec_free(&x->when);
	dvec_free(&x->lat);
	for (k = 0; k < 3; k++)
		dvec_free(&x->phase[k]);
	for (k = 0; k < 7; k++)
		dvec_free(&x->win[k]);
}

static int iterations(struct fb_common *c, struct run *x, uint64_t ds, char *err, size_t errlen)
{
	struct fb_cell *cell = cell_new(c->res, "redis", "bgsave", fork_mode_name(c->fork_mode),
					ds, "never", c->iterations);
	struct bgsave b;
	uint64_t i;
	int rc = 0;

	for (i = 0; i < c->warmup + c->iterations && !rc && !fb_stopping(); i++) {
		bool measured = i >= c->warmup;

		trace_begin();
		rc = one_bgsave(x, &b, err, errlen);
		if (rc || !measured)
			continue;
		rc = bgsave_row(x, &b, cell, err, errlen);
		if (rc)
			break;
		trace_end(cell, 1);
		cell_commit(cell);
		rc = keep_iteration(x, &b, i - c->warmup);
		if (rc)
			snprintf(err, errlen, "out of memory");
	}
	return rc;
}

static int run_dataset(struct fb_common *c, uint64_t ds)
{
	static struct run x;
	struct app_server s;
	char err[FB_ERRLEN + 512], tail[400];
	int rc = -1;

	memset(&x, 0, sizeof(x));
	memset(x.value, 'v', sizeof(x.value));
	x.rng = 0x9e3779b97f4a7c15ULL;
	app_init(&s);
	err[0] = '\0';
	if (app_scratch(&s, "redis", NULL, err, sizeof(err)) ||
	    start_server(c, &s, err, sizeof(err)))
		goto cleanup;
	x.data = connect_to(s.port, err, sizeof(err));
	x.ctl = x.data ? connect_to(s.port, err, sizeof(err)) : NULL;
	if (!x.ctl || populate(&x, ds, err, sizeof(err)))
		goto cleanup;
	rc = iterations(c, &x, ds, err, sizeof(err));
	if (rc >= 0)
		put_rows(c, &x, ds);
cleanup:
	if (rc < 0 && !fb_stopping()) {
		fprintf(stderr, "forkbench redis: %s\n", err);
		if (s.scratch[0] && s.pid)
			fprintf(stderr, "forkbench redis: the server's log ends: %s\n",
				app_log_tail(&s, tail, sizeof(tail)));
	}
	run_free(&x);
	app_stop(&s);
	return rc < 0 && !fb_stopping() ? -1 : 0;
}

static int redis_run(struct fb_common *c)
{
	int k, rc = 0;

	/* Wake-ups on time: the SETs' schedule is what latencies count from. */
	prctl(PR_SET_TIMERSLACK, 1UL);
	for (k = 0; k < opt.nds && !rc && !fb_stopping(); k++)
		rc = run_dataset(c, opt.ds[k]);
	return rc;
}

/* ---- options ----------------------------------------------------------- */

static int add_ds(const char *item, void *ctx)
{
	(void)ctx;
	return fb_add_size("--dataset", item, 1ULL << 20, 1ULL << 42, "1M..4T", opt.ds, &opt.nds,
			   FB_MAX_HEAPS);
}

enum { OPT_DATASET = 0x700, OPT_RATE, OPT_AROUND, OPT_SERVER };

static const struct argp_option redis_options[] = {
	{ NULL, 0, NULL, 0, "redis options:", 2 },
	{ "dataset", OPT_DATASET, "SIZE[,SIZE...]", 0,
	  "Redis's used_memory to fill with DEBUG POPULATE (1 KiB values); a list runs each "
	  "(1M..4T, default 64M)", 2 },
	{ "rate", OPT_RATE, "N", 0, "SETs per second during the run (100..100000, default 2000)", 2 },
	{ "around", OPT_AROUND, "MS", 0,
	  "Load before the BGSAVE and after it is done, in ms (100..60000, default 500)", 2 },
	{ "server", OPT_SERVER, "PATH", 0, "The redis-server to run (default /usr/bin/redis-server)", 2 },
	{ 0 }
};

static error_t redis_parse(int key, char *arg, struct argp_state *state)
{
	(void)state;
	switch (key) {
	case OPT_DATASET:
		opt.nds = 0;
		return fb_list_option("--dataset", arg, add_ds, NULL);
	case OPT_RATE:
		return fb_u64_option("--rate", arg, 100, 100000, &opt.rate);
	case OPT_AROUND:
		return fb_u64_option("--around", arg, 100, 60000, &opt.around_ms);
	case OPT_SERVER:
		opt.server = arg;
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static int redis_check(struct fb_common *c, char *err, size_t errlen)
{
	if (app_no_heap(c, "redis", "--dataset SIZE sets Redis's used_memory", "Redis's", err,
			     errlen))
		return -1;
	if (!opt.nds) {
		opt.ds[0] = 64ULL << 20;
		opt.nds = 1;
	}
	return 0;
}

/* Redis's dataset and its overhead (jemalloc, the dict: about a third more
 * RSS than used_memory), twice when a mode copies everything at fork. */
static int redis_fits(struct fb_common *c, char *err, size_t errlen)
{
	char what[96], sz[32];
	uint64_t need = 0;
	bool eager = false;
	int k;

	if (app_need(opt.server, "redis-server", err, errlen))
		return -1;
	for (k = 0; k < c->nmodes; k++)
		eager |= c->modes[k] == FORK_MODE_EAGER;
	for (k = 0; k < opt.nds; k++)
		if (opt.ds[k] > need)
			need = opt.ds[k];
	snprintf(what, sizeof(what), "--dataset %s (with Redis's overhead, a third more%s)",
		 fmt_size(need, sz, sizeof(sz)), eager ? ", twice for eager" : "");
	need += need / 3;
	return heap_fits(eager ? 2 * need : need, what, err, errlen);
}

static const struct argp redis_argp = {
	redis_options, redis_parse, NULL,
	"forkbench redis: a Redis snapshot (BGSAVE) under a steady write load: Redis's own "
	"fork time and copy-on-write, and the client's SET latency before, during and after.\v"
	"Starts Debian's redis-server on a free port of 127.0.0.1 (a scratch folder, no "
	"persistence but the BGSAVEs asked for), fills it to --dataset with DEBUG POPULATE, "
	"then per iteration sends SETs of existing keys at --rate for --around ms, BGSAVE, "
	"SETs until INFO shows the snapshot done and --around ms more. A SET's latency runs "
	"from its scheduled time.\n"
	"Rows: bgsave fork (latest_fork_usec), bgsave (its duration), bgsave_cmd (the call), "
	"with rdb_last_cow_size, current_cow_peak, used_memory, used_memory_rss, keys, "
	"fork_ms_per_gib; set-before, set-during, set-after set (every SET's latency); "
	"timeline window_p50/p99/max per 100 ms window (window_start_ms from the BGSAVE) in "
	"the samples file. The server is stopped and its folder removed on every exit.\n\n"
	"Examples:\n"
	"  forkbench redis --dataset 64M -n 3 --warmup 1\n"
	"  forkbench redis --dataset 1G,4G --rate 10000 --format csv --samples s.csv\n"
	"  forkbench redis --dataset 8G --fork-mode cow,eager -n 5",
	NULL, NULL, NULL
};

static const struct fb_bench redis_bench = {
	.name = "redis",
	.order = 70,
	.summary = "Redis BGSAVE under a write load: fork time, COW, client latency",
	.argp = &redis_argp,
	.default_iterations = 5,
	.trace_heap_only = false,
	.check = redis_check,
	.fits = redis_fits,
	.run = redis_run,
};
FB_BENCH(redis_bench);
