// SPDX-License-Identifier: GPL-2.0
/*
 * kprobe-check: BPF inside the forklab guest.  Opens a CO-RE object, loads
 * it against the running kernel's own BTF (/sys/kernel/btf/vmlinux),
 * attaches kprobes on copy_page_range and flush_tlb_mm_range and an fentry
 * on copy_page_range, then forks a child that writes N pages of a mapping
 * and checks that every probe fired for that fork, and that the CO-RE read
 * of vm_area_struct::vm_start found the mapping (copy_page_range runs once
 * per copied VMA).
 *
 *   kprobe-check [-n PAGES]     prints PASS/FAIL/SKIP lines; exit 0 if all pass
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "kprobe_check.h"
#include "kprobe_check.skel.h"

static int failures;

static void pass(const char *name)
{
	printf("PASS: %s\n", name);
}

static void __attribute__((format(printf, 2, 3))) fail(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("FAIL: %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	failures++;
}

static int __attribute__((format(printf, 2, 0)))
print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void check_min(const char *name, __u64 min, __u64 got)
{
	if (got >= min)
		pass(name);
	else
		fail(name, "expected >= %llu, got %llu", (unsigned long long)min,
		     (unsigned long long)got);
}

static void check_eq(const char *name, __u64 want, __u64 got)
{
	if (got == want)
		pass(name);
	else
		fail(name, "expected %llu, got %llu", (unsigned long long)want,
		     (unsigned long long)got);
}

static int attach(struct bpf_program *prog, const char *name, struct bpf_link **link)
{
	*link = bpf_program__attach(prog);
	if (!*link) {
		fail(name, "%s", strerror(errno));
		return -1;
	}
	pass(name);
	return 0;
}

int main(int argc, char **argv)
{
	struct bpf_link *l_copy = NULL, *l_flush = NULL, *l_fentry = NULL;
	struct kprobe_check *skel = NULL;
	long pages = 64;
	int opt, status, fentry = 1, err;
	char *base, *region;
	pid_t pid;

	while ((opt = getopt(argc, argv, "n:h")) != -1) {
		char *end;

		switch (opt) {
		case 'n':
			errno = 0;
			pages = strtol(optarg, &end, 10);
			if (errno || *end || pages < 1 || pages > 65536) {
				fprintf(stderr, "kprobe-check: -n '%s': want 1..65536 pages\n", optarg);
				return 2;
			}
			break;
		default:
			fprintf(stderr, "usage: kprobe-check [-n PAGES]\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(print_libbpf);

	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		fail("bpf/guest-btf", "/sys/kernel/btf/vmlinux: %s", strerror(errno));
		return 1;
	}
	pass("bpf/guest-btf");

	/* The watched mapping sits between two PROT_NONE guard pages, so it
	 * cannot merge with a neighbour and its VMA starts where we say. */
	base = mmap(NULL, (pages + 2) * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED) {
		fail("bpf/setup", "mmap: %s", strerror(errno));
		return 1;
	}
	region = base + 4096;
	if (mprotect(region, pages * 4096, PROT_READ | PROT_WRITE)) {
		fail("bpf/setup", "mprotect: %s", strerror(errno));
		return 1;
	}
	memset(region, 1, pages * 4096);

	for (;;) {
		skel = kprobe_check__open();
		if (!skel) {
			fail("bpf/open", "%s", strerror(errno));
			return 1;
		}
		skel->rodata->watch_tgid = getpid();
		skel->rodata->watch_start = (__u64)(unsigned long)region;
		if (!fentry)
			bpf_program__set_autoload(skel->progs.fentry_copy_page_range, false);
		err = kprobe_check__load(skel);
		if (!err)
			break;
		if (fentry) {
			/* Tell fentry apart from everything else. */
			fail("bpf/fentry-load-copy_page_range", "load failed: %s", strerror(-err));
			kprobe_check__destroy(skel);
			fentry = 0;
			continue;
		}
		fail("bpf/load-co-re-with-guest-btf", "%s", strerror(-err));
		goto cleanup;
	}
	pass("bpf/load-co-re-with-guest-btf");
	if (fentry)
		pass("bpf/fentry-load-copy_page_range");

	attach(skel->progs.kprobe_copy_page_range, "bpf/kprobe-attach-copy_page_range", &l_copy);
	attach(skel->progs.kprobe_flush_tlb_mm_range, "bpf/kprobe-attach-flush_tlb_mm_range", &l_flush);
	if (fentry)
		attach(skel->progs.fentry_copy_page_range, "bpf/fentry-attach-copy_page_range", &l_fentry);

	pid = fork();
	if (pid < 0) {
		fail("bpf/setup", "fork: %s", strerror(errno));
		goto cleanup;
	}
	if (pid == 0) {
		for (long i = 0; i < pages; i++)
			region[i * 4096] = 2;
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fail("bpf/setup", "child ended badly (status 0x%x)", status);
		goto cleanup;
	}

	__u64 *c = skel->bss->counters;
	printf("# fork of pid %d: kprobe copy_page_range %llu (watched VMA %llu), flush_tlb_mm_range %llu; fentry copy_page_range %llu (watched VMA %llu)\n",
	       (int)getpid(), (unsigned long long)c[KC_KPROBE_COPY],
	       (unsigned long long)c[KC_KPROBE_COPY_VMA], (unsigned long long)c[KC_KPROBE_FLUSH],
	       (unsigned long long)c[KC_FENTRY_COPY], (unsigned long long)c[KC_FENTRY_COPY_VMA]);
	if (l_copy) {
		check_min("bpf/kprobe-fires-copy_page_range", 1, c[KC_KPROBE_COPY]);
		check_eq("bpf/kprobe-co-re-read-vm_start", 1, c[KC_KPROBE_COPY_VMA]);
	}
	if (l_flush)
		check_min("bpf/kprobe-fires-flush_tlb_mm_range", 1, c[KC_KPROBE_FLUSH]);
	if (l_fentry) {
		check_min("bpf/fentry-fires-copy_page_range", 1, c[KC_FENTRY_COPY]);
		check_eq("bpf/fentry-btf-read-vm_start", 1, c[KC_FENTRY_COPY_VMA]);
	}

cleanup:
	bpf_link__destroy(l_fentry);
	bpf_link__destroy(l_flush);
	bpf_link__destroy(l_copy);
	kprobe_check__destroy(skel);
	return failures ? 1 : 0;
}
