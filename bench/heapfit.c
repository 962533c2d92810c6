// SPDX-License-Identifier: GPL-2.0
/* What the machine allows a heap: memory for it, huge pages for it
 * (heapmem.h).  Apart from heapmem.c, which spawn's static worker links. */
#include "heapmem.h"
#include "parse.h"
#include "sysinfo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#define MIN_MARGIN (256ULL << 20)
#define THP_ENABLED "/sys/kernel/mm/transparent_hugepage/enabled"

int heap_fits(uint64_t need, const char *what, char *err, size_t errlen)
{
	uint64_t avail = mem_available_bytes(), margin = avail / 20;
	char a[32], b[32], m[32];

	if (margin < MIN_MARGIN)
		margin = MIN_MARGIN;
	if (need == 0)
		return 0;
	if (avail == 0 || need > avail || avail - need < margin) {
		snprintf(err, errlen,
			 "%s needs %s but only %s is available (MemAvailable minus a %s margin)",
			 what, fmt_size(need, a, sizeof(a)),
			 fmt_size(avail > margin ? avail - margin : 0, b, sizeof(b)),
			 fmt_size(margin, m, sizeof(m)));
		return -1;
	}
	return 0;
}

const char *thp_shortfall_why(void)
{
	static const char *const why[] = {
		"THP is disabled for this process (PR_SET_THP_DISABLE, inherited from its parent)",
		"THP is off: /sys/kernel/mm/transparent_hugepage/enabled is never",
		"this kernel has no transparent huge pages",
		"the kernel gave no more huge pages (memory fragmented? khugepaged may collapse them later)",
	};
	char *enabled;
	int k = 3;

	if (prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0) > 0)
		return why[0];
	enabled = read_choice(THP_ENABLED);
	if (!enabled)
		k = 2;
	else if (!strcmp(enabled, "never"))
		k = 1;
	free(enabled);
	return why[k];
}
