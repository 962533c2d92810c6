// SPDX-License-Identifier: GPL-2.0
/*
 * forkmode-bench - what an eager fork costs per page, next to a memcpy of
 * the same size measured in the same run.
 *
 *   forkmode-bench [--mode cow|stack|eager] [-n N] SIZE_MIB...
 *
 * For each heap size: map and touch the heap (4 KiB pages,
 * MADV_NOHUGEPAGE), then N times: time fork() as seen by the parent (the
 * child waits on a pipe until the parent's clock has stopped, so its exit,
 * which frees whatever it was given, is not in the fork's time: on one
 * CPU the new child may otherwise run, and exit, before the parent's
 * fork() returns), then the child's exit and reaping on their own, and
 * time a memcpy of the heap into a second, touched buffer of the same
 * size; on x86-64 also a copy with "rep movsb", the instruction the
 * kernel copies pages with (copy_mc_enhanced_fast_string()).  Prints one
 * line per size:
 *
 *   mode=eager size_mib=64 pages=16384 fork_median_ns=... fork_ns_per_page=...
 *   memcpy_median_ns=... memcpy_ns_per_page=... ratio=... movsb_ns_per_page=...
 *   child_write_ns_per_page=... child_exit_ns_per_page=...
 *
 * child_write_ns_per_page: N more forks, in each the child times one write
 * to every heap page (cow: a write fault and a copy each; eager: a plain
 * write) and reports it through a shared page.
 *
 * SIZE_MIB 0 is the minimal fork: no heap, only the program's own pages;
 * its line has the fork and the exit alone:
 *
 *   mode=cow size_mib=0 pages=0 fork_median_ns=... child_exit_median_ns=...
 *
 * On a kernel without forklab's series (no vm.fork_copy_mode) every fork is
 * a cow fork: the mode is printed as cow, --mode cow is accepted without
 * the prctl and --mode stack or eager fail.
 *
 * Under forklab's `vm-run.sh --accel icount` the guest's clock counts
 * instructions (1 ns = 1 instruction): the numbers are then instructions,
 * deterministic, not time.
 *
 * Under TCG the times only show trends, and memcpy (vector moves) and
 * rep movsb are emulated at very different speeds: compare fork with
 * both.
 */
#include <getopt.h>
#include <time.h>

#include "forkmode_lib.h"

static void copy_movsb(char *dst, const char *src, size_t len)
{
#if defined(__x86_64__)
	__asm__ volatile("rep movsb"
			 : "+D"(dst), "+S"(src), "+c"(len) : : "memory");
#else
	memcpy(dst, src, len);
#endif
}

/* The mode this process's forks run in: cow on a kernel without the series. */
static const char *mode_now(void)
{
	return fork_mode_supported() ? fork_mode_name(fork_mode_get(NULL)) : "cow";
}

static char *map_touched(size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, len, MADV_NOHUGEPAGE);
	memset(p, 0x5a, len);
	return p;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	long long *fork_ns, *copy_ns, *movsb_ns, *write_ns, *exit_ns, t0;
	char g;
	volatile long long *shared;
	int c, mode = -3, status, gate[2];
	long n = 5, i, a;
	char *end;

	while ((c = getopt_long(argc, argv, "n:", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			mode = fork_mode_parse(optarg);
			if (mode < FORK_MODE_COW) {
				fprintf(stderr, "forkmode-bench: --mode: '%s' is not cow, stack or eager\n",
					optarg);
				return 2;
			}
			break;
		case 'n':
			n = strtol(optarg, &end, 10);
			if (*end || n < 1 || n > 10000) {
				fprintf(stderr, "forkmode-bench: -n: '%s' is not a number in 1..10000\n",
					optarg);
				return 2;
			}
			break;
		default:
			fprintf(stderr, "usage: forkmode-bench [--mode M] [-n N] SIZE_MIB...\n");
			return 2;
		}
	}
	if (optind == argc) {
		fprintf(stderr, "usage: forkmode-bench [--mode M] [-n N] SIZE_MIB...\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* A stock kernel forks cow: no prctl to ask for it. */
	if (mode == FORK_MODE_COW && !fork_mode_supported())
		mode = -3;
	if (mode != -3 && fork_mode_set(mode) != 0) {
		fprintf(stderr, "forkmode-bench: prctl(PR_SET_FORK_COPY_MODE, %d): %s\n",
			mode, strerror(errno));
		return 1;
	}
	fork_ns = calloc((size_t)n, sizeof(*fork_ns));
	copy_ns = calloc((size_t)n, sizeof(*copy_ns));
	movsb_ns = calloc((size_t)n, sizeof(*movsb_ns));
	write_ns = calloc((size_t)n, sizeof(*write_ns));
	exit_ns = calloc((size_t)n, sizeof(*exit_ns));
	shared = mmap(NULL, FL_PAGE, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!fork_ns || !copy_ns || !movsb_ns || !write_ns || !exit_ns ||
	    shared == MAP_FAILED)
		return 1;
	for (a = optind; a < argc; a++) {
		long mib = strtol(argv[a], &end, 10);
		size_t len;
		char *src, *dst;
		pid_t pid;

		if (argv[a][0] == '\0' || *end || mib < 0 || mib > 65536) {
			fprintf(stderr, "forkmode-bench: size '%s' is not a number of MiB in 0..65536\n",
				argv[a]);
			return 2;
		}
		len = (size_t)mib << 20;
		src = len ? map_touched(len) : NULL;
		dst = len ? map_touched(len) : NULL;
		if (len && (!src || !dst)) {
			fprintf(stderr, "forkmode-bench: cannot map 2 x %ld MiB: %s\n",
				mib, strerror(errno));
			return 1;
		}
		for (i = 0; i < n; i++) {
			if (pipe(gate))
				return 1;
			t0 = fl_now_ns();
			pid = fork();
			if (pid == 0) {
				/* Not before the parent's clock stopped. */
				close(gate[1]);
				while (read(gate[0], &g, 1) < 0 && errno == EINTR)
					;
				_exit(0);
			}
			fork_ns[i] = fl_now_ns() - t0;
			close(gate[0]);
			t0 = fl_now_ns();
			close(gate[1]);
			if (pid < 0 || waitpid(pid, &status, 0) != pid) {
				fprintf(stderr, "forkmode-bench: fork: %s\n", strerror(errno));
				return 1;
			}
			exit_ns[i] = fl_now_ns() - t0;
			if (!len)
				continue;
			/*
			 * After a cow fork both buffers are write-protected:
			 * write them first, so the copies below take no fault.
			 */
			memset(src, (int)i, len);
			memset(dst, 0, len);
			t0 = fl_now_ns();
			memcpy(dst, src, len);
			copy_ns[i] = fl_now_ns() - t0;
			__asm__ volatile("" : : "r"(dst) : "memory");
			t0 = fl_now_ns();
			copy_movsb(dst, src, len);
			movsb_ns[i] = fl_now_ns() - t0;
		}
		for (i = 0; len && i < n; i++) {
			shared[0] = -1;
			pid = fork();
			if (pid == 0) {
				size_t off;

				t0 = fl_now_ns();
				for (off = 0; off < len; off += FL_PAGE)
					src[off] = (char)i;
				shared[0] = fl_now_ns() - t0;
				_exit(0);
			}
			if (pid < 0 || waitpid(pid, &status, 0) != pid || shared[0] < 0) {
				fprintf(stderr, "forkmode-bench: child write pass failed\n");
				return 1;
			}
			write_ns[i] = shared[0];
		}
		qsort(exit_ns, (size_t)n, sizeof(*exit_ns), fl_cmp_ll);
		qsort(fork_ns, (size_t)n, sizeof(*fork_ns), fl_cmp_ll);
		if (!len) {
			printf("mode=%s size_mib=0 pages=0 fork_median_ns=%lld child_exit_median_ns=%lld\n",
			       mode_now(), fork_ns[n / 2], exit_ns[n / 2]);
			continue;
		}
		qsort(write_ns, (size_t)n, sizeof(*write_ns), fl_cmp_ll);
		qsort(copy_ns, (size_t)n, sizeof(*copy_ns), fl_cmp_ll);
		qsort(movsb_ns, (size_t)n, sizeof(*movsb_ns), fl_cmp_ll);
		printf("mode=%s size_mib=%ld pages=%zu fork_median_ns=%lld fork_ns_per_page=%.1f memcpy_median_ns=%lld memcpy_ns_per_page=%.1f ratio=%.2f movsb_ns_per_page=%.1f ratio_movsb=%.2f child_write_ns_per_page=%.1f child_exit_ns_per_page=%.1f\n",
		       mode_now(), mib, len / FL_PAGE,
		       fork_ns[n / 2], (double)fork_ns[n / 2] / (double)(len / FL_PAGE),
		       copy_ns[n / 2], (double)copy_ns[n / 2] / (double)(len / FL_PAGE),
		       (double)fork_ns[n / 2] / (double)copy_ns[n / 2],
		       (double)movsb_ns[n / 2] / (double)(len / FL_PAGE),
		       (double)fork_ns[n / 2] / (double)movsb_ns[n / 2],
		       (double)write_ns[n / 2] / (double)(len / FL_PAGE),
		       (double)exit_ns[n / 2] / (double)(len / FL_PAGE));
		munmap(src, len);
		munmap(dst, len);
	}
	free(fork_ns);
	free(copy_ns);
	free(movsb_ns);
	free(write_ns);
	free(exit_ns);
	return 0;
}
