/*
 * compare.c - reading both sides of `bench compare`, joining them and
 * judging each figure. The rules (and why) are in docs/compare.md; the
 * writers are in compare_out.c.
 *
 * Rows are found by header name, never by position, so a summary.csv from a
 * newer bench (more columns) or a hand-trimmed one still reads. Each side is
 * grouped by key with one sort; the join is a binary search per baseline
 * group, so big files stay fast.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compare.h"
#include "compare_servers.h"
#include "csvread.h"
#include "escape.h"
#include "util.h"

/* The join key, then the figures: indexes into `columns`. */
enum { K_WORKLOAD, K_PHASE, K_TARGET, K_OP, K_SWEEP_KEY, K_SWEEP_VALUE, N_KEY };
enum { C_REPEAT = N_KEY, C_METRIC0, C_DURATION = C_METRIC0 + COMPARE_N_METRICS, N_COLS };

static const struct {
	const char *name;
	bool required;
} columns[N_COLS] = {
	{"workload", true}, {"phase", true}, {"target", true}, {"op", true},
	{"sweep_key", false}, {"sweep_value", false}, {"repeat", true},
	{"ops_per_sec", true}, {"p50_us", true}, {"p99_us", true}, {"duration_s", false},
};

enum value_state { V_EMPTY, V_UNSUPPORTED, V_NUMBER };

struct value {
	enum value_state state;
	double v;
};

struct row {
	char *key[N_KEY];
	uint64_t repeat;
	size_t line;
	struct value m[COMPARE_N_METRICS];
	struct value duration; /* V_EMPTY when the file has no duration_s */
};

/* Rows sharing a key: a slice of the side's sorted row pointers. */
struct group {
	struct row **rows;
	size_t n;
	size_t first_line;
	bool matched;
};

struct compare_side {
	char *path;
	struct row *rows;
	size_t n_rows, cap_rows;
	struct row **sorted;
	struct group *groups;
	size_t n_groups;
	const char **workloads; /* distinct names, in order of appearance */
	size_t n_workloads;
};

/* ---- statistics ---- */

double compare_t975(unsigned df)
{
	/* Two-sided 95%: Student's t at 0.975, df 1..30. */
	static const double t[30] = {
		12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281,
		2.2010, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860,
		2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
	};
	const double z = 1.959964, z2 = z * z, d = (double)df;

	if (df == 0)
		return INFINITY;
	if (df <= 30)
		return t[df - 1];
	/* Cornish-Fisher expansion around the normal quantile: within 1e-4 of
	 * the exact value from df 31 on, where a flat 1.96 would be 4% off. */
	return z + z * (z2 + 1) / (4 * d) + z * ((5 * z2 + 16) * z2 + 3) / (96 * d * d) +
	       z * (((3 * z2 + 19) * z2 + 17) * z2 - 15) / (384 * d * d * d);
}

void compare_stat_of(const double *v, size_t n, struct compare_stat *out)
{
	double sum = 0, ss = 0, sd;

	out->n = n;
	out->mean = 0;
	out->ci95 = 0;
	if (n == 0)
		return;
	for (size_t i = 0; i < n; i++)
		sum += v[i];
	out->mean = sum / (double)n;
	/* Finite values near DBL_MAX (a hostile summary.csv) overflow the sum,
	 * never the mean: an infinite mean would make a run differ from
	 * itself (inf - inf is NaN). */
	if (!isfinite(out->mean)) {
		out->mean = 0;
		for (size_t i = 0; i < n; i++)
			out->mean += v[i] / (double)n;
	}
	if (n < 2)
		return;
	for (size_t i = 0; i < n; i++)
		ss += (v[i] - out->mean) * (v[i] - out->mean);
	sd = sqrt(ss / (double)(n - 1));
	if (!isfinite(sd)) {
		/* The squares overflowed: scale by the largest deviation. */
		double big = 0;

		for (size_t i = 0; i < n; i++)
			big = fmax(big, fabs(v[i] - out->mean));
		ss = 0;
		for (size_t i = 0; i < n; i++)
			ss += ((v[i] - out->mean) / big) * ((v[i] - out->mean) / big);
		sd = big * sqrt(ss / (double)(n - 1));
	}
	/* Past df 30 the quantile barely moves: cap df so it fits an unsigned.
	 * (The interval itself may still be infinite: it then overlaps all.) */
	out->ci95 = compare_t975(n - 1 < 1000000 ? (unsigned)(n - 1) : 1000000) * sd / sqrt((double)n);
}

/* ---- reading one side ---- */

static void side_free(struct compare_side *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_rows; i++)
		for (int k = 0; k < N_KEY; k++)
			free(s->rows[i].key[k]);
	free(s->rows);
	free(s->sorted);
	free(s->groups);
	free(s->workloads);
	free(s->path);
	free(s);
}

/* A field's text fit for a message: at most 40 bytes, no control bytes.
 * Returns buf. */
static const char *shown(const char *s, char *buf, size_t size)
{
	size_t i = 0;

	for (; s[i] && i + 4 < size; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	if (s[i]) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

/* The summary.csv to read for `path`: the file itself, or DIR/summary.csv.
 * Returns a string the caller frees, or NULL with *err set. */
static char *summary_path(const char *path, char **err)
{
	struct stat st;
	size_t len = strlen(path);
	char *p;

	if (stat(path, &st) != 0) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	if (!S_ISDIR(st.st_mode))
		return xstrdup(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	p = xasprintf("%.*s/summary.csv", (int)len, path);
	if (stat(p, &st) != 0) {
		*err = xasprintf("%s: no summary.csv in this directory (is it a result directory of `bench run`?)",
				 path);
		free(p);
		return NULL;
	}
	return p;
}

static int read_header(struct csvr *r, int *col, char **err)
{
	struct sbuf missing = {0};
	size_t n_missing = 0, n_required = 0;

	for (int c = 0; c < N_COLS; c++)
		col[c] = -1;
	for (size_t i = 0; i < csvr_nfields(r); i++) {
		for (int c = 0; c < N_COLS; c++) {
			if (strcmp(csvr_field(r, i), columns[c].name) != 0)
				continue;
			if (col[c] >= 0) {
				*err = xasprintf("%s:%zu: column '%s' appears twice in the header", csvr_name(r),
						 csvr_line(r), columns[c].name);
				return -1;
			}
			col[c] = (int)i;
		}
	}
	for (int c = 0; c < N_COLS; c++) {
		n_required += columns[c].required;
		if (columns[c].required && col[c] < 0) {
			sbuf_addf(&missing, "%s%s", n_missing ? ", " : "", columns[c].name);
			n_missing++;
		}
	}
	if (n_missing == 0)
		return 0;
	if (n_missing == n_required)
		*err = xasprintf("%s:%zu: not a bench summary.csv: its first line is not the header "
				 "(workload,phase,target,...,ops_per_sec,...)", csvr_name(r), csvr_line(r));
	else
		*err = xasprintf("%s:%zu: not a bench summary.csv: the header has no %s column%s", csvr_name(r),
				 csvr_line(r), missing.buf, n_missing > 1 ? "s" : "");
	free(missing.buf);
	return -1;
}

/* 0 with *v set; -1 not a number; -2 negative. */
static int parse_value(const char *s, struct value *v)
{
	v->v = 0;
	if (!*s) {
		v->state = V_EMPTY;
		return 0;
	}
	if (strcmp(s, "unsupported") == 0) {
		v->state = V_UNSUPPORTED;
		return 0;
	}
	if (!escape_is_decimal(s) || util_parse_double(s, &v->v) < 0)
		return -1;
	if (v->v < 0)
		return -2;
	v->state = V_NUMBER;
	return 0;
}

static int check_fields(struct csvr *r, const int *col, struct row *w, char **err)
{
	const char *name = csvr_name(r);
	size_t line = csvr_line(r);
	char buf[48];

	for (int k = 0; k < K_SWEEP_KEY; k++) {
		if (!csvr_field(r, (size_t)col[k])[0]) {
			*err = xasprintf("%s:%zu: %s is empty", name, line, columns[k].name);
			return -1;
		}
	}
	if (util_parse_u64(csvr_field(r, (size_t)col[C_REPEAT]), &w->repeat) < 0 || w->repeat == 0) {
		*err = xasprintf("%s:%zu: repeat '%s' is not a whole number >= 1", name, line,
				 shown(csvr_field(r, (size_t)col[C_REPEAT]), buf, sizeof(buf)));
		return -1;
	}
	for (int c = C_METRIC0; c <= C_DURATION; c++) {
		const char *f = col[c] >= 0 ? csvr_field(r, (size_t)col[c]) : "";
		int rc = parse_value(f, c == C_DURATION ? &w->duration : &w->m[c - C_METRIC0]);

		if (rc < 0) {
			*err = xasprintf("%s:%zu: %s '%s' is %s", name, line, columns[c].name, shown(f, buf, sizeof(buf)),
					 rc == -2 ? "negative" : "not a number (nor empty, nor 'unsupported')");
			return -1;
		}
	}
	return 0;
}

static int read_row(struct compare_side *s, struct csvr *r, const int *col, size_t n_header, char **err)
{
	struct row w = {0};

	if (csvr_nfields(r) != n_header) {
		*err = xasprintf("%s:%zu: %zu field%s, but the header has %zu", csvr_name(r), csvr_line(r),
				 csvr_nfields(r), csvr_nfields(r) == 1 ? "" : "s", n_header);
		return -1;
	}
	if (check_fields(r, col, &w, err) < 0)
		return -1;
	w.line = csvr_line(r);
	for (int k = 0; k < N_KEY; k++)
		w.key[k] = xstrdup(col[k] >= 0 ? csvr_field(r, (size_t)col[k]) : "");
	if (s->n_rows == s->cap_rows) {
		s->cap_rows = s->cap_rows ? 2 * s->cap_rows : 64;
		s->rows = xrealloc(s->rows, s->cap_rows * sizeof(*s->rows));
	}
	s->rows[s->n_rows++] = w;
	return 0;
}

/* Reads every row of an opened reader into s. */
static int read_rows(struct compare_side *s, struct csvr *r, char **err)
{
	int col[N_COLS];
	size_t n_header;
	int rc = csvr_next(r);

	if (rc == 0) {
		*err = xasprintf("%s: empty file, not a summary.csv", s->path);
		return -1;
	}
	if (rc < 0) {
		*err = xasprintf("%s (is it a summary.csv?)", csvr_error(r));
		return -1;
	}
	if (read_header(r, col, err) < 0)
		return -1;
	n_header = csvr_nfields(r);
	while ((rc = csvr_next(r)) == 1)
		if (read_row(s, r, col, n_header, err) < 0)
			return -1;
	if (rc < 0) {
		*err = xstrdup(csvr_error(r));
		return -1;
	}
	if (s->n_rows == 0) {
		*err = xasprintf("%s: a header but no rows: nothing to compare", s->path);
		return -1;
	}
	return 0;
}

/* ---- grouping ---- */

static int cmp_key(const struct row *a, const struct row *b, int from)
{
	for (int k = from; k < N_KEY; k++) {
		int c = strcmp(a->key[k], b->key[k]);

		if (c)
			return c;
	}
	return 0;
}

static int cmp_row(const void *pa, const void *pb)
{
	const struct row *a = *(const struct row *const *)pa, *b = *(const struct row *const *)pb;
	int c = cmp_key(a, b, K_WORKLOAD);

	if (c)
		return c;
	if (a->repeat != b->repeat)
		return a->repeat < b->repeat ? -1 : 1;
	return a->line < b->line ? -1 : a->line > b->line;
}

static int cmp_group_line(const void *pa, const void *pb)
{
	const struct group *a = pa, *b = pb;

	return a->first_line < b->first_line ? -1 : a->first_line > b->first_line;
}

/* "workload/phase/target/op[ sweep_key=sweep_value]" for messages; caller frees. */
static char *describe(const struct row *w)
{
	return xasprintf("%s/%s/%s/%s%s%s%s%s", w->key[K_WORKLOAD], w->key[K_PHASE], w->key[K_TARGET], w->key[K_OP],
			 w->key[K_SWEEP_KEY][0] || w->key[K_SWEEP_VALUE][0] ? " " : "", w->key[K_SWEEP_KEY],
			 w->key[K_SWEEP_KEY][0] || w->key[K_SWEEP_VALUE][0] ? "=" : "", w->key[K_SWEEP_VALUE]);
}

static void add_workload(struct compare_side *s, const char *name)
{
	for (size_t i = 0; i < s->n_workloads; i++)
		if (strcmp(s->workloads[i], name) == 0)
			return;
	s->workloads = xrealloc(s->workloads, (s->n_workloads + 1) * sizeof(*s->workloads));
	s->workloads[s->n_workloads++] = name;
}

/* Sorts the rows by key and repeat, refuses a (key, repeat) seen twice
 * (it would count twice), and cuts the groups, in file order. */
static int group_rows(struct compare_side *s, char **err)
{
	s->sorted = xmalloc(s->n_rows * sizeof(*s->sorted));
	for (size_t i = 0; i < s->n_rows; i++)
		s->sorted[i] = &s->rows[i];
	qsort(s->sorted, s->n_rows, sizeof(*s->sorted), cmp_row);
	s->groups = xcalloc(s->n_rows, sizeof(*s->groups));
	for (size_t i = 0; i < s->n_rows; i++) {
		struct row *w = s->sorted[i];
		struct group *g;

		if (i > 0 && cmp_key(s->sorted[i - 1], w, K_WORKLOAD) == 0) {
			if (s->sorted[i - 1]->repeat == w->repeat) {
				char *what = describe(w);

				*err = xasprintf("%s:%zu: a second row for %s, repeat %" PRIu64
						 " (the first is on line %zu)",
						 s->path, w->line, what, w->repeat, s->sorted[i - 1]->line);
				free(what);
				return -1;
			}
			g = &s->groups[s->n_groups - 1];
			g->n++;
			if (w->line < g->first_line)
				g->first_line = w->line;
			continue;
		}
		g = &s->groups[s->n_groups++];
		g->rows = &s->sorted[i];
		g->n = 1;
		g->first_line = w->line;
	}
	qsort(s->groups, s->n_groups, sizeof(*s->groups), cmp_group_line);
	for (size_t i = 0; i < s->n_groups; i++)
		add_workload(s, s->groups[i].rows[0]->key[K_WORKLOAD]);
	return 0;
}

static int side_load(const char *path, struct compare_side **out, char **err)
{
	struct compare_side *s = xcalloc(1, sizeof(*s));
	struct csvr *r = NULL;
	char why[PATH_MAX + 128];

	*out = NULL;
	s->path = summary_path(path, err);
	if (!s->path)
		goto fail;
	if (csvr_open(s->path, &r, why, sizeof(why)) < 0) {
		*err = xstrdup(why);
		goto fail;
	}
	if (read_rows(s, r, err) < 0 || group_rows(s, err) < 0)
		goto fail;
	csvr_free(r);
	*out = s;
	return 0;
fail:
	csvr_free(r);
	side_free(s);
	return -1;
}

/* ---- joining and judging ---- */

/* Join keys for qsort/bsearch over group pointers: with and without the
 * workload name (--force). */
static int cmp_group_key(const void *pa, const void *pb)
{
	return cmp_key((*(struct group *const *)pa)->rows[0], (*(struct group *const *)pb)->rows[0], K_WORKLOAD);
}

static int cmp_group_key_any_workload(const void *pa, const void *pb)
{
	return cmp_key((*(struct group *const *)pa)->rows[0], (*(struct group *const *)pb)->rows[0], K_PHASE);
}

/* The measured values of one metric over a group's repeats. */
static void stat_of(const struct group *g, int m, struct compare_stat *st)
{
	double *v;
	size_t n = 0;
	bool unsupported = false;

	memset(st, 0, sizeof(*st));
	if (!g)
		return;
	v = xmalloc(g->n * sizeof(*v));
	for (size_t i = 0; i < g->n; i++) {
		const struct value *x = &g->rows[i]->m[m];

		if (x->state == V_NUMBER)
			v[n++] = x->v;
		unsupported |= x->state == V_UNSUPPORTED;
	}
	compare_stat_of(v, n, st);
	st->unsupported = n == 0 && unsupported;
	free(v);
}

/* A run shorter than a second measures start-up and scheduling more than
 * the server: its change is shown, never judged (docs/compare.md). */
static void judge(struct compare_cell *c, int m, const struct compare_result *r, bool too_short)
{
	const struct compare_stat *b = &c->base, *k = &c->cand;
	double worse;

	c->significant = -1;
	if (b->n == 0 || k->n == 0) {
		c->verdict = COMPARE_NOT_MEASURED;
		return;
	}
	c->delta = k->mean - b->mean;
	if (b->mean != 0)
		c->delta_pct = 100 * c->delta / b->mean;
	else
		c->delta_pct = c->delta == 0 ? 0 : c->delta > 0 ? INFINITY : -INFINITY;
	worse = m == COMPARE_OPS_PER_SEC ? -c->delta_pct : c->delta_pct;
	if (b->n >= 2 && k->n >= 2)
		c->significant = b->mean + b->ci95 < k->mean - k->ci95 || k->mean + k->ci95 < b->mean - b->ci95;
	if (too_short)
		c->verdict = COMPARE_TOO_SHORT;
	else if (fabs(worse) <= r->threshold_pct)
		c->verdict = COMPARE_UNCHANGED;
	else if (c->significant == 0)
		c->verdict = COMPARE_NOT_SIGNIFICANT;
	else if (c->significant < 0 && !r->strict) /* one run on a side: nothing to test it with */
		c->verdict = worse > 0 ? COMPARE_UNTESTED_WORSE : COMPARE_UNTESTED_BETTER;
	else
		c->verdict = worse > 0 ? COMPARE_REGRESSION : COMPARE_IMPROVEMENT;
}

/* The shortest duration_s among a group's runs; NAN when none says. */
static double shortest(const struct group *g, double so_far)
{
	for (size_t i = 0; g && i < g->n; i++) {
		const struct value *d = &g->rows[i]->duration;

		if (d->state == V_NUMBER && (isnan(so_far) || d->v < so_far))
			so_far = d->v;
	}
	return so_far;
}

static void fill_entry(struct compare_result *r, struct compare_entry *e, const struct group *b,
		       const struct group *c)
{
	const struct row *k = (b ? b : c)->rows[0];

	e->workload = k->key[K_WORKLOAD];
	e->cand_workload = c ? c->rows[0]->key[K_WORKLOAD] : e->workload;
	e->phase = k->key[K_PHASE];
	e->target = k->key[K_TARGET];
	e->op = k->key[K_OP];
	e->sweep_key = k->key[K_SWEEP_KEY];
	e->sweep_value = k->key[K_SWEEP_VALUE];
	e->shortest_s = shortest(c, shortest(b, NAN));
	for (int m = 0; m < COMPARE_N_METRICS; m++) {
		struct compare_cell *cell = &e->m[m];

		stat_of(b, m, &cell->base);
		stat_of(c, m, &cell->cand);
		if (!b || !c) {
			cell->significant = -1;
			cell->verdict = b ? COMPARE_ONLY_BASELINE : COMPARE_ONLY_CANDIDATE;
			continue;
		}
		judge(cell, m, r, e->shortest_s < COMPARE_MIN_DURATION_S);
		/* FerretDB against MongoDB is a change of server, not of speed. */
		if (cell->verdict < COMPARE_NOT_MEASURED &&
		    compare_servers_differ(r->base_servers, r->cand_servers, e->target))
			cell->verdict = COMPARE_NOT_COMPARABLE;
		r->not_comparable += cell->verdict == COMPARE_NOT_COMPARABLE;
		r->regressions += cell->verdict == COMPARE_REGRESSION;
		r->improvements += cell->verdict == COMPARE_IMPROVEMENT;
		r->untested_worse += cell->verdict == COMPARE_UNTESTED_WORSE;
		r->untested_better += cell->verdict == COMPARE_UNTESTED_BETTER;
		r->too_short += cell->verdict == COMPARE_TOO_SHORT;
		r->unchanged += cell->verdict == COMPARE_UNCHANGED || cell->verdict == COMPARE_NOT_SIGNIFICANT;
		r->not_significant += cell->verdict == COMPARE_NOT_SIGNIFICANT;
		r->not_measured += cell->verdict == COMPARE_NOT_MEASURED;
	}
	r->only_baseline += !c;
	r->only_candidate += !b;
}

static char *names(const struct compare_side *s)
{
	struct sbuf sb = {0};

	for (size_t i = 0; i < s->n_workloads; i++)
		sbuf_addf(&sb, "%s%s", i ? ", " : "", s->workloads[i]);
	return sbuf_take(&sb);
}

static bool share_workload(const struct compare_side *a, const struct compare_side *b)
{
	for (size_t i = 0; i < a->n_workloads; i++)
		for (size_t j = 0; j < b->n_workloads; j++)
			if (strcmp(a->workloads[i], b->workloads[j]) == 0)
				return true;
	return false;
}

/* Whether the join may go on, and whether it ignores workload names. */
static int check_workloads(const struct compare_result *r, const struct compare_opts *o, bool *any, char **err)
{
	const struct compare_side *one;

	*any = false;
	if (share_workload(r->base, r->cand))
		return 0;
	if (!o->force) {
		*err = xasprintf("the runs used different workloads (%s vs %s); --force compares them anyway",
				 r->base_workloads, r->cand_workloads);
		return -1;
	}
	one = r->base->n_workloads > 1 ? r->base : r->cand->n_workloads > 1 ? r->cand : NULL;
	if (one) {
		*err = xasprintf("--force joins rows whatever their workload, so each side must hold one workload "
				 "(%s has %s)", one->path, one == r->base ? r->base_workloads : r->cand_workloads);
		return -1;
	}
	*any = true;
	return 0;
}

static void repeats_range(const struct compare_side *s, size_t *out)
{
	out[0] = SIZE_MAX;
	out[1] = 0;
	for (size_t i = 0; i < s->n_groups; i++) {
		out[0] = s->groups[i].n < out[0] ? s->groups[i].n : out[0];
		out[1] = s->groups[i].n > out[1] ? s->groups[i].n : out[1];
	}
}

static void join(struct compare_result *r, bool any_workload)
{
	int (*cmp)(const void *, const void *) = any_workload ? cmp_group_key_any_workload : cmp_group_key;
	struct compare_side *b = r->base, *c = r->cand;
	struct group **index = xmalloc(c->n_groups * sizeof(*index));

	for (size_t i = 0; i < c->n_groups; i++)
		index[i] = &c->groups[i];
	qsort(index, c->n_groups, sizeof(*index), cmp);
	r->entries = xcalloc(b->n_groups + c->n_groups, sizeof(*r->entries));
	for (size_t i = 0; i < b->n_groups; i++) {
		struct group *g = &b->groups[i], **hit = bsearch(&g, index, c->n_groups, sizeof(*index), cmp);

		if (hit)
			(*hit)->matched = true;
		fill_entry(r, &r->entries[r->n_entries++], g, hit ? *hit : NULL);
	}
	for (size_t i = 0; i < c->n_groups; i++)
		if (!c->groups[i].matched)
			fill_entry(r, &r->entries[r->n_entries++], NULL, &c->groups[i]);
	free(index);
}

int compare_runs(const char *baseline, const char *candidate, const struct compare_opts *o,
		 struct compare_result **out, char *err, size_t errlen)
{
	struct compare_result *r = xcalloc(1, sizeof(*r));
	char *msg = NULL; /* the loaders build their messages whole; copied into err at the end */
	bool any_workload;

	*out = NULL;
	if (errlen)
		err[0] = '\0';
	if (side_load(baseline, &r->base, &msg) < 0 || side_load(candidate, &r->cand, &msg) < 0)
		goto fail;
	r->base_path = r->base->path;
	r->cand_path = r->cand->path;
	r->base_servers = xcalloc(1, sizeof(*r->base_servers));
	r->cand_servers = xcalloc(1, sizeof(*r->cand_servers));
	if (compare_servers_load(r->base_path, r->base_servers, err, errlen) < 0 ||
	    compare_servers_load(r->cand_path, r->cand_servers, err, errlen) < 0) {
		compare_result_free(r);
		return -1;
	}
	r->base_workloads = names(r->base);
	r->cand_workloads = names(r->cand);
	r->threshold_pct = o->threshold_pct;
	r->strict = o->strict;
	repeats_range(r->base, r->base_repeats);
	repeats_range(r->cand, r->cand_repeats);
	if (check_workloads(r, o, &any_workload, &msg) < 0)
		goto fail;
	join(r, any_workload);
	*out = r;
	return 0;
fail:
	snprintf(err, errlen, "%s", msg ? msg : "cannot compare");
	free(msg);
	compare_result_free(r);
	return -1;
}

void compare_result_free(struct compare_result *r)
{
	if (!r)
		return;
	free(r->entries);
	free(r->base_workloads);
	free(r->cand_workloads);
	side_free(r->base);
	side_free(r->cand);
	if (r->base_servers)
		compare_servers_free(r->base_servers);
	if (r->cand_servers)
		compare_servers_free(r->cand_servers);
	free(r->base_servers);
	free(r->cand_servers);
	free(r);
}

