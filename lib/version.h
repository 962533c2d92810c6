/* SPDX-License-Identifier: GPL-2.0 */
/* Which forklab a program was built from, for --version and metadata. */
#ifndef FORKLAB_VERSION_H
#define FORKLAB_VERSION_H

/* The git revision of the build ("ad37ed1", "ad37ed1-dirty"), or "unknown"
 * when it was built outside a git checkout. */
const char *forklab_revision(void);

#endif
