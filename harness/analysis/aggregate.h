/*
 * aggregate.h - a run's repeats aggregated, and its targets set against
 * each other: what comparison.csv, results.json and the end of `bench run`
 * show (docs/csv-schema.md, "comparison.csv" and "results.json").
 *
 * The input is one sample per summary.csv row (target x phase x op x sweep
 * point x repeat), taken from the results model at the end of a run
 * (agg_from_results) or from a summary.csv read back (agg_from_summary):
 * both give the figures exactly as summary.csv writes them, so a mean here
 * is the mean of the file's rows. aggregate.c holds the statistics,
 * aggregate_in.c the two inputs, aggregate_out.c the files and
 * aggregate_term.c the terminal table.
 */
#ifndef BENCH_AGGREGATE_H
#define BENCH_AGGREGATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum agg_metric {
	AGG_OPS_PER_SEC,  /* higher is better */
	AGG_P50,          /* µs, lower is better (and every one below) */
	AGG_P99,
	AGG_P999,
	AGG_HIT_RATIO,    /* ok / (ok + miss) of a read op; higher is better */
	AGG_CLIENT_CPU,   /* µs per op */
	AGG_SERVER_CPU,
	AGG_N_METRICS
};

enum agg_verdict { AGG_NO_VERDICT, AGG_BEST, AGG_TIE, AGG_WORSE };

/* One summary.csv row. The strings are borrowed (agg_build copies them);
 * sweep_key and sweep_value are "" without a sweep. */
struct agg_sample {
	const char *workload, *phase, *op, *sweep_key, *sweep_value, *target, *server;
	uint64_t sent;        /* requests sent: answered + failed */
	uint64_t failed;      /* errors + timeouts + disconnects */
	uint64_t unsupported; /* drawn, never sent: the target cannot do the op */
	uint64_t answered;    /* ok + miss */
	uint64_t misses;
	double v[AGG_N_METRICS]; /* NAN: not measured (empty or unsupported in summary.csv) */
};

/* One metric of one row over its repeats. */
struct agg_stat {
	size_t n;                /* repeats with a value */
	double mean;             /* NAN when n == 0 */
	double se;               /* standard error s / sqrt(n); NAN when n < 2 */
	double ci_low, ci_high;  /* mean -+ t(0.975, n - 1) * se; NAN when n < 2 */
};

/* One target x phase x op x sweep point. The strings are owned. */
struct agg_row {
	char *workload, *phase, *op, *sweep_key, *sweep_value, *target, *server;
	size_t repeats;          /* samples aggregated */
	uint64_t sent, failed, unsupported, answered, misses; /* summed over them */
	struct agg_stat m[AGG_N_METRICS];
	/* Of the target's whole phase run at this sweep point: the share of
	 * each op it sent ("get:0.900 set:0.100", ops by name), and whether
	 * it differs from the others' because some op of the mix was
	 * unsupported on it while another target sent it. */
	char *effective_mix;
	bool mix_differs;
};

/* One comparison.csv row: a row (which ran the op, as did at least one
 * other target) and a metric. */
struct agg_cmp {
	size_t row;              /* index into aggregate.rows */
	enum agg_metric metric;
	double ratio;            /* mean / the best's mean; NAN: none */
	double ratio_low, ratio_high; /* its 95% interval (Fieller); NAN: none */
	unsigned rank;           /* 1 = best; 0 when the row has no mean */
	enum agg_verdict verdict;
};

struct aggregate {
	/* Ordered by workload, phase, op, sweep point, target, each in the
	 * order it first appears in the samples. */
	struct agg_row *rows;
	size_t n_rows;
	/* Ordered by workload, phase, op, sweep point, metric, target. */
	struct agg_cmp *cmp;
	size_t n_cmp;
	size_t max_repeats;      /* the most repeats of any row */
};

/* Aggregates n samples (any order). Never fails; free with agg_free. */
struct aggregate *agg_build(const struct agg_sample *s, size_t n);

struct results;
/* The samples of a finished run's results model (its summary.csv rows,
 * figures rounded as summary.csv writes them), aggregated. */
struct aggregate *agg_from_results(const struct results *r);

/* The same from a summary.csv (a path, or a directory holding one).
 * Returns 0 with *out set, or -1 with err set to a message naming the file
 * (and line) when it cannot be read or is not a bench summary. */
int agg_from_summary(const char *path, struct aggregate **out, char *err, size_t errlen);

/* NULL is a no-op. */
void agg_free(struct aggregate *a);

/* "ops_per_sec", "p50_us", ... as in comparison.csv; "higher" / "lower";
 * "best", "tie", "worse", "" (no verdict). Static strings. */
const char *agg_metric_name(enum agg_metric m);
bool agg_higher_is_better(enum agg_metric m);
const char *agg_verdict_name(enum agg_verdict v);

/* Whether op (a summary.csv op name) reads records: its misses make a hit
 * ratio. */
bool agg_op_reads(const char *op);

/* Mean, standard error and 95% Student-t interval of v[0..n) (n - 1
 * degrees of freedom). */
void agg_stat_of(const double *v, size_t n, struct agg_stat *out);

/*
 * Fieller's 95% interval for the ratio of two independent means a / b
 * (a over na repeats with standard error se_a, b likewise). Returns 0 with
 * *lo <= *hi, or -1 when there is no bounded interval: na or nb < 2, b's
 * own interval reaches 0 (the ratio could be anything), or a figure is not
 * finite. docs/csv-schema.md says why Fieller and not the delta method.
 */
int agg_fieller(double a, double se_a, size_t na, double b, double se_b, size_t nb, double *lo, double *hi);

/* comparison.csv (its header, then every a->cmp row). 0, or -1 on a
 * write error. */
int agg_write_comparison_csv(const struct aggregate *a, FILE *f);
extern const char agg_comparison_header[];

/*
 * results.json for the result directory `dir` (docs/csv-schema.md): the
 * schema version, bench, host, the workload, the targets and their
 * servers, and the warnings as dir/run.json has them; every row of
 * dir/summary.csv; a's rows and comparison rows. Returns 0, or -1 on a
 * write error, or with why in err (errlen bytes) when a file of dir cannot
 * be read.
 */
int agg_write_results_json(const char *dir, const struct aggregate *a, FILE *f, char *err, size_t errlen);
#define AGG_RESULTS_JSON_VERSION 1

/* Both files for a directory that holds summary.csv and run.json (`bench
 * merge`'s, before it is renamed into place), from its summary.csv.
 * Returns 0, or -1 with why in err (errlen bytes). */
int agg_write_dir(const char *dir, char *err, size_t errlen);

/*
 * The end of `bench run` on the terminal: the workload and its mix, then
 * per phase (load phases apart from the others) and op each target's
 * ops/s and p99 (mean ± CI half-width when repeats > 1), the ratio to the
 * best with its interval and the verdict, the hit ratio of reads, a note
 * where a target's mix differs, and the phase's CPU per op once; a sweep
 * as one table per op (sweep value x target). Targets that did not run
 * and why come last. Every name goes through escape_terminal.
 */
void agg_print(const struct aggregate *a, const struct results *r, FILE *out);

#endif
