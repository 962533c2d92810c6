// SPDX-License-Identifier: GPL-2.0
/*
 * ct-table - the counter table (bpf/ct_counters.h) in user space, without
 * loading anything: the rows are consistent, every report keeps today's
 * columns in today's order (new rows may only follow), struct ct_counts is
 * the rows in order with their accessors, and the status rules give each
 * probe mode's statuses and sources.  Built into build/tests/unit/.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ct_internal.h"
#include "unit.h"

#define ROWS ((int)CT_NR_COUNTERS)

/* name of each row, "|"-separated, in the order of view */
static void view_names(unsigned int view, char *buf, size_t len)
{
	enum ct_counter col[CT_NR_COUNTERS];
	int i, n = ct_columns(view, col, ROWS);
	size_t off = 0;

	buf[0] = 0;
	for (i = 0; i < n && i < ROWS && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? "|" : "",
					ct_counter_name(col[i]));
}

/* want's names appear in got in the same order (got may have more) */
static int in_order(const char *want, const char *got)
{
	char w[1024], g[1024], *ws, *gs, *p, *q;

	snprintf(w, sizeof(w), "%s", want);
	snprintf(g, sizeof(g), "%s", got);
	q = strtok_r(g, "|", &gs);
	for (p = strtok_r(w, "|", &ws); p; p = strtok_r(NULL, "|", &ws)) {
		while (q && strcmp(p, q) != 0)
			q = strtok_r(NULL, "|", &gs);
		if (!q)
			return 0;
	}
	return 1;
}

static void check_rows(void)
{
	int k, j, ok_names = 1, ok_of = 1, ok_doc = 1;

	for (k = 0; k < ROWS; k++) {
		const char *n = ct_counter_name(k);
		enum ct_counter of = ct_counter_of(k);

		ok_names &= n[0] && strspn(n, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(n);
		for (j = 0; j < k; j++)
			ok_names &= strcmp(n, ct_counter_name(j)) != 0;
		ok_of &= (unsigned int)of < CT_NR_COUNTERS && ct_counter_of(of) == of;
		ok_of &= !(ct_counter_show(k) & CT_NOTE) || of == (enum ct_counter)k;
		ok_doc &= ct_counter_unit(k)[0] && ct_counter_doc(k)[0] &&
			  strlen(ct_counter_doc(k)) <= 50;
	}
	CHECK("rows: names unique, lower case", ok_names);
	CHECK("rows: status of a row with its own (status tables: their own)", ok_of);
	CHECK("rows: unit and doc (at most 50 characters)", ok_doc);
	CHECK_STR("unknown counter's name", "?", ct_counter_name(CT_NR_COUNTERS));
}

static void check_views(void)
{
	static const char main_cols[] = "wp_faults|cow_copies|cow_reuses|tlb_flush_fork|"
		"tlb_flush_fault|tlb_pages_fork|tlb_pages_fault";
	char got[1024], want[1024];

	view_names(CT_CSV, got, sizeof(got));
	snprintf(want, sizeof(want), "procs|forks|%s|tlb_full_fork|tlb_full_fault|fork_ns|"
		 "eager_copies|lock_wait_ns", main_cols);
	CHECK("CSV columns: today's first, in order", !strncmp(got, want, strlen(want)));
	view_names(CT_JSON, got, sizeof(got));
	snprintf(want, sizeof(want), "forks|procs|%s|fork_ns|eager_copies|lock_wait_ns",
		 main_cols);
	CHECK("JSON keys: today's first", !strncmp(got, want, strlen(want)));
	CHECK("JSON keys: the details after them, in order",
	      in_order("lock_wait_ns|tlb_full_fork|tlb_full_fault|lock_waits", got));
	view_names(CT_HUMAN, got, sizeof(got));
	snprintf(want, sizeof(want), "fork_copies|fork_reuses|forks|%s|fork_ns|eager_copies|"
		 "lock_wait_ns", main_cols);
	CHECK("human columns: fork-caused COW first, then today's", !strncmp(got, want, strlen(want)));
	view_names(CT_CSV, got, sizeof(got));
	CHECK("CSV: the attribution's columns after today's",
	      in_order("lock_wait_ns|fork_faults|fork_copies|fork_reuses|file_copies|other_faults|"
		       "other_copies|other_reuses|fork_file_faults", got));
	view_names(CT_NOTE, got, sizeof(got));
	snprintf(want, sizeof(want), "%s|fork_ns|eager_copies|lock_wait_ns", main_cols);
	CHECK("status tables: today's first", !strncmp(got, want, strlen(want)));
	view_names(CT_BENCH, got, sizeof(got));
	snprintf(want, sizeof(want), "wp_faults|cow_copies|cow_reuses|tlb_flush_fork|"
		 "tlb_flush_fault|eager_copies");
	CHECK("forkbench --trace columns: today's first", !strncmp(got, want, strlen(want)));
	CHECK("only lock_wait_ns is opt-in (human)",
	      ct_columns(CT_OPTIN, NULL, 0) == 1 && (ct_counter_show(CT_LOCK_WAIT_NS) & CT_OPTIN));
	CHECK("per-mapping: wp_faults, cow_copies, cow_reuses",
	      ct_counter_has_vma(CT_WP_FAULTS) && ct_counter_has_vma(CT_COW_COPIES) &&
	      ct_counter_has_vma(CT_COW_REUSES) && !ct_counter_has_vma(CT_FORKS));
}

static void check_counts(void)
{
	struct ct_counts a, b, c;
	uint64_t w[sizeof(a) / sizeof(uint64_t)] = {0};
	int k, v, nvma = 0, ok_get = 1, ok_vma = 1;

	for (k = 0; k < ROWS; k++)
		nvma += ct_counter_has_vma(k);
	CHECK("struct ct_counts: a word per row and per row and mapping class",
	      sizeof(a) == sizeof(uint64_t) * (size_t)(ROWS + nvma * CT_VMA_COUNT));
	for (k = 0; k < (int)(sizeof(w) / sizeof(w[0])); k++)
		w[k] = (uint64_t)k + 1;
	memcpy(&a, w, sizeof(a));
	for (k = 0; k < ROWS; k++) {
		ok_get &= ct_counts_get(&a, k) == (uint64_t)k + 1;
		for (v = 0; v < CT_VMA_COUNT; v++)
			ok_vma &= ct_counter_has_vma(k) ? ct_counts_vma(&a, k, v) > (uint64_t)ROWS
				  : ct_counts_vma(&a, k, v) == 0;
	}
	CHECK("ct_counts_get: the rows in table order", ok_get);
	CHECK("ct_counts_vma: per-mapping words after them, 0 without", ok_vma);
	CHECK("ct_counts_get of an unknown counter: 0", ct_counts_get(&a, CT_NR_COUNTERS) == 0);

	b = a;
	ct_counts_add(&b, &a);
	ct_counts_sub(&b, &a);
	CHECK("ct_counts_add then ct_counts_sub: as before", !memcmp(&a, &b, sizeof(a)));
	ct_counts_add(&b, &a);
	CHECK("ct_counts_add: every word, the last too",
	      ct_counts_vma(&b, CT_COW_REUSES, CT_VMA_UNKNOWN) ==
	      2 * ct_counts_vma(&a, CT_COW_REUSES, CT_VMA_UNKNOWN) && b.procs == 2 * a.procs);
	c = a;
	ct_counts_clear(&c, CT_COW_COPIES);
	CHECK("ct_counts_clear: the counter and its classes, nothing else",
	      c.cow_copies == 0 && ct_counts_vma(&c, CT_COW_COPIES, CT_VMA_ANON) == 0 &&
	      c.wp_faults == a.wp_faults && c.cow_reuses == a.cow_reuses);
}

/* one status and source, "status: note" */
static const char *st(const struct ct_tracer *t, enum ct_counter k)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "%s: %s", ct_status_name(ct_counter_status(t, k)),
		 ct_counter_note(t, k));
	return buf;
}

static void check_status(void)
{
	static struct ct_tracer t;
	int i;

	/* this host: tracepoint mode, tlb:tlb_flush, syscall fork window */
	memset(&t, 0, sizeof(t));
	t.mode = CT_MODE_TRACEPOINT;
	t.tp_ok[TP_TLB_FLUSH] = 1;
	t.fork_src = CT_FORK_SYSCALL;
	ct_compute_status(&t);
	CHECK_STR("tracepoint: wp_faults", "approx: tracepoints exceptions:page_fault_user/kernel: "
		  "write faults on present pages (also spurious ones; not faults taken by "
		  "get_user_pages)", st(&t, CT_WP_FAULTS));
	CHECK_STR("tracepoint: cow_reuses", "approx: derived: wp_faults - cow_copies",
		  st(&t, CT_COW_REUSES));
	CHECK_STR("tracepoint: fork_ns", "approx: fork syscall entry to task_newtask (all of "
		  "copy_process)", st(&t, CT_FORK_NS));
	CHECK_STR("tracepoint: eager_copies", "unavailable: needs a probe on forklab's "
		  "fork_copy_count, or dup_mmap and forklab's fork_*_copy vm events",
		  st(&t, CT_EAGER_COPIES));
	CHECK_STR("tracepoint: lock_wait_ns", "unavailable: not requested (--lock-wait)",
		  st(&t, CT_LOCK_WAIT_NS));
	CHECK("details have their counter's status (tlb_full_fork, lock_waits)",
	      ct_counter_status(&t, CT_TLB_FULL_FORK) == ct_counter_status(&t, CT_TLB_FLUSH_FORK) &&
	      ct_counter_status(&t, CT_LOCK_WAITS) == CT_UNAVAILABLE);
	CHECK("procs and forks: exact",
	      ct_counter_status(&t, CT_PROCS) == CT_EXACT && ct_counter_status(&t, CT_FORKS) == CT_EXACT);
	CHECK_STR("tracepoint: fork_reuses", "approx: derived: fork_faults - fork_copies",
		  st(&t, CT_FORK_REUSES));
	t.fork_src = CT_FORK_LOCK;
	ct_compute_status(&t);
	CHECK("tracepoint without syscall tracepoints: fork_ns and tlb_flush_fork from the mmap lock",
	      ct_counter_status(&t, CT_FORK_NS) == CT_APPROX &&
	      strstr(ct_counter_note(&t, CT_FORK_NS), "mmap_lock_start_locking") != NULL &&
	      strstr(ct_counter_note(&t, CT_TLB_FLUSH_FORK), "mmap_lock_start_locking") != NULL);
	t.opt.lock_wait = 1;
	t.tp_ok[TP_LOCK_START] = t.tp_ok[TP_LOCK_ACQUIRED] = 1;
	ct_compute_status(&t);
	CHECK("lock_wait_ns needs a fork window the mmap lock does not give",
	      ct_counter_status(&t, CT_LOCK_WAIT_NS) == CT_UNAVAILABLE);
	CHECK("tracepoint: the attribution approx, by the VMA (bpf_find_vma)",
	      ct_counter_status(&t, CT_FORK_COPIES) == CT_APPROX &&
	      ct_counter_status(&t, CT_FILE_COPIES) == CT_APPROX &&
	      ct_counter_status(&t, CT_OTHER_REUSES) == CT_APPROX &&
	      strstr(ct_counter_note(&t, CT_FORK_FAULTS), "bpf_find_vma") != NULL);

	/* fentry on every function, dup_mmap window, --lock-wait */
	memset(&t, 0, sizeof(t));
	t.mode = CT_MODE_FENTRY;
	for (i = 0; i < PR_NR; i++) {
		t.attached[i] = 1;
		snprintf(t.sym[i], sizeof(t.sym[i]), "%s", ct_probe_func[i]);
	}
	t.tp_ok[TP_TLB_FLUSH] = t.tp_ok[TP_LOCK_START] = t.tp_ok[TP_LOCK_ACQUIRED] = 1;
	t.fork_src = CT_FORK_DUP_MMAP;
	t.win_src = t.copy_src = CT_SRC_PROBE;
	t.copy_arg = 1;
	t.opt.lock_wait = 1;
	ct_compute_status(&t);
	CHECK_STR("fentry: wp_faults", "exact: fentry on do_wp_page", st(&t, CT_WP_FAULTS));
	CHECK_STR("fentry: fork_copies from the copied page", "exact: wp_page_copy of an anonymous "
		  "page (not KSM) in an address space a fork shared", st(&t, CT_FORK_COPIES));
	CHECK_STR("fentry: file_copies from the copied page", "exact: wp_page_copy of a page-cache "
		  "page", st(&t, CT_FILE_COPIES));
	CHECK("fentry: fork_faults from do_wp_page's VMA (approx)",
	      ct_counter_status(&t, CT_FORK_FAULTS) == CT_APPROX &&
	      strstr(ct_counter_note(&t, CT_FORK_FAULTS), "do_wp_page's VMA") != NULL);
	CHECK_STR("fentry: cow_copies", "exact: fentry on wp_page_copy", st(&t, CT_COW_COPIES));
	CHECK_STR("fentry: tlb_pages_fault", "exact: tlb:tlb_flush pages inside do_wp_page",
		  st(&t, CT_TLB_PAGES_FAULT));
	CHECK_STR("fentry: eager_copies", "exact: fentry on fork_copy_count: pages copied at fork, "
		  "small, mTHP and THP, counted once each copy stands",
		  st(&t, CT_EAGER_COPIES));
	CHECK_STR("fentry: lock_wait_ns", "exact: mmap_lock waits begun by other threads inside "
		  "dup_mmap", st(&t, CT_LOCK_WAIT_NS));

	/* no tlb:tlb_flush, no fork window, --lock-wait */
	memset(&t, 0, sizeof(t));
	t.mode = CT_MODE_TRACEPOINT;
	t.tp_ok[TP_LOCK_START] = t.tp_ok[TP_LOCK_ACQUIRED] = 1;
	t.opt.lock_wait = 1;
	ct_compute_status(&t);
	CHECK_STR("no tlb_flush: cow_copies", "unavailable: needs wp_page_copy probes or "
		  "tlb:tlb_flush", st(&t, CT_COW_COPIES));
	CHECK_STR("no tlb_flush: cow_reuses", "unavailable: needs wp_page_reuse probes or "
		  "tlb:tlb_flush", st(&t, CT_COW_REUSES));
	CHECK_STR("no tlb_flush: tlb_flush_fork", "unavailable: kernel has no tlb:tlb_flush "
		  "tracepoint", st(&t, CT_TLB_FLUSH_FORK));
	CHECK_STR("no fork window: fork_ns", "unavailable: needs dup_mmap/copy_page_range probes "
		  "or syscalls:sys_enter_clone*", st(&t, CT_FORK_NS));
	CHECK_STR("no fork window: lock_wait_ns", "unavailable: no fork window",
		  st(&t, CT_LOCK_WAIT_NS));
	t.tp_ok[TP_TLB_FLUSH] = 1;
	ct_compute_status(&t);
	CHECK_STR("tlb_flush, no fork window: tlb_pages_fork", "unavailable: no fork window: "
		  "needs dup_mmap probes or syscalls:sys_enter_clone*", st(&t, CT_TLB_PAGES_FORK));
}

/* The fork phases: exact with their five functions probed, else
 * unavailable naming the missing one; every phase row has their status. */
static void check_phases(void)
{
	static const enum ct_counter rows[] = {
		CT_PHASE_VMA_NS, CT_PHASE_PGTABLE_NS, CT_PHASE_ANON_VMA_NS, CT_PHASE_TLB_NS,
		CT_PHASE_REST_NS, CT_PHASE_FORKS,
	};
	struct ct_tracer t;
	size_t i;
	int same = 1;

	memset(&t, 0, sizeof(t));
	t.mode = CT_MODE_TRACEPOINT;
	snprintf(t.modes_note, sizeof(t.modes_note), "kprobe: this kernel has no kprobes");
	ct_compute_status(&t);
	CHECK_STR("tracepoint: phase_fork_ns", "unavailable: tracepoint mode (kprobe: this kernel "
		  "has no kprobes): needs kprobe or fentry on copy_process, dup_mmap, "
		  "copy_page_range, anon_vma_fork and flush_tlb_mm_range",
		  st(&t, CT_PHASE_FORK_NS));

	memset(&t, 0, sizeof(t));
	t.mode = CT_MODE_KPROBE;
	for (i = 0; i < PR_NR; i++)
		t.attached[i] = 1;
	ct_compute_status(&t);
	CHECK("kprobe on all five: phase_fork_ns exact",
	      ct_counter_status(&t, CT_PHASE_FORK_NS) == CT_EXACT &&
	      strstr(ct_counter_note(&t, CT_PHASE_FORK_NS), "kprobe/kretprobe on copy_process") != NULL);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		same &= ct_counter_status(&t, rows[i]) == CT_EXACT &&
			ct_counter_of(rows[i]) == CT_PHASE_FORK_NS;
	CHECK("every phase row has phase_fork_ns's status", same);

	t.attached[PR_ANON_VMA_FORK] = 0;
	snprintf(t.why[PR_ANON_VMA_FORK], sizeof(t.why[PR_ANON_VMA_FORK]), "kprobe attach failed (x)");
	ct_compute_status(&t);
	CHECK_STR("kprobe without anon_vma_fork: unavailable, why", "unavailable: needs "
		  "kprobe/kretprobe on anon_vma_fork: kprobe attach failed (x)",
		  st(&t, CT_PHASE_PGTABLE_NS));
	t.attached[PR_ANON_VMA_FORK] = 1;
	t.attached[PR_COPY_PROCESS] = 0;
	t.mode = CT_MODE_FENTRY;
	ct_compute_status(&t);
	CHECK_STR("fentry without copy_process: unavailable", "unavailable: needs fentry/fexit on "
		  "copy_process: not attached", st(&t, CT_PHASE_REST_NS));
}

int main(void)
{
	check_rows();
	check_views();
	check_counts();
	check_status();
	check_phases();
	return unit_failed;
}
