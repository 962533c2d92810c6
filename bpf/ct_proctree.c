// SPDX-License-Identifier: GPL-2.0
/*
 * ct_proctree.c - ct_follow: forget the previous tree, track the root and
 * the descendants it already has (from /proc; task_newtask adds the
 * children created from then on).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ct_internal.h"
#include "cowtrace.skel.h"

#define SCAN_ROUNDS	8	/* /proc scans while they find new descendants */

struct pp {
	pid_t pid, ppid;
};

/* The parent of pid from /proc/PID/stat, or 0. */
static pid_t read_ppid(pid_t pid)
{
	char path[64], buf[512], *rp;
	int fd, ppid = 0;
	ssize_t len;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return 0;
	buf[len] = 0;
	rp = strrchr(buf, ')');		/* comm may hold spaces and ')' */
	if (!rp || sscanf(rp + 1, " %*c %d", &ppid) != 1)
		return 0;
	return (pid_t)ppid;
}

/* Every process's (pid, ppid) into *out (to free); their number or -1. */
static int scan_procs(struct pp **out)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	struct pp *v = NULL, *nv;
	size_t n = 0, cap = 0;
	int rc = -1;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		pid_t pid, ppid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = (pid_t)atoi(de->d_name);
		ppid = read_ppid(pid);
		if (ppid <= 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				goto cleanup;
			v = nv;
		}
		v[n].pid = pid;
		v[n].ppid = ppid;
		n++;
	}
	*out = v;
	v = NULL;
	rc = (int)n;
cleanup:
	free(v);
	closedir(d);
	return rc;
}

void ct_read_comm(pid_t pid, char *comm, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(comm, (int)len, f))
		comm[strcspn(comm, "\n")] = 0;
	fclose(f);
}

/* Set tgid's bit in the tracked bitmap (BPF sets it for children). */
static int set_tracked(struct ct_tracer *t, __u32 tgid)
{
	int fd = bpf_map__fd(t->skel->maps.tracked);
	__u32 word = (tgid >> 6) & (CT_PID_WORDS - 1);
	__u64 v;

	if (bpf_map_lookup_elem(fd, &word, &v))
		return -1;
	v |= 1ULL << (tgid & 63);
	return bpf_map_update_elem(fd, &word, &v, BPF_ANY);
}

/* 1 if pid is tracked now, 0 if it was already, -1 on error. */
static int track(struct ct_tracer *t, pid_t pid, pid_t ppid, int depth)
{
	struct ct_proc p;
	__u32 key = (__u32)pid;

	memset(&p, 0, sizeof(p));
	p.depth = (__u32)depth;
	p.role = depth < CT_MAX_ROLES ? (__u32)depth : CT_MAX_ROLES - 1;
	p.ppid = (__u32)ppid;
	p.st.procs = 1;
	ct_read_comm(pid, p.comm, sizeof(p.comm));
	if (bpf_map_update_elem(bpf_map__fd(t->skel->maps.procs), &key, &p, BPF_NOEXIST))
		return errno == EEXIST ? 0 : -1;
	t->base_procs[p.role]++;
	return set_tracked(t, key) ? -1 : 1;
}

/* Every process, its images and its bits out of the maps. */
static void forget_tree(struct ct_tracer *t)
{
	int procs_fd = bpf_map__fd(t->skel->maps.procs);
	int images_fd = bpf_map__fd(t->skel->maps.images);
	struct ct_image_key ik;
	__u32 key;

	while (bpf_map_get_next_key(procs_fd, NULL, &key) == 0) {
		__u32 word = (key >> 6) & (CT_PID_WORDS - 1);
		__u64 zero = 0;

		bpf_map_update_elem(bpf_map__fd(t->skel->maps.tracked), &word, &zero, BPF_ANY);
		bpf_map_update_elem(bpf_map__fd(t->skel->maps.shared), &word, &zero, BPF_ANY);
		if (bpf_map_delete_elem(procs_fd, &key))
			break;
	}
	while (bpf_map_get_next_key(images_fd, NULL, &ik) == 0)
		if (bpf_map_delete_elem(images_fd, &ik))
			break;
}

/* One /proc scan: tracks the children of tracked processes; how many. */
static int track_children(struct ct_tracer *t, pid_t root, const struct pp *all, int n)
{
	int procs_fd = bpf_map__fd(t->skel->maps.procs), i, added = 0;

	for (i = 0; i < n; i++) {
		struct ct_proc parent;
		__u32 key = (__u32)all[i].ppid;

		if (all[i].pid == root || bpf_map_lookup_elem(procs_fd, &key, &parent))
			continue;
		if (track(t, all[i].pid, all[i].ppid, (int)parent.depth + 1) > 0)
			added++;
	}
	return added;
}

/* Existing descendants: children created from now on are added by
 * task_newtask; repeat the scan until it finds nobody new. */
static void track_descendants(struct ct_tracer *t, pid_t root)
{
	struct pp *all;
	int round, n, added = 1;

	for (round = 0; round < SCAN_ROUNDS && added; round++) {
		n = scan_procs(&all);
		if (n < 0)
			break;
		added = track_children(t, root, all, n);
		free(all);
	}
}

/* User space sets bits by read-modify-write: redo any that a concurrent
 * fork's atomic update of the same word may have raced away. */
static void recheck_bits(struct ct_tracer *t)
{
	int procs_fd = bpf_map__fd(t->skel->maps.procs);
	int tracked_fd = bpf_map__fd(t->skel->maps.tracked);
	__u32 key;
	int n;

	for (n = 0; bpf_map_get_next_key(procs_fd, n ? &key : NULL, &key) == 0; n = 1) {
		__u32 word = (key >> 6) & (CT_PID_WORDS - 1);
		struct ct_proc p;
		__u64 v;

		if (bpf_map_lookup_elem(procs_fd, &key, &p) || (p.flags & CT_PROC_EXITED) ||
		    bpf_map_lookup_elem(tracked_fd, &word, &v))
			continue;
		if (!(v >> (key & 63) & 1))
			set_tracked(t, key);
	}
}

int ct_follow(struct ct_tracer *t, pid_t root)
{
	if (root <= 0 || (kill(root, 0) != 0 && errno == ESRCH)) {
		snprintf(t->err, sizeof(t->err), "no process with PID %d", (int)root);
		return CT_ERR_PID;
	}
	forget_tree(t);
	if (ct_reset_maps(t)) {
		snprintf(t->err, sizeof(t->err), "cannot reset the counters: %s", strerror(errno));
		return CT_ERR_BPF;
	}
	memset(t->base_procs, 0, sizeof(t->base_procs));
	if (track(t, root, read_ppid(root), 0) < 0) {
		snprintf(t->err, sizeof(t->err), "cannot track PID %d: %s", (int)root, strerror(errno));
		return CT_ERR_BPF;
	}
	track_descendants(t, root);
	recheck_bits(t);
	return 0;
}
