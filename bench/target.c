// SPDX-License-Identifier: GPL-2.0
/*
 * forkbench's exec target, built twice: statically (forkbench-target-static)
 * and dynamically linked (forkbench-target-dynamic).  Its first act is to
 * read CLOCK_MONOTONIC and write the 8-byte timestamp to the file descriptor
 * named by argv[1], so forkbench measures the time until the new program
 * runs its own code, not only until fork or exec returned.
 */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec ts;
	uint64_t t;
	char *end;
	long fd;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	t = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	if (argc < 2)
		return 0;
	fd = strtol(argv[1], &end, 10);
	if (*end || fd < 0 || write((int)fd, &t, sizeof(t)) != (ssize_t)sizeof(t))
		return 1;
	return 0;
}
