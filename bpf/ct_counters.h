/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ct_counters.h - cowtrace's counters, one row each.  No includes: the BPF
 * side (cowtrace.h: struct ct_stats) and user space (cowtrace_lib.h: enum
 * ct_counter, struct ct_counts; ct_counters.c: names, units, notes,
 * accessors and the column list of every report) expand the same rows.
 *
 * Adding a counter: a row here (at the end), its BPF handler
 * (COUNT(p, rs, name, v) in cowtrace.bpf.c) and its test.  The row alone
 * makes it a field of both structs, a column of cowtrace's CSV, JSON and
 * human reports (and of forkbench --trace with CT_BENCH), and a line of
 * cowtrace --help.  Its status is the row's unless ct_status.c has a rule
 * for it (a counter whose source depends on the probe mode).
 *
 * X(ID, name, unit, status, of, vma, show, note, doc)
 *   ID      enum ct_counter is CT_<ID>
 *   name    the field and the column (docs/design.md names)
 *   unit    what one count is, for cowtrace --help
 *   status  EXACT, APPROX or UNAVAILABLE: the status when no rule of
 *           ct_status.c applies (for a row whose status is another's: unused)
 *   of      the counter whose status and note this one has: its own ID, or
 *           the counter it details (tlb_full_fork is reported under
 *           tlb_flush_fork's status)
 *   vma     VMA: also split by mapping class (--per-vma: vma_<name>[]), or NOVMA
 *   show    where it is a column: CT_* flags below
 *   note    the source printed with the status (when no rule applies)
 *   doc     what it counts, for cowtrace --help (at most 50 characters)
 *
 * Order: CSV's column order.  JSON lists the CT_LEAD counter first, then
 * those with their own status, then those reported under another's.
 */
#ifndef CT_COUNTERS_H
#define CT_COUNTERS_H

#define CT_CSV		0x01	/* a column of cowtrace -f csv */
#define CT_JSON		0x02	/* a key of cowtrace -f json's counts */
#define CT_HUMAN	0x04	/* a column of cowtrace's human report */
#define CT_NOTE		0x08	/* a row of the status tables (human, JSON "counters") */
#define CT_BENCH	0x10	/* forkbench --trace: total, parent_ and child_ columns */
#define CT_OPTIN	0x20	/* human: a column only with --lock-wait */
#define CT_LEAD		0x40	/* JSON: the first key */
#define CT_FIRST	0x80	/* human: the leading columns (fork-caused COW) */
#define CT_PHASE	0x100	/* human: a column only where it is measured */
#define CT_REPORT	(CT_CSV | CT_JSON | CT_HUMAN | CT_NOTE)

#define CT_COUNTERS(X)							\
	X(PROCS, procs, "processes", EXACT, PROCS, NOVMA, CT_CSV | CT_JSON,	\
	  "task:task_newtask, and /proc when following",			\
	  "processes of this role")						\
	X(FORKS, forks, "processes", EXACT, FORKS, NOVMA,			\
	  CT_CSV | CT_JSON | CT_HUMAN | CT_LEAD, "task:task_newtask",		\
	  "processes created (not threads)")					\
	X(WP_FAULTS, wp_faults, "faults", APPROX, WP_FAULTS, VMA,		\
	  CT_REPORT | CT_BENCH,							\
	  "tracepoints exceptions:page_fault_user/kernel: write faults on present pages " \
	  "(also spurious ones; not faults taken by get_user_pages)",		\
	  "write-protect faults (do_wp_page)")					\
	X(COW_COPIES, cow_copies, "pages", UNAVAILABLE, COW_COPIES, VMA,	\
	  CT_REPORT | CT_BENCH, "needs wp_page_copy probes or tlb:tlb_flush",	\
	  "write faults that copied the page (wp_page_copy)")			\
	X(COW_REUSES, cow_reuses, "pages", UNAVAILABLE, COW_REUSES, VMA,	\
	  CT_REPORT | CT_BENCH, "needs wp_page_reuse probes or tlb:tlb_flush",	\
	  "write faults that reused the page (wp_page_reuse)")			\
	X(TLB_FLUSH_FORK, tlb_flush_fork, "flushes", UNAVAILABLE, TLB_FLUSH_FORK, \
	  NOVMA, CT_REPORT | CT_BENCH, "kernel has no tlb:tlb_flush tracepoint", \
	  "local TLB flushes during fork (dup_mmap)")				\
	X(TLB_FLUSH_FAULT, tlb_flush_fault, "flushes", UNAVAILABLE, TLB_FLUSH_FAULT, \
	  NOVMA, CT_REPORT | CT_BENCH, "kernel has no tlb:tlb_flush tracepoint", \
	  "local TLB flushes during write faults")				\
	X(TLB_PAGES_FORK, tlb_pages_fork, "pages", UNAVAILABLE, TLB_PAGES_FORK, \
	  NOVMA, CT_REPORT, "kernel has no tlb:tlb_flush tracepoint",		\
	  "pages of the ranged flushes during fork")				\
	X(TLB_PAGES_FAULT, tlb_pages_fault, "pages", UNAVAILABLE, TLB_PAGES_FAULT, \
	  NOVMA, CT_REPORT, "kernel has no tlb:tlb_flush tracepoint",		\
	  "pages of the ranged flushes during write faults")			\
	X(TLB_FULL_FORK, tlb_full_fork, "flushes", EXACT, TLB_FLUSH_FORK, NOVMA, \
	  CT_CSV | CT_JSON, "",							\
	  "whole-address-space flushes during fork")			\
	X(TLB_FULL_FAULT, tlb_full_fault, "flushes", EXACT, TLB_FLUSH_FAULT, NOVMA, \
	  CT_CSV | CT_JSON, "",							\
	  "whole-address-space flushes during write faults")		\
	X(FORK_NS, fork_ns, "ns", UNAVAILABLE, FORK_NS, NOVMA, CT_REPORT,	\
	  "needs dup_mmap/copy_page_range probes or syscalls:sys_enter_clone*",	\
	  "time in fork's address-space copy")					\
	X(EAGER_COPIES, eager_copies, "pages", UNAVAILABLE, EAGER_COPIES, NOVMA, \
	  CT_REPORT | CT_BENCH,							\
	  "needs a probe on forklab's fork_copy_count, or dup_mmap "		\
	  "and forklab's fork_*_copy vm events",				\
	  "pages copied at fork (stack and eager modes)") \
	X(LOCK_WAIT_NS, lock_wait_ns, "ns", UNAVAILABLE, LOCK_WAIT_NS, NOVMA,	\
	  CT_REPORT | CT_OPTIN, "not requested (--lock-wait)",			\
	  "other threads' wait on the mmap lock during forks")			\
	X(LOCK_WAITS, lock_waits, "waits", EXACT, LOCK_WAIT_NS, NOVMA, CT_JSON,	\
	  "", "those waits")						\
	X(CPR_NS, cpr_ns, "ns", EXACT, FORK_NS, NOVMA, 0, "",			\
	  "copy_page_range time (fork_ns without dup_mmap)")			\
	X(FORK_FAULTS, fork_faults, "faults", UNAVAILABLE, FORK_FAULTS, NOVMA,	\
	  CT_CSV | CT_JSON | CT_NOTE, "needs write faults and their VMA",	\
	  "of wp_faults: on anonymous pages a fork shared")			\
	X(FORK_COPIES, fork_copies, "pages", UNAVAILABLE, FORK_COPIES, NOVMA,	\
	  CT_REPORT | CT_FIRST | CT_BENCH, "needs cow_copies and the VMA",			\
	  "of cow_copies: fork-shared anonymous pages")			\
	X(FORK_REUSES, fork_reuses, "pages", UNAVAILABLE, FORK_REUSES, NOVMA,	\
	  CT_REPORT | CT_FIRST | CT_BENCH, "needs cow_reuses and the VMA",			\
	  "of cow_reuses: fork-shared anonymous pages")			\
	X(FILE_COPIES, file_copies, "pages", UNAVAILABLE, FILE_COPIES, NOVMA,	\
	  CT_REPORT | CT_BENCH, "needs cow_copies and the VMA",				\
	  "of cow_copies: first writes to private file pages")		\
	X(OTHER_FAULTS, other_faults, "faults", UNAVAILABLE, OTHER_FAULTS, NOVMA, \
	  CT_CSV | CT_JSON | CT_NOTE, "needs write faults and their VMA",	\
	  "of wp_faults: other (zero page, KSM, mprotect)")		\
	X(OTHER_COPIES, other_copies, "pages", UNAVAILABLE, OTHER_FAULTS, NOVMA, \
	  CT_CSV | CT_JSON | CT_HUMAN, "",					\
	  "of cow_copies: neither fork nor file COW")				\
	X(OTHER_REUSES, other_reuses, "pages", UNAVAILABLE, OTHER_FAULTS, NOVMA, \
	  CT_CSV | CT_JSON, "",							\
	  "of cow_reuses: neither fork nor file COW")				\
	X(FORK_FILE_FAULTS, fork_file_faults, "faults", UNAVAILABLE, FORK_FAULTS, \
	  NOVMA, CT_CSV | CT_JSON, "",						\
	  "of fork_faults: in private file mappings")				\
	X(FILE_FAULTS, file_faults, "faults", UNAVAILABLE, FILE_COPIES, NOVMA, 0, \
	  "", "write faults classed private-file COW")			\
	X(PHASE_FORK_NS, phase_fork_ns, "ns", UNAVAILABLE, PHASE_FORK_NS, NOVMA, \
	  CT_REPORT | CT_BENCH | CT_PHASE,					\
	  "needs kprobe or fentry on copy_process, dup_mmap, copy_page_range, " \
	  "anon_vma_fork and flush_tlb_mm_range",				\
	  "copy_process time of forks that copy an mm")		\
	X(PHASE_VMA_NS, phase_vma_ns, "ns", UNAVAILABLE, PHASE_FORK_NS, NOVMA,	\
	  CT_CSV | CT_JSON | CT_HUMAN | CT_BENCH | CT_PHASE, "",		\
	  "of it: dup_mmap minus the 3 phases below")			\
	X(PHASE_PGTABLE_NS, phase_pgtable_ns, "ns", UNAVAILABLE, PHASE_FORK_NS, \
	  NOVMA, CT_CSV | CT_JSON | CT_HUMAN | CT_BENCH | CT_PHASE, "",	\
	  "of it: copy_page_range (page-table copy)")			\
	X(PHASE_ANON_VMA_NS, phase_anon_vma_ns, "ns", UNAVAILABLE, PHASE_FORK_NS, \
	  NOVMA, CT_CSV | CT_JSON | CT_HUMAN | CT_BENCH | CT_PHASE, "",	\
	  "of it: anon_vma_fork (anon_vma/rmap setup)")		\
	X(PHASE_TLB_NS, phase_tlb_ns, "ns", UNAVAILABLE, PHASE_FORK_NS, NOVMA, \
	  CT_CSV | CT_JSON | CT_HUMAN | CT_BENCH | CT_PHASE, "",		\
	  "of it: dup_mmap's flush_tlb_mm_range")			\
	X(PHASE_REST_NS, phase_rest_ns, "ns", UNAVAILABLE, PHASE_FORK_NS, NOVMA, \
	  CT_CSV | CT_JSON | CT_HUMAN | CT_BENCH | CT_PHASE, "",		\
	  "of it: copy_process outside dup_mmap")			\
	X(PHASE_FORKS, phase_forks, "forks", UNAVAILABLE, PHASE_FORK_NS, NOVMA, \
	  CT_CSV | CT_JSON | CT_BENCH, "",					\
	  "forks whose phases are counted")					\
	X(WP_FAULT_NS, wp_fault_ns, "ns", UNAVAILABLE, WP_FAULT_NS, NOVMA,	\
	  CT_REPORT | CT_PHASE,							\
	  "needs kprobe or fentry on do_wp_page, at entry and return",		\
	  "time in write-protect faults (do_wp_page)")	\
	X(COW_BYTES, cow_bytes, "bytes", UNAVAILABLE, COW_BYTES, NOVMA,	\
	  CT_CSV | CT_JSON | CT_NOTE, "needs cow_copies",			\
	  "bytes copied by write faults (cow_copies pages)")

#endif /* CT_COUNTERS_H */
