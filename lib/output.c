// SPDX-License-Identifier: GPL-2.0
#include "output.h"

#include <string.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if s does not start
 * one (a stray continuation byte, an overlong form, a surrogate, a code
 * point above U+10FFFF, a sequence cut short). */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1fu;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0fu;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07u;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;	/* the terminating NUL stops here too */
		cp = (cp << 6) | (s[i] & 0x3fu);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* Writes the character at p, escaped; returns how many bytes it took. */
static size_t json_char(FILE *f, const unsigned char *p)
{
	size_t n;

	switch (*p) {
	case '"':
	case '\\':
		fprintf(f, "\\%c", *p);
		return 1;
	case '\n':
		fputs("\\n", f);
		return 1;
	case '\t':
		fputs("\\t", f);
		return 1;
	case '\r':
		fputs("\\r", f);
		return 1;
	default:
		break;
	}
	if (*p < 0x20) {
		fprintf(f, "\\u%04x", *p);
		return 1;
	}
	n = utf8_len(p);
	if (n == 0) {
		fputs("\\ufffd", f);
		return 1;
	}
	fwrite(p, 1, n, f);
	return n;
}

void json_chars(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p)
		p += json_char(f, p);
}

void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	json_chars(f, s);
	fputc('"', f);
}

void csv_str(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}
