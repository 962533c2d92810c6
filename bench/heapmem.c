// SPDX-License-Identifier: GPL-2.0
#include "heapmem.h"
#include "trace.h"

#include <errno.h>
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

void heap_destroy(struct heap *h)
{
	if (h->map)
		munmap(h->map, h->map_bytes);
	memset(h, 0, sizeof(*h));
}
