// SPDX-License-Identifier: GPL-2.0
/*
 * cowtrace-seed - the nested seed case: A forks B, B forks C and D; all four
 * share one private anonymous page, written in the order D, C, B, A.  The
 * prediction (4 KiB pages, cow mode): D, C and B each copy it (3, 2, then 1
 * other sharer left), A is the last sharer and reuses it: 3 copies, 1 reuse;
 * by role: A (0) 1 reuse, B (1) 1 copy, C and D (2) 2 copies.
 *
 *   cowtrace-seed        the case above
 *   cowtrace-seed -0     the same processes and hand-offs, reading instead of
 *                        writing: the baseline every other fault belongs to
 *
 * The page is mapped at SEED_ADDR, so `cowtrace --range` can count it alone
 * (every process also faults on its own stack, .data and TLS pages, and
 * which sharer copies those depends on scheduling).  Pipes order the
 * writes; every child is reaped; every process stays on the CPU A started
 * on (pin.h: a remote CPU's LRU batch would turn A's reuse into a copy);
 * prints nothing.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "pin.h"

#define SEED_ADDR 0x5eed00000000UL	/* cowtrace --range 0x5eed00000000-0x5eed00001000 */

static volatile char *page;
static int do_write = 1;
static volatile char sink;

static void touch(char who)
{
	if (do_write)
		page[0] = who;
	else
		sink = page[0];
}

static void pass_token(int fd)
{
	if (write(fd, "t", 1) != 1)
		_exit(1);
}

static void take_token(int fd)
{
	char c;

	if (read(fd, &c, 1) != 1)
		_exit(1);
}

static int reap(pid_t pid)
{
	int st;

	return waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

int main(int argc, char **argv)
{
	int dc[2], cb[2], ba[2];
	pid_t b, c, d;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: cowtrace-seed [-0]\nA forks B, B forks C and D; one page at "
		       "0x5eed00000000 written D, C, B, A (-0: read instead)\n");
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "-0") == 0) {
		do_write = 0;
	} else if (argc != 1) {
		fprintf(stderr, "usage: cowtrace-seed [-0]\n");
		return 2;
	}
	page = mmap((void *)SEED_ADDR, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (page == MAP_FAILED || (uintptr_t)page != SEED_ADDR) {
		perror("cowtrace-seed: mmap at 0x5eed00000000");
		return 1;
	}
	if (pin_here("cowtrace-seed"))
		return 1;
	if (pipe(dc) || pipe(cb) || pipe(ba))
		return 1;
	page[0] = 'a';			/* present and exclusive before the forks */

	b = fork();
	if (b < 0)
		return 1;
	if (b == 0) {
		c = fork();
		if (c < 0)
			_exit(1);
		if (c == 0) {
			take_token(dc[0]);
			touch('C');
			pass_token(cb[1]);
			_exit(0);
		}
		d = fork();
		if (d < 0)
			_exit(1);
		if (d == 0) {
			touch('D');	/* A, B, C, D share the page */
			pass_token(dc[1]);
			_exit(0);
		}
		take_token(cb[0]);
		touch('B');
		pass_token(ba[1]);
		_exit(reap(c) && reap(d) ? 0 : 1);
	}
	take_token(ba[0]);
	touch('A');			/* the last sharer */
	return reap(b) ? 0 : 1;
}
