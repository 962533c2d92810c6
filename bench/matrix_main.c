// SPDX-License-Identifier: GPL-2.0
/*
 * forklab-matrix — expand a matrix config (configs/matrix/NAME.conf) into the
 * cells run-all.sh runs: one line per cell, NAME<TAB>FORKBENCH-ARGS.
 *
 *   forklab-matrix [--modes "cow stack eager"] FILE
 *
 * --modes lists the fork modes a cell-modes line expands to (spaces or
 * commas; default cow).  Errors are one line, "FILE:LINE: ..." for the
 * config, exit status 2; nothing is printed on standard output then.
 */
#include "matrix.h"
#include "usage.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROG "forklab-matrix"

static void usage(FILE *f)
{
	fprintf(f, "Usage: " PROG " [--modes \"MODE...\"] FILE\n"
		   "Expand a forklab matrix config into one NAME<TAB>FORKBENCH-ARGS line per cell.\n"
		   "  --modes LIST   modes a cell-modes line runs in (cow, stack, eager; default cow)\n"
		   "Grammar: 'cell NAME ARGS...' and 'cell-modes NAME ARGS...', # comments;\n"
		   "NAME: letters, digits, - and _. Errors: FILE:LINE: ..., exit status 2.\n");
}

/* The whole file, at most MATRIX_MAX_BYTES + 1 bytes of it. */
static char *slurp(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *buf;

	if (!f) {
		snprintf(err, errlen, "cannot read config '%s': %s", path, strerror(errno));
		return NULL;
	}
	buf = malloc(MATRIX_MAX_BYTES + 1);
	if (!buf) {
		fclose(f);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	*len = fread(buf, 1, MATRIX_MAX_BYTES + 1, f);
	if (ferror(f)) {
		snprintf(err, errlen, "cannot read config '%s': %s", path, strerror(errno));
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
	const char *modes[MATRIX_MAX_MODES], *file = NULL;
	char *modes_arg = NULL, *copy = NULL, *buf, *tok, *save = NULL, err[512];
	size_t nmodes = 0, len = 0, i;
	struct matrix m;
	int a, rc = 0;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[a], "--modes")) {
			if (a + 1 >= argc)
				usage_die(PROG, "--modes needs a list of modes (cow, stack, eager)");
			modes_arg = argv[++a];
		} else if (!strncmp(argv[a], "--modes=", 8)) {
			modes_arg = argv[a] + 8;
		} else if (!strcmp(argv[a], "--")) {
			if (a + 1 < argc)
				file = argv[++a];
			if (a + 1 < argc)
				usage_die(PROG, "one config FILE only, '%s' is one too many", argv[a + 1]);
		} else if (argv[a][0] == '-' && argv[a][1]) {
			usage_die(PROG, "unknown option '%s' (allowed: --modes LIST, --help)", argv[a]);
		} else if (file) {
			usage_die(PROG, "one config FILE only, '%s' is one too many", argv[a]);
		} else {
			file = argv[a];
		}
	}
	if (!file)
		usage_die(PROG, "no config FILE given (usage: " PROG " [--modes \"MODE...\"] FILE)");
	if (modes_arg) {
		copy = strdup(modes_arg);	/* modes[] point into it */
		if (!copy)
			usage_die(PROG, "out of memory");
		for (tok = strtok_r(copy, " ,\t", &save); tok; tok = strtok_r(NULL, " ,\t", &save)) {
			if (!matrix_mode_ok(tok))
				usage_die(PROG, "--modes: unknown mode '%s' (allowed: cow, stack, eager)", tok);
			for (i = 0; i < nmodes; i++)
				if (!strcmp(modes[i], tok))
					usage_die(PROG, "--modes: '%s' given twice", tok);
			modes[nmodes++] = tok;	/* at most 3 distinct valid modes */
		}
		if (!nmodes)
			usage_die(PROG, "--modes: empty list (allowed: cow, stack, eager)");
	} else {
		modes[nmodes++] = "cow";
	}
	buf = slurp(file, &len, err, sizeof(err));
	if (!buf)
		usage_die(PROG, "%s", err);
	rc = matrix_parse(buf, len, file, modes, nmodes, &m, err, sizeof(err));
	free(buf);
	free(copy);
	if (rc)
		usage_die(PROG, "%s", err);	/* FILE:LINE: ... */
	for (i = 0; i < m.n; i++)
		printf("%s\t%s\n", m.cells[i].name, m.cells[i].args);
	matrix_free(&m);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, PROG ": cannot write the cells: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
