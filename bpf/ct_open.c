// SPDX-License-Identifier: GPL-2.0
/*
 * ct_open.c - ct_open and ct_close: preflight, the probe modes to try in
 * order, and in each mode the loads that drop a function that cannot be
 * probed until one attaches (see ct_internal.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "ct_internal.h"

#define MAX_MODES	3

static int g_verbose;

__attribute__((format(printf, 2, 0)))
static int print_fn(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (g_verbose == 0 || (level == LIBBPF_DEBUG && g_verbose < 2))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

int ct_fail(char *err, size_t len, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return code;
}

/* A probe mode in messages: "no" for auto and tracepoint (no probes). */
static const char *mode_label(enum ct_mode mode)
{
	switch (mode) {
	case CT_MODE_KPROBE:	return "kprobe";
	case CT_MODE_FENTRY:	return "fentry";
	default:		return "no";
	}
}

/* A tracer with its options, CPUs and tracefs, nothing loaded yet; or
 * NULL with a ct_error in *rc. */
static struct ct_tracer *tracer_new(const struct ct_options *o, int *rc, char *err,
				    size_t errlen)
{
	struct ct_tracer *t = calloc(1, sizeof(*t));

	if (!t) {
		*rc = ct_fail(err, errlen, CT_ERR_BPF, "out of memory");
		return NULL;
	}
	t->opt = *o;
	if (!t->opt.max_procs)
		t->opt.max_procs = 16384;
	t->ncpus = libbpf_num_possible_cpus();
	if (t->ncpus <= 0)
		*rc = ct_fail(err, errlen, CT_ERR_BPF, "cannot count the CPUs");
	else
		*rc = ct_find_tracefs(t->tracefs, sizeof(t->tracefs), err, errlen);
	if (!*rc)
		return t;
	free(t);
	return NULL;
}

/* Auto: the mode that probes more functions, fentry (cheaper) on a tie,
 * then tracepoint mode. */
static int plan_auto(struct ct_tracer *t, const struct ct_funcs *fn, enum ct_mode *modes)
{
	int i, n = 0, n_fe = 0, n_kp = 0;
	int kp_ok = fn->any_ks && ct_have_kprobes(t->tracefs);

	for (i = 0; i < PR_NR; i++) {
		n_fe += fn->btf[i] && fn->ks[i];
		n_kp += fn->ks[i] && (fn->ks[i] == 1 || i == PR_DUP_MMAP ||
				      i >= PR_COPY_PAGE_RANGE || fn->ks[PR_DO_WP_PAGE] == 1);
	}
	if (kp_ok && n_kp > n_fe)
		modes[n++] = CT_MODE_KPROBE;
	if (fn->any_btf)
		modes[n++] = CT_MODE_FENTRY;
	else
		ct_note_mode(t, "fentry", "none of the functions is in kernel BTF and kallsyms");
	if (kp_ok && n_kp <= n_fe)
		modes[n++] = CT_MODE_KPROBE;
	else if (!kp_ok)
		ct_note_mode(t, "kprobe", !fn->any_ks ? "none of the functions is in kallsyms"
			     : "this kernel has no kprobes");
	modes[n++] = CT_MODE_TRACEPOINT;
	return n;
}

/* The modes to try, in order, into modes[MAX_MODES] (*n of them): 0, or
 * CT_ERR_MODE when the requested mode cannot work here. */
static int plan_modes(struct ct_tracer *t, const struct ct_funcs *fn, enum ct_mode *modes,
		      int *n, char *err, size_t errlen)
{
	*n = 1;
	switch (t->opt.mode) {
	case CT_MODE_FENTRY:
		modes[0] = CT_MODE_FENTRY;
		if (!fn->any_btf)
			return ct_fail(err, errlen, CT_ERR_MODE,
				       "fentry mode: none of do_wp_page, wp_page_copy, wp_page_reuse, "
				       "dup_mmap, copy_page_range is a function in this kernel's BTF "
				       "and kallsyms (inlined?)");
		return 0;
	case CT_MODE_KPROBE:
		modes[0] = CT_MODE_KPROBE;
		if (!ct_have_kprobes(t->tracefs))
			return ct_fail(err, errlen, CT_ERR_MODE,
				       "kprobe mode: this kernel has no kprobes (no kprobe PMU, no "
				       "%s/kprobe_events)", t->tracefs);
		if (!fn->any_ks)
			return ct_fail(err, errlen, CT_ERR_MODE,
				       "kprobe mode: none of do_wp_page, wp_page_copy, wp_page_reuse, "
				       "dup_mmap, copy_page_range is in /proc/kallsyms (inlined)");
		return 0;
	case CT_MODE_TRACEPOINT:
		modes[0] = CT_MODE_TRACEPOINT;
		return 0;
	default:
		*n = plan_auto(t, fn, modes);
		return 0;
	}
}

/* Which functions mode may probe, and why not the others. */
static void set_usable(struct ct_tracer *t, const struct ct_funcs *fn, enum ct_mode mode)
{
	int i;

	for (i = 0; i < PR_NR; i++) {
		t->usable[i] = mode == CT_MODE_FENTRY ? fn->btf[i] && fn->ks[i]
			     : mode == CT_MODE_KPROBE ? fn->ks[i] : 0;
		if (mode == CT_MODE_TRACEPOINT)
			snprintf(t->why[i], sizeof(t->why[i]), "not used in tracepoint mode");
		else if (!fn->ks[i])
			snprintf(t->why[i], sizeof(t->why[i]), "not in /proc/kallsyms (inlined)%s",
				 getenv("COWTRACE_NO_PROBE") ? " or COWTRACE_NO_PROBE" : "");
		else if (mode == CT_MODE_FENTRY && fn->ks[i] == 2)
			snprintf(t->why[i], sizeof(t->why[i]),
				 "only the clone %.40s, which fentry cannot name", fn->clone[i]);
		else if (mode == CT_MODE_FENTRY && !fn->btf[i])
			snprintf(t->why[i], sizeof(t->why[i]), "not a function in kernel BTF");
		else
			t->why[i][0] = 0;
	}
}

static int any_usable(const struct ct_tracer *t)
{
	int i, any = 0;

	for (i = 0; i < PR_NR; i++)
		any |= t->usable[i];
	return any;
}

/* Loads in mode, dropping each function that fails, until all attach:
 * 0, LOAD_NEXT_MODE (the last reason in last) or a ct_error. */
static int load_mode(struct ct_tracer *t, enum ct_mode mode, char *last, size_t lastlen,
		     char *err, size_t errlen)
{
	int tries, rc;

	t->no_sys = 0;
	t->no_lock = 0;
	for (tries = 0; tries <= PR_NR + 1; tries++) {
		rc = ct_try_load(t, mode, err, errlen);
		if (rc == 0)
			return 0;
		ct_unload(t);
		if (rc != LOAD_RETRY && rc != LOAD_NEXT_MODE)
			return rc;
		snprintf(last, lastlen, "%s", err);
		if (rc == LOAD_NEXT_MODE || (mode != CT_MODE_TRACEPOINT && !any_usable(t)))
			break;
	}
	return LOAD_NEXT_MODE;
}

/* The first of modes that loads: 0, or a ct_error with its reason. */
static int load_first(struct ct_tracer *t, const struct ct_funcs *fn, const enum ct_mode *modes,
		      int nmodes, char *err, size_t errlen)
{
	char last[256] = "";
	int m, rc;

	for (m = 0; m < nmodes; m++) {
		set_usable(t, fn, modes[m]);
		rc = load_mode(t, modes[m], last, sizeof(last), err, errlen);
		if (rc == 0) {
			t->mode = modes[m];
			return 0;
		}
		if (rc != LOAD_NEXT_MODE)
			return rc;
		ct_note_mode(t, mode_label(modes[m]), last);
	}
	return ct_fail(err, errlen, CT_ERR_MODE, "%s mode is not possible here: %s",
		       mode_label(t->opt.mode), last[0] ? last : "every probe failed to attach");
}

int ct_open(struct ct_tracer **tp, const struct ct_options *o, char *err, size_t errlen)
{
	struct ct_tracer *t = NULL;
	enum ct_mode modes[MAX_MODES];
	struct ct_funcs fn;
	int i, rc, nmodes, any = 0;

	*tp = NULL;
	g_verbose = o->verbose;
	libbpf_set_print(print_fn);
	rc = ct_preflight(o, err, errlen);
	if (!rc)
		t = tracer_new(o, &rc, err, errlen);
	if (!t)
		goto cleanup;
	ct_find_funcs(t, &fn);
	rc = plan_modes(t, &fn, modes, &nmodes, err, errlen);
	if (!rc)
		rc = load_first(t, &fn, modes, nmodes, err, errlen);
	if (rc)
		goto cleanup;
	/* a mode that attached no probe at all is tracepoint mode */
	for (i = 0; i < PR_NR; i++)
		any |= t->attached[i];
	if (!any)
		t->mode = CT_MODE_TRACEPOINT;
	ct_compute_status(t);
	ct_make_summary(t);
	*tp = t;
	t = NULL;
cleanup:
	ct_close(t);
	return rc;
}

void ct_close(struct ct_tracer *t)
{
	if (!t)
		return;
	ct_unload(t);
	free(t);
}
