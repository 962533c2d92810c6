/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ct_internal.h - what the parts of libcowtrace.a share (not installed:
 * programs use cowtrace_lib.h).
 */
#ifndef CT_INTERNAL_H
#define CT_INTERNAL_H

#include "cowtrace_lib.h"

/* ct_counters.c */
/* The row's status and note (*note) when no rule of the mode applies. */
enum ct_status ct_counter_default(enum ct_counter k, const char **note);
/* k and its per-mapping counts to 0. */
void ct_counts_clear(struct ct_counts *c, enum ct_counter k);

#endif /* CT_INTERNAL_H */
