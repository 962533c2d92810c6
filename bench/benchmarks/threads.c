// SPDX-License-Identifier: GPL-2.0
/*
 * forkbench threads — what fork does to the parent's other threads.
 *
 * The parent (a heap of --heap SIZE, every page written) runs --threads N
 * threads, each a timed loop of one operation (--thread-work): read or
 * write a byte of one of its own 64 pages, or a system call (getppid).
 * The main thread forks, the child exits at once, the main thread reaps it
 * and sleeps for as long as the fork took (at least 10 ms), over and over.
 * An operation that overlapped a fork() call (a sequence number the main
 * thread bumps before and after fork, read by the thread before and after
 * the operation) is "during", any other "outside".  Measured:
 *   fork     the fork() call in the main thread
 *   stall    per fork, the longest operation of any thread overlapping it
 *   op       per operation, in two rows: METHOD-during and METHOD-outside
 *            (a uniform sample of at most 20,000 per thread each)
 * The threads' pages lie below the heap: fork write-protects them before it
 * copies the heap's page tables, so a write waits for the rest of the fork
 * (the mmap lock it holds), while a read or a system call that takes no
 * fault runs on.  With root, tlb:tlb_flush counts per fork by reason and
 * per CPU (perf tracepoint counters of forkbench, its threads and the
 * child); n/a with the reason when the tracepoint cannot be counted.
 */
#include "forkbench.h"
#include "sysinfo.h"
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 64
#define MAX_CPUS 64
#define BUF_PAGES 64
#define BUF_BYTES ((size_t)BUF_PAGES * 4096)
#define RESERVOIR 20000
#define MIN_GAP_NS 10000000ULL
/* Threads' pages: below FB_HEAP_ADDR, so fork reaches them first. */
#define BUF_ADDR 0x5effc0000000UL
_Static_assert(BUF_ADDR == FB_HEAP_ADDR - (1UL << 30), "threads' pages 1 GiB below the heap");

enum work { W_READ, W_WRITE, W_SYSCALL };
static const char *const work_names[] = { "read", "write", "syscall", NULL };

static struct {
	uint64_t threads;
	enum work work;
	int cpus[MAX_THREADS];	/* --thread-cpus */
	int ncpus;
} opt = { 1, W_WRITE, { 0 }, 0 };

/* Operation latencies, a uniform sample (algorithm R). */
struct reservoir {
	double *v;
	size_t n;
	uint64_t seen;
};

struct worker {
	pthread_t th;
	int cpu;		/* -1: not pinned */
	unsigned char *buf;
	struct reservoir during, outside;
	double *maxd;		/* per fork: the longest operation overlapping it */
	double *maxo;		/* per fork: the longest one in the gap after it */
	uint64_t *nd;		/* per fork: operations overlapping it */
	uint64_t nforks;
	uint64_t rng;
	bool started;
};

static _Atomic uint64_t fork_seq;	/* odd while the main thread is in fork() */
static atomic_bool workers_stop;

static void keep(struct reservoir *r, double v, uint64_t *rng)
{
	uint64_t j;

	r->seen++;
	if (r->n < RESERVOIR) {
		r->v[r->n++] = v;
		return;
	}
	*rng ^= *rng << 13;
	*rng ^= *rng >> 7;
	*rng ^= *rng << 17;
	j = *rng % r->seen;
	if (j < RESERVOIR)
		r->v[j] = v;
}

static inline void one_op(struct worker *w, uint64_t i)
{
	volatile unsigned char *p = w->buf + (i % BUF_PAGES) * 4096;

	switch (opt.work) {
	case W_READ:
		(void)*p;
		break;
	case W_WRITE:
		*p = (unsigned char)i;
		break;
	case W_SYSCALL:
		syscall(SYS_getppid);
		break;
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	uint64_t i, s0, s1, t0, t1, k;
	sigset_t sigs;

	/* SIGINT/SIGTERM/SIGHUP go to the main thread, which stops the run. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	if (w->cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(w->cpu, &set);
		pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	}
	/* Closed loop: each operation as soon as the last one is done.  An
	 * operation overlapped a fork when the sequence number was odd before
	 * it or changed during it. */
	for (i = 0; !atomic_load_explicit(&workers_stop, memory_order_relaxed); i++) {
		s0 = atomic_load(&fork_seq);
		t0 = now_ns();
		one_op(w, i);
		t1 = now_ns();
		s1 = atomic_load(&fork_seq);
		if (!(s0 & 1) && s0 == s1) {
			keep(&w->outside, (double)(t1 - t0), &w->rng);
			k = s0 / 2 - 1;	/* the gap after fork k */
			if (s0 && k < w->nforks && (double)(t1 - t0) > w->maxo[k])
				w->maxo[k] = (double)(t1 - t0);
			continue;
		}
		keep(&w->during, (double)(t1 - t0), &w->rng);
		k = s0 / 2;	/* the fork it overlapped (the first, if several) */
		if (k < w->nforks) {
			w->nd[k]++;
			if ((double)(t1 - t0) > w->maxd[k])
				w->maxd[k] = (double)(t1 - t0);
		}
	}
	return NULL;
}

/* ---- tlb:tlb_flush, counted with perf (tracepoint) -------------------- */

#define NREASONS 6
static const char *const reason_names[NREASONS] = {
	"task_switch", "remote_shootdown", "local_shootdown", "local_mm_shootdown",
	"remote_send_ipi", "remote_wrong_cpu",
};

struct tlb {
	int reason_fd[NREASONS];
	int cpu_fd[MAX_CPUS];
	int ncpu;
	char why[160];		/* empty when counting */
};

static long tracepoint_id(char *why, size_t len)
{
	static const char *const paths[] = {
		"/sys/kernel/tracing/events/tlb/tlb_flush/id",
		"/sys/kernel/debug/tracing/events/tlb/tlb_flush/id",
	};
	char *s;
	long id;
	size_t i;

	for (i = 0; i < 2; i++) {
		s = read_line(paths[i]);
		if (!s)
			continue;
		id = strtol(s, NULL, 10);
		free(s);
		if (id > 0)
			return id;
	}
	snprintf(why, len, "no tlb:tlb_flush tracepoint in tracefs (%s: %s)", paths[0],
		 strerror(errno));
	return -1;
}

static int tp_open(long id, int cpu, const char *filter, char *why, size_t len)
{
	struct perf_event_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_TRACEPOINT;
	a.size = sizeof(a);
	a.config = (uint64_t)id;
	a.inherit = 1;	/* the threads, and the children */
	fd = (int)syscall(SYS_perf_event_open, &a, 0, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0) {
		snprintf(why, len, "perf_event_open(tlb:tlb_flush): %s", strerror(errno));
		return -1;
	}
	if (filter && ioctl(fd, PERF_EVENT_IOC_SET_FILTER, filter)) {
		snprintf(why, len, "tlb:tlb_flush filter '%s': %s", filter, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void tlb_close(struct tlb *t)
{
	int k;

	for (k = 0; k < NREASONS; k++)
		if (t->reason_fd[k] >= 0)
			close(t->reason_fd[k]);
	for (k = 0; k < t->ncpu; k++)
		if (t->cpu_fd[k] >= 0)
			close(t->cpu_fd[k]);
	memset(t->reason_fd, -1, sizeof(t->reason_fd));
	memset(t->cpu_fd, -1, sizeof(t->cpu_fd));
}

/* Opens the counters before the threads exist (inherit covers them); on
 * failure every counter is closed and why says why. */
static void tlb_open(struct tlb *t)
{
	char filter[32];
	long id, n = sysconf(_SC_NPROCESSORS_CONF);
	int k;

	memset(t->reason_fd, -1, sizeof(t->reason_fd));
	memset(t->cpu_fd, -1, sizeof(t->cpu_fd));
	t->ncpu = n > MAX_CPUS ? MAX_CPUS : n > 0 ? (int)n : 0;
	t->why[0] = '\0';
	id = tracepoint_id(t->why, sizeof(t->why));
	for (k = 0; k < NREASONS && id > 0; k++) {
		snprintf(filter, sizeof(filter), "reason == %d", k);
		t->reason_fd[k] = tp_open(id, -1, filter, t->why, sizeof(t->why));
		if (t->reason_fd[k] < 0)
			break;
	}
	for (k = 0; k < t->ncpu && !t->why[0]; k++)
		t->cpu_fd[k] = tp_open(id, k, NULL, t->why, sizeof(t->why));
	if (t->why[0])
		tlb_close(t);
}

static void tlb_read(const struct tlb *t, double *v)
{
	uint64_t x;
	int k;

	for (k = 0; k < NREASONS + t->ncpu; k++) {
		int fd = k < NREASONS ? t->reason_fd[k] : t->cpu_fd[k - NREASONS];

		v[k] = fd >= 0 && read(fd, &x, sizeof(x)) == (ssize_t)sizeof(x) ? (double)x : NAN;
	}
}

static void tlb_put(const struct tlb *t, struct fb_cell *cell, const double *a, const double *b)
{
	char name[48];
	int k;

	for (k = 0; k < NREASONS; k++) {
		snprintf(name, sizeof(name), "tlb_flush_%s", reason_names[k]);
		cell_put(cell, name, FB_MEDIAN, b[k] - a[k]);
	}
	for (k = 0; k < t->ncpu; k++) {
		snprintf(name, sizeof(name), "tlb_flush_cpu%d", k);
		cell_put(cell, name, FB_MEDIAN, b[NREASONS + k] - a[NREASONS + k]);
	}
}

/* ---- the run ----------------------------------------------------------- */

struct run {
	struct worker w[MAX_THREADS];
	int n;
	uint64_t nforks;
	struct tlb tlb;
};

static void workers_free(struct run *r)
{
	int k;

	for (k = 0; k < r->n; k++) {
		free(r->w[k].during.v);
		free(r->w[k].outside.v);
		free(r->w[k].maxd);
		free(r->w[k].maxo);
		free(r->w[k].nd);
		if (r->w[k].buf)
			munmap(r->w[k].buf, BUF_BYTES);
	}
}

/* The CPU of thread k: --thread-cpus round robin; else, with --cpu, every
 * other CPU in turn (the same one if there is no other); else unpinned. */
static int thread_cpu(const struct fb_common *c, int k)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (opt.ncpus)
		return opt.cpus[k % opt.ncpus];
	if (c->cpu < 0)
		return -1;
	if (n < 2)
		return c->cpu;
	return (c->cpu + 1 + k % (int)(n - 1)) % (int)n;
}

static int workers_start(struct fb_common *c, struct run *r)
{
	unsigned char *base = (void *)BUF_ADDR;
	struct worker *w;
	int k, rc;

	atomic_store(&workers_stop, false);
	atomic_store(&fork_seq, 0);
	for (k = 0; k < r->n; k++) {
		w = &r->w[k];
		memset(w, 0, sizeof(*w));
		w->cpu = thread_cpu(c, k);
		w->nforks = r->nforks;
		w->rng = 0x9e3779b97f4a7c15ULL ^ (uint64_t)(k + 1);
		w->during.v = calloc(RESERVOIR, sizeof(double));
		w->outside.v = calloc(RESERVOIR, sizeof(double));
		w->maxd = calloc(r->nforks, sizeof(double));
		w->maxo = calloc(r->nforks, sizeof(double));
		w->nd = calloc(r->nforks, sizeof(uint64_t));
		w->buf = mmap(base + (size_t)k * BUF_BYTES, BUF_BYTES,
			      PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			      -1, 0);
		if (w->buf == MAP_FAILED)
			w->buf = mmap(NULL, BUF_BYTES, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (w->buf == MAP_FAILED)
			w->buf = NULL;
		if (!w->during.v || !w->outside.v || !w->maxd || !w->maxo || !w->nd || !w->buf) {
			fprintf(stderr, "forkbench threads: out of memory\n");
			return -1;
		}
		madvise(w->buf, BUF_BYTES, MADV_NOHUGEPAGE);
		memset(w->buf, 1, BUF_BYTES);
		rc = pthread_create(&w->th, NULL, worker_main, w);
		if (rc) {
			fprintf(stderr, "forkbench threads: pthread_create: %s\n", strerror(rc));
			return -1;
		}
		w->started = true;
	}
	return 0;
}

static void workers_stop_all(struct run *r)
{
	int k;

	atomic_store(&workers_stop, true);
	for (k = 0; k < r->n; k++)
		if (r->w[k].started)
			pthread_join(r->w[k].th, NULL);
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000ULL), (long)(ns % 1000000000ULL) };

	while (nanosleep(&ts, &ts) && errno == EINTR && !fb_stopping())
		;
}

/* Fork i: 0, -1 error (printed), 1 stopping. */
static int fork_once(struct fb_common *c, struct run *r, uint64_t i, struct fb_cell *cell)
{
	double a[NREASONS + MAX_CPUS] = { 0 }, b[NREASONS + MAX_CPUS] = { 0 }, ev[FB_MAX_EVENTS];
	uint64_t t0, t1;
	int status = 0;
	pid_t pid;

	trace_begin();
	tlb_read(&r->tlb, a);
	events_begin(&c->ev);
	atomic_store(&fork_seq, 2 * i + 1);
	t0 = now_ns();
	pid = fork();
	if (pid == 0)
		_exit(0);
	t1 = now_ns();
	atomic_store(&fork_seq, 2 * i + 2);
	if (pid < 0) {
		if (fb_stopping())
			return 1;
		fprintf(stderr, "forkbench threads: fork failed: %s\n", strerror(errno));
		return -1;
	}
	if (reap(pid, &status, NULL) < 0 || !WIFEXITED(status)) {
		if (fb_stopping())
			return 1;
		fprintf(stderr, "forkbench threads: the child failed (status 0x%x)\n", status);
		return -1;
	}
	events_end(&c->ev, ev);
	tlb_read(&r->tlb, b);
	if (cell) {
		cell_put(cell, "fork", FB_TIME, (double)(t1 - t0));
		tlb_put(&r->tlb, cell, a, b);
		fb_put_events(c, cell, ev);
		trace_end(cell, 0);
		cell_commit(cell);
	}
	sleep_ns(t1 - t0 > MIN_GAP_NS ? t1 - t0 : MIN_GAP_NS);
	return 0;
}

/* The longest operation of any thread in fork i's window (max) or the gap
 * after it (maxo); NaN when no operation fell in it. */
static double longest(const struct run *r, size_t i, bool gap)
{
	double mx = NAN;
	int k;

	for (k = 0; k < r->n; k++) {
		double v = gap ? r->w[k].maxo[i] : r->w[k].maxd[i];

		if (v > 0 && (isnan(mx) || v > mx))
			mx = v;
	}
	return mx;
}

/* After the threads stopped: each measured fork's stall, the longest
 * operation in the gap after it, and the operations that overlapped it,
 * on the rows already committed. */
static void put_stalls(struct fb_cell *cell, const struct run *r, uint64_t warmup)
{
	int ks = cell_metric(cell, "stall", FB_TIME);
	int ko = cell_metric(cell, "outside_max", FB_TIME);
	int kn = cell_metric(cell, "thread_ops_during", FB_MEDIAN);
	size_t i;
	int k;

	for (i = 0; i < cell->n && ks >= 0 && ko >= 0 && kn >= 0; i++) {
		double nd = 0;

		for (k = 0; k < r->n; k++)
			nd += (double)r->w[k].nd[warmup + i];
		cell->m[ks].v[i] = longest(r, warmup + i, false);
		cell->m[ko].v[i] = longest(r, warmup + i, true);
		cell->m[kn].v[i] = nd;
	}
}

/* One row of operation latencies: every thread's sample of one kind. */
static void put_ops(struct fb_common *c, const struct run *r, uint64_t heap_bytes,
		    const char *method, bool during)
{
	struct fb_cell *cell;
	size_t total = 0, i;
	int k;

	for (k = 0; k < r->n; k++)
		total += during ? r->w[k].during.n : r->w[k].outside.n;
	if (!total)
		return;
	cell = cell_new(c->res, "threads", method, fork_mode_name(c->fork_mode), heap_bytes,
			thp_names[c->thp], total);
	for (k = 0; k < r->n; k++) {
		const struct reservoir *s = during ? &r->w[k].during : &r->w[k].outside;

		for (i = 0; i < s->n; i++) {
			cell_put(cell, "op", FB_TIME, s->v[i]);
			cell_commit(cell);
		}
	}
}

static int run_heap(struct fb_common *c, uint64_t heap_bytes)
{
	static struct run r;
	struct fb_cell *cell;
	char err[FB_ERRLEN], method[64], m2[80];
	struct heap h;
	uint64_t i;
	int rc = 0;

	if (heap_create(&h, heap_bytes, c->thp, err, sizeof(err))) {
		fprintf(stderr, "forkbench threads: %s\n", err);
		return -1;
	}
	memset(&r, 0, sizeof(r));
	r.n = (int)opt.threads;
	r.nforks = c->warmup + c->iterations;
	tlb_open(&r.tlb);
	if (r.tlb.why[0])
		fprintf(stderr, "forkbench threads: tlb_flush_* n/a: %s\n", r.tlb.why);
	snprintf(method, sizeof(method), "%s-%dt", work_names[opt.work], r.n);
	cell = cell_new(c->res, "threads", method, fork_mode_name(c->fork_mode), heap_bytes,
			thp_names[c->thp], c->iterations);
	cell->thp_bytes = heap_thp_bytes(&h);
	if (workers_start(c, &r))
		rc = -1;
	sleep_ns(MIN_GAP_NS);
	for (i = 0; i < r.nforks && !rc && !fb_stopping(); i++)
		rc = fork_once(c, &r, i, i < c->warmup ? NULL : cell);
	workers_stop_all(&r);
	if (rc >= 0) {
		put_stalls(cell, &r, c->warmup);
		snprintf(m2, sizeof(m2), "%s-during", method);
		put_ops(c, &r, heap_bytes, m2, true);
		snprintf(m2, sizeof(m2), "%s-outside", method);
		put_ops(c, &r, heap_bytes, m2, false);
	}
	workers_free(&r);
	tlb_close(&r.tlb);
	heap_destroy(&h);
	return rc < 0 ? -1 : 0;
}

static int threads_run(struct fb_common *c)
{
	int hi, rc = 0;

	for (hi = 0; hi < c->nheaps && !rc && !fb_stopping(); hi++)
		rc = run_heap(c, c->heaps[hi]);
	return rc;
}

/* ---- options ----------------------------------------------------------- */

static int add_cpu(const char *item, void *ctx)
{
	long n = sysconf(_SC_NPROCESSORS_CONF);
	char e[FB_ERRLEN];
	uint64_t v;

	(void)ctx;
	if (opt.ncpus == MAX_THREADS) {
		snprintf(fb_parse_err, sizeof(fb_parse_err), "--thread-cpus: at most %d CPUs",
			 MAX_THREADS);
		return -1;
	}
	if (parse_u64(item, 0, n > 0 ? (uint64_t)n - 1 : 0, &v, e, sizeof(e))) {
		snprintf(fb_parse_err, sizeof(fb_parse_err), "--thread-cpus: %s", e);
		return -1;
	}
	opt.cpus[opt.ncpus++] = (int)v;
	return 0;
}

enum { OPT_THREADS = 0x600, OPT_WORK, OPT_TCPUS };

static const struct argp_option threads_options[] = {
	{ NULL, 0, NULL, 0, "threads options:", 2 },
	{ "threads", OPT_THREADS, "N", 0,
	  "Threads running timed operations while the main thread forks (1..64, default 1)", 2 },
	{ "thread-work", OPT_WORK, "read|write|syscall", 0,
	  "Their operation: read or write a byte of one of their own pages, or getppid() "
	  "(default write)", 2 },
	{ "thread-cpus", OPT_TCPUS, "CPU[,CPU...]", 0,
	  "Pin the threads to these CPUs in turn (default: with --cpu, the other CPUs; "
	  "else not pinned)", 2 },
	{ 0 }
};

static error_t threads_parse(int key, char *arg, struct argp_state *state)
{
	int i;

	(void)state;
	switch (key) {
	case OPT_THREADS:
		return fb_u64_option("--threads", arg, 1, MAX_THREADS, &opt.threads);
	case OPT_WORK:
		i = parse_choice(arg, work_names, "--thread-work", fb_parse_err,
				 sizeof(fb_parse_err));
		if (i < 0)
			return EINVAL;
		opt.work = (enum work)i;
		return 0;
	case OPT_TCPUS:
		opt.ncpus = 0;
		return fb_list_option("--thread-cpus", arg, add_cpu, NULL);
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static int threads_fits(struct fb_common *c, char *err, size_t errlen)
{
	uint64_t need = 0;
	int i;

	for (i = 0; i < c->nheaps; i++)
		if (c->heaps[i] > need)
			need = c->heaps[i];
	return heap_fits(need, "--heap", err, errlen);
}

static const struct argp threads_argp = {
	threads_options, threads_parse, NULL,
	"forkbench threads: the parent's other threads while it forks: how long their "
	"operations take during a fork() call and outside one.\v"
	"Rows: METHOD fork (the fork call) and stall (per fork, the longest operation of any "
	"thread overlapping it), with tlb_flush_REASON and tlb_flush_cpuN per fork (root; n/a "
	"otherwise); METHOD-during and METHOD-outside op (the threads' operation latencies, a "
	"sample of at most 20,000 per thread). The threads' pages lie below the heap, which "
	"fork write-protects first: a write waits for the rest of the fork. Between forks the "
	"main thread sleeps as long as the fork took (at least 10 ms).\n\n"
	"Examples:\n"
	"  forkbench threads --heap 1G --threads 1 --thread-work write --cpu 0\n"
	"  forkbench threads --heap 256M --threads 2 --thread-work syscall -n 30\n"
	"  forkbench threads --heap 1G --thread-work read --thread-cpus 1 --format csv",
	NULL, NULL, NULL
};

static const struct fb_bench threads_bench = {
	.name = "threads",
	.order = 60,
	.summary = "the parent's other threads stalled while it forks",
	.argp = &threads_argp,
	.default_iterations = 20,
	.trace_heap_only = true,
	.check = NULL,
	.fits = threads_fits,
	.run = threads_run,
};
FB_BENCH(threads_bench);
