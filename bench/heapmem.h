/* SPDX-License-Identifier: GPL-2.0 */
/* The parent's heap: private anonymous memory, every page touched, backed by
 * 4 KiB pages (--thp never: MADV_NOHUGEPAGE) or huge pages (--thp always:
 * 2 MiB aligned + MADV_HUGEPAGE). */
#ifndef FORKLAB_HEAPMEM_H
#define FORKLAB_HEAPMEM_H

#include <stddef.h>
#include <stdint.h>

enum thp_mode { THP_NEVER, THP_ALWAYS };
extern const char *const thp_names[]; /* "never", "always", NULL */

struct heap {
	unsigned char *p;
	size_t bytes;
	void *map;		/* the mapping (p rounded down), for munmap */
	size_t map_bytes;
	enum thp_mode thp;
};

/* Refuses (returns -1 with a message) when need bytes do not fit in
 * MemAvailable minus a margin (max(256 MiB, 5 %)). */
int heap_fits(uint64_t need, const char *what, char *err, size_t errlen);
int heap_create(struct heap *h, uint64_t bytes, enum thp_mode thp, char *err, size_t errlen);
/* Writes one byte to each page in pages[0..n) (page indices). */
void heap_write_pages(struct heap *h, const uint32_t *pages, size_t n, unsigned char v);
/* Writes every page: makes the whole heap private and writable again. */
void heap_dirty_all(struct heap *h, unsigned char v);
size_t heap_pages(const struct heap *h);
/* AnonHugePages of the heap's mapping, from /proc/self/smaps. */
uint64_t heap_thp_bytes(const struct heap *h);
/* Why this process gets no (or too few) huge pages, as far as it can tell:
 * PR_SET_THP_DISABLE, transparent_hugepage/enabled set to never, a kernel
 * without THP, or else the kernel had none to give. */
const char *thp_shortfall_why(void);
/* Pages of the heap in folios of exactly folio_pages pages (1: order-0
 * pages), from /proc/self/pagemap and /proc/kpageflags (root); -1 when
 * they cannot be read. */
int64_t heap_folio_pages(const struct heap *h, size_t folio_pages);
void heap_destroy(struct heap *h);

#endif
