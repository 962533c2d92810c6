// SPDX-License-Identifier: GPL-2.0
#include "parse.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *parse_shown_n(const char *s, size_t n, char *buf, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 8 < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i == 64) {
			o += (size_t)snprintf(buf + o, len - o, "...");
			break;
		}
		if (c < 0x20 || c > 0x7e || c == '\\')
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	buf[o] = '\0';
	return buf;
}

const char *parse_shown(const char *s, char *buf, size_t len)
{
	return parse_shown_n(s, s ? strlen(s) : 0, buf, len);
}

int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out,
	      char *err, size_t errlen)
{
	char *end, q[SHOWN_LEN];
	unsigned long long v;

	parse_shown(s, q, sizeof(q));
	if (!s || !*s || !isdigit((unsigned char)*s)) {
		snprintf(err, errlen, "'%s' is not a number (allowed: %llu..%llu)",
			 q, (unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end) {
		snprintf(err, errlen, "'%s' is not a whole number (allowed: %llu..%llu)",
			 q, (unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	if (errno == ERANGE || v < min || v > max) {
		snprintf(err, errlen, "%s is out of range (allowed: %llu..%llu)",
			 q, (unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	*out = v;
	return 0;
}

int parse_pid(const char *s, pid_t *out, char *err, size_t errlen)
{
	uint64_t v;

	if (parse_u64(s, 1, PARSE_PID_MAX, &v, err, errlen))
		return -1;
	*out = (pid_t)v;
	return 0;
}

int parse_size(const char *s, uint64_t max, uint64_t *out, char *err, size_t errlen)
{
	char *end, q[SHOWN_LEN], qe[SHOWN_LEN];
	double v, mult;
	char maxbuf[32];

	fmt_size(max, maxbuf, sizeof(maxbuf));
	parse_shown(s, q, sizeof(q));
	if (!s || !*s || !(isdigit((unsigned char)*s) || *s == '.')) {
		snprintf(err, errlen,
			 "size '%s' is not a number with a unit (e.g. 0, 4K, 64M, 1.5G; max %s)",
			 q, maxbuf);
		return -1;
	}
	errno = 0;
	v = strtod(s, &end);
	if (errno || !isfinite(v) || v < 0) {
		snprintf(err, errlen, "size '%s' is not a valid number", q);
		return -1;
	}
	if (!*end) {
		if (v == 0) {
			*out = 0;
			return 0;
		}
		snprintf(err, errlen,
			 "size '%s' has no unit (use B, K, M, G or T, e.g. %sM)", q, q);
		return -1;
	}
	switch (toupper((unsigned char)*end)) {
	case 'B': mult = 1; break;
	case 'K': mult = 1024.0; break;
	case 'M': mult = 1024.0 * 1024; break;
	case 'G': mult = 1024.0 * 1024 * 1024; break;
	case 'T': mult = 1024.0 * 1024 * 1024 * 1024; break;
	default:
		snprintf(err, errlen, "size '%s' has an unknown unit '%s' (allowed: B, K, M, G, T)",
			 q, parse_shown(end, qe, sizeof(qe)));
		return -1;
	}
	end++;
	if (mult > 1 && (!strcmp(end, "iB") || !strcmp(end, "B") || !strcmp(end, "ib")))
		end += strlen(end);
	if (*end) {
		snprintf(err, errlen, "size '%s' has trailing characters '%s'", q,
			 parse_shown(end, qe, sizeof(qe)));
		return -1;
	}
	v *= mult;
	/* (double)UINT64_MAX is 2^64, itself out of uint64_t's range */
	if (v > (double)max || v >= 18446744073709551616.0) {
		snprintf(err, errlen, "size %s is too large (max %s)", q, maxbuf);
		return -1;
	}
	if (v != floor(v)) {
		snprintf(err, errlen, "size %s is not a whole number of bytes", q);
		return -1;
	}
	*out = (uint64_t)v;
	return 0;
}

int parse_fraction(const char *s, double *out, char *err, size_t errlen)
{
	char *end, q[SHOWN_LEN];
	double v;

	parse_shown(s, q, sizeof(q));
	errno = 0;
	v = (s && *s) ? strtod(s, &end) : NAN;
	if (!s || !*s || errno || !isfinite(v) || end == s) {
		snprintf(err, errlen, "fraction '%s' is not a number (allowed: 0..1 or 0%%..100%%)",
			 q);
		return -1;
	}
	if (*end == '%' && !end[1]) {
		v /= 100;
	} else if (*end) {
		snprintf(err, errlen, "fraction '%s' has trailing characters (allowed: 0..1 or 0%%..100%%)", q);
		return -1;
	}
	if (v < 0 || v > 1) {
		snprintf(err, errlen, "fraction %s is out of range (allowed: 0..1 or 0%%..100%%)", q);
		return -1;
	}
	*out = v;
	return 0;
}

int parse_list(const char *s, int (*fn)(const char *item, void *ctx), void *ctx,
	       char *err, size_t errlen)
{
	char *copy, *item, *next;
	int n = 0;

	if (!s || !*s) {
		snprintf(err, errlen, "empty list");
		return -1;
	}
	copy = strdup(s);
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (item = copy; item; item = next) {
		next = strchr(item, ',');
		if (next)
			*next++ = '\0';
		if (!*item) {
			char q[SHOWN_LEN];

			snprintf(err, errlen, "empty item in list '%s'", parse_shown(s, q, sizeof(q)));
			free(copy);
			return -1;
		}
		if (fn(item, ctx) < 0) {
			free(copy);
			return -1;
		}
		n++;
	}
	free(copy);
	return n;
}

int parse_choice(const char *s, const char *const *names, const char *what,
		 char *err, size_t errlen)
{
	char q[SHOWN_LEN];
	size_t off;
	int i;

	for (i = 0; names[i]; i++)
		if (!strcmp(s, names[i]))
			return i;
	off = (size_t)snprintf(err, errlen, "unknown %s '%s' (allowed:", what, parse_shown(s, q, sizeof(q)));
	for (i = 0; names[i] && off < errlen; i++)
		off += (size_t)snprintf(err + off, errlen - off, "%s %s", i ? "," : "", names[i]);
	if (off < errlen)
		snprintf(err + off, errlen - off, ")");
	return -1;
}

const char *fmt_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (v == floor(v))
		snprintf(buf, len, "%.0f %s", v, units[u]);
	else
		snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}
