/* SPDX-License-Identifier: GPL-2.0 */
/* forkbench's command line (cli.c). */
#ifndef FORKLAB_CLI_H
#define FORKLAB_CLI_H

#include "forkbench.h"

/* forkbench BENCH [OPTION...]: the benchmark, with c filled in from its
 * options and checked (the benchmark's check()).  --help, --version and
 * metadata print and exit 0; bad input exits 2 after a one-line message. */
const struct fb_bench *cli_parse(int argc, char **argv, struct fb_common *c);
/* Bad input for b: "forkbench NAME: msg" as one line, exit 2. */
void cli_die(const struct fb_bench *b, const char *msg) __attribute__((noreturn));

#endif
