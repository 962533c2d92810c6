// SPDX-License-Identifier: GPL-2.0
/*
 * syscall-check: the system calls forklab's benchmarks and the kernel's mm
 * selftests use really work in this kernel (a config fragment can ask for
 * an option and still miss it).  One PASS/FAIL line per call.
 *
 *   syscall-check      exit 0 if every call works
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/membarrier.h>
#include <linux/perf_event.h>
#include <linux/userfaultfd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096
#define HPAGE (2UL << 20)

static int failures;

static void result(const char *name, int ok, const char *what)
{
	if (ok) {
		printf("PASS: syscall/%s\n", name);
	} else {
		printf("FAIL: syscall/%s: %s: %s\n", name, what, strerror(errno));
		failures++;
	}
}

static void check_madvise(const char *name, int advice, size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		result(name, 0, "mmap");
		return;
	}
	result(name, madvise(p, len, advice) == 0, "madvise");
	munmap(p, len);
}

int main(void)
{
	char buf[PAGE], dst[PAGE];
	long fd;

	setvbuf(stdout, NULL, _IOLBF, 0);

	check_madvise("madvise-hugepage", MADV_HUGEPAGE, HPAGE);
	check_madvise("madvise-nohugepage", MADV_NOHUGEPAGE, HPAGE);
	check_madvise("madvise-dontfork", MADV_DONTFORK, PAGE);
	check_madvise("madvise-wipeonfork", MADV_WIPEONFORK, PAGE);
	check_madvise("madvise-populate-write", MADV_POPULATE_WRITE, 16 * PAGE);
	check_madvise("madvise-mergeable", MADV_MERGEABLE, 16 * PAGE);

	fd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	result("userfaultfd", fd >= 0, "userfaultfd");
	if (fd >= 0) {
		struct uffdio_api api = { .api = UFFD_API };

		result("userfaultfd-api", ioctl(fd, UFFDIO_API, &api) == 0, "UFFDIO_API");
		close(fd);
	}

	struct io_uring_params iop;

	memset(&iop, 0, sizeof(iop));
	fd = syscall(__NR_io_uring_setup, 4, &iop);
	result("io_uring_setup", fd >= 0, "io_uring_setup");
	if (fd >= 0)
		close(fd);

	fd = syscall(__NR_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
	result("membarrier", fd >= 0, "membarrier(QUERY)");

	int shm = shmget(IPC_PRIVATE, PAGE, IPC_CREAT | 0600);

	result("sysv-shm", shm >= 0, "shmget");
	if (shm >= 0)
		shmctl(shm, IPC_RMID, NULL);

	fd = memfd_create("forklab", MFD_CLOEXEC);
	result("memfd_create", fd >= 0, "memfd_create");
	if (fd >= 0)
		close(fd);

	struct perf_event_attr pa;

	memset(&pa, 0, sizeof(pa));
	pa.size = sizeof(pa);
	pa.type = PERF_TYPE_SOFTWARE;
	pa.config = PERF_COUNT_SW_PAGE_FAULTS;
	pa.exclude_kernel = 1;
	fd = syscall(__NR_perf_event_open, &pa, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	result("perf_event_open-page-faults", fd >= 0, "perf_event_open(PERF_COUNT_SW_PAGE_FAULTS)");
	if (fd >= 0)
		close(fd);

	union bpf_attr ba;

	memset(&ba, 0, sizeof(ba));
	ba.map_type = BPF_MAP_TYPE_ARRAY;
	ba.key_size = 4;
	ba.value_size = 8;
	ba.max_entries = 1;
	fd = syscall(__NR_bpf, BPF_MAP_CREATE, &ba, sizeof(ba));
	result("bpf-map-create", fd >= 0, "bpf(BPF_MAP_CREATE)");
	if (fd >= 0)
		close(fd);

	memset(buf, 7, sizeof(buf));
	struct iovec local = { dst, sizeof(dst) }, remote = { buf, sizeof(buf) };

	result("process_vm_readv",
	       syscall(__NR_process_vm_readv, getpid(), &local, 1, &remote, 1, 0) == PAGE,
	       "process_vm_readv");

	result("prctl-thp-disable", prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0 &&
	       prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0) == 1 &&
	       prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0) == 0, "prctl(PR_SET_THP_DISABLE)");

	timer_t timer;
	struct sigevent sev = { .sigev_notify = SIGEV_NONE };

	result("timer_create", timer_create(CLOCK_MONOTONIC, &sev, &timer) == 0, "timer_create");

	void *h = mmap(NULL, HPAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);

	result("mmap-hugetlb", h != MAP_FAILED, "mmap(MAP_HUGETLB) (needs vm.nr_hugepages >= 1)");
	if (h != MAP_FAILED) {
		memset(h, 1, HPAGE);
		munmap(h, HPAGE);
	}
	return failures ? 1 : 0;
}
