// SPDX-License-Identifier: GPL-2.0
/*
 * forkmode-secure - who may choose a fork copy mode (kernel-patch/ 0007):
 *   - an execve() that gains privilege (setuid, setgid) resets the
 *     per-process mode to inherit; a plain execve() keeps it;
 *   - vm.fork_copy_prctl_max caps what PR_SET_FORK_COPY_MODE accepts
 *     (EPERM above it, for an unprivileged user and for root alike);
 *   - the cap also holds at fork for a process that chose a higher mode
 *     before it was lowered: its forks copy nothing.
 * Prints PASS:/FAIL: lines (tests/lib.sh's format).  Run as root by
 * tests/guest/forkmode-secure.sh, which saves and restores the sysctls.
 *
 *   forkmode-secure SUID SGID PLAIN   every check; SUID is a setuid-root
 *                                     copy of this program, SGID a
 *                                     setgid-root one, PLAIN a plain one
 *   forkmode-secure --report          exit with (own setting + 1), plus 8
 *                                     if its euid is 0, 16 if its egid is 0
 */
#include <sys/types.h>

#include "forkmode_lib.h"

#define NOBODY 65534
#define CAP_SYSCTL FORK_MODE_PRCTL_MAX_SYSCTL
#define HEAP_PAGES 64



static int write_sysctl(const char *path, int v)
{
	char buf[16];
	int fd = open(path, O_WRONLY), n, ok;

	if (fd < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "%d\n", v);
	ok = write(fd, buf, (size_t)n) == n;
	close(fd);
	return ok ? 0 : -1;
}

static int drop_to_nobody(void)
{
	return setresgid(NOBODY, NOBODY, NOBODY) || setresuid(NOBODY, NOBODY, NOBODY);
}

#define REPORT_EUID0 8
#define REPORT_EGID0 16

/*
 * In a child that drops to nobody, sets mode, and execs path --report:
 * what the exec'd program reported (see main), or -1 if something failed.
 */
static int report_after_exec(const char *path, int mode)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (drop_to_nobody() || fork_mode_set(mode))
			_exit(0);
		execl(path, path, "--report", (char *)NULL);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) == 0)
		return -1;
	return WEXITSTATUS(status);
}

/* The setting in a report, -1..2 (or -9: no report). */
static int report_setting(int r)
{
	return r < 0 ? -9 : (r & 7) - 1;
}

/*
 * In a child (as nobody if unpriv), PR_SET_FORK_COPY_MODE(mode): 0, or the
 * errno it failed with.
 */
static int set_errno_as(int unpriv, int mode)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (unpriv && drop_to_nobody())
			_exit(100);
		_exit(fork_mode_set(mode) ? errno : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}


/* fork_eager_copy added by one fork of this process (child exits at once). */
static long long eager_copies_of_one_fork(void)
{
	long long before = fl_vmstat_now(FORK_MODE_VMSTAT_EAGER_COPY), after;
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	after = fl_vmstat_now(FORK_MODE_VMSTAT_EAGER_COPY);
	return before < 0 || after < 0 ? -1 : after - before;
}

static void check_exec(const char *suid, const char *sgid, const char *plain)
{
	int m, r;

	for (m = FORK_MODE_COW; m <= FORK_MODE_EAGER; m++) {
		r = report_after_exec(plain, m);
		fl_check(r >= 0 && !(r & (REPORT_EUID0 | REPORT_EGID0)) && report_setting(r) == m,
		      "plain-exec-keeps-%s: nobody set %s, a plain exec reported %d (setting %d)",
		      fork_mode_name(m), fork_mode_name(m), r, report_setting(r));
		r = report_after_exec(suid, m);
		/* euid 0 shows the exec was setuid (no nosuid mount in the way). */
		fl_check(r >= 0 && (r & REPORT_EUID0) && report_setting(r) == FORK_MODE_INHERIT,
		      "setuid-exec-resets-%s: nobody set %s, the setuid-root program reported %d (setting %d, want euid 0 and -1)",
		      fork_mode_name(m), fork_mode_name(m), r, report_setting(r));
		r = report_after_exec(sgid, m);
		fl_check(r >= 0 && (r & REPORT_EGID0) && report_setting(r) == FORK_MODE_INHERIT,
		      "setgid-exec-resets-%s: nobody set %s, the setgid-root program reported %d (setting %d, want egid 0 and -1)",
		      fork_mode_name(m), fork_mode_name(m), r, report_setting(r));
	}
}

static void check_cap(void)
{
	int cap, m, want, unpriv, got;

	for (cap = 0; cap <= 2; cap++) {
		if (write_sysctl(CAP_SYSCTL, cap)) {
			fl_check(0, "cap-%d: cannot write %s: %s", cap, CAP_SYSCTL, strerror(errno));
			continue;
		}
		for (unpriv = 0; unpriv <= 1; unpriv++) {
			for (m = FORK_MODE_INHERIT; m <= FORK_MODE_EAGER; m++) {
				want = m > cap ? EPERM : 0;
				got = set_errno_as(unpriv, m);
				fl_check(got == want, "cap-%d-%s-sets-%s: errno %d (want %d)", cap,
				      unpriv ? "nobody" : "root", fork_mode_name(m), got, want);
			}
		}
	}
}

/* A process that chose eager under cap 2 forks as cow once the cap is 0. */
static void check_cap_at_fork(void)
{
	char *heap = mmap(NULL, HEAP_PAGES * FL_PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long long copies;
	int own = -5;

	if (heap == MAP_FAILED) {
		fl_check(0, "cap-at-fork: mmap: %s", strerror(errno));
		return;
	}
	memset(heap, 1, HEAP_PAGES * FL_PAGE);
	if (write_sysctl(CAP_SYSCTL, 2) || fork_mode_set(FORK_MODE_EAGER)) {
		fl_check(0, "cap-at-fork: set eager under cap 2: %s", strerror(errno));
		return;
	}
	copies = eager_copies_of_one_fork();
	fl_check(copies >= HEAP_PAGES, "cap-at-fork-2: an eager fork copied %lld pages (want >= %d)",
	      copies, HEAP_PAGES);
	if (write_sysctl(CAP_SYSCTL, 0)) {
		fl_check(0, "cap-at-fork: cannot write %s: %s", CAP_SYSCTL, strerror(errno));
		return;
	}
	fl_check(fork_mode_get(&own) == FORK_MODE_COW && own == FORK_MODE_EAGER,
	      "cap-at-fork-get: effective mode %d, own setting %d under cap 0 (want 0, 2: "
	      "PR_GET_FORK_COPY_MODE returns the setting, the cap applies at fork)",
	      fork_mode_get(NULL), own);
	copies = eager_copies_of_one_fork();
	fl_check(copies == 0, "cap-at-fork-0: a fork chosen eager under cap 0 copied %lld pages (want 0)",
	      copies);
	write_sysctl(CAP_SYSCTL, 2);
	fork_mode_set(FORK_MODE_INHERIT);
	munmap(heap, HEAP_PAGES * FL_PAGE);
}

int main(int argc, char **argv)
{
	int own = -5;

	if (argc == 2 && strcmp(argv[1], "--report") == 0) {
		if (fork_mode_get(&own) < 0)
			return 0;
		return (own + 1) | (geteuid() == 0 ? REPORT_EUID0 : 0) |
		       (getegid() == 0 ? REPORT_EGID0 : 0);
	}
	if (argc != 4) {
		fprintf(stderr, "usage: forkmode-secure SUID SGID PLAIN | --report\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	fl_check_prefix = "secure";
	if (geteuid() != 0) {
		printf("SKIP: secure: must run as root (it drops to uid %d itself)\n", NOBODY);
		return 0;
	}
	if (write_sysctl(CAP_SYSCTL, 2)) {
		printf("FAIL: secure/cap-sysctl: cannot write %s: %s\n", CAP_SYSCTL,
		       strerror(errno));
		return 1;
	}
	check_exec(argv[1], argv[2], argv[3]);
	check_cap();
	check_cap_at_fork();
	return fl_failures ? 1 : 0;
}
