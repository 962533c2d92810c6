// SPDX-License-Identifier: GPL-2.0
/*
 * cowtrace-pages - a known number of write-protect faults for cowtrace's
 * tests.  Maps M private anonymous pages and writes each one (present,
 * exclusive), forks; the child writes the first N pages (N COW copies: the
 * parent still shares them) and exits; after reaping it the parent writes
 * the first K pages (K reuses: it is the only owner again).  Prints nothing.
 * The pages are mapped at PAGES_ADDR so `cowtrace --range` can count them
 * alone (0x5eed10000000 + M * 4096).  Parent and child stay on the CPU the
 * program starts on (pin.h).  With -r FILE the child, after its N writes,
 * maps FILE privately over the same first N pages, reads and writes each:
 * N first writes to a private file page at the addresses it just wrote
 * as anonymous ones (a tracer that keeps a VMA past its unmap misses them;
 * an anonymous page is mapped elsewhere in between, where the kernel may
 * put the unmapped VMA's memory to use again).
 *
 *   cowtrace-pages [-m M] [-n N] [-k K] [-x STATUS] [-w] [-r FILE]
 *     -m M       pages mapped (default 3000, 1-1048576)
 *     -n N       pages the child writes (default 0, 0-M)
 *     -k K       pages the parent writes after the child exited (0-M)
 *     -x STATUS  exit status of the parent (0-255), for passthrough tests
 *     -w         wait for SIGUSR1 before mapping (lets cowtrace -p attach)
 *     -r FILE    the child remaps FILE (N pages or more) over its N pages
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "pin.h"

#define PAGES_ADDR 0x5eed10000000UL

static const char usage[] =
	"usage: cowtrace-pages [-m M] [-n N] [-k K] [-x STATUS] [-w] [-r FILE]\n"
	"Map M pages at 0x5eed10000000 and write them, fork; the child writes N and\n"
	"exits, then the parent writes K.  -x: exit status, -w: wait for SIGUSR1 first,\n"
	"-r: the child then maps FILE privately over its N pages and writes them.\n";

/* The child's -r step: FILE mapped privately at buf over n pages, each
 * read (page cache, mapped read-only) and written (a first write). */
static int remap_file(volatile char *buf, const char *file, long n, long ps)
{
	int fd = open(file, O_RDONLY);
	volatile char *decoy;
	void *p;
	long i;

	if (fd < 0) {
		perror("cowtrace-pages: -r");
		return 1;
	}
	/* the kernel may reuse the unmapped VMA's memory for the next VMA:
	 * let that be an anonymous one elsewhere, with an anon_vma */
	munmap((void *)buf, (size_t)(n * ps));
	decoy = mmap(NULL, (size_t)ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (decoy == MAP_FAILED) {
		perror("cowtrace-pages: -r: mmap");
		close(fd);
		return 1;
	}
	decoy[0] = 1;
	p = mmap((void *)buf, (size_t)(n * ps), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_FIXED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		perror("cowtrace-pages: -r: mmap");
		return 1;
	}
	for (i = 0; i < n; i++)
		if (buf[i * ps] == 0x7f)
			buf[i * ps] = 0;
		else
			buf[i * ps] = 4;
	return 0;
}

static long num(const char *opt, const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "cowtrace-pages: invalid %s '%s' (allowed: %ld-%ld)\n",
			opt, s, lo, hi);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	long m = 3000, n = 0, k = 0, x = 0, ps = sysconf(_SC_PAGESIZE), i;
	int c, wait_sig = 0, st;
	const char *file = NULL;
	volatile char *buf;
	pid_t pid;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(usage, stdout);
		return 0;
	}
	while ((c = getopt(argc, argv, "m:n:k:x:wr:")) != -1) {
		switch (c) {
		case 'm': m = num("-m", optarg, 1, 1048576); break;
		case 'n': n = num("-n", optarg, 0, 1048576); break;
		case 'k': k = num("-k", optarg, 0, 1048576); break;
		case 'x': x = num("-x", optarg, 0, 255); break;
		case 'w': wait_sig = 1; break;
		case 'r': file = optarg; break;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (n > m || k > m) {
		fprintf(stderr, "cowtrace-pages: -n %ld / -k %ld larger than -m %ld\n", n, k, m);
		return 2;
	}
	if (wait_sig) {
		sigset_t set;
		int sig;

		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		sigprocmask(SIG_BLOCK, &set, NULL);
		sigwait(&set, &sig);
	}
	if (pin_here("cowtrace-pages"))
		return 1;
	buf = mmap((void *)PAGES_ADDR, (size_t)(m * ps), PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (buf == MAP_FAILED || (uintptr_t)buf != PAGES_ADDR) {
		perror("cowtrace-pages: mmap at 0x5eed10000000");
		return 1;
	}
	/* 4 KiB pages: a huge page would turn N faults into one */
	madvise((void *)buf, (size_t)(m * ps), MADV_NOHUGEPAGE);
	for (i = 0; i < m; i++)
		buf[i * ps] = 1;

	pid = fork();
	if (pid < 0) {
		perror("cowtrace-pages: fork");
		return 1;
	}
	if (pid == 0) {
		for (i = 0; i < n; i++)
			buf[i * ps] = 2;
		_exit(file && n ? remap_file(buf, file, n, ps) : 0);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return 1;
	for (i = 0; i < k; i++)
		buf[i * ps] = 3;
	return (int)x;
}
