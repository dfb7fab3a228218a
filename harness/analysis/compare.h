/*
 * compare.h - `bench compare`: read two summary.csv files (or result
 * directories), join their rows by workload, phase, target, op and sweep
 * point, aggregate repeats into a mean with a 95% confidence interval, and
 * judge each of ops/s, p50 and p99 against a threshold. docs/compare.md
 * explains every rule; compare.c reads and judges, compare_out.c writes.
 */
#ifndef BENCH_COMPARE_H
#define BENCH_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum compare_metric {
	COMPARE_OPS_PER_SEC, /* higher is better */
	COMPARE_P50,         /* lower is better */
	COMPARE_P99,         /* lower is better */
	COMPARE_N_METRICS
};

/* Every verdict before COMPARE_NOT_MEASURED has both figures and a delta. */
enum compare_verdict {
	COMPARE_UNCHANGED,      /* within the threshold */
	COMPARE_NOT_SIGNIFICANT,/* beyond the threshold, but the intervals overlap */
	COMPARE_REGRESSION,     /* worse by more than the threshold, significant (or one run, --strict) */
	COMPARE_IMPROVEMENT,    /* better by more than the threshold, significant (or one run, --strict) */
	COMPARE_UNTESTED_WORSE, /* worse by more than the threshold, one run on a side: untested, not a regression */
	COMPARE_UNTESTED_BETTER,/* better by more than the threshold, one run on a side: untested */
	COMPARE_TOO_SHORT,      /* a run of the row measured under COMPARE_MIN_DURATION_S: not judged */
	COMPARE_NOT_COMPARABLE, /* the target was answered by different servers on the two sides
				 * (FerretDB in one run, MongoDB in the other): not judged */
	COMPARE_NOT_MEASURED,   /* empty or `unsupported` on a side: never a regression */
	COMPARE_ONLY_BASELINE,  /* the row is in the baseline only */
	COMPARE_ONLY_CANDIDATE  /* the row is in the candidate only */
};

enum compare_format { COMPARE_TABLE, COMPARE_CSV, COMPARE_MARKDOWN };

/* A phase run shorter than this (summary.csv's duration_s) is too short to
 * compare: its figures are mostly start-up and noise. */
#define COMPARE_MIN_DURATION_S 1.0

struct compare_opts {
	double threshold_pct; /* >= 0; 5 by default */
	bool force;           /* join runs of differently named workloads */
	bool strict;          /* one run on a side: the threshold alone decides (a regression fails) */
};

/* One side's figure for one row and metric. */
struct compare_stat {
	size_t n;         /* repeats with a value; 0 = not measured */
	double mean;      /* mean over those repeats */
	double ci95;      /* half-width of the 95% interval; 0 when n < 2 */
	bool unsupported; /* n == 0 because the target cannot do the op */
};

struct compare_cell {
	struct compare_stat base, cand;
	double delta;     /* cand.mean - base.mean, when both are measured */
	double delta_pct; /* 100 * delta / base.mean; +-INFINITY when base.mean is 0 */
	int significant;  /* 1 intervals apart, 0 they overlap, -1 cannot tell (a side has 1 run, or not measured) */
	enum compare_verdict verdict;
};

/* One joined row. The strings belong to the result. With --force the two
 * workload names may differ; otherwise they are the same string. */
struct compare_entry {
	const char *workload, *cand_workload, *phase, *target, *op, *sweep_key, *sweep_value;
	double shortest_s; /* the shortest duration_s of its runs on either side; NAN when unknown */
	struct compare_cell m[COMPARE_N_METRICS];
};

struct compare_side;

struct compare_result {
	const char *base_path, *cand_path;  /* the summary.csv files that were read */
	char *base_workloads, *cand_workloads; /* their workload names, ", "-separated */
	size_t base_repeats[2], cand_repeats[2]; /* fewest and most repeats of a key on each side */
	double threshold_pct;
	bool strict;
	struct compare_entry *entries;     /* baseline's row order, then candidate-only rows */
	size_t n_entries;
	/* Per row and metric: */
	/* regressions: significant ones; with --strict also one beyond the
	 * threshold with one run on a side (what makes `bench compare` exit 1) */
	size_t regressions, improvements, unchanged, not_significant, not_measured;
	size_t untested_worse, untested_better, too_short;
	/* Per row: */
	size_t only_baseline, only_candidate;
	struct compare_side *base, *cand;  /* owned storage */
	/* Per row and metric: a target answered by different servers. */
	size_t not_comparable;
	/* The servers each side's run.json names (compare_servers.h; empty
	 * without a run.json beside the summary.csv): owned. */
	struct compare_servers *base_servers, *cand_servers;
};

/*
 * Reads both inputs (a summary.csv path, or a directory holding one) and
 * joins them; and the run.json beside each, for the servers that answered
 * (a target answered by different products is not comparable). Returns 0 with *out set (free with compare_result_free), or
 * -1 with one message naming file:line in err (errlen bytes, truncated to
 * fit) when an input is missing, unreadable, malformed or not a
 * summary.csv, a run.json beside one is unreadable or not JSON, or the runs used different workloads and o->force is off.
 * A regression is not a failure: r->regressions counts them (cmd_compare.c
 * turns a count above 0 into exit status 1).
 */
int compare_runs(const char *baseline, const char *candidate, const struct compare_opts *o,
		 struct compare_result **out, char *err, size_t errlen);

/* NULL is a no-op. */
void compare_result_free(struct compare_result *r);


/*
 * Writes the comparison to out in the given format. The table and markdown
 * formats end with the summary line; the csv format is only CSV (write the
 * summary line elsewhere with compare_write_summary). Returns 0, or -1 on a
 * write error.
 */
int compare_write(const struct compare_result *r, enum compare_format fmt, FILE *out);

/* "N regressions, M improvements, K unchanged" and what else there is, one
 * line. Returns 0 or -1 on a write error. */
int compare_write_summary(const struct compare_result *r, FILE *out);

/* The servers' warnings, one line each: every stand-in, every target not
 * comparable (the table and markdown formats start with them; for csv,
 * write them elsewhere). Returns 0 or -1 on a write error. */
int compare_write_servers(const struct compare_result *r, bool markdown, FILE *out);

/* "table", "csv", "markdown" -> 0 with *out set; anything else -1. */
int compare_parse_format(const char *s, enum compare_format *out);

/* Names used in every output: "regression", "only in baseline", ...;
 * "ops_per_sec", "p50_us", "p99_us". Static strings. */
const char *compare_verdict_name(enum compare_verdict v);
const char *compare_metric_name(enum compare_metric m);

/* Student's t quantile t(0.975, df), df >= 1 (table to 30, then a
 * series that tends to 1.96). */
double compare_t975(unsigned df);

/* Mean and 95% interval half-width of v[0..n-1] (sample standard
 * deviation, t with n-1 degrees of freedom; 0 when n < 2). */
void compare_stat_of(const double *v, size_t n, struct compare_stat *out);

#endif
