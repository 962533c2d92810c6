// SPDX-License-Identifier: GPL-2.0
/*
 * forkmode-spawn - fork()+execve()+waitpid() through the C library, the
 * way ordinary programs start others, counting the write faults it costs.
 *
 *   forkmode-spawn [--mode MODE[,MODE...]] [-n N] [--warmup W] PATH
 *
 * Runs W unmeasured then N measured iterations: fork(); the child execs
 * PATH (forkmode-exit takes no write fault) or _exit(127)s; the parent
 * waits.  Prints key=value lines: the /proc/vmstat deltas over the N
 * iterations (d_cow_fault_copy, d_pgreuse, d_fork_stack_copy, ...),
 * wp_faults = d_cow_fault_copy + d_pgreuse, and the median, 10th and 90th
 * percentile of one iteration's wall time in ns.  The stack mode sweep
 * (tests/guest/forkmode-stack.sh) uses it to find how many pages
 * fork_copy_stack_pages must cover.
 *
 * With several modes (e.g. --mode cow,stack) the iterations alternate
 * between them (prctl before each fork), so that both see the same
 * machine load, and the times are printed per mode: "mode=M median_ns=..."
 * (the counters then mix the modes).  docs/kernel.md's fork+exec figures come
 * from this.
 */
#include <getopt.h>
#include <time.h>

#include "forkmode_lib.h"

static char vm_before[FL_VMSTAT_MAX], vm_after[FL_VMSTAT_MAX];

static int spawn_once(const char *path)
{
	char *const argv[] = { (char *)path, NULL };
	char *const envp[] = { NULL };
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execve(path, argv, envp);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "warmup", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const counters[] = {
		"cow_fault_copy", "pgreuse", "fork_eager_copy",
		"fork_stack_copy", "fork_tlb_flush_skipped", "pgfault",
	};
	long n = 100, warmup = 10, i;
	int c, mode[3], nmodes = 0, k;
	long long *ns, *ns_all;
	const char *path;
	char key[64];

	while ((c = getopt_long(argc, argv, "n:", opts, NULL)) != -1) {
		switch (c) {
		case 'm': {
			char *tok, *save = NULL;

			for (tok = strtok_r(optarg, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save)) {
				int m = fork_mode_parse(tok);

				if (m == FORK_MODE_INVALID || nmodes == 3) {
					fprintf(stderr, "forkmode-spawn: --mode: '%s' is not cow, stack, eager or inherit (at most 3)\n",
						tok);
					return 2;
				}
				mode[nmodes++] = m;
			}
			break;
		}
		case 'n': n = fl_parse_num("forkmode-spawn", "-n", optarg, 1, 1000000); break;
		case 'w': warmup = fl_parse_num("forkmode-spawn", "--warmup", optarg, 0, 1000000); break;
		default:
			fprintf(stderr, "usage: forkmode-spawn [--mode M] [-n N] [--warmup W] PATH\n");
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: forkmode-spawn [--mode M] [-n N] [--warmup W] PATH\n");
		return 2;
	}
	path = argv[optind];
	setvbuf(stdout, NULL, _IONBF, 0);
	fl_rseq_unregister();
	for (k = 0; k < nmodes; k++) {
		if (fork_mode_set(mode[k]) != 0) {
			printf("error=prctl(PR_SET_FORK_COPY_MODE, %d): %s\n",
			       mode[k], strerror(errno));
			return 1;
		}
	}
	ns = calloc((size_t)n, sizeof(*ns));
	ns_all = calloc((size_t)n, sizeof(*ns_all));
	if (!ns || !ns_all)
		return 1;
	for (i = 0; i < warmup; i++) {
		if (spawn_once(path) != 0) {
			printf("error=%s did not exit 0\n", path);
			return 1;
		}
	}
	/* /proc/vmstat is global: let the shell that started us settle. */
	usleep(100 * 1000);
	if (fl_read_file("/proc/vmstat", vm_before, sizeof(vm_before)) <= 0)
		return 1;
	for (i = 0; i < n; i++) {
		long long t0;
		int rc;

		if (nmodes > 1)
			fork_mode_set(mode[i % nmodes]);
		t0 = fl_now_ns();
		rc = spawn_once(path);
		ns[i] = fl_now_ns() - t0;
		if (nmodes > 1)
			ns_all[i] = ns[i];
		if (rc != 0) {
			printf("error=%s exited %d\n", path, rc);
			return 1;
		}
	}
	if (fl_read_file("/proc/vmstat", vm_after, sizeof(vm_after)) <= 0)
		return 1;
	if (nmodes <= 1)
		printf("mode=%s\n", fork_mode_name(fork_mode_get(NULL)));
	fl_kv("iterations", n);
	for (i = 0; i < (long)(sizeof(counters) / sizeof(counters[0])); i++) {
		long long a = fl_vmstat_get(vm_after, counters[i]);
		long long b = fl_vmstat_get(vm_before, counters[i]);

		snprintf(key, sizeof(key), "d_%s", counters[i]);
		fl_kv(key, a < 0 || b < 0 ? -1 : a - b);
	}
	fl_kv("wp_faults", fl_vmstat_get(vm_after, "cow_fault_copy") +
	      fl_vmstat_get(vm_after, "pgreuse") -
	      fl_vmstat_get(vm_before, "cow_fault_copy") -
	      fl_vmstat_get(vm_before, "pgreuse"));
	if (nmodes <= 1) {
		qsort(ns, (size_t)n, sizeof(*ns), fl_cmp_ll);
		fl_kv("median_ns", ns[n / 2]);
		fl_kv("p10_ns", ns[n / 10]);
		fl_kv("p90_ns", ns[n * 9 / 10]);
	}
	for (k = 0; nmodes > 1 && k < nmodes; k++) {
		long m = 0;

		/* this mode's samples, compacted to the front */
		for (i = k; i < n; i += nmodes)
			ns[m++] = ns[i];
		qsort(ns, (size_t)m, sizeof(*ns), fl_cmp_ll);
		printf("mode=%s samples=%ld median_ns=%lld p10_ns=%lld p90_ns=%lld\n",
		       fork_mode_name(mode[k]), m, ns[m / 2], ns[m / 10], ns[m * 9 / 10]);
		/* the other modes' samples are still where they were */
		for (i = 0; i < n; i++)
			ns[i] = ns_all[i];
	}
	free(ns);
	free(ns_all);
	return 0;
}
