// SPDX-License-Identifier: GPL-2.0
/*
 * forkmode-torn - what a child sees of memory another thread of its parent
 * was writing during fork(), in each fork copy mode (kernel-patch/ 0008).
 *
 *   forkmode-torn [--forks N] [--pages P]
 *
 * A writer thread fills a region of P pages round after round: in round k
 * it writes k to every data word of page 0, then to that page's last word
 * (its flag), then the same for page 1, ..., and last stores k into a
 * "done" word after the region.  The main thread forks N times per mode;
 * each child checks its copy:
 *   - in every page, each data word >= the page's flag (data are written
 *     before the flag), else the page was torn inside;
 *   - every page's flag >= done (done is written after all pages), else
 *     the snapshot was torn between pages.
 * A snapshot of memory at one moment passes both: cow gives one (the
 * parent's entries are write-protected and the TLB flushed before fork()
 * returns).  A copy made page by page while the writer runs does not, so
 * the kernel makes every fork of a parent with another thread a cow one
 * and counts it in fork_copy_threaded.  The checks:
 *   torn-<mode>       no child saw a torn snapshot
 *   threaded-<mode>   fork_copy_threaded grew by N in stack and eager mode,
 *                     by 0 in cow; fork_eager_copy and fork_stack_copy by 0
 *   single-<mode>     with the writer stopped, the mode applies again:
 *                     eager copies >= P pages, stack and cow none of the
 *                     region, fork_copy_threaded +0
 *   checker           the check itself finds a planted tear of each kind
 * Prints PASS:/FAIL: lines (tests/lib.sh's format).
 */
#include <getopt.h>
#include <sched.h>
#include <pthread.h>
#include <stdatomic.h>

#include "forkmode_lib.h"

#define WORDS (FL_PAGE / sizeof(uint64_t))

static uint64_t *region;	/* pages * WORDS words, then the done word */
static long pages = 256;
static atomic_int stop;


static volatile uint64_t *done_word(void)
{
	return &region[pages * WORDS];
}

static void *writer(void *arg)
{
	uint64_t k = 1;
	long p;
	size_t w;

	(void)arg;
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		for (p = 0; p < pages; p++) {
			volatile uint64_t *pg = &region[p * WORDS];

			for (w = 0; w < WORDS - 1; w++)
				pg[w] = k;
			atomic_thread_fence(memory_order_release);
			pg[WORDS - 1] = k;
		}
		atomic_thread_fence(memory_order_release);
		*done_word() = k;
		k++;
	}
	return NULL;
}

/* 0: consistent; 1: torn inside a page; 2: torn between pages. */
static int snapshot_torn(void)
{
	uint64_t done = *done_word(), flag;
	long p;
	size_t w;

	for (p = 0; p < pages; p++) {
		const uint64_t *pg = &region[p * WORDS];

		flag = pg[WORDS - 1];
		for (w = 0; w < WORDS - 1; w++)
			if (pg[w] < flag)
				return 1;
		if (flag < done)
			return 2;
	}
	return 0;
}


struct counts {
	long long threaded, eager, stack;
};

static void counts_now(struct counts *c)
{
	c->threaded = fl_vmstat_now(FORK_MODE_VMSTAT_COPY_THREADED);
	c->eager = fl_vmstat_now(FORK_MODE_VMSTAT_EAGER_COPY);
	c->stack = fl_vmstat_now(FORK_MODE_VMSTAT_STACK_COPY);
}

/* Fork n children that check their snapshot; how many saw a torn one (-1: error). */
static int fork_and_check(int n)
{
	int torn = 0, i, status;
	pid_t pid;

	for (i = 0; i < n; i++) {
		pid = fork();
		if (pid == 0)
			_exit(snapshot_torn());
		if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
			return -1;
		if (WEXITSTATUS(status))
			torn++;
	}
	return torn;
}

static void check_checker(void)
{
	long p;
	size_t w;

	for (p = 0; p < pages; p++)
		for (w = 0; w < WORDS; w++)
			region[p * WORDS + w] = 5;
	*done_word() = 5;
	fl_check(snapshot_torn() == 0, "checker-consistent: a consistent region passes");
	region[3 * WORDS + 7] = 4;
	fl_check(snapshot_torn() == 1, "checker-in-page: a data word older than its flag is found");
	region[3 * WORDS + 7] = 5;
	*done_word() = 6;
	fl_check(snapshot_torn() == 2, "checker-between-pages: a flag older than done is found");
}

/*
 * pthread_join() returns once the kernel has cleared the thread's tid,
 * which it does before the thread drops its reference to the mm
 * (exit_mm: mm_release, then mmput): a fork in between still sees two
 * users.  "Threads: 1" in /proc/self/status comes after the thread has
 * left exit_mm.  Returns 0 once single-threaded, -1 after ~10 s.
 */
static int wait_single_threaded(void)
{
	char buf[4096], *p;
	int i, fd;
	ssize_t n;

	for (i = 0; i < 10000; i++) {
		fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -1;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			return -1;
		buf[n] = 0;
		p = strstr(buf, "\nThreads:");
		if (p && strtol(p + 9, NULL, 10) == 1)
			return 0;
		usleep(1000);
	}
	return -1;
}

static void run_mode(int mode, int forks)
{
	const char *name = fork_mode_name(mode);
	struct counts a, b;
	pthread_t t;
	int torn;
	long long want;

	if (fork_mode_set(mode)) {
		fl_check(0, "%s: PR_SET_FORK_COPY_MODE: %s", name, strerror(errno));
		return;
	}
	/* Round numbers start over at 1 for each mode. */
	memset(region, 0, (size_t)(pages + 1) * FL_PAGE);
	atomic_store(&stop, 0);
	if (pthread_create(&t, NULL, writer, NULL)) {
		fl_check(0, "%s: pthread_create failed", name);
		return;
	}
	while (*done_word() < 2)	/* the writer is going */
		sched_yield();
	counts_now(&a);
	torn = fork_and_check(forks);
	counts_now(&b);
	atomic_store(&stop, 1);
	pthread_join(t, NULL);
	fl_check(torn == 0, "torn-%s: %d of %d children saw a torn snapshot", name, torn, forks);
	want = mode == FORK_MODE_COW ? 0 : forks;
	fl_check(b.threaded - a.threaded == want && b.eager == a.eager && b.stack == a.stack,
	      "threaded-%s: fork_copy_threaded +%lld (want +%lld), fork_eager_copy +%lld, fork_stack_copy +%lld (want +0)",
	      name, b.threaded - a.threaded, want, b.eager - a.eager, b.stack - a.stack);

	/* Writer gone: a single-threaded parent gets its mode again. */
	fl_check(wait_single_threaded() == 0, "single-%s: one thread left after the join (Threads: 1 within 10 s)", name);
	counts_now(&a);
	torn = fork_and_check(1);
	counts_now(&b);
	if (mode == FORK_MODE_EAGER)
		fl_check(torn == 0 && b.threaded == a.threaded && b.eager - a.eager >= pages,
		      "single-eager: fork_eager_copy +%lld (want >= %ld), fork_copy_threaded +%lld (want +0)",
		      b.eager - a.eager, pages, b.threaded - a.threaded);
	else
		fl_check(torn == 0 && b.threaded == a.threaded && b.eager == a.eager,
		      "single-%s: fork_eager_copy +%lld, fork_copy_threaded +%lld (want +0, +0)",
		      name, b.eager - a.eager, b.threaded - a.threaded);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "forks", required_argument, NULL, 'f' },
		{ "pages", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	int forks = 20, c, mode;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'f')
			forks = atoi(optarg);
		else if (c == 'p')
			pages = atol(optarg);
		else
			return 2;
	}
	if (forks < 1 || forks > 100000 || pages < 4 || pages > 262144) {
		fprintf(stderr, "forkmode-torn: --forks 1..100000, --pages 4..262144\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	fl_check_prefix = "torn";
	region = mmap(NULL, (size_t)(pages + 1) * FL_PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED) {
		printf("FAIL: torn/setup: mmap: %s\n", strerror(errno));
		return 1;
	}
	/* Small pages: THPs are copied with the locks dropped, mTHPs under them. */
	madvise(region, (size_t)(pages + 1) * FL_PAGE, MADV_NOHUGEPAGE);
	check_checker();
	for (mode = FORK_MODE_COW; mode <= FORK_MODE_EAGER; mode++)
		run_mode(mode, forks);
	fork_mode_set(FORK_MODE_INHERIT);
	return fl_failures ? 1 : 0;
}
