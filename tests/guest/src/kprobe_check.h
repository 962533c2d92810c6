/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by kprobe_check.bpf.c and kprobe_check.c: plain counters, no includes. */
#ifndef FORKLAB_KPROBE_CHECK_H
#define FORKLAB_KPROBE_CHECK_H

enum kc_counter {
	KC_KPROBE_COPY,		/* kprobe copy_page_range, in the watched process */
	KC_KPROBE_COPY_VMA,	/* ... whose source VMA starts at watch_start (CO-RE read) */
	KC_KPROBE_FLUSH,	/* kprobe flush_tlb_mm_range, in the watched process */
	KC_FENTRY_COPY,		/* fentry copy_page_range, in the watched process */
	KC_FENTRY_COPY_VMA,	/* ... whose source VMA starts at watch_start */
	KC_NR,
};

#endif
