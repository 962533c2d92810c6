// SPDX-License-Identifier: GPL-2.0
/*
 * forkmode-integrity - data integrity across fork trees in every fork copy
 * mode (vm.fork_copy_mode, PR_SET_FORK_COPY_MODE).
 *
 *   forkmode-integrity [--modes LIST] [--heaps LIST] [--trees N]
 *                      [--depth D] [--width W] [--pages P] [--thps T]
 *                      [--seed S] [--inject]
 *
 *   --modes  comma-separated: cow, stack, eager (every process of the tree
 *            inherits that mode, set by prctl in the root), mixed (every
 *            process sets a random mode, inherit included, before each of
 *            its forks); default cow,stack,eager,mixed
 *   --heaps  small (P pages, MADV_NOHUGEPAGE), thp (T THPs, 2 MiB aligned,
 *            MADV_HUGEPAGE), mthp (P pages, MADV_HUGEPAGE: smaller than a
 *            THP, so what the per-size mTHP controls allow); default
 *            small,thp,mthp
 *   --trees  process trees per mode and heap (default 4)
 *   --depth D, --width W: every process above depth D forks W children
 *            (default 3 and 2: 15 processes per tree)
 *   --inject every process at depth 1 flips one byte of its heap
 *            behind the checker's back: the run must fail (tests the test)
 *
 * Every process knows, page by page, whose pattern it must see: a page of
 * process X holds pattern(X's tag, page number) in every 64-bit word.
 * Checked regions: the private anonymous heap; a MAP_PRIVATE mapping of a
 * memfd (pages nobody wrote still show the file); an 8-page buffer on the
 * stack of every process, which its descendants check too (stack mode
 * copies the pages around the stack pointer); a MAP_SHARED page in which
 * each child leaves its tag for its parent to find (shared memory must
 * stay shared in every mode).
 *
 * A process: checks every byte of every region it should see; writes its
 * own pattern over a random half of the heap and memfd pages and its whole
 * stack buffer; checks again; then for each child: (mixed) picks a mode,
 * forks, and while the child runs writes another new pattern over a random
 * half and checks.  After its children exited (and wrote their patterns)
 * it checks everything once more and reads their tags from the shared
 * page.  A child checks that it inherited its parent's setting.
 *
 * Output: "# mode=M heap=H trees=N processes=N pages=N thp_kb=N" per
 * batch, then "pages_verified=N trees=N processes=N mismatches=N".
 * Exit status 0 if every byte matched and every fork worked; otherwise 1,
 * and the first mismatch is printed: mode, region, address, page, offset,
 * expected and found word, pid and depth of the process.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/syscall.h>

#include "forkmode_lib.h"

#define WORDS_PER_PAGE	(FL_PAGE / sizeof(uint64_t))
#define HPAGE		(2UL << 20)
#define STACK_PAGES	8
#define MEMFD_PAGES	32
#define MAX_WIDTH	8
#define MAX_DEPTH	8
#define FILE_TAG	0x46494c45ULL	/* "FILE": what the memfd holds */

enum { MODE_MIXED = 3 };

/* One checked region: owner[i] is the tag whose pattern page i must hold. */
struct region {
	const char *name;
	uint64_t *base;
	long pages;
	uint64_t *owner;
};

/* A process's stack buffer, linked to its ancestors' (still on the stack). */
struct frame {
	struct region stack;
	const struct frame *up;
};

/* Shared by every process of the run (MAP_SHARED). */
struct shared {
	atomic_ullong next_tag;
	atomic_llong pages_verified;
	atomic_llong processes;
	atomic_llong errors;		/* forks or waits that failed */
	atomic_llong mismatches;
	atomic_int first_taken;
	char first[512];		/* the first mismatch or error */
};

static struct shared *sh;
static struct region heap, filemap;
static long depth_max = 3, width = 2;
static int tree_mode;
static const char *heap_kind = "small";
static uint64_t rng;
static bool inject;

static uint64_t next_rand(void)
{
	/* xorshift64* */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static inline uint64_t pattern(uint64_t tag, long page, unsigned long word)
{
	return (tag * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t)page << 12) ^
	       ((uint64_t)word << 3) ^ 0x5a5aa5a5c3c33c3cULL;
}

static void fill_page(uint64_t *p, uint64_t tag, long page)
{
	unsigned long w;

	for (w = 0; w < WORDS_PER_PAGE; w++)
		p[w] = pattern(tag, page, w);
}

static const char *mode_name(int mode)
{
	return mode == MODE_MIXED ? "mixed" : fork_mode_name(mode);
}

static void report(int depth, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void report(int depth, const char *fmt, ...)
{
	int expected = 0;
	va_list ap;
	int n;

	if (!atomic_compare_exchange_strong(&sh->first_taken, &expected, 1))
		return;
	n = snprintf(sh->first, sizeof(sh->first),
		     "mode=%s heap=%s pid=%d depth=%d: ", mode_name(tree_mode),
		     heap_kind, (int)getpid(), depth);
	va_start(ap, fmt);
	vsnprintf(sh->first + n, sizeof(sh->first) - (size_t)n, fmt, ap);
	va_end(ap);
}

/* Check every word of a region; returns the number of mismatched pages. */
static long verify(const struct region *r, int depth)
{
	long page, bad = 0;
	unsigned long w;

	for (page = 0; page < r->pages; page++) {
		const uint64_t *p = r->base + page * (long)WORDS_PER_PAGE;
		uint64_t tag = r->owner[page];

		for (w = 0; w < WORDS_PER_PAGE; w++) {
			if (p[w] == pattern(tag, page, w))
				continue;
			report(depth, "%s page %ld offset %lu (address %p): expected 0x%016llx (tag %llu), got 0x%016llx",
			       r->name, page, w * 8, (const void *)&p[w],
			       (unsigned long long)pattern(tag, page, w),
			       (unsigned long long)tag, (unsigned long long)p[w]);
			bad++;
			break;
		}
	}
	atomic_fetch_add(&sh->pages_verified, r->pages);
	if (bad)
		atomic_fetch_add(&sh->mismatches, bad);
	return bad;
}

static long verify_all(const struct frame *f, int depth)
{
	long bad = verify(&heap, depth) + verify(&filemap, depth);

	for (; f; f = f->up)
		bad += verify(&f->stack, depth);
	return bad;
}

/* Write a new pattern over a random half of the pages (all: every page). */
static void scribble(struct region *r, bool all)
{
	uint64_t tag = atomic_fetch_add(&sh->next_tag, 1);
	long page;

	for (page = 0; page < r->pages; page++) {
		if (!all && (next_rand() & 1))
			continue;
		fill_page(r->base + page * (long)WORDS_PER_PAGE, tag, page);
		r->owner[page] = tag;
	}
}

static void error(int depth, const char *what)
{
	atomic_fetch_add(&sh->errors, 1);
	report(depth, "%s: %s", what, strerror(errno));
}

/* Process at @depth whose ancestors' stack buffers are @up. */
static int node(int depth, const struct frame *up, int inherited_mode)
{
	uint64_t sbuf[STACK_PAGES * WORDS_PER_PAGE];
	uint64_t sowner[STACK_PAGES] = { 0 };
	struct frame f = {
		.stack = { "stack", sbuf, STACK_PAGES, sowner },
		.up = up,
	};
	uint64_t token[MAX_WIDTH];
	pid_t pids[MAX_WIDTH];
	volatile uint64_t *slots;
	long bad, i;
	int own, status;

	atomic_fetch_add(&sh->processes, 1);
	bad = verify_all(up, depth);
	/* Fixed-mode trees: the root's setting reached every descendant. */
	if (depth > 0 && fork_mode_get(&own) >= 0 && own != inherited_mode) {
		atomic_fetch_add(&sh->errors, 1);
		report(depth, "PR_GET_FORK_COPY_MODE says %d, parent set %d",
		       own, inherited_mode);
		bad++;
	}
	scribble(&heap, false);
	scribble(&filemap, false);
	scribble(&f.stack, true);
	/* --inject: one flipped byte the checker must find (tests the test). */
	if (inject && depth == 1)
		((volatile unsigned char *)heap.base)[heap.pages / 2 * (long)FL_PAGE + 100] ^= 0x10;
	bad += verify_all(&f, depth);
	if (depth == depth_max)
		return bad ? 1 : 0;

	/* Each child stores a token here: a MAP_SHARED page stays shared. */
	slots = mmap(NULL, FL_PAGE, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (slots == MAP_FAILED) {
		error(depth, "mmap MAP_SHARED");
		return 1;
	}
	for (i = 0; i < width; i++) {
		int mode = inherited_mode;

		if (tree_mode == MODE_MIXED) {
			mode = (int)(next_rand() % 4) - 1;
			if (fork_mode_set(mode))
				error(depth, "PR_SET_FORK_COPY_MODE");
		}
		token[i] = atomic_fetch_add(&sh->next_tag, 1);
		pids[i] = fork();
		if (pids[i] == 0) {
			rng ^= (uint64_t)getpid() << 32;
			bad = node(depth + 1, &f, mode);
			slots[i] = token[i];
			_exit(bad ? 1 : 0);
		}
		if (pids[i] < 0) {
			error(depth, "fork");
			bad++;
			continue;
		}
		/* The child runs: change our pages under it. */
		scribble(&heap, false);
		scribble(&filemap, false);
		scribble(&f.stack, false);
		bad += verify_all(&f, depth);
	}
	for (i = 0; i < width; i++) {
		if (pids[i] < 0)
			continue;
		if (waitpid(pids[i], &status, 0) != pids[i]) {
			error(depth, "waitpid");
			bad++;
			continue;
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			if (!WIFEXITED(status)) {
				atomic_fetch_add(&sh->errors, 1);
				report(depth, "child %d killed by signal %d",
				       (int)pids[i], WTERMSIG(status));
			}
			bad++;
		}
	}
	/* After the children wrote everything: ours is untouched. */
	bad += verify_all(&f, depth);
	for (i = 0; i < width; i++) {
		if (pids[i] > 0 && slots[i] != token[i]) {
			atomic_fetch_add(&sh->mismatches, 1);
			report(depth, "shared page slot %ld: expected 0x%016llx from child %d, got 0x%016llx",
			       i, (unsigned long long)token[i], (int)pids[i],
			       (unsigned long long)slots[i]);
			bad++;
		}
	}
	munmap((void *)slots, FL_PAGE);
	return bad ? 1 : 0;
}

enum heap_kind { HEAP_SMALL, HEAP_THP, HEAP_MTHP };

static void *map_heap(enum heap_kind kind, long pages, long thps, long *npages)
{
	size_t len = kind == HEAP_THP ? (size_t)thps * HPAGE : (size_t)pages * FL_PAGE;
	char *p, *a;

	if (kind != HEAP_THP) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return NULL;
		/* mthp: left to the per-size mTHP controls */
		madvise(p, len, kind == HEAP_SMALL ? MADV_NOHUGEPAGE : MADV_HUGEPAGE);
		*npages = pages;
		return p;
	}
	p = mmap(NULL, len + HPAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	a = (char *)(((unsigned long)p + HPAGE - 1) & ~(HPAGE - 1));
	if (a != p)
		munmap(p, (size_t)(a - p));
	munmap(a + len, (size_t)(p + HPAGE - a));
	madvise(a, len, MADV_HUGEPAGE);
	*npages = (long)(len / FL_PAGE);
	return a;
}

/* One tree: a fresh root process with fresh regions, so trees are independent. */
static int tree(int memfd, enum heap_kind kind, long pages, long thps,
		long *thp_kb)
{
	int pipefd[2], status;
	long kb = -1;
	pid_t pid;

	if (pipe(pipefd))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int mode = tree_mode == MODE_MIXED ? FORK_MODE_INHERIT : tree_mode;
		long rc, i;

		close(pipefd[0]);
		heap.name = kind == HEAP_THP ? "thp-heap" : kind == HEAP_MTHP ? "mthp-heap" : "heap";
		heap.base = map_heap(kind, pages, thps, &heap.pages);
		heap.owner = calloc((size_t)heap.pages, sizeof(uint64_t));
		filemap.name = "memfd-private";
		filemap.pages = MEMFD_PAGES;
		filemap.base = mmap(NULL, MEMFD_PAGES * FL_PAGE, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE, memfd, 0);
		filemap.owner = calloc(MEMFD_PAGES, sizeof(uint64_t));
		if (!heap.base || !heap.owner || filemap.base == MAP_FAILED ||
		    !filemap.owner) {
			error(0, "cannot map the regions");
			_exit(1);
		}
		for (i = 0; i < MEMFD_PAGES; i++)
			filemap.owner[i] = FILE_TAG;
		/* The root's heap first: every page present before any fork. */
		scribble(&heap, true);
		if (kind == HEAP_THP)
			kb = fl_smaps_kb("AnonHugePages", (unsigned long)heap.base);
		if (write(pipefd[1], &kb, sizeof(kb)) != (ssize_t)sizeof(kb))
			_exit(1);
		close(pipefd[1]);
		if (fork_mode_set(mode)) {
			error(0, "PR_SET_FORK_COPY_MODE");
			_exit(1);
		}
		rc = node(0, NULL, mode);
		_exit(rc ? 1 : 0);
	}
	close(pipefd[1]);
	if (read(pipefd[0], &kb, sizeof(kb)) == (ssize_t)sizeof(kb) && kb > 0)
		*thp_kb += kb;
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (!WIFEXITED(status)) {
		atomic_fetch_add(&sh->errors, 1);
		report(0, "root killed by signal %d", WTERMSIG(status));
		return 1;
	}
	return WEXITSTATUS(status);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: forkmode-integrity [--modes cow,stack,eager,mixed] [--heaps small,thp,mthp]\n"
		"       [--trees N] [--depth D] [--width W] [--pages P] [--thps T] [--seed S]\n"
		"       [--inject]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "modes", required_argument, NULL, 'm' },
		{ "heaps", required_argument, NULL, 'H' },
		{ "trees", required_argument, NULL, 't' },
		{ "depth", required_argument, NULL, 'd' },
		{ "width", required_argument, NULL, 'w' },
		{ "pages", required_argument, NULL, 'p' },
		{ "thps", required_argument, NULL, 'T' },
		{ "seed", required_argument, NULL, 's' },
		{ "inject", no_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	char modes_arg[128] = "cow,stack,eager,mixed", heaps_arg[64] = "small,thp,mthp";
	long trees = 4, pages = 256, thps = 2, seed = 1, t, i;
	long long trees_run = 0;
	uint64_t file_page[WORDS_PER_PAGE];
	char *mtok, *htok, *msave, *hsave, heaps_copy[64];
	int c, memfd, failed = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'm': snprintf(modes_arg, sizeof(modes_arg), "%s", optarg); break;
		case 'H': snprintf(heaps_arg, sizeof(heaps_arg), "%s", optarg); break;
		case 't': trees = fl_parse_num("forkmode-integrity", "--trees", optarg, 1, 1L << 30); break;
		case 'd': depth_max = fl_parse_num("forkmode-integrity", "--depth", optarg, 0, MAX_DEPTH); break;
		case 'w': width = fl_parse_num("forkmode-integrity", "--width", optarg, 1, MAX_WIDTH); break;
		case 'p': pages = fl_parse_num("forkmode-integrity", "--pages", optarg, 1, 1L << 20); break;
		case 'T': thps = fl_parse_num("forkmode-integrity", "--thps", optarg, 1, 512); break;
		case 's': seed = fl_parse_num("forkmode-integrity", "--seed", optarg, 1, 1L << 30); break;
		case 'i': inject = true; break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	if (!fork_mode_supported()) {
		fprintf(stderr, "forkmode-integrity: kernel without PR_SET_FORK_COPY_MODE\n");
		return 77;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("forkmode-integrity: mmap");
		return 1;
	}
	atomic_store(&sh->next_tag, FILE_TAG + 1);
	/* The memfd's pages hold FILE_TAG's pattern; MAP_PRIVATE views of it. */
	memfd = (int)syscall(SYS_memfd_create, "forkmode-integrity", 0U);
	if (memfd < 0) {
		perror("forkmode-integrity: memfd_create");
		return 1;
	}
	for (i = 0; i < MEMFD_PAGES; i++) {
		fill_page(file_page, FILE_TAG, i);
		if (write(memfd, file_page, FL_PAGE) != (ssize_t)FL_PAGE) {
			perror("forkmode-integrity: write memfd");
			return 1;
		}
	}
	rng = (uint64_t)seed * 0x9e3779b97f4a7c15ULL + 1;

	for (mtok = strtok_r(modes_arg, ",", &msave); mtok;
	     mtok = strtok_r(NULL, ",", &msave)) {
		if (strcmp(mtok, "mixed") == 0) {
			tree_mode = MODE_MIXED;
		} else {
			tree_mode = fork_mode_parse(mtok);
			if (tree_mode < FORK_MODE_COW) {
				fprintf(stderr, "forkmode-integrity: unknown mode '%s'\n", mtok);
				return 2;
			}
		}
		snprintf(heaps_copy, sizeof(heaps_copy), "%s", heaps_arg);
		for (htok = strtok_r(heaps_copy, ",", &hsave); htok;
		     htok = strtok_r(NULL, ",", &hsave)) {
			enum heap_kind kind = HEAP_SMALL;
			long long procs0 = atomic_load(&sh->processes);
			long long pages0 = atomic_load(&sh->pages_verified);
			long thp_kb = 0;

			if (strcmp(htok, "thp") == 0) {
				kind = HEAP_THP;
			} else if (strcmp(htok, "mthp") == 0) {
				kind = HEAP_MTHP;
			} else if (strcmp(htok, "small") != 0) {
				fprintf(stderr, "forkmode-integrity: unknown heap '%s'\n", htok);
				return 2;
			}
			heap_kind = htok;
			for (t = 0; t < trees; t++) {
				next_rand();
				if (tree(memfd, kind, pages, thps, &thp_kb) != 0)
					failed = 1;
				trees_run++;
				if (failed)
					break;
			}
			printf("# mode=%s heap=%s trees=%ld processes=%lld pages=%lld thp_kb=%ld\n",
			       mode_name(tree_mode), htok, t < trees ? t + 1 : trees,
			       (long long)atomic_load(&sh->processes) - procs0,
			       (long long)atomic_load(&sh->pages_verified) - pages0,
			       thp_kb);
			if (failed)
				break;
		}
		if (failed)
			break;
	}
	printf("pages_verified=%lld trees=%lld processes=%lld mismatches=%lld errors=%lld\n",
	       (long long)atomic_load(&sh->pages_verified), trees_run,
	       (long long)atomic_load(&sh->processes),
	       (long long)atomic_load(&sh->mismatches),
	       (long long)atomic_load(&sh->errors));
	if (failed || atomic_load(&sh->mismatches) || atomic_load(&sh->errors)) {
		printf("first: %s\n", sh->first_taken ? sh->first : "(a process failed without a report)");
		return 1;
	}
	return 0;
}
