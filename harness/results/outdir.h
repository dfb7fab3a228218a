/* outdir.h - writing a run's result directory (docs/csv-schema.md). */
#ifndef BENCH_OUTDIR_H
#define BENCH_OUTDIR_H

#include <stdbool.h>
#include <stdio.h>

#include "results.h"

/*
 * Errors (docs/architecture.md, "Errors"): every function here returns 0 or
 * a path on success, -1 or NULL on failure with one line in the caller's
 * err (errlen bytes) naming the file; nothing here prints. A writer handed
 * in (write, fill) returns 0, or -1 and may put its own reason in err
 * (left empty, the failed call's errno is the reason).
 */

/* A file a higher layer adds to the result directory (comparison.csv,
 * results.json): written after the others, so summary.csv and run.json
 * are in `dir` (the temporary directory) by then. */
struct outdir_file {
	const char *name;
	int (*write)(const char *dir, FILE *f, const void *arg, char *err, size_t errlen);
	const void *arg;
};

/*
 * Writes summary.csv, timeseries.csv, warmup.csv (with warmups), run.json
 * and latency/<target>-<op>.hgrm, then extra[0..n_extra), into a temporary
 * directory under `out` and renames it
 * to out/<started_utc>-<workload name>: a result directory is complete or
 * absent. Never replaces an existing directory (RENAME_NOREPLACE); adds -2,
 * -3 ... instead. Returns the final path (caller frees), or NULL with err
 * set ("cannot write DIR/summary.csv: No space left on device").
 */
char *outdir_write(const char *out, const struct results *r, const struct outdir_file *extra, size_t n_extra,
		   char *err, size_t errlen);

/*
 * Whether results can be written under dir, checked before any work:
 * with create, makes it when missing (mkdir -p); then creates and removes
 * a probe directory with a file in it. Returns 0, or -1 with why in err
 * ("it is not a directory", "cannot create it: Read-only file system"),
 * without the path: the caller names it with the option that gave it
 * (cli/cmd.c's cmd_check_outdir).
 */
int outdir_check(const char *dir, bool create, char *err, size_t errlen);

/* mkdir -p: 0, or -1 with errno. */
int outdir_mkdir_p(const char *path);
/*
 * The same for any content: creates a temporary directory under `out`
 * (made if missing), lets fill() write into it (0, or -1 with err set),
 * and renames it to out/<stamp>-<name> (-2, -3 ... when taken).
 * Returns the final path (caller frees), or NULL with err set; the
 * temporary directory is removed on failure.
 */
char *outdir_create(const char *out, const char *stamp, const char *name,
		    int (*fill)(const char *tmp, const void *arg, char *err, size_t errlen), const void *arg,
		    char *err, size_t errlen);

/*
 * Moves temporary directory tmp (a directory under out) into place as
 * out/<stamp>-<name>, -2, -3 ... when taken, never replacing one
 * (RENAME_NOREPLACE). With retarget, first rewrites, in every log, JSON,
 * HTML, gnuplot and .txt file under tmp, tmp's last component into the
 * final one (outdir_retarget): for content written by others (a child
 * `bench run` records the --out it was given) that could only name the
 * temporary directory. Returns the final path (caller frees), or NULL
 * with err set, tmp left as it is.
 */
char *outdir_publish(const char *tmp, const char *out, const char *stamp, const char *name, bool retarget,
		     char *err, size_t errlen);
/* Replaces every `from` by `to` in the text files under dir (recursive;
 * each rewritten beside itself and renamed over it). 0, or -1 with err
 * set. `from` should be unique (a temporary directory's name is). */
int outdir_retarget(const char *dir, const char *from, const char *to, char *err, size_t errlen);

/* Creates path (never replacing a file), runs write(arg, f, ...) and closes
 * it. Returns 0, or -1 with "cannot write PATH: why" in err. */
int outdir_write_file(const char *path, int (*write)(const void *arg, FILE *f, char *err, size_t errlen),
		      const void *arg, char *err, size_t errlen);

/* dir/name as HdrHistogram percentile text, in milliseconds. 0, or -1
 * with err set. */
int outdir_write_hgrm(const char *dir, const char *name, const struct hist *h, char *err, size_t errlen);

/* One summary.csv row's histograms (latency/<name>.hist, docs/csv-schema.md):
 * which row (workload, target, phase, op, sweep_key, sweep_value as in
 * summary.csv; "" when none) and its two histograms. */
struct outdir_hist {
	const char *id[6];
	uint64_t repeat;
	const struct hist *lat, *lat_uncorrected;
};
int outdir_write_hist(const char *dir, const char *name, const struct outdir_hist *o, char *err, size_t errlen);

#endif
