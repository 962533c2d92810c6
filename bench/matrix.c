// SPDX-License-Identifier: GPL-2.0
/* The matrix config parser (grammar in matrix.h).  Messages quote bad
 * values with control characters and bytes above 0x7e escaped (\xNN), so
 * an error is always one printable line. */
#include "matrix.h"
#include "parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const mode_names[] = { "cow", "stack", "eager" };

int matrix_mode_ok(const char *mode)
{
	size_t i;

	for (i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
		if (!strcmp(mode, mode_names[i]))
			return 1;
	return 0;
}

static int name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

static int base_ok(const char *s, size_t len)
{
	size_t i;

	if (!len)
		return 0;
	for (i = 0; i < len; i++)
		if (!name_char(s[i]))
			return 0;
	return 1;
}

int matrix_name_ok(const char *name)
{
	const char *at = strchr(name, '@');

	if (!at)
		return base_ok(name, strlen(name));
	return base_ok(name, (size_t)(at - name)) && matrix_mode_ok(at + 1);
}

static int blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The next word of [*p, end): skips blanks, returns its start and length. */
static const char *word(const char **p, const char *end, size_t *len)
{
	const char *s = *p, *w;

	while (s < end && blank(*s))
		s++;
	w = s;
	while (s < end && !blank(*s))
		s++;
	*len = (size_t)(s - w);
	*p = s;
	return w;
}

static char *dup_n(const char *s, size_t len, const char *suffix)
{
	size_t sl = suffix ? strlen(suffix) : 0;
	char *d = malloc(len + sl + 1);

	if (!d)
		return NULL;
	memcpy(d, s, len);
	if (sl)
		memcpy(d + len, suffix, sl);
	d[len + sl] = '\0';
	return d;
}

/* Takes name and args (freed on failure). */
static int add_cell(struct matrix *m, char *name, char *args, unsigned long line)
{
	if (!name || !args)
		goto fail;
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 16;
		struct matrix_cell *c = realloc(m->cells, cap * sizeof(*c));

		if (!c)
			goto fail;
		m->cells = c;
		m->cap = cap;
	}
	m->cells[m->n].name = name;
	m->cells[m->n].args = args;
	m->cells[m->n].line = line;
	m->n++;
	return 0;
fail:
	free(name);
	free(args);
	return -1;
}

/* Was base name (len bytes) defined before?  A cell-modes NAME counts once:
 * the part before '@' is compared. */
static int defined(const struct matrix *m, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		const char *n = m->cells[i].name;
		const char *at = strchr(n, '@');
		size_t nl = at ? (size_t)(at - n) : strlen(n);

		if (nl == len && !memcmp(n, name, len))
			return 1;
	}
	return 0;
}

static int seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int parse_line(const char *s, const char *end, const char *file, unsigned long lineno,
		      const char *const *modes, size_t nmodes, struct matrix *m,
		      char *err, size_t errlen)
{
	const char *kind, *name, *rest, *hash;
	size_t klen, nlen, rlen, i;
	char q[80 * 4 + 8];
	int modes_cell;

	hash = memchr(s, '#', (size_t)(end - s));
	if (hash)
		end = hash;
	if (memchr(s, '\0', (size_t)(end - s)))
		return seterr(err, errlen, "%s:%lu: NUL byte in the line", file, lineno);
	kind = word(&s, end, &klen);
	if (!klen)
		return 0;
	if (klen == 4 && !memcmp(kind, "cell", 4)) {
		modes_cell = 0;
	} else if (klen == 10 && !memcmp(kind, "cell-modes", 10)) {
		modes_cell = 1;
	} else {
		parse_shown_n(kind, klen, q, sizeof(q));
		return seterr(err, errlen, "%s:%lu: unknown keyword '%s' (allowed: cell, cell-modes)",
			      file, lineno, q);
	}
	name = word(&s, end, &nlen);
	parse_shown_n(name, nlen, q, sizeof(q));
	if (!base_ok(name, nlen))
		return seterr(err, errlen, "%s:%lu: bad cell name '%s' (letters, digits, - and _)",
			      file, lineno, q);
	rest = s;
	while (rest < end && blank(*rest))
		rest++;
	while (end > rest && blank(end[-1]))
		end--;
	rlen = (size_t)(end - rest);
	if (!rlen)
		return seterr(err, errlen, "%s:%lu: cell '%s' has no forkbench arguments",
			      file, lineno, q);
	if (defined(m, name, nlen))
		return seterr(err, errlen, "%s:%lu: cell '%s' defined twice", file, lineno, q);
	if (!modes_cell) {
		if (add_cell(m, dup_n(name, nlen, NULL), dup_n(rest, rlen, NULL), lineno))
			goto oom;
		return 0;
	}
	for (i = 0; i < nmodes; i++) {
		char sfx[32];

		char sfx2[32];

		snprintf(sfx, sizeof(sfx), "@%s", modes[i]);
		snprintf(sfx2, sizeof(sfx2), " --fork-mode %s", modes[i]);
		if (add_cell(m, dup_n(name, nlen, sfx), dup_n(rest, rlen, sfx2), lineno))
			goto oom;
	}
	return 0;
oom:
	return seterr(err, errlen, "%s:%lu: out of memory", file, lineno);
}

int matrix_parse(const char *buf, size_t len, const char *file,
		 const char *const *modes, size_t nmodes, struct matrix *m,
		 char *err, size_t errlen)
{
	const char *p = buf, *end = buf + len, *nl;
	unsigned long lineno = 0;
	char qf[SHOWN_LEN];
	size_t i;

	memset(m, 0, sizeof(*m));
	parse_shown(file, qf, sizeof(qf));
	if (!nmodes || nmodes > MATRIX_MAX_MODES)
		return seterr(err, errlen, "1 to %d modes needed, %zu given", MATRIX_MAX_MODES, nmodes);
	for (i = 0; i < nmodes; i++)
		if (!matrix_mode_ok(modes[i]))
			return seterr(err, errlen, "unknown mode (allowed: cow, stack, eager)");
	if (len > MATRIX_MAX_BYTES)
		return seterr(err, errlen, "%s: %zu bytes, more than a matrix config may have (%zu)",
			      qf, len, MATRIX_MAX_BYTES);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		lineno++;
		if (parse_line(p, nl, qf, lineno, modes, nmodes, m, err, errlen)) {
			matrix_free(m);
			return -1;
		}
		p = nl + 1;
	}
	if (!m->n) {
		matrix_free(m);
		return seterr(err, errlen, "%s: no cells", qf);
	}
	return 0;
}

void matrix_free(struct matrix *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		free(m->cells[i].name);
		free(m->cells[i].args);
	}
	free(m->cells);
	memset(m, 0, sizeof(*m));
}
