/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cowtrace_lib.h - count write-protect faults, COW copies and reuses, TLB
 * flushes and fork time per role of a process tree (libcowtrace.a).
 *
 * A role is a depth below the followed root: 0 = the root, 1 = its
 * children, 2 = grandchildren...  Counts are kept per role by BPF programs
 * (needs root or CAP_BPF + CAP_PERFMON, and kernel BTF).
 *
 *	struct ct_tracer *t;
 *	struct ct_options o = { .mode = CT_MODE_AUTO };
 *	char err[256];
 *	struct ct_counts before[2], after[2];
 *
 *	if (ct_open(&t, &o, err, sizeof(err)))		// one-line reason in err
 *		...;
 *	ct_follow(t, getpid());				// role 0 = this process
 *	ct_read(t, before, 2);				// role 1 collects roles >= 1
 *	... fork, child writes, wait ...
 *	ct_read(t, after, 2);
 *	ct_counts_sub(&after[1], &before[1]);		// the children's counts
 *	if (ct_counter_status(t, CT_COW_COPIES) == CT_UNAVAILABLE)
 *		...print an empty field, never 0...
 *	ct_close(t);
 *
 * Links with: libcowtrace.a -lbpf -lelf -lz (see mk/bpf.mk).
 */
#ifndef COWTRACE_LIB_H
#define COWTRACE_LIB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ct_counters.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Probe modes.  AUTO: whichever of fentry and kprobe can probe more of the
 * functions (fentry on a tie: cheaper), else tracepoint. */
enum ct_mode {
	CT_MODE_AUTO,
	CT_MODE_KPROBE,
	CT_MODE_FENTRY,
	CT_MODE_TRACEPOINT,
};

/* Error codes returned by ct_open/ct_follow; cowtrace exits with them. */
enum ct_error {
	CT_OK		= 0,
	CT_ERR_USAGE	= 2,	/* bad argument */
	CT_ERR_PERM	= 3,	/* not root / no CAP_BPF+CAP_PERFMON, lockdown */
	CT_ERR_NOBTF	= 4,	/* no /sys/kernel/btf/vmlinux, or btf_path unusable */
	CT_ERR_TRACEFS	= 5,	/* tracefs not mounted and mounting failed */
	CT_ERR_NOTP	= 6,	/* a tracepoint cowtrace needs is missing */
	CT_ERR_MODE	= 7,	/* the requested probe mode is not possible */
	CT_ERR_BPF	= 8,	/* load/attach failed for another reason */
	CT_ERR_PID	= 9,	/* ct_follow: no such process */
};

/* Counters: the rows of ct_counters.h, in their order (CT_WP_FAULTS...). */
#define CT_ENUM_ID(ID, ...)	CT_##ID,
enum ct_counter {
	CT_COUNTERS(CT_ENUM_ID)
	CT_NR_COUNTERS
};
#undef CT_ENUM_ID

enum ct_status {
	CT_UNAVAILABLE,		/* not measured in this mode: print empty */
	CT_APPROX,		/* measured indirectly; see ct_counter_note */
	CT_EXACT,		/* counted on the kernel function itself */
};

/* Mapping classes of --per-vma. */
enum ct_vma {
	CT_VMA_STACK,		/* main-thread stack (VM_GROWSDOWN) */
	CT_VMA_HEAP,		/* brk heap */
	CT_VMA_ANON,		/* other anonymous mappings (also thread stacks, .bss) */
	CT_VMA_LIBC,		/* file mappings of libc.so (its data) */
	CT_VMA_TLS,		/* pages around the thread pointer (fsbase) */
	CT_VMA_FILE,		/* other file mappings */
	CT_VMA_UNKNOWN,		/* not classified (mm busy, or no --per-vma) */
	CT_VMA_COUNT
};

struct ct_options {
	enum ct_mode mode;
	int per_vma;		/* classify faults by mapping (costs a VMA walk) */
	int lock_wait;		/* measure mmap-lock waits during forks */
	int per_process;	/* keep per-process counts for ct_read_procs, exited
				 * processes too until the next ct_follow */
	unsigned int max_procs;	/* processes tracked (with per_process: seen since
				 * ct_follow) at once; 0 = 16384; more are lost */
	uint64_t range_start;	/* if range_end: count write faults (and their */
	uint64_t range_end;	/* copies, reuses, flushes) only in [start, end) */
	int verbose;		/* 1: libbpf warnings, 2: libbpf debug, on stderr */
	const char *btf_path;	/* kernel BTF file (vmlinux ELF or raw BTF) to use
				 * instead of /sys/kernel/btf/vmlinux; NULL: that */
};

/* Every counter of ct_counters.h, then the per-mapping splits of its VMA
 * rows (vma_wp_faults[CT_VMA_COUNT]...): the layout of struct ct_stats. */
#define CT_COUNTS_FIELD(ID, name, ...)		uint64_t name;
#define CT_COUNTS_VMA_VMA(name)			uint64_t vma_##name[CT_VMA_COUNT];
#define CT_COUNTS_VMA_NOVMA(name)
#define CT_COUNTS_VMA(ID, name, unit, status, of, vma, ...) CT_COUNTS_VMA_##vma(name)

struct ct_counts {
	CT_COUNTERS(CT_COUNTS_FIELD)
	CT_COUNTERS(CT_COUNTS_VMA)
};

/* How a process was created (struct ct_proc_info.created). */
enum ct_made {
	CT_MADE_BEFORE,		/* the root, or there before ct_follow */
	CT_MADE_BY_FORK,	/* fork(): its own copy of the address space */
	CT_MADE_BY_VM,		/* CLONE_VM: vfork(), posix_spawn() */
};

/* One process of the tree (ct_read_procs), or one image of it: its counts
 * from one execve to the next (ct_read_images); needs options.per_process. */
struct ct_proc_info {
	pid_t pid;
	pid_t ppid;
	int role;		/* saturated at CT_ROLES - 1 */
	int depth;
	int exited;
	int created;		/* enum ct_made */
	int image;		/* 0 as created, 1 after its first execve... */
	int nimages;		/* execve calls seen + 1 */
	char comm[16];		/* the image's program name (ct_read_procs: the last) */
	struct ct_counts c;
};

/* Events the BPF side could not record. */
struct ct_loss {
	uint64_t procs;		/* processes not tracked: process map full */
	uint64_t threads;	/* per-thread state not recorded: map full */
	uint64_t prog_misses;	/* program runs the kernel skipped (recursion) */
};

#define CT_ROLES 16

struct ct_tracer;

/* Load and attach.  0, or a ct_error with a one-line reason in err. */
int ct_open(struct ct_tracer **t, const struct ct_options *o, char *err, size_t errlen);

/* Follow root and all its (current and future) descendants; resets the
 * counts.  0, or CT_ERR_PID / CT_ERR_BPF (reason in ct_last_error). */
int ct_follow(struct ct_tracer *t, pid_t root);

/* Cumulative counts since ct_follow, per role.  per_role[max_roles - 1]
 * also holds every deeper role.  Returns 0, or -1 with errno set. */
int ct_read(struct ct_tracer *t, struct ct_counts *per_role, int max_roles);

/* Processes seen since ct_follow, ordered by role then pid.  Returns the
 * number stored (at most max), or -1. */
int ct_read_procs(struct ct_tracer *t, struct ct_proc_info *out, int max);
/* The same, one row per image of each process, ordered by role, pid, image. */
int ct_read_images(struct ct_tracer *t, struct ct_proc_info *out, int max);

int ct_read_loss(struct ct_tracer *t, struct ct_loss *l);

/* "prog N runs M ns avg; ..." for the programs that ran, if the kernel
 * keeps program statistics (sysctl kernel.bpf_stats_enabled=1); else -1. */
int ct_prog_stats(struct ct_tracer *t, char *buf, size_t len);

void ct_counts_add(struct ct_counts *dst, const struct ct_counts *src);
/* dst -= src, field by field (for per-iteration deltas). */
void ct_counts_sub(struct ct_counts *dst, const struct ct_counts *src);
uint64_t ct_counts_get(const struct ct_counts *c, enum ct_counter k);
/* k's count in mapping class v (0 if k has no per-mapping split). */
uint64_t ct_counts_vma(const struct ct_counts *c, enum ct_counter k, enum ct_vma v);

/* The rows of ct_counters.h. */
const char *ct_counter_name(enum ct_counter k);		/* docs/design.md column name */
const char *ct_counter_unit(enum ct_counter k);		/* "pages", "ns"... */
const char *ct_counter_doc(enum ct_counter k);		/* what it counts */
unsigned int ct_counter_show(enum ct_counter k);	/* CT_CSV | CT_JSON ... */
int ct_counter_has_vma(enum ct_counter k);		/* split by mapping class */
enum ct_counter ct_counter_of(enum ct_counter k);	/* whose status it has */
/* The columns of one report, in its order: the counters whose show flags
 * have view (one of CT_CSV, CT_JSON, CT_HUMAN, CT_NOTE, CT_BENCH).  Stores
 * at most max; returns how many there are. */
int ct_columns(unsigned int view, enum ct_counter *out, int max);

const char *ct_mode_name(const struct ct_tracer *t);	/* kprobe|fentry|tracepoint */
/* k's status and its source in this mode (those of ct_counter_of(k)). */
enum ct_status ct_counter_status(const struct ct_tracer *t, enum ct_counter k);
const char *ct_counter_note(const struct ct_tracer *t, enum ct_counter k);
const char *ct_status_name(enum ct_status s);		/* exact|approx|unavailable */
const char *ct_vma_name(enum ct_vma v);
/* One line per kernel function: how it is probed, or why not. */
const char *ct_probe_summary(const struct ct_tracer *t);
const char *ct_last_error(const struct ct_tracer *t);

void ct_close(struct ct_tracer *t);

#ifdef __cplusplus
}
#endif

#endif /* COWTRACE_LIB_H */
