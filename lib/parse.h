/* SPDX-License-Identifier: GPL-2.0 */
/* Range-checked parsing of command-line values.  Every parser returns 0 on
 * success or -1 with a one-line message in err naming the bad value and what
 * is allowed. */
#ifndef FORKLAB_PARSE_H
#define FORKLAB_PARSE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define FB_ERRLEN 256

/* "0", or a number with a unit: B, K, M, G, T (binary: K = 1024), an
 * optional "iB"/"B" after the letter ("64MiB", "64MB" and "64M" are equal).
 * Fractions are allowed with a unit ("1.5G").  Values above max are refused. */
int parse_size(const char *s, uint64_t max, uint64_t *out, char *err, size_t errlen);

/* Unsigned decimal integer in [min, max]. */
int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out,
	      char *err, size_t errlen);

/* A process ID: decimal in [1, PARSE_PID_MAX] (PID_MAX_LIMIT of 64-bit
 * Linux: no kernel hands out a larger one, whatever kernel.pid_max says). */
#define PARSE_PID_MAX 4194304
int parse_pid(const char *s, pid_t *out, char *err, size_t errlen);

/* Decimal fraction in [0, 1] ("0.25"), or a percentage ("25%"). */
int parse_fraction(const char *s, double *out, char *err, size_t errlen);

/* Comma-separated list.  Calls fn(item, ctx) for every item; an empty item
 * ("a,,b", trailing comma) is an error.  Returns the number of items or -1. */
int parse_list(const char *s, int (*fn)(const char *item, void *ctx), void *ctx,
	       char *err, size_t errlen);

/* Index of s in the NULL-terminated table names, or -1 (then err lists the
 * allowed names). what names the option for the message. */
int parse_choice(const char *s, const char *const *names, const char *what,
		 char *err, size_t errlen);

/* s as it may appear in a one-line message: printable ASCII kept, other
 * bytes (newlines, escapes, UTF-8) as \xNN, at most 64 bytes of s (then
 * "...").  buf should have SHOWN_LEN bytes. */
#define SHOWN_LEN (64 * 4 + 8)
const char *parse_shown(const char *s, char *buf, size_t len);
/* The same for the n bytes at s (a NUL among them is shown too). */
const char *parse_shown_n(const char *s, size_t n, char *buf, size_t len);

/* Human-readable size: "0 B", "4 KiB", "1.5 GiB". */
const char *fmt_size(uint64_t bytes, char *buf, size_t len);

#endif
