// SPDX-License-Identifier: GPL-2.0
/*
 * ct_preflight.c - what cowtrace needs before it loads: privileges, kernel
 * BTF, tracefs; and what it can probe: kprobes, the kernel functions in
 * kallsyms and BTF, forklab's fork-copy vm events.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "ct_internal.h"

const char *const ct_probe_func[PR_NR] = {
	"do_wp_page", "wp_page_copy", "wp_page_reuse", "dup_mmap",
	"copy_page_range",
	/* forklab's: called with the number of pages of every copy made at
	 * fork in stack and eager mode (small, mTHP, THP), once it stands */
	"fork_copy_count",
	/* the fork phases (docs/cowtrace.md): dup_mmap's closing flush_tlb_mm()
	 * is this function on x86 */
	"copy_process", "anon_vma_fork", "flush_tlb_mm_range",
};

static int has_bpf_caps(void)
{
	unsigned long long eff = 0;
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return geteuid() == 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	/* CAP_SYS_ADMIN (21), or CAP_PERFMON (38) + CAP_BPF (39) */
	return (eff >> 21 & 1) || ((eff >> 38 & 1) && (eff >> 39 & 1));
}

/* --btf FILE: readable, BTF, a kernel's. */
static int check_btf_file(const char *path, char *err, size_t errlen)
{
	struct btf *btf;
	int rc = 0;

	if (access(path, R_OK))
		return ct_fail(err, errlen, CT_ERR_NOBTF, "cannot use '%.200s' as kernel BTF: %s",
			       path, strerror(errno));
	btf = btf__parse(path, NULL);
	if (!btf)
		return ct_fail(err, errlen, CT_ERR_NOBTF,
			       "cannot use '%.200s' as kernel BTF: neither a vmlinux with a .BTF "
			       "section nor a raw BTF file (such as /sys/kernel/btf/vmlinux)", path);
	if (btf__find_by_name_kind(btf, "task_struct", BTF_KIND_STRUCT) <= 0)
		rc = ct_fail(err, errlen, CT_ERR_NOBTF,
			     "'%.200s' has no struct task_struct: not a kernel's BTF", path);
	btf__free(btf);
	return rc;
}

int ct_preflight(const struct ct_options *o, char *err, size_t errlen)
{
	if (!has_bpf_caps())
		return ct_fail(err, errlen, CT_ERR_PERM,
			       "needs root, or CAP_BPF and CAP_PERFMON (running as uid %d without them)",
			       (int)geteuid());
	if (o->btf_path)
		return check_btf_file(o->btf_path, err, errlen);
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0)
		return ct_fail(err, errlen, CT_ERR_NOBTF,
			       "kernel has no BTF (/sys/kernel/btf/vmlinux: %s): "
			       "CO-RE needs a kernel built with CONFIG_DEBUG_INFO_BTF=y "
			       "(or give its BTF with --btf FILE)", strerror(errno));
	return 0;
}

static int has_events(const char *dir)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/events", dir);
	return access(p, F_OK) == 0;
}

int ct_find_tracefs(char *path, size_t len, char *err, size_t errlen)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (has_events(dirs[i])) {
			snprintf(path, len, "%s", dirs[i]);
			return 0;
		}
	}
	if (mount("nodev", dirs[0], "tracefs", 0, NULL) == 0 && has_events(dirs[0])) {
		snprintf(path, len, "%s", dirs[0]);
		return 0;
	}
	return ct_fail(err, errlen, CT_ERR_TRACEFS,
		       "tracefs is not mounted (neither %s nor %s) and mounting it failed (%s); "
		       "run: mount -t tracefs nodev %s", dirs[0], dirs[1], strerror(errno), dirs[0]);
}

int ct_have_kprobes(const char *tracefs)
{
	char p[128];

	if (access("/sys/bus/event_source/devices/kprobe/type", F_OK) == 0)
		return 1;
	snprintf(p, sizeof(p), "%s/kprobe_events", tracefs);
	return access(p, F_OK) == 0;
}

/* One kallsyms text symbol against the probe functions (see read_kallsyms). */
static void match_symbol(const char *name, struct ct_funcs *fn)
{
	size_t len;
	int i;

	for (i = 0; i < PR_NR; i++) {
		len = strlen(ct_probe_func[i]);
		if (strncmp(name, ct_probe_func[i], len) != 0)
			continue;
		if (name[len] == 0) {
			fn->ks[i] = 1;
		} else if (!fn->ks[i] && i != PR_DO_WP_PAGE && i != PR_EAGER &&
			   (!strncmp(name + len, ".constprop.", 11) ||
			    !strncmp(name + len, ".isra.", 6))) {
			fn->ks[i] = 2;
			snprintf(fn->clone[i], sizeof(fn->clone[i]), "%.63s", name);
		}
	}
}

/*
 * Which probe functions are in /proc/kallsyms: ks[i] = 1 under their own
 * name, 2 only as a whole-function clone (name.constprop.N, name.isra.N:
 * GCC clones even noinline functions); the name to attach goes to
 * clone[i].  A clone may take other arguments: cowtrace reads none there
 * (do_wp_page and fork_copy_count, whose arguments it reads, must be
 * exact).  name.part.N is only a piece.
 */
static void read_kallsyms(struct ct_funcs *fn)
{
	char line[512], type, name[256];
	unsigned long long addr;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) == 3 &&
		    (type == 't' || type == 'T'))
			match_symbol(name, fn);
	fclose(f);
}

/*
 * COWTRACE_NO_PROBE=func,func... treats those functions as inlined: how the
 * tests check the fallbacks of a stock kernel on a patched one.
 */
static void no_probe_env(int ks[PR_NR])
{
	const char *env = getenv("COWTRACE_NO_PROBE"), *p;
	size_t len;
	int i;

	for (p = env; p && *p; p += len + (p[len] == ',')) {
		len = strcspn(p, ",");
		for (i = 0; i < PR_NR; i++)
			if (strlen(ct_probe_func[i]) == len && !strncmp(p, ct_probe_func[i], len))
				ks[i] = 0;
	}
}

/* Does the kernel count fork copies as vm events (forklab's patch), with
 * the per-CPU vm_event_states in BTF for bpf_per_cpu_ptr? */
static int btf_has_fork_copy_events(const struct btf *btf)
{
	const struct btf_type *tp;
	const struct btf_enum *e;
	int id, i, n = 0;

	if (btf__find_by_name_kind(btf, "vm_event_states", BTF_KIND_VAR) <= 0)
		return 0;
	id = btf__find_by_name_kind(btf, "vm_event_item", BTF_KIND_ENUM);
	if (id <= 0)
		return 0;
	tp = btf__type_by_id(btf, id);
	e = btf_enum(tp);
	for (i = 0; i < btf_vlen(tp); i++, e++) {
		const char *name = btf__name_by_offset(btf, e->name_off);

		n += name && (!strcmp(name, "FORK_EAGER_COPY") || !strcmp(name, "FORK_STACK_COPY"));
	}
	return n == 2;
}

static void read_btf_funcs(const char *path, int have[PR_NR], char sym[PR_NR][64],
			   int *fork_events)
{
	struct btf *btf = path ? btf__parse(path, NULL) : btf__load_vmlinux_btf();
	int i;

	if (!btf)
		return;
	for (i = 0; i < PR_NR; i++)
		have[i] = btf__find_by_name_kind(btf, sym[i], BTF_KIND_FUNC) > 0;
	*fork_events = btf_has_fork_copy_events(btf);
	btf__free(btf);
}

void ct_find_funcs(struct ct_tracer *t, struct ct_funcs *fn)
{
	int i;

	memset(fn, 0, sizeof(*fn));
	read_kallsyms(fn);
	no_probe_env(fn->ks);
	for (i = 0; i < PR_NR; i++) {
		snprintf(t->sym[i], sizeof(t->sym[i]), "%.63s",
			 fn->ks[i] >= 2 ? fn->clone[i] : ct_probe_func[i]);
		if (fn->ks[i] == 3)
			fn->ks[i] = 1;	/* exact, under another name */
	}
	read_btf_funcs(t->opt.btf_path, fn->btf, t->sym, &t->fork_events);
	for (i = 0; i < PR_NR; i++) {
		/* fentry finds its target by its own name only */
		if (fn->ks[i] == 2)
			fn->btf[i] = 0;
		fn->any_ks |= fn->ks[i];
		fn->any_btf |= fn->btf[i] && fn->ks[i];
	}
}
