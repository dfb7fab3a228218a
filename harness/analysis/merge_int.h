/*
 * merge_int.h - what merge.c (reading and checking the shards) and
 * merge_out.c (writing the merged directory) share. Not an interface for
 * anything else.
 */
#ifndef BENCH_MERGE_INT_H
#define BENCH_MERGE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "chart.h"
#include "histogram.h"
#include "report_json.h"

/* The row key of summary.csv and latency/NAME.hist: workload, target,
 * phase, op, sweep_key, sweep_value, repeat. */
#define MERGE_KEY_COLS 7
extern const char *const merge_key_cols[MERGE_KEY_COLS];

/* One latency/NAME.hist of a shard. */
struct merge_hist {
	char *name;                     /* NAME, without .hist */
	char *key[MERGE_KEY_COLS];
	struct hist *lat, *unc;         /* corrected, uncorrected */
	bool used;                      /* matched to a summary.csv row */
};

/* One shard's result directory. */
struct merge_in {
	const char *dir;
	uint64_t index;
	json_t *run;                    /* run.json */
	struct chart_table *sum, *ts;   /* summary.csv, timeseries.csv */
	int key[MERGE_KEY_COLS];        /* summary.csv's key columns */
	struct merge_hist *hists;
	size_t n_hists;
};

/* One row of the merged summary.csv. */
struct merge_row {
	size_t *src;                    /* per input: its summary.csv row, or SIZE_MAX */
	struct merge_hist **hist;       /* per input: that row's histograms, or NULL */
	struct hist *lat, *unc;         /* merged; NULL when no shard answered any */
	const char *name;               /* latency file name (a shard's) */
};

struct merge {
	struct merge_in *in;            /* sorted by shard index */
	size_t n;                       /* inputs = the shard count */
	struct merge_row *rows;
	size_t n_rows;
	char *command;
	char started[32];               /* the earliest shard's start, for the name */
	char **warnings;
	size_t n_warnings;
};

/* Adds a warning to m->warnings (merge_warnings; never printed here). */
void merge_warn(struct merge *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* merge_out.c: fills the temporary directory `tmp` (0, or -1 with why in
 * err). arg is the struct merge. */
int merge_write(const char *tmp, const void *arg, char *err, size_t errlen);

#endif
