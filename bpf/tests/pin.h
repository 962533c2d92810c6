/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pin_here - pin the calling process (and the children it forks later) to
 * the CPU it runs on.  A page faulted in sits in that CPU's LRU-add batch,
 * holding a reference, until the batch drains; do_wp_page drains only the
 * local CPU's batch before deciding, so a process that moved to another CPU
 * copies a page it could reuse.  The test programs predict exact reuses, so
 * every process of theirs stays on one CPU.
 */
#ifndef FORKLAB_PIN_H
#define FORKLAB_PIN_H

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

static inline int pin_here(const char *prog)
{
	int cpu = sched_getcpu();
	cpu_set_t set;

	if (cpu < 0) {
		fprintf(stderr, "%s: sched_getcpu: %s\n", prog, strerror(errno));
		return -1;
	}
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		fprintf(stderr, "%s: cannot pin to CPU %d: %s\n", prog, cpu, strerror(errno));
		return -1;
	}
	return 0;
}

#endif
