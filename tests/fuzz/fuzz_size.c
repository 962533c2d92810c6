// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: parse_size() (lib/parse.c), what --heap takes.
 *
 * Properties, any input: the error is one printable line naming no more
 * than it should; a size that parses is at most max, and re-formatted
 * exactly ("<bytes>B", and "<n>K/M/G/T" when whole) it parses back to the
 * same value; fmt_size() of it does not fail.  Checked against forkbench's
 * max (4 TiB) and UINT64_MAX.
 */
#include "parse.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                               \
	do {                                                                      \
		if (!(cond)) {                                                    \
			fprintf(stderr, "fuzz_size: property failed: %s (input '%s')\n", \
				#cond, s);                                        \
			abort();                                                  \
		}                                                                 \
	} while (0)

static void err_ok(const char *s, const char *err)
{
	const char *p;

	CHECK(err[0] != '\0');
	for (p = err; *p; p++)
		CHECK((unsigned char)*p >= 0x20 && (unsigned char)*p <= 0x7e);
}

static void reparse(const char *s, const char *text, uint64_t max, uint64_t want)
{
	char err[FB_ERRLEN];
	uint64_t v = ~want;

	CHECK(parse_size(text, max, &v, err, sizeof(err)) == 0);
	CHECK(v == want);
}

static void one(const char *s, uint64_t max)
{
	static const char units[] = "BKMGT";
	char err[FB_ERRLEN], text[64], human[32];
	uint64_t v = 0, div = 1;
	int u;

	err[0] = '\0';
	if (parse_size(s, max, &v, err, sizeof(err))) {
		err_ok(s, err);
		return;
	}
	CHECK(v <= max);
	snprintf(text, sizeof(text), "%" PRIu64 "B", v);
	reparse(s, text, max, v);
	for (u = 1; u < 5 && v; u++) {
		div *= 1024;
		if (v % div)
			break;
		snprintf(text, sizeof(text), "%" PRIu64 "%c", v / div, units[u]);
		reparse(s, text, max, v);
	}
	CHECK(fmt_size(v, human, sizeof(human)) == human && human[0]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size > 4096)
		return 0;
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	one(s, 1ULL << 42);
	one(s, UINT64_MAX);
	free(s);
	return 0;
}
