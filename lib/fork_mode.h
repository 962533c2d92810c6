/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fork_mode.h - the user-space view of forklab's kernel patch series
 * (kernel-patch/): vm.fork_copy_mode = cow | stack | eager.
 *
 * No kernel headers needed: the prctl numbers and values are repeated here
 * (they match include/uapi/linux/prctl.h of the patched kernel).  The series
 * takes the next prctl numbers of 6.12 (74, 75), which later kernels give
 * to other options: the prctls are only called once the sysctl file shows
 * the series is there (fork_mode_supported()), and fail with ENOSYS else.
 *
 *   enum fork_mode m = fork_mode_parse("eager"); FORK_MODE_EAGER, or -2
 *   if (fork_mode_set(m) != 0) ...               errno: ENOSYS (no patch),
 *                                                EPERM (above fork_copy_prctl_max)
 *   int eff = fork_mode_get(&own);               0..2, own = -1..2
 *
 * Modes (sysctl value = prctl value):
 *   cow   (0)  share every private anonymous page copy-on-write (stock)
 *   stack (1)  copy the fork_copy_stack_pages pages centred on the user
 *              stack pointer at fork, the rest copy-on-write
 *   eager (2)  copy every private anonymous page at fork; nothing is
 *              write-protected, and a fork that write-protected nothing
 *              skips the flush of the parent's TLB
 *   inherit (-1, prctl only)  follow /proc/sys/vm/fork_copy_mode
 * The prctl's values are these + 1, its 0 (PR_FORK_COPY_DEFAULT) is
 * inherit: fork_mode_set() and fork_mode_get() convert.
 *
 * The per-process setting is inherited by fork() children and kept across
 * execve(), except one that gains privilege (setuid...), which resets it.
 * vm.fork_copy_prctl_max caps it.  Stack and eager forks of a process with
 * a second thread run as cow (counted in fork_copy_threaded).
 */
#ifndef FORKLAB_FORK_MODE_H
#define FORKLAB_FORK_MODE_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

/* prctl options and values (include/uapi/linux/prctl.h of the series) */
#define FORKLAB_PR_SET_FORK_COPY_MODE	74
#define FORKLAB_PR_GET_FORK_COPY_MODE	75
#define FORKLAB_PR_FORK_COPY_DEFAULT	0	/* follow vm.fork_copy_mode */
#define FORKLAB_PR_FORK_COPY_COW	1	/* a mode + 1 */
#define FORKLAB_PR_FORK_COPY_EAGER	3

/* The mode: the sysctl's and the prctl's value.  Functions that take or
 * return a mode use this type; a plain int converts to it (the prctl's -1
 * on error is kept apart from FORK_MODE_INHERIT by fork_mode_get()). */
enum fork_mode {
	FORK_MODE_INVALID = -2,	/* fork_mode_parse(): unknown name */
	FORK_MODE_INHERIT = -1,	/* prctl only: follow the sysctl */
	FORK_MODE_COW = 0,
	FORK_MODE_STACK = 1,
	FORK_MODE_EAGER = 2,
};
/* The modes a fork runs in: cow, stack, eager (0 .. FORK_MODE_NR - 1). */
#define FORK_MODE_NR 3

/* sysctls */
#define FORK_MODE_SYSCTL		"/proc/sys/vm/fork_copy_mode"
#define FORK_MODE_STACK_PAGES_SYSCTL	"/proc/sys/vm/fork_copy_stack_pages"
#define FORK_MODE_STACK_PAGES_MAX	64
#define FORK_MODE_PRCTL_MAX_SYSCTL	"/proc/sys/vm/fork_copy_prctl_max"

/* /proc/vmstat counters the series adds (pgreuse already exists). */
#define FORK_MODE_VMSTAT_COW_FAULT_COPY		"cow_fault_copy"
#define FORK_MODE_VMSTAT_EAGER_COPY		"fork_eager_copy"
#define FORK_MODE_VMSTAT_EAGER_FALLBACK		"fork_eager_fallback"
#define FORK_MODE_VMSTAT_STACK_COPY		"fork_stack_copy"
#define FORK_MODE_VMSTAT_TLB_FLUSH_SKIPPED	"fork_tlb_flush_skipped"
#define FORK_MODE_VMSTAT_COPY_THREADED		"fork_copy_threaded"

/* "cow", "stack", "eager", NULL: the names of the modes a fork runs in, by
 * value (a table for parse_choice() of lib/parse.h). */
static inline const char *const *fork_mode_names(void)
{
	static const char *const names[FORK_MODE_NR + 1] = { "cow", "stack", "eager", NULL };

	return names;
}

/* "cow", "stack", "eager", "inherit"; "?" for any other value. */
static inline const char *fork_mode_name(enum fork_mode mode)
{
	if (mode == FORK_MODE_INHERIT)
		return "inherit";
	if (mode >= FORK_MODE_COW && (int)mode < FORK_MODE_NR)
		return fork_mode_names()[mode];
	return "?";
}

/* "cow", "stack", "eager", "inherit" or "-1".."2"; FORK_MODE_INVALID else. */
static inline enum fork_mode fork_mode_parse(const char *s)
{
	int i;

	if (strcmp(s, "inherit") == 0 || strcmp(s, "-1") == 0)
		return FORK_MODE_INHERIT;
	for (i = 0; i < FORK_MODE_NR; i++) {
		if (strcmp(s, fork_mode_names()[i]) == 0 ||
		    (s[0] == (char)('0' + i) && s[1] == '\0'))
			return (enum fork_mode)i;
	}
	return FORK_MODE_INVALID;
}

/* Whether the running kernel has the series: its sysctl file exists. */
static inline int fork_mode_supported(void)
{
	return access(FORK_MODE_SYSCTL, F_OK) == 0;
}

/* A sysctl of the series as an int, or -1 with errno set. */
static inline int fork_mode_sysctl_read(const char *path)
{
	FILE *f = fopen(path, "re");
	int v = -1, n = 0;

	if (f) {
		n = fscanf(f, "%d", &v);
		fclose(f);
	}
	if (n != 1) {
		errno = f ? EIO : errno;
		return -1;
	}
	return v;
}

/*
 * Set the calling process's mode (FORK_MODE_INHERIT..FORK_MODE_EAGER).
 * Returns 0, or -1 with errno set (EINVAL: bad mode, EPERM: above
 * vm.fork_copy_prctl_max, ENOSYS: the kernel has no series).
 */
static inline int fork_mode_set(enum fork_mode mode)
{
	if (!fork_mode_supported()) {
		errno = ENOSYS;
		return -1;
	}
	int setting = (int)mode + 1;	/* FORK_MODE_INHERIT: 0 */

	return prctl(FORKLAB_PR_SET_FORK_COPY_MODE, (unsigned long)setting, 0UL, 0UL, 0UL);
}

/*
 * The mode the calling process's next fork() uses while it has a single
 * thread (FORK_MODE_COW .. FORK_MODE_EAGER): its own setting capped by
 * vm.fork_copy_prctl_max, or vm.fork_copy_mode if it has none; -1 with
 * errno set on error.  If own is not NULL, the process's own setting
 * (FORK_MODE_INHERIT .. FORK_MODE_EAGER) goes there.
 */
static inline int fork_mode_get(int *own)
{
	int set, max;

	if (!fork_mode_supported()) {
		errno = ENOSYS;
		return -1;
	}
	set = prctl(FORKLAB_PR_GET_FORK_COPY_MODE, 0UL, 0UL, 0UL, 0UL);
	if (set < FORKLAB_PR_FORK_COPY_DEFAULT || set > FORKLAB_PR_FORK_COPY_EAGER) {
		errno = set < 0 ? errno : ERANGE;
		return -1;
	}
	if (own)
		*own = set - 1;
	if (set == FORKLAB_PR_FORK_COPY_DEFAULT)
		return fork_mode_sysctl_read(FORK_MODE_SYSCTL);
	max = fork_mode_sysctl_read(FORK_MODE_PRCTL_MAX_SYSCTL);
	if (max < 0)
		return -1;
	return set - 1 < max ? set - 1 : max;
}

#endif /* FORKLAB_FORK_MODE_H */
