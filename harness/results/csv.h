/* csv.h - summary.csv, timeseries.csv (every column in docs/csv-schema.md). */
#ifndef BENCH_CSV_H
#define BENCH_CSV_H

#include <stdbool.h>
#include <stdio.h>

#include "results.h"

/* Writes s as one CSV field: secrets scrubbed (secret.h), then escape_csv()
 * (RFC 4180 quoting only when needed; a formula's first character made text). */
void csv_put_field(FILE *f, const char *s);

/* Writes ",mean,p50,p90,p99,p99.9,max" of h in µs, as summary.csv has
 * them; an empty h gives six `none` fields ("" or "unsupported"). */
void csv_put_latencies(FILE *f, const struct hist *h, const char *none);

/* The header line's columns, in order, comma-separated (no newline). */
extern const char csv_summary_header[];

/* Writes the header and one row per target × phase run × op that ran,
 * warmups excepted. Returns 0, or -1 on a write error (errno set). */
int csv_write_summary(const struct results *r, FILE *f);

/* timeseries.csv: one row per target × phase run × op × second (warmup
 * seconds negative, in the measured run's rows). */
extern const char csv_timeseries_header[];
int csv_write_timeseries(const struct results *r, FILE *f);
/* timeseries.csv's hit_ratio cell: (ops - misses) / ops to 4 decimals for
 * an op that reads (results_op_reads) with ops > 0; nothing otherwise.
 * bench merge recomputes it from the summed counts with it. */
void csv_put_hit_ratio(FILE *f, const char *op, uint64_t ops, uint64_t misses);

/* The same for the warmups only (warmup.csv, same columns). */
int csv_write_warmup(const struct results *r, FILE *f);
/* Whether any phase run was a warmup (warmup.csv is written only then). */
bool csv_has_warmup(const struct results *r);

#endif
