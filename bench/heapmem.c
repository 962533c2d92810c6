// SPDX-License-Identifier: GPL-2.0
#include "heapmem.h"
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define HPAGE FB_HPAGE_BYTES	/* result.h */

const char *const thp_names[] = { "never", "always", NULL };

int heap_create(struct heap *h, uint64_t bytes, enum thp_mode thp, char *err, size_t errlen)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), off, i;
	uintptr_t start;

	memset(h, 0, sizeof(*h));
	h->thp = thp;
	if (bytes == 0)
		return 0;
	h->bytes = (size_t)bytes;
	h->map_bytes = h->bytes + (thp == THP_ALWAYS ? HPAGE : 0);
	/* At FB_HEAP_ADDR when free (a tracer counts faults there), anywhere
	 * else otherwise. */
	h->map = mmap((void *)FB_HEAP_ADDR, h->map_bytes, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
	if (h->map == MAP_FAILED)
		h->map = mmap(NULL, h->map_bytes, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (h->map == MAP_FAILED) {
		snprintf(err, errlen, "mmap of %zu bytes failed: %s", h->map_bytes, strerror(errno));
		h->map = NULL;
		return -1;
	}
	start = (uintptr_t)h->map;
	if (thp == THP_ALWAYS)
		start = (start + HPAGE - 1) & ~(uintptr_t)(HPAGE - 1);
	h->p = (unsigned char *)h->map + (start - (uintptr_t)h->map);
	if (madvise(h->p, h->bytes, thp == THP_ALWAYS ? MADV_HUGEPAGE : MADV_NOHUGEPAGE)) {
		snprintf(err, errlen, "madvise(%s) failed: %s (kernel without THP or madvise?)",
			 thp == THP_ALWAYS ? "MADV_HUGEPAGE" : "MADV_NOHUGEPAGE", strerror(errno));
		heap_destroy(h);
		return -1;
	}
	/* Touch every page with a distinct value so no page is the zero page. */
	for (off = 0, i = 0; off < h->bytes; off += page, i++)
		h->p[off] = (unsigned char)(i | 1);
	return 0;
}

size_t heap_pages(const struct heap *h)
{
	return h->bytes / (size_t)sysconf(_SC_PAGESIZE);
}

void heap_write_pages(struct heap *h, const uint32_t *pages, size_t n, unsigned char v)
{
	volatile unsigned char *p = h->p;
	size_t k;

	for (k = 0; k < n; k++)
		p[(size_t)pages[k] * 4096] = v;
}

void heap_dirty_all(struct heap *h, unsigned char v)
{
	volatile unsigned char *p = h->p;
	size_t off;

	for (off = 0; off < h->bytes; off += 4096)
		p[off] = v;
}

uint64_t heap_thp_bytes(const struct heap *h)
{
	char line[256];
	unsigned long long lo, hi, kb;
	uint64_t total = 0;
	int inside = 0;
	FILE *f;

	if (!h->p)
		return 0;
	f = fopen("/proc/self/smaps", "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx-%llx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			inside = (uintptr_t)lo < (uintptr_t)h->p + h->bytes && (uintptr_t)hi > (uintptr_t)h->p;
			continue;
		}
		if (inside && sscanf(line, "AnonHugePages: %llu kB", &kb) == 1)
			total += (uint64_t)kb * 1024;
	}
	fclose(f);
	return total;
}

#define PM_PRESENT (1ULL << 63)
#define PM_PFN(e) ((e) & ((1ULL << 55) - 1))
#define KPF_HEAD (1ULL << 15)
#define KPF_TAIL (1ULL << 16)

/* The size in pages of the folio that starts at heap page i (its PFN
 * pfn), counting the tails that follow it in both the heap and physical
 * memory, up to max; 1 for an order-0 page, 0 for a tail or an absent page. */
static size_t folio_at(int kf, const uint64_t *pm, size_t i, size_t npages, size_t max)
{
	uint64_t flags[512];
	size_t n, k;
	ssize_t r;

	if (!(pm[i] & PM_PRESENT) || !PM_PFN(pm[i]))
		return 0;
	n = max < 512 ? max : 512;
	if (n > npages - i)
		n = npages - i;
	r = pread(kf, flags, n * sizeof(flags[0]), (off_t)(PM_PFN(pm[i]) * sizeof(flags[0])));
	if (r < (ssize_t)sizeof(flags[0]))
		return 0;
	if (flags[0] & KPF_TAIL)
		return 0;
	if (!(flags[0] & KPF_HEAD))
		return 1;
	n = (size_t)r / sizeof(flags[0]);
	for (k = 1; k < n && (flags[k] & KPF_TAIL) && PM_PFN(pm[i + k]) == PM_PFN(pm[i]) + k; k++)
		;
	return k;
}

int64_t heap_folio_pages(const struct heap *h, size_t folio_pages)
{
	size_t npages = heap_pages(h), i, sz;
	int64_t found = -1;
	uint64_t *pm = NULL;
	int pmf, kf;

	pmf = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	kf = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	if (pmf < 0 || kf < 0 || !npages || folio_pages > 512)
		goto cleanup;
	pm = malloc(npages * sizeof(*pm));
	if (!pm || pread(pmf, pm, npages * sizeof(*pm), (off_t)((uintptr_t)h->p / 4096 * 8)) !=
		   (ssize_t)(npages * sizeof(*pm)))
		goto cleanup;
	for (i = 0; i < npages && !(pm[i] & PM_PRESENT); i++)
		;
	if (i == npages || !PM_PFN(pm[i]))
		goto cleanup;	/* nothing present, or PFNs hidden (not root) */
	found = 0;
	for (i = 0; i < npages; i += sz ? sz : 1) {
		sz = folio_at(kf, pm, i, npages, folio_pages + 1);
		if (sz == folio_pages)
			found += (int64_t)sz;
	}
cleanup:
	free(pm);
	if (pmf >= 0)
		close(pmf);
	if (kf >= 0)
		close(kf);
	return found;
}

void heap_destroy(struct heap *h)
{
	if (h->map)
		munmap(h->map, h->map_bytes);
	memset(h, 0, sizeof(*h));
}
