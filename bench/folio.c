// SPDX-License-Identifier: GPL-2.0
/* Anonymous folio sizes through the per-size mTHP switches (folio.h). */
#include "folio.h"
#include "parse.h"
#include "sysinfo.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_SAVED 32

/* The switches written, with the value each had before. */
static struct {
	char path[160];
	char value[16];
} saved[MAX_SAVED];
static int nsaved;
static bool at_exit;

static int write_word(const char *path, const char *word)
{
	FILE *f = fopen(path, "w");
	int rc;

	if (!f)
		return -1;
	rc = fputs(word, f) < 0 ? -1 : 0;
	if (fclose(f))
		rc = -1;
	return rc;
}

void folio_restore(void)
{
	while (nsaved > 0) {
		nsaved--;
		if (write_word(saved[nsaved].path, saved[nsaved].value))
			fprintf(stderr, "forkbench: cannot restore %s to %s: %s\n",
				saved[nsaved].path, saved[nsaved].value, strerror(errno));
	}
}

/* Sets a switch to word, saving what it was the first time. */
static int set_switch(const char *path, const char *word, char *err, size_t errlen)
{
	char *cur = read_choice(path);
	int k, rc = 0;

	if (!cur) {
		snprintf(err, errlen, "cannot read %s", path);
		return -1;
	}
	if (strcmp(cur, word) != 0) {
		for (k = 0; k < nsaved && strcmp(saved[k].path, path) != 0; k++)
			;
		if (k == nsaved && nsaved < MAX_SAVED) {
			snprintf(saved[nsaved].path, sizeof(saved[nsaved].path), "%s", path);
			snprintf(saved[nsaved].value, sizeof(saved[nsaved].value), "%s", cur);
			nsaved++;
			if (!at_exit)
				at_exit = atexit(folio_restore) == 0;
		} else if (k == nsaved) {
			snprintf(err, errlen, "too many switches to save (%d)", MAX_SAVED);
			rc = -1;
		}
		if (!rc && write_word(path, word)) {
			snprintf(err, errlen, "cannot write %s to %s: %s", word, path, strerror(errno));
			rc = -1;
		}
	}
	free(cur);
	return rc;
}

static void switch_path(uint64_t bytes, const char *file, char *buf, size_t len)
{
	snprintf(buf, len, FOLIO_SYSFS "/hugepages-%" PRIu64 "kB/%s", bytes / 1024, file);
}

/* The anonymous folio sizes this kernel has switches for (a
 * hugepages-<kB>kB with an enabled file: some sizes are for shmem only),
 * in bytes, ascending; their count. */
static int folio_sizes(uint64_t *sizes, int max)
{
	DIR *d = opendir(FOLIO_SYSFS);
	struct dirent *e;
	unsigned long long kb;
	char tail, path[160];
	int n = 0, i, j;

	if (!d)
		return 0;
	while ((e = readdir(d)) && n < max) {
		if (sscanf(e->d_name, "hugepages-%llukB%c", &kb, &tail) != 1)
			continue;
		switch_path((uint64_t)kb * 1024, "enabled", path, sizeof(path));
		if (!access(path, F_OK))
			sizes[n++] = (uint64_t)kb * 1024;
	}
	closedir(d);
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && sizes[j - 1] > sizes[j]; j--) {
			uint64_t t = sizes[j];

			sizes[j] = sizes[j - 1];
			sizes[j - 1] = t;
		}
	return n;
}

int folio_check(uint64_t bytes, char *err, size_t errlen)
{
	char s[32];

	if (bytes < FOLIO_BASE || bytes > (1ULL << 30) || (bytes & (bytes - 1))) {
		snprintf(err, errlen, "--folio: %s is not a power of two from 4K to 1G",
			 fmt_size(bytes, s, sizeof(s)));
		return -1;
	}
	return 0;
}

int folio_fits(uint64_t bytes, char *err, size_t errlen)
{
	uint64_t sizes[32];
	char s[32], list[256], path[160];
	int n, i;

	if (bytes == FOLIO_BASE)
		return 0;
	n = folio_sizes(sizes, 32);
	if (!n) {
		snprintf(err, errlen, "--folio %s: this kernel has no mTHP (no %s/hugepages-*kB: "
			 "Linux 6.8 or later with transparent huge pages); 4K is all it gives",
			 fmt_size(bytes, s, sizeof(s)), FOLIO_SYSFS);
		return -1;
	}
	list[0] = '\0';
	for (i = 0; i < n; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%" PRIu64 "K",
			 i ? ", " : "", sizes[i] / 1024);
	for (i = 0; i < n && sizes[i] != bytes; i++)
		;
	if (i == n) {
		snprintf(err, errlen, "--folio %s: this kernel has no folios of that size "
			 "(allowed here: 4K, %s)", fmt_size(bytes, s, sizeof(s)), list);
		return -1;
	}
	switch_path(bytes, "enabled", path, sizeof(path));
	if (access(path, W_OK)) {
		snprintf(err, errlen, "--folio %s: needs root to set %s (%s)",
			 fmt_size(bytes, s, sizeof(s)), path, strerror(errno));
		return -1;
	}
	return 0;
}

int folio_set(uint64_t bytes, char *err, size_t errlen)
{
	uint64_t sizes[32];
	char path[160];
	int n, i;

	if (bytes == FOLIO_BASE)
		return 0;
	n = folio_sizes(sizes, 32);
	for (i = 0; i < n; i++) {
		switch_path(sizes[i], "enabled", path, sizeof(path));
		if (set_switch(path, sizes[i] == bytes ? "madvise" : "never", err, errlen)) {
			folio_restore();
			return -1;
		}
	}
	return 0;
}

int64_t folio_fault_allocs(uint64_t bytes)
{
	char path[160], *s;
	int64_t v = -1;

	if (bytes == FOLIO_BASE)
		return -1;
	switch_path(bytes, "stats/anon_fault_alloc", path, sizeof(path));
	s = read_line(path);
	if (s)
		v = strtoll(s, NULL, 10);
	free(s);
	return v;
}
