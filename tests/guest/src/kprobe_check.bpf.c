// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel side of kprobe-check: count copy_page_range and flush_tlb_mm_range
 * calls made by one process, by kprobe and by fentry.
 *
 * No vmlinux.h: the two kernel structs are declared locally with only the
 * fields read, marked preserve_access_index, so libbpf relocates them against
 * the BTF of whatever kernel loads the object (the guest's own).
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "kprobe_check.h"

struct vm_area_struct {
	unsigned long vm_start;
	unsigned long vm_end;
} __attribute__((preserve_access_index));

const volatile __u32 watch_tgid;
const volatile __u64 watch_start;

__u64 counters[KC_NR];

static __always_inline int watched(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == watch_tgid;
}

SEC("kprobe/copy_page_range")
int BPF_KPROBE(kprobe_copy_page_range, struct vm_area_struct *dst_vma,
	       struct vm_area_struct *src_vma)
{
	if (!watched())
		return 0;
	__sync_fetch_and_add(&counters[KC_KPROBE_COPY], 1);
	if (BPF_CORE_READ(src_vma, vm_start) == watch_start)
		__sync_fetch_and_add(&counters[KC_KPROBE_COPY_VMA], 1);
	return 0;
}

SEC("kprobe/flush_tlb_mm_range")
int BPF_KPROBE(kprobe_flush_tlb_mm_range)
{
	if (watched())
		__sync_fetch_and_add(&counters[KC_KPROBE_FLUSH], 1);
	return 0;
}

SEC("fentry/copy_page_range")
int BPF_PROG(fentry_copy_page_range, struct vm_area_struct *dst_vma,
	     struct vm_area_struct *src_vma)
{
	if (!watched())
		return 0;
	__sync_fetch_and_add(&counters[KC_FENTRY_COPY], 1);
	if (src_vma->vm_start == watch_start)
		__sync_fetch_and_add(&counters[KC_FENTRY_COPY_VMA], 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
