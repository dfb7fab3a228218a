/* outdir.h - writing a run's result directory (DESIGN §6). */
#ifndef BENCH_OUTDIR_H
#define BENCH_OUTDIR_H

#include "results.h"

/*
 * Writes summary.csv, timeseries.csv, warmup.csv (with warmups), run.json
 * and latency/<target>-<op>.hgrm into a temporary directory under `out` and renames it
 * to out/<started_utc>-<workload name>: a result directory is complete or
 * absent. Never replaces an existing directory (RENAME_NOREPLACE); adds -2,
 * -3 ... instead. Returns the final path (caller frees), or NULL after
 * printing why.
 */
char *outdir_write(const char *out, const struct results *r);

/* mkdir -p: 0, or -1 with errno. */
int outdir_mkdir_p(const char *path);

#endif
