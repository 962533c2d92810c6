/* SPDX-License-Identifier: GPL-2.0 */
/*
 * forkmode_lib.h - shared by forklab's in-guest tests of the kernel patch
 * (tests/guest/src/forkmode_*.c): /proc/vmstat snapshots, counting present
 * anonymous pages, and fl_fork_run(), one fork measured exactly.
 *
 * /proc/vmstat is global, so a test measures around its own fork with
 * nothing else running.  fl_fork_run() does the whole sequence in one
 * block of x86-64 assembly that touches no memory but what it is asked
 * to: read /proc/vmstat, fork, the child writes (stack byte, heap pages)
 * then execs or exits, the parent writes (stack byte), waits, and reads
 * /proc/vmstat again.  Its buffers live in a MAP_SHARED mapping, which
 * fork never write-protects, so the only write faults between the two
 * snapshots are the ones the test asks for.
 */
#ifndef FORKMODE_LIB_H
#define FORKMODE_LIB_H

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fork_mode.h"

#define FL_PAGE 4096UL
#define FL_VMSTAT_MAX 16384

/* Everything fl_fork_run() reads or writes, in one MAP_SHARED block. */
struct fl_run {
	long vmstat_fd;			/* open /proc/vmstat */
	long refresh_fd;		/* /proc/sys/vm/stat_refresh, or -1 */
	long mid_fd;			/* child preads it after its writes; -1: no */
	long buflen;			/* size of before/after/mid */
	unsigned long sp;		/* stack pointer to run at (mid-page) */
	char *wr_start, *wr_end;	/* the child checks that each page of */
	long wr_stride;			/* [start, end) starts with 0xa5 and writes 1 */
	long child_stack_write;		/* child writes a byte at sp - 64 */
	long parent_stack_write;	/* parent writes a byte at sp - 64 */
	const char *exec_path;		/* child execs this (NULL: exits) */
	char *const *exec_argv;
	char *const *exec_envp;
	long before_len, after_len, mid_len;	/* results of the preads */
	long wait_ret;			/* wait4() result */
	char one[8];			/* "1", written to stat_refresh */
	int status;			/* child's wait status: exit 0, or 1 if */
					/* it found a page without 0xa5 */
	char before[FL_VMSTAT_MAX];
	char after[FL_VMSTAT_MAX];
	char mid[FL_VMSTAT_MAX];
};

static inline struct fl_run *fl_run_new(void)
{
	struct fl_run *r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (r == MAP_FAILED)
		return NULL;
	memset(r, 0, sizeof(*r));
	r->buflen = FL_VMSTAT_MAX - 1;
	r->wr_stride = (long)FL_PAGE;
	r->mid_fd = -1;
	r->one[0] = '1';
	/* Folds the per-CPU parts of counters like nr_anon_pages (root only). */
	r->refresh_fd = open("/proc/sys/vm/stat_refresh", O_WRONLY | O_CLOEXEC);
	r->vmstat_fd = open("/proc/vmstat", O_RDONLY | O_CLOEXEC);
	if (r->vmstat_fd < 0) {
		munmap(r, sizeof(*r));
		return NULL;
	}
	return r;
}

#if defined(__x86_64__)
/*
 * Returns the child's pid, or -errno if fork failed (the second snapshot
 * is taken either way).  r->sp must be a present, unused part of the
 * stack, see fl_stack_area().  Each snapshot is preceded by a write to
 * stat_refresh (if it could be opened), so that node counters such as
 * nr_anon_pages are exact too; event counters always are.
 */
#define FL_REFRESH							\
		"mov %c[rfd](%[r]), %%rdi\n\t"				\
		"test %%rdi, %%rdi\n\t"					\
		"js 1f\n\t"						\
		"mov $18, %%eax\n\t"	/* pwrite64(fd, "1", 1, 0) */	\
		"lea %c[one](%[r]), %%rsi\n\t"				\
		"mov $1, %%edx\n\t"					\
		"xor %%r10d, %%r10d\n\t"					\
		"syscall\n"						\
		"1:\n\t"

__attribute__((noinline, unused)) static long fl_fork_run(struct fl_run *r)
{
	long ret;

	__asm__ volatile(
		"mov %%rsp, %%r13\n\t"
		"mov %c[sp](%[r]), %%rsp\n\t"
		FL_REFRESH
		/* pread64(fd, before, len, 0) */
		"mov $17, %%eax\n\t"
		"mov %c[fd](%[r]), %%rdi\n\t"
		"lea %c[bef](%[r]), %%rsi\n\t"
		"mov %c[len](%[r]), %%rdx\n\t"
		"xor %%r10d, %%r10d\n\t"
		"syscall\n\t"
		"mov %%rax, %c[blen](%[r])\n\t"
		/* fork() */
		"mov $57, %%eax\n\t"
		"syscall\n\t"
		"test %%rax, %%rax\n\t"
		"jnz 5f\n\t"
		/* child: r15 = 1 if a page did not hold 0xa5 */
		"xor %%r15d, %%r15d\n\t"
		"cmpq $0, %c[cst](%[r])\n\t"
		"je 2f\n\t"
		"movb $1, -64(%%rsp)\n"
		"2:\n\t"
		"mov %c[ws](%[r]), %%rdi\n\t"
		"mov %c[we](%[r]), %%rsi\n\t"
		"mov %c[wst](%[r]), %%rdx\n"
		"3:\n\t"
		"cmp %%rsi, %%rdi\n\t"
		"jae 4f\n\t"
		"cmpb $0xa5, (%%rdi)\n\t"
		"je 11f\n\t"
		"mov $1, %%r15d\n"
		"11:\n\t"
		"movb $1, (%%rdi)\n\t"
		"add %%rdx, %%rdi\n\t"
		"jmp 3b\n"
		"4:\n\t"
		/* pread64(mid_fd, mid, len, 0) */
		"mov %c[mfd](%[r]), %%rdi\n\t"
		"test %%rdi, %%rdi\n\t"
		"js 10f\n\t"
		FL_REFRESH
		"mov %c[mfd](%[r]), %%rdi\n\t"
		"mov $17, %%eax\n\t"
		"lea %c[mid](%[r]), %%rsi\n\t"
		"mov %c[len](%[r]), %%rdx\n\t"
		"xor %%r10d, %%r10d\n\t"
		"syscall\n\t"
		"mov %%rax, %c[mlen](%[r])\n"
		"10:\n\t"
		"mov %c[ep](%[r]), %%rdi\n\t"
		"test %%rdi, %%rdi\n\t"
		"jz 6f\n\t"
		"mov %c[ea](%[r]), %%rsi\n\t"
		"mov %c[ee](%[r]), %%rdx\n\t"
		"mov $59, %%eax\n\t"
		"syscall\n\t"
		"mov $127, %%edi\n\t"
		"jmp 7f\n"
		"6:\n\t"
		"mov %%r15, %%rdi\n"
		"7:\n\t"
		"mov $231, %%eax\n\t"
		"syscall\n\t"
		"ud2\n"
		/* parent: rax = pid, or -errno */
		"5:\n\t"
		"mov %%rax, %%r14\n\t"
		"js 12f\n\t"
		"cmpq $0, %c[pst](%[r])\n\t"
		"je 8f\n\t"
		"movb $1, -64(%%rsp)\n"
		"8:\n\t"
		/* wait4(pid, &status, 0, NULL) */
		"mov %%r14, %%rdi\n\t"
		"lea %c[st](%[r]), %%rsi\n\t"
		"xor %%edx, %%edx\n\t"
		"xor %%r10d, %%r10d\n\t"
		"mov $61, %%eax\n\t"
		"syscall\n\t"
		"mov %%rax, %c[wret](%[r])\n"
		"12:\n\t"
		FL_REFRESH
		/* pread64(fd, after, len, 0) */
		"mov $17, %%eax\n\t"
		"mov %c[fd](%[r]), %%rdi\n\t"
		"lea %c[aft](%[r]), %%rsi\n\t"
		"mov %c[len](%[r]), %%rdx\n\t"
		"xor %%r10d, %%r10d\n\t"
		"syscall\n\t"
		"mov %%rax, %c[alen](%[r])\n\t"
		"mov %%r14, %%rax\n\t"
		"mov %%r13, %%rsp\n\t"
		: "=&a"(ret)
		: [r] "r"(r),
		  [sp] "i"(offsetof(struct fl_run, sp)),
		  [fd] "i"(offsetof(struct fl_run, vmstat_fd)),
		  [rfd] "i"(offsetof(struct fl_run, refresh_fd)),
		  [one] "i"(offsetof(struct fl_run, one)),
		  [mfd] "i"(offsetof(struct fl_run, mid_fd)),
		  [len] "i"(offsetof(struct fl_run, buflen)),
		  [bef] "i"(offsetof(struct fl_run, before)),
		  [aft] "i"(offsetof(struct fl_run, after)),
		  [mid] "i"(offsetof(struct fl_run, mid)),
		  [blen] "i"(offsetof(struct fl_run, before_len)),
		  [alen] "i"(offsetof(struct fl_run, after_len)),
		  [mlen] "i"(offsetof(struct fl_run, mid_len)),
		  [wret] "i"(offsetof(struct fl_run, wait_ret)),
		  [st] "i"(offsetof(struct fl_run, status)),
		  [cst] "i"(offsetof(struct fl_run, child_stack_write)),
		  [pst] "i"(offsetof(struct fl_run, parent_stack_write)),
		  [ws] "i"(offsetof(struct fl_run, wr_start)),
		  [we] "i"(offsetof(struct fl_run, wr_end)),
		  [wst] "i"(offsetof(struct fl_run, wr_stride)),
		  [ep] "i"(offsetof(struct fl_run, exec_path)),
		  [ea] "i"(offsetof(struct fl_run, exec_argv)),
		  [ee] "i"(offsetof(struct fl_run, exec_envp))
		: "rcx", "r11", "rdi", "rsi", "rdx", "r10", "r13", "r14", "r15",
		  "memory", "cc");
	return ret;
}
#define FL_HAVE_FORK_RUN 1
#endif

/*
 * Touch the `kib` KiB of stack below the caller, so that those pages are
 * present, and return a mid-page stack pointer `below` pages under the
 * caller's frame, for fl_run.sp.
 */
__attribute__((noinline, unused)) static unsigned long fl_stack_area(size_t kib,
							      unsigned int below)
{
	volatile char *p = __builtin_alloca(kib * 1024);
	unsigned long sp;
	size_t i;

	for (i = 0; i < kib * 1024; i += FL_PAGE)
		p[i] = 1;
	p[kib * 1024 - 1] = 1;
	__asm__ volatile("" : : "r"(p) : "memory");
	sp = (unsigned long)__builtin_frame_address(0);
	return (sp & ~(FL_PAGE - 1)) - below * FL_PAGE - FL_PAGE / 2;
}

/*
 * With CONFIG_RSEQ, the C library registers an rseq area in each thread's
 * TLS, and the kernel writes it on the way back to user space after a
 * fork or a preemption: after a cow fork that is one more write fault per
 * process, on the TLS page.  Real, but not what the tests measure:
 * unregister it.  Returns 0, or -1 if the C library registered none.
 */
static inline int fl_rseq_unregister(void)
{
	/* glibc registers sizeof(struct rseq) (32), newer ones may more */
	unsigned int len[] = { (unsigned int)sizeof(struct rseq), __rseq_size,
			       (__rseq_size + 31) & ~31U };
	unsigned int i;

	if (__rseq_size == 0)
		return -1;
	for (i = 0; i < sizeof(len) / sizeof(len[0]); i++) {
		if (syscall(SYS_rseq,
			    (char *)__builtin_thread_pointer() + __rseq_offset,
			    len[i], RSEQ_FLAG_UNREGISTER, RSEQ_SIG) == 0)
			return 0;
	}
	return -1;
}

/* Value of counter `name` in a /proc/vmstat text, or -1 if it is absent. */
static inline long long fl_vmstat_get(const char *text, const char *name)
{
	size_t n = strlen(name);
	const char *p = text;

	while (p && *p) {
		if (strncmp(p, name, n) == 0 && p[n] == ' ')
			return strtoll(p + n + 1, NULL, 10);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

static inline long long fl_delta(const struct fl_run *r, const char *name)
{
	long long a = fl_vmstat_get(r->after, name);
	long long b = fl_vmstat_get(r->before, name);

	return a < 0 || b < 0 ? -1 : a - b;
}

/* CLOCK_MONOTONIC in ns. */
static inline long long fl_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* qsort's order of long longs, smallest first. */
static inline int fl_cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* s as a whole number in min..max; else "PROG: OPT: 'S' is not a number
 * in MIN..MAX" and exit 2. */
static inline long fl_parse_num(const char *prog, const char *opt, const char *s, long min,
				long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max) {
		fprintf(stderr, "%s: %s: '%s' is not a number in %ld..%ld\n", prog, opt, s, min,
			max);
		exit(2);
	}
	return v;
}

/* Read a whole small file into buf (NUL-terminated); -1 on error. */
static inline long fl_read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;

	if (fd < 0)
		return -1;
	while (got + 1 < size) {
		ssize_t n = read(fd, buf + got, size - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	close(fd);
	return (long)got;
}

/* Write s to path (a /proc, /sys or tracefs file) in one write, opened
 * O_WRONLY | O_CLOEXEC | flags (O_APPEND, O_TRUNC or 0); -1 on error or a
 * short write. */
static inline int fl_write_file(const char *path, const char *s, int flags)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | flags);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

static char fl_smaps_buf[1 << 20];

/*
 * Sum of a /proc/self/smaps field (kB) over all mappings, or over the one
 * mapping that starts at `start` if it is not 0; -1 on error.
 */
static inline long fl_smaps_kb(const char *field, unsigned long start)
{
	size_t n = strlen(field);
	long total = 0;
	int in = start == 0;
	char *p;

	if (fl_read_file("/proc/self/smaps", fl_smaps_buf,
			 sizeof(fl_smaps_buf)) < 0)
		return -1;
	for (p = fl_smaps_buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p) {
		if ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')) {
			/* a mapping's header line: "start-end perms ..." */
			if (start)
				in = strtoul(p, NULL, 16) == start;
			continue;
		}
		if (in && strncmp(p, field, n) == 0 && p[n] == ':')
			total += strtol(p + n + 1, NULL, 10);
	}
	return total;
}

/* Present private anonymous pages of this process (smaps "Anonymous"). */
static inline long fl_anon_pages(void)
{
	long kb = fl_smaps_kb("Anonymous", 0);

	return kb < 0 ? -1 : kb / (long)(FL_PAGE / 1024);
}

/*
 * Pages of [start, start + pages * FL_PAGE) that are present and
 * exclusively mapped anonymous pages, from /proc/self/pagemap.
 */
static inline long fl_present_anon(unsigned long start, long pages)
{
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	long i, count = 0;
	uint64_t e;

	if (fd < 0)
		return -1;
	for (i = 0; i < pages; i++) {
		off_t off = (off_t)((start / FL_PAGE + (unsigned long)i) * 8);

		if (pread(fd, &e, sizeof(e), off) != (ssize_t)sizeof(e)) {
			e = 0;	/* beyond the address space */
		}
		/* bit 63 present, bit 61 file-page or shared-anon */
		if ((e >> 63 & 1) && !(e >> 61 & 1))
			count++;
	}
	close(fd);
	return count;
}

static inline long fl_sysctl_get(const char *path)
{
	char buf[64];

	if (fl_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	return strtol(buf, NULL, 10);
}

/* Print "key=value" lines; the shell tests compare them. */
static inline void fl_kv(const char *key, long long v)
{
	printf("%s=%lld\n", key, v);
}

/* The current value of /proc/vmstat counter name, or -1. */
static inline long long fl_vmstat_now(const char *name)
{
	static char text[FL_VMSTAT_MAX];
	int fd = open("/proc/vmstat", O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	text[n] = '\0';
	return fl_vmstat_get(text, name);
}

/*
 * One check: "PASS: <fl_check_prefix>/<what>" or "FAIL: ...", counted in
 * fl_failures.  A program sets fl_check_prefix once.
 */
static const char *fl_check_prefix = "check";
static int fl_failures;

__attribute__((format(printf, 2, 3), unused)) static void fl_check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s: %s/", ok ? "PASS" : "FAIL", fl_check_prefix);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!ok)
		fl_failures++;
}

#endif /* FORKMODE_LIB_H */
