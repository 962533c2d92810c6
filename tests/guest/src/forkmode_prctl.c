// SPDX-License-Identifier: GPL-2.0
/*
 * forkmode-prctl - PR_SET_FORK_COPY_MODE / PR_GET_FORK_COPY_MODE: values,
 * the kernel's raw values (0 follows the sysctl, a mode + 1 else; GET
 * returns the setting), errors, inheritance by fork() children and
 * grandchildren, across
 * execve() and from another thread.  Prints PASS:/FAIL: lines (the format
 * of tests/lib.sh).  Leaves vm.fork_copy_mode alone; run it with the
 * sysctl at any value.
 *
 *   forkmode-prctl              run every check
 *   forkmode-prctl --report     exit with (own setting + 1): used by the
 *                               execve() check
 */
#include <limits.h>
#include <stdarg.h>
#include <pthread.h>

#include "forkmode_lib.h"

static int failures;

__attribute__((format(printf, 1, 2))) static const char *why(const char *fmt, ...)
{
	static char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return msg;
}

static void check(const char *name, int ok, const char *msg)
{
	if (ok) {
		printf("PASS: prctl/%s\n", name);
	} else {
		printf("FAIL: prctl/%s: %s\n", name, msg);
		failures++;
	}
}

static long raw_prctl(unsigned long op, unsigned long a2, unsigned long a3)
{
	long r = syscall(SYS_prctl, op, a2, a3, 0UL, 0UL);

	return r < 0 ? -errno : r;
}

static int own_setting(void)
{
	int own = -5;

	if (fork_mode_get(&own) < 0)
		return -5;
	return own;
}

/* Exit status of a child that reports its own setting (+1), or -1. */
static int child_reports(int grandchild)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (grandchild)
			_exit(child_reports(0) < 0 ? 255 : child_reports(0));
		_exit(own_setting() + 1);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int exec_reports(const char *self)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		execl(self, self, "--report", (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void *thread_sets_eager(void *arg)
{
	(void)arg;
	return (void *)(long)fork_mode_set(FORK_MODE_EAGER);
}

static void check_einval(const char *name, unsigned long op, unsigned long a2,
			 unsigned long a3, long expect)
{
	long r = raw_prctl(op, a2, a3);

	check(name, r == expect, why("returned %ld, expected %ld", r, expect));
}

int main(int argc, char **argv)
{
	long sysctl = fl_sysctl_get(FORK_MODE_SYSCTL);
	pthread_t t;
	void *tret;
	int m, own, got;
	long r;

	if (argc == 2 && strcmp(argv[1], "--report") == 0)
		return own_setting() + 1;
	setvbuf(stdout, NULL, _IONBF, 0);
	if (sysctl < 0 || !fork_mode_supported()) {
		printf("FAIL: prctl/kernel: no vm.fork_copy_mode: forklab's guest kernel lacks kernel-patch/\n");
		return 1;
	}

	own = -5;
	m = fork_mode_get(&own);
	check("get-initial-follows-sysctl", m == sysctl,
	      why("GET returned %d, sysctl is %ld", m, sysctl));
	check("get-initial-own-inherit", own == FORK_MODE_INHERIT,
	      why("own setting %d, expected -1", own));

	for (m = FORK_MODE_COW; m <= FORK_MODE_EAGER; m++) {
		char name[64];

		r = fork_mode_set(m);
		got = own_setting();
		snprintf(name, sizeof(name), "set-%s", fork_mode_name(m));
		check(name, r == 0 && got == m && fork_mode_get(NULL) == m,
		      why("set returned %ld, own setting now %d", r, got));
	}
	r = fork_mode_set(FORK_MODE_INHERIT);
	got = own_setting();
	check("set-inherit", r == 0 && got == FORK_MODE_INHERIT &&
	      fork_mode_get(NULL) == sysctl,
	      why("set returned %ld, own setting %d, effective %d", r, got,
		  fork_mode_get(NULL)));

	/* The kernel's own values: a setting is the mode + 1, 0 follows the
	 * sysctl, and GET returns the setting itself (no pointer). */
	for (m = 3; m >= 0; m--) {
		char name[64];

		r = raw_prctl(FORKLAB_PR_SET_FORK_COPY_MODE, (unsigned long)m, 0);
		got = (int)raw_prctl(FORKLAB_PR_GET_FORK_COPY_MODE, 0, 0);
		snprintf(name, sizeof(name), "raw-set-%d-get-%d", m, m);
		check(name, r == 0 && got == m,
		      why("SET %d returned %ld, GET returned %d", m, r, got));
	}

	check_einval("einval-4", FORKLAB_PR_SET_FORK_COPY_MODE, 4, 0, -EINVAL);
	check_einval("einval-minus-1", FORKLAB_PR_SET_FORK_COPY_MODE,
		     (unsigned long)-1L, 0, -EINVAL);
	check_einval("einval-32bit-minus-1", FORKLAB_PR_SET_FORK_COPY_MODE,
		     0xffffffffUL, 0, -EINVAL);
	check_einval("einval-int-min", FORKLAB_PR_SET_FORK_COPY_MODE,
		     (unsigned long)(long)INT_MIN, 0, -EINVAL);
	check_einval("einval-high-bits", FORKLAB_PR_SET_FORK_COPY_MODE,
		     (1UL << 32) | 2, 0, -EINVAL);
	check_einval("einval-set-arg3", FORKLAB_PR_SET_FORK_COPY_MODE, 2, 1, -EINVAL);
	check_einval("einval-get-arg2", FORKLAB_PR_GET_FORK_COPY_MODE, 8, 0, -EINVAL);
	check_einval("einval-get-arg3", FORKLAB_PR_GET_FORK_COPY_MODE, 0, 1, -EINVAL);
	got = own_setting();
	check("einval-leaves-setting", got == FORK_MODE_INHERIT,
	      why("own setting %d, expected -1", got));

	fork_mode_set(FORK_MODE_EAGER);
	got = child_reports(0) - 1;
	check("inherited-by-child", got == FORK_MODE_EAGER,
	      why("child reported %d, expected 2", got));
	got = child_reports(1) - 1;
	check("inherited-by-grandchild", got == FORK_MODE_EAGER,
	      why("grandchild reported %d, expected 2", got));
	fork_mode_set(FORK_MODE_STACK);
	got = exec_reports("/proc/self/exe") - 1;
	check("kept-across-exec", got == FORK_MODE_STACK,
	      why("exec'd program reported %d, expected 1", got));
	fork_mode_set(FORK_MODE_INHERIT);
	got = child_reports(0) - 1;
	check("inherit-inherited", got == FORK_MODE_INHERIT,
	      why("child reported %d, expected -1", got));

	if (pthread_create(&t, NULL, thread_sets_eager, NULL) == 0 &&
	    pthread_join(t, &tret) == 0) {
		got = own_setting();
		check("set-by-thread-applies-to-process",
		      tret == NULL && got == FORK_MODE_EAGER,
		      why("own setting %d, expected 2", got));
	} else {
		check("set-by-thread-applies-to-process", 0,
		      why("pthread_create failed: %s", strerror(errno)));
	}
	fork_mode_set(FORK_MODE_INHERIT);
	return failures ? 1 : 0;
}
