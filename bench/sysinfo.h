/* SPDX-License-Identifier: GPL-2.0 */
/* What changes results: kernel, fork mode, THP, CPU, virtualization, ASLR...
 * sysinfo_json() is the metadata object of forkbench's JSON output and of
 * every run folder's metadata.json (`forkbench metadata`). */
#ifndef FORKLAB_SYSINFO_H
#define FORKLAB_SYSINFO_H

#include <stddef.h>
#include <stdint.h>

/* MemAvailable from /proc/meminfo in bytes, 0 if unknown. */
uint64_t mem_available_bytes(void);
/* First line of a file without the newline, or NULL (caller frees). */
char *read_line(const char *path);
/* The selected word of a sysfs "a [b] c" choice file, or NULL (caller frees). */
char *read_choice(const char *path);
/* "none", "kvm", "tcg", "xen", "hyperv", "vmware", or "unknown" (cpuid);
 * FORKLAB_VIRT in the environment overrides. */
const char *virtualization(void);
/* The mode this process's forks run in: its prctl setting or the sysctl
 * vm.fork_copy_mode ("cow", "stack", "eager"); "cow" on a stock kernel
 * (stock fork is copy-on-write). */
const char *effective_fork_mode(void);
/* Malloc'd JSON object; extra_json (may be NULL) is a fragment of
 * '"key": value' pairs appended inside it. */
char *sysinfo_json(const char *extra_json);

#endif
