// SPDX-License-Identifier: GPL-2.0
/*
 * forkmode-fork - one fork measured exactly, for the in-guest tests of
 * vm.fork_copy_mode (tests/guest/forkmode-*.sh).
 *
 *   forkmode-fork [--mode cow|stack|eager|inherit] [--pages N | --thp N]
 *                 [--child-writes] [--child-stack] [--parent-stack]
 *                 [--exec PATH] [--mid-file PATH [--mid-field NAME]]
 *                 [--memcg DIR --headroom KB] [--refuse-thp madvise|prctl]
 *
 * The process maps a heap of N 4 KiB pages (MADV_NOHUGEPAGE) or N THPs
 * (2 MiB aligned, MADV_HUGEPAGE), or with --mthp N pages left to the
 * per-size mTHP controls, fills it with 0xa5, sets its mode with
 * PR_SET_FORK_COPY_MODE (default: follow the sysctl) and forks once with
 * fl_fork_run(): the child checks that every heap page holds 0xa5 and,
 * with --child-writes, writes one byte to each; it writes its stack page
 * with --child-stack, then execs PATH or exits.  The parent writes its
 * stack page with --parent-stack and waits.
 *
 * --mid-file PATH: the child reads PATH after its writes (a number, or with
 * --mid-field the value of NAME in a /proc/vmstat-like file): mid_before
 * is its value before the fork, mid_child in the child.
 *
 * --memcg DIR: move into the cgroup DIR first, and set its memory.max to
 * memory.current + KB just before the fork (restored to "max" after).
 *
 * --refuse-thp: once the heap is filled (its large folios in place), make
 * the THP policy refuse large folios to the child: MADV_NOHUGEPAGE on the
 * heap (madvise) or PR_SET_THP_DISABLE, which the child inherits (prctl).
 *
 * Output: key=value lines, counters as deltas over the fork, for the shell
 * tests to compare: heap_pages (the heap's pages, all written before the
 * fork), stack_area_pages (the stack written for the fork), anon_pages
 * (present anonymous pages at fork, from smaps), window_pages (present anonymous pages in the stack window stack
 * mode copies), d_<counter>, fork_errno, child_exit, heap_intact...
 */
#include <getopt.h>

#include "forkmode_lib.h"

#define HPAGE (2UL << 20)
/* The stack fl_stack_area() writes for fl_fork_run(), present at fork. */
#define STACK_AREA_KIB 256

static void usage(void)
{
	fprintf(stderr,
		"usage: forkmode-fork [--mode M] [--pages N | --thp N | --mthp N]\n"
		"       [--child-writes] [--child-stack] [--parent-stack] [--exec PATH]\n"
		"       [--mid-file PATH [--mid-field NAME]] [--memcg DIR --headroom KB]\n"
		"       [--refuse-thp madvise|prctl]\n");
	exit(2);
}

static long long mid_value(const char *text, const char *field)
{
	return field ? fl_vmstat_get(text, field) : strtoll(text, NULL, 10);
}

static long memcg_current(const char *dir)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/memory.current", dir);
	return fl_sysctl_get(path);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "pages", required_argument, NULL, 'p' },
		{ "thp", required_argument, NULL, 't' },
		{ "mthp", required_argument, NULL, 'M' },
		{ "child-writes", no_argument, NULL, 'w' },
		{ "child-stack", no_argument, NULL, 'c' },
		{ "parent-stack", no_argument, NULL, 'P' },
		{ "exec", required_argument, NULL, 'e' },
		{ "mid-file", required_argument, NULL, 'f' },
		{ "mid-field", required_argument, NULL, 'F' },
		{ "memcg", required_argument, NULL, 'g' },
		{ "headroom", required_argument, NULL, 'H' },
		{ "refuse-thp", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const counters[] = {
		"cow_fault_copy", "pgreuse", "fork_eager_copy",
		"fork_eager_fallback", "fork_stack_copy",
		"fork_tlb_flush_skipped", "thp_split_pmd", "nr_anon_pages",
		"nr_anon_transparent_hugepages",
	};
	static char *exec_argv[] = { NULL, NULL };
	static char *exec_envp[] = { NULL };
	const char *exec_path = NULL, *mid_file = NULL, *mid_field = NULL;
	const char *memcg = NULL, *refuse = NULL;
	long pages = 0, thps = 0, mthp_pages = 0, headroom = -1;
	int mode = -3, child_writes = 0, child_stack = 0, parent_stack = 0;
	long anon, anon_after, win_pages, win_present = -1, pid, memcg_before = -1;
	long long mid_before = -1;
	unsigned long win_start = 0, len, i;
	int c, own = -3, effective, intact = 1;
	struct fl_run *r;
	char *heap, *map;
	char path[512], max_path[512];

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			mode = fork_mode_parse(optarg);
			if (mode == FORK_MODE_INVALID) {
				fprintf(stderr, "forkmode-fork: --mode: '%s' is not cow, stack, eager or inherit\n",
					optarg);
				return 2;
			}
			break;
		case 'p': pages = fl_parse_num("forkmode-fork", "--pages", optarg, 0, 1L << 22); break;
		case 't': thps = fl_parse_num("forkmode-fork", "--thp", optarg, 0, 4096); break;
		case 'M': mthp_pages = fl_parse_num("forkmode-fork", "--mthp", optarg, 0, 1L << 22); break;
		case 'w': child_writes = 1; break;
		case 'c': child_stack = 1; break;
		case 'P': parent_stack = 1; break;
		case 'e': exec_path = optarg; break;
		case 'f': mid_file = optarg; break;
		case 'F': mid_field = optarg; break;
		case 'g': memcg = optarg; break;
		case 'H': headroom = fl_parse_num("forkmode-fork", "--headroom", optarg, 0, 1L << 30); break;
		case 'R':
			if (strcmp(optarg, "madvise") && strcmp(optarg, "prctl")) {
				fprintf(stderr, "forkmode-fork: --refuse-thp: '%s' is not madvise or prctl\n",
					optarg);
				return 2;
			}
			refuse = optarg;
			break;
		default: usage();
		}
	}
	if (optind != argc || (memcg && headroom < 0))
		usage();
#ifndef FL_HAVE_FORK_RUN
	puts("SKIP: forkmode-fork: x86-64 only");
	return 77;
#else
	setvbuf(stdout, NULL, _IONBF, 0);
	fl_rseq_unregister();
	if (mode != -3 && fork_mode_set(mode) != 0) {
		printf("error=prctl(PR_SET_FORK_COPY_MODE, %d): %s\n", mode, strerror(errno));
		return 1;
	}
	effective = fork_mode_get(&own);
	if (memcg) {
		snprintf(path, sizeof(path), "%s/cgroup.procs", memcg);
		if (fl_write_file(path, "0", 0)) {
			printf("error=cannot join %s: %s\n", memcg, strerror(errno));
			return 1;
		}
	}

	/* The heap. */
	if (thps || mthp_pages) {
		/* 2 MiB aligned, so every large folio is naturally aligned */
		len = thps ? (unsigned long)thps * HPAGE :
			(unsigned long)mthp_pages * FL_PAGE;
		map = mmap(NULL, len + HPAGE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		heap = map == MAP_FAILED ? map :
			(char *)(((unsigned long)map + HPAGE - 1) & ~(HPAGE - 1));
	} else {
		len = (unsigned long)pages * FL_PAGE;
		heap = len ? mmap(NULL, len, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) : NULL;
	}
	if (heap == MAP_FAILED) {
		printf("error=mmap: %s\n", strerror(errno));
		return 1;
	}
	if (len && !mthp_pages &&
	    madvise(heap, len, thps ? MADV_HUGEPAGE : MADV_NOHUGEPAGE)) {
		printf("error=madvise: %s\n", strerror(errno));
		return 1;
	}
	if (len)
		memset(heap, 0xa5, len);
	if (refuse && (strcmp(refuse, "madvise") == 0 ?
		       madvise(heap, len, MADV_NOHUGEPAGE) :
		       prctl(PR_SET_THP_DISABLE, 1UL, 0UL, 0UL, 0UL))) {
		printf("error=--refuse-thp %s: %s\n", refuse, strerror(errno));
		return 1;
	}

	r = fl_run_new();
	if (!r) {
		printf("error=setup: %s\n", strerror(errno));
		return 1;
	}
	if (mid_file) {
		r->mid_fd = open(mid_file, O_RDONLY | O_CLOEXEC);
		if (r->mid_fd < 0) {
			printf("error=open %s: %s\n", mid_file, strerror(errno));
			return 1;
		}
	}
	r->sp = fl_stack_area(STACK_AREA_KIB, 8);
	if (child_writes) {
		r->wr_start = heap;
		r->wr_end = heap + len;
	}
	r->child_stack_write = child_stack;
	r->parent_stack_write = parent_stack;
	if (exec_path) {
		exec_argv[0] = (char *)exec_path;
		r->exec_path = exec_path;
		r->exec_argv = exec_argv;
		r->exec_envp = exec_envp;
	}

	/*
	 * /proc/vmstat is global: let the shell that started us finish what
	 * it does after its own fork (it then sleeps in wait()), before
	 * anything is counted.
	 */
	usleep(100 * 1000);

	/* The window stack mode would copy around r->sp. */
	win_pages = fl_sysctl_get(FORK_MODE_STACK_PAGES_SYSCTL);
	if (win_pages > 0) {
		unsigned long below = (unsigned long)(win_pages - 1) * FL_PAGE / 2;

		win_start = (r->sp - below) & ~(FL_PAGE - 1);
		win_present = fl_present_anon(win_start, win_pages);
	}

	if (memcg) {
		memcg_before = memcg_current(memcg);
		snprintf(path, sizeof(path), "%ld", memcg_before + headroom * 1024);
		snprintf(max_path, sizeof(max_path), "%s/memory.max", memcg);
		if (fl_write_file(max_path, path, 0)) {
			printf("error=cannot set %s: %s\n", max_path, strerror(errno));
			return 1;
		}
	}
	/* Twice: the first read may fault in pages of its own buffer. */
	(void)fl_anon_pages();
	anon = fl_anon_pages();
	if (mid_file) {
		/* Last, so that nothing it counts changes before the fork. */
		if (fl_read_file(mid_file, r->mid, sizeof(r->mid)) < 0)
			return 1;
		mid_before = mid_value(r->mid, mid_field);
		r->mid[0] = '\0';
	}

	pid = fl_fork_run(r);

	anon_after = fl_anon_pages();
	if (memcg) {
		fl_kv("memcg_before", memcg_before);
		fl_kv("memcg_after", memcg_current(memcg));
		fl_write_file(max_path, "max", 0);
	}
	for (i = 0; i < len; i += FL_PAGE)
		intact &= heap[i] == (char)0xa5;

	printf("mode=%s\n", effective < 0 ? "unsupported" : fork_mode_name(effective));
	printf("own_mode=%s\n", effective < 0 ? "unsupported" : fork_mode_name(own));
	fl_kv("fork_errno", pid < 0 ? -pid : 0);
	fl_kv("child_exit", pid < 0 ? -1 :
	      WIFEXITED(r->status) ? WEXITSTATUS(r->status) : 128 + WTERMSIG(r->status));
	fl_kv("heap_pages", (long long)(len / FL_PAGE));
	fl_kv("stack_area_pages", (long long)(STACK_AREA_KIB * 1024 / FL_PAGE));
	fl_kv("heap_thp_kb", len ? fl_smaps_kb("AnonHugePages", (unsigned long)heap) : 0);
	fl_kv("heap_intact", intact);
	fl_kv("anon_pages", anon);
	fl_kv("anon_pages_after", anon_after);
	fl_kv("window_pages", win_pages);
	fl_kv("window_present", win_present);
	if (r->before_len <= 0 || r->after_len <= 0) {
		printf("error=reading /proc/vmstat failed\n");
		return 1;
	}
	for (i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		snprintf(path, sizeof(path), "d_%s", counters[i]);
		fl_kv(path, fl_delta(r, counters[i]));
	}
	if (mid_file) {
		fl_kv("mid_before", mid_before);
		fl_kv("mid_child", r->mid_len > 0 ? mid_value(r->mid, mid_field) : -1);
	}
	return 0;
#endif
}
