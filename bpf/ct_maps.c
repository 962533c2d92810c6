// SPDX-License-Identifier: GPL-2.0
/*
 * ct_maps.c - the BPF maps read as counts: per role (ct_read), per process
 * (ct_read_procs), lost events and program statistics; and their reset.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ct_internal.h"
#include "cowtrace.skel.h"

_Static_assert(CT_MAX_ROLES == CT_ROLES, "role counts differ");
_Static_assert(sizeof(struct ct_win) % 8 == 0, "per-CPU values are 8-byte aligned");
_Static_assert(CT_MADE_KNOWN == CT_MADE_BEFORE && CT_MADE_FORK == CT_MADE_BY_FORK &&
	       CT_MADE_VM == CT_MADE_BY_VM, "creation kinds differ");

/* Per-CPU values are 8-byte aligned. */
static size_t percpu_size(size_t value_size)
{
	return (value_size + 7) / 8 * 8;
}

static int zero_percpu_map(int fd, __u32 n, size_t value_size, int ncpus)
{
	void *buf = calloc((size_t)ncpus, percpu_size(value_size));
	__u32 k;
	int rc = 0;

	if (!buf)
		return -1;
	for (k = 0; k < n && !rc; k++)
		rc = bpf_map_update_elem(fd, &k, buf, BPF_ANY);
	free(buf);
	return rc;
}

int ct_reset_maps(struct ct_tracer *t)
{
	const struct cowtrace_bpf *s = t->skel;

	return zero_percpu_map(bpf_map__fd(s->maps.roles), CT_MAX_ROLES,
			       sizeof(struct ct_stats), t->ncpus) ||
	       zero_percpu_map(bpf_map__fd(s->maps.lost), CT_LOST_NR, sizeof(__u64), t->ncpus) ||
	       zero_percpu_map(bpf_map__fd(s->maps.win), 1, sizeof(struct ct_win), t->ncpus) ||
	       zero_percpu_map(bpf_map__fd(s->maps.forks_open), 1, sizeof(__s64), 1);
}

/*
 * c: a copy of the BPF side's struct ct_stats; made the counts reported:
 * derived counters filled in, unavailable ones 0 (callers check
 * ct_counter_status).
 */
static uint64_t minus(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/* The attribution's derived counters: fork reuses where reuses are
 * derived, and what is neither fork nor file COW. */
static void derive_attrib(const struct ct_tracer *t, struct ct_counts *c)
{
	if (t->status[CT_COW_REUSES] == CT_APPROX)
		c->fork_reuses = minus(c->fork_faults, c->fork_copies);
	c->other_faults = minus(c->wp_faults, c->fork_faults + c->file_faults);
	c->other_copies = minus(c->cow_copies, c->fork_copies + c->file_copies);
	c->other_reuses = minus(c->cow_reuses, c->fork_reuses);
}

static void derive_counts(const struct ct_tracer *t, struct ct_counts *c)
{
	enum ct_counter k;
	int v;

	if (t->status[CT_COW_REUSES] == CT_APPROX) {
		c->cow_reuses = c->wp_faults > c->cow_copies ? c->wp_faults - c->cow_copies : 0;
		for (v = 0; v < CT_VMA_COUNT; v++)
			c->vma_cow_reuses[v] = c->vma_wp_faults[v] > c->vma_cow_copies[v]
					       ? c->vma_wp_faults[v] - c->vma_cow_copies[v] : 0;
	}
	if (t->win_src == CT_SRC_TP && t->copy_src == CT_SRC_TP) {
		/* the BPF side counts each window's one-page flush as the copy */
		c->tlb_flush_fault = c->cow_copies;
		c->tlb_pages_fault = c->cow_copies;
	}
	c->cow_bytes = c->cow_copies * (uint64_t)sysconf(_SC_PAGESIZE);
	if (t->fork_src != CT_FORK_DUP_MMAP && t->attached[PR_COPY_PAGE_RANGE])
		c->fork_ns = c->cpr_ns;
	derive_attrib(t, c);
	for (k = 0; k < CT_NR_COUNTERS; k++)
		if (ct_counter_status(t, k) == CT_UNAVAILABLE)
			ct_counts_clear(c, k);
}

int ct_read(struct ct_tracer *t, struct ct_counts *per_role, int max_roles)
{
	size_t vsz = percpu_size(sizeof(struct ct_stats));
	int fd = bpf_map__fd(t->skel->maps.roles);
	struct ct_counts sum, one;
	char *buf;
	__u32 r;
	int cpu, dsti, rc = -1;

	if (max_roles <= 0) {
		errno = EINVAL;
		return -1;
	}
	buf = calloc((size_t)t->ncpus, vsz);
	if (!buf)
		return -1;
	memset(per_role, 0, sizeof(*per_role) * (size_t)max_roles);
	for (r = 0; r < CT_MAX_ROLES; r++) {
		if (bpf_map_lookup_elem(fd, &r, buf))
			goto cleanup;
		memset(&sum, 0, sizeof(sum));
		for (cpu = 0; cpu < t->ncpus; cpu++) {
			memcpy(&one, buf + (size_t)cpu * vsz, sizeof(one));
			ct_counts_add(&sum, &one);
		}
		sum.procs += (uint64_t)t->base_procs[r];
		derive_counts(t, &sum);
		dsti = (int)r < max_roles ? (int)r : max_roles - 1;
		ct_counts_add(&per_role[dsti], &sum);
	}
	rc = 0;
cleanup:
	free(buf);
	return rc;
}

static int cmp_proc(const void *a, const void *b)
{
	const struct ct_proc_info *x = a, *y = b;

	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (x->image > y->image) - (x->image < y->image);
}

/* Counts still pending in the per-CPU slots (struct ct_win) of tgid's
 * image. */
static void add_pending(const struct ct_tracer *t, const struct ct_win *w, __u32 tgid,
			__u32 image, struct ct_stats *st)
{
	int cpu;

	for (cpu = 0; w && cpu < t->ncpus; cpu++) {
		if (!w[cpu].task || w[cpu].tgid != tgid || w[cpu].image != image)
			continue;
		st->wp_faults += w[cpu].pend_wp;
		st->fork_faults += w[cpu].pend_at_wp[CT_AT_FORK];
		st->file_faults += w[cpu].pend_at_wp[CT_AT_FILE];
		st->fork_file_faults += w[cpu].pend_ffile;
		if (t->copy_src == CT_SRC_TP) {
			st->cow_copies += w[cpu].pend_flush;
			st->fork_copies += w[cpu].pend_at_copy[CT_AT_FORK];
			st->file_copies += w[cpu].pend_at_copy[CT_AT_FILE];
		} else {
			st->tlb_flush_fault += w[cpu].pend_flush;
			st->tlb_pages_fault += w[cpu].pend_flush;
		}
	}
}

/* The per-CPU fault windows, or NULL (then nothing is pending). */
static struct ct_win *read_windows(const struct ct_tracer *t)
{
	struct ct_win *w = calloc((size_t)t->ncpus, sizeof(*w));
	__u32 zero = 0;

	/* sizeof(struct ct_win) is a multiple of 8: no per-CPU padding */
	if (w && bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.win), &zero, w)) {
		free(w);
		w = NULL;
	}
	return w;
}

/* Image img of process pid (p: its procs entry), its raw counts in *st
 * with what is pending; -1 if the image was not kept. */
static int image_stats(const struct ct_tracer *t, const struct ct_win *w, __u32 pid,
		       const struct ct_proc *p, __u32 img, struct ct_proc *out)
{
	struct ct_image_key key = { .tgid = pid, .image = img };

	if (img == p->execs)
		*out = *p;
	else if (bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.images), &key, out))
		return -1;
	add_pending(t, w, pid, img, &out->st);
	return 0;
}

static void proc_info(const struct ct_tracer *t, __u32 pid, const struct ct_proc *p,
		      struct ct_proc_info *out)
{
	memset(out, 0, sizeof(*out));
	out->pid = (pid_t)pid;
	out->ppid = (pid_t)p->ppid;
	out->role = (int)p->role;
	out->depth = (int)p->depth;
	out->exited = !!(p->flags & CT_PROC_EXITED);
	out->created = (int)p->created;
	out->image = (int)p->execs;
	out->nimages = (int)p->execs + 1;
	memcpy(out->comm, p->comm, sizeof(out->comm));
	out->comm[sizeof(out->comm) - 1] = 0;
}

/* One row per process (images != 0: per image) into out[n..max); the new n. */
static int read_rows(struct ct_tracer *t, struct ct_proc_info *out, int n, int max,
		     int images)
{
	int fd = bpf_map__fd(t->skel->maps.procs);
	struct ct_win *w = read_windows(t);
	struct ct_proc p, im;
	struct ct_counts sum, one;
	__u32 key, next, i;
	int first = 1;

	while (n < max && bpf_map_get_next_key(fd, first ? NULL : &key, &next) == 0) {
		first = 0;
		key = next;
		if (bpf_map_lookup_elem(fd, &key, &p))
			continue;
		memset(&sum, 0, sizeof(sum));
		for (i = 0; i <= p.execs && n < max; i++) {
			if (image_stats(t, w, key, &p, i, &im))
				continue;
			memcpy(&one, &im.st, sizeof(one));
			if (!images) {
				ct_counts_add(&sum, &one);
				continue;
			}
			proc_info(t, key, &p, &out[n]);
			out[n].image = (int)i;
			memcpy(out[n].comm, im.comm, sizeof(out[n].comm));
			out[n].comm[sizeof(out[n].comm) - 1] = 0;
			out[n].c = one;
			derive_counts(t, &out[n++].c);
		}
		if (images)
			continue;
		proc_info(t, key, &p, &out[n]);
		if (!out[n].exited)
			ct_read_comm(out[n].pid, out[n].comm, sizeof(out[n].comm));
		sum.procs = 1;
		out[n].c = sum;
		derive_counts(t, &out[n++].c);
	}
	free(w);
	qsort(out, (size_t)n, sizeof(*out), cmp_proc);
	return n;
}

int ct_read_procs(struct ct_tracer *t, struct ct_proc_info *out, int max)
{
	return read_rows(t, out, 0, max, 0);
}

int ct_read_images(struct ct_tracer *t, struct ct_proc_info *out, int max)
{
	return read_rows(t, out, 0, max, 1);
}

/* A loaded program's statistics; -1 if it is not loaded. */
static int prog_info(const struct bpf_program *prog, struct bpf_prog_info *info)
{
	__u32 len = sizeof(*info);
	int pfd = bpf_program__fd(prog);

	memset(info, 0, sizeof(*info));
	return pfd < 0 ? -1 : bpf_obj_get_info_by_fd(pfd, info, &len);
}

int ct_read_loss(struct ct_tracer *t, struct ct_loss *l)
{
	int fd = bpf_map__fd(t->skel->maps.lost), cpu;
	struct bpf_program *prog;
	struct bpf_prog_info info;
	__u64 *v = calloc((size_t)t->ncpus, sizeof(__u64));
	__u32 k;

	memset(l, 0, sizeof(*l));
	if (!v)
		return -1;
	for (k = 0; k < CT_LOST_NR; k++) {
		if (bpf_map_lookup_elem(fd, &k, v))
			continue;
		for (cpu = 0; cpu < t->ncpus; cpu++) {
			if (k == CT_LOST_PROCS)
				l->procs += v[cpu];
			else
				l->threads += v[cpu];
		}
	}
	free(v);
	bpf_object__for_each_program(prog, t->skel->obj)
		if (prog_info(prog, &info) == 0)
			l->prog_misses += info.recursion_misses;
	return 0;
}

int ct_prog_stats(struct ct_tracer *t, char *buf, size_t len)
{
	struct bpf_program *prog;
	struct bpf_prog_info info;
	size_t n = 0;

	buf[0] = 0;
	bpf_object__for_each_program(prog, t->skel->obj) {
		if (n >= len)
			break;
		if (prog_info(prog, &info) || !info.run_cnt)
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s%s %llu runs %llu ns avg",
				      n ? "; " : "", bpf_program__name(prog),
				      (unsigned long long)info.run_cnt,
				      (unsigned long long)(info.run_time_ns / info.run_cnt));
	}
	return buf[0] ? 0 : -1;
}
