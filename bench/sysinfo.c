// SPDX-License-Identifier: GPL-2.0
#include "sysinfo.h"
#include "fork_mode.h"
#include "output.h"
#include "version.h"

#include <cpuid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>


#ifndef FORKLAB_GIT
#define FORKLAB_GIT "unknown"
#endif

char *read_line(const char *path)
{
	char buf[512];
	FILE *f = fopen(path, "r");
	char *nl;

	if (!f)
		return NULL;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	return strdup(buf);
}

char *read_choice(const char *path)
{
	char *line = read_line(path), *a, *b, *out = NULL;

	if (!line)
		return NULL;
	a = strchr(line, '[');
	b = a ? strchr(a, ']') : NULL;
	if (a && b) {
		*b = '\0';
		out = strdup(a + 1);
	}
	free(line);
	return out;
}

static uint64_t meminfo_field(const char *key)
{
	char line[256];
	unsigned long long kb;
	size_t klen = strlen(key);
	FILE *f = fopen("/proc/meminfo", "r");
	uint64_t out = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ':' &&
		    sscanf(line + klen + 1, "%llu", &kb) == 1) {
			out = (uint64_t)kb * 1024;
			break;
		}
	}
	fclose(f);
	return out;
}

uint64_t mem_available_bytes(void)
{
	return meminfo_field("MemAvailable");
}

const char *virtualization(void)
{
	static const struct { const char *sig, *name; } known[] = {
		{ "KVMKVMKVM", "kvm" }, { "TCGTCGTCGTCG", "tcg" },
		{ "XenVMMXenVMM", "xen" }, { "Microsoft Hv", "hyperv" },
		{ "VMwareVMware", "vmware" }, { "VBoxVBoxVBox", "virtualbox" },
	};
	unsigned int a, b, c, d;
	char sig[13];
	const char *env = getenv("FORKLAB_VIRT");
	size_t i;

	if (env && *env)
		return env;
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 31)))
		return "none";
	__cpuid(0x40000000, a, b, c, d);
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = '\0';
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strncmp(sig, known[i].sig, strlen(known[i].sig)))
			return known[i].name;
	return "unknown";
}

const char *effective_fork_mode(void)
{
	char *v;
	int m = fork_mode_get(NULL);

	if (m >= FORK_MODE_COW)
		return fork_mode_name(m);
	v = read_line(FORK_MODE_SYSCTL);	/* a kernel with the sysctl only */
	if (v) {
		m = atoi(v);
		free(v);
		return fork_mode_name(m);
	}
	return "cow";
}

static void kv(FILE *f, const char *key, const char *val, int first)
{
	fprintf(f, "%s\n    \"%s\": ", first ? "" : ",", key);
	if (val)
		json_str(f, val);
	else
		fputs("null", f);
}

static char *cpu_model(void)
{
	char line[512], *p, *nl;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "model name", 10) != 0)
			continue;
		p = strchr(line, ':');
		if (!p)
			break;
		p++;
		while (*p == ' ')
			p++;
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		fclose(f);
		return strdup(p);
	}
	fclose(f);
	return NULL;
}

char *sysinfo_json(const char *extra_json)
{
	char *buf = NULL, *s, date[32], num[32];
	size_t len = 0;
	struct utsname u;
	time_t now = time(NULL);
	struct tm tm;
	FILE *f = open_memstream(&buf, &len);
	int pers = personality(0xffffffff);

	if (!f)
		return NULL;
	uname(&u);
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fputs("{", f);
	kv(f, "kernel_release", u.release, 1);
	kv(f, "kernel_version", u.version, 0);
	kv(f, "machine", u.machine, 0);
	kv(f, "hostname", u.nodename, 0);
	s = read_line(FORK_MODE_SYSCTL);
	kv(f, "fork_copy_mode_sysctl", s ? s : "absent (stock kernel: cow)", 0);
	free(s);
	kv(f, "fork_copy_mode", effective_fork_mode(), 0);
	s = read_line(FORK_MODE_STACK_PAGES_SYSCTL);
	kv(f, "fork_copy_stack_pages", s, 0);
	free(s);
	s = read_choice("/sys/kernel/mm/transparent_hugepage/enabled");
	kv(f, "thp_enabled", s, 0);
	free(s);
	s = read_choice("/sys/kernel/mm/transparent_hugepage/defrag");
	kv(f, "thp_defrag", s, 0);
	free(s);
	s = cpu_model();
	kv(f, "cpu_model", s, 0);
	free(s);
	snprintf(num, sizeof(num), "%ld", sysconf(_SC_NPROCESSORS_ONLN));
	kv(f, "cores", num, 0);
	snprintf(num, sizeof(num), "%llu",
		 (unsigned long long)meminfo_field("MemTotal"));
	kv(f, "mem_total_bytes", num, 0);
	snprintf(num, sizeof(num), "%ld", sysconf(_SC_PAGESIZE));
	kv(f, "page_size", num, 0);
	kv(f, "virtualization", virtualization(), 0);
	s = read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
	kv(f, "governor", s ? s : "n/a (no cpufreq)", 0);
	free(s);
	s = read_line("/proc/sys/kernel/randomize_va_space");
	kv(f, "aslr_sysctl", s, 0);
	free(s);
	kv(f, "aslr_process",
	   pers != -1 && (pers & ADDR_NO_RANDOMIZE) ? "off (ADDR_NO_RANDOMIZE)" : "on", 0);
	s = read_line("/proc/sys/kernel/sched_child_runs_first");
	kv(f, "sched_child_runs_first", s ? s : "n/a (not in this kernel)", 0);
	free(s);
	kv(f, "compiler", __VERSION__, 0);
	kv(f, "forklab_git", forklab_revision(), 0);
	kv(f, "date", date, 0);
	if (extra_json && *extra_json)
		fprintf(f, ",\n    %s", extra_json);
	fputs("\n  }", f);
	fclose(f);
	return buf;
}
