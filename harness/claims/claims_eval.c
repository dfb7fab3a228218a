/*
 * claims_eval.c - evaluating an `expect:` expression on a summary.csv.
 *
 * Every number in the expression is a sample per repeat: a metric gives
 * its value in repeat 1, 2, ... R; a constant gives itself in every
 * repeat; arithmetic and aggregates work repeat by repeat (repeat r of one
 * side with repeat r of the other). A comparison then takes the mean and
 * 95% confidence interval (Student's t over the repeats, compare.c) of
 * each side and decides: SUPPORTED when the intervals lie apart the way
 * the comparison says, REFUTED when they lie apart the other way,
 * INCONCLUSIVE when they overlap or a side has fewer than 2 repeats.
 * docs/claims.md states the rules and why.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claims_expr.h"
#include "compare.h"
#include "csvread.h"
#include "util.h"

#define CX_MAX_REPEAT 100000

struct cx_row {
	char **f;          /* n_cols fields */
	unsigned repeat;   /* >= 1 */
};

struct cx_data {
	char *name;
	char **cols;
	size_t n_cols;
	struct cx_row *rows;
	size_t n_rows;
	unsigned max_repeat;
	size_t c_phase, c_target, c_op, c_repeat, c_skey, c_sval, c_server;
};

const char *cx_verdict_name(enum cx_verdict v)
{
	return v == CX_SUPPORTED ? "SUPPORTED" : v == CX_REFUTED ? "REFUTED" : "INCONCLUSIVE";
}

void cx_data_free(struct cx_data *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n_rows; i++) {
		for (size_t k = 0; k < d->n_cols; k++)
			free(d->rows[i].f[k]);
		free(d->rows[i].f);
	}
	for (size_t k = 0; k < d->n_cols; k++)
		free(d->cols[k]);
	free(d->cols);
	free(d->rows);
	free(d->name);
	free(d);
}

static int find_col(const struct cx_data *d, const char *name, size_t *out)
{
	for (size_t k = 0; k < d->n_cols; k++) {
		if (strcmp(d->cols[k], name) == 0) {
			*out = k;
			return 0;
		}
	}
	return -1;
}

static int read_rows(struct csvr *r, struct cx_data *d, char **err)
{
	static const char *const need[] = {"phase", "target", "op", "repeat", "sweep_key", "sweep_value", "server"};
	size_t *slot[] = {&d->c_phase, &d->c_target, &d->c_op, &d->c_repeat, &d->c_skey, &d->c_sval, &d->c_server};
	int rc;

	if ((rc = csvr_next(r)) <= 0) {
		*err = rc < 0 ? xstrdup(csvr_error(r)) : xasprintf("%s: empty; not a summary.csv", csvr_name(r));
		return -1;
	}
	d->n_cols = csvr_nfields(r);
	d->cols = xcalloc(d->n_cols, sizeof(*d->cols));
	for (size_t k = 0; k < d->n_cols; k++)
		d->cols[k] = xstrdup(csvr_field(r, k));
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		if (find_col(d, need[i], slot[i]) < 0) {
			*err = xasprintf("%s:1: no '%s' column; not a summary.csv", csvr_name(r), need[i]);
			return -1;
		}
	}
	while ((rc = csvr_next(r)) > 0) {
		struct cx_row *row;
		char *end;
		unsigned long rep;

		if (csvr_nfields(r) != d->n_cols) {
			*err = xasprintf("%s:%zu: %zu fields, the header has %zu", csvr_name(r), csvr_line(r),
					 csvr_nfields(r), d->n_cols);
			return -1;
		}
		errno = 0;
		rep = strtoul(csvr_field(r, d->c_repeat), &end, 10);
		if (*end || end == csvr_field(r, d->c_repeat) || rep < 1 || rep > CX_MAX_REPEAT || errno) {
			*err = xasprintf("%s:%zu: repeat '%s' is not a whole number 1..%d", csvr_name(r), csvr_line(r),
					 csvr_field(r, d->c_repeat), CX_MAX_REPEAT);
			return -1;
		}
		d->rows = xrealloc(d->rows, (d->n_rows + 1) * sizeof(*d->rows));
		row = &d->rows[d->n_rows++];
		row->repeat = (unsigned)rep;
		row->f = xcalloc(d->n_cols, sizeof(*row->f));
		for (size_t k = 0; k < d->n_cols; k++)
			row->f[k] = xstrdup(csvr_field(r, k));
		if (row->repeat > d->max_repeat)
			d->max_repeat = row->repeat;
	}
	if (rc < 0) {
		*err = xstrdup(csvr_error(r));
		return -1;
	}
	return 0;
}

static int data_from(struct csvr *r, const char *name, struct cx_data **out, char *err, size_t errlen)
{
	struct cx_data *d;
	char *msg = NULL; /* read_rows builds its message whole */

	*out = NULL;
	d = xcalloc(1, sizeof(*d));
	d->name = xstrdup(name);
	if (read_rows(r, d, &msg) < 0) {
		snprintf(err, errlen, "%s", msg ? msg : "cannot read the rows");
		free(msg);
		csvr_free(r);
		cx_data_free(d);
		return -1;
	}
	csvr_free(r);
	*out = d;
	return 0;
}

int cx_data_load(const char *path, struct cx_data **out, char *err, size_t errlen)
{
	struct csvr *r = NULL;

	if (csvr_open(path, &r, err, errlen) < 0) {
		*out = NULL;
		return -1;
	}
	return data_from(r, path, out, err, errlen);
}

int cx_data_read(const char *name, const char *text, size_t len, struct cx_data **out, char *err, size_t errlen)
{
	struct csvr *r = NULL;

	csvr_open_mem(name, text, len, &r);
	return data_from(r, name, out, err, errlen);
}

char *cx_data_servers(const struct cx_data *d)
{
	struct sbuf sb = {0};

	sbuf_addf(&sb, "%s", "");
	for (size_t i = 0; i < d->n_rows; i++) {
		const char *t = d->rows[i].f[d->c_target];
		bool seen = false;

		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(d->rows[j].f[d->c_target], t) == 0;
		if (!seen)
			sbuf_addf(&sb, "%s%s=%s", sb.len ? "; " : "", t, d->rows[i].f[d->c_server]);
	}
	return sbuf_take(&sb);
}

/* ---- evaluation ---- */

struct ev {
	const struct cx_data *d;
	const char *text;
	struct cx_error *err;
	int failed;
	size_t r;                  /* samples per value: the data's largest repeat */
	struct sbuf reason, figures;
};

static void ev_fail(struct ev *e, const struct cx_node *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void ev_fail(struct ev *e, const struct cx_node *n, const char *fmt, ...)
{
	va_list ap;
	int used;

	if (e->failed++)
		return;
	e->err->line = n->line;
	e->err->col = n->col;
	used = snprintf(e->err->msg, sizeof(e->err->msg), "%.*s: ", (int)(n->end - n->start), e->text + n->start);
	if (used < 0 || (size_t)used >= sizeof(e->err->msg))
		used = 0;
	va_start(ap, fmt);
	vsnprintf(e->err->msg + used, sizeof(e->err->msg) - (size_t)used, fmt, ap);
	va_end(ap);
}

static bool row_matches(const struct ev *e, const struct cx_row *row, const struct cx_node *m, const char *phase)
{
	const struct cx_data *d = e->d;

	return strcmp(row->f[d->c_target], m->target) == 0 && strcmp(row->f[d->c_op], m->op) == 0 &&
	       (!phase || strcmp(row->f[d->c_phase], phase) == 0);
}

/* Distinct values of column c over the rows of metric m (phase as given),
 * ", "-separated, into sb; returns how many. */
static size_t distinct(const struct ev *e, const struct cx_node *m, const char *phase, size_t c, struct sbuf *sb)
{
	const struct cx_data *d = e->d;
	size_t n = 0;

	for (size_t i = 0; i < d->n_rows; i++) {
		bool seen = false;

		if (!row_matches(e, &d->rows[i], m, phase))
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = row_matches(e, &d->rows[j], m, phase) && strcmp(d->rows[j].f[c], d->rows[i].f[c]) == 0;
		if (!seen) {
			if (sb)
				sbuf_addf(sb, "%s%s", n ? ", " : "", d->rows[i].f[c]);
			n++;
		}
	}
	return n;
}

/* The phase a metric reads: its own, or the one phase that has its op. */
static const char *metric_phase(struct ev *e, const struct cx_node *m)
{
	const struct cx_data *d = e->d;
	struct sbuf sb = {0};
	size_t n;

	if (m->phase)
		return m->phase;
	n = distinct(e, m, NULL, d->c_phase, &sb);
	if (n > 1)
		ev_fail(e, m, "op %s of %s is in %zu phases (%s): name one, %s.PHASE.%s.%s", m->op, m->target, n, sb.buf,
			m->target, m->op, m->column);
	free(sb.buf);
	if (n != 1)
		return NULL;
	for (size_t i = 0; i < d->n_rows; i++)
		if (row_matches(e, &d->rows[i], m, NULL))
			return d->rows[i].f[d->c_phase];
	return NULL;
}

static void no_rows(struct ev *e, const struct cx_node *m)
{
	const struct cx_data *d = e->d;
	struct sbuf sb = {0};
	bool target = false;

	for (size_t i = 0; i < d->n_rows && !target; i++)
		target = strcmp(d->rows[i].f[d->c_target], m->target) == 0;
	if (!target) {
		for (size_t i = 0; i < d->n_rows; i++) {
			bool seen = false;

			for (size_t j = 0; j < i && !seen; j++)
				seen = strcmp(d->rows[j].f[d->c_target], d->rows[i].f[d->c_target]) == 0;
			if (!seen)
				sbuf_addf(&sb, "%s%s", sb.len ? ", " : "", d->rows[i].f[d->c_target]);
		}
		ev_fail(e, m, "no results for target %s in %s (it has: %s)", m->target, d->name, sb.len ? sb.buf : "none");
	} else {
		ev_fail(e, m, "no results for op %s%s%s of target %s in %s", m->op, m->phase ? " in phase " : "",
			m->phase ? m->phase : "", m->target, d->name);
	}
	free(sb.buf);
}

/* A metric's sample per repeat (NaN: no value in that repeat). */
static int eval_metric(struct ev *e, const struct cx_node *m, const char *point, double *out)
{
	const struct cx_data *d = e->d;
	const char *phase = metric_phase(e, m), *want = NULL;
	struct sbuf sb = {0};
	size_t col, found = 0, points;

	if (e->failed)
		return -1;
	if (!phase || !distinct(e, m, phase, d->c_phase, NULL)) {
		no_rows(e, m);
		return -1;
	}
	if (find_col(d, m->column, &col) < 0) {
		ev_fail(e, m, "%s has no column %s", d->name, m->column);
		return -1;
	}
	points = distinct(e, m, phase, d->c_sval, &sb);
	if (m->sel_key) {
		struct sbuf keys = {0};

		distinct(e, m, phase, d->c_skey, &keys);
		if (strcmp(keys.buf ? keys.buf : "", m->sel_key) != 0)
			ev_fail(e, m, keys.buf && *keys.buf ? "the results are swept over %s, not %s" :
				"the results have no sweep%s, so there is no [%s=...] to select", keys.buf && *keys.buf ? keys.buf : "",
				m->sel_key);
		free(keys.buf);
		want = m->sel_value;
	} else if (point && (points > 1 || (sb.buf && *sb.buf))) {
		want = point; /* inside an aggregate: this point of the sweep */
	} else if (points > 1) {
		ev_fail(e, m, "the results hold %zu sweep points (%s): pick one with [KEY=VALUE] or aggregate with "
			"min/max/mean(...)", points, sb.buf);
	}
	for (size_t r = 0; r < e->r; r++)
		out[r] = NAN;
	for (size_t i = 0; i < d->n_rows && !e->failed; i++) {
		const struct cx_row *row = &d->rows[i];
		const char *v = row->f[col];
		char *end;
		double x;

		if (!row_matches(e, row, m, phase) || (want && strcmp(row->f[d->c_sval], want) != 0))
			continue;
		found++;
		if (!*v)
			continue; /* not measured in this repeat (e.g. no request answered) */
		if (strcmp(v, "unsupported") == 0) {
			ev_fail(e, m, "unsupported: %s cannot do %s (use the 'unsupported' column to test that)", m->target, m->op);
			break;
		}
		errno = 0;
		x = strtod(v, &end);
		if (*end || errno || !isfinite(x)) {
			ev_fail(e, m, "%s: '%s' in column %s is not a number", d->name, v, m->column);
			break;
		}
		if (!isnan(out[row->repeat - 1]))
			ev_fail(e, m, "%s holds two rows for repeat %u", d->name, row->repeat);
		out[row->repeat - 1] = x;
	}
	if (!e->failed && !found)
		ev_fail(e, m, want ? "no sweep point %s=%s (the points are: %s)" : "no rows", m->sel_key ? m->sel_key : "",
			want ? want : "", sb.buf ? sb.buf : "");
	if (!e->failed) {
		size_t have = 0;

		for (size_t r = 0; r < e->r; r++)
			have += !isnan(out[r]);
		if (!have)
			ev_fail(e, m, "never measured (the %s column is empty in every repeat)", m->column);
	}
	free(sb.buf);
	return e->failed ? -1 : 0;
}

struct points {
	const struct ev *e;
	struct sbuf list;          /* "\n"-separated */
	size_t n;
};

static int add_points(const struct cx_node *m, void *arg)
{
	struct points *p = arg;
	const struct cx_data *d = p->e->d;

	if (m->sel_key)
		return 0;
	for (size_t i = 0; i < d->n_rows; i++) {
		const char *v = d->rows[i].f[d->c_sval];
		char *key;

		if (!*v || !row_matches(p->e, &d->rows[i], m, m->phase))
			continue;
		key = xasprintf("\n%s\n", v);
		if (!p->list.buf || !strstr(p->list.buf, key)) {
			sbuf_addf(&p->list, "%s%s\n", p->list.len ? "" : "\n", v);
			p->n++;
		}
		free(key);
	}
	return 0;
}

static int each_node_metric(const struct cx_node *n, int (*fn)(const struct cx_node *, void *), void *arg)
{
	if (!n)
		return 0;
	if (n->kind == CX_METRIC)
		return fn(n, arg);
	each_node_metric(n->a, fn, arg);
	return each_node_metric(n->b, fn, arg);
}

static int eval_num(struct ev *e, const struct cx_node *n, const char *point, double *out, bool *constant);

/* min/max/mean over the sweep points of the metrics inside (those without
 * a selector), repeat by repeat. */
static int eval_agg(struct ev *e, const struct cx_node *n, double *out, bool *constant)
{
	struct points p = {.e = e};
	double *v = xcalloc(e->r, sizeof(*v));
	int rc = 0;

	each_node_metric(n->a, add_points, &p);
	if (p.n == 0) {
		rc = eval_num(e, n->a, NULL, out, constant);
		goto out;
	}
	for (size_t r = 0; r < e->r; r++)
		out[r] = n->agg == CX_AGG_MIN ? INFINITY : n->agg == CX_AGG_MAX ? -INFINITY : 0;
	*constant = true;
	for (char *s = p.list.buf + 1; *s && rc == 0;) {
		char *nl = strchr(s, '\n');
		bool c;

		*nl = '\0';
		rc = eval_num(e, n->a, s, v, &c);
		*constant = *constant && c;
		for (size_t r = 0; r < e->r && rc == 0; r++) {
			if (isnan(v[r]) || isnan(out[r]))
				out[r] = NAN; /* an aggregate over only some points would be biased */
			else if (n->agg == CX_AGG_MIN)
				out[r] = v[r] < out[r] ? v[r] : out[r];
			else if (n->agg == CX_AGG_MAX)
				out[r] = v[r] > out[r] ? v[r] : out[r];
			else
				out[r] += v[r] / (double)p.n;
		}
		s = nl + 1;
	}
out:
	free(p.list.buf);
	free(v);
	return rc;
}

static int eval_num(struct ev *e, const struct cx_node *n, const char *point, double *out, bool *constant)
{
	double *b;
	bool cb;
	int rc;

	switch (n->kind) {
	case CX_NUM:
		for (size_t r = 0; r < e->r; r++)
			out[r] = n->num;
		*constant = true;
		return 0;
	case CX_METRIC:
		*constant = false;
		return eval_metric(e, n, point, out);
	case CX_AGG:
		return eval_agg(e, n, out, constant);
	case CX_NEG:
		rc = eval_num(e, n->a, point, out, constant);
		for (size_t r = 0; r < e->r; r++)
			out[r] = -out[r];
		return rc;
	default:
		break;
	}
	if (eval_num(e, n->a, point, out, constant) < 0)
		return -1;
	b = xcalloc(e->r, sizeof(*b));
	rc = eval_num(e, n->b, point, b, &cb);
	*constant = *constant && cb;
	for (size_t r = 0; r < e->r && rc == 0; r++) {
		if (n->kind == CX_ADD)
			out[r] += b[r];
		else if (n->kind == CX_SUB)
			out[r] -= b[r];
		else if (n->kind == CX_MUL)
			out[r] *= b[r];
		else if (b[r] != 0 || isnan(b[r]))
			out[r] /= b[r];
		else {
			ev_fail(e, n, "division by zero in repeat %zu", r + 1);
			rc = -1;
		}
	}
	free(b);
	return rc;
}

struct side {
	struct compare_stat s;
	bool constant;
	double lo, hi;
};

static void side_of(const double *v, size_t r, bool constant, struct side *out)
{
	double *vals = xcalloc(r, sizeof(*vals));
	size_t n = 0;

	for (size_t i = 0; i < r; i++)
		if (!isnan(v[i]))
			vals[n++] = v[i];
	compare_stat_of(vals, constant && n ? 1 : n, &out->s);
	out->constant = constant;
	out->lo = out->s.mean - out->s.ci95;
	out->hi = out->s.mean + out->s.ci95;
	free(vals);
}

static void add_side(struct sbuf *sb, const struct side *s)
{
	if (s->constant)
		sbuf_addf(sb, "%.6g", s->s.mean);
	else if (s->s.n < 2)
		sbuf_addf(sb, "%.6g (n=%zu)", s->s.mean, s->s.n); /* no interval */
	else
		sbuf_addf(sb, "%.6g ± %.3g (n=%zu)", s->s.mean, s->s.ci95, s->s.n);
}

static void add_figure(struct ev *e, const struct cx_node *n, const struct side *s)
{
	if (s->constant)
		return;
	sbuf_addf(&e->figures, "%s%.*s = ", e->figures.len ? "; " : "", (int)(n->end - n->start), e->text + n->start);
	add_side(&e->figures, s);
}

static int eval_cmp(struct ev *e, const struct cx_node *n)
{
	double *a = xcalloc(e->r, sizeof(*a)), *b = xcalloc(e->r, sizeof(*b));
	bool ca = false, cb = false;
	struct side l, r;
	enum cx_verdict v = CX_INCONCLUSIVE;
	const char *why = "the intervals overlap";
	int rc = -1;

	if (eval_num(e, n->a, NULL, a, &ca) < 0 || eval_num(e, n->b, NULL, b, &cb) < 0)
		goto out;
	side_of(a, e->r, ca, &l);
	side_of(b, e->r, cb, &r);
	if (n->kind == CX_GT || n->kind == CX_GE) {
		/* a > b is b < a */
		struct side t = l;

		l = r;
		r = t;
	}
	if ((!l.constant && l.s.n < 2) || (!r.constant && r.s.n < 2)) {
		why = "fewer than 2 repeats: no confidence interval";
	} else if (n->kind == CX_LT || n->kind == CX_GT) {
		v = l.hi < r.lo ? CX_SUPPORTED : l.lo >= r.hi ? CX_REFUTED : CX_INCONCLUSIVE;
	} else {
		v = l.hi <= r.lo ? CX_SUPPORTED : l.lo > r.hi ? CX_REFUTED : CX_INCONCLUSIVE;
	}
	if (n->kind == CX_GT || n->kind == CX_GE) {
		struct side t = l;

		l = r;
		r = t;
	}
	add_figure(e, n->a, &l);
	add_figure(e, n->b, &r);
	sbuf_addf(&e->reason, "%s%.*s: %s (", e->reason.len ? "; " : "", (int)(n->end - n->start), e->text + n->start,
		  cx_verdict_name(v));
	add_side(&e->reason, &l);
	sbuf_addf(&e->reason, " vs ");
	add_side(&e->reason, &r);
	sbuf_addf(&e->reason, "%s%s)", v == CX_INCONCLUSIVE ? ", " : "", v == CX_INCONCLUSIVE ? why : "");
	rc = (int)v;
out:
	free(a);
	free(b);
	return rc;
}

/* A verdict (enum cx_verdict) or -1. and/or/not are Kleene's three-valued
 * logic with INCONCLUSIVE as "unknown"; both operands are always
 * evaluated, so every comparison is in the reason and the figures. */
static int eval_bool(struct ev *e, const struct cx_node *n)
{
	int a, b;

	switch (n->kind) {
	case CX_NOT:
		a = eval_bool(e, n->a);
		return a < 0 ? -1 : a == CX_SUPPORTED ? CX_REFUTED : a == CX_REFUTED ? CX_SUPPORTED : CX_INCONCLUSIVE;
	case CX_AND:
	case CX_OR:
		a = eval_bool(e, n->a);
		b = a < 0 ? -1 : eval_bool(e, n->b);
		if (a < 0 || b < 0)
			return -1;
		if (n->kind == CX_AND)
			return a == CX_REFUTED || b == CX_REFUTED ? CX_REFUTED :
			       a == CX_INCONCLUSIVE || b == CX_INCONCLUSIVE ? CX_INCONCLUSIVE : CX_SUPPORTED;
		return a == CX_SUPPORTED || b == CX_SUPPORTED ? CX_SUPPORTED :
		       a == CX_INCONCLUSIVE || b == CX_INCONCLUSIVE ? CX_INCONCLUSIVE : CX_REFUTED;
	default:
		return eval_cmp(e, n);
	}
}

int cx_eval(const struct cx_expr *x, const struct cx_data *d, struct cx_result *out, struct cx_error *err)
{
	struct ev e = {.d = d, .text = x->text, .err = err, .r = d->max_repeat ? d->max_repeat : 1};
	int v;

	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	v = eval_bool(&e, x->root);
	if (v < 0 || e.failed) {
		if (!e.failed)
			snprintf(err->msg, sizeof(err->msg), "cannot evaluate the expression");
		free(e.reason.buf);
		free(e.figures.buf);
		return -1;
	}
	out->verdict = (enum cx_verdict)v;
	out->reason = e.reason.buf ? sbuf_take(&e.reason) : xstrdup("");
	out->figures = e.figures.buf ? sbuf_take(&e.figures) : xstrdup("");
	return 0;
}

void cx_result_free(struct cx_result *r)
{
	if (!r)
		return;
	free(r->reason);
	free(r->figures);
	r->reason = r->figures = NULL;
}
