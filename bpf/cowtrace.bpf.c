// SPDX-License-Identifier: GPL-2.0
/*
 * cowtrace.bpf.c - count what fork() costs, per process of a traced tree.
 *
 * A process is traced when its tgid is in the "procs" map (and its bit set
 * in "tracked"): the loader puts the root there, task_newtask adds every
 * child of a traced process with role = parent's role + 1.  Every event of
 * a traced process is added to its role's per-CPU counters (and, for the
 * CLI, to the process's own).
 *
 * Two kinds of sources, chosen by the loader at run time (rodata):
 *
 *  tracepoints (raw): exceptions:page_fault_user/kernel (write fault on a
 *    present page = write-protect fault), tlb:tlb_flush, task:task_newtask,
 *    sched:sched_process_exit, mmap_lock:*; syscalls:sys_{enter,exit}_clone*
 *    (classic, via tracefs) open and close the fork window.  COW copies are
 *    derived: wp_page_copy() flushes the faulting page (one local flush of
 *    one page); a reuse flushes nothing.
 *
 *  kprobe/kretprobe or fentry/fexit on do_wp_page, wp_page_copy,
 *    wp_page_reuse, dup_mmap, copy_page_range, the eager-copy function and
 *    the fork phases' copy_process, anon_vma_fork and flush_tlb_mm_range,
 *    for each one the running kernel can attach (a stock 6.12 -O2 build
 *    inlines the first four).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "cowtrace.h"

char LICENSE[] SEC("license") = "GPL";

#define PF_PROT		(1UL << 0)
#define PF_WRITE	(1UL << 1)
#define PF_PK		(1UL << 5)
#define CT_PAGE_SIZE	4096UL
#define CT_PAGE_MASK	(~(CT_PAGE_SIZE - 1))
#define CT_USER_TOP	0x00007ffffffff000UL	/* x86-64 TASK_SIZE_MAX */
#define CT_TLB_LOCAL_MM	3			/* TLB_LOCAL_MM_SHOOTDOWN */
#define CT_FLUSH_ALL	(~0UL)			/* TLB_FLUSH_ALL */
#define CT_CLONE_VM	0x00000100UL
#define CT_CLONE_THREAD	0x00010000UL
#define CT_VM_SHARED	0x00000008UL
#define CT_VM_GROWSDOWN	0x00000100UL
#define CT_PAGE_ANON	1UL			/* PAGE_MAPPING_ANON */
#define CT_PAGE_KSM	3UL			/* PAGE_MAPPING_ANON | PAGE_MAPPING_MOVABLE */

/* Set by the loader before load. */
const volatile __u32 wp_src = CT_SRC_TP;	/* write faults: tracepoint or do_wp_page */
const volatile __u32 copy_src = CT_SRC_TP;	/* copies: derived from flushes or wp_page_copy */
const volatile __u32 win_src = CT_SRC_TP;	/* fault window: time-bounded or do_wp_page..return */
const volatile __u32 fork_src = CT_FORK_SYSCALL;
const volatile __u32 per_proc;			/* keep per-process counters and exited entries */
const volatile __u32 per_vma;			/* classify each fault's mapping */
const volatile __u32 lock_wait;			/* mmap-lock wait during forks */
const volatile __u64 fault_window_jiffies = 2;	/* tracepoint mode: fault .. its flush */
const volatile __u64 range_lo, range_hi;	/* count faults only in [lo, hi); hi 0: all */
const volatile __u32 eager_vm;			/* eager copies from vm events over dup_mmap */
const volatile __u32 copy_arg;			/* wp_page_copy's vmf is read: its page */
const volatile __u32 nr_cpus = 1;

/*
 * forklab's patched kernel counts pages copied at fork in /proc/vmstat
 * (fork_eager_copy, fork_stack_copy).  Where no per-page function can be
 * probed, the growth of those per-CPU event counters while a process is in
 * dup_mmap is its eager copies (approximate if other forks overlap).  The
 * flavoured enum matches the kernel's enum vm_event_item by CO-RE; on a
 * kernel without these events eager_vm is 0 and the code below is dead.
 */
enum vm_event_item___forklab {
	FORK_EAGER_COPY___forklab = 0,
	FORK_STACK_COPY___forklab = 1,
};

extern struct vm_event_state vm_event_states __ksym __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);			/* tgid */
	__type(value, struct ct_proc);
} procs SEC(".maps");

/*
 * One bit per traced tgid: most events come from processes that are not
 * traced, and a bit test is much cheaper than a hash lookup that misses.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CT_PID_WORDS);
	__type(key, __u32);
	__type(value, __u64);
} tracked SEC(".maps");

/*
 * One bit per traced tgid whose address space a fork shared: it forked
 * (without CLONE_VM) since its last execve, or fork() made it and it has not
 * exec'd since.  A CLONE_VM child (vfork, posix_spawn) has its parent's bit.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CT_PID_WORDS);
	__type(key, __u32);
	__type(value, __u64);
} shared SEC(".maps");

/* The images processes left by execve (per-process counts only). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct ct_image_key);
	__type(value, struct ct_proc);
} images SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CT_MAX_ROLES);
	__type(key, __u32);
	__type(value, struct ct_stats);
} roles SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CT_LOST_NR);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

/* Per thread: the fork window, and the write-fault window of probe modes. */
struct ct_thread {
	__u64 fork_ts;			/* fork window open since (0: closed) */
	__u64 fork_mm;
	__u64 cpr_ts;			/* in copy_page_range since */
	__u64 fork_copies;		/* fork-copy events when dup_mmap began */
	__u64 fault_ts;			/* in do_wp_page since */
	__u32 fault_cls;
	__u16 fault_active;
	__u16 fault_copied;
	__u32 fault_at;			/* its attribution (CT_AT_*) */
	__u32 pad;
	__u64 lock_ts;			/* CT_FORK_LOCK: last mmap lock of its own mm */
	__u64 lock_flush, lock_pages, lock_full;	/* local flushes since */
	__u64 ph_start;			/* in copy_process since (0: not) */
	__u64 ph_ts;			/* the last change of phase */
	__u64 ph_ns[CT_PH_NR];		/* this fork's time per phase so far */
	__u8 ph_stack[CT_PH_DEPTH];	/* phases entered: [0] is CT_PH_REST */
	__u32 ph_depth;			/* ph_stack[ph_depth] is running */
	__u32 ph_mm;			/* dup_mmap ran: a fork that copies an mm */
	__u32 ph_bad;			/* a phase entered was never left */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);			/* tid */
	__type(value, struct ct_thread);
} threads SEC(".maps");

/* task_newtask's new procs entry, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ct_proc);
} proc_scratch SEC(".maps");

/* One zeroed struct ct_thread, never written: a new thread's first value. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ct_thread);
} thread_zero SEC(".maps");

/*
 * Tracepoint mode's write-fault window (struct ct_win), per CPU: there is no
 * fault-exit event, so the window is closed by the thread's next local
 * flush (which is wp_page_copy's, if the fault copied) or by time.  A fault
 * that sleeps and migrates between the two loses its copy.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ct_win);
} win SEC(".maps");

/*
 * Fork windows open right now, all threads: while there is none, a local
 * flush needs no per-thread lookup in tracepoint mode (counts only, so
 * "nonzero" is what matters, even if a reset leaves it off by some).
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __s64);
} forks_open SEC(".maps");

/* Address spaces being copied by a fork: mm -> forking tid (--lock-wait). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u32);
} fork_mms SEC(".maps");

/* Start of an mmap-lock wait that began while another thread forked. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);			/* tid */
	__type(value, __u64);
} locks SEC(".maps");

static __always_inline void count_lost(__u32 what)
{
	__u64 *v = bpf_map_lookup_elem(&lost, &what);

	if (v)
		*v += 1;
}

/* tgid's bit in a bitmap of tgids (tracked, shared). */
static __always_inline int bit_test(void *map, __u32 tgid)
{
	__u32 word = (tgid >> 6) & (CT_PID_WORDS - 1);
	__u64 *w = bpf_map_lookup_elem(map, &word);

	return w && (*w >> (tgid & 63) & 1);
}

static __always_inline void bit_set(void *map, __u32 tgid, int on)
{
	__u32 word = (tgid >> 6) & (CT_PID_WORDS - 1);
	__u64 *w = bpf_map_lookup_elem(map, &word), bit = 1ULL << (tgid & 63);

	if (!w)
		return;
	if (on)
		__sync_fetch_and_or(w, bit);
	else
		__sync_fetch_and_and(w, ~bit);
}

static __always_inline int is_tracked(__u32 tgid)
{
	return bit_test(&tracked, tgid);
}

static __always_inline void set_tracked(__u32 tgid, int on)
{
	bit_set(&tracked, tgid, on);
}

static __always_inline void forks_open_add(__s64 d)
{
	__u32 zero = 0;
	__s64 *n = bpf_map_lookup_elem(&forks_open, &zero);

	if (n)
		__sync_fetch_and_add(n, d);
}

static __always_inline int any_fork_open(void)
{
	__u32 zero = 0;
	__s64 *n = bpf_map_lookup_elem(&forks_open, &zero);

	return !n || *n != 0;
}

static __always_inline struct ct_proc *cur_proc(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (!is_tracked(tgid))
		return NULL;
	return bpf_map_lookup_elem(&procs, &tgid);
}

static __always_inline struct ct_stats *role_stats(struct ct_proc *p)
{
	__u32 role = p->role;

	return bpf_map_lookup_elem(&roles, &role);
}

/* Add v to a counter of the role (per CPU) and, if kept, of the process. */
#define COUNT(p, rs, field, v)						\
	do {								\
		if (rs)							\
			(rs)->field += (v);				\
		if (per_proc && (p))					\
			__sync_fetch_and_add(&(p)->st.field, (v));	\
	} while (0)

static __always_inline int in_range(__u64 addr)
{
	return !range_hi || (addr >= range_lo && addr < range_hi);
}

static __always_inline __u32 vma_index(__u32 cls)
{
	__u64 c = cls;

	/* the check in the register used as the index, however the compiler
	 * sees cls: the verifier needs it there */
	asm volatile("if %[c] < %[n] goto +1\n\t%[c] = %[u]"
		     : [c] "+r"(c) : [n] "i"(CT_CLS_NR), [u] "i"(CT_CLS_UNKNOWN));
	return c;
}

/* Mapping class of addr in vma (see enum ct_vma in cowtrace_lib.h). */
static __always_inline __u32 classify(struct task_struct *task,
				      struct vm_area_struct *vma, __u64 addr)
{
	unsigned long start, end, brk, start_brk, start_stack, flags, fs = 0;
	struct mm_struct *mm;
	struct file *file;

	if (!vma)
		return CT_CLS_UNKNOWN;
	if (bpf_core_field_exists(task->thread.fsbase))
		fs = BPF_CORE_READ(task, thread.fsbase) & CT_PAGE_MASK;
	/* x86-64 TLS (variant II): static TLS below the TCB at fsbase */
	if (fs && addr + CT_PAGE_SIZE >= fs && addr < fs + 2 * CT_PAGE_SIZE)
		return CT_CLS_TLS;

	file = BPF_CORE_READ(vma, vm_file);
	if (file) {
		const unsigned char *name;
		char b[5] = {};

		name = BPF_CORE_READ(file, f_path.dentry, d_name.name);
		bpf_probe_read_kernel(b, sizeof(b), name);
		if (b[0] == 'l' && b[1] == 'i' && b[2] == 'b' && b[3] == 'c' &&
		    (b[4] == '.' || b[4] == '-'))
			return CT_CLS_LIBC;
		return CT_CLS_FILE;
	}

	start = BPF_CORE_READ(vma, vm_start);
	end = BPF_CORE_READ(vma, vm_end);
	flags = BPF_CORE_READ(vma, vm_flags);
	mm = BPF_CORE_READ(vma, vm_mm);
	start_stack = BPF_CORE_READ(mm, start_stack);
	if ((flags & CT_VM_GROWSDOWN) || (start <= start_stack && start_stack < end))
		return CT_CLS_STACK;
	brk = BPF_CORE_READ(mm, brk);
	start_brk = BPF_CORE_READ(mm, start_brk);
	if (start < brk && end > start_brk)
		return CT_CLS_HEAP;
	return CT_CLS_ANON;
}

/*
 * Attribution of a write-protect fault in vma from the VMA alone
 * (docs/cowtrace.md): a shared mapping's is write-notify (other); in an
 * anonymous mapping with anonymous pages (an anon_vma) of a fork-shared
 * address space the page is one the fork shared (without an anon_vma only
 * the zero page can be mapped: other); a private file mapping without an
 * anon_vma has only page-cache pages (a first write: file COW), with one
 * in a fork-shared address space the page may be either (fork, marked
 * CT_AT_FFILE: the error bound), else file.
 */
static __always_inline __u32 attribute(struct vm_area_struct *vma, int forked)
{
	unsigned long flags;
	void *anon;

	if (!vma)
		return CT_AT_OTHER;
	flags = BPF_CORE_READ(vma, vm_flags);
	if (flags & CT_VM_SHARED)
		return CT_AT_OTHER;
	anon = BPF_CORE_READ(vma, anon_vma);
	if (!BPF_CORE_READ(vma, vm_file))
		return forked && anon ? CT_AT_FORK : CT_AT_OTHER;
	if (!anon || !forked)
		return CT_AT_FILE;
	return CT_AT_FORK | CT_AT_FFILE;
}

/* Whether the current process's address space was shared by a fork. */
static __always_inline int cur_forked(void)
{
	return bit_test(&shared, bpf_get_current_pid_tgid() >> 32);
}

struct vma_ctx {
	__u64 addr;
	__u32 cls;
	__u32 at;
	__u32 forked;
	__u32 seq;
	__u64 vma;
	__u64 start;
	__u64 end;
};

/*
 * The mm's mmap_lock sequence (a seqcount in 6.13 and later and in
 * Debian's 6.12.118, odd while the lock is held for writing; every change
 * to the VMA tree or a VMA's flags, file or bounds is made under it).
 * Returns -1 when the kernel has none (or the older int, which CO-RE does
 * not match here: no VMA is kept then) or a writer holds the lock.
 */
struct mm_struct___seq {
	seqcount_t mm_lock_seq;
} __attribute__((preserve_access_index));

static __always_inline int mm_seq(struct mm_struct *mm, __u32 *seq)
{
	struct mm_struct___seq *m = (void *)mm;

	if (!bpf_core_field_exists(m->mm_lock_seq))
		return -1;
	*seq = BPF_CORE_READ(m, mm_lock_seq.sequence);
	return *seq & 1 ? -1 : 0;
}

static long vma_cb(struct task_struct *task, struct vm_area_struct *vma,
		   void *data)
{
	struct vma_ctx *c = data;

	if (per_vma)
		c->cls = classify(task, vma, c->addr);
	c->at = attribute(vma, c->forked);
	/* the mmap_lock is held for reading here: the sequence is stable */
	if (mm_seq(vma->vm_mm, &c->seq) == 0) {
		c->vma = (__u64)vma;
		c->start = vma->vm_start;
		c->end = vma->vm_end;
	}
	return 0;
}

/*
 * Class (if per_vma) and attribution of a user address of the current
 * task (tracepoint context); a VMA not found (mm busy) is other.
 *
 * page_fault_user runs with interrupts off, where bpf_find_vma can only
 * release the mmap_lock through an irq_work: a self-IPI per call, which
 * added half to the CPU time of a COW-heavy child.  So the VMA it found is
 * kept in the CPU's slot and used again, without the lock, while the mm's
 * mmap_lock sequence is the one seen under the lock: no writer has taken
 * the lock since, so the VMA still covers [start, end) with the same
 * flags and file.  The sequence is read again after the VMA's fields (a
 * seqcount read; the tracepoint is x86's, whose loads are not reordered
 * with loads).  A VMA's anon_vma may be set meanwhile under the read
 * lock: it is read fresh, as bpf_find_vma's callback would.
 */
static __always_inline void classify_addr(struct ct_win *w, __u64 addr, __u32 *cls,
					  __u32 *at)
{
	struct vma_ctx c = { .addr = addr, .cls = CT_CLS_UNKNOWN, .at = CT_AT_OTHER,
			     .forked = cur_forked() };
	struct task_struct *task = bpf_get_current_task_btf();
	struct mm_struct *mm = task->mm;
	struct vm_area_struct *vma;
	__u32 seq;

	if (w->vc_vma && w->vc_mm == (__u64)mm && addr >= w->vc_start && addr < w->vc_end &&
	    mm_seq(mm, &seq) == 0 && seq == w->vc_seq) {
		vma = (struct vm_area_struct *)w->vc_vma;
		*cls = per_vma ? classify(task, vma, addr) : CT_CLS_UNKNOWN;
		*at = attribute(vma, c.forked);
		if (mm_seq(mm, &seq) == 0 && seq == w->vc_seq)
			return;
	}
	w->vc_vma = 0;
	bpf_find_vma(task, addr, vma_cb, &c, 0);
	*cls = c.cls;
	*at = c.at;
	if (c.vma) {
		w->vc_mm = (__u64)mm;
		w->vc_vma = c.vma;
		w->vc_start = c.start;
		w->vc_end = c.end;
		w->vc_seq = c.seq;
	}
}

/* Class of the fault described by vmf (probe context). */
static __always_inline __u32 classify_vmf(struct vm_fault *vmf)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	return classify(task, BPF_CORE_READ(vmf, vma), BPF_CORE_READ(vmf, address));
}

static __always_inline struct ct_thread *thread_get(__u32 tid, int create)
{
	struct ct_thread *t = bpf_map_lookup_elem(&threads, &tid), *zero;
	__u32 key = 0;

	if (t || !create)
		return t;
	/* a zeroed entry from a map: too large for the BPF stack beside others */
	zero = bpf_map_lookup_elem(&thread_zero, &key);
	if (!zero)
		return NULL;
	if (bpf_map_update_elem(&threads, &tid, zero, BPF_NOEXIST) &&
	    bpf_map_lookup_elem(&threads, &tid) == NULL) {
		count_lost(CT_LOST_THREADS);
		return NULL;
	}
	return bpf_map_lookup_elem(&threads, &tid);
}

static __always_inline struct ct_win *win_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&win, &zero);
}

/* ---- write faults ---------------------------------------------------- */

/* Add a slot's pending per-process counts to its procs entry, or to the
 * image the process has left since the slot was taken. */
static __always_inline void win_flush(struct ct_win *w)
{
	struct ct_image_key key = { .tgid = w->tgid, .image = w->image };
	struct ct_proc *q;
	__u32 tgid = w->tgid;

	if (!w->pend_wp && !w->pend_flush)
		return;
	q = bpf_map_lookup_elem(&procs, &tgid);
	if (q && q->execs != w->image)
		q = bpf_map_lookup_elem(&images, &key);
	if (q) {
		__sync_fetch_and_add(&q->st.wp_faults, w->pend_wp);
		__sync_fetch_and_add(&q->st.fork_faults, w->pend_at_wp[CT_AT_FORK]);
		__sync_fetch_and_add(&q->st.file_faults, w->pend_at_wp[CT_AT_FILE]);
		__sync_fetch_and_add(&q->st.fork_file_faults, w->pend_ffile);
		if (copy_src == CT_SRC_TP) {
			__sync_fetch_and_add(&q->st.cow_copies, w->pend_flush);
			__sync_fetch_and_add(&q->st.fork_copies, w->pend_at_copy[CT_AT_FORK]);
			__sync_fetch_and_add(&q->st.file_copies, w->pend_at_copy[CT_AT_FILE]);
		} else {
			__sync_fetch_and_add(&q->st.tlb_flush_fault, w->pend_flush);
			__sync_fetch_and_add(&q->st.tlb_pages_fault, w->pend_flush);
		}
	}
	w->pend_wp = 0;
	w->pend_flush = 0;
	w->pend_at_wp[0] = w->pend_at_wp[1] = 0;
	w->pend_at_copy[0] = w->pend_at_copy[1] = 0;
	w->pend_ffile = 0;
}

/* A write fault's attribution into the role's counters (per CPU). */
static __always_inline void count_at_fault(struct ct_stats *rs, __u32 at)
{
	if (!rs)
		return;
	if ((at & CT_AT_MASK) == CT_AT_FORK)
		rs->fork_faults += 1;
	else if ((at & CT_AT_MASK) == CT_AT_FILE)
		rs->file_faults += 1;
	if (at & CT_AT_FFILE)
		rs->fork_file_faults += 1;
}

/* The same, pending in a slot for the process. */
static __always_inline void pend_at_fault(struct ct_win *w, __u32 at)
{
	if ((at & CT_AT_MASK) == CT_AT_FORK)
		w->pend_at_wp[CT_AT_FORK] += 1;
	else if ((at & CT_AT_MASK) == CT_AT_FILE)
		w->pend_at_wp[CT_AT_FILE] += 1;
	if (at & CT_AT_FFILE)
		w->pend_ffile += 1;
}

/*
 * A write fault on a present page (tracepoint mode).  The CPU's slot caches
 * the traced thread that faulted here last: a run of its faults costs no
 * hash lookup (the task pointer guards against a recycled tid).
 */
static __always_inline int on_hw_fault(__u64 addr, __u64 error_code)
{
	__u64 id, task;
	struct ct_stats *rs;
	struct ct_proc *p = NULL;
	struct ct_win *w;
	__u32 cls = CT_CLS_UNKNOWN, at = CT_AT_OTHER, role, exec_id;

	if ((error_code & (PF_PROT | PF_WRITE | PF_PK)) != (PF_PROT | PF_WRITE))
		return 0;
	if (wp_src != CT_SRC_TP && win_src != CT_SRC_TP)
		return 0;
	w = win_get();
	if (!w)
		return 0;
	id = bpf_get_current_pid_tgid();
	task = bpf_get_current_task();
	/* an execve since the slot was taken (elsewhere) is a new image */
	exec_id = (__u32)BPF_CORE_READ((struct task_struct *)task, self_exec_id);
	if (w->task != task || w->tid != (__u32)id || w->exec_id != exec_id) {
		p = cur_proc();
		if (!p)
			return 0;
		win_flush(w);
		w->task = task;
		w->tid = (__u32)id;
		w->tgid = id >> 32;
		w->role = p->role;
		w->image = p->execs;
		w->exec_id = exec_id;
		w->active = 0;
		w->vc_vma = 0;
	}
	if (!in_range(addr)) {
		/* a fault outside --range ends the previous one's window */
		w->active = 0;
		return 0;
	}
	role = w->role;
	rs = bpf_map_lookup_elem(&roles, &role);
	classify_addr(w, addr, &cls, &at);
	cls = vma_index(cls);
	if (per_vma && per_proc && !p)
		p = cur_proc();
	if (wp_src == CT_SRC_TP) {
		if (rs)
			rs->wp_faults += 1;
		count_at_fault(rs, at);
		if (per_proc) {
			w->pend_wp += 1;
			pend_at_fault(w, at);
		}
		if (per_vma)
			COUNT(p, rs, vma_wp_faults[cls], 1);
	}
	if (win_src == CT_SRC_TP) {
		w->jiffies = bpf_jiffies64();
		w->cls = cls;
		w->at = at & CT_AT_MASK;
		w->active = 1;
	}
	return 0;
}

SEC("raw_tp/page_fault_user")
int BPF_PROG(tp_fault_user, unsigned long address, struct pt_regs *regs,
	     unsigned long error_code)
{
	return on_hw_fault(address, error_code);
}

/* A kernel access to user memory (copy_to_user into a COW page). */
SEC("raw_tp/page_fault_kernel")
int BPF_PROG(tp_fault_kernel, unsigned long address, struct pt_regs *regs,
	     unsigned long error_code)
{
	if (address >= CT_USER_TOP)
		return 0;
	return on_hw_fault(address, error_code);
}

/* A fault's attribution into the role's and the process's counters; d is
 * 1, or -1 (as __u64) to take it back when the page tells better. */
static __always_inline void count_at(struct ct_proc *p, struct ct_stats *rs, __u32 at, __u64 d)
{
	if ((at & CT_AT_MASK) == CT_AT_FORK)
		COUNT(p, rs, fork_faults, d);
	else if ((at & CT_AT_MASK) == CT_AT_FILE)
		COUNT(p, rs, file_faults, d);
	if (at & CT_AT_FFILE)
		COUNT(p, rs, fork_file_faults, d);
}

static __always_inline int on_do_wp_page(struct vm_fault *vmf)
{
	struct ct_stats *rs;
	struct ct_thread *t;
	struct ct_proc *p = cur_proc();
	__u32 cls = CT_CLS_UNKNOWN, at;

	if (!p || !in_range(BPF_CORE_READ(vmf, address)))
		return 0;
	if (per_vma)
		cls = vma_index(classify_vmf(vmf));
	at = attribute(BPF_CORE_READ(vmf, vma), cur_forked());
	rs = role_stats(p);
	COUNT(p, rs, wp_faults, 1);
	count_at(p, rs, at, 1);
	if (per_vma)
		COUNT(p, rs, vma_wp_faults[cls], 1);
	t = thread_get((__u32)bpf_get_current_pid_tgid(), 1);
	if (t) {
		t->fault_ts = bpf_ktime_get_ns();
		t->fault_cls = cls;
		t->fault_at = at;
		t->fault_active = 1;
		t->fault_copied = 0;
	}
	return 0;
}

/* do_wp_page returns: the fault's time, entry to return (the copy or
 * reuse and the page-table update, not the exception entry or the walk
 * down to the entry; with the probes' own cost). */
static __always_inline int on_do_wp_page_ret(void)
{
	struct ct_thread *t = thread_get((__u32)bpf_get_current_pid_tgid(), 0);
	struct ct_stats *rs;
	struct ct_proc *p;
	__u64 ns;

	if (!t || !t->fault_active)
		return 0;
	t->fault_active = 0;
	ns = bpf_ktime_get_ns() - t->fault_ts;
	p = cur_proc();
	if (!p)
		return 0;
	rs = role_stats(p);
	COUNT(p, rs, wp_fault_ns, ns);
	return 0;
}

/*
 * The fault wp_page_copy/wp_page_reuse ends: with do_wp_page probed, its
 * window says whether the fault is in --range and its class (vmf is not
 * read: the function may be a clone such as wp_page_reuse.constprop.0
 * whose arguments differ); otherwise from vmf.  Returns the class, or -1
 * for a fault not to count.
 */
static __always_inline int fault_class(struct vm_fault *vmf)
{
	struct ct_thread *t;

	if (win_src == CT_SRC_PROBE) {
		t = thread_get((__u32)bpf_get_current_pid_tgid(), 0);
		if (!t || !t->fault_active)
			return -1;
		return (int)vma_index(t->fault_cls);
	}
	if (!in_range(BPF_CORE_READ(vmf, address)))
		return -1;
	return per_vma ? (int)vma_index(classify_vmf(vmf)) : CT_CLS_UNKNOWN;
}

/*
 * The attribution of the page wp_page_copy copies (vmf->page, read only
 * where copy_arg says wp_page_copy is no clone): none is the zero page,
 * an anonymous page is a fork's if the address space was shared by one
 * (a KSM page never is), any other a page-cache page.
 */
static __always_inline __u32 page_at(struct vm_fault *vmf, int forked)
{
	struct page *page = BPF_CORE_READ(vmf, page);
	unsigned long mapping;

	if (!page)
		return CT_AT_OTHER;
	mapping = (unsigned long)BPF_CORE_READ(page, mapping);
	if ((mapping & CT_PAGE_KSM) == CT_PAGE_KSM)
		return CT_AT_OTHER;
	if (mapping & CT_PAGE_ANON)
		return forked ? CT_AT_FORK : CT_AT_OTHER;
	return CT_AT_FILE;
}

/*
 * The attribution of the fault wp_page_copy (copy) or wp_page_reuse ends:
 * do_wp_page's (with a copy's page read, a class the page contradicts is
 * moved), or from vmf's VMA without do_wp_page.
 */
static __always_inline __u32 end_at(struct ct_proc *p, struct ct_stats *rs,
				    struct vm_fault *vmf, int copy)
{
	struct ct_thread *t;
	__u32 at, nat;

	if (win_src != CT_SRC_PROBE)
		return attribute(BPF_CORE_READ(vmf, vma), cur_forked());
	t = thread_get((__u32)bpf_get_current_pid_tgid(), 0);
	if (!t)
		return CT_AT_OTHER;
	at = t->fault_at;
	if (!copy || !copy_arg)
		return at;
	nat = page_at(vmf, cur_forked());
	if (nat == (at & CT_AT_MASK))
		return at;
	count_at(p, rs, at, (__u64)-1);
	count_at(p, rs, nat, 1);
	t->fault_at = nat;
	return nat;
}

/* A fault that wp_page_copy (copy) or wp_page_reuse ends. */
static __always_inline int on_fault_end(struct vm_fault *vmf, int copy)
{
	struct ct_stats *rs;
	struct ct_proc *p = cur_proc();
	__u32 at;
	int cls;

	if (!p)
		return 0;
	cls = fault_class(vmf);
	if (cls < 0)
		return 0;
	rs = role_stats(p);
	at = end_at(p, rs, vmf, copy) & CT_AT_MASK;
	if (copy) {
		COUNT(p, rs, cow_copies, 1);
		if (at == CT_AT_FORK)
			COUNT(p, rs, fork_copies, 1);
		else if (at == CT_AT_FILE)
			COUNT(p, rs, file_copies, 1);
		if (per_vma)
			COUNT(p, rs, vma_cow_copies[vma_index(cls)], 1);
	} else {
		COUNT(p, rs, cow_reuses, 1);
		if (at == CT_AT_FORK)
			COUNT(p, rs, fork_reuses, 1);
		if (per_vma)
			COUNT(p, rs, vma_cow_reuses[vma_index(cls)], 1);
	}
	return 0;
}

/* ---- TLB flushes ----------------------------------------------------- */

/* A flush inside a write fault; copy: it is wp_page_copy's (derived). */
static __always_inline void fault_flush(__u32 role, __u32 cls, __u32 at, __u64 pages, int copy)
{
	struct ct_proc *p = per_proc ? cur_proc() : NULL;
	struct ct_stats *rs = bpf_map_lookup_elem(&roles, &role);

	cls = vma_index(cls);
	if (pages == CT_FLUSH_ALL) {
		COUNT(p, rs, tlb_full_fault, 1);
	} else {
		COUNT(p, rs, tlb_pages_fault, pages);
	}
	COUNT(p, rs, tlb_flush_fault, 1);
	if (copy) {
		COUNT(p, rs, cow_copies, 1);
		if ((at & CT_AT_MASK) == CT_AT_FORK)
			COUNT(p, rs, fork_copies, 1);
		else if ((at & CT_AT_MASK) == CT_AT_FILE)
			COUNT(p, rs, file_copies, 1);
		if (per_vma)
			COUNT(p, rs, vma_cow_copies[cls], 1);
	}
}

SEC("raw_tp/tlb_flush")
int BPF_PROG(tp_tlb_flush, int reason, unsigned long pages)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct ct_thread *t;
	struct ct_stats *rs;
	struct ct_proc *p;
	struct ct_win *w;

	/* one local flush per flush_tlb_mm_range() on the current mm */
	if (reason != CT_TLB_LOCAL_MM)
		return 0;

	if (win_src == CT_SRC_TP) {
		w = win_get();
		if (w && w->active && w->tid == tid && w->task == bpf_get_current_task()) {
			/*
			 * The thread's first local flush after a write fault
			 * ends the window; it is the fault's if it came soon
			 * and is wp_page_copy's one page (an mprotect or
			 * munmap after a reuse is not).  With copies derived,
			 * the fault's flush is its copy: only cow_copies is
			 * counted, the loader derives the flush counters.
			 */
			w->active = 0;
			if (pages == 1 && bpf_jiffies64() - w->jiffies <= fault_window_jiffies) {
				__u32 role = w->role, cls = vma_index(w->cls), at = w->at;

				rs = bpf_map_lookup_elem(&roles, &role);
				if (per_proc)
					w->pend_flush += 1;
				if (per_proc && copy_src == CT_SRC_TP && at < CT_AT_OTHER)
					w->pend_at_copy[at & 1] += 1;
				if (rs && copy_src == CT_SRC_TP) {
					rs->cow_copies += 1;
					if (at == CT_AT_FORK)
						rs->fork_copies += 1;
					else if (at == CT_AT_FILE)
						rs->file_copies += 1;
				} else if (rs) {
					rs->tlb_flush_fault += 1;
					rs->tlb_pages_fault += 1;
				}
				if (per_vma && copy_src == CT_SRC_TP) {
					p = per_proc ? cur_proc() : NULL;
					COUNT(p, rs, vma_cow_copies[cls], 1);
				}
				return 0;
			}
		}
	}

	if (fork_src != CT_FORK_LOCK && win_src == CT_SRC_TP && !any_fork_open())
		return 0;
	if (!is_tracked(bpf_get_current_pid_tgid() >> 32))
		return 0;
	t = thread_get(tid, 0);
	if (!t)
		return 0;
	if (t->fork_ts) {
		p = cur_proc();
		if (!p)
			return 0;
		rs = role_stats(p);
		if (pages == CT_FLUSH_ALL) {
			COUNT(p, rs, tlb_full_fork, 1);
		} else {
			COUNT(p, rs, tlb_pages_fork, pages);
		}
		COUNT(p, rs, tlb_flush_fork, 1);
		return 0;
	}
	if (win_src == CT_SRC_PROBE && t->fault_active) {
		int copy = copy_src == CT_SRC_TP && pages == 1 && !t->fault_copied;

		p = cur_proc();
		if (!p)
			return 0;
		if (copy)
			t->fault_copied = 1;
		fault_flush(p->role, t->fault_cls, t->fault_at, pages, copy);
		return 0;
	}
	if (fork_src == CT_FORK_LOCK && t->lock_ts) {
		/* a fork's if task_newtask follows before another write lock */
		t->lock_flush += 1;
		if (pages == CT_FLUSH_ALL)
			t->lock_full += 1;
		else
			t->lock_pages += pages;
	}
	return 0;
}

/* ---- forks ----------------------------------------------------------- */

static __always_inline void fork_open(__u64 mm)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct ct_thread *t = thread_get(tid, 1);

	if (!t)
		return;
	if (!t->fork_ts)
		forks_open_add(1);
	t->fork_ts = bpf_ktime_get_ns();
	t->fork_mm = mm;
	if (lock_wait)
		bpf_map_update_elem(&fork_mms, &mm, &tid, BPF_ANY);
}

/* Close the current thread's fork window; returns its length or 0. */
static __always_inline __u64 fork_close(void)
{
	struct ct_thread *t = thread_get((__u32)bpf_get_current_pid_tgid(), 0);
	__u64 dt;

	if (!t || !t->fork_ts)
		return 0;
	dt = bpf_ktime_get_ns() - t->fork_ts;
	t->fork_ts = 0;
	forks_open_add(-1);
	if (lock_wait) {
		__u64 mm = t->fork_mm;

		bpf_map_delete_elem(&fork_mms, &mm);
	}
	return dt;
}

static __always_inline int on_fork_enter(void)
{
	struct task_struct *task;

	if (fork_src != CT_FORK_SYSCALL || !cur_proc())
		return 0;
	task = (struct task_struct *)bpf_get_current_task();
	fork_open((__u64)BPF_CORE_READ(task, mm));
	return 0;
}

static __always_inline int on_fork_exit(void)
{
	/* a clone that failed never reached task_newtask */
	if (fork_src == CT_FORK_SYSCALL && cur_proc())
		fork_close();
	return 0;
}

SEC("tp/syscalls/sys_enter_clone")
int tp_enter_clone(void *ctx) { return on_fork_enter(); }
SEC("tp/syscalls/sys_enter_clone3")
int tp_enter_clone3(void *ctx) { return on_fork_enter(); }
SEC("tp/syscalls/sys_enter_fork")
int tp_enter_fork(void *ctx) { return on_fork_enter(); }
SEC("tp/syscalls/sys_enter_vfork")
int tp_enter_vfork(void *ctx) { return on_fork_enter(); }
SEC("tp/syscalls/sys_exit_clone")
int tp_exit_clone(void *ctx) { return on_fork_exit(); }
SEC("tp/syscalls/sys_exit_clone3")
int tp_exit_clone3(void *ctx) { return on_fork_exit(); }
SEC("tp/syscalls/sys_exit_fork")
int tp_exit_fork(void *ctx) { return on_fork_exit(); }
SEC("tp/syscalls/sys_exit_vfork")
int tp_exit_vfork(void *ctx) { return on_fork_exit(); }

/*
 * CT_FORK_LOCK (no syscall tracepoints): a fork without CLONE_VM write-locks
 * its own mm first thing in dup_mmap, and takes no other lock of it before
 * task_newtask.  Every mmap lock a traced thread takes of its own mm opens
 * a window; task_newtask of such a fork closes it as the fork's (its time
 * and flushes), any other lock (mmap, munmap, mprotect, a fault's fallback
 * to the mmap lock...) starts it again.
 */
static __always_inline void lock_window_open(struct mm_struct *mm)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct ct_thread *t;

	if (!is_tracked(bpf_get_current_pid_tgid() >> 32) || BPF_CORE_READ(task, mm) != mm)
		return;
	t = thread_get((__u32)bpf_get_current_pid_tgid(), 1);
	if (!t)
		return;
	t->lock_ts = bpf_ktime_get_ns();
	t->lock_flush = t->lock_pages = t->lock_full = 0;
}

static __always_inline void lock_window_end(struct ct_proc *p, struct ct_stats *rs, int copied)
{
	struct ct_thread *t = thread_get((__u32)bpf_get_current_pid_tgid(), 0);
	__u64 dt;

	if (!t || !t->lock_ts)
		return;
	if (copied) {
		dt = bpf_ktime_get_ns() - t->lock_ts;
		COUNT(p, rs, fork_ns, dt);
		COUNT(p, rs, tlb_flush_fork, t->lock_flush);
		COUNT(p, rs, tlb_pages_fork, t->lock_pages);
		COUNT(p, rs, tlb_full_fork, t->lock_full);
	}
	t->lock_ts = 0;
}

/* Runs in the parent at the end of copy_process(), before the child runs. */
SEC("raw_tp/task_newtask")
int BPF_PROG(tp_newtask, struct task_struct *task, __u64 clone_flags)
{
	struct ct_proc *c, *p = cur_proc();
	struct ct_stats *rs, *crs;
	__u32 zero = 0, tgid, ptgid = bpf_get_current_pid_tgid() >> 32;
	int forked;

	if (!p)
		return 0;
	rs = role_stats(p);
	if (fork_src == CT_FORK_SYSCALL) {
		__u64 dt = fork_close();

		if (!(clone_flags & CT_CLONE_THREAD))
			COUNT(p, rs, fork_ns, dt);
	} else if (fork_src == CT_FORK_LOCK) {
		lock_window_end(p, rs, !(clone_flags & CT_CLONE_VM));
	}
	if (clone_flags & CT_CLONE_THREAD)
		return 0;
	COUNT(p, rs, forks, 1);

	/* the child's entry is built off the BPF stack (too large for it) */
	c = bpf_map_lookup_elem(&proc_scratch, &zero);
	if (!c)
		return 0;
	__builtin_memset(c, 0, sizeof(*c));
	tgid = BPF_CORE_READ(task, tgid);
	c->depth = p->depth + 1;
	c->role = c->depth < CT_MAX_ROLES ? c->depth : CT_MAX_ROLES - 1;
	c->ppid = ptgid;
	bpf_probe_read_kernel_str(c->comm, sizeof(c->comm), task->comm);
	c->st.procs = 1;
	/* fork() shares both address spaces; a CLONE_VM child runs in its parent's */
	if (clone_flags & CT_CLONE_VM) {
		c->created = CT_MADE_VM;
		forked = bit_test(&shared, ptgid);
	} else {
		c->created = CT_MADE_FORK;
		forked = 1;
		bit_set(&shared, ptgid, 1);
	}
	if (bpf_map_update_elem(&procs, &tgid, c, BPF_ANY)) {
		count_lost(CT_LOST_PROCS);
		return 0;
	}
	bit_set(&shared, tgid, forked);
	set_tracked(tgid, 1);
	crs = bpf_map_lookup_elem(&roles, &c->role);
	if (crs)
		crs->procs += 1;
	return 0;
}

/* ---- where fork's time goes (docs/cowtrace.md) ---------------------- */

/*
 * copy_process entry opens a fork's phases in CT_PH_REST; dup_mmap entered
 * from CT_PH_REST opens CT_PH_VMA, and copy_page_range, anon_vma_fork or
 * flush_tlb_mm_range entered from CT_PH_VMA open theirs: every change
 * charges the time since the last one to the phase that ran, so the time
 * copy_page_range takes inside one dup_mmap, over all its calls, is taken
 * from dup_mmap's.  A function entered elsewhere (a flush inside
 * copy_page_range, dup_mmap of a thread) opens no phase, and its return,
 * not matching the phase running, closes none.  copy_process's return
 * adds the fork's phases to the forking process if it copied an mm
 * (dup_mmap ran) and every phase entered was left (a missed return would
 * leave the others' time wrong).
 */
static __always_inline void ph_charge(struct ct_thread *t, __u64 now)
{
	__u32 d = t->ph_depth & (CT_PH_DEPTH - 1);
	__u32 ph = t->ph_stack[d];

	if (ph < CT_PH_NR)
		t->ph_ns[ph] += now - t->ph_ts;
	t->ph_ts = now;
}

static __always_inline int on_copy_process(void)
{
	struct ct_thread *t;
	__u64 now;

	if (!cur_proc())
		return 0;
	t = thread_get((__u32)bpf_get_current_pid_tgid(), 1);
	if (!t)
		return 0;
	now = bpf_ktime_get_ns();
	__builtin_memset(t->ph_ns, 0, sizeof(t->ph_ns));
	__builtin_memset(t->ph_stack, 0, sizeof(t->ph_stack));
	t->ph_depth = 0;
	t->ph_mm = 0;
	t->ph_bad = 0;
	t->ph_ts = now;
	t->ph_start = now;
	return 0;
}

static __always_inline int on_copy_process_ret(void)
{
	struct ct_thread *t = thread_get((__u32)bpf_get_current_pid_tgid(), 0);
	struct ct_stats *rs;
	struct ct_proc *p;
	__u64 now, total;

	if (!t || !t->ph_start)
		return 0;
	now = bpf_ktime_get_ns();
	ph_charge(t, now);
	total = now - t->ph_start;
	t->ph_start = 0;
	if (!t->ph_mm || t->ph_depth || t->ph_bad)
		return 0;
	p = cur_proc();
	if (!p)
		return 0;
	rs = role_stats(p);
	COUNT(p, rs, phase_fork_ns, total);
	COUNT(p, rs, phase_rest_ns, t->ph_ns[CT_PH_REST]);
	COUNT(p, rs, phase_vma_ns, t->ph_ns[CT_PH_VMA]);
	COUNT(p, rs, phase_pgtable_ns, t->ph_ns[CT_PH_PGTABLE]);
	COUNT(p, rs, phase_anon_vma_ns, t->ph_ns[CT_PH_ANON_VMA]);
	COUNT(p, rs, phase_tlb_ns, t->ph_ns[CT_PH_TLB]);
	COUNT(p, rs, phase_forks, 1);
	return 0;
}

/* Entry of the function of phase ph, opened only from phase outer. */
static __always_inline void ph_enter(__u32 ph, __u32 outer)
{
	struct ct_thread *t = thread_get((__u32)bpf_get_current_pid_tgid(), 0);
	__u32 d;

	if (!t || !t->ph_start)
		return;
	d = t->ph_depth & (CT_PH_DEPTH - 1);
	if (t->ph_stack[d] != outer)
		return;
	if (d + 1 >= CT_PH_DEPTH) {
		t->ph_bad = 1;
		return;
	}
	ph_charge(t, bpf_ktime_get_ns());
	t->ph_stack[(d + 1) & (CT_PH_DEPTH - 1)] = (__u8)ph;
	t->ph_depth = d + 1;
	if (ph == CT_PH_VMA)
		t->ph_mm = 1;
}

/* Return of the function of phase ph: closes it if it is running. */
static __always_inline void ph_leave(__u32 ph)
{
	struct ct_thread *t = thread_get((__u32)bpf_get_current_pid_tgid(), 0);
	__u32 d;

	if (!t || !t->ph_start)
		return;
	d = t->ph_depth & (CT_PH_DEPTH - 1);
	if (!d || t->ph_stack[d] != ph)
		return;
	ph_charge(t, bpf_ktime_get_ns());
	t->ph_depth = d - 1;
}

/* Sum over CPUs of the kernel's fork_eager_copy + fork_stack_copy events. */
static __always_inline __u64 fork_copy_events(void)
{
	__u64 sum = 0, v, base;
	__u32 e, st, cpu;

	e = bpf_core_enum_value(enum vm_event_item___forklab, FORK_EAGER_COPY___forklab);
	st = bpf_core_enum_value(enum vm_event_item___forklab, FORK_STACK_COPY___forklab);
	for (cpu = 0; cpu < 256 && cpu < nr_cpus; cpu++) {
		struct vm_event_state *s = bpf_per_cpu_ptr(&vm_event_states, cpu);

		if (!s)
			break;
		base = (__u64)s;
		if (!bpf_probe_read_kernel(&v, sizeof(v), (void *)(base + e * sizeof(v))))
			sum += v;
		if (!bpf_probe_read_kernel(&v, sizeof(v), (void *)(base + st * sizeof(v))))
			sum += v;
	}
	return sum;
}

/* Arguments are not read: dup_mmap may be a clone (dup_mmap.constprop.0);
 * the mm being copied is the forking task's own. */
static __always_inline int on_dup_mmap(void)
{
	struct task_struct *task;
	struct ct_thread *t;

	ph_enter(CT_PH_VMA, CT_PH_REST);
	if (fork_src != CT_FORK_DUP_MMAP || !cur_proc())
		return 0;
	task = (struct task_struct *)bpf_get_current_task();
	fork_open((__u64)BPF_CORE_READ(task, mm));
	if (eager_vm) {
		t = thread_get((__u32)bpf_get_current_pid_tgid(), 0);
		if (t)
			t->fork_copies = fork_copy_events();
	}
	return 0;
}

static __always_inline int on_dup_mmap_ret(void)
{
	struct ct_stats *rs;
	struct ct_proc *p;
	__u64 dt;

	ph_leave(CT_PH_VMA);
	if (fork_src != CT_FORK_DUP_MMAP)
		return 0;
	p = cur_proc();
	if (!p)
		return 0;
	rs = role_stats(p);
	if (eager_vm) {
		struct ct_thread *t = thread_get((__u32)bpf_get_current_pid_tgid(), 0);

		if (t && t->fork_ts) {
			__u64 now = fork_copy_events();

			if (now > t->fork_copies)
				COUNT(p, rs, eager_copies, now - t->fork_copies);
		}
	}
	dt = fork_close();
	COUNT(p, rs, fork_ns, dt);
	return 0;
}

static __always_inline int on_copy_page_range(void)
{
	struct ct_thread *t;

	ph_enter(CT_PH_PGTABLE, CT_PH_VMA);
	t = thread_get((__u32)bpf_get_current_pid_tgid(), 0);
	if (t && t->fork_ts)
		t->cpr_ts = bpf_ktime_get_ns();
	return 0;
}

static __always_inline int on_copy_page_range_ret(void)
{
	struct ct_thread *t;
	struct ct_stats *rs;
	struct ct_proc *p;
	__u64 dt;

	ph_leave(CT_PH_PGTABLE);
	t = thread_get((__u32)bpf_get_current_pid_tgid(), 0);
	if (!t || !t->cpr_ts)
		return 0;
	dt = bpf_ktime_get_ns() - t->cpr_ts;
	t->cpr_ts = 0;
	p = cur_proc();
	if (!p)
		return 0;
	rs = role_stats(p);
	COUNT(p, rs, cpr_ns, dt);
	return 0;
}

/* forklab's fork_copy_count(mode, nr): nr pages copied at fork, in the parent. */
static __always_inline int on_eager_copy(int nr)
{
	struct ct_stats *rs;
	struct ct_proc *p = cur_proc();

	if (!p || nr <= 0)
		return 0;
	rs = role_stats(p);
	COUNT(p, rs, eager_copies, nr);
	return 0;
}

/* ---- execs ----------------------------------------------------------- */

/*
 * After execve replaced the address space (current->comm is the new
 * program's): nothing is shared by a fork any more, and the counts so far
 * are the image's that ended (kept in "images" under its number).
 */
SEC("raw_tp/sched_process_exec")
int BPF_PROG(tp_exec, struct task_struct *task)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct ct_image_key key = { .tgid = tgid };
	struct ct_proc *p;
	struct ct_win *w;

	if (!is_tracked(tgid))
		return 0;
	bit_set(&shared, tgid, 0);
	if (!per_proc)
		return 0;
	p = bpf_map_lookup_elem(&procs, &tgid);
	if (!p)
		return 0;
	w = win_get();
	if (w && w->task && w->tgid == tgid) {
		win_flush(w);
		w->task = 0;
		w->active = 0;
	}
	key.image = p->execs;
	if (bpf_map_update_elem(&images, &key, p, BPF_ANY))
		count_lost(CT_LOST_PROCS);
	__builtin_memset(&p->st, 0, sizeof(p->st));
	p->st.procs = 1;
	p->execs += 1;
	bpf_get_current_comm(p->comm, sizeof(p->comm));
	return 0;
}

/* ---- exits ----------------------------------------------------------- */

SEC("raw_tp/sched_process_exit")
int BPF_PROG(tp_exit, struct task_struct *task)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, tid = (__u32)id;
	struct ct_thread *t;
	struct ct_proc *p;
	struct ct_win *w;

	if (!is_tracked(tgid))
		return 0;
	p = bpf_map_lookup_elem(&procs, &tgid);
	if (!p)
		return 0;
	w = win_get();
	if (w && w->tid == tid) {
		win_flush(w);
		w->task = 0;
		w->active = 0;
	}
	/* a delete takes the bucket lock even for a missing key: look first */
	t = thread_get(tid, 0);
	if (t) {
		if (t->fork_ts)
			forks_open_add(-1);
		bpf_map_delete_elem(&threads, &tid);
	}
	if (lock_wait)
		bpf_map_delete_elem(&locks, &tid);
	/* do_exit() decrements signal->live before this tracepoint */
	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;
	set_tracked(tgid, 0);
	bit_set(&shared, tgid, 0);
	if (per_proc) {
		bpf_get_current_comm(p->comm, sizeof(p->comm));
		p->flags |= CT_PROC_EXITED;
	} else {
		bpf_map_delete_elem(&procs, &tgid);
	}
	return 0;
}

/* ---- mmap-lock waits during a fork (--lock-wait) --------------------- */

SEC("raw_tp/mmap_lock_start_locking")
int BPF_PROG(tp_lock_start, struct mm_struct *mm)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), *forker;
	__u64 key = (__u64)mm, now;

	/* mm only: "write" follows it on 6.18, a memcg path before it on 6.12 */
	if (fork_src == CT_FORK_LOCK)
		lock_window_open(mm);
	if (!lock_wait)
		return 0;
	forker = bpf_map_lookup_elem(&fork_mms, &key);
	if (!forker || *forker == tid || !cur_proc())
		return 0;
	now = bpf_ktime_get_ns();
	if (bpf_map_update_elem(&locks, &tid, &now, BPF_ANY))
		count_lost(CT_LOST_THREADS);
	return 0;
}

SEC("raw_tp/mmap_lock_acquire_returned")
int BPF_PROG(tp_lock_acquired, struct mm_struct *mm)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct ct_stats *rs;
	struct ct_proc *p;
	__u64 *ts, dt;

	if (!lock_wait)
		return 0;
	ts = bpf_map_lookup_elem(&locks, &tid);
	if (!ts)
		return 0;
	dt = bpf_ktime_get_ns() - *ts;
	bpf_map_delete_elem(&locks, &tid);
	p = cur_proc();
	if (!p)
		return 0;
	rs = role_stats(p);
	COUNT(p, rs, lock_wait_ns, dt);
	COUNT(p, rs, lock_waits, 1);
	return 0;
}

/* ---- kernel functions: kprobe or fentry, whichever mode is loaded ---- */

/*
 * A function's entry program as a kprobe (kp_NAME: attached by name at run
 * time, to a clone such as name.constprop.N if that is all there is) and
 * as fentry on FUNC (fe_NAME; ct_attach.c may retarget it); its return
 * program as a kretprobe (kr_NAME) and as fexit (fx_NAME).
 */
#define CT_ENTRY(name, func, call, args...)				\
	SEC("kprobe") int BPF_KPROBE(kp_##name, ##args) { return call; }	\
	SEC("fentry/" #func) int BPF_PROG(fe_##name, ##args) { return call; }
#define CT_RETURN(name, func, call)					\
	SEC("kretprobe") int BPF_KRETPROBE(kr_##name) { return call; }	\
	SEC("fexit/" #func) int BPF_PROG(fx_##name) { return call; }

CT_ENTRY(do_wp_page, do_wp_page, on_do_wp_page(vmf), struct vm_fault *vmf)
CT_RETURN(do_wp_page, do_wp_page, on_do_wp_page_ret())
/* a kprobe may be on a clone: vmf is read only without do_wp_page */
CT_ENTRY(wp_page_copy, wp_page_copy, on_fault_end(vmf, 1), struct vm_fault *vmf)
CT_ENTRY(wp_page_reuse, wp_page_reuse, on_fault_end(vmf, 0), struct vm_fault *vmf)
CT_ENTRY(dup_mmap, dup_mmap, on_dup_mmap())
CT_RETURN(dup_mmap, dup_mmap, on_dup_mmap_ret())
CT_ENTRY(copy_page_range, copy_page_range, on_copy_page_range())
CT_RETURN(copy_page_range, copy_page_range, on_copy_page_range_ret())
CT_ENTRY(eager_copy, fork_copy_count, on_eager_copy(nr), int mode, int nr)
CT_ENTRY(copy_process, copy_process, on_copy_process())
CT_RETURN(copy_process, copy_process, on_copy_process_ret())
CT_ENTRY(anon_vma_fork, anon_vma_fork, (ph_enter(CT_PH_ANON_VMA, CT_PH_VMA), 0))
CT_RETURN(anon_vma_fork, anon_vma_fork, (ph_leave(CT_PH_ANON_VMA), 0))
CT_ENTRY(flush_tlb, flush_tlb_mm_range, (ph_enter(CT_PH_TLB, CT_PH_VMA), 0))
CT_RETURN(flush_tlb, flush_tlb_mm_range, (ph_leave(CT_PH_TLB), 0))
