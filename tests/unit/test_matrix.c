// SPDX-License-Identifier: GPL-2.0
/* The matrix config parser (bench/matrix.c): expansion and every error. */
#include "matrix.h"
#include "unit.h"

static const char *const three[] = { "cow", "stack", "eager" };

/* Parses ok; the cells joined as "NAME=ARGS;..." equal want. */
static int ok(const char *conf, size_t nmodes, const char *want)
{
	struct matrix m;
	char err[256], got[1024] = "";
	size_t i;

	if (matrix_parse(conf, strlen(conf), "t.conf", three, nmodes, &m, err, sizeof(err))) {
		printf("# %s\n", err);
		return 0;
	}
	for (i = 0; i < m.n; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s=%s;",
			 m.cells[i].name, m.cells[i].args);
	matrix_free(&m);
	if (strcmp(got, want) != 0)
		printf("# got '%s'\n", got);
	return !strcmp(got, want);
}

/* Refused with exactly this message. */
static int bad(const char *conf, size_t len, const char *want)
{
	struct matrix m;
	char err[256] = "";

	if (!matrix_parse(conf, len, "t.conf", three, 3, &m, err, sizeof(err))) {
		matrix_free(&m);
		return 0;
	}
	if (strcmp(err, want) != 0)
		printf("# got '%s'\n", err);
	return !strcmp(err, want) && m.n == 0 && m.cells == NULL;
}

#define BAD(conf, want) bad(conf, strlen(conf), want)

/* The line each cell comes from, "L,L,...". */
static int lines(const char *conf, const char *want)
{
	struct matrix m;
	char err[256], got[256] = "";
	size_t i;

	if (matrix_parse(conf, strlen(conf), "t.conf", three, 3, &m, err, sizeof(err)))
		return 0;
	for (i = 0; i < m.n; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%lu", i ? "," : "",
			 m.cells[i].line);
	matrix_free(&m);
	if (strcmp(got, want) != 0)
		printf("# got '%s'\n", got);
	return !strcmp(got, want);
}

int main(void)
{
	CHECK("one cell", ok("cell a spawn -n 1\n", 3, "a=spawn -n 1;"));
	CHECK("no final newline, blanks and tabs trimmed",
	      ok(" \tcell\tb  heap --heap 1M\t-n 2 \t", 1, "b=heap --heap 1M\t-n 2;"));
	CHECK("comments anywhere, blank lines",
	      ok("# x\n\n   \ncell c scenario nested # trailing\n#cell d x\n", 1, "c=scenario nested;"));
	CHECK("cell-modes: one cell per mode",
	      ok("cell-modes h-1_x heap -n 1\n", 3,
		 "h-1_x@cow=heap -n 1 --fork-mode cow;h-1_x@stack=heap -n 1 --fork-mode stack;"
		 "h-1_x@eager=heap -n 1 --fork-mode eager;"));
	CHECK("cell-modes: cow only", ok("cell-modes m x\ncell n y", 1, "m@cow=x --fork-mode cow;n=y;"));
	CHECK("carriage return is part of the arguments", ok("cell a x\r\n", 1, "a=x\r;"));
	CHECK("each cell knows its line (a cell-modes line's cells share it)",
	      lines("# c\n\ncell a x\n  \ncell-modes b y # z\ncell c w", "3,5,5,5,6"));

	CHECK("unknown keyword", BAD("cell a x\nbogus x y\n",
				     "t.conf:2: unknown keyword 'bogus' (allowed: cell, cell-modes)"));
	CHECK("keyword is case-sensitive", BAD("Cell a x", "t.conf:1: unknown keyword 'Cell' (allowed: cell, cell-modes)"));
	CHECK("bad name", BAD("cell b@d spawn", "t.conf:1: bad cell name 'b@d' (letters, digits, - and _)"));
	CHECK("no name", BAD("cell-modes # x", "t.conf:1: bad cell name '' (letters, digits, - and _)"));
	CHECK("control characters escaped", BAD("cell a\x1b[1m x",
						"t.conf:1: bad cell name 'a\\x1b[1m' (letters, digits, - and _)"));
	CHECK("no arguments", BAD("cell lonely   ", "t.conf:1: cell 'lonely' has no forkbench arguments"));
	CHECK("defined twice", BAD("# c\ncell a x\ncell a y\n", "t.conf:3: cell 'a' defined twice"));
	CHECK("cell-modes name counts once", BAD("cell-modes a x\ncell a y", "t.conf:2: cell 'a' defined twice"));
	CHECK("empty config", BAD("", "t.conf: no cells"));
	CHECK("only comments", BAD("# a\n\n#b", "t.conf: no cells"));
	CHECK("NUL byte", bad("cell a x\ncell b \0y\n", 19, "t.conf:2: NUL byte in the line"));
	CHECK("name grammar", matrix_name_ok("a-B_9") && matrix_name_ok("x@eager") &&
	      !matrix_name_ok("x@lazy") && !matrix_name_ok("") && !matrix_name_ok("@cow") &&
	      !matrix_name_ok("a b"));
	return unit_failed;
}
