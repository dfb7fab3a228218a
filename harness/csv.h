/* csv.h - summary.csv (DESIGN §6; every column in docs/csv-schema.md). */
#ifndef BENCH_CSV_H
#define BENCH_CSV_H

#include <stdio.h>

#include "results.h"

/* The header line's columns, in order, comma-separated (no newline). */
extern const char csv_summary_header[];

/* Writes the header and one row per target × phase run × op that ran.
 * Returns 0, or -1 on a write error (errno set). */
int csv_write_summary(const struct results *r, FILE *f);

#endif
