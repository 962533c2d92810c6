// SPDX-License-Identifier: GPL-2.0
/* CSV and JSON writers: exact expected text for a small, known result set. */
#include "result.h"
#include "unit.h"

#include <stdlib.h>

static char *render(const struct fb_results *r, int which, enum fb_format fmt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (which == 0)
		write_summary(f, r, fmt, NULL);
	else
		write_samples(f, r);
	fclose(f);
	return buf;
}

int main(void)
{
	struct fb_results r = { .complete = true };
	struct fb_cell *c;
	char *s;
	int i;

	/* 4 iterations of start times 10, 20, 30, 40 ns; minflt 1, 3, 2, NaN;
	 * a trace counter summed: 5 + 5 + 5 + 5 = 20; an unavailable event. */
	c = cell_new(&r, "spawn", "fork,exec", "cow", 4096, "never", 4);
	for (i = 0; i < 4; i++) {
		cell_put(c, "start", FB_TIME, 10.0 * (i + 1));
		cell_put(c, "child_minflt", FB_MEDIAN, i == 3 ? NAN : (double[]){ 1, 3, 2 }[i]);
		cell_put(c, "wp_faults", FB_SUM, 5);
		cell_put(c, "ev:cycles", FB_MEDIAN, NAN);
		cell_commit(c);
	}
	/* median 25, p90 = 10 + 3*0.9*10 = 37, p99 = 39.7, mean 25,
	 * stddev sqrt(500/3) = 12.909944487358056, p10 = 13; no CI of the
	 * median (n < 6: empty, as is its level), no thp_fraction (a heap
	 * smaller than a huge page). */
	s = render(&r, 0, FMT_CSV);
	CHECK_STR("csv summary",
		  "bench,method,fork_mode,heap_bytes,thp,iterations,median_ns,p90_ns,p99_ns,mean_ns,"
		  "stddev_ns,min_ns,max_ns,ci95_lo_ns,ci95_hi_ns,p10_ns,metric,thp_bytes,"
		  "thp_fraction,ci_level,child_minflt,wp_faults,ev:cycles\n"
		  "spawn,\"fork,exec\",cow,4096,never,4,25,37,39.7,25,12.9099,10,40,,,13,start,0,,,"
		  "2,20,\n",
		  s);
	free(s);

	s = render(&r, 0, FMT_JSON);
	CHECK_STR("json summary",
		  "{\n  \"tool\": \"forkbench\",\n  \"format_version\": 1,\n  \"complete\": true,\n"
		  "  \"results\": [\n"
		  "    {\"bench\": \"spawn\", \"method\": \"fork,exec\", \"metric\": \"start\", "
		  "\"fork_mode\": \"cow\", \"heap_bytes\": 4096, \"thp\": \"never\", \"thp_bytes\": 0, "
		  "\"thp_fraction\": null, \"iterations\": 4, \"median_ns\": 25, \"p90_ns\": 37, "
		  "\"p99_ns\": 39.7, \"mean_ns\": 25, \"stddev_ns\": 12.9099, \"min_ns\": 10, "
		  "\"max_ns\": 40, \"ci95_lo_ns\": null, \"ci95_hi_ns\": null, \"p10_ns\": 13, "
		  "\"ci_level\": null, \"child_minflt\": 2, \"wp_faults\": 20, \"ev:cycles\": null}\n"
		  "  ]\n}\n",
		  s);
	free(s);

	r.complete = false;
	snprintf(r.why, sizeof(r.why), "interrupted by SIGINT");
	s = render(&r, 1, FMT_CSV);
	{
		const char *head = "# forklab-samples v1 incomplete: interrupted by SIGINT\n"
				   "bench,method,fork_mode,heap_bytes,thp,iteration,metric,value\n";

		CHECK("samples marked incomplete", !strncmp(s, head, strlen(head)));
	}
	CHECK("samples row", strstr(s, "spawn,\"fork,exec\",cow,4096,never,3,start,40\n") != NULL);
	CHECK("samples missing is empty", strstr(s, "spawn,\"fork,exec\",cow,4096,never,3,child_minflt,\n") != NULL);
	free(s);

	s = render(&r, 0, FMT_JSON);
	CHECK("json incomplete flagged",
	      strstr(s, "\"complete\": false,\n  \"incomplete_reason\": \"interrupted by SIGINT\"") != NULL);
	free(s);
	s = render(&r, 0, FMT_HUMAN);
	CHECK("human: no CI below n = 6, and says why", strstr(s, "  n/a (n < 6)\n") != NULL);
	free(s);
	results_free(&r);

	/* 8 iterations 1..8 ns: the CI is [x2, x8] = [2, 8] ns, coverage
	 * 1 - (F(1) + F(0)) = 1 - 10/256 = 0.9609375 (printed 0.960937: %.6g
	 * rounds the exact tie to even); a 6 MiB --thp always heap of which
	 * 2 MiB are huge pages: thp_fraction 1/3. */
	r.complete = true;
	c = cell_new(&r, "heap", "m", "cow", 6ULL << 20, "always", 8);
	c->thp_bytes = 2ULL << 20;
	for (i = 0; i < 8; i++) {
		cell_put(c, "fork", FB_TIME, i + 1);
		cell_commit(c);
	}
	s = render(&r, 0, FMT_CSV);
	CHECK("csv: CI and its level at n = 8, thp_fraction",
	      strstr(s, ",2,8,1.7,fork,2097152,0.333333,0.960937\n") != NULL);
	free(s);
	s = render(&r, 0, FMT_JSON);
	CHECK("json: thp_fraction", strstr(s, "\"thp_bytes\": 2097152, \"thp_fraction\": 0.333333,") != NULL);
	CHECK("json: ci95 and ci_level",
	      strstr(s, "\"ci95_lo_ns\": 2, \"ci95_hi_ns\": 8, \"p10_ns\": 1.7, \"ci_level\": 0.960937}") != NULL);
	free(s);
	s = render(&r, 0, FMT_HUMAN);
	CHECK("human: the THP share obtained", strstr(s, " always 33% ") != NULL);
	CHECK("human: the CI with its coverage", strstr(s, "[       2 ns,       8 ns ] 96.1%\n") != NULL);
	free(s);
	results_free(&r);
	return unit_failed;
}
