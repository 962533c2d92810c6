// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the matrix config parser (bench/matrix.c), what
 * run-all.sh reads through build/forklab-matrix.
 *
 * The first byte picks the modes (1 to 3 of cow, stack, eager); the rest
 * is the config.  Properties: an error is one printable line naming the
 * file, and leaves no cells; a config that parses gives at least one cell,
 * every name follows the grammar (NAME or NAME@MODE), names are unique,
 * arguments are non-empty, single-line, without surrounding blanks, and a
 * NAME@MODE cell's arguments end in " --fork-mode MODE".
 */
#include "matrix.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                              \
	do {                                                                     \
		if (!(cond)) {                                                   \
			fprintf(stderr, "fuzz_matrix: property failed: %s\n", #cond); \
			abort();                                                 \
		}                                                                \
	} while (0)

static const char *const all_modes[] = { "cow", "stack", "eager" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *modes[3];
	size_t nmodes = 0, i, j, len;
	struct matrix m;
	char err[512];
	const char *p;

	if (size < 1)
		return 0;
	for (i = 0; i < 3; i++)
		if (data[0] & (1u << i))
			modes[nmodes++] = all_modes[i];
	if (!nmodes)
		modes[nmodes++] = "cow";
	err[0] = '\0';
	if (matrix_parse((const char *)data + 1, size - 1, "fuzz.conf", modes, nmodes, &m,
			 err, sizeof(err))) {
		CHECK(!strncmp(err, "fuzz.conf:", 10));
		for (p = err; *p; p++)
			CHECK((unsigned char)*p >= 0x20 && (unsigned char)*p <= 0x7e);
		CHECK(m.n == 0 && m.cells == NULL);
		return 0;
	}
	CHECK(m.n >= 1);
	for (i = 0; i < m.n; i++) {
		const char *name = m.cells[i].name, *args = m.cells[i].args, *at;

		CHECK(matrix_name_ok(name));
		len = strlen(args);
		CHECK(len > 0);
		CHECK(!strchr(args, '\n'));
		CHECK(args[0] != ' ' && args[0] != '\t');
		CHECK(args[len - 1] != ' ' && args[len - 1] != '\t');
		CHECK(!strchr(args, '#'));
		at = strchr(name, '@');
		if (at) {
			char tail[32];

			snprintf(tail, sizeof(tail), " --fork-mode %s", at + 1);
			CHECK(len > strlen(tail) && !strcmp(args + len - strlen(tail), tail));
		}
		for (j = 0; j < i; j++)
			CHECK(strcmp(name, m.cells[j].name) != 0);
	}
	matrix_free(&m);
	return 0;
}
