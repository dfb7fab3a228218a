/*
 * cmptab.h - comparison.csv as the charts and report.html read it: the
 * targets of a run set against each other per phase, op and sweep point,
 * one row per metric and target (docs/csv-schema.md). `bench run` writes
 * the file; this only reads it, through csvread.c's strict reader, every
 * column found by its name in the header.
 */
#ifndef BENCH_CMPTAB_H
#define BENCH_CMPTAB_H

#include <stdbool.h>
#include <stddef.h>

/* One phase × op × sweep point that at least two targets ran. */
struct cmptab_group {
	char *phase, *op, *sweep_key, *sweep_value;
};

/* One row: a group × metric × target. Every number is NAN when its cell
 * is empty (one repeat has no interval; a metric a target lacks has no
 * mean, ratio or verdict). */
struct cmptab_row {
	size_t group, metric, target; /* indexes into the arrays of struct cmptab */
	bool higher;                  /* better = higher (ops/s, hit ratio) */
	double n;                     /* repeats; NAN when empty */
	double mean, ci_low, ci_high;
	double ratio, ratio_ci_low, ratio_ci_high;
	double rank;                  /* 1 = best; NAN when empty */
	char *verdict;                /* "best", "tie", "worse" or "" */
	char *server;                 /* "" when the file has no server column */
	bool mix_differs;
	char *effective_mix;          /* "get:0.750 set:0.250", or "" */
	size_t line;                  /* in comparison.csv, for messages */
};

struct cmptab {
	char *path;
	struct cmptab_group *groups;  /* in order of first appearance */
	size_t ngroups;
	char **targets, **metrics;    /* likewise */
	size_t ntargets, nmetrics;
	struct cmptab_row *rows;      /* in file order */
	size_t nrows;
	size_t *index;                /* [group][metric][target]: row + 1, 0 = none */
};

/*
 * Reads DIR/comparison.csv. Returns 0 with *out set (free with
 * cmptab_free); 1 with *out NULL when the file does not exist (an older
 * run, or a run of one target); -1 with err set when it cannot be read or
 * is not a comparison.csv: a missing column, a row with more or fewer
 * fields than the header, a number that is not one, an unknown `better`,
 * `verdict` or `mix_differs` value, an empty key, or a second row for the
 * same phase, op, sweep point, metric and target; the message names
 * FILE:LINE (bad input: `bench chart` and `bench report` exit 2).
 */
int cmptab_load(const char *dir, struct cmptab **out, char *err, size_t errlen);

/* The row of group g, metric m and target t, or NULL. */
const struct cmptab_row *cmptab_find(const struct cmptab *c, size_t g, size_t m, size_t t);

/* The index of the metric named name, or -1. */
long cmptab_metric(const struct cmptab *c, const char *name);

/* A label for a metric of comparison.csv ("ops/s", "p99 latency (µs)");
 * an unknown name is its own label: a static string, or name itself. */
const char *cmptab_metric_label(const char *name);

/* NULL is a no-op. */
void cmptab_free(struct cmptab *c);

#endif
