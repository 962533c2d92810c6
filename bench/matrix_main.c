// SPDX-License-Identifier: GPL-2.0
/*
 * forklab-matrix — expand a matrix config (configs/matrix/NAME.conf) into the
 * cells run-all.sh runs: one line per cell, NAME<TAB>FORKBENCH-ARGS.
 *
 *   forklab-matrix [--modes "cow stack eager"] [--check FORKBENCH] FILE
 *
 * --modes lists the fork modes a cell-modes line expands to (spaces or
 * commas; default cow).  --check runs `FORKBENCH ARGS... --check` for every
 * cell (forkbench's own parser: every option and value, nothing run, fit
 * to the machine not judged).  Errors are one line, "FILE:LINE: ..." for
 * the config, "FILE:LINE: cell NAME: <forkbench's message>" for a cell
 * forkbench refuses, exit status 2; nothing is printed on standard output
 * then.
 */
#include "matrix.h"
#include "parse.h"
#include "usage.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROG "forklab-matrix"
#define MAX_WORDS 256

extern char **environ;

static void usage(FILE *f)
{
	fprintf(f, "Usage: " PROG " [--modes \"MODE...\"] [--check FORKBENCH] FILE\n"
		   "Expand a forklab matrix config into one NAME<TAB>FORKBENCH-ARGS line per cell.\n"
		   "  --modes LIST       modes a cell-modes line runs in (cow, stack, eager; default cow)\n"
		   "  --check FORKBENCH  check every cell's arguments with FORKBENCH ARGS... --check\n"
		   "Grammar: 'cell NAME ARGS...' and 'cell-modes NAME ARGS...', # comments;\n"
		   "NAME: letters, digits, - and _. Errors: FILE:LINE: ..., exit status 2.\n");
}

/* The first line of what fd gives until EOF (at most len - 1 bytes kept,
 * the rest read and dropped). */
static void first_line(int fd, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t r;
	char *nl;

	for (;;) {
		char sink[512];
		bool room = got + 1 < len;

		r = read(fd, room ? buf + got : sink, room ? len - 1 - got : sizeof(sink));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (room)
			got += (size_t)r;
	}
	buf[got] = '\0';
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
}

/* prog's words: prog, then args split at blanks (as run-all.sh splits
 * them), then --check; NULL-terminated, pointing into copy. */
static int split_words(const char *prog, char *copy, char **argv)
{
	char *save = NULL, *w;
	int n = 0;

	argv[n++] = (char *)prog;
	for (w = strtok_r(copy, " \t", &save); w && n < MAX_WORDS - 2; w = strtok_r(NULL, " \t", &save))
		argv[n++] = w;
	if (w)
		return -1;
	argv[n++] = "--check";
	argv[n] = NULL;
	return 0;
}

/* Runs prog on one cell's arguments with --check.  0: valid; 1: refused,
 * msg holds its one line; -1: prog could not be run (msg says why). */
static int check_cell(const char *prog, const struct matrix_cell *cell, char *msg, size_t len)
{
	posix_spawn_file_actions_t fa;
	char *argv[MAX_WORDS], *copy = strdup(cell->args);
	int p[2] = { -1, -1 }, status = 0, rc = -1;
	pid_t pid;

	if (!copy || pipe2(p, O_CLOEXEC)) {
		snprintf(msg, len, "%s", strerror(errno));
		goto cleanup;
	}
	if (split_words(prog, copy, argv)) {
		snprintf(msg, len, "more than %d words", MAX_WORDS - 3);
		rc = 1;
		goto cleanup;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, p[1], 2);
	errno = posix_spawn(&pid, prog, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	p[1] = -1;
	if (errno) {
		snprintf(msg, len, "cannot run '%s': %s", prog, strerror(errno));
		goto cleanup;
	}
	first_line(p[0], msg, len);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		rc = 0;
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == 2) {
		rc = 1;
	} else {
		size_t l = strlen(msg);

		snprintf(msg + l, len - l, "%s'%s --check' ended with status 0x%x", l ? "; " : "",
			 prog, (unsigned)status);
	}
cleanup:
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	free(copy);
	return rc;
}

/* Every cell through prog --check; exits on the first one refused. */
static void check_cells(const char *prog, const char *file, const struct matrix *m)
{
	char msg[1024], qf[SHOWN_LEN];
	size_t i;

	parse_shown(file, qf, sizeof(qf));
	for (i = 0; i < m->n; i++) {
		int rc = check_cell(prog, &m->cells[i], msg, sizeof(msg));

		if (rc > 0)
			usage_die(PROG, "%s:%lu: cell %s: %s", qf, m->cells[i].line,
				  m->cells[i].name, msg);
		if (rc < 0) {
			fprintf(stderr, PROG ": --check: %s\n", msg);
			exit(1);
		}
	}
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
	const char *modes[MATRIX_MAX_MODES], *file = NULL, *check = NULL;
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
		} else if (!strcmp(argv[a], "--check")) {
			if (a + 1 >= argc || !argv[a + 1][0])
				usage_die(PROG, "--check needs the forkbench program to check the cells with");
			check = argv[++a];
		} else if (!strcmp(argv[a], "--")) {
			if (a + 1 < argc)
				file = argv[++a];
			if (a + 1 < argc)
				usage_die(PROG, "one config FILE only, '%s' is one too many", argv[a + 1]);
		} else if (argv[a][0] == '-' && argv[a][1]) {
			usage_die(PROG, "unknown option '%s' (allowed: --modes LIST, --check FORKBENCH, --help)",
				  argv[a]);
		} else if (file) {
			usage_die(PROG, "one config FILE only, '%s' is one too many", argv[a]);
		} else {
			file = argv[a];
		}
	}
	if (!file)
		usage_die(PROG, "no config FILE given (usage: " PROG " [--modes \"MODE...\"] [--check FORKBENCH] FILE)");
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
	if (check)
		check_cells(check, file, &m);
	for (i = 0; i < m.n; i++)
		printf("%s\t%s\n", m.cells[i].name, m.cells[i].args);
	matrix_free(&m);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, PROG ": cannot write the cells: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
