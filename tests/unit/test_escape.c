// SPDX-License-Identifier: GPL-2.0
/* lib/output.c: the JSON string writer (RFC 8259) and the CSV field writer
 * (RFC 4180), byte for byte. */
#include "output.h"
#include "unit.h"

#include <stdlib.h>

/* What writer(s) puts out, as a malloc'd string. */
static char *render(void (*writer)(FILE *, const char *), const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	writer(f, s);
	fclose(f);
	return buf;
}

static void check(const char *name, void (*writer)(FILE *, const char *), const char *in,
		  const char *want)
{
	char *got = render(writer, in);

	CHECK_STR(name, want, got);
	free(got);
}

int main(void)
{
	check("json plain", json_str, "fork,exec", "\"fork,exec\"");
	check("json empty", json_str, "", "\"\"");
	check("json quote and backslash", json_str, "a\"b\\c", "\"a\\\"b\\\\c\"");
	check("json newline tab return", json_str, "a\nb\tc\rd", "\"a\\nb\\tc\\rd\"");
	check("json other control chars", json_str, "\x01\x08\x0c\x1b\x1f",
	      "\"\\u0001\\u0008\\u000c\\u001b\\u001f\"");
	check("json DEL and '/' as they are", json_str, "\x7f/", "\"\x7f/\"");
	check("json valid UTF-8 kept", json_str, "gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x90\x84",
	      "\"gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x90\x84\"");
	check("json Latin-1 byte replaced", json_str, "caf\xe9", "\"caf\\ufffd\"");
	check("json stray continuation byte", json_str, "a\x80z", "\"a\\ufffdz\"");
	check("json sequence cut short", json_str, "\xe2\x82", "\"\\ufffd\\ufffd\"");
	check("json overlong form", json_str, "\xc0\xaf\xe0\x80\xaf",
	      "\"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"");
	check("json surrogate", json_str, "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");
	check("json above U+10FFFF", json_str, "\xf4\x90\x80\x80",
	      "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	check("json chars: no quotes", json_chars, "say \"hi\"\n", "say \\\"hi\\\"\\n");

	check("csv plain", csv_str, "fork-exec", "fork-exec");
	check("csv empty", csv_str, "", "");
	check("csv comma quoted", csv_str, "fork,exec", "\"fork,exec\"");
	check("csv quote doubled", csv_str, "say \"hi\"", "\"say \"\"hi\"\"\"");
	check("csv LF quoted", csv_str, "a\nb", "\"a\nb\"");
	check("csv CR quoted", csv_str, "a\rb", "\"a\rb\"");
	check("csv tab and spaces as they are", csv_str, " a\tb ", " a\tb ");
	return unit_failed;
}
