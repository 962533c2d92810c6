// SPDX-License-Identifier: GPL-2.0
/*
 * ct_attach.c - one load of cowtrace.bpf.c in a probe mode: the sources of
 * each counter (rodata), the programs to load, and their attachment to
 * raw tracepoints, syscall tracepoints (through tracefs) and the kernel
 * functions in t->usable.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <bpf/libbpf.h>

#include "ct_internal.h"
#include "cowtrace.skel.h"

static const char *const tp_name[TP_NR] = {
	"page_fault_user", "page_fault_kernel", "tlb_flush", "task_newtask",
	"sched_process_exit", "sched_process_exec", "mmap_lock_start_locking",
	"mmap_lock_acquire_returned",
};

static const char *const sys_tp_name[CT_SYS_TPS] = {
	"sys_enter_clone", "sys_enter_clone3", "sys_enter_fork", "sys_enter_vfork",
	"sys_exit_clone", "sys_exit_clone3", "sys_exit_fork", "sys_exit_vfork",
};

static int add_link(struct ct_tracer *t, struct bpf_link *l)
{
	if (!l)
		return -1;
	if (t->nlinks == MAX_LINKS) {
		bpf_link__destroy(l);
		errno = ENOSPC;
		return -1;
	}
	t->links[t->nlinks++] = l;
	return 0;
}

/* A classic tracepoint's id from tracefs, or -1. */
static int tracefs_tp_id(const struct ct_tracer *t, const char *cat, const char *name)
{
	char p[256];
	FILE *f;
	int id = -1;

	snprintf(p, sizeof(p), "%s/events/%s/%s/id", t->tracefs, cat, name);
	f = fopen(p, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%d", &id) != 1 || id < 0)
		id = -1;
	fclose(f);
	if (id < 0)
		errno = EINVAL;
	return id;
}

/* A classic tracepoint through tracefs: its id, a perf event, the program. */
static int attach_tracefs_tp(struct ct_tracer *t, struct bpf_program *prog,
			     const char *cat, const char *name)
{
	struct perf_event_attr a;
	struct bpf_link *l;
	int id, pfd, e;

	id = tracefs_tp_id(t, cat, name);
	if (id < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_TRACEPOINT;
	a.size = sizeof(a);
	a.config = (__u64)id;
	a.sample_period = 1;
	a.wakeup_events = 1;
	pfd = (int)syscall(__NR_perf_event_open, &a, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0)
		return -1;
	l = bpf_program__attach_perf_event(prog, pfd);
	if (!l)
		goto cleanup;
	return add_link(t, l);		/* the link owns pfd */
cleanup:
	e = errno;
	close(pfd);
	errno = e;
	return -1;
}

/* The entry program (and the return one, or NULL) of probe function id. */
static void probe_progs(struct cowtrace_bpf *s, enum ct_mode mode, int id,
			struct bpf_program **entry, struct bpf_program **ret)
{
	int fe = mode == CT_MODE_FENTRY;

	*ret = NULL;
	switch (id) {
	case PR_DO_WP_PAGE:
		*entry = fe ? s->progs.fe_do_wp_page : s->progs.kp_do_wp_page;
		*ret = fe ? s->progs.fx_do_wp_page : s->progs.kr_do_wp_page;
		break;
	case PR_WP_PAGE_COPY:
		*entry = fe ? s->progs.fe_wp_page_copy : s->progs.kp_wp_page_copy;
		break;
	case PR_WP_PAGE_REUSE:
		*entry = fe ? s->progs.fe_wp_page_reuse : s->progs.kp_wp_page_reuse;
		break;
	case PR_DUP_MMAP:
		*entry = fe ? s->progs.fe_dup_mmap : s->progs.kp_dup_mmap;
		*ret = fe ? s->progs.fx_dup_mmap : s->progs.kr_dup_mmap;
		break;
	case PR_COPY_PAGE_RANGE:
		*entry = fe ? s->progs.fe_copy_page_range : s->progs.kp_copy_page_range;
		*ret = fe ? s->progs.fx_copy_page_range : s->progs.kr_copy_page_range;
		break;
	case PR_COPY_PROCESS:
		*entry = fe ? s->progs.fe_copy_process : s->progs.kp_copy_process;
		*ret = fe ? s->progs.fx_copy_process : s->progs.kr_copy_process;
		break;
	case PR_ANON_VMA_FORK:
		*entry = fe ? s->progs.fe_anon_vma_fork : s->progs.kp_anon_vma_fork;
		*ret = fe ? s->progs.fx_anon_vma_fork : s->progs.kr_anon_vma_fork;
		break;
	case PR_FLUSH_TLB:
		*entry = fe ? s->progs.fe_flush_tlb : s->progs.kp_flush_tlb;
		*ret = fe ? s->progs.fx_flush_tlb : s->progs.kr_flush_tlb;
		break;
	default:
		*entry = fe ? s->progs.fe_eager_copy : s->progs.kp_eager_copy;
		break;
	}
}

static struct bpf_program *tp_prog(struct cowtrace_bpf *s, int id)
{
	switch (id) {
	case TP_FAULT_USER:	return s->progs.tp_fault_user;
	case TP_FAULT_KERNEL:	return s->progs.tp_fault_kernel;
	case TP_TLB_FLUSH:	return s->progs.tp_tlb_flush;
	case TP_NEWTASK:	return s->progs.tp_newtask;
	case TP_EXIT:		return s->progs.tp_exit;
	case TP_EXEC:		return s->progs.tp_exec;
	case TP_LOCK_START:	return s->progs.tp_lock_start;
	default:		return s->progs.tp_lock_acquired;
	}
}

static struct bpf_program *sys_prog(struct cowtrace_bpf *s, int i)
{
	struct bpf_program *p[CT_SYS_TPS] = {
		s->progs.tp_enter_clone, s->progs.tp_enter_clone3,
		s->progs.tp_enter_fork, s->progs.tp_enter_vfork,
		s->progs.tp_exit_clone, s->progs.tp_exit_clone3,
		s->progs.tp_exit_fork, s->progs.tp_exit_vfork,
	};

	return p[i & (CT_SYS_TPS - 1)];
}

void ct_unload(struct ct_tracer *t)
{
	while (t->nlinks > 0)
		bpf_link__destroy(t->links[--t->nlinks]);
	cowtrace_bpf__destroy(t->skel);
	t->skel = NULL;
}

static int needs_tp(const struct ct_tracer *t, int id)
{
	switch (id) {
	case TP_FAULT_USER:
	case TP_FAULT_KERNEL:
		return t->wp_src == CT_SRC_TP || t->win_src == CT_SRC_TP;
	case TP_LOCK_START:
		return t->opt.lock_wait || t->fork_src == CT_FORK_LOCK;
	case TP_LOCK_ACQUIRED:
		return t->opt.lock_wait;
	default:
		return 1;
	}
}

static int open_skel(struct ct_tracer *t, char *err, size_t errlen)
{
	struct bpf_object_open_opts oo;

	if (t->opt.btf_path) {
		memset(&oo, 0, sizeof(oo));
		oo.sz = sizeof(oo);
		oo.btf_custom_path = t->opt.btf_path;
		t->skel = cowtrace_bpf__open_opts(&oo);
	} else {
		t->skel = cowtrace_bpf__open();
	}
	if (!t->skel)
		return ct_fail(err, errlen, CT_ERR_BPF, "cannot open the BPF object: %s",
			       strerror(errno));
	memset(t->attached, 0, sizeof(t->attached));
	memset(t->tp_ok, 0, sizeof(t->tp_ok));
	t->sys_ok = 0;
	return 0;
}

/* Where each counter comes from in mode, with the functions in t->usable. */
static void plan_sources(struct ct_tracer *t, enum ct_mode mode)
{
	int i, probe_mode = mode != CT_MODE_TRACEPOINT;

	/* a clone's vmf is not read: it needs do_wp_page's window */
	for (i = PR_WP_PAGE_COPY; i <= PR_WP_PAGE_REUSE; i++) {
		if (t->usable[i] && strcmp(t->sym[i], ct_probe_func[i]) != 0 &&
		    !t->usable[PR_DO_WP_PAGE]) {
			t->usable[i] = 0;
			snprintf(t->why[i], sizeof(t->why[i]),
				 "only the clone %.40s, usable with do_wp_page only", t->sym[i]);
		}
	}
	t->wp_src = probe_mode && t->usable[PR_DO_WP_PAGE] ? CT_SRC_PROBE : CT_SRC_TP;
	t->win_src = t->wp_src;
	t->copy_src = probe_mode && t->usable[PR_WP_PAGE_COPY] ? CT_SRC_PROBE : CT_SRC_TP;
	/*
	 * Without dup_mmap: the mmap_lock tracepoints, unless --lock-wait needs
	 * the syscall window (syscall tracepoints put every syscall of the
	 * machine on the slow path while they are attached).
	 */
	if (probe_mode && t->usable[PR_DUP_MMAP])
		t->fork_src = CT_FORK_DUP_MMAP;
	else if (!t->no_lock && (!t->opt.lock_wait || t->no_sys))
		t->fork_src = CT_FORK_LOCK;
	else
		t->fork_src = t->no_sys ? 0 : CT_FORK_SYSCALL;
	/* a per-page probe is exact; else the patch's vm events over dup_mmap */
	t->eager_vm = probe_mode && t->fork_events && t->fork_src == CT_FORK_DUP_MMAP &&
		      !t->usable[PR_EAGER];
	/* the copied page tells fork from file COW where wp_page_copy is no clone */
	t->copy_arg = t->copy_src == CT_SRC_PROBE && t->win_src == CT_SRC_PROBE &&
		      strcmp(t->sym[PR_WP_PAGE_COPY], ct_probe_func[PR_WP_PAGE_COPY]) == 0;
}

static void set_rodata(struct ct_tracer *t)
{
	struct cowtrace_bpf *s = t->skel;

	s->rodata->wp_src = t->wp_src;
	s->rodata->win_src = t->win_src;
	s->rodata->copy_src = t->copy_src;
	s->rodata->fork_src = t->fork_src;
	s->rodata->per_proc = !!t->opt.per_process;
	s->rodata->per_vma = !!t->opt.per_vma;
	s->rodata->lock_wait = !!t->opt.lock_wait;
	s->rodata->fault_window_jiffies = FAULT_WINDOW_JIFFIES;
	s->rodata->eager_vm = (__u32)t->eager_vm;
	s->rodata->copy_arg = (__u32)t->copy_arg;
	s->rodata->nr_cpus = (__u32)t->ncpus;
	s->rodata->range_lo = t->opt.range_start;
	s->rodata->range_hi = t->opt.range_end;
	bpf_map__set_max_entries(s->maps.procs, t->opt.max_procs);
	bpf_map__set_max_entries(s->maps.images, t->opt.per_process ? t->opt.max_procs : 1);
}

/* Loads only the programs this mode and these sources use. */
static void set_autoload(struct ct_tracer *t, enum ct_mode mode)
{
	struct cowtrace_bpf *s = t->skel;
	struct bpf_program *prog, *entry, *ret;
	int i;

	for (prog = bpf_object__next_program(s->obj, NULL); prog;
	     prog = bpf_object__next_program(s->obj, prog))
		bpf_program__set_autoload(prog, false);
	for (i = 0; i < TP_NR; i++)
		bpf_program__set_autoload(tp_prog(s, i), needs_tp(t, i));
	for (i = 0; i < CT_SYS_TPS; i++)
		bpf_program__set_autoload(sys_prog(s, i), t->fork_src == CT_FORK_SYSCALL);
	if (mode == CT_MODE_FENTRY && t->usable[PR_EAGER])
		bpf_program__set_attach_target(s->progs.fe_eager_copy, 0, t->sym[PR_EAGER]);
	for (i = 0; mode != CT_MODE_TRACEPOINT && i < PR_NR; i++) {
		if (!t->usable[i])
			continue;
		probe_progs(s, mode, i, &entry, &ret);
		bpf_program__set_autoload(entry, true);
		if (ret)
			bpf_program__set_autoload(ret, true);
	}
}

static int load(struct ct_tracer *t, enum ct_mode mode, char *err, size_t errlen)
{
	int rc = cowtrace_bpf__load(t->skel);

	if (!rc)
		return 0;
	if (mode == CT_MODE_FENTRY && (rc == -EPERM || rc == -EACCES))
		return ct_fail(err, errlen, LOAD_NEXT_MODE,
			       "not available: this kernel does not allow the BPF trampolines "
			       "fentry needs (loading them gave: %s)", strerror(-rc));
	if (mode == CT_MODE_FENTRY)
		return ct_fail(err, errlen, LOAD_NEXT_MODE,
			       "fentry programs did not load: %s", strerror(-rc));
	if (rc == -EPERM || rc == -EACCES)
		return ct_fail(err, errlen, CT_ERR_PERM,
			       "the kernel refused to load BPF programs (%s): "
			       "needs root or CAP_BPF+CAP_PERFMON, and no kernel lockdown",
			       strerror(-rc));
	return ct_fail(err, errlen, CT_ERR_BPF,
		       "loading the BPF programs failed: %s (run with -v -v for the verifier log)",
		       strerror(-rc));
}

static int attach_tracepoints(struct ct_tracer *t, char *err, size_t errlen)
{
	int i;

	for (i = 0; i < TP_NR; i++) {
		if (!needs_tp(t, i))
			continue;
		if (add_link(t, bpf_program__attach_raw_tracepoint(tp_prog(t->skel, i),
								   tp_name[i])) == 0) {
			t->tp_ok[i] = 1;
			continue;
		}
		if (errno == EPERM || errno == EACCES)
			return ct_fail(err, errlen, CT_ERR_PERM,
				       "attaching to tracepoint %s: %s", tp_name[i], strerror(errno));
		if (i == TP_LOCK_START && t->fork_src == CT_FORK_LOCK) {
			/* a fork window from the syscall tracepoints instead */
			t->no_lock = 1;
			return ct_fail(err, errlen, LOAD_RETRY, "no mmap_lock tracepoints");
		}
		if (i == TP_NEWTASK || i == TP_EXIT || i == TP_EXEC ||
		    (i == TP_FAULT_USER && t->wp_src == CT_SRC_TP))
			return ct_fail(err, errlen, CT_ERR_NOTP,
				       "kernel has no usable tracepoint %s (%s): cowtrace needs it to %s",
				       tp_name[i], strerror(errno),
				       i == TP_FAULT_USER ? "count write faults" : "follow processes");
	}
	return 0;
}

static int attach_syscalls(struct ct_tracer *t, char *err, size_t errlen)
{
	int i;

	if (t->fork_src != CT_FORK_SYSCALL)
		return 0;
	for (i = 0; i < CT_SYS_TPS; i++)
		if (attach_tracefs_tp(t, sys_prog(t->skel, i), "syscalls", sys_tp_name[i]) == 0)
			t->sys_ok++;
	if (t->sys_ok == CT_SYS_TPS)
		return 0;
	/* a partial fork window would be wrong: none at all */
	t->no_sys = 1;
	return ct_fail(err, errlen, LOAD_RETRY, "no syscalls:sys_enter_clone* tracepoints");
}

/* Probe function i's entry (and return) program. */
static int attach_probe(struct ct_tracer *t, enum ct_mode mode, int i, char *err, size_t errlen)
{
	struct bpf_program *entry, *ret;
	struct bpf_link *l1, *l2 = NULL;
	int e;

	probe_progs(t->skel, mode, i, &entry, &ret);
	if (mode == CT_MODE_FENTRY) {
		l1 = bpf_program__attach_trace(entry);
		if (l1 && ret)
			l2 = bpf_program__attach_trace(ret);
	} else {
		l1 = bpf_program__attach_kprobe(entry, false, t->sym[i]);
		if (l1 && ret)
			l2 = bpf_program__attach_kprobe(ret, true, t->sym[i]);
	}
	if (l1 && (!ret || l2)) {
		add_link(t, l1);
		if (l2)
			add_link(t, l2);
		t->attached[i] = 1;
		return 0;
	}
	e = errno;
	bpf_link__destroy(l1);
	snprintf(t->why[i], sizeof(t->why[i]), "%s attach failed (%s)",
		 mode == CT_MODE_FENTRY ? "fentry" : "kprobe", strerror(e));
	t->usable[i] = 0;
	snprintf(err, errlen, "%s: %s", ct_probe_func[i], t->why[i]);
	/* no trampolines at all: no point trying each function */
	if (mode == CT_MODE_FENTRY && (e == ENOTSUP || e == 524 || e == ENODEV))
		return ct_fail(err, errlen, LOAD_NEXT_MODE,
			       "fentry unsupported by this kernel (%s)", strerror(e));
	return LOAD_RETRY;
}

int ct_try_load(struct ct_tracer *t, enum ct_mode mode, char *err, size_t errlen)
{
	int i, rc = open_skel(t, err, errlen);

	if (rc)
		return rc;
	plan_sources(t, mode);
	set_rodata(t);
	set_autoload(t, mode);
	rc = load(t, mode, err, errlen);
	if (!rc)
		rc = attach_tracepoints(t, err, errlen);
	if (!rc)
		rc = attach_syscalls(t, err, errlen);
	for (i = 0; !rc && mode != CT_MODE_TRACEPOINT && i < PR_NR; i++)
		if (t->usable[i])
			rc = attach_probe(t, mode, i, err, errlen);
	return rc;
}
