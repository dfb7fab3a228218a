/* json.h - run.json: the provenance of a run (docs/csv-schema.md, "run.json"). */
#ifndef BENCH_JSON_H
#define BENCH_JSON_H

#include <stdio.h>

#include "results.h"

/* Writes run.json. Returns 0, or -1 on a write error (errno set). */
int json_write_run(const struct results *r, FILE *f);

/* Writes s as a JSON string (quoted, escaped). */
void json_put_string(FILE *f, const char *s);

#endif
