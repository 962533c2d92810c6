// SPDX-License-Identifier: GPL-2.0
/* Size, number, fraction, list and choice parsing, good and bad input. */
#include "parse.h"
#include "unit.h"

#include <stdint.h>

static int size_ok(const char *s, uint64_t want)
{
	char err[FB_ERRLEN];
	uint64_t v = 12345;

	return parse_size(s, 1ULL << 42, &v, err, sizeof(err)) == 0 && v == want;
}

/* Fails, and the message contains needle. */
static int size_bad(const char *s, uint64_t max, const char *needle)
{
	char err[FB_ERRLEN] = "";
	uint64_t v;

	return parse_size(s, max, &v, err, sizeof(err)) == -1 && strstr(err, needle);
}

static int count_items(const char *item, void *ctx)
{
	(void)item;
	++*(int *)ctx;
	return 0;
}

int main(void)
{
	static const char *const names[] = { "never", "always", NULL };
	char err[FB_ERRLEN], buf[32];
	uint64_t v;
	pid_t pid;
	double f;
	int n = 0;

	CHECK("size 0", size_ok("0", 0));
	CHECK("size 4K", size_ok("4K", 4096));
	CHECK("size 4k lower", size_ok("4k", 4096));
	CHECK("size 64M", size_ok("64M", 64ULL << 20));
	CHECK("size 64MiB", size_ok("64MiB", 64ULL << 20));
	CHECK("size 64MB", size_ok("64MB", 64ULL << 20));
	CHECK("size 1G", size_ok("1G", 1ULL << 30));
	CHECK("size 1.5G", size_ok("1.5G", 3ULL << 29));
	CHECK("size 4096B", size_ok("4096B", 4096));
	CHECK("size 2T", size_ok("2T", 2ULL << 40));
	CHECK("size without unit refused", size_bad("4096", 1ULL << 42, "has no unit"));
	CHECK("size unknown unit refused", size_bad("4X", 1ULL << 42, "unknown unit 'X'"));
	CHECK("size trailing refused", size_bad("4Kx", 1ULL << 42, "trailing"));
	CHECK("size negative refused", size_bad("-1G", 1ULL << 42, "not a number"));
	CHECK("size empty refused", size_bad("", 1ULL << 42, "not a number"));
	CHECK("size too large refused", size_bad("2G", 1ULL << 30, "too large (max 1 GiB)"));
	CHECK("size fractional bytes refused", size_bad("1.5B", 1ULL << 30, "whole number"));

	CHECK("u64 ok", parse_u64("17", 1, 100, &v, err, sizeof(err)) == 0 && v == 17);
	CHECK("u64 zero refused", parse_u64("0", 1, 100, &v, err, sizeof(err)) == -1 &&
	      strstr(err, "out of range (allowed: 1..100)"));
	CHECK("u64 junk refused", parse_u64("12a", 1, 100, &v, err, sizeof(err)) == -1 &&
	      strstr(err, "not a whole number"));
	CHECK("u64 negative refused", parse_u64("-3", 0, 100, &v, err, sizeof(err)) == -1);
	CHECK("u64 overflow refused",
	      parse_u64("99999999999999999999999", 0, UINT64_MAX, &v, err, sizeof(err)) == -1);

	pid = 7;
	CHECK("pid 1", parse_pid("1", &pid, err, sizeof(err)) == 0 && pid == 1);
	CHECK("pid max", parse_pid("4194304", &pid, err, sizeof(err)) == 0 && pid == 4194304);
	CHECK("pid 0 refused", parse_pid("0", &pid, err, sizeof(err)) == -1 &&
	      strstr(err, "out of range (allowed: 1..4194304)"));
	CHECK("pid above the limit refused", parse_pid("4194305", &pid, err, sizeof(err)) == -1);
	CHECK("pid negative refused", parse_pid("-1", &pid, err, sizeof(err)) == -1 &&
	      strstr(err, "'-1' is not a number"));
	CHECK("pid junk refused, value kept", parse_pid("12x", &pid, err, sizeof(err)) == -1 &&
	      pid == 4194304);

	CHECK("fraction 0.25", parse_fraction("0.25", &f, err, sizeof(err)) == 0 && f == 0.25);
	CHECK("fraction 50%", parse_fraction("50%", &f, err, sizeof(err)) == 0 && f == 0.5);
	CHECK("fraction 1", parse_fraction("1", &f, err, sizeof(err)) == 0 && f == 1);
	CHECK("fraction 1.5 refused", parse_fraction("1.5", &f, err, sizeof(err)) == -1 &&
	      strstr(err, "out of range"));
	CHECK("fraction junk refused", parse_fraction("x", &f, err, sizeof(err)) == -1);

	CHECK("list 3 items", parse_list("a,b,c", count_items, &n, err, sizeof(err)) == 3 && n == 3);
	CHECK("list empty item refused", parse_list("a,,b", count_items, &n, err, sizeof(err)) == -1 &&
	      strstr(err, "empty item"));
	CHECK("list trailing comma refused", parse_list("a,", count_items, &n, err, sizeof(err)) == -1);

	CHECK("choice found", parse_choice("always", names, "--thp value", err, sizeof(err)) == 1);
	CHECK("choice unknown lists allowed",
	      parse_choice("sometimes", names, "--thp value", err, sizeof(err)) == -1);
	CHECK_STR("choice message", "unknown --thp value 'sometimes' (allowed: never, always)", err);

	CHECK_STR("fmt_size 0", "0 B", fmt_size(0, buf, sizeof(buf)));
	CHECK_STR("fmt_size 1G", "1 GiB", fmt_size(1ULL << 30, buf, sizeof(buf)));
	CHECK_STR("fmt_size 1.5M", "1.5 MiB", fmt_size(3ULL << 19, buf, sizeof(buf)));
	CHECK("size: a newline in the value is shown escaped, one line",
	      size_bad("4\nK", 1ULL << 42, "size '4\\x0aK'") && !size_bad("4\nK", 1ULL << 42, "\n"));
	CHECK("size: 2^64 refused with max UINT64_MAX", size_bad("16777216T", UINT64_MAX, "too large"));
	CHECK("choice: control characters shown escaped",
	      parse_choice("a\x1b", names, "--thp value", err, sizeof(err)) == -1 &&
	      strstr(err, "'a\\x1b'"));
	return unit_failed;
}
