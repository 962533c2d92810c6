// SPDX-License-Identifier: GPL-2.0
/*
 * ct_status.c - each counter's status (exact, approx, unavailable) and
 * source in the mode loaded, and the one-line summary of the probes.
 *
 * A counter starts with its row's status and note (ct_counters.h: what it
 * needs, for a counter whose source depends on the mode); the rules below
 * give the source the loaded probes and tracepoints make possible.
 */
#include <stdio.h>
#include <string.h>

#include "ct_internal.h"

static void set_status(struct ct_tracer *t, enum ct_counter k, enum ct_status s,
		       const char *note)
{
	t->status[k] = s;
	t->note[k] = note;
}

static void status_faults(struct ct_tracer *t)
{
	int fe = t->mode == CT_MODE_FENTRY, tlb = t->tp_ok[TP_TLB_FLUSH];

	if (t->attached[PR_DO_WP_PAGE])
		set_status(t, CT_WP_FAULTS, CT_EXACT, fe ? "fentry on do_wp_page" : "kprobe on do_wp_page");

	if (t->attached[PR_WP_PAGE_COPY])
		set_status(t, CT_COW_COPIES, CT_EXACT, fe ? "fentry on wp_page_copy" : "kprobe on wp_page_copy");
	else if (tlb && t->attached[PR_DO_WP_PAGE])
		set_status(t, CT_COW_COPIES, CT_APPROX,
			   "derived: one-page local TLB flush inside do_wp_page (wp_page_copy flushes the old page)");
	else if (tlb)
		set_status(t, CT_COW_COPIES, CT_APPROX,
			   "derived: a one-page local TLB flush first after a write fault, within 25 jiffies "
			   "(wp_page_copy flushes the old page, a reuse flushes nothing)");

	if (t->attached[PR_DO_WP_PAGE])
		set_status(t, CT_WP_FAULT_NS, CT_EXACT,
			   fe ? "fentry and fexit on do_wp_page: entry to return (with the probes' cost)"
			      : "kprobe and kretprobe on do_wp_page: entry to return (with the probes' cost)");

	if (t->attached[PR_WP_PAGE_REUSE])
		set_status(t, CT_COW_REUSES, CT_EXACT, fe ? "fentry on wp_page_reuse" : "kprobe on wp_page_reuse");
	else if (t->status[CT_COW_COPIES] != CT_UNAVAILABLE)
		set_status(t, CT_COW_REUSES, CT_APPROX, "derived: wp_faults - cow_copies");
	if (t->status[CT_COW_COPIES] != CT_UNAVAILABLE)
		set_status(t, CT_COW_BYTES, t->status[CT_COW_COPIES],
			   "derived: cow_copies x the page size (wp_page_copy copies one page, "
			   "also in a large folio)");
}

static void status_tlb(struct ct_tracer *t)
{
	if (!t->tp_ok[TP_TLB_FLUSH])
		return;
	if (!t->fork_src) {
		const char *n = "no fork window: needs dup_mmap probes or syscalls:sys_enter_clone*";

		set_status(t, CT_TLB_FLUSH_FORK, CT_UNAVAILABLE, n);
		set_status(t, CT_TLB_PAGES_FORK, CT_UNAVAILABLE, n);
	} else if (t->fork_src == CT_FORK_DUP_MMAP) {
		set_status(t, CT_TLB_FLUSH_FORK, CT_EXACT, "tlb:tlb_flush (local, own mm) inside dup_mmap");
		set_status(t, CT_TLB_PAGES_FORK, CT_EXACT, "tlb:tlb_flush pages inside dup_mmap");
	} else if (t->fork_src == CT_FORK_LOCK) {
		set_status(t, CT_TLB_FLUSH_FORK, CT_APPROX,
			   "tlb:tlb_flush (local, own mm) from the fork's mmap lock "
			   "(mmap_lock:mmap_lock_start_locking, dup_mmap's first step) to task_newtask");
		set_status(t, CT_TLB_PAGES_FORK, CT_APPROX,
			   "tlb:tlb_flush pages from the fork's mmap lock to task_newtask");
	} else {
		set_status(t, CT_TLB_FLUSH_FORK, CT_APPROX,
			   "tlb:tlb_flush (local, own mm) from fork syscall entry to task_newtask");
		set_status(t, CT_TLB_PAGES_FORK, CT_APPROX,
			   "tlb:tlb_flush pages from fork syscall entry to task_newtask");
	}

	if (t->attached[PR_DO_WP_PAGE]) {
		set_status(t, CT_TLB_FLUSH_FAULT, CT_EXACT, "tlb:tlb_flush (local, own mm) inside do_wp_page");
		set_status(t, CT_TLB_PAGES_FAULT, CT_EXACT, "tlb:tlb_flush pages inside do_wp_page");
	} else {
		set_status(t, CT_TLB_FLUSH_FAULT, CT_APPROX,
			   "tlb:tlb_flush (local, own mm): the first flush within 25 jiffies of a write fault, "
			   "if of one page");
		set_status(t, CT_TLB_PAGES_FAULT, CT_APPROX,
			   "tlb:tlb_flush pages: the first flush within 25 jiffies of a write fault, if of one page");
	}
}

static void status_fork(struct ct_tracer *t)
{
	if (t->fork_src == CT_FORK_DUP_MMAP)
		set_status(t, CT_FORK_NS, CT_EXACT, "dup_mmap entry to return");
	else if (t->attached[PR_COPY_PAGE_RANGE])
		set_status(t, CT_FORK_NS, CT_APPROX,
			   "sum of copy_page_range (page tables only; dup_mmap not probeable)");
	else if (t->fork_src == CT_FORK_LOCK)
		set_status(t, CT_FORK_NS, CT_APPROX,
			   "the fork's mmap lock of its own mm (mmap_lock:mmap_lock_start_locking, "
			   "dup_mmap's first step) to task_newtask; forks without CLONE_VM (a vfork "
			   "copies no address space)");
	else if (t->fork_src)
		set_status(t, CT_FORK_NS, CT_APPROX,
			   "fork syscall entry to task_newtask (all of copy_process)");

	if (t->attached[PR_EAGER]) {
		snprintf(t->eager_note, sizeof(t->eager_note), "%s on %s: pages copied at fork, "
			 "small, mTHP and THP, counted once each copy stands",
			 t->mode == CT_MODE_FENTRY ? "fentry" : "kprobe", t->sym[PR_EAGER]);
		set_status(t, CT_EAGER_COPIES, CT_EXACT, t->eager_note);
	} else if (t->eager_vm && t->attached[PR_DUP_MMAP]) {
		set_status(t, CT_EAGER_COPIES, CT_APPROX,
			   "growth of the kernel's fork_eager_copy + fork_stack_copy events while the "
			   "process is in dup_mmap (system-wide counters: more if forks overlap)");
	}

	if (!t->opt.lock_wait)
		return;
	if (!t->tp_ok[TP_LOCK_START] || !t->tp_ok[TP_LOCK_ACQUIRED])
		set_status(t, CT_LOCK_WAIT_NS, CT_UNAVAILABLE, "kernel has no mmap_lock tracepoints");
	else if (!t->fork_src)
		set_status(t, CT_LOCK_WAIT_NS, CT_UNAVAILABLE, "no fork window");
	else if (t->fork_src == CT_FORK_LOCK)
		set_status(t, CT_LOCK_WAIT_NS, CT_UNAVAILABLE,
			   "needs dup_mmap probes or syscalls:sys_enter_clone* (not attached)");
	else if (t->fork_src == CT_FORK_DUP_MMAP)
		set_status(t, CT_LOCK_WAIT_NS, CT_EXACT,
			   "mmap_lock waits begun by other threads inside dup_mmap");
	else
		set_status(t, CT_LOCK_WAIT_NS, CT_APPROX,
			   "mmap_lock waits begun by other threads from fork syscall entry to task_newtask");
}

/* Fork COW apart from other COW (docs/cowtrace.md): every mode classes a
 * fault by its VMA; a copy's page refines it where it can be read. */
static void status_attrib(struct ct_tracer *t)
{
	int probe = t->win_src == CT_SRC_PROBE;
	enum ct_status copies = t->status[CT_COW_COPIES], reuses = t->status[CT_COW_REUSES];

	if (t->status[CT_WP_FAULTS] == CT_UNAVAILABLE)
		return;
	set_status(t, CT_FORK_FAULTS, CT_APPROX, probe ?
		   "do_wp_page's VMA: private, with anonymous pages (anon_vma), in an address space "
		   "a fork shared (it forked since its execve, or fork() made it and it has not "
		   "exec'd); fork_file_faults of them in file mappings (moved by the copied page)" :
		   "bpf_find_vma on the fault address: private, with anonymous pages (anon_vma), in "
		   "an address space a fork shared (it forked since its execve, or fork() made it "
		   "and it has not exec'd); fork_file_faults of them in file mappings, where a first "
		   "write to a file page counts here too");
	set_status(t, CT_OTHER_FAULTS, CT_APPROX,
		   "derived: wp_faults - fork_faults - private-file faults (zero page, KSM, "
		   "write-notify of shared mappings, mprotect, VMA not found)");
	if (copies != CT_UNAVAILABLE && t->copy_arg) {
		set_status(t, CT_FORK_COPIES, CT_EXACT,
			   "wp_page_copy of an anonymous page (not KSM) in an address space a fork shared");
		set_status(t, CT_FILE_COPIES, CT_EXACT, "wp_page_copy of a page-cache page");
	} else if (copies != CT_UNAVAILABLE) {
		set_status(t, CT_FORK_COPIES, copies, "cow_copies of the faults in fork_faults");
		set_status(t, CT_FILE_COPIES, copies,
			   "cow_copies in a private file mapping with no anonymous page yet (no "
			   "anon_vma), or of an address space no fork shared");
	}
	if (reuses == CT_EXACT)
		set_status(t, CT_FORK_REUSES, CT_APPROX, "wp_page_reuse of the faults in fork_faults");
	else if (reuses != CT_UNAVAILABLE)
		set_status(t, CT_FORK_REUSES, CT_APPROX, "derived: fork_faults - fork_copies");
}

/* The functions the fork phases need (docs/cowtrace.md, "Where fork's time
 * goes"), in the order of the note. */
static const int phase_funcs[] = {
	PR_COPY_PROCESS, PR_DUP_MMAP, PR_COPY_PAGE_RANGE, PR_ANON_VMA_FORK, PR_FLUSH_TLB,
};

/*
 * Exact with all five functions probed (entry and return): a fork's time
 * is measured on copy_process itself and charged to the phase running.
 * Without one of them a phase would hide in another: unavailable, and why.
 */
static void status_phases(struct ct_tracer *t)
{
	const char *probe = t->mode == CT_MODE_FENTRY ? "fentry/fexit" : "kprobe/kretprobe";
	size_t i, n = sizeof(phase_funcs) / sizeof(phase_funcs[0]);

	if (t->mode == CT_MODE_TRACEPOINT) {
		snprintf(t->phase_note, sizeof(t->phase_note),
			 "tracepoint mode (%.240s): needs kprobe or fentry on copy_process, "
			 "dup_mmap, copy_page_range, anon_vma_fork and flush_tlb_mm_range",
			 t->modes_note[0] ? t->modes_note : "asked for");
		set_status(t, CT_PHASE_FORK_NS, CT_UNAVAILABLE, t->phase_note);
		return;
	}
	for (i = 0; i < n; i++) {
		int f = phase_funcs[i];

		if (t->attached[f])
			continue;
		snprintf(t->phase_note, sizeof(t->phase_note), "needs %s on %s: %.96s", probe,
			 ct_probe_func[f], t->why[f][0] ? t->why[f] : "not attached");
		set_status(t, CT_PHASE_FORK_NS, CT_UNAVAILABLE, t->phase_note);
		return;
	}
	snprintf(t->phase_note, sizeof(t->phase_note),
		 "%s on copy_process, dup_mmap, copy_page_range, anon_vma_fork and "
		 "flush_tlb_mm_range: each moment of copy_process charged to the innermost "
		 "phase running (forks that copy an mm)", probe);
	set_status(t, CT_PHASE_FORK_NS, CT_EXACT, t->phase_note);
}

void ct_compute_status(struct ct_tracer *t)
{
	enum ct_counter k;

	for (k = 0; k < CT_NR_COUNTERS; k++)
		t->status[k] = ct_counter_default(k, &t->note[k]);
	status_faults(t);
	status_tlb(t);
	status_fork(t);
	status_attrib(t);
	status_phases(t);
}

void ct_note_mode(struct ct_tracer *t, const char *mode, const char *why)
{
	size_t n = strlen(t->modes_note);

	snprintf(t->modes_note + n, sizeof(t->modes_note) - n, "%s%s: %s",
		 n ? "; " : "", mode, why);
}

void ct_make_summary(struct ct_tracer *t)
{
	const char *probe = t->mode == CT_MODE_FENTRY ? "fentry" : "kprobe";
	size_t n = 0;
	int i;

	if (t->modes_note[0])
		n += (size_t)snprintf(t->summary, sizeof(t->summary), "not used: %s; ",
				      t->modes_note);
	if (t->mode == CT_MODE_TRACEPOINT && n < sizeof(t->summary)) {
		snprintf(t->summary + n, sizeof(t->summary) - n,
			 "tracepoint mode probes no kernel function");
		return;
	}
	for (i = 0; i < PR_NR && n < sizeof(t->summary); i++) {
		const char *how = t->attached[i] ? probe
				: t->why[i][0] ? t->why[i] : "not used in this mode";
		char what[96];

		if (t->attached[i] && strcmp(t->sym[i], ct_probe_func[i]) != 0) {
			snprintf(what, sizeof(what), "%s on %.63s", probe, t->sym[i]);
			how = what;
		}
		n += (size_t)snprintf(t->summary + n, sizeof(t->summary) - n, "%s%s: %s",
				      i ? "; " : "", ct_probe_func[i], how);
	}
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
