/* SPDX-License-Identifier: GPL-2.0 */
/* Minimal unit-test helpers: each check prints one PASS:/FAIL: line for
 * tests/run.sh; main returns non-zero if any check failed. */
#ifndef FORKLAB_UNIT_H
#define FORKLAB_UNIT_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int unit_failed;

#define CHECK(name, cond)                                                        \
	do {                                                                     \
		if (cond) {                                                      \
			printf("PASS: %s\n", name);                              \
		} else {                                                         \
			printf("FAIL: %s: %s (%s:%d)\n", name, #cond, __FILE__, __LINE__); \
			unit_failed = 1;                                         \
		}                                                                \
	} while (0)

#define CHECK_NUM(name, want, got)                                               \
	do {                                                                     \
		double w_ = (want), g_ = (got);                                  \
		if ((isnan(w_) && isnan(g_)) || fabs(w_ - g_) <= 1e-9 * (fabs(w_) + 1)) { \
			printf("PASS: %s\n", name);                              \
		} else {                                                         \
			printf("FAIL: %s: want %.10g, got %.10g\n", name, w_, g_); \
			unit_failed = 1;                                         \
		}                                                                \
	} while (0)

#define CHECK_STR(name, want, got)                                               \
	do {                                                                     \
		const char *w_ = (want), *g_ = (got);                            \
		if (g_ && !strcmp(w_, g_)) {                                     \
			printf("PASS: %s\n", name);                              \
		} else {                                                         \
			printf("FAIL: %s: want [%s], got [%s]\n", name, w_, g_ ? g_ : "(null)"); \
			unit_failed = 1;                                         \
		}                                                                \
	} while (0)

#endif
