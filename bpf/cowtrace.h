/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cowtrace.h - structures and constants shared by cowtrace.bpf.c (kernel
 * side) and the loader (ct_*.c).  Includes only ct_counters.h (no includes
 * either): both sides provide __u32/__u64 (vmlinux.h in BPF,
 * <linux/types.h> in user space).
 */
#ifndef COWTRACE_H
#define COWTRACE_H

#include "ct_counters.h"

#define CT_MAX_ROLES	16	/* role = depth below the root, saturated */
#define CT_COMM_LEN	16

/* Mapping classes for --per-vma (same order as enum ct_vma in cowtrace_lib.h). */
#define CT_CLS_STACK	0
#define CT_CLS_HEAP	1
#define CT_CLS_ANON	2
#define CT_CLS_LIBC	3
#define CT_CLS_TLS	4
#define CT_CLS_FILE	5
#define CT_CLS_UNKNOWN	6
#define CT_CLS_NR	7

/* Where the fault counters come from (rodata wp_src / copy_src / ...). */
#define CT_SRC_NONE	0	/* not counted */
#define CT_SRC_TP	1	/* tracepoint (approximate or derived) */
#define CT_SRC_PROBE	2	/* kprobe or fentry on the kernel function */

/* Fork window sources (rodata fork_src). */
#define CT_FORK_SYSCALL	1	/* sys_enter_{clone,clone3,fork,vfork} .. task_newtask */
#define CT_FORK_DUP_MMAP 2	/* dup_mmap entry .. return */
#define CT_FORK_LOCK	3	/* the forking thread's mmap write lock of its own mm
				 * (dup_mmap's first step) .. task_newtask */

/*
 * Fork phases (kprobe or fentry on copy_process, dup_mmap, copy_page_range,
 * anon_vma_fork, flush_tlb_mm_range): each moment of a fork's copy_process
 * is charged to the innermost phase running then (docs/cowtrace.md, "Where
 * fork's time goes").
 */
#define CT_PH_REST	0	/* copy_process outside dup_mmap */
#define CT_PH_VMA	1	/* dup_mmap outside the three below */
#define CT_PH_PGTABLE	2	/* copy_page_range called by dup_mmap */
#define CT_PH_ANON_VMA	3	/* anon_vma_fork called by dup_mmap */
#define CT_PH_TLB	4	/* flush_tlb_mm_range called by dup_mmap */
#define CT_PH_NR	5
#define CT_PH_DEPTH	4	/* rest > vma > one of the three */

/* Lost-event counters (percpu array "lost"). */
#define CT_LOST_PROCS	0	/* new process not tracked: process map full */
#define CT_LOST_THREADS	1	/* per-thread state not recorded: thread map full */
#define CT_LOST_NR	2

#define CT_PROC_EXITED	1

/*
 * Attribution of a write-protect fault (docs/cowtrace.md, "Fork COW apart
 * from other COW"): on a page a fork shared, a first write to a private
 * file page, or other.  CT_AT_FFILE marks a fork-classed fault in a private
 * file mapping (tracepoint mode cannot tell it from a first write there).
 */
#define CT_AT_FORK	0
#define CT_AT_FILE	1
#define CT_AT_OTHER	2
#define CT_AT_MASK	3
#define CT_AT_FFILE	4

/* How a process was created (struct ct_proc.created). */
#define CT_MADE_KNOWN	0	/* the root, or there before the trace began */
#define CT_MADE_FORK	1	/* fork(): its own copy of the address space */
#define CT_MADE_VM	2	/* CLONE_VM: vfork(), posix_spawn() */

/* Bitmap of traced tgids ("tracked" array map: tgid >> 6 -> word). */
#define CT_PID_WORDS	65536	/* 4194304 bits: PID_MAX_LIMIT on 64-bit */

/*
 * Tracepoint mode, per CPU: the traced thread that last faulted here (a
 * cache of its procs entry, so a run of faults costs no hash lookup), its
 * write-fault window, and per-process counts not yet added to its procs
 * entry (added when another thread takes the slot, when the thread exits,
 * or by the loader when it reads).
 */
struct ct_win {
	__u64 task;		/* owner's task_struct (0: free) */
	__u64 jiffies;		/* of its last write fault */
	__u32 tid;
	__u32 tgid;
	__u32 role;
	__u32 cls;		/* mapping class of the last write fault */
	__u32 active;		/* window open: no local flush since the fault */
	__u32 at;		/* attribution of the last write fault (CT_AT_*) */
	__u32 image;		/* the owner's image (ct_proc.execs) when taken */
	__u32 exec_id;		/* the owner's task->self_exec_id then */
	__u64 pend_wp;		/* write faults */
	__u64 pend_flush;	/* one-page flushes closing a window */
	__u64 pend_at_wp[2];	/* write faults attributed to fork, file */
	__u64 pend_at_copy[2];	/* their copies */
	__u64 pend_ffile;	/* fork faults in private file mappings */
	/* the VMA bpf_find_vma found last (0: none), kept while its mm's
	 * mmap_lock sequence (mm_lock_seq) has not moved */
	__u64 vc_mm;
	__u64 vc_vma;
	__u64 vc_start;
	__u64 vc_end;
	__u32 vc_seq;
	__u32 vc_pad;
};

/*
 * Counters of one process or one role: every row of ct_counters.h, then
 * the per-mapping splits of the VMA rows.  Every field only grows; the
 * loader sums the per-CPU copies.  struct ct_counts (cowtrace_lib.h) has
 * the same layout.
 */
#define CT_STATS_FIELD(ID, name, ...)		__u64 name;
#define CT_STATS_VMA_VMA(name)			__u64 vma_##name[CT_CLS_NR];
#define CT_STATS_VMA_NOVMA(name)
#define CT_STATS_VMA(ID, name, unit, status, of, vma, ...) CT_STATS_VMA_##vma(name)

struct ct_stats {
	CT_COUNTERS(CT_STATS_FIELD)
	CT_COUNTERS(CT_STATS_VMA)
};

/* One traced process (key: tgid), or one of its images (key: struct
 * ct_image_key): its counts from one execve to the next. */
struct ct_proc {
	__u32 role;
	__u32 depth;
	__u32 ppid;
	__u32 flags;
	__u32 execs;		/* execve calls seen: the image's number */
	__u32 created;		/* CT_MADE_* */
	char comm[CT_COMM_LEN];	/* the image's name */
	struct ct_stats st;
};

/* An image a process left by execve: "images" map key. */
struct ct_image_key {
	__u32 tgid;
	__u32 image;		/* ct_proc.execs while it ran */
};

#endif /* COWTRACE_H */
