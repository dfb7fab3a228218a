/* chart_table.c - the small pieces every chart file and report.c share, at
 * the bottom of the chart files: the CSV table (read by csvread.c), an
 * ordered set of strings, means with 95% intervals, safe file names, the
 * error message helper. Calls nothing else of output/. */
#include <math.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "chart_int.h"
#include "csvread.h"
#include "util.h"

void chart_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---- input files ---- */

char *chart_slurp(const char *path, size_t *len)
{
	char *text;

	return util_read_file(path, CHART_FILE_MAX, NULL, &text, len, NULL, 0) == 0 ? text : NULL;
}

/* Through csvread.c, the one strict reader: a record with more or fewer
 * fields than the header is refused, never padded or cut. */
int chart_table_load(const char *path, struct chart_table **out, char *err, size_t errlen)
{
	struct csvr *r;
	struct chart_table *t;
	size_t cap = 0;
	char why[PATH_MAX + 128];
	int rc = csvr_open(path, &r, why, sizeof(why));

	*out = NULL;
	if (rc < 0) {
		chart_seterr(err, errlen, "%s", why);
		return -1;
	}
	if ((rc = csvr_next(r)) < 0)
		chart_seterr(err, errlen, "%s", csvr_error(r));
	else if (rc == 0)
		chart_seterr(err, errlen, "%s is empty (no header line)", path);
	if (rc <= 0) {
		csvr_free(r);
		return -1;
	}
	t = xcalloc(1, sizeof(*t));
	t->ncols = csvr_nfields(r);
	t->head = xcalloc(t->ncols, sizeof(*t->head));
	for (size_t c = 0; c < t->ncols; c++)
		t->head[c] = xstrdup(csvr_field(r, c));
	while ((rc = csvr_next(r)) > 0) {
		if (csvr_nfields(r) != t->ncols) {
			chart_seterr(err, errlen, "%s:%zu: %zu field%s, but the header has %zu", path, csvr_line(r),
				     csvr_nfields(r), csvr_nfields(r) == 1 ? "" : "s", t->ncols);
			rc = -1;
			break;
		}
		if (t->nrows == cap) {
			cap = cap ? 2 * cap : 64;
			t->cells = xrealloc(t->cells, cap * t->ncols * sizeof(*t->cells));
			t->lines = xrealloc(t->lines, cap * sizeof(*t->lines));
		}
		for (size_t c = 0; c < t->ncols; c++)
			t->cells[t->nrows * t->ncols + c] = xstrdup(csvr_field(r, c));
		t->lines[t->nrows++] = csvr_line(r);
	}
	if (rc < 0) {
		if (csvr_error(r)[0])
			chart_seterr(err, errlen, "%s", csvr_error(r));
		csvr_free(r);
		chart_table_free(t);
		return -1;
	}
	csvr_free(r);
	*out = t;
	return 0;
}

int chart_table_col(const struct chart_table *t, const char *name)
{
	for (size_t i = 0; t && i < t->ncols; i++)
		if (strcmp(t->head[i], name) == 0)
			return (int)i;
	return -1;
}

const char *chart_table_cell(const struct chart_table *t, size_t row, int col)
{
	if (!t || col < 0 || (size_t)col >= t->ncols || row >= t->nrows)
		return "";
	return t->cells[row * t->ncols + (size_t)col];
}

void chart_table_free(struct chart_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->ncols; i++)
		free(t->head[i]);
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->head);
	free(t->cells);
	free(t->lines);
	free(t);
}

/* ---- sets, means, names ---- */

size_t chart_set_add(struct chart_set *s, const char *x)
{
	long i = chart_set_find(s, x);

	if (i >= 0)
		return (size_t)i;
	s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	s->v[s->n] = xstrdup(x);
	return s->n++;
}

long chart_set_find(const struct chart_set *s, const char *x)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], x) == 0)
			return (long)i;
	return -1;
}

void chart_set_free(struct chart_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

double chart_t95(unsigned df)
{
	static const double t[31] = {0, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306,
				     2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110,
				     2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
				     2.052, 2.048, 2.045, 2.042};

	if (df == 0)
		return NAN;
	if (df <= 30)
		return t[df];
	/* Between table rows, the smaller df's (larger) value: never too narrow. */
	return df <= 40 ? 2.042 : df <= 60 ? 2.021 : df <= 120 ? 2.000 : 1.980;
}

void chart_acc_add(struct chart_acc *a, double v)
{
	a->sum += v;
	a->sumsq += v * v;
	a->n++;
}

double chart_acc_mean(const struct chart_acc *a)
{
	return a->n ? a->sum / a->n : NAN;
}

double chart_acc_ci(const struct chart_acc *a)
{
	double mean, var;

	if (a->n < 2)
		return NAN;
	mean = a->sum / a->n;
	var = (a->sumsq - a->n * mean * mean) / (a->n - 1);
	return chart_t95(a->n - 1) * sqrt(var > 0 ? var : 0) / sqrt(a->n);
}

/* "kv-90/10" → "kv-90_10", as outdir.c names latency files. Caller frees. */
char *chart_safe_name(const char *s)
{
	char *r = xstrdup(s);

	for (char *p = r; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '_' || *p == '.' || *p == '='))
			*p = '_';
	return r;
}
