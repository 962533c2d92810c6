/* SPDX-License-Identifier: GPL-2.0 */
/* Bad input on the command line: the one-line error both programs print,
 *   prog: what: why (allowed: ...)
 * and exit status 2 (nothing was run). */
#ifndef FORKLAB_USAGE_H
#define FORKLAB_USAGE_H

#define USAGE_EXIT 2

/* Prints "prog: " and the formatted message on stderr as one line (a
 * newline inside it becomes a space) and exits with USAGE_EXIT.  prog is
 * the program's name, with its subcommand if it has one ("forkbench spawn"). */
void usage_die(const char *prog, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));

#endif
