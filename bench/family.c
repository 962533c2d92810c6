// SPDX-License-Identifier: GPL-2.0
#include "family.h"
#include "sysinfo.h"
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WAIT_LIMIT_NS (120ULL * 1000000000ULL)

/* A, B, ... Z, then P26, P27, ... */
static void name_of(int i, char *buf, size_t len)
{
	if (i < 26)
		snprintf(buf, len, "%c", 'A' + i);
	else
		snprintf(buf, len, "P%d", i & 0xff);
}

static int add_proc(struct family *f, int parent)
{
	int i;

	if (f->n >= FAM_MAX)
		return -1;
	i = f->n++;
	f->parent[i] = parent;
	f->depth[i] = parent < 0 ? 0 : f->depth[parent] + 1;
	name_of(i, f->name[i], sizeof(f->name[i]));
	return i;
}

static int find_name(const struct family *f, const char *s)
{
	int i;

	for (i = 0; i < f->n; i++)
		if (!strcmp(f->name[i], s))
			return i;
	return -1;
}

int family_shape(struct family *f, const char *shape, char *err, size_t errlen)
{
	uint64_t a, b;
	const char *rest;
	char e[FB_ERRLEN];
	uint64_t count, level, k, i;

	memset(f, 0, sizeof(*f));
	f->write_fraction = 1.0;
	if (!strncmp(shape, "chain:", 6)) {
		if (parse_u64(shape + 6, 1, FAM_MAX - 1, &a, e, sizeof(e))) {
			snprintf(err, errlen, "--shape %s: depth %s", shape, e);
			return -1;
		}
		add_proc(f, -1);
		for (i = 0; i < a; i++)
			add_proc(f, (int)i);
		return 0;
	}
	if (!strncmp(shape, "tree:", 5)) {
		char buf[64];
		char *colon;

		snprintf(buf, sizeof(buf), "%s", shape + 5);
		colon = strchr(buf, ':');
		if (!colon) {
			snprintf(err, errlen, "--shape '%s': expected tree:FANOUT:DEPTH", shape);
			return -1;
		}
		*colon = '\0';
		if (parse_u64(buf, 1, 63, &a, e, sizeof(e)) ||
		    parse_u64(colon + 1, 1, 63, &b, e, sizeof(e))) {
			snprintf(err, errlen, "--shape %s: %s", shape, e);
			return -1;
		}
		/* 1 + a + a^2 + ... + a^b processes */
		for (count = 1, level = 1, k = 0; k < b && count <= 1000000; k++) {
			level *= a;
			count += level;
		}
		if (count > FAM_MAX) {
			snprintf(err, errlen,
				 "--shape %s: %s%llu processes; at most %d (fewer levels or a smaller fanout)",
				 shape, count > 1000000 ? "over " : "",
				 (unsigned long long)(count > 1000000 ? 1000000 : count), FAM_MAX);
			return -1;
		}
		add_proc(f, -1);
		for (i = 0; (int)i < f->n && (uint64_t)f->n < count; i++)
			if ((uint64_t)f->depth[i] < b)
				for (k = 0; k < a; k++)
					add_proc(f, (int)i);
		return 0;
	}
	if (!strncmp(shape, "edges:", 6)) {
		/* "A-B,B-C,B-D": each edge names a known parent and a new child,
		 * which must be the next letter (creation order = names). */
		add_proc(f, -1);
		for (rest = shape + 6; *rest;) {
			char p[8], ch[8];
			int n = 0, pi;

			if (sscanf(rest, "%7[A-Z]-%7[A-Z]%n", p, ch, &n) != 2 ||
			    (rest[n] && rest[n] != ',')) {
				snprintf(err, errlen, "--shape '%s': bad edge at '%s' (expected PARENT-CHILD, e.g. edges:A-B,B-C)",
					 shape, rest);
				return -1;
			}
			pi = find_name(f, p);
			if (pi < 0 || f->n == FAM_MAX) {
				snprintf(err, errlen, "--shape '%s': %s", shape,
					 pi < 0 ? "an edge's parent must be defined by an earlier edge" :
						  "too many processes");
				return -1;
			}
			add_proc(f, pi);
			if (strcmp(f->name[f->n - 1], ch) != 0) {
				snprintf(err, errlen, "--shape '%s': the new child in '%s-%s' must be named %s (processes are named in order)",
					 shape, p, ch, f->name[f->n - 1]);
				return -1;
			}
			rest += n + (rest[n] == ',');
		}
		if (f->n < 2) {
			snprintf(err, errlen, "--shape '%s': no edges", shape);
			return -1;
		}
		return 0;
	} else {
		char q[SHOWN_LEN];

		snprintf(err, errlen, "unknown --shape '%s' (allowed: chain:DEPTH, tree:FANOUT:DEPTH, edges:A-B,...)",
			 parse_shown(shape, q, sizeof(q)));
		return -1;
	}
}

static bool has_children(const struct family *f, int p)
{
	int i;

	for (i = 0; i < f->n; i++)
		if (f->parent[i] == p)
			return true;
	return false;
}

int family_order(struct family *f, const char *order, char *err, size_t errlen)
{
	char *copy, *tok, *save = NULL;
	int i, p;
	bool exited[FAM_MAX] = { false };

	f->nact = 0;
	if (!strcmp(order, "leaves-first") || !strcmp(order, "root-first")) {
		for (i = 0; i < f->n; i++) {
			/* Names are breadth-first: reversed, leaves come first. */
			f->act[f->nact].proc = order[0] == 'l' ? f->n - 1 - i : i;
			f->act[f->nact++].exit = false;
		}
		return 0;
	}
	copy = strdup(order);
	if (!copy)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		bool ex = !strncmp(tok, "exit:", 5);

		p = find_name(f, ex ? tok + 5 : tok);
		if (p < 0 || f->nact == 2 * FAM_MAX) {
			snprintf(err, errlen, "--write-order: unknown process '%s' (this shape has A..%s)",
				 ex ? tok + 5 : tok, f->name[f->n - 1]);
			free(copy);
			return -1;
		}
		if (exited[p]) {
			snprintf(err, errlen, "--write-order: %s acts after it exited", f->name[p]);
			free(copy);
			return -1;
		}
		if (ex && (p == 0 || has_children(f, p))) {
			snprintf(err, errlen, "--write-order: exit:%s: only a leaf other than A can exit early",
				 f->name[p]);
			free(copy);
			return -1;
		}
		exited[p] = ex;
		f->act[f->nact].proc = p;
		f->act[f->nact++].exit = ex;
	}
	free(copy);
	if (!f->nact) {
		snprintf(err, errlen, "--write-order '%s': no actions", order);
		return -1;
	}
	return 0;
}

int family_fits(const struct family *f, uint64_t heap, char *err, size_t errlen)
{
	struct rlimit rl;
	char *pm = read_line("/proc/sys/kernel/pid_max");
	long pid_max = pm ? atol(pm) : 0;

	free(pm);
	if (pid_max && f->n + 64 > pid_max) {
		snprintf(err, errlen, "%d processes do not fit kernel.pid_max = %ld", f->n, pid_max);
		return -1;
	}
	if (getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    (rlim_t)f->n + 16 > rl.rlim_cur) {
		snprintf(err, errlen, "%d processes do not fit RLIMIT_NPROC = %llu (ulimit -u)",
			 f->n, (unsigned long long)rl.rlim_cur);
		return -1;
	}
	/* Worst case: every process ends with its own copy of the heap. */
	return heap_fits(heap * (uint64_t)f->n, "the family (heap x processes)", err, errlen);
}

int family_predict(const struct family *f, enum fork_mode mode, size_t pages,
		   struct pred_counts *out)
{
	struct predictor p;
	uint32_t *pp;
	size_t n;
	int i;

	if (pred_init(&p, mode, pages))
		return -1;
	for (i = 1; i < f->n; i++)
		if (pred_fork(&p, f->parent[i]) != i) {
			pred_free(&p);
			return -1;
		}
	pp = pattern_pages(PAT_SEQUENTIAL, f->write_fraction, pages, 0, &n);
	if (!pp) {
		pred_free(&p);
		return -1;
	}
	for (i = 0; i < f->nact; i++) {
		if (f->act[i].exit)
			pred_exit(&p, f->act[i].proc);
		else
			pred_write(&p, f->act[i].proc, pp, n);
	}
	free(pp);
	memcpy(out, p.c, sizeof(p.c[0]) * (size_t)f->n);
	pred_free(&p);
	return 0;
}

/* ---- running it ---- */

struct ctl {
	int started, turn, ready, abort;
	int exiting[FAM_MAX];
	pid_t pid[FAM_MAX];
	struct fam_result r[FAM_MAX];
};

static int ld(int *p)
{
	return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

static void st(int *p, int v)
{
	__atomic_store_n(p, v, __ATOMIC_SEQ_CST);
}

static void nap(void)
{
	struct timespec ts = { 0, 20000 };

	sched_yield();
	nanosleep(&ts, NULL);
}

static double pfn_of(const void *addr)
{
	uint64_t e;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	off_t off = (off_t)((uintptr_t)addr / 4096 * 8);
	double out = NAN;

	if (fd < 0)
		return NAN;
	if (pread(fd, &e, sizeof(e), off) == (ssize_t)sizeof(e) && (e >> 63) &&
	    (e & ((1ULL << 55) - 1)))
		out = (double)(e & ((1ULL << 55) - 1));
	close(fd);
	return out;
}

static __attribute__((noreturn)) void member(const struct family *f, struct ctl *ctl,
					     struct heap *h, const uint32_t *pages, size_t np,
					     bool want_pfn, struct fb_events *ev, int me)
{
	bool reaped[FAM_MAX] = { false };
	uint64_t t0, t1, deadline;
	long f0;
	int i, t;

	/* Fork my children, in name order. */
	for (i = me + 1; i < f->n; i++) {
		pid_t pid;

		if (f->parent[i] != me)
			continue;
		t0 = now_ns();
		pid = fork();
		t1 = now_ns();
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() == 1)
				_exit(1);
			me = i;
			i = me;	/* continue forking the new process's children */
			continue;
		}
		if (pid < 0) {
			st(&ctl->abort, 1);
			_exit(1);
		}
		ctl->pid[i] = pid;
		ctl->r[i].fork_ns = (double)(t1 - t0);
	}
	/* Counters of my own, now that my children exist: they count me alone.
	 * Read once outside the window, so the stack and memory the reads
	 * write are this process's own (copied) before its write loop is
	 * measured: write_minflt does not count them. */
	if (ev->n) {
		double warm[FB_MAX_EVENTS];

		events_reopen(ev);
		events_begin(ev);
		events_end(ev, warm);
	}
	__atomic_add_fetch(&ctl->ready, 1, __ATOMIC_SEQ_CST);
	if (me == 0) {
		while (ld(&ctl->ready) < f->n && !ld(&ctl->abort))
			nap();
		st(&ctl->started, 1);
	}
	deadline = now_ns() + WAIT_LIMIT_NS;
	for (;;) {
		/* A child of mine that exited as an action: reap it (its mm is
		 * gone then), and only then move on. */
		for (i = me + 1; i < f->n; i++) {
			if (f->parent[i] == me && !reaped[i] && ld(&ctl->exiting[i])) {
				waitpid(ctl->pid[i], NULL, 0);
				reaped[i] = true;
				__atomic_add_fetch(&ctl->turn, 1, __ATOMIC_SEQ_CST);
			}
		}
		if (ld(&ctl->abort))
			_exit(1);
		t = ld(&ctl->turn);
		if (t >= f->nact)
			break;
		if (ld(&ctl->started) && f->act[t].proc == me) {
			if (f->act[t].exit) {
				st(&ctl->exiting[me], 1);
				_exit(0);
			}
			if (want_pfn)
				ctl->r[me].pfn_before = pfn_of(h->p);
			f0 = minflt_self();
			events_begin(ev);
			t0 = now_ns();
			heap_write_pages(h, pages, np, (unsigned char)(0x40 + me));
			t1 = now_ns();
			events_end(ev, ctl->r[me].ev);
			ctl->r[me].write_minflt = (double)(minflt_self() - f0);
			ctl->r[me].write_ns = (double)(t1 - t0);
			if (want_pfn)
				ctl->r[me].pfn_after = pfn_of(h->p);
			__atomic_add_fetch(&ctl->turn, 1, __ATOMIC_SEQ_CST);
			continue;
		}
		if (now_ns() > deadline) {
			st(&ctl->abort, 1);
			_exit(1);
		}
		nap();
	}
	for (i = me + 1; i < f->n; i++)
		if (f->parent[i] == me && !reaped[i])
			waitpid(ctl->pid[i], NULL, 0);
	_exit(0);
}

int family_run(struct fb_common *c, const struct family *f, uint64_t heap, bool want_pfn,
	       struct fam_result *res)
{
	struct ctl *ctl;
	int status = 0, i, rc = -1;
	pid_t pid;

	ctl = mmap(NULL, sizeof(*ctl), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ctl == MAP_FAILED) {
		fprintf(stderr, "forkbench: mmap: %s\n", strerror(errno));
		return -1;
	}
	memset(ctl, 0, sizeof(*ctl));
	for (i = 0; i < f->n; i++) {
		int k;

		ctl->r[i].fork_ns = ctl->r[i].write_ns = ctl->r[i].write_minflt = NAN;
		ctl->r[i].pfn_before = ctl->r[i].pfn_after = NAN;
		for (k = 0; k < FB_MAX_EVENTS; k++)
			ctl->r[i].ev[k] = NAN;
	}
	pid = fork();
	if (pid == 0) {
		struct heap h;
		char err[FB_ERRLEN];
		uint32_t *pages;
		size_t np;

		setpgid(0, 0);	/* the family is one process group */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (heap_create(&h, heap, c->thp, err, sizeof(err))) {
			fprintf(stderr, "forkbench: %s\n", err);
			_exit(1);
		}
		ctl->r[0].thp_bytes = heap_thp_bytes(&h);
		pages = pattern_pages(PAT_SEQUENTIAL, f->write_fraction, heap_pages(&h), 0, &np);
		if (!pages)
			_exit(1);
		member(f, ctl, &h, pages, np, want_pfn, &c->ev, 0);
	}
	if (pid < 0) {
		fprintf(stderr, "forkbench: fork: %s\n", strerror(errno));
		munmap(ctl, sizeof(*ctl));
		return -1;
	}
	setpgid(pid, pid);
	if (reap(pid, &status, NULL) < 0 || fb_stopping()) {
		kill(-pid, SIGKILL);
		kill_and_reap(pid);
		rc = fb_stopping() ? 1 : -1;
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) || ctl->abort) {
		kill(-pid, SIGKILL);
		fprintf(stderr, "forkbench: the process family failed (status 0x%x%s)\n", status,
			ctl->abort ? ", a member gave up waiting or could not fork" : "");
	} else {
		ctl->pid[0] = pid;
		memcpy(res, ctl->r, sizeof(res[0]) * (size_t)f->n);
		for (i = 0; i < f->n; i++)
			res[i].pid = ctl->pid[i];
		rc = 0;
	}
	munmap(ctl, sizeof(*ctl));
	return rc;
}

/* One cell per process: its write time, the fork that made it, its
 * measured write faults and the predicted counts for the running mode. */
int family_cells(struct fb_common *c, const char *bench, const struct family *f,
		 uint64_t heap, const char *label, struct fb_cell **cells)
{
	char method[48];
	int i;

	for (i = 0; i < f->n; i++) {
		snprintf(method, sizeof(method), "%s%s%s(depth %d)", label, *label ? ":" : "",
			 f->name[i], f->depth[i]);
		cells[i] = cell_new(c->res, bench, method, fork_mode_name(c->fork_mode), heap,
				    thp_names[c->thp], c->iterations);
	}
	return 0;
}

void family_record(struct fb_common *c, const struct family *f, struct fb_cell **cells,
		   const struct fam_result *r, const struct pred_counts *pred, bool predicted)
{
	int i;

	for (i = 0; i < f->n; i++) {
		struct fb_cell *cell = cells[i];

		cell_put(cell, "write", FB_TIME, r[i].write_ns);
		cell_put(cell, "fork", FB_TIME, r[i].fork_ns);
		cell_put(cell, "write_minflt", FB_MEDIAN, r[i].write_minflt);
		trace_record_pid(cell, r[i].pid);
		fb_put_events(c, cell, r[i].ev);
		if (cell->n == 0 || r[0].thp_bytes < cell->thp_bytes)
			cell->thp_bytes = r[0].thp_bytes;
		if (pred) {
			cell_put(cell, "pred_wp_faults", FB_MEDIAN, predicted ? (double)pred[i].wp_faults : NAN);
			cell_put(cell, "pred_cow_copies", FB_MEDIAN, predicted ? (double)pred[i].cow_copies : NAN);
			cell_put(cell, "pred_cow_reuses", FB_MEDIAN, predicted ? (double)pred[i].cow_reuses : NAN);
			cell_put(cell, "pred_eager_copies", FB_MEDIAN,
				 predicted ? (double)pred[i].eager_copies : NAN);
		}
		cell_commit(cell);
	}
}
