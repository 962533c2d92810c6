/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Anonymous folio sizes (mTHP): heap --folio SIZE asks the kernel for
 * folios of that size through the per-size switches
 * /sys/kernel/mm/transparent_hugepage/hugepages-<kB>kB/enabled.  Setting
 * them is a change to the whole machine: every switch written is saved
 * first and written back by folio_restore(), which runs after each folio
 * size, at exit (atexit) and so on every exit forkbench makes, SIGINT and
 * SIGTERM included (they end the run through the harness, not at once).
 * Only SIGKILL, or a crash, leaves them set.
 */
#ifndef FORKLAB_FOLIO_H
#define FORKLAB_FOLIO_H

#include <stddef.h>
#include <stdint.h>

#define FOLIO_SYSFS "/sys/kernel/mm/transparent_hugepage"
#define FOLIO_BASE 4096ULL	/* --folio 4K: order-0 pages, no mTHP */

/* A --folio value whatever the machine: a power of two from 4K to 1G;
 * 0, or -1 with a message. */
int folio_check(uint64_t bytes, char *err, size_t errlen);
/* Can this machine give folios of that size: a hugepages-<kB>kB switch for
 * it (4K always can), and root to set it; 0, or -1 with the reason. */
int folio_fits(uint64_t bytes, char *err, size_t errlen);
/* Makes bytes the only anonymous folio size MADV_HUGEPAGE memory gets: its
 * switch madvise, every other size never (4K: nothing set, the heap is
 * MADV_NOHUGEPAGE).  0, or -1 with a message (what was set is restored). */
int folio_set(uint64_t bytes, char *err, size_t errlen);
/* Writes back every switch folio_set changed, last first. */
void folio_restore(void);
/* The kernel's count of anonymous folios of that size allocated at fault
 * (hugepages-<kB>kB/stats/anon_fault_alloc); -1 where it has none. */
int64_t folio_fault_allocs(uint64_t bytes);

#endif
