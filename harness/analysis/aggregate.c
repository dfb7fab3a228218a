/*
 * aggregate.c - the statistics: repeats into a mean and a Student-t
 * interval, rows grouped by target x phase x op x sweep point, each
 * target's effective mix, and the comparison of the targets that ran an op
 * (ratio to the best with Fieller's interval, rank, verdict). The rules are
 * docs/csv-schema.md's, "comparison.csv".
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "compare.h"
#include "results.h"
#include "util.h"

static const char *const metric_names[AGG_N_METRICS] = {
	"ops_per_sec", "p50_us", "p99_us", "p999_us", "hit_ratio", "client_cpu_us_per_op", "server_cpu_us_per_op",
};

const char *agg_metric_name(enum agg_metric m)
{
	return metric_names[m];
}

bool agg_higher_is_better(enum agg_metric m)
{
	return m == AGG_OPS_PER_SEC || m == AGG_HIT_RATIO;
}

const char *agg_verdict_name(enum agg_verdict v)
{
	static const char *const names[] = {"", "best", "tie", "worse"};

	return names[v];
}

bool agg_op_reads(const char *op)
{
	return results_op_reads(op);
}

/* ---- statistics ---- */

void agg_stat_of(const double *v, size_t n, struct agg_stat *out)
{
	struct compare_stat s;

	compare_stat_of(v, n, &s);
	out->n = n;
	out->mean = n ? s.mean : NAN;
	out->se = out->ci_low = out->ci_high = NAN;
	if (n < 2)
		return;
	/* compare.c's half-width is t * se: the one Student-t table. */
	out->ci_low = s.mean - s.ci95;
	out->ci_high = s.mean + s.ci95;
	out->se = s.ci95 / compare_t975(n - 1 < 1000000 ? (unsigned)(n - 1) : 1000000);
}

/*
 * Fieller: the ratios R for which a - R b is not significantly different
 * from 0, i.e. (a - R b)^2 <= t^2 (va + R^2 vb) with va = se_a^2 and
 * vb = se_b^2. That is a quadratic A R^2 + B R + C <= 0 with A = b^2 - t^2 vb,
 * B = -2ab, C = a^2 - t^2 va; bounded when A > 0 (b's interval excludes 0).
 * t has the Welch-Satterthwaite degrees of freedom of a - R b at the
 * estimate R = a / b, rounded down: never too narrow.
 */
int agg_fieller(double a, double se_a, size_t na, double b, double se_b, size_t nb, double *lo, double *hi)
{
	double va = se_a * se_a, vb = se_b * se_b, r, v, df, t, A, disc, half;

	if (na < 2 || nb < 2 || !isfinite(a) || !isfinite(b) || !isfinite(va) || !isfinite(vb) || b == 0)
		return -1;
	r = a / b;
	v = va + r * r * vb;
	if (v == 0) {
		*lo = *hi = r; /* no spread on either side: the ratio is what it is */
		return 0;
	}
	df = v * v / (va * va / (double)(na - 1) + r * r * r * r * vb * vb / (double)(nb - 1));
	t = compare_t975(!isfinite(df) || df > 1000000 ? 1000000 : df < 1 ? 1 : (unsigned)df);
	A = b * b - t * t * vb;
	if (A <= 0)
		return -1;
	disc = va * A + a * a * vb; /* (B^2 - 4AC) / (4 t^2) */
	half = t * sqrt(disc > 0 ? disc : 0);
	*lo = (a * b - half) / A;
	*hi = (a * b + half) / A;
	return isfinite(*lo) && isfinite(*hi) ? 0 : -1;
}

/* ---- grouping ---- */

/* First-appearance order of the values of one key. */
struct order {
	const char **v;
	size_t n;
};

static size_t order_of(struct order *o, const char *s)
{
	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->v[i], s) == 0)
			return i;
	o->v = xrealloc(o->v, (o->n + 1) * sizeof(*o->v));
	o->v[o->n] = s;
	return o->n++;
}

enum { K_WORKLOAD, K_PHASE, K_OP, K_POINT, K_TARGET, N_K };

struct keyed {
	size_t k[N_K];
	size_t i; /* the sample */
};

static int keyed_cmp(const void *pa, const void *pb)
{
	const struct keyed *a = pa, *b = pb;

	for (int k = 0; k < N_K; k++)
		if (a->k[k] != b->k[k])
			return a->k[k] < b->k[k] ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

/* The sweep point as one key: "key\nvalue". */
static char *point_key(const struct agg_sample *s)
{
	return xasprintf("%s\n%s", s->sweep_key, s->sweep_value);
}

static bool same_run(const struct agg_row *a, const struct agg_row *b)
{
	return !strcmp(a->workload, b->workload) && !strcmp(a->phase, b->phase) && !strcmp(a->sweep_key, b->sweep_key) &&
	       !strcmp(a->sweep_value, b->sweep_value);
}

static int mix_cmp(const void *pa, const void *pb)
{
	const struct agg_row *const *a = pa, *const *b = pb;

	return strcmp((*a)->op, (*b)->op);
}

/* Each row's effective_mix and mix_differs: over the rows of its target at
 * its phase and sweep point. */
static void set_mixes(struct aggregate *a)
{
	const struct agg_row **mine = xcalloc(a->n_rows, sizeof(*mine));

	for (size_t i = 0; i < a->n_rows; i++) {
		struct agg_row *r = &a->rows[i];
		struct sbuf sb = {0};
		size_t n = 0;
		uint64_t total = 0;
		bool differs = false;

		for (size_t j = 0; j < a->n_rows; j++) {
			const struct agg_row *x = &a->rows[j];

			if (!same_run(r, x))
				continue;
			if (strcmp(x->target, r->target) == 0) {
				mine[n++] = x;
				total += x->sent;
			}
		}
		/* Differs: an op it could not do that another target sent. */
		for (size_t k = 0; k < n && !differs; k++) {
			if (!mine[k]->unsupported)
				continue;
			for (size_t j = 0; j < a->n_rows && !differs; j++) {
				const struct agg_row *x = &a->rows[j];

				differs = same_run(r, x) && strcmp(x->target, r->target) != 0 &&
					  strcmp(x->op, mine[k]->op) == 0 && x->sent > 0;
			}
		}
		qsort(mine, n, sizeof(*mine), mix_cmp);
		for (size_t k = 0; k < n; k++)
			if (mine[k]->sent)
				sbuf_addf(&sb, "%s%s:%.3f", sb.len ? " " : "", mine[k]->op,
					  (double)mine[k]->sent / (double)total);
		r->effective_mix = sbuf_take(&sb);
		r->mix_differs = differs;
	}
	free(mine);
}

/* ---- comparison ---- */

/* Whether mean x is better than y for metric m. */
static bool better(enum agg_metric m, double x, double y)
{
	return agg_higher_is_better(m) ? x > y : x < y;
}

static bool overlap(const struct agg_stat *x, const struct agg_stat *y)
{
	return fmax(x->ci_low, y->ci_low) <= fmin(x->ci_high, y->ci_high);
}

/* The comparison rows of one metric over ran[0..n), the rows of one
 * phase x op x sweep point that sent requests (n >= 2). */
static void compare_metric(struct aggregate *a, const size_t *ran, size_t n, enum agg_metric m)
{
	const struct agg_stat *best = NULL;

	for (size_t i = 0; i < n; i++) {
		const struct agg_stat *s = &a->rows[ran[i]].m[m];

		if (s->n && (!best || better(m, s->mean, best->mean)))
			best = s;
	}
	for (size_t i = 0; i < n; i++) {
		const struct agg_stat *s = &a->rows[ran[i]].m[m];
		struct agg_cmp *c;

		a->cmp = xrealloc(a->cmp, (a->n_cmp + 1) * sizeof(*a->cmp));
		c = &a->cmp[a->n_cmp++];
		*c = (struct agg_cmp){.row = ran[i], .metric = m, .ratio = NAN, .ratio_low = NAN, .ratio_high = NAN};
		if (!s->n)
			continue;
		c->rank = 1;
		for (size_t j = 0; j < n; j++) {
			const struct agg_stat *o = &a->rows[ran[j]].m[m];

			c->rank += o->n && better(m, o->mean, s->mean);
		}
		/* A best of 0 (a hit ratio of 0 everywhere, 0 µs of CPU): the
		 * ratio of another 0 is 1, of anything else unbounded. */
		if (best->mean != 0)
			c->ratio = s->mean / best->mean;
		else if (s->mean == 0)
			c->ratio = 1;
		if (s == best && s->n >= 2) {
			c->ratio_low = c->ratio_high = 1;
		} else if (agg_fieller(s->mean, s->se, s->n, best->mean, best->se, best->n, &c->ratio_low,
				       &c->ratio_high) < 0) {
			c->ratio_low = c->ratio_high = NAN;
		}
		/* With one repeat on either side there is no interval, so no
		 * verdict: never a made-up one. */
		if (s->n >= 2 && best->n >= 2)
			c->verdict = c->rank == 1 ? AGG_BEST : overlap(s, best) ? AGG_TIE : AGG_WORSE;
	}
}

/* Rows [from, to) share workload, phase, op and sweep point. */
static void compare_group(struct aggregate *a, size_t from, size_t to)
{
	size_t *ran = xcalloc(to - from, sizeof(*ran)), n = 0;

	for (size_t i = from; i < to; i++)
		if (a->rows[i].sent > 0)
			ran[n++] = i;
	for (int m = 0; m < AGG_N_METRICS && n >= 2; m++)
		compare_metric(a, ran, n, (enum agg_metric)m);
	free(ran);
}

/* ---- building ---- */

static void row_open(struct agg_row *r, const struct agg_sample *s)
{
	r->workload = xstrdup(s->workload);
	r->phase = xstrdup(s->phase);
	r->op = xstrdup(s->op);
	r->sweep_key = xstrdup(s->sweep_key);
	r->sweep_value = xstrdup(s->sweep_value);
	r->target = xstrdup(s->target);
	r->server = xstrdup(s->server);
}

/* The samples keyed[from, to) (one row's) into r. */
static void row_fill(struct agg_row *r, const struct agg_sample *s, const struct keyed *keyed, size_t from, size_t to)
{
	double *v = xcalloc(to - from, sizeof(*v));

	row_open(r, &s[keyed[from].i]);
	r->repeats = to - from;
	for (size_t j = from; j < to; j++) {
		const struct agg_sample *x = &s[keyed[j].i];

		r->sent += x->sent;
		r->failed += x->failed;
		r->unsupported += x->unsupported;
		r->answered += x->answered;
		r->misses += x->misses;
	}
	for (int m = 0; m < AGG_N_METRICS; m++) {
		size_t n = 0;

		for (size_t j = from; j < to; j++)
			if (!isnan(s[keyed[j].i].v[m]))
				v[n++] = s[keyed[j].i].v[m];
		agg_stat_of(v, n, &r->m[m]);
	}
	free(v);
}

struct aggregate *agg_build(const struct agg_sample *s, size_t n)
{
	struct aggregate *a = xcalloc(1, sizeof(*a));
	struct keyed *keyed = xcalloc(n ? n : 1, sizeof(*keyed));
	struct order ord[N_K] = {{0}};
	char **points = xcalloc(n ? n : 1, sizeof(*points));
	size_t *row_group = xcalloc(n ? n : 1, sizeof(*row_group));

	for (size_t i = 0; i < n; i++) {
		points[i] = point_key(&s[i]);
		keyed[i].i = i;
		keyed[i].k[K_WORKLOAD] = order_of(&ord[K_WORKLOAD], s[i].workload);
		keyed[i].k[K_PHASE] = order_of(&ord[K_PHASE], s[i].phase);
		keyed[i].k[K_OP] = order_of(&ord[K_OP], s[i].op);
		keyed[i].k[K_POINT] = order_of(&ord[K_POINT], points[i]);
		keyed[i].k[K_TARGET] = order_of(&ord[K_TARGET], s[i].target);
	}
	if (n)
		qsort(keyed, n, sizeof(*keyed), keyed_cmp);
	a->rows = xcalloc(n ? n : 1, sizeof(*a->rows));
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;

		while (j < n && !memcmp(keyed[j].k, keyed[i].k, sizeof(keyed[i].k)))
			j++;
		row_fill(&a->rows[a->n_rows], s, keyed, i, j);
		/* Rows of one phase x op x sweep point are next to each other. */
		row_group[a->n_rows] = a->n_rows && !memcmp(keyed[i].k, keyed[i - 1].k, K_TARGET * sizeof(size_t))
					       ? row_group[a->n_rows - 1] : a->n_rows;
		if (a->rows[a->n_rows].repeats > a->max_repeats)
			a->max_repeats = a->rows[a->n_rows].repeats;
		a->n_rows++;
		i = j;
	}
	set_mixes(a);
	for (size_t i = 0; i < a->n_rows;) {
		size_t j = i + 1;

		while (j < a->n_rows && row_group[j] == row_group[i])
			j++;
		compare_group(a, i, j);
		i = j;
	}
	for (size_t i = 0; i < n; i++)
		free(points[i]);
	for (int k = 0; k < N_K; k++)
		free(ord[k].v);
	free(points);
	free(row_group);
	free(keyed);
	return a;
}

void agg_free(struct aggregate *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n_rows; i++) {
		struct agg_row *r = &a->rows[i];

		free(r->workload);
		free(r->phase);
		free(r->op);
		free(r->sweep_key);
		free(r->sweep_value);
		free(r->target);
		free(r->server);
		free(r->effective_mix);
	}
	free(a->rows);
	free(a->cmp);
	free(a);
}
