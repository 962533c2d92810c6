// SPDX-License-Identifier: GPL-2.0
/*
 * cowtrace_lib.c - loader for cowtrace.bpf.c: chooses the probe mode and
 * the probes the running kernel can attach, follows a process tree and
 * reads its counters per role (see cowtrace_lib.h).
 *
 * Open -> set rodata -> load -> attach.  A kernel function that cannot be
 * probed (inlined, missing from BTF, refused) is dropped and the object is
 * loaded again without it, so the counters fall back to their tracepoint
 * sources and say so (ct_counter_status).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "cowtrace.h"
#include "cowtrace_lib.h"
#include "ct_internal.h"
#include "cowtrace.skel.h"

_Static_assert(CT_MAX_ROLES == CT_ROLES, "role counts differ");
_Static_assert(sizeof(struct ct_win) % 8 == 0, "per-CPU values are 8-byte aligned");

#define FAULT_WINDOW_JIFFIES 2ULL	/* tracepoint mode: fault .. its flush (2-20 ms) */
#define MAX_LINKS	48

/* Kernel functions cowtrace probes when it can. */
enum probe_id {
	PR_DO_WP_PAGE,
	PR_WP_PAGE_COPY,
	PR_WP_PAGE_REUSE,
	PR_DUP_MMAP,
	PR_COPY_PAGE_RANGE,
	PR_EAGER,
	PR_NR
};

static const char *const probe_func[PR_NR] = {
	"do_wp_page", "wp_page_copy", "wp_page_reuse", "dup_mmap",
	"copy_page_range",
	/* called for every 4 KiB page copied at fork instead of shared (pinned
	 * pages; forklab's stack and eager modes) */
	"copy_present_page",
};

/* If copy_present_page is inlined: forklab's per-page caller of it. */
#define EAGER_ALT "fork_copy_present"

enum tp_id {
	TP_FAULT_USER,
	TP_FAULT_KERNEL,
	TP_TLB_FLUSH,
	TP_NEWTASK,
	TP_EXIT,
	TP_LOCK_START,
	TP_LOCK_ACQUIRED,
	TP_NR
};

static const char *const tp_name[TP_NR] = {
	"page_fault_user", "page_fault_kernel", "tlb_flush", "task_newtask",
	"sched_process_exit", "mmap_lock_start_locking",
	"mmap_lock_acquire_returned",
};

static const char *const sys_tp_name[8] = {
	"sys_enter_clone", "sys_enter_clone3", "sys_enter_fork", "sys_enter_vfork",
	"sys_exit_clone", "sys_exit_clone3", "sys_exit_fork", "sys_exit_vfork",
};

struct ct_tracer {
	struct cowtrace_bpf *skel;
	struct ct_options opt;
	enum ct_mode mode;			/* resolved: never AUTO */
	struct bpf_link *links[MAX_LINKS];
	int nlinks;
	int ncpus;
	char tracefs[64];

	int usable[PR_NR];			/* planned for the current mode */
	char sym[PR_NR][64];			/* kallsyms name (a clone's, maybe) */
	int attached[PR_NR];
	char why[PR_NR][96];			/* why a function is not probed */
	int tp_ok[TP_NR];
	int sys_ok;				/* syscall tracepoints attached */

	__u32 wp_src, copy_src, win_src, fork_src;
	int no_sys;				/* syscall tracepoints unusable */
	int fork_events;			/* kernel counts fork copies (vm events) */
	int eager_vm;				/* eager_copies from them */
	int base_procs[CT_MAX_ROLES];
	enum ct_status status[CT_NR_COUNTERS];
	const char *note[CT_NR_COUNTERS];
	char summary[1024];
	char modes_note[256];			/* why better modes were not used */
	char eager_note[192];
	char err[256];
};

static int g_verbose;

__attribute__((format(printf, 2, 0)))
static int print_fn(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (g_verbose == 0 || (level == LIBBPF_DEBUG && g_verbose < 2))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

__attribute__((format(printf, 4, 5)))
static int fail(char *err, size_t len, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return code;
}

/* ---- preflight: privileges, BTF, tracefs, kprobes, symbols ---------- */

static int has_bpf_caps(void)
{
	unsigned long long eff = 0;
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return geteuid() == 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	/* CAP_SYS_ADMIN (21), or CAP_PERFMON (38) + CAP_BPF (39) */
	return (eff >> 21 & 1) || ((eff >> 38 & 1) && (eff >> 39 & 1));
}

static int find_tracefs(char *path, size_t len, char *err, size_t errlen)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	char p[128];
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s/events", dirs[i]);
		if (access(p, F_OK) == 0) {
			snprintf(path, len, "%s", dirs[i]);
			return 0;
		}
	}
	if (mount("nodev", dirs[0], "tracefs", 0, NULL) == 0) {
		snprintf(p, sizeof(p), "%s/events", dirs[0]);
		if (access(p, F_OK) == 0) {
			snprintf(path, len, "%s", dirs[0]);
			return 0;
		}
	}
	return fail(err, errlen, CT_ERR_TRACEFS,
		    "tracefs is not mounted (neither %s nor %s) and mounting it failed (%s); "
		    "run: mount -t tracefs nodev %s", dirs[0], dirs[1], strerror(errno), dirs[0]);
}

static int have_kprobes(const char *tracefs)
{
	char p[128];

	if (access("/sys/bus/event_source/devices/kprobe/type", F_OK) == 0)
		return 1;
	snprintf(p, sizeof(p), "%s/kprobe_events", tracefs);
	return access(p, F_OK) == 0;
}

/*
 * Which probe functions are in /proc/kallsyms: have[i] = 1 under their own
 * name, 2 only as a whole-function clone (name.constprop.N, name.isra.N:
 * GCC clones even noinline functions), 3 as another function that does the
 * same (EAGER_ALT); the name to attach goes to clone[i].  A
 * clone may take other arguments: cowtrace reads none there (do_wp_page,
 * whose vmf it reads, must be exact).  name.part.N is only a piece.
 */
static void read_kallsyms(int have[PR_NR], char clone[PR_NR][64])
{
	char line[512], type, name[256];
	unsigned long long addr;
	FILE *f = fopen("/proc/kallsyms", "r");
	size_t len;
	int i;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3)
			continue;
		if (type != 't' && type != 'T')
			continue;
		if (!have[PR_EAGER] && !strcmp(name, EAGER_ALT)) {
			have[PR_EAGER] = 3;
			snprintf(clone[PR_EAGER], sizeof(clone[PR_EAGER]), "%s", EAGER_ALT);
		}
		for (i = 0; i < PR_NR; i++) {
			len = strlen(probe_func[i]);
			if (strncmp(name, probe_func[i], len) != 0)
				continue;
			if (name[len] == 0) {
				have[i] = 1;
			} else if ((!have[i] || have[i] == 3) && i != PR_DO_WP_PAGE &&
				   (!strncmp(name + len, ".constprop.", 11) ||
				    !strncmp(name + len, ".isra.", 6))) {
				have[i] = 2;
				snprintf(clone[i], sizeof(clone[i]), "%.63s", name);
			}
		}
	}
	fclose(f);
}

/*
 * COWTRACE_NO_PROBE=func,func... treats those functions as inlined: how the
 * tests check the fallbacks of a stock kernel on a patched one.
 */
static void no_probe_env(int have[PR_NR])
{
	const char *env = getenv("COWTRACE_NO_PROBE"), *p;
	size_t len;
	int i;

	for (p = env; p && *p; p += len + (p[len] == ',')) {
		len = strcspn(p, ",");
		for (i = 0; i < PR_NR; i++)
			if (strlen(probe_func[i]) == len && !strncmp(p, probe_func[i], len))
				have[i] = 0;
	}
}

/* Does the kernel count fork copies as vm events (forklab's patch), with
 * the per-CPU vm_event_states in BTF for bpf_per_cpu_ptr? */
static int btf_has_fork_copy_events(const struct btf *btf)
{
	const struct btf_type *tp;
	const struct btf_enum *e;
	int id, i, n = 0;

	if (btf__find_by_name_kind(btf, "vm_event_states", BTF_KIND_VAR) <= 0)
		return 0;
	id = btf__find_by_name_kind(btf, "vm_event_item", BTF_KIND_ENUM);
	if (id <= 0)
		return 0;
	tp = btf__type_by_id(btf, id);
	e = btf_enum(tp);
	for (i = 0; i < btf_vlen(tp); i++, e++) {
		const char *name = btf__name_by_offset(btf, e->name_off);

		n += name && (!strcmp(name, "FORK_EAGER_COPY") || !strcmp(name, "FORK_STACK_COPY"));
	}
	return n == 2;
}

static void read_btf_funcs(const char *path, int have[PR_NR], char sym[PR_NR][64],
			   int *fork_events)
{
	struct btf *btf = path ? btf__parse(path, NULL) : btf__load_vmlinux_btf();
	int i;

	if (!btf)
		return;
	for (i = 0; i < PR_NR; i++)
		have[i] = btf__find_by_name_kind(btf, sym[i], BTF_KIND_FUNC) > 0;
	*fork_events = btf_has_fork_copy_events(btf);
	btf__free(btf);
}

/* ---- attaching ------------------------------------------------------ */

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

/* A classic tracepoint through tracefs: its id, a perf event, the program. */
static int attach_tracefs_tp(struct ct_tracer *t, struct bpf_program *prog,
			     const char *cat, const char *name)
{
	struct perf_event_attr a;
	char p[256];
	FILE *f;
	int id = -1, pfd, e;
	struct bpf_link *l;

	snprintf(p, sizeof(p), "%s/events/%s/%s/id", t->tracefs, cat, name);
	f = fopen(p, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%d", &id) != 1)
		id = -1;
	fclose(f);
	if (id < 0) {
		errno = EINVAL;
		return -1;
	}
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
	if (!l) {
		e = errno;
		close(pfd);
		errno = e;
		return -1;
	}
	return add_link(t, l);
}

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
	case TP_LOCK_START:	return s->progs.tp_lock_start;
	default:		return s->progs.tp_lock_acquired;
	}
}

static struct bpf_program *sys_prog(struct cowtrace_bpf *s, int i)
{
	struct bpf_program *p[8] = {
		s->progs.tp_enter_clone, s->progs.tp_enter_clone3,
		s->progs.tp_enter_fork, s->progs.tp_enter_vfork,
		s->progs.tp_exit_clone, s->progs.tp_exit_clone3,
		s->progs.tp_exit_fork, s->progs.tp_exit_vfork,
	};

	return p[i & 7];
}

static void unload(struct ct_tracer *t)
{
	while (t->nlinks > 0)
		bpf_link__destroy(t->links[--t->nlinks]);
	cowtrace_bpf__destroy(t->skel);
	t->skel = NULL;
}

#define LOAD_RETRY	(-1)	/* a probe failed: retry without it */
#define LOAD_NEXT_MODE	(-2)	/* this mode cannot work here */

static int needs_tp(const struct ct_tracer *t, int id)
{
	switch (id) {
	case TP_FAULT_USER:
	case TP_FAULT_KERNEL:
		return t->wp_src == CT_SRC_TP || t->win_src == CT_SRC_TP;
	case TP_LOCK_START:
	case TP_LOCK_ACQUIRED:
		return t->opt.lock_wait;
	default:
		return 1;
	}
}

/* One attempt: load with the probes in t->usable and attach everything. */
static int try_load(struct ct_tracer *t, enum ct_mode mode, char *err, size_t errlen)
{
	struct bpf_program *prog, *entry, *ret;
	struct cowtrace_bpf *s;
	int i, rc, probe_mode = mode != CT_MODE_TRACEPOINT;

	if (t->opt.btf_path) {
		struct bpf_object_open_opts oo;

		memset(&oo, 0, sizeof(oo));
		oo.sz = sizeof(oo);
		oo.btf_custom_path = t->opt.btf_path;
		s = cowtrace_bpf__open_opts(&oo);
	} else {
		s = cowtrace_bpf__open();
	}
	if (!s)
		return fail(err, errlen, CT_ERR_BPF, "cannot open the BPF object: %s",
			    strerror(errno));
	t->skel = s;
	memset(t->attached, 0, sizeof(t->attached));
	memset(t->tp_ok, 0, sizeof(t->tp_ok));
	t->sys_ok = 0;

	/* a clone's vmf is not read: it needs do_wp_page's window */
	for (i = PR_WP_PAGE_COPY; i <= PR_WP_PAGE_REUSE; i++) {
		if (t->usable[i] && strcmp(t->sym[i], probe_func[i]) != 0 && !t->usable[PR_DO_WP_PAGE]) {
			t->usable[i] = 0;
			snprintf(t->why[i], sizeof(t->why[i]),
				 "only the clone %.40s, usable with do_wp_page only", t->sym[i]);
		}
	}
	t->wp_src = probe_mode && t->usable[PR_DO_WP_PAGE] ? CT_SRC_PROBE : CT_SRC_TP;
	t->win_src = t->wp_src;
	t->copy_src = probe_mode && t->usable[PR_WP_PAGE_COPY] ? CT_SRC_PROBE : CT_SRC_TP;
	t->fork_src = probe_mode && t->usable[PR_DUP_MMAP] ? CT_FORK_DUP_MMAP
		      : t->no_sys ? 0 : CT_FORK_SYSCALL;
	s->rodata->wp_src = t->wp_src;
	s->rodata->win_src = t->win_src;
	s->rodata->copy_src = t->copy_src;
	s->rodata->fork_src = t->fork_src;
	s->rodata->per_proc = !!t->opt.per_process;
	s->rodata->per_vma = !!t->opt.per_vma;
	s->rodata->lock_wait = !!t->opt.lock_wait;
	s->rodata->fault_window_jiffies = FAULT_WINDOW_JIFFIES;
	/* a per-page probe is exact; else the patch's vm events over dup_mmap */
	t->eager_vm = probe_mode && t->fork_events && t->fork_src == CT_FORK_DUP_MMAP &&
		      !t->usable[PR_EAGER];
	s->rodata->eager_vm = (__u32)t->eager_vm;
	s->rodata->nr_cpus = (__u32)t->ncpus;
	s->rodata->range_lo = t->opt.range_start;
	s->rodata->range_hi = t->opt.range_end;
	bpf_map__set_max_entries(s->maps.procs, t->opt.max_procs);

	for (prog = bpf_object__next_program(s->obj, NULL); prog;
	     prog = bpf_object__next_program(s->obj, prog))
		bpf_program__set_autoload(prog, false);
	for (i = 0; i < TP_NR; i++)
		bpf_program__set_autoload(tp_prog(s, i), needs_tp(t, i));
	for (i = 0; i < 8; i++)
		bpf_program__set_autoload(sys_prog(s, i), t->fork_src == CT_FORK_SYSCALL);
	if (mode == CT_MODE_FENTRY && t->usable[PR_EAGER])
		bpf_program__set_attach_target(s->progs.fe_eager_copy, 0, t->sym[PR_EAGER]);
	for (i = 0; probe_mode && i < PR_NR; i++) {
		if (!t->usable[i])
			continue;
		probe_progs(s, mode, i, &entry, &ret);
		bpf_program__set_autoload(entry, true);
		if (ret)
			bpf_program__set_autoload(ret, true);
	}

	rc = cowtrace_bpf__load(s);
	if (rc) {
		if (mode == CT_MODE_FENTRY)
			return fail(err, errlen, LOAD_NEXT_MODE,
				    "fentry programs did not load: %s", strerror(-rc));
		if (rc == -EPERM || rc == -EACCES)
			return fail(err, errlen, CT_ERR_PERM,
				    "the kernel refused to load BPF programs (%s): "
				    "needs root or CAP_BPF+CAP_PERFMON, and no kernel lockdown",
				    strerror(-rc));
		return fail(err, errlen, CT_ERR_BPF,
			    "loading the BPF programs failed: %s (run with -v -v for the verifier log)",
			    strerror(-rc));
	}

	for (i = 0; i < TP_NR; i++) {
		if (!needs_tp(t, i))
			continue;
		prog = tp_prog(s, i);
		if (add_link(t, bpf_program__attach_raw_tracepoint(prog, tp_name[i])) == 0) {
			t->tp_ok[i] = 1;
			continue;
		}
		if (errno == EPERM || errno == EACCES)
			return fail(err, errlen, CT_ERR_PERM,
				    "attaching to tracepoint %s: %s", tp_name[i], strerror(errno));
		if (i == TP_NEWTASK || i == TP_EXIT ||
		    (i == TP_FAULT_USER && t->wp_src == CT_SRC_TP))
			return fail(err, errlen, CT_ERR_NOTP,
				    "kernel has no usable tracepoint %s (%s): cowtrace needs it to %s",
				    tp_name[i], strerror(errno),
				    i == TP_FAULT_USER ? "count write faults" : "follow processes");
	}
	if (t->fork_src == CT_FORK_SYSCALL) {
		for (i = 0; i < 8; i++)
			if (attach_tracefs_tp(t, sys_prog(s, i), "syscalls", sys_tp_name[i]) == 0)
				t->sys_ok++;
		if (t->sys_ok < 8) {
			/* a partial fork window would be wrong: none at all */
			t->no_sys = 1;
			return fail(err, errlen, LOAD_RETRY, "no syscalls:sys_enter_clone* tracepoints");
		}
	}

	for (i = 0; probe_mode && i < PR_NR; i++) {
		struct bpf_link *l1, *l2 = NULL;
		int e;

		if (!t->usable[i])
			continue;
		probe_progs(s, mode, i, &entry, &ret);
		if (mode == CT_MODE_FENTRY) {
			l1 = bpf_program__attach_trace(entry);
			if (l1 && ret)
				l2 = bpf_program__attach_trace(ret);
		} else {
			l1 = bpf_program__attach_kprobe(entry, false, t->sym[i]);
			if (l1 && ret)
				l2 = bpf_program__attach_kprobe(ret, true, t->sym[i]);
		}
		if (!l1 || (ret && !l2)) {
			e = errno;
			bpf_link__destroy(l1);
			snprintf(t->why[i], sizeof(t->why[i]), "%s attach failed (%s)",
				 mode == CT_MODE_FENTRY ? "fentry" : "kprobe", strerror(e));
			t->usable[i] = 0;
			snprintf(err, errlen, "%s: %s", probe_func[i], t->why[i]);
			/* no trampolines at all: no point trying each function */
			if (mode == CT_MODE_FENTRY && (e == ENOTSUP || e == 524 || e == ENODEV))
				return fail(err, errlen, LOAD_NEXT_MODE,
					    "fentry unsupported by this kernel (%s)", strerror(e));
			return LOAD_RETRY;
		}
		add_link(t, l1);
		if (l2)
			add_link(t, l2);
		t->attached[i] = 1;
	}
	return 0;
}

/* ---- counter status ------------------------------------------------- */

static void set_status(struct ct_tracer *t, enum ct_counter k, enum ct_status s,
		       const char *note)
{
	t->status[k] = s;
	t->note[k] = note;
}

static void compute_status(struct ct_tracer *t)
{
	int fe = t->mode == CT_MODE_FENTRY, tlb = t->tp_ok[TP_TLB_FLUSH];
	int fork_win = t->fork_src != 0;
	enum ct_counter k;

	for (k = 0; k < CT_NR_COUNTERS; k++)
		t->status[k] = ct_counter_default(k, &t->note[k]);
	if (t->attached[PR_DO_WP_PAGE])
		set_status(t, CT_WP_FAULTS, CT_EXACT, fe ? "fentry on do_wp_page" : "kprobe on do_wp_page");
	else
		set_status(t, CT_WP_FAULTS, CT_APPROX,
			   "tracepoints exceptions:page_fault_user/kernel: write faults on present pages "
			   "(also spurious ones; not faults taken by get_user_pages)");

	if (t->attached[PR_WP_PAGE_COPY])
		set_status(t, CT_COW_COPIES, CT_EXACT, fe ? "fentry on wp_page_copy" : "kprobe on wp_page_copy");
	else if (tlb && t->attached[PR_DO_WP_PAGE])
		set_status(t, CT_COW_COPIES, CT_APPROX,
			   "derived: one-page local TLB flush inside do_wp_page (wp_page_copy flushes the old page)");
	else if (tlb)
		set_status(t, CT_COW_COPIES, CT_APPROX,
			   "derived: a one-page local TLB flush first after a write fault, within two jiffies "
			   "(wp_page_copy flushes the old page, a reuse flushes nothing)");
	else
		set_status(t, CT_COW_COPIES, CT_UNAVAILABLE, "needs wp_page_copy probes or tlb:tlb_flush");

	if (t->attached[PR_WP_PAGE_REUSE])
		set_status(t, CT_COW_REUSES, CT_EXACT, fe ? "fentry on wp_page_reuse" : "kprobe on wp_page_reuse");
	else if (t->status[CT_COW_COPIES] != CT_UNAVAILABLE)
		set_status(t, CT_COW_REUSES, CT_APPROX, "derived: wp_faults - cow_copies");
	else
		set_status(t, CT_COW_REUSES, CT_UNAVAILABLE, "needs wp_page_reuse probes or tlb:tlb_flush");

	if (!tlb || !fork_win) {
		const char *n = !tlb ? "kernel has no tlb:tlb_flush tracepoint"
				     : "no fork window: needs dup_mmap probes or syscalls:sys_enter_clone*";

		set_status(t, CT_TLB_FLUSH_FORK, CT_UNAVAILABLE, n);
		set_status(t, CT_TLB_PAGES_FORK, CT_UNAVAILABLE, n);
	} else if (t->fork_src == CT_FORK_DUP_MMAP) {
		set_status(t, CT_TLB_FLUSH_FORK, CT_EXACT, "tlb:tlb_flush (local, own mm) inside dup_mmap");
		set_status(t, CT_TLB_PAGES_FORK, CT_EXACT, "tlb:tlb_flush pages inside dup_mmap");
	} else {
		set_status(t, CT_TLB_FLUSH_FORK, CT_APPROX,
			   "tlb:tlb_flush (local, own mm) from fork syscall entry to task_newtask");
		set_status(t, CT_TLB_PAGES_FORK, CT_APPROX,
			   "tlb:tlb_flush pages from fork syscall entry to task_newtask");
	}

	if (!tlb) {
		set_status(t, CT_TLB_FLUSH_FAULT, CT_UNAVAILABLE, "kernel has no tlb:tlb_flush tracepoint");
		set_status(t, CT_TLB_PAGES_FAULT, CT_UNAVAILABLE, "kernel has no tlb:tlb_flush tracepoint");
	} else if (t->attached[PR_DO_WP_PAGE]) {
		set_status(t, CT_TLB_FLUSH_FAULT, CT_EXACT, "tlb:tlb_flush (local, own mm) inside do_wp_page");
		set_status(t, CT_TLB_PAGES_FAULT, CT_EXACT, "tlb:tlb_flush pages inside do_wp_page");
	} else {
		set_status(t, CT_TLB_FLUSH_FAULT, CT_APPROX,
			   "tlb:tlb_flush (local, own mm): the first flush within two jiffies of a write fault, "
			   "if of one page");
		set_status(t, CT_TLB_PAGES_FAULT, CT_APPROX,
			   "tlb:tlb_flush pages: the first flush within two jiffies of a write fault, if of one page");
	}

	if (t->fork_src == CT_FORK_DUP_MMAP)
		set_status(t, CT_FORK_NS, CT_EXACT, "dup_mmap entry to return");
	else if (t->attached[PR_COPY_PAGE_RANGE])
		set_status(t, CT_FORK_NS, CT_APPROX,
			   "sum of copy_page_range (page tables only; dup_mmap not probeable)");
	else if (fork_win)
		set_status(t, CT_FORK_NS, CT_APPROX,
			   "fork syscall entry to task_newtask (all of copy_process)");
	else
		set_status(t, CT_FORK_NS, CT_UNAVAILABLE,
			   "needs dup_mmap/copy_page_range probes or syscalls:sys_enter_clone*");

	if (t->attached[PR_EAGER]) {
		snprintf(t->eager_note, sizeof(t->eager_note), "%s on %s: 4 KiB pages copied at fork "
			 "(not THP/mTHP copies: /proc/vmstat fork_eager_copy has all)",
			 fe ? "fentry" : "kprobe", t->sym[PR_EAGER]);
		set_status(t, CT_EAGER_COPIES, CT_EXACT, t->eager_note);
	} else if (t->eager_vm && t->attached[PR_DUP_MMAP]) {
		set_status(t, CT_EAGER_COPIES, CT_APPROX,
			   "growth of the kernel's fork_eager_copy + fork_stack_copy events while the "
			   "process is in dup_mmap (system-wide counters: more if forks overlap)");
	} else {
		set_status(t, CT_EAGER_COPIES, CT_UNAVAILABLE,
			   "needs a probe on copy_present_page or " EAGER_ALT
			   ", or dup_mmap and forklab's fork_*_copy vm events");
	}

	if (!t->opt.lock_wait)
		set_status(t, CT_LOCK_WAIT_NS, CT_UNAVAILABLE, "not requested (--lock-wait)");
	else if (!t->tp_ok[TP_LOCK_START] || !t->tp_ok[TP_LOCK_ACQUIRED])
		set_status(t, CT_LOCK_WAIT_NS, CT_UNAVAILABLE, "kernel has no mmap_lock tracepoints");
	else if (!fork_win)
		set_status(t, CT_LOCK_WAIT_NS, CT_UNAVAILABLE, "no fork window");
	else if (t->fork_src == CT_FORK_DUP_MMAP)
		set_status(t, CT_LOCK_WAIT_NS, CT_EXACT,
			   "mmap_lock waits begun by other threads inside dup_mmap");
	else
		set_status(t, CT_LOCK_WAIT_NS, CT_APPROX,
			   "mmap_lock waits begun by other threads from fork syscall entry to task_newtask");
}

static void note_mode(struct ct_tracer *t, const char *mode, const char *why)
{
	size_t n = strlen(t->modes_note);

	snprintf(t->modes_note + n, sizeof(t->modes_note) - n, "%s%s: %s",
		 n ? "; " : "", mode, why);
}

static void make_summary(struct ct_tracer *t)
{
	size_t n = 0;
	int i;

	if (t->modes_note[0])
		n += (size_t)snprintf(t->summary, sizeof(t->summary), "not used: %s; ",
				      t->modes_note);
	for (i = 0; i < PR_NR && n < sizeof(t->summary); i++) {
		const char *how = t->attached[i] ? (t->mode == CT_MODE_FENTRY ? "fentry" : "kprobe")
				: t->why[i][0] ? t->why[i] : "not used in this mode";
		char what[96];

		if (t->mode == CT_MODE_TRACEPOINT) {
			snprintf(t->summary + n, sizeof(t->summary) - n,
				 "tracepoint mode probes no kernel function");
			break;
		}

		if (t->attached[i] && strcmp(t->sym[i], probe_func[i]) != 0) {
			snprintf(what, sizeof(what), "%s on %.63s",
				 t->mode == CT_MODE_FENTRY ? "fentry" : "kprobe", t->sym[i]);
			how = what;
		}
		n += (size_t)snprintf(t->summary + n, sizeof(t->summary) - n, "%s%s: %s",
				      i ? "; " : "", probe_func[i], how);
	}
}

/* ---- public API ----------------------------------------------------- */

int ct_open(struct ct_tracer **tp, const struct ct_options *o, char *err, size_t errlen)
{
	int kallsyms[PR_NR] = {0}, btf_funcs[PR_NR] = {0};
	char clone[PR_NR][64] = {{0}};
	enum ct_mode modes[3];
	int nmodes = 0, m, i, rc, tries, any_ks = 0, any_btf = 0, kp_ok, n_fe = 0, n_kp = 0;
	char last[256] = "";
	struct ct_tracer *t;

	*tp = NULL;
	g_verbose = o->verbose;
	libbpf_set_print(print_fn);

	if (!has_bpf_caps())
		return fail(err, errlen, CT_ERR_PERM,
			    "needs root, or CAP_BPF and CAP_PERFMON (running as uid %d without them)",
			    (int)geteuid());
	if (o->btf_path) {
		struct btf *btf;

		if (access(o->btf_path, R_OK))
			return fail(err, errlen, CT_ERR_NOBTF, "cannot use '%.200s' as kernel BTF: %s",
				    o->btf_path, strerror(errno));
		btf = btf__parse(o->btf_path, NULL);
		if (!btf)
			return fail(err, errlen, CT_ERR_NOBTF,
				    "cannot use '%.200s' as kernel BTF: neither a vmlinux with a .BTF "
				    "section nor a raw BTF file (such as /sys/kernel/btf/vmlinux)",
				    o->btf_path);
		if (btf__find_by_name_kind(btf, "task_struct", BTF_KIND_STRUCT) <= 0) {
			btf__free(btf);
			return fail(err, errlen, CT_ERR_NOBTF,
				    "'%.200s' has no struct task_struct: not a kernel's BTF",
				    o->btf_path);
		}
		btf__free(btf);
	} else if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
		return fail(err, errlen, CT_ERR_NOBTF,
			    "kernel has no BTF (/sys/kernel/btf/vmlinux: %s): "
			    "CO-RE needs a kernel built with CONFIG_DEBUG_INFO_BTF=y "
			    "(or give its BTF with --btf FILE)", strerror(errno));
	}

	t = calloc(1, sizeof(*t));
	if (!t)
		return fail(err, errlen, CT_ERR_BPF, "out of memory");
	t->opt = *o;
	if (!t->opt.max_procs)
		t->opt.max_procs = 16384;
	t->ncpus = libbpf_num_possible_cpus();
	if (t->ncpus <= 0) {
		free(t);
		return fail(err, errlen, CT_ERR_BPF, "cannot count the CPUs");
	}
	rc = find_tracefs(t->tracefs, sizeof(t->tracefs), err, errlen);
	if (rc) {
		free(t);
		return rc;
	}

	read_kallsyms(kallsyms, clone);
	no_probe_env(kallsyms);
	for (i = 0; i < PR_NR; i++) {
		snprintf(t->sym[i], sizeof(t->sym[i]), "%.63s",
			 kallsyms[i] >= 2 ? clone[i] : probe_func[i]);
		if (kallsyms[i] == 3)
			kallsyms[i] = 1;	/* exact, under another name */
	}
	read_btf_funcs(t->opt.btf_path, btf_funcs, t->sym, &t->fork_events);
	for (i = 0; i < PR_NR; i++) {
		/* fentry finds its target by its own name only */
		if (kallsyms[i] == 2)
			btf_funcs[i] = 0;
		any_ks |= kallsyms[i];
		any_btf |= btf_funcs[i] && kallsyms[i];
	}

	switch (o->mode) {
	case CT_MODE_FENTRY:
		if (!any_btf) {
			rc = fail(err, errlen, CT_ERR_MODE,
				  "fentry mode: none of do_wp_page, wp_page_copy, wp_page_reuse, dup_mmap, "
				  "copy_page_range is a function in this kernel's BTF and kallsyms (inlined?)");
			goto out_fail;
		}
		modes[nmodes++] = CT_MODE_FENTRY;
		break;
	case CT_MODE_KPROBE:
		if (!have_kprobes(t->tracefs)) {
			rc = fail(err, errlen, CT_ERR_MODE,
				  "kprobe mode: this kernel has no kprobes (no kprobe PMU, no %s/kprobe_events)",
				  t->tracefs);
			goto out_fail;
		}
		if (!any_ks) {
			rc = fail(err, errlen, CT_ERR_MODE,
				  "kprobe mode: none of do_wp_page, wp_page_copy, wp_page_reuse, dup_mmap, "
				  "copy_page_range is in /proc/kallsyms (inlined)");
			goto out_fail;
		}
		modes[nmodes++] = CT_MODE_KPROBE;
		break;
	case CT_MODE_TRACEPOINT:
		modes[nmodes++] = CT_MODE_TRACEPOINT;
		break;
	default:
		/* the mode that probes more functions; fentry (cheaper) on a tie */
		kp_ok = any_ks && have_kprobes(t->tracefs);
		for (i = 0; i < PR_NR; i++) {
			n_fe += btf_funcs[i] && kallsyms[i];
			n_kp += kallsyms[i] && (kallsyms[i] == 1 || i == PR_DUP_MMAP ||
						i >= PR_COPY_PAGE_RANGE || kallsyms[PR_DO_WP_PAGE] == 1);
		}
		if (kp_ok && n_kp > n_fe)
			modes[nmodes++] = CT_MODE_KPROBE;
		if (any_btf)
			modes[nmodes++] = CT_MODE_FENTRY;
		else
			note_mode(t, "fentry", "none of the functions is in kernel BTF and kallsyms");
		if (kp_ok && n_kp <= n_fe)
			modes[nmodes++] = CT_MODE_KPROBE;
		else if (!kp_ok)
			note_mode(t, "kprobe", !any_ks ? "none of the functions is in kallsyms"
				  : "this kernel has no kprobes");
		modes[nmodes++] = CT_MODE_TRACEPOINT;
		break;
	}

	for (m = 0; m < nmodes; m++) {
		enum ct_mode mode = modes[m];

		for (i = 0; i < PR_NR; i++) {
			t->usable[i] = mode == CT_MODE_FENTRY ? btf_funcs[i] && kallsyms[i]
				     : mode == CT_MODE_KPROBE ? kallsyms[i] : 0;
			if (mode == CT_MODE_TRACEPOINT)
				snprintf(t->why[i], sizeof(t->why[i]), "not used in tracepoint mode");
			else if (!kallsyms[i])
				snprintf(t->why[i], sizeof(t->why[i]), "not in /proc/kallsyms (inlined)%s",
					 getenv("COWTRACE_NO_PROBE") ? " or COWTRACE_NO_PROBE" : "");
			else if (mode == CT_MODE_FENTRY && kallsyms[i] == 2)
				snprintf(t->why[i], sizeof(t->why[i]),
					 "only the clone %.40s, which fentry cannot name", clone[i]);
			else if (mode == CT_MODE_FENTRY && !btf_funcs[i])
				snprintf(t->why[i], sizeof(t->why[i]), "not a function in kernel BTF");
			else
				t->why[i][0] = 0;
		}
		t->no_sys = 0;
		for (tries = 0; tries <= PR_NR + 1; tries++) {
			int any = 0;

			rc = try_load(t, mode, err, errlen);
			if (rc == 0)
				break;
			unload(t);
			if (rc != LOAD_RETRY && rc != LOAD_NEXT_MODE)
				goto out_fail;
			snprintf(last, sizeof(last), "%s", err);
			for (i = 0; i < PR_NR; i++)
				any |= t->usable[i];
			if (rc == LOAD_NEXT_MODE || (mode != CT_MODE_TRACEPOINT && !any)) {
				rc = LOAD_NEXT_MODE;
				break;
			}
		}
		if (rc == 0) {
			t->mode = mode;
			break;
		}
		note_mode(t, mode == CT_MODE_FENTRY ? "fentry" : "kprobe", last);
	}
	if (rc != 0) {
		rc = fail(err, errlen, CT_ERR_MODE, "%s mode is not possible here: %s",
			  o->mode == CT_MODE_FENTRY ? "fentry" : o->mode == CT_MODE_KPROBE ? "kprobe"
			  : "no", last[0] ? last : "every probe failed to attach");
		goto out_fail;
	}
	/* a mode that attached no probe at all is tracepoint mode */
	for (i = 0, rc = 0; i < PR_NR; i++)
		rc |= t->attached[i];
	if (!rc)
		t->mode = CT_MODE_TRACEPOINT;
	compute_status(t);
	make_summary(t);
	*tp = t;
	return 0;

out_fail:
	unload(t);
	free(t);
	return rc;
}

static int zero_percpu_map(int fd, __u32 n, size_t value_size, int ncpus)
{
	size_t sz = (value_size + 7) / 8 * 8;
	void *buf = calloc((size_t)ncpus, sz);
	__u32 k;
	int rc = 0;

	if (!buf)
		return -1;
	for (k = 0; k < n && !rc; k++)
		rc = bpf_map_update_elem(fd, &k, buf, BPF_ANY);
	free(buf);
	return rc;
}

struct pp {
	pid_t pid, ppid;
};

/* Every process's (pid, ppid), from /proc/PID/stat. */
static int scan_procs(struct pp **out)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	struct pp *v = NULL, *nv;
	size_t n = 0, cap = 0;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char path[64], buf[512], *rp;
		ssize_t len;
		int fd, ppid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%.20s/stat", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = 0;
		rp = strrchr(buf, ')');		/* comm may hold spaces and ')' */
		if (!rp || sscanf(rp + 1, " %*c %d", &ppid) != 1)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				closedir(d);
				return -1;
			}
			v = nv;
		}
		v[n].pid = atoi(de->d_name);
		v[n].ppid = ppid;
		n++;
	}
	closedir(d);
	*out = v;
	return (int)n;
}

static void read_comm(pid_t pid, char *comm, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(comm, (int)len, f))
		comm[strcspn(comm, "\n")] = 0;
	fclose(f);
}

static pid_t read_ppid(pid_t pid)
{
	char path[64], buf[512], *rp;
	int fd, ppid = 0;
	ssize_t len;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return 0;
	buf[len] = 0;
	rp = strrchr(buf, ')');
	if (!rp || sscanf(rp + 1, " %*c %d", &ppid) != 1)
		return 0;
	return (pid_t)ppid;
}

/* Set tgid's bit in the tracked bitmap (BPF sets it for children). */
static int set_tracked(struct ct_tracer *t, __u32 tgid)
{
	int fd = bpf_map__fd(t->skel->maps.tracked);
	__u32 word = (tgid >> 6) & (CT_PID_WORDS - 1);
	__u64 v;

	if (bpf_map_lookup_elem(fd, &word, &v))
		return -1;
	v |= 1ULL << (tgid & 63);
	return bpf_map_update_elem(fd, &word, &v, BPF_ANY);
}

static int track(struct ct_tracer *t, pid_t pid, pid_t ppid, int depth)
{
	struct ct_proc p;
	__u32 key = (__u32)pid;

	memset(&p, 0, sizeof(p));
	p.depth = (__u32)depth;
	p.role = depth < CT_MAX_ROLES ? (__u32)depth : CT_MAX_ROLES - 1;
	p.ppid = (__u32)ppid;
	p.st.procs = 1;
	read_comm(pid, p.comm, sizeof(p.comm));
	if (bpf_map_update_elem(bpf_map__fd(t->skel->maps.procs), &key, &p, BPF_NOEXIST))
		return errno == EEXIST ? 0 : -1;
	t->base_procs[p.role]++;
	return set_tracked(t, key) ? -1 : 1;
}

int ct_follow(struct ct_tracer *t, pid_t root)
{
	int procs_fd = bpf_map__fd(t->skel->maps.procs);
	struct pp *all = NULL;
	__u32 key;
	int round, n, i, added;

	if (root <= 0 || (kill(root, 0) != 0 && errno == ESRCH)) {
		snprintf(t->err, sizeof(t->err), "no process with PID %d", (int)root);
		return CT_ERR_PID;
	}
	/* forget the previous tree and its counts */
	while (bpf_map_get_next_key(procs_fd, NULL, &key) == 0) {
		__u32 word = (key >> 6) & (CT_PID_WORDS - 1);
		__u64 zero = 0;

		bpf_map_update_elem(bpf_map__fd(t->skel->maps.tracked), &word, &zero, BPF_ANY);
		if (bpf_map_delete_elem(procs_fd, &key))
			break;
	}
	if (zero_percpu_map(bpf_map__fd(t->skel->maps.roles), CT_MAX_ROLES,
			    sizeof(struct ct_stats), t->ncpus) ||
	    zero_percpu_map(bpf_map__fd(t->skel->maps.lost), CT_LOST_NR,
			    sizeof(__u64), t->ncpus) ||
	    zero_percpu_map(bpf_map__fd(t->skel->maps.win), 1,
			    sizeof(struct ct_win), t->ncpus) ||
	    zero_percpu_map(bpf_map__fd(t->skel->maps.forks_open), 1, sizeof(__s64), 1)) {
		snprintf(t->err, sizeof(t->err), "cannot reset the counters: %s", strerror(errno));
		return CT_ERR_BPF;
	}
	memset(t->base_procs, 0, sizeof(t->base_procs));
	if (track(t, root, read_ppid(root), 0) < 0) {
		snprintf(t->err, sizeof(t->err), "cannot track PID %d: %s", (int)root, strerror(errno));
		return CT_ERR_BPF;
	}
	/* Existing descendants: children created from now on are added by
	 * task_newtask; repeat the scan until it finds nobody new. */
	for (round = 0; round < 8; round++) {
		n = scan_procs(&all);
		if (n < 0)
			break;
		added = 0;
		for (i = 0; i < n; i++) {
			struct ct_proc parent;

			key = (__u32)all[i].ppid;
			if (all[i].pid == root || all[i].ppid <= 0)
				continue;
			if (bpf_map_lookup_elem(procs_fd, &key, &parent))
				continue;
			if (track(t, all[i].pid, all[i].ppid, (int)parent.depth + 1) > 0)
				added++;
		}
		free(all);
		all = NULL;
		if (!added)
			break;
	}
	/* user space sets bits by read-modify-write: redo any a concurrent
	 * fork's atomic update in the same word may have raced away */
	for (n = 0; bpf_map_get_next_key(procs_fd, n ? &key : NULL, &key) == 0; n = 1) {
		__u32 word = (key >> 6) & (CT_PID_WORDS - 1);
		struct ct_proc p;
		__u64 v;

		if (bpf_map_lookup_elem(procs_fd, &key, &p) || (p.flags & CT_PROC_EXITED) ||
		    bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.tracked), &word, &v))
			continue;
		if (!(v >> (key & 63) & 1))
			set_tracked(t, key);
	}
	return 0;
}

/*
 * c: a copy of the BPF side's struct ct_stats; made the counts reported:
 * derived counters filled in, unavailable ones 0 (callers check
 * ct_counter_status).
 */
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
	if (t->fork_src != CT_FORK_DUP_MMAP && t->attached[PR_COPY_PAGE_RANGE])
		c->fork_ns = c->cpr_ns;
	for (k = 0; k < CT_NR_COUNTERS; k++)
		if (ct_counter_status(t, k) == CT_UNAVAILABLE)
			ct_counts_clear(c, k);
}

int ct_read(struct ct_tracer *t, struct ct_counts *per_role, int max_roles)
{
	size_t vsz = (sizeof(struct ct_stats) + 7) / 8 * 8;
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
	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* Counts still pending in the per-CPU slots (struct ct_win) of tgid. */
static void add_pending(const struct ct_tracer *t, const struct ct_win *w, __u32 tgid,
			struct ct_stats *st)
{
	int cpu;

	for (cpu = 0; w && cpu < t->ncpus; cpu++) {
		if (!w[cpu].task || w[cpu].tgid != tgid)
			continue;
		st->wp_faults += w[cpu].pend_wp;
		if (t->copy_src == CT_SRC_TP) {
			st->cow_copies += w[cpu].pend_flush;
		} else {
			st->tlb_flush_fault += w[cpu].pend_flush;
			st->tlb_pages_fault += w[cpu].pend_flush;
		}
	}
}

int ct_read_procs(struct ct_tracer *t, struct ct_proc_info *out, int max)
{
	int fd = bpf_map__fd(t->skel->maps.procs), n = 0;
	struct ct_win *w = calloc((size_t)t->ncpus, sizeof(*w));
	__u32 key, next, zero = 0;
	struct ct_proc p;
	int first = 1;

	/* sizeof(struct ct_win) is a multiple of 8: no per-CPU padding */
	if (w && bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.win), &zero, w)) {
		free(w);
		w = NULL;
	}

	while (n < max && bpf_map_get_next_key(fd, first ? NULL : &key, &next) == 0) {
		first = 0;
		key = next;
		if (bpf_map_lookup_elem(fd, &key, &p))
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		out[n].pid = (pid_t)key;
		out[n].ppid = (pid_t)p.ppid;
		out[n].role = (int)p.role;
		out[n].depth = (int)p.depth;
		out[n].exited = !!(p.flags & CT_PROC_EXITED);
		memcpy(out[n].comm, p.comm, sizeof(out[n].comm));
		out[n].comm[sizeof(out[n].comm) - 1] = 0;
		if (!out[n].exited)
			read_comm(out[n].pid, out[n].comm, sizeof(out[n].comm));
		add_pending(t, w, key, &p.st);
		memcpy(&out[n].c, &p.st, sizeof(out[n].c));
		derive_counts(t, &out[n].c);
		n++;
	}
	free(w);
	qsort(out, (size_t)n, sizeof(*out), cmp_proc);
	return n;
}

int ct_read_loss(struct ct_tracer *t, struct ct_loss *l)
{
	int fd = bpf_map__fd(t->skel->maps.lost), cpu;
	struct bpf_program *prog;
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
	for (prog = bpf_object__next_program(t->skel->obj, NULL); prog;
	     prog = bpf_object__next_program(t->skel->obj, prog)) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int pfd = bpf_program__fd(prog);

		if (pfd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(pfd, &info, &len) == 0)
			l->prog_misses += info.recursion_misses;
	}
	return 0;
}

int ct_prog_stats(struct ct_tracer *t, char *buf, size_t len)
{
	struct bpf_program *prog;
	size_t n = 0;

	buf[0] = 0;
	for (prog = bpf_object__next_program(t->skel->obj, NULL); prog && n < len;
	     prog = bpf_object__next_program(t->skel->obj, prog)) {
		struct bpf_prog_info info;
		__u32 ilen = sizeof(info);
		int pfd = bpf_program__fd(prog);

		memset(&info, 0, sizeof(info));
		if (pfd < 0 || bpf_obj_get_info_by_fd(pfd, &info, &ilen) || !info.run_cnt)
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s%s %llu runs %llu ns avg",
				      n ? "; " : "", bpf_program__name(prog),
				      (unsigned long long)info.run_cnt,
				      (unsigned long long)(info.run_time_ns / info.run_cnt));
	}
	return buf[0] ? 0 : -1;
}

const char *ct_mode_name(const struct ct_tracer *t)
{
	switch (t->mode) {
	case CT_MODE_KPROBE:	return "kprobe";
	case CT_MODE_FENTRY:	return "fentry";
	default:		return "tracepoint";
	}
}

enum ct_status ct_counter_status(const struct ct_tracer *t, enum ct_counter k)
{
	k = ct_counter_of(k);
	return (unsigned int)k < CT_NR_COUNTERS ? t->status[k] : CT_UNAVAILABLE;
}

const char *ct_counter_note(const struct ct_tracer *t, enum ct_counter k)
{
	k = ct_counter_of(k);
	return (unsigned int)k < CT_NR_COUNTERS && t->note[k] ? t->note[k] : "";
}

const char *ct_probe_summary(const struct ct_tracer *t)
{
	return t->summary;
}

const char *ct_last_error(const struct ct_tracer *t)
{
	return t->err;
}

void ct_close(struct ct_tracer *t)
{
	if (!t)
		return;
	unload(t);
	free(t);
}
