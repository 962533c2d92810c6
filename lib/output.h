/* SPDX-License-Identifier: GPL-2.0 */
/* Strings in forklab's machine-readable outputs: the one JSON string writer
 * and the one CSV field writer forkbench and cowtrace share. */
#ifndef FORKLAB_OUTPUT_H
#define FORKLAB_OUTPUT_H

#include <stdio.h>

/* s as a JSON string, quotes included (RFC 8259): '"' and '\' escaped,
 * \n \t \r as such, every other byte below 0x20 as \u00XX.  Valid UTF-8
 * is kept as it is; a byte that is not part of valid UTF-8 is written as
 * \ufffd (the replacement character), so the output is always valid JSON. */
void json_str(FILE *f, const char *s);
/* The same without the quotes, for a string written in parts. */
void json_chars(FILE *f, const char *s);

/* s as a CSV field (RFC 4180): as it is, or in double quotes (inner quotes
 * doubled) when it holds a comma, a double quote, CR or LF. */
void csv_str(FILE *f, const char *s);

#endif
