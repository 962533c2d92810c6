/* SPDX-License-Identifier: GPL-2.0 */
/* The matrix config run-all.sh runs (configs/matrix/NAME.conf), expanded into
 * cells.  Grammar, one cell per line:
 *
 *   cell NAME FORKBENCH-ARGS...          one cell NAME
 *   cell-modes NAME FORKBENCH-ARGS...    one cell NAME@MODE per mode given,
 *                                        its arguments + " --fork-mode MODE"
 *
 * '#' starts a comment (anywhere, to the end of the line); blank lines are
 * skipped; words are separated by spaces and tabs; FORKBENCH-ARGS is the rest
 * of the line, surrounding blanks removed.  NAME is [A-Za-z0-9_-]+ and unique
 * (a cell-modes NAME counts once).  A file without cells is an error. */
#ifndef FORKLAB_MATRIX_H
#define FORKLAB_MATRIX_H

#include <stddef.h>

/* Largest config accepted; a matrix is a few dozen lines. */
#define MATRIX_MAX_BYTES ((size_t)1024 * 1024)
#define MATRIX_MAX_MODES 8

struct matrix_cell {
	char *name;	/* NAME or NAME@MODE */
	char *args;	/* forkbench arguments, never empty */
	unsigned long line;	/* where the file defines it (1-based) */
};

struct matrix {
	struct matrix_cell *cells;
	size_t n, cap;
};

/* A mode name run-all.sh may pass: cow, stack or eager. */
int matrix_mode_ok(const char *mode);

/* Parse len bytes of buf (a config named file in messages).  Returns 0, or
 * -1 with one line in err ("FILE:LINE: what is wrong", or "FILE: no cells")
 * and m empty.  modes: 1..MATRIX_MAX_MODES names, each matrix_mode_ok. */
int matrix_parse(const char *buf, size_t len, const char *file,
		 const char *const *modes, size_t nmodes, struct matrix *m,
		 char *err, size_t errlen);

void matrix_free(struct matrix *m);

/* A cell name as the grammar allows it: NAME, or NAME@MODE for a valid mode. */
int matrix_name_ok(const char *name);

#endif
