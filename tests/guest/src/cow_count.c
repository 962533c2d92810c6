// SPDX-License-Identifier: GPL-2.0
/*
 * cow-count: fork, let the child write N shared pages, then the parent
 * write the same N pages, and compare /proc/vmstat's global pgfault and
 * pgreuse deltas with forklab's prediction rules for cow mode:
 *
 *   child writes N pages shared by 2 processes  -> N copies, 0 reuses
 *   parent writes them after the child exited   -> N reuses (last sharer)
 *
 * /proc/vmstat is global, so the program keeps every other source of faults
 * out of the measured windows: it is pinned to one CPU (a remote per-CPU LRU
 * batch would hold a page reference and turn a reuse into a copy), the
 * region is MADV_NOHUGEPAGE (large folios are never reused), and the stack
 * and read buffer are written before each window so the only faults inside
 * are the N page writes.  The other process is blocked in read()/waitpid().
 * Run it with nothing else active (the guest test runner is idle).
 *
 * Other processes can only add to the global counts, never take away: a
 * measurement above the prediction is retried (up to 3 times, in a fresh
 * mapping) and reported; one below it fails at once.
 *
 *   cow-count [-n PAGES]      prints PASS/FAIL/SKIP lines; exit 0 if all pass
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define VMSTAT_BUF (64 * 1024)

static char vmstat_buf[VMSTAT_BUF];
static int failures;

struct counts {
	uint64_t pgfault;
	uint64_t pgreuse;
};

struct child_report {
	struct counts before, after;
	int err;
};

static uint64_t field(const char *buf, const char *name)
{
	size_t len = strlen(name);
	const char *p = buf;

	while (p && *p) {
		if (!strncmp(p, name, len) && p[len] == ' ')
			return strtoull(p + len + 1, NULL, 10);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return UINT64_MAX;
}

/* Reads into a buffer that is already written (no fault inside the read). */
static int read_vmstat(struct counts *c)
{
	ssize_t n, total = 0;
	int fd = open("/proc/vmstat", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((n = read(fd, vmstat_buf + total, VMSTAT_BUF - 1 - total)) > 0)
		total += n;
	close(fd);
	if (n < 0)
		return -EIO;
	vmstat_buf[total] = '\0';
	c->pgfault = field(vmstat_buf, "pgfault");
	c->pgreuse = field(vmstat_buf, "pgreuse");
	if (c->pgfault == UINT64_MAX || c->pgreuse == UINT64_MAX)
		return -ENOENT;
	return 0;
}

/* Write the read buffer and 64 KiB of stack below us, so that neither
 * faults inside a measured window. */
static void __attribute__((noinline)) prefault(void)
{
	volatile char stack[64 * 1024];

	for (size_t i = 0; i < sizeof(stack); i += 4096)
		stack[i] = 1;
	for (size_t i = 0; i < VMSTAT_BUF; i += 4096)
		vmstat_buf[i] = 0;
}

static void write_pages(volatile char *p, long n)
{
	for (long i = 0; i < n; i++)
		p[i * 4096] += 1;
}

/* The child's faults beyond its N writes: its own stack and libc pages
 * after fork and exit's (a handful), and other activity in the guest
 * while it writes (vmstat's pgfault is system-wide; three attempts). */
#define CHILD_SLACK 64

static void check(const char *name, int ok, const char *fmt, uint64_t want, uint64_t got)
{
	if (ok) {
		printf("PASS: %s\n", name);
	} else {
		printf("FAIL: %s: expected %s%llu, got %llu\n", name, fmt,
		       (unsigned long long)want, (unsigned long long)got);
		failures++;
	}
}

struct result {
	uint64_t fork_pgfault;		/* fork .. parent done: >= N */
	uint64_t child_pgfault;		/* child writes N shared pages: N..N+CHILD_SLACK */
	uint64_t child_pgreuse;		/* ... 0: two sharers, every write copies */
	uint64_t parent_pgfault;	/* parent writes them after the child exited: N */
	uint64_t parent_pgreuse;	/* ... N: last sharer, every write reuses */
};

static int fail_setup(const char *what, int err)
{
	printf("FAIL: cow-count/setup: %s: %s\n", what, strerror(err));
	return -1;
}

/* One fork, measured.  Returns 0, or -1 after printing a FAIL line. */
static int measure(long pages, struct result *r)
{
	size_t len = (size_t)pages * 4096;
	struct counts fork0, fork1, p0, p1;
	struct child_report rep;
	int p2c[2], c2p[2], status = 0, err;
	char *region, go = 'g';
	pid_t pid;

	region = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED)
		return fail_setup("mmap", errno);
	if (madvise(region, len, MADV_NOHUGEPAGE))
		return fail_setup("madvise(MADV_NOHUGEPAGE)", errno);
	write_pages(region, pages); /* present, exclusive, small folios */
	if (pipe(p2c) || pipe(c2p))
		return fail_setup("pipe", errno);
	prefault();
	if ((err = read_vmstat(&fork0)))
		return fail_setup("/proc/vmstat pgfault/pgreuse", -err);

	pid = fork();
	if (pid < 0)
		return fail_setup("fork", errno);
	if (pid == 0) {
		memset(&rep, 0, sizeof(rep));
		prefault();
		if (read(p2c[0], &go, 1) != 1)
			_exit(3);
		rep.err = read_vmstat(&rep.before);
		write_pages(region, pages);
		if (!rep.err)
			rep.err = read_vmstat(&rep.after);
		if (write(c2p[1], &rep, sizeof(rep)) != sizeof(rep))
			_exit(4);
		_exit(0);
	}
	/* Parent: take our own post-fork copy faults now, then let the child go. */
	memset(&rep, 0, sizeof(rep));
	prefault();
	if (write(p2c[1], &go, 1) != 1 || read(c2p[0], &rep, sizeof(rep)) != sizeof(rep)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return fail_setup("no report from the child", EPIPE);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return fail_setup("child ended badly", ECHILD);
	prefault();
	err = read_vmstat(&p0);
	write_pages(region, pages);
	if (!err)
		err = read_vmstat(&p1);
	if (!err)
		err = read_vmstat(&fork1);
	if (err || rep.err)
		return fail_setup("reading /proc/vmstat", -(err ? err : rep.err));
	close(p2c[0]);
	close(p2c[1]);
	close(c2p[0]);
	close(c2p[1]);
	munmap(region, len);

	r->fork_pgfault = fork1.pgfault - fork0.pgfault;
	r->child_pgfault = rep.after.pgfault - rep.before.pgfault;
	r->child_pgreuse = rep.after.pgreuse - rep.before.pgreuse;
	r->parent_pgfault = p1.pgfault - p0.pgfault;
	r->parent_pgreuse = p1.pgreuse - p0.pgreuse;
	printf("# %ld pages: child pgfault +%llu pgreuse +%llu; parent after exit pgfault +%llu pgreuse +%llu; whole fork pgfault +%llu\n",
	       pages, (unsigned long long)r->child_pgfault, (unsigned long long)r->child_pgreuse,
	       (unsigned long long)r->parent_pgfault, (unsigned long long)r->parent_pgreuse,
	       (unsigned long long)r->fork_pgfault);
	return 0;
}

static int read_int_file(const char *path, long *v)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -1;
	ok = fscanf(f, "%ld", v) == 1;
	fclose(f);
	return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
	long pages = 1000, mode;
	int opt, attempt, exact, below;
	struct result r;
	cpu_set_t cpus;
	uint64_t n;

	while ((opt = getopt(argc, argv, "n:h")) != -1) {
		char *end;

		switch (opt) {
		case 'n':
			errno = 0;
			pages = strtol(optarg, &end, 10);
			if (errno || *end || pages < 1 || pages > 262144) {
				fprintf(stderr, "cow-count: -n '%s': want 1..262144 pages\n", optarg);
				return 2;
			}
			break;
		default:
			fprintf(stderr, "usage: cow-count [-n PAGES]\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (!read_int_file("/proc/sys/vm/fork_copy_mode", &mode) && mode != 0) {
		printf("SKIP: cow-count: vm.fork_copy_mode is %ld; these predictions are for cow (0)\n", mode);
		return 0;
	}

	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus)) {
		fail_setup("sched_setaffinity(CPU 0)", errno);
		return 1;
	}

	for (attempt = 1;; attempt++) {
		if (measure(pages, &r))
			return 1;
		n = (uint64_t)pages;
		exact = r.child_pgreuse == 0 && r.parent_pgreuse == n && r.parent_pgfault == n &&
			r.child_pgfault <= n + CHILD_SLACK;
		below = r.parent_pgreuse < n || r.parent_pgfault < n;
		if (exact || below || attempt == 3)
			break;
		printf("# attempt %d: counts above the prediction (other activity in the guest?); again\n",
		       attempt);
	}
	check("cow-count/fork-child-write-pgfault-at-least-N", r.fork_pgfault >= n, ">= ", n,
	      r.fork_pgfault);
	check("cow-count/child-write-pgfault-at-least-N", r.child_pgfault >= n, ">= ", n,
	      r.child_pgfault);
	check("cow-count/child-write-pgfault-at-most-N+64", r.child_pgfault <= n + CHILD_SLACK, "<= ",
	      n + CHILD_SLACK, r.child_pgfault);
	check("cow-count/child-write-pgreuse-0", r.child_pgreuse == 0, "", 0, r.child_pgreuse);
	check("cow-count/parent-write-after-exit-pgreuse-N", r.parent_pgreuse == n, "", n,
	      r.parent_pgreuse);
	check("cow-count/parent-write-after-exit-pgfault-N", r.parent_pgfault == n, "", n,
	      r.parent_pgfault);
	return failures ? 1 : 0;
}
