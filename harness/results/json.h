/*
 * json.h - run.json, the provenance of a run (docs/csv-schema.md,
 * "run.json"), and what every JSON file bench writes shares. JSON is built
 * and written by jansson; these helpers add the rules bench keeps: every
 * string is UTF-8 and passes the secret scrubber, and the layout is the same
 * in every file (docs/architecture.md, "Formats and libraries").
 *
 * The helpers abort on out-of-memory (as xmalloc does): callers never check.
 */
#ifndef BENCH_JSON_H
#define BENCH_JSON_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "results.h"

/* Writes run.json. Returns 0, or -1 on a write error (errno set). */
int jsonw_run(const struct results *r, FILE *f);

/*
 * Writes root to f as bench writes every JSON file: two spaces of
 * indentation per level, one member or element per line, members in the
 * order they were set, a final newline. Every string and every key goes
 * through secret_scrub first (a copy is written; root is not changed).
 * Returns 0, or -1 on a write error (errno set).
 */
int jsonw_dump(const json_t *root, FILE *f);

/* A new string value holding s (NULL gives null). Bytes that are not
 * well-formed UTF-8 (jansson takes nothing else) become U+FFFD. */
json_t *jsonw_str(const char *s);
/* A new number; one JSON cannot hold (NaN, infinity) gives null. */
json_t *jsonw_num(double v);
/* A new whole number. Above 2^63 - 1, more than jansson's integers hold,
 * a string of its decimal digits, so that nothing is rounded. */
json_t *jsonw_u64(uint64_t v);

/* Sets o[key] to v, taking v's reference (key made UTF-8 as jsonw_str). */
void jsonw_set(json_t *o, const char *key, json_t *v);
/* Appends v to the array a, taking v's reference. */
void jsonw_append(json_t *a, json_t *v);

#endif
