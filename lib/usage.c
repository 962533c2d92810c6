// SPDX-License-Identifier: GPL-2.0
#include "usage.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void usage_die(const char *prog, const char *fmt, ...)
{
	char msg[1024], *nl;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (nl = strchr(msg, '\n'); nl; nl = strchr(nl, '\n'))
		*nl = ' ';
	fprintf(stderr, "%s: %s\n", prog, msg);
	exit(USAGE_EXIT);
}
