// SPDX-License-Identifier: GPL-2.0
/*
 * forkmode-count - what one fork does, counted by kprobes: calls of the
 * kernel functions that make up the per-page work of an eager copy, in the
 * forking process only.
 *
 *   forkmode-count [--mode cow|stack|eager] PAGES
 *
 * Maps PAGES private anonymous pages (4 KiB pages, MADV_NOHUGEPAGE,
 * 2 MiB aligned, so PAGES / 512 page tables), pins itself to its CPU,
 * then forks: three warm-ups, fork 1 with the heap not yet touched, and
 * fork 2 after writing every heap page.  Between forks 1 and 2 only the heap changes,
 * so the difference of each count is the heap's share, exact per page
 * table.  Each child blocks on a pipe until the parent has stopped
 * counting, so its exit (freeing what it got) is never counted.
 *
 * The probes are tracefs kprobe events filtered on this process's pid
 * (fork copies in the forking process's context); a function this kernel
 * does not have (or has inlined) is reported as "unavailable".  In cow
 * and stack mode the parent's own write faults between a fork and its
 * end marker also charge, map, add and copy a page each: wp_page_copy
 * counts them, so that the caller can take them out.  Prints
 *
 *   probe=NAME fork1=N fork2=N diff=N per_table=X
 *
 * one line per probe, then "pages=PAGES tables=T mode=M".  Root only;
 * exit 1 on failure, 2 on bad usage.  The probes are removed and the
 * trace buffer's size restored on exit.
 */
#include <getopt.h>
#include <sched.h>
#include <signal.h>

#include "forkmode_lib.h"

#define TRACEFS "/sys/kernel/tracing"
#define GROUP "fmcount"

static const char *const probes[] = {
	"fork_copy_alloc",		/* a folio for one copy */
	"alloc_pages_bulk_noprof",	/* order-0 pages in bulk */
	"__mem_cgroup_charge",		/* one memcg charge */
	"folio_add_new_anon_rmap",	/* the copy's reverse map */
	"folio_add_lru_vma",		/* onto the LRU (per-CPU batch) */
	"folio_batch_move_lru",		/* a batch of 31 moved under the lruvec lock */
	"copy_mc_to_kernel",		/* one page's contents */
	"flush_tlb_mm_range",		/* a TLB flush */
	"__pte_alloc",			/* a page table for the child */
	"wp_page_copy",			/* a write fault that copied (the parent's own) */
	"fork_copy_count",		/* a copy made at fork, counted (cowtrace's probe) */
};
#define NPROBES (sizeof(probes) / sizeof(probes[0]))

static int available[NPROBES];
static char saved_kb[64];	/* buffer_size_kb before, restored on exit */

static void probes_remove(void)
{
	char line[256];
	size_t i;

	fl_write_file(TRACEFS "/events/" GROUP "/enable", "0", O_TRUNC);
	for (i = 0; i < NPROBES; i++) {
		if (!available[i])
			continue;
		snprintf(line, sizeof(line), "-:%s/p%zu\n", GROUP, i);
		fl_write_file(TRACEFS "/kprobe_events", line, O_APPEND);
	}
	if (saved_kb[0])
		fl_write_file(TRACEFS "/buffer_size_kb", saved_kb, O_TRUNC);
}

/*
 * buffer_size_kb's size, to restore: "1408", or before the buffer was
 * first used "7 (expanded: 1408)", whose size is the expanded one.
 */
static void save_buffer_size(void)
{
	int fd = open(TRACEFS "/buffer_size_kb", O_RDONLY | O_CLOEXEC);
	char buf[64], *p;
	ssize_t n;

	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	p = strstr(buf, "expanded: ");
	p = p ? p + strlen("expanded: ") : buf;
	p[strspn(p, "0123456789")] = 0;
	snprintf(saved_kb, sizeof(saved_kb), "%s", p);
}

static void on_signal(int sig)
{
	probes_remove();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int probes_add(void)
{
	char line[256], path[256];
	size_t i;
	int any = 0;

	for (i = 0; i < NPROBES; i++) {
		snprintf(line, sizeof(line), "p:%s/p%zu %s\n", GROUP, i, probes[i]);
		if (fl_write_file(TRACEFS "/kprobe_events", line, O_APPEND))
			continue;	/* not in this kernel, or inlined */
		available[i] = 1;
		any = 1;
		snprintf(path, sizeof(path), TRACEFS "/events/%s/p%zu/filter", GROUP, i);
		snprintf(line, sizeof(line), "common_pid == %d", (int)getpid());
		if (fl_write_file(path, line, O_TRUNC)) {
			fprintf(stderr, "forkmode-count: cannot filter %s: %s\n",
				probes[i], strerror(errno));
			return -1;
		}
	}
	if (!any) {
		fprintf(stderr, "forkmode-count: no kprobe could be added (%s/kprobe_events)\n",
			TRACEFS);
		return -1;
	}
	return 0;
}

static int mark(const char *s)
{
	return fl_write_file(TRACEFS "/trace_marker", s, O_TRUNC);
}

static int gates[2][2];		/* the children's pipes */

/*
 * Fork a child that waits until gate @g's write end is closed (the child
 * closes its own copies first); returns its pid.
 */
static pid_t fork_blocked(int g)
{
	pid_t pid = fork();
	char c;

	if (pid == 0) {
		close(gates[0][1]);
		close(gates[1][1]);
		while (read(gates[g][0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	return pid;
}

/* Counts of each probe between markers "begin" and "end" in the trace. */
static int count_between(FILE *f, const char *begin, const char *end,
			 long *counts)
{
	char line[1024], name[32];
	int in = 0;
	size_t i;

	memset(counts, 0, NPROBES * sizeof(*counts));
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "tracing_mark_write: ")) {
			if (strstr(line, begin))
				in = 1;
			else if (in && strstr(line, end))
				return 0;
			continue;
		}
		if (!in)
			continue;
		for (i = 0; i < NPROBES; i++) {
			snprintf(name, sizeof(name), " p%zu: (", i);
			if (strstr(line, name))
				counts[i]++;
		}
	}
	return -1;
}

int main(int argc, char **argv)
{
	long pages, c1[NPROBES], c2[NPROBES];
	int mode = -3, opt, k, status, ret = 1;
	static const struct option longopts[] = {
		{ "mode", required_argument, NULL, 'm' }, { NULL, 0, NULL, 0 }
	};
	size_t len, i;
	cpu_set_t cpus;
	char *heap, *end;
	pid_t pid[5] = { -1, -1, -1, -1, -1 };
	FILE *f;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt != 'm' || (mode = fork_mode_parse(optarg)) < 0) {
			fprintf(stderr, "usage: forkmode-count [--mode cow|stack|eager] PAGES\n");
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: forkmode-count [--mode cow|stack|eager] PAGES\n");
		return 2;
	}
	pages = strtol(argv[optind], &end, 10);
	if (*end || pages < 512 || pages > 262144 || pages % 512) {
		fprintf(stderr, "forkmode-count: PAGES '%s' is not a multiple of 512 in 512..262144\n",
			argv[optind]);
		return 2;
	}
	/* One CPU: its LRU batch and stack cache are the ones counted. */
	CPU_ZERO(&cpus);
	CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus)) {
		fprintf(stderr, "forkmode-count: sched_setaffinity: %s\n", strerror(errno));
		return 1;
	}
	if (mode != -3 && fork_mode_set(mode) != 0) {
		fprintf(stderr, "forkmode-count: prctl(PR_SET_FORK_COPY_MODE, %d): %s\n",
			mode, strerror(errno));
		return 1;
	}
	len = (size_t)pages * FL_PAGE;
	heap = mmap(NULL, len + (2UL << 20), PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (heap == MAP_FAILED) {
		fprintf(stderr, "forkmode-count: mmap: %s\n", strerror(errno));
		return 1;
	}
	heap = (char *)(((uintptr_t)heap + (2UL << 20) - 1) & ~((2UL << 20) - 1));
	madvise(heap, len, MADV_NOHUGEPAGE);
	if (pipe(gates[0]) || pipe(gates[1]))
		return 1;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (probes_add())
		goto out;
	fl_write_file(TRACEFS "/trace", "", O_TRUNC);	/* empty the buffer */
	save_buffer_size();
	if (fl_write_file(TRACEFS "/buffer_size_kb", "65536", O_TRUNC) ||
	    fl_write_file(TRACEFS "/events/" GROUP "/enable", "1", O_TRUNC) ||
	    fl_write_file(TRACEFS "/tracing_on", "1", O_TRUNC)) {
		fprintf(stderr, "forkmode-count: cannot enable the probes: %s\n", strerror(errno));
		goto out;
	}
	/*
	 * The warm-ups: the first fork faults in what later forks reuse, and
	 * three children alive empty this CPU's cache of kernel stacks
	 * (two), so forks 1 and 2 both allocate one.
	 */
	for (k = 0; k < 3; k++)
		pid[k] = fork_blocked(0);
	mark("fmcount-1-begin");
	pid[3] = fork_blocked(0);
	mark("fmcount-1-end");
	memset(heap, 0xa5, len);
	mark("fmcount-2-begin");
	pid[4] = fork_blocked(1);
	mark("fmcount-2-end");
	fl_write_file(TRACEFS "/events/" GROUP "/enable", "0", O_TRUNC);
	if (pid[0] < 0 || pid[1] < 0 || pid[2] < 0 || pid[3] < 0 || pid[4] < 0) {
		fprintf(stderr, "forkmode-count: fork: %s\n", strerror(errno));
		goto out;
	}
	f = fopen(TRACEFS "/trace", "r");
	if (!f)
		goto out;
	if (count_between(f, "fmcount-1-begin", "fmcount-1-end", c1) ||
	    count_between(f, "fmcount-2-begin", "fmcount-2-end", c2)) {
		fprintf(stderr, "forkmode-count: markers missing from the trace (buffer overrun?)\n");
		fclose(f);
		goto out;
	}
	fclose(f);
	for (i = 0; i < NPROBES; i++) {
		if (!available[i]) {
			printf("probe=%s unavailable\n", probes[i]);
			continue;
		}
		printf("probe=%s fork1=%ld fork2=%ld diff=%ld per_table=%.2f\n",
		       probes[i], c1[i], c2[i], c2[i] - c1[i],
		       (double)(c2[i] - c1[i]) / (double)(pages / 512));
	}
	printf("pages=%ld tables=%ld mode=%s\n", pages, pages / 512,
	       fork_mode_name(fork_mode_get(NULL)));
	ret = 0;
out:
	probes_remove();
	close(gates[0][1]);
	close(gates[1][1]);
	for (k = 0; k < 5; k++)
		if (pid[k] > 0)
			waitpid(pid[k], &status, 0);
	return ret;
}
