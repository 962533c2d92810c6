// SPDX-License-Identifier: GPL-2.0
#include "version.h"

/* The build passes it (mk/lib.mk: git describe --always --dirty). */
#ifndef FORKLAB_GIT
#define FORKLAB_GIT "unknown"
#endif

const char *forklab_revision(void)
{
	return FORKLAB_GIT;
}
