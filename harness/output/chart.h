/*
 * chart.h - charts of a result directory, drawn by gnuplot (docs/charts.md).
 *
 * chart_draw() reads the files a run wrote (summary.csv, timeseries.csv,
 * latency/NAME.hgrm), writes a gnuplot script (.gp) and its data (.dat) per
 * chart into DIR/charts/, and runs gnuplot on each script (no shell), which
 * writes the chart as .svg and .png beside it. The scripts stay, so a user
 * can restyle a chart and redraw it with `cd DIR/charts && gnuplot X.gp`.
 *
 * The CSV table below is shared with report.c and merge.c.
 */
#ifndef BENCH_CHART_H
#define BENCH_CHART_H

#include <stddef.h>

/* chart_draw()'s return values. */
enum chart_status {
	CHART_ERROR = -1,       /* err says what: unreadable input, a write failed, gnuplot failed */
	CHART_OK = 0,
	CHART_NO_GNUPLOT = 1    /* scripts and data written, nothing drawn: gnuplot is not on PATH */
};

/*
 * Draws every chart of result_dir into result_dir/charts/ (created when
 * absent; charts and scripts bench wrote there before are replaced, other
 * files left alone). Also writes charts/index.txt, one "NAME<TAB>TITLE"
 * line per chart in reading order (report.c uses it).
 *
 * Returns CHART_OK; CHART_NO_GNUPLOT with err set to a message for the user
 * when gnuplot is not on PATH (the scripts are still written); or
 * CHART_ERROR with err set (for a gnuplot failure: the script's name and
 * gnuplot's own message). err is always NUL-terminated when errlen > 0.
 */
int chart_draw(const char *result_dir, char *err, size_t errlen);

/*
 * Checks that dir is a result directory that chart_draw() and report_write()
 * can read: dir/summary.csv exists, is well-formed CSV (chart_table_load)
 * and has a header with the columns they need, and dir/timeseries.csv, when
 * there is one, is well-formed. Returns 0, or -1 with err set (bad input:
 * `bench chart` and `bench report` exit 2).
 */
int chart_check_dir(const char *dir, char *err, size_t errlen);

/* ---- a CSV table (header line + rows), read by csvread.c ---- */

struct chart_table {
	size_t ncols, nrows;
	char **head;    /* ncols column names */
	char **cells;   /* nrows * ncols fields, row-major */
	size_t *lines;  /* the line each row starts on, for messages */
};

/* Reads a whole CSV file through csvread.c's strict reader: every record
 * must have exactly the header's number of fields. Returns 0 with *out set
 * (free with chart_table_free), or -1 with err set: "cannot read PATH: ...",
 * "PATH is empty (no header line)", or "PATH:LINE: what is wrong" for a
 * malformed file (bad input: the commands that read it exit 2). */
int chart_table_load(const char *path, struct chart_table **out, char *err, size_t errlen);
/* The index of the column named `name`, or -1. */
int chart_table_col(const struct chart_table *t, const char *name);
/* The field at row, col; "" when col < 0. The table owns it. */
const char *chart_table_cell(const struct chart_table *t, size_t row, int col);
/* Frees t; NULL is a no-op. */
void chart_table_free(struct chart_table *t);

/* Two-sided 95% Student t quantile for df degrees of freedom (df >= 1;
 * rounded conservatively above df 30). */
double chart_t95(unsigned df);

#endif
