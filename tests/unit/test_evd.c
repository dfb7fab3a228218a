/*
 * test_evd.c - the production-shaped sizes (gen/evd.h; values.size: fb_etc,
 * gev, gpareto; keyspace.key_size; arrival: fb_etc) checked against the
 * closed forms of their distributions.
 *
 * Sizes are whole numbers: a draw is floor(X), clamped. For a quantile q
 * of X and k = floor(Q(q)), exactly P(floor X < k) = F(k) <= q and
 * P(floor X <= k) = F(k + 1) >= q; so over N seeded draws the share below
 * k may exceed q, and the share up to k fall short of q, by no more than
 * SIGMAS binomial standard deviations, sqrt(q (1 - q) / N) each. Off by one
 * byte moves those shares by the density at k (several percent near the
 * middle of the Facebook sizes), hundreds of standard deviations. The
 * Facebook value head is checked size by size against its table, the same
 * way. Deterministic: fixed seeds, no timing.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "dist.h"
#include "evd.h"
#include "keygen.h"
#include "pacer.h"
#include "rng.h"

#define N 1000000
#define SIGMAS 5.0
#ifndef SEED
#define SEED 20261206u
#endif

static const double qs[] = {0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999};
#define NQ (sizeof(qs) / sizeof(qs[0]))

static double tol(double q, double n)
{
	return SIGMAS * sqrt(q * (1 - q) / n);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Shares of sorted v[0..n) below k and up to k. */
static void shares(const uint64_t *v, size_t n, uint64_t k, double *below, double *upto)
{
	size_t lo = 0, hi = n;

	while (lo < hi) { /* first index with v >= k */
		size_t mid = (lo + hi) / 2;

		if (v[mid] < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	*below = (double)lo / (double)n;
	hi = n;
	while (lo < hi) { /* first index with v > k */
		size_t mid = (lo + hi) / 2;

		if (v[mid] <= k)
			lo = mid + 1;
		else
			hi = mid;
	}
	*upto = (double)lo / (double)n;
}

/* Checks sorted samples v[0..n) against quantile function Q (x = Q(q)). */
static void check_quantiles(const char *what, const uint64_t *v, size_t n, double (*quantile)(const double *, double),
			    const double *par)
{
	for (size_t i = 0; i < NQ; i++) {
		double x = quantile(par, qs[i]), below, upto;
		uint64_t k = (uint64_t)floor(x);

		shares(v, n, k, &below, &upto);
		CHECK(below <= qs[i] + tol(qs[i], (double)n));
		CHECK(upto >= qs[i] - tol(qs[i], (double)n));
		if (getenv("EVD_TEST_VERBOSE") || below > qs[i] + tol(qs[i], (double)n) ||
		    upto < qs[i] - tol(qs[i], (double)n))
			printf("%s: q %.3f: Q %.3f, share < %llu %.5f, <= %.5f (tolerance %.5f)\n", what, qs[i], x,
			       (unsigned long long)k, below, upto, tol(qs[i], (double)n));
	}
}

static double gev_q(const double *p, double q)
{
	return evd_gev_quantile(p[0], p[1], p[2], q);
}

static double gp_q(const double *p, double q)
{
	return evd_gpareto_quantile(p[0], p[1], p[2], q);
}

/* N sorted draws of g. */
static uint64_t *draw_sorted(const struct sizegen *g, uint64_t stream)
{
	uint64_t *v = malloc(N * sizeof(*v));
	struct rng r;

	rng_seed(&r, SEED, stream);
	for (size_t i = 0; i < N; i++)
		v[i] = sizegen_next(g, &r);
	qsort(v, N, sizeof(*v), cmp_u64);
	return v;
}

/* The closed forms against each other: F(Q(p)) = p. */
static void test_closed_forms(void)
{
	static const double pars[][3] = {
		{EVD_ETC_KEY_MU, EVD_ETC_KEY_SIGMA, EVD_ETC_KEY_XI},
		{0, EVD_ETC_VALUE_SIGMA, EVD_ETC_VALUE_XI},
		{0, EVD_ETC_GAP_SIGMA_US, EVD_ETC_GAP_XI},
		{5, 2, 0},
		{5, 2, -0.3},
	};

	for (size_t i = 0; i < sizeof(pars) / sizeof(pars[0]); i++) {
		for (double p = 0.01; p < 1; p += 0.07) {
			double x = evd_gev_quantile(pars[i][0], pars[i][1], pars[i][2], p);
			double y = evd_gpareto_quantile(pars[i][0], pars[i][1], pars[i][2], p);

			CHECK(fabs(evd_gev_cdf(pars[i][0], pars[i][1], pars[i][2], x) - p) < 1e-12);
			CHECK(fabs(evd_gpareto_cdf(pars[i][0], pars[i][1], pars[i][2], y) - p) < 1e-12);
		}
	}
	/* Known values: the GEV median is mu + sigma ((ln 2)^-xi - 1) / xi;
	 * gpareto's with xi = 0 is theta + sigma ln 2; its mean sigma / (1 - xi). */
	CHECK(fabs(evd_gev_quantile(0, 1, 0, 0.5) - -log(log(2))) < 1e-12);
	CHECK(fabs(evd_gpareto_quantile(1, 2, 0, 0.5) - (1 + 2 * log(2))) < 1e-12);
	CHECK(fabs(evd_gpareto_mean(0, EVD_ETC_GAP_SIGMA_US, EVD_ETC_GAP_XI) - 16.0292 / (1 - 0.154971)) < 1e-9);
	/* The head's table sums to 0.44155 (the rest is the tail). */
	{
		double sum = 0;

		for (int i = 0; i < EVD_ETC_HEAD; i++)
			sum += evd_etc_head[i];
		CHECK(fabs(sum - 0.44155) < 1e-9);
	}
}

static void test_gev_key_sizes(void)
{
	const double par[3] = {EVD_ETC_KEY_MU, EVD_ETC_KEY_SIGMA, EVD_ETC_KEY_XI};
	struct sizegen *g = NULL;
	uint64_t *v;

	CHECK_INT(sizegen_init_gev(par[0], par[1], par[2], 0, 1000000, &g), 0);
	v = draw_sorted(g, 1);
	check_quantiles("gev (fb_etc keys)", v, N, gev_q, par);
	free(v);
	sizegen_free(g);
}

static void test_gpareto(void)
{
	const double value[3] = {0, EVD_ETC_VALUE_SIGMA, EVD_ETC_VALUE_XI};
	const double gap[3] = {0, EVD_ETC_GAP_SIGMA_US * 1000, EVD_ETC_GAP_XI}; /* in ns */
	const double expo[3] = {100, 50, 0};
	struct sizegen *g = NULL;
	uint64_t *v;

	CHECK_INT(sizegen_init_gpareto(value[0], value[1], value[2], 0, UINT64_MAX / 2, &g), 0);
	v = draw_sorted(g, 2);
	check_quantiles("gpareto (fb_etc value tail, theta 0)", v, N, gp_q, value);
	free(v);
	sizegen_free(g);

	CHECK_INT(sizegen_init_gpareto(gap[0], gap[1], gap[2], 0, UINT64_MAX / 2, &g), 0);
	v = draw_sorted(g, 3);
	check_quantiles("gpareto (fb_etc gaps, ns)", v, N, gp_q, gap);
	free(v);
	sizegen_free(g);

	CHECK_INT(sizegen_init_gpareto(expo[0], expo[1], expo[2], 0, UINT64_MAX / 2, &g), 0);
	v = draw_sorted(g, 4);
	check_quantiles("gpareto xi 0 (exponential)", v, N, gp_q, expo);
	free(v);
	sizegen_free(g);
}

/* The clamp: nothing outside [min, max]; the mass beyond max sits at max. */
static void test_clamp(void)
{
	struct sizegen *g = NULL;
	uint64_t *v;
	double below, upto, want = 1 - evd_gpareto_cdf(0, EVD_ETC_VALUE_SIGMA, EVD_ETC_VALUE_XI, 1000);

	CHECK_INT(sizegen_init_gpareto(0, EVD_ETC_VALUE_SIGMA, EVD_ETC_VALUE_XI, 20, 1000, &g), 0);
	CHECK_INT(sizegen_max(g), 1000);
	v = draw_sorted(g, 5);
	CHECK_INT(v[0], 20);
	CHECK_INT(v[N - 1], 1000);
	shares(v, N, 1000, &below, &upto);
	CHECK(fabs((1 - below) - want) <= tol(want, N));
	free(v);
	sizegen_free(g);
}

static void test_fb_etc_values(void)
{
	const double tail[3] = {EVD_ETC_HEAD, EVD_ETC_VALUE_SIGMA, EVD_ETC_VALUE_XI};
	struct sizegen *g = NULL;
	uint64_t *v, counts[EVD_ETC_HEAD] = {0};
	size_t n_tail;

	CHECK_INT(sizegen_init_fb_etc(0, UINT64_MAX / 2, &g), 0);
	v = draw_sorted(g, 6);
	for (size_t i = 0; i < N && v[i] < EVD_ETC_HEAD; i++)
		counts[v[i]]++;
	/* The head, size by size. */
	n_tail = N;
	for (int s = 0; s < EVD_ETC_HEAD; s++) {
		double share = (double)counts[s] / N, p = evd_etc_head[s];

		n_tail -= counts[s];
		CHECK(fabs(share - p) <= tol(p, N));
		if (getenv("EVD_TEST_VERBOSE") || fabs(share - p) > tol(p, N))
			printf("fb_etc value %2d bytes: share %.5f, table %.5f (tolerance %.5f)\n", s, share, p,
			       tol(p, N));
	}
	/* The tail: 15 bytes and up, gpareto(15, sigma, xi) given that. */
	check_quantiles("fb_etc value tail", v + (N - n_tail), n_tail, gp_q, tail);
	free(v);
	sizegen_free(g);
}

/*
 * Key sizes (keyspace.key_size: fb_etc): a record's length is a fixed
 * function of the seed and its number, within [base, max], and over record
 * numbers 0 .. N-1 the lengths follow the GEV (here with base 0, so nothing
 * is raised); with a base, every length below it becomes the base.
 */
static void test_key_sizes(void)
{
	const double par[3] = {EVD_ETC_KEY_MU, EVD_ETC_KEY_SIGMA, EVD_ETC_KEY_XI};
	struct sizegen *g = NULL;
	uint64_t *v = malloc(N * sizeof(*v)), at_base = 0, other_seed = 0;

	CHECK_INT(sizegen_init_gev(par[0], par[1], par[2], 0, 250, &g), 0);
	for (uint64_t id = 0; id < N; id++)
		v[id] = keygen_sized_len(g, 42, id, 0, 250);
	for (uint64_t id = 0; id < 1000; id++) {
		CHECK_INT(keygen_sized_len(g, 42, id, 0, 250), v[id]);
		other_seed += keygen_sized_len(g, 43, id, 0, 250) != v[id];
	}
	CHECK(other_seed > 0);
	qsort(v, N, sizeof(*v), cmp_u64);
	check_quantiles("key sizes by record number", v, N, gev_q, par);
	for (uint64_t id = 0; id < N; id++) {
		size_t len = keygen_sized_len(g, 42, id, 24, 40);

		CHECK(len >= 24 && len <= 40);
		at_base += len == 24;
	}
	/* P(floor X <= 24) = F(25): the lengths raised to the base. */
	CHECK(fabs((double)at_base / N - evd_gev_cdf(par[0], par[1], par[2], 25)) <=
	      tol(evd_gev_cdf(par[0], par[1], par[2], 25), N));
	free(v);
	sizegen_free(g);
}

/*
 * arrival: fb_etc: a client at 1000 batches/s gets gaps of mean 1 ms,
 * gpareto(0, 1 ms x (1 - xi), xi), and pacer_due_before counts exactly the
 * batches pacer_next hands out before a time.
 */
static void test_gaps(void)
{
	const double par[3] = {0, 1e6 * (1 - EVD_ETC_GAP_XI), EVD_ETC_GAP_XI};
	struct pacer p, q;
	uint64_t *v = malloc(N * sizeof(*v)), prev, t;

	pacer_init(&p, 1000, 1000, 1, 0);
	pacer_set_gaps(&p, EVD_ETC_GAP_XI, 42, 7);
	q = p;
	prev = 1000;
	for (size_t i = 0; i < N; i++) {
		t = pacer_next(&p);
		CHECK(t >= prev);
		v[i] = t - prev;
		prev = t;
	}
	qsort(v, N, sizeof(*v), cmp_u64);
	check_quantiles("fb_etc gaps from the pacer (ns)", v, N, gp_q, par);
	free(v);
	/* Counting: due before the 10th, 1000th batch's time, and between. */
	for (int k = 0; k < 3; k++) {
		struct pacer r = q;
		uint64_t want = k == 0 ? 10 : k == 1 ? 1000 : 5000, due = 0;

		for (uint64_t i = 0; i < want; i++)
			due = pacer_next(&r);
		CHECK_INT(pacer_due_before(&q, due), want - 1);
		CHECK_INT(pacer_due_before(&q, due + 1), want);
	}
}

static void test_bad(void)
{
	struct sizegen *g = (struct sizegen *)&g;

	errno = 0;
	CHECK_INT(sizegen_init_gev(0, 0, 0.1, 0, 10, &g), -1);
	CHECK_INT(errno, EINVAL);
	errno = 0;
	CHECK_INT(sizegen_init_gev(0, -1, 0.1, 0, 10, &g), -1);
	CHECK_INT(errno, EINVAL);
	errno = 0;
	CHECK_INT(sizegen_init_gpareto(NAN, 1, 0.1, 0, 10, &g), -1);
	CHECK_INT(errno, EINVAL);
	errno = 0;
	CHECK_INT(sizegen_init_gpareto(0, 1, INFINITY, 0, 10, &g), -1);
	CHECK_INT(errno, EINVAL);
	errno = 0;
	CHECK_INT(sizegen_init_gpareto(0, 1, 0.1, 11, 10, &g), -1);
	CHECK_INT(errno, EINVAL);
	errno = 0;
	CHECK_INT(sizegen_init_fb_etc(11, 10, &g), -1);
	CHECK_INT(errno, EINVAL);
	CHECK(g == (struct sizegen *)&g);
}

int main(void)
{
	test_closed_forms();
	test_gev_key_sizes();
	test_gpareto();
	test_clamp();
	test_fb_etc_values();
	test_key_sizes();
	test_gaps();
	test_bad();
	return check_report("test_evd");
}
