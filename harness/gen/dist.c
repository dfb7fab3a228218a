/*
 * dist.c - key distributions after YCSB's generators (site.ycsb.generator)
 * and value-size generators. docs/distributions.md has the derivations; the
 * comments here say why the code departs from the obvious.
 */
#include <errno.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dist.h"
#include "evd.h"

/*
 * Zipfian ranks below DIST_HEAD are drawn exactly, by search in a table of
 * partial sums of 1/k^theta. Gray et al.'s closed-form inversion (what YCSB
 * uses past rank 1) replaces the sum by an integral, which over-weights the
 * ranks just past the exact ones (rank 3 by 17% at theta 0.99); its error
 * falls as 1/k^2 once the integral is taken over [k-1/2, k+1/2], and from
 * rank 33 on it is below 1e-4 relative. The table does not depend on
 * records, so the latest distribution can share it for any newest.
 */
#define DIST_HEAD 32

struct dist {
	enum dist_kind kind;
	uint64_t records;

	/* zipfian, latest */
	int scrambled;
	double theta;
	double alpha;           /* 1 / (1 - theta) */
	double head[DIST_HEAD]; /* head[i] = zeta(i + 1, theta) */
	double tail_a;          /* (DIST_HEAD + 1/2)^(1 - theta) */
	double zeta_n;          /* zeta(records, theta) */
	double tail_scale;      /* tail_scale_for(records) */
	uint64_t perm_mask;     /* scrambling works on the bits of records - 1 */
	unsigned perm_shift;

	/* hotspot */
	uint64_t hot_count, cold_count;
	double hot_op;

	/* exponential */
	double gamma, inv_gamma;
	double exp_cut; /* P(X < records): the truncation for newest = records - 1 */
};

static const char *const kind_names[] = {
	[DIST_UNIFORM] = "uniform",
	[DIST_ZIPFIAN] = "zipfian",
	[DIST_HOTSPOT] = "hotspot",
	[DIST_LATEST] = "latest",
	[DIST_SEQUENTIAL] = "sequential",
	[DIST_EXPONENTIAL] = "exponential",
};

#define KIND_COUNT (sizeof(kind_names) / sizeof(kind_names[0]))

const char *dist_kind_name(enum dist_kind k)
{
	if ((unsigned)k >= KIND_COUNT)
		return "unknown";
	return kind_names[k];
}

int dist_kind_from_name(const char *s)
{
	if (!s)
		return -1;
	for (size_t i = 0; i < KIND_COUNT; i++)
		if (strcmp(s, kind_names[i]) == 0)
			return (int)i;
	return -1;
}

void dist_params_default(struct dist_params *p, enum dist_kind kind, uint64_t records)
{
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->records = records;
	p->zipf_theta = DIST_ZIPF_THETA_DEFAULT;
	p->zipf_scrambled = 1;
	p->hot_fraction = DIST_HOT_FRACTION_DEFAULT;
	p->hot_op_fraction = DIST_HOT_OP_FRACTION_DEFAULT;
	p->exp_percentile = DIST_EXP_PERCENTILE_DEFAULT;
	p->exp_fraction = DIST_EXP_FRACTION_DEFAULT;
}

/* ---- zipfian ---------------------------------------------------------- */

/*
 * zeta(to, theta) from zeta(from, theta) = z. Terms are always added in
 * increasing k, as a from-scratch sum adds them, so growing a keyspace one
 * insert at a time gives bit for bit the sum dist_init would compute.
 */
static double zeta_move(const struct dist *d, uint64_t from, double z, uint64_t to)
{
	if (to <= DIST_HEAD)
		return d->head[to - 1];
	if (from < DIST_HEAD) {
		from = DIST_HEAD;
		z = d->head[DIST_HEAD - 1];
	}
	for (uint64_t k = from + 1; k <= to; k++)
		z += pow((double)k, -d->theta);
	/* Shrinking only happens if the caller lowers newest; undo the terms
	 * rather than start over, so it stays O(change). */
	for (uint64_t k = from; k > to; k--)
		z -= pow((double)k, -d->theta);
	return z;
}

/* Maps the part of u * zeta_n past the table onto x^(1-theta). */
static double tail_scale_for(const struct dist *d, uint64_t n, double zeta_n)
{
	if (n <= DIST_HEAD)
		return 0;
	return (pow((double)n + 0.5, 1 - d->theta) - d->tail_a) /
	       (zeta_n - d->head[DIST_HEAD - 1]);
}

/* The smallest i < n with x < a[i] for ascending a[0..n), n >= 1; n - 1
 * when there is none. Binary search, no allocation. */
static size_t first_above(const double *a, size_t n, double x)
{
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (x < a[mid])
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* A 0-based popularity rank in [0, n) from u in [0, 1). */
static uint64_t zipf_rank(const struct dist *d, uint64_t n, double zeta_n, double scale, double u)
{
	double uz = u * zeta_n;

	if (n <= DIST_HEAD || uz < d->head[DIST_HEAD - 1]) {
		/* The last index is the fallback should u * zeta_n round up to
		 * zeta_n itself. */
		return first_above(d->head, n < DIST_HEAD ? n : DIST_HEAD, uz);
	}

	/* x in [k - 1/2, k + 1/2) is 1-based rank k, 0-based k - 1. The bounds
	 * catch rounding at both ends of the tail. */
	double x = pow(d->tail_a + (uz - d->head[DIST_HEAD - 1]) * scale, d->alpha);
	double rank = x - 0.5;

	if (!(rank >= DIST_HEAD))
		return DIST_HEAD;
	if (rank >= (double)(n - 1))
		return n - 1;
	return (uint64_t)rank;
}

/*
 * One round of a bijection on the low k bits: multiplying by an odd
 * constant, adding, and x ^= x >> s (s >= 1) are each invertible mod 2^k.
 * The shifts pull the high bits, which the multiplies fill, back down.
 */
static uint64_t perm_step(const struct dist *d, uint64_t x)
{
	uint64_t m = d->perm_mask;
	unsigned s = d->perm_shift;

	x = (x * 0x9e3779b97f4a7c15u + 0x632be59bd9b4e019u) & m;
	x ^= x >> s;
	x = (x * 0xbf58476d1ce4e5b9u) & m;
	x ^= x >> s;
	x = (x * 0x94d049bb133111ebu) & m;
	x ^= x >> s;
	return x;
}

/*
 * Cycle-walking restricts the bijection on [0, 2^k) to [0, records): the
 * walk from a rank below records stays on its cycle, which must come back
 * below records. 2^k < 2 * records, so it takes under 2 steps on average.
 * YCSB hashes ranks of a 10^10-item zipfian with FNV and takes the result
 * mod records: each id then sums many ranks, so the keyspace no longer sees
 * a zipfian. A bijection keeps the profile and only moves the hot ids.
 */
static uint64_t scramble(const struct dist *d, uint64_t rank)
{
	uint64_t x = rank;

	do
		x = perm_step(d, x);
	while (x >= d->records);
	return x;
}

uint64_t dist_rank_id(const struct dist *d, uint64_t rank)
{
	if (d->kind == DIST_ZIPFIAN && d->scrambled)
		return scramble(d, rank);
	return rank;
}

static void zipf_setup(struct dist *d, const struct dist_params *p)
{
	double z = 0;
	unsigned bits;

	d->theta = p->zipf_theta;
	d->alpha = 1.0 / (1.0 - d->theta);
	for (int k = 1; k <= DIST_HEAD; k++) {
		z += pow((double)k, -d->theta);
		d->head[k - 1] = z;
	}
	d->tail_a = pow(DIST_HEAD + 0.5, 1 - d->theta);
	d->zeta_n = zeta_move(d, 0, 0, d->records);
	d->tail_scale = tail_scale_for(d, d->records, d->zeta_n);

	d->scrambled = p->zipf_scrambled != 0;
	bits = d->records > 1 ? 64 - (unsigned)__builtin_clzll(d->records - 1) : 0;
	d->perm_mask = bits >= 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1;
	d->perm_shift = bits > 1 ? (bits + 1) / 2 : 1;
}

/* ---- hotspot, exponential --------------------------------------------- */

static void hotspot_setup(struct dist *d, const struct dist_params *p)
{
	double x = p->hot_fraction * (double)d->records;
	double h = nearbyint(x);

	/* ceil(), except that a product within rounding of an integer is that
	 * integer: 0.7 * 10 must give 7 hot keys, not 8. */
	if (fabs(x - h) > 1e-9 * x)
		h = ceil(x);
	if (h < 1)
		d->hot_count = 1;
	else if (h >= (double)d->records)
		d->hot_count = d->records;
	else
		d->hot_count = (uint64_t)h;
	d->cold_count = d->records - d->hot_count;
	d->hot_op = p->hot_op_fraction;
}

static int exponential_setup(struct dist *d, const struct dist_params *p)
{
	/* YCSB: gamma = -ln(1 - percentile/100) / (recordcount * frac). */
	d->gamma = -log1p(-p->exp_percentile / 100.0) / ((double)d->records * p->exp_fraction);
	if (!isfinite(d->gamma) || !(d->gamma > 0))
		return EINVAL;
	d->inv_gamma = 1.0 / d->gamma;
	d->exp_cut = -expm1(-d->gamma * (double)d->records);
	return 0;
}

/* ---- public ----------------------------------------------------------- */

static int params_valid(const struct dist_params *p)
{
	if (p->records == 0)
		return 0;
	switch (p->kind) {
	case DIST_UNIFORM:
	case DIST_SEQUENTIAL:
		return 1;
	case DIST_ZIPFIAN:
	case DIST_LATEST:
		/* Written as !(in range) elsewhere too, so NaN is rejected. */
		return p->zipf_theta > 0 && p->zipf_theta < 1;
	case DIST_HOTSPOT:
		return p->hot_fraction > 0 && p->hot_fraction < 1 &&
		       p->hot_op_fraction >= 0 && p->hot_op_fraction <= 1;
	case DIST_EXPONENTIAL:
		return p->exp_percentile > 0 && p->exp_percentile < 100 &&
		       p->exp_fraction > 0 && isfinite(p->exp_fraction);
	}
	return 0;
}

/* -1 with errno e and err saying why. */
static int dist_fail(int e, const struct dist_params *p, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s key distribution over %llu records: %s", p ? dist_kind_name(p->kind) : "no",
		 p ? (unsigned long long)p->records : 0ULL,
		 e == ENOMEM ? "out of memory" : "a parameter is outside its range (docs/distributions.md)");
	errno = e;
	return -1;
}

int dist_init(const struct dist_params *p, struct dist **out, char *err, size_t errlen)
{
	struct dist *d;

	if (!p || !out || !params_valid(p))
		return dist_fail(EINVAL, p, err, errlen);
	d = calloc(1, sizeof(*d));
	if (!d)
		return dist_fail(ENOMEM, p, err, errlen);
	d->kind = p->kind;
	d->records = p->records;
	switch (p->kind) {
	case DIST_ZIPFIAN:
	case DIST_LATEST:
		zipf_setup(d, p);
		break;
	case DIST_HOTSPOT:
		hotspot_setup(d, p);
		break;
	case DIST_EXPONENTIAL:
		if (exponential_setup(d, p) != 0)
			goto fail;
		break;
	case DIST_UNIFORM:
	case DIST_SEQUENTIAL:
		break;
	}
	*out = d;
	return 0;
fail:
	free(d);
	return dist_fail(EINVAL, p, err, errlen);
}

void dist_free(struct dist *d)
{
	free(d);
}

void dist_cursor_init(const struct dist *d, struct dist_cursor *c, uint64_t first_seq)
{
	memset(c, 0, sizeof(*c));
	c->next_seq = first_seq;
	c->newest = d->records - 1;
	if (d->kind == DIST_LATEST) {
		c->cache_items = d->records;
		c->cache_zeta = d->zeta_n;
		c->cache_scale = d->tail_scale;
	} else if (d->kind == DIST_EXPONENTIAL) {
		c->cache_items = d->records;
		c->cache_scale = d->exp_cut;
	}
}

static uint64_t next_latest(const struct dist *d, struct dist_cursor *c, struct rng *r)
{
	uint64_t n = c->newest + 1;

	if (c->cache_items != n) {
		/* cache_items 0 (a zeroed cursor) sums from scratch. */
		c->cache_zeta = zeta_move(d, c->cache_items, c->cache_zeta, n);
		c->cache_scale = tail_scale_for(d, n, c->cache_zeta);
		c->cache_items = n;
	}
	return c->newest - zipf_rank(d, n, c->cache_zeta, c->cache_scale, rng_double(r));
}

/*
 * YCSB draws X ~ Exp(gamma) and retries while X > newest. Inverting the CDF
 * of X given X < newest + 1 gives the same distribution in one draw, with
 * no loop whose length depends on the parameters.
 */
static uint64_t next_exponential(const struct dist *d, struct dist_cursor *c, struct rng *r)
{
	uint64_t n = c->newest + 1;
	double x;

	if (c->cache_items != n) {
		c->cache_scale = -expm1(-d->gamma * (double)n);
		c->cache_items = n;
	}
	x = -log1p(-rng_double(r) * c->cache_scale) * d->inv_gamma;
	if (!(x < (double)c->newest))
		return 0;
	return c->newest - (uint64_t)x;
}

uint64_t dist_next(const struct dist *d, struct dist_cursor *c, struct rng *r)
{
	uint64_t rank;

	switch (d->kind) {
	case DIST_UNIFORM:
		return rng_below(r, d->records);
	case DIST_ZIPFIAN:
		rank = zipf_rank(d, d->records, d->zeta_n, d->tail_scale, rng_double(r));
		return d->scrambled ? scramble(d, rank) : rank;
	case DIST_HOTSPOT:
		/* With no cold keys every draw is hot, whatever hot_op says. */
		if (d->cold_count == 0 || rng_double(r) < d->hot_op)
			return rng_below(r, d->hot_count);
		return d->hot_count + rng_below(r, d->cold_count);
	case DIST_LATEST:
		return next_latest(d, c, r);
	case DIST_SEQUENTIAL:
		return c->next_seq++ % d->records;
	case DIST_EXPONENTIAL:
		return next_exponential(d, c, r);
	}
	return 0;
}

/* ---- value sizes ------------------------------------------------------ */

enum sizegen_shape { SG_TABLE = 0, SG_GEV, SG_GPARETO, SG_FB_ETC };

struct sizegen {
	uint64_t min, max; /* equal for fixed; the clamp of the continuous shapes */
	size_t n;          /* weighted: entries; 0 for fixed and uniform */
	uint64_t *sizes;
	double *cum; /* cum[i] = P(index <= i); cum[n - 1] = 1 */
	/* SG_TABLE: fixed, uniform, weighted as above. Otherwise the
	 * distribution's three parameters (location, scale, shape), and for
	 * fb_etc the cumulative head: head[i] = P(size <= i). */
	enum sizegen_shape shape;
	double loc, scale, xi;
	double head[EVD_ETC_HEAD];
};

/* -1 with errno e: sizegen's one way to fail (one cause each; the caller
 * names the sizes). */
static int sizegen_fail(int e)
{
	errno = e;
	return -1;
}

static int sizegen_alloc(uint64_t min, uint64_t max, struct sizegen **out)
{
	struct sizegen *g;

	if (!out || min > max)
		return sizegen_fail(EINVAL);
	g = calloc(1, sizeof(*g));
	if (!g)
		return sizegen_fail(ENOMEM);
	g->min = min;
	g->max = max;
	*out = g;
	return 0;
}

int sizegen_init_fixed(uint64_t n, struct sizegen **out)
{
	return sizegen_alloc(n, n, out);
}

int sizegen_init_uniform(uint64_t min, uint64_t max, struct sizegen **out)
{
	return sizegen_alloc(min, max, out);
}

int sizegen_init_weighted(const uint64_t *sizes, const double *weights, size_t n,
			  struct sizegen **out)
{
	struct sizegen *g = NULL;
	double total = 0, run = 0;
	int err = EINVAL;

	if (!sizes || !weights || n == 0 || !out)
		return sizegen_fail(EINVAL);
	for (size_t i = 0; i < n; i++) {
		if (!(weights[i] > 0) || !isfinite(weights[i]))
			return sizegen_fail(EINVAL);
		total += weights[i];
	}
	if (!isfinite(total))
		return sizegen_fail(EINVAL);

	err = ENOMEM;
	g = calloc(1, sizeof(*g));
	if (!g)
		goto fail;
	g->sizes = malloc(n * sizeof(*g->sizes));
	g->cum = malloc(n * sizeof(*g->cum));
	if (!g->sizes || !g->cum)
		goto fail;
	g->n = n;
	g->min = UINT64_MAX;
	for (size_t i = 0; i < n; i++) {
		g->sizes[i] = sizes[i];
		if (sizes[i] < g->min)
			g->min = sizes[i];
		if (sizes[i] > g->max)
			g->max = sizes[i];
		run += weights[i];
		g->cum[i] = run / total;
	}
	/* Rounding may leave the last sum just under 1; u < 1 must always land. */
	g->cum[n - 1] = 1.0;
	*out = g;
	return 0;
fail:
	sizegen_free(g);
	return sizegen_fail(err);
}

static int sizegen_init_shape(enum sizegen_shape shape, double loc, double scale, double xi, uint64_t min,
			      uint64_t max, struct sizegen **out)
{
	int rc;

	if (!isfinite(loc) || !isfinite(xi) || !isfinite(scale) || !(scale > 0))
		return sizegen_fail(EINVAL);
	if ((rc = sizegen_alloc(min, max, out)) < 0)
		return rc;
	(*out)->shape = shape;
	(*out)->loc = loc;
	(*out)->scale = scale;
	(*out)->xi = xi;
	return 0;
}

int sizegen_init_gev(double mu, double sigma, double xi, uint64_t min, uint64_t max, struct sizegen **out)
{
	return sizegen_init_shape(SG_GEV, mu, sigma, xi, min, max, out);
}

int sizegen_init_gpareto(double theta, double sigma, double xi, uint64_t min, uint64_t max, struct sizegen **out)
{
	return sizegen_init_shape(SG_GPARETO, theta, sigma, xi, min, max, out);
}

int sizegen_init_fb_etc(uint64_t min, uint64_t max, struct sizegen **out)
{
	double run = 0;
	int rc = sizegen_init_shape(SG_FB_ETC, EVD_ETC_HEAD, EVD_ETC_VALUE_SIGMA, EVD_ETC_VALUE_XI, min, max, out);

	if (rc < 0)
		return rc;
	for (int i = 0; i < EVD_ETC_HEAD; i++) {
		run += evd_etc_head[i];
		(*out)->head[i] = run;
	}
	return 0;
}

/* x rounded down and clamped to [min, max]; NaN is min. */
static uint64_t clamp_size(const struct sizegen *g, double x)
{
	if (!(x >= (double)g->min))
		return g->min;
	if (x >= (double)g->max)
		return g->max;
	return (uint64_t)x;
}

/* A draw of a continuous shape from u in [0, 1). */
static uint64_t shape_next(const struct sizegen *g, double u)
{
	switch (g->shape) {
	case SG_GEV:
		return clamp_size(g, evd_gev_quantile(g->loc, g->scale, g->xi, u));
	case SG_FB_ETC:
		/* One uniform number for both parts: below the head's total it
		 * picks a head size, above it, rescaled to [0, 1), the tail's
		 * quantile. */
		if (u < g->head[EVD_ETC_HEAD - 1])
			return clamp_size(g, (double)first_above(g->head, EVD_ETC_HEAD, u));
		u = (u - g->head[EVD_ETC_HEAD - 1]) / (1 - g->head[EVD_ETC_HEAD - 1]);
		/* fall through */
	case SG_GPARETO:
		return clamp_size(g, evd_gpareto_quantile(g->loc, g->scale, g->xi, u));
	case SG_TABLE:
		break;
	}
	return g->min;
}

void sizegen_free(struct sizegen *g)
{
	if (!g)
		return;
	free(g->sizes);
	free(g->cum);
	free(g);
}

uint64_t sizegen_next(const struct sizegen *g, struct rng *r)
{
	if (g->shape != SG_TABLE)
		return shape_next(g, rng_double(r));
	if (g->n)
		return g->sizes[first_above(g->cum, g->n, rng_double(r))];
	if (g->min == g->max)
		return g->min;
	if (g->max - g->min == UINT64_MAX)
		return rng_next(r);
	return g->min + rng_below(r, g->max - g->min + 1);
}

uint64_t sizegen_at(const struct sizegen *g, double u)
{
	uint64_t span;

	if (g->shape != SG_TABLE)
		return shape_next(g, u);
	if (g->n)
		return g->sizes[first_above(g->cum, g->n, u)];
	span = g->max - g->min;
	if (span == UINT64_MAX)
		return (uint64_t)(u * 0x1p64);
	return g->min + (uint64_t)(u * (double)(span + 1)) % (span + 1);
}

uint64_t sizegen_max(const struct sizegen *g)
{
	return g->max;
}
