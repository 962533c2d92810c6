/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ct_internal.h - what the parts of libcowtrace.a share (programs use
 * cowtrace_lib.h):
 *
 *   ct_open.c       ct_open: preflight, the probe modes to try, load
 *   ct_preflight.c  privileges, BTF, tracefs, kprobes, the kernel functions
 *   ct_attach.c     one load of the BPF object and its attachment
 *   ct_status.c     each counter's status in the mode loaded, the summary
 *   ct_proctree.c   ct_follow: the process tree from /proc
 *   ct_maps.c       reading and resetting the BPF maps
 *   ct_counters.c   the counter table (ct_counters.h) in user space
 *
 * Open -> set rodata -> load -> attach.  A kernel function that cannot be
 * probed (inlined, missing from BTF, refused) is dropped and the object is
 * loaded again without it, so the counters fall back to their tracepoint
 * sources and say so (ct_counter_status).
 */
#ifndef CT_INTERNAL_H
#define CT_INTERNAL_H

#include <stddef.h>
#include <linux/types.h>

#include "cowtrace.h"
#include "cowtrace_lib.h"

/*
 * Tracepoint mode: a write fault .. its copy's flush, at most (100 ms at
 * HZ=250).  A thread preempted inside the fault on a loaded machine takes
 * more than 2 jiffies (its copy was then counted as a reuse); a one-page
 * flush of something else this soon after a reuse, with no fault between,
 * is rare.
 */
#define FAULT_WINDOW_JIFFIES 25ULL
#define MAX_LINKS	48
#define CT_SYS_TPS	8		/* syscalls:sys_{enter,exit}_{clone,clone3,fork,vfork} */

/* Kernel functions cowtrace probes when it can (names: ct_probe_func). */
enum probe_id {
	PR_DO_WP_PAGE,
	PR_WP_PAGE_COPY,
	PR_WP_PAGE_REUSE,
	PR_DUP_MMAP,
	PR_COPY_PAGE_RANGE,
	PR_EAGER,
	PR_COPY_PROCESS,		/* the fork phases (with dup_mmap, copy_page_range) */
	PR_ANON_VMA_FORK,
	PR_FLUSH_TLB,
	PR_NR
};

extern const char *const ct_probe_func[PR_NR];

/* Raw tracepoints (names in ct_attach.c). */
enum tp_id {
	TP_FAULT_USER,
	TP_FAULT_KERNEL,
	TP_TLB_FLUSH,
	TP_NEWTASK,
	TP_EXIT,
	TP_EXEC,
	TP_LOCK_START,
	TP_LOCK_ACQUIRED,
	TP_NR
};

/* ct_try_load's results besides 0 and a ct_error. */
#define LOAD_RETRY	(-1)	/* a probe failed: retry without it */
#define LOAD_NEXT_MODE	(-2)	/* this mode cannot work here */

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
	int no_lock;				/* mmap_lock tracepoints unusable */
	int fork_events;			/* kernel counts fork copies (vm events) */
	int eager_vm;				/* eager_copies from them */
	int copy_arg;				/* wp_page_copy's vmf->page is read */
	int base_procs[CT_MAX_ROLES];
	enum ct_status status[CT_NR_COUNTERS];
	const char *note[CT_NR_COUNTERS];
	char summary[1536];
	char modes_note[256];			/* why better modes were not used */
	char eager_note[192];
	char phase_note[400];
	char err[256];
};

/* Where each probe function is, for choosing the modes. */
struct ct_funcs {
	int ks[PR_NR];		/* in /proc/kallsyms: 1 by its name,
				 * 2 only as a clone (name.constprop.N), 0 not */
	int btf[PR_NR];		/* a function of kernel BTF that fentry can name */
	char clone[PR_NR][64];	/* the clone's name (ks 2) */
	int any_ks, any_btf;	/* some function for kprobe, for fentry */
};

/* ct_open.c */
/* Formats a one-line reason into err; returns code. */
__attribute__((format(printf, 4, 5)))
int ct_fail(char *err, size_t len, int code, const char *fmt, ...);

/* ct_preflight.c */
/* Privileges and kernel BTF: 0 or a ct_error. */
int ct_preflight(const struct ct_options *o, char *err, size_t errlen);
/* tracefs's path (mounted if it is not): 0 or CT_ERR_TRACEFS. */
int ct_find_tracefs(char *path, size_t len, char *err, size_t errlen);
int ct_have_kprobes(const char *tracefs);
/* Fills fn, t->sym and t->fork_events. */
void ct_find_funcs(struct ct_tracer *t, struct ct_funcs *fn);

/* ct_attach.c */
/* One attempt in mode with the functions in t->usable: open, set rodata,
 * load, attach.  0, LOAD_RETRY, LOAD_NEXT_MODE or a ct_error (reason in
 * err); after a failure the caller calls ct_unload. */
int ct_try_load(struct ct_tracer *t, enum ct_mode mode, char *err, size_t errlen);
void ct_unload(struct ct_tracer *t);

/* ct_status.c */
void ct_compute_status(struct ct_tracer *t);
/* Adds "mode: why" to the modes not used. */
void ct_note_mode(struct ct_tracer *t, const char *mode, const char *why);
void ct_make_summary(struct ct_tracer *t);

/* ct_proctree.c */
void ct_read_comm(pid_t pid, char *comm, size_t len);

/* ct_maps.c */
/* Zeroes the role counters, lost events, fault windows and open forks. */
int ct_reset_maps(struct ct_tracer *t);

/* ct_counters.c */
/* The row's status and note (*note) when no rule of the mode applies. */
enum ct_status ct_counter_default(enum ct_counter k, const char **note);
/* k and its per-mapping counts to 0. */
void ct_counts_clear(struct ct_counts *c, enum ct_counter k);

#endif /* CT_INTERNAL_H */
