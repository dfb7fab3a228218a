/* csv.h - summary.csv (DESIGN §6; every column in docs/csv-schema.md). */
#ifndef BENCH_CSV_H
#define BENCH_CSV_H

#include <stdbool.h>
#include <stdio.h>

#include "results.h"

/* The header line's columns, in order, comma-separated (no newline). */
extern const char csv_summary_header[];

/* Writes the header and one row per target × phase run × op that ran,
 * warmups excepted. Returns 0, or -1 on a write error (errno set). */
int csv_write_summary(const struct results *r, FILE *f);

/* The same for the warmups only (warmup.csv, same columns). */
int csv_write_warmup(const struct results *r, FILE *f);
/* Whether any phase run was a warmup (warmup.csv is written only then). */
bool csv_has_warmup(const struct results *r);

#endif
