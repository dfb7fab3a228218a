/*
 * chart_int.h - what chart.c (the model, running gnuplot), chart_gp.c
 * (the bar charts and sweep curves), chart_series.c (spectra, over time)
 * and report.c share. Not for other modules: use chart.h. The files form a
 * tree: chart.c -> {chart_gp.c, chart_series.c} -> chart_script.c (the
 * files in charts/, script helpers) -> chart_table.c (table, sets, means,
 * names); report.c uses chart_table.c.
 */
#ifndef BENCH_CHART_INT_H
#define BENCH_CHART_INT_H

#include <stdbool.h>
#include <stdio.h>

#include "chart.h"
#include "cmptab.h"

/* ---- chart_table.c (and chart.h's table) ---- */

/* An ordered set of strings (first-seen order); owns its copies. */
struct chart_set {
	char **v;
	size_t n;
};
/* Returns x's index, adding a copy when absent. */
size_t chart_set_add(struct chart_set *s, const char *x);
/* x's index, or -1. */
long chart_set_find(const struct chart_set *s, const char *x);
void chart_set_free(struct chart_set *s);

/* Mean and 95% CI of a few values (the repeats of one measurement). */
struct chart_acc {
	double sum, sumsq;
	unsigned n;
};
void chart_acc_add(struct chart_acc *a, double v);
double chart_acc_mean(const struct chart_acc *a);  /* NAN when empty */
double chart_acc_ci(const struct chart_acc *a);    /* half width; NAN below 2 values */

/* Formats into err (when errlen > 0). */
void chart_seterr(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A whole file of a result directory, NUL-terminated, through
 * util_read_file (at most CHART_FILE_MAX bytes); NULL with errno on
 * failure; *len may be NULL. Caller frees. */
#define CHART_FILE_MAX ((size_t)1 << 30)
char *chart_slurp(const char *path, size_t *len);
/* s with every character but letters, digits and -_.= replaced by _ (the
 * rule outdir.c names latency files by). Caller frees. */
char *chart_safe_name(const char *s);

/* ---- the model (chart.c) ---- */

/*
 * summary.csv, indexed by phase × op × sweep point × target (the sets below
 * give the order: first appearance in the file), repeats folded into
 * chart_acc.
 */
struct chart_model {
	const char *dir;          /* the result directory */
	char *charts_dir;         /* dir/charts */
	char *err;                /* the caller's error buffer */
	size_t errlen;
	bool failed;              /* a write failed: err says which */

	struct chart_table *sum;
	int c_phase, c_target, c_op, c_repeat, c_ops, c_tput, c_p99, c_unsup, c_rate, c_skey, c_sval, c_ccpu,
		c_scpu;
	struct chart_set phases, targets, ops, sweeps, repeats;
	const char *sweep_key;    /* "" without a sweep; points into sum */
	struct chart_acc *tput, *p99;      /* [phase][op][sweep][target] */
	struct chart_acc *hit;             /* same index: (ops - misses) / ops, get only */
	int c_miss;                        /* -1: the file has no misses column */
	unsigned char *unsup;              /* same index: the op is unsupported there */
	struct chart_acc *ccpu, *scpu;     /* [phase][sweep][target] */
	unsigned char *cpu_seen;           /* [phase][sweep][target][repeat] */
	bool *is_load, *open_loop;         /* [phase] */
	struct cmptab *cmp;                /* comparison.csv; NULL when the run has none */

	struct chart_set names;   /* every chart name handed out */
	char **chart_names, **chart_titles; /* the charts to draw, in order */
	size_t n_charts;
};

#define CHART_IX4(m, p, o, s, t) ((((p) * (m)->ops.n + (o)) * (m)->sweeps.n + (s)) * (m)->targets.n + (t))
#define CHART_IX3(m, p, s, t) (((p) * (m)->sweeps.n + (s)) * (m)->targets.n + (t))

/* ---- chart_script.c: files in charts/ ---- */

/* A fresh chart name from base (made safe; -2, -3 ... on a clash). Caller frees. */
char *chart_new_name(struct chart_model *m, const char *base);
/* Opens charts/NAME.EXT for writing; NULL with m->failed set on failure. */
FILE *chart_open(struct chart_model *m, const char *name, const char *ext);
/* Closes f (NULL: returns -1); -1 with m->failed set on a write error. */
int chart_close(struct chart_model *m, FILE *f, const char *name);
/* Queues NAME.gp for gnuplot and for charts/index.txt with its title. */
void chart_register(struct chart_model *m, const char *name, const char *title);

/* ---- the charts ---- */

/* Each writes its .dat and .gp files and registers its charts; a write
 * failure sets m->failed. chart_gp.c: */
void chart_gp_compare(struct chart_model *m);
void chart_gp_throughput(struct chart_model *m);
void chart_gp_cpu(struct chart_model *m);
void chart_gp_sweep(struct chart_model *m);
/* chart_sizing.c: a sweep over server.memory, one chart per target. */
void chart_gp_sizing(struct chart_model *m);
/* chart_series.c: */
void chart_gp_latency(struct chart_model *m);
void chart_gp_timeline(struct chart_model *m);

/* ---- chart_script.c: script helpers ---- */

#define CHART_W 1000   /* chart size in pixels */
#define CHART_H 560
#define CHART_H2 860   /* two panels */

/* The range of the values of one y axis, to choose its scale; the same
 * for one series, to know whether it can be drawn on that axis. */
struct chart_range {
	double lo, hi;  /* the smallest and largest positive mean */
	double top;     /* the highest mean or CI end */
	bool any;       /* any finite value at all */
	bool ci;        /* any confidence interval */
	bool ci_pos;    /* any confidence interval around a positive mean */
};
void chart_range_add(struct chart_range *r, const struct chart_acc *a);
/* The same for a mean v with its interval [lo, hi] (NAN: none), as
 * comparison.csv gives them. */
void chart_range_add_ci(struct chart_range *r, double v, double lo, double hi);
/* Writes the y axis's settings: log when the values span over 100x, else
 * linear from 0; "no data" on an empty axis. indent prefixes each line. */
void chart_gp_yaxis(FILE *f, const struct chart_range *r, const char *indent);

/*
 * Whether a series whose values span s has a point gnuplot can draw on the
 * y axis chart_gp_yaxis() makes of axis: any value at all, and a positive
 * one on a log axis; with ci, the same for its error bars. A chart never
 * plots a series that has none (gnuplot would warn "Skipping data file
 * with no valid points"): it leaves it out and names it in the chart
 * (chart_gp_not_drawn).
 */
bool chart_range_drawable(const struct chart_range *s, const struct chart_range *axis, bool ci);
/* Sets label 4 to "not drawn (...): NAMES" when names is not empty, else
 * unsets it; indent prefixes the line. */
void chart_gp_not_drawn(FILE *f, const char *names, const char *indent);
/* Writes "INDENT set WHAT 's'" (a label, a title) and a line end. */
void chart_gp_set(FILE *f, const char *indent, const char *what, const char *s);
/* Starts block i of a .dat file (gnuplot's index): two blank lines before
 * every block but the first, then "# WHAT 'name'". */
void chart_dat_block(FILE *f, size_t i, const char *what, const char *name);
/* Starts one element of a plot command: ", \" and a line break before
 * every element but the first. */
void chart_gp_elem(FILE *f, bool *first);
/* Ends a plot command; one with no element (nothing drawable) plots NaN,
 * which draws nothing and warns of nothing. */
void chart_gp_plot_end(FILE *f, bool first);

/* s as a gnuplot string (escape_gnuplot: single quotes, so nothing in s
 * is run or expanded; '\n' becomes a line break). Every name written into
 * a .gp or .dat file goes through it, comments included. */
void chart_gp_str(FILE *f, const char *s);
/* " %.6g", or " ?" (gnuplot's missing value) when v is not finite. */
void chart_dat_num(FILE *f, double v);
/* The script's header: comments, encoding, colours, title. */
void chart_gp_begin(FILE *f, const char *name, const char *title, const char *source);
/* Opens the loop that draws NAME.svg and NAME.png at w × h pixels; the plot
 * commands follow, then chart_gp_end() closes it. */
void chart_gp_outputs(FILE *f, const char *name, int w, int h);
void chart_gp_end(FILE *f);
/* The gnuplot linetype (colour) of target t. */
int chart_target_lt(size_t t);
/* A tic label: gnuplot reads it as a format, so % is doubled. */
void chart_gp_tic(FILE *f, const char *s);
/* A mean with its 95% interval: " mean low high" (" ?" where none). */
void chart_dat_mean_ci(FILE *f, const struct chart_acc *a);
/* "DAT" index N: where a plot element's points are. */
void chart_gp_source(FILE *f, const char *dat, size_t index);

#endif
