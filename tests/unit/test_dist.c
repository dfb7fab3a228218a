/*
 * test_dist.c - key distributions and value sizes checked against their
 * definitions: exact sequences where the output is exact, otherwise
 * frequencies from 10^6 draws under fixed seeds against the theoretical
 * probabilities, with tolerances of several standard deviations (or a
 * chi-square critical value at significance 0.001) so a correct generator
 * passes under any seed and a wrong formula does not. Deterministic: no
 * timing. DIST_TEST_VERBOSE=1 prints the measured statistics
 * (docs/distributions.md quotes them).
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "dist.h"
#include "rng.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define DRAWS 1000000
#ifndef SEED
#define SEED 20240601u
#endif

/* Frequencies may differ from their probability by this many binomial
 * standard deviations: about 6e-7 two-sided per check. */
#define SIGMAS 5.0
/* The normal quantile for chi-square tests at significance 0.001. */
#define Z_001 3.0902

static int verbose;

static struct dist *make_dist(const struct dist_params *p)
{
	struct dist *d = NULL;
	char why[160];
	int err = dist_init(p, &d, why, sizeof(why));

	CHECK_INT(err, 0);
	if (err) {
		fprintf(stderr, "  in: dist_init(%s, records %llu)\n", dist_kind_name(p->kind),
			(unsigned long long)p->records);
		exit(check_report("dist"));
	}
	return d;
}

static struct dist *make_default(enum dist_kind kind, uint64_t records)
{
	struct dist_params p;

	dist_params_default(&p, kind, records);
	return make_dist(&p);
}

static double zeta(uint64_t n, double theta)
{
	double z = 0;

	for (uint64_t k = 1; k <= n; k++)
		z += pow((double)k, -theta);
	return z;
}

static double binom_tol(double p, double n)
{
	return SIGMAS * sqrt(p * (1 - p) / n);
}

/* Wilson-Hilferty: the chi-square quantile for df degrees of freedom at the
 * normal quantile z; within 0.1% of the exact value for df >= 10. */
static double chi2_crit(double df, double z)
{
	double h = 2.0 / (9.0 * df);

	return df * pow(1 - h + z * sqrt(h), 3);
}

static double chi2_stat(const uint64_t *counts, const double *expected, size_t n)
{
	double s = 0;

	for (size_t i = 0; i < n; i++) {
		double e = expected[i], diff = (double)counts[i] - e;

		s += diff * diff / e;
	}
	return s;
}

/* Chi-square of counts[0..n) against equal shares of their total. */
static int check_flat(const uint64_t *counts, size_t n, const char *what)
{
	double total = 0, *expected = malloc(n * sizeof(*expected));
	double stat, crit;

	for (size_t i = 0; i < n; i++)
		total += (double)counts[i];
	for (size_t i = 0; i < n; i++)
		expected[i] = total / (double)n;
	stat = chi2_stat(counts, expected, n);
	crit = chi2_crit((double)n - 1, Z_001);
	free(expected);
	if (verbose)
		printf("%s: chi2 %.1f, critical %.1f (df %zu)\n", what, stat, crit, n - 1);
	if (!(stat < crit)) {
		fprintf(stderr, "  in: %s: chi2 %.1f >= %.1f\n", what, stat, crit);
		return 0;
	}
	return 1;
}

/* ---- names, parameters ------------------------------------------------ */

static void test_names(void)
{
	static const struct {
		enum dist_kind kind;
		const char *name;
	} cases[] = {
		{ DIST_UNIFORM, "uniform" },       { DIST_ZIPFIAN, "zipfian" },
		{ DIST_HOTSPOT, "hotspot" },       { DIST_LATEST, "latest" },
		{ DIST_SEQUENTIAL, "sequential" }, { DIST_EXPONENTIAL, "exponential" },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		CHECK_STR(dist_kind_name(cases[i].kind), cases[i].name);
		CHECK_INT(dist_kind_from_name(cases[i].name), cases[i].kind);
	}
	CHECK_INT(dist_kind_from_name("Zipfian"), -1);
	CHECK_INT(dist_kind_from_name("zipf"), -1);
	CHECK_INT(dist_kind_from_name(""), -1);
	CHECK_INT(dist_kind_from_name(NULL), -1);
	CHECK_STR(dist_kind_name((enum dist_kind)99), "unknown");
}

enum field { F_NONE, F_RECORDS, F_THETA, F_HOT, F_HOT_OP, F_PCT, F_FRAC, F_KIND };

static void test_bad_params(void)
{
	static const struct {
		enum dist_kind kind;
		enum field field;
		double value;
		int want;
	} cases[] = {
		{ DIST_UNIFORM, F_RECORDS, 0, EINVAL },
		{ DIST_ZIPFIAN, F_RECORDS, 0, EINVAL },
		{ DIST_HOTSPOT, F_RECORDS, 0, EINVAL },
		{ DIST_LATEST, F_RECORDS, 0, EINVAL },
		{ DIST_SEQUENTIAL, F_RECORDS, 0, EINVAL },
		{ DIST_EXPONENTIAL, F_RECORDS, 0, EINVAL },
		{ DIST_ZIPFIAN, F_THETA, 0, EINVAL },
		{ DIST_ZIPFIAN, F_THETA, 1, EINVAL },
		{ DIST_ZIPFIAN, F_THETA, -0.5, EINVAL },
		{ DIST_ZIPFIAN, F_THETA, 1.2, EINVAL },
		{ DIST_ZIPFIAN, F_THETA, NAN, EINVAL },
		{ DIST_ZIPFIAN, F_THETA, 0.001, 0 },
		{ DIST_ZIPFIAN, F_THETA, 0.999, 0 },
		{ DIST_LATEST, F_THETA, 0, EINVAL },
		{ DIST_LATEST, F_THETA, 1, EINVAL },
		{ DIST_HOTSPOT, F_HOT, 0, EINVAL },
		{ DIST_HOTSPOT, F_HOT, 1, EINVAL },
		{ DIST_HOTSPOT, F_HOT, -0.1, EINVAL },
		{ DIST_HOTSPOT, F_HOT, 1.5, EINVAL },
		{ DIST_HOTSPOT, F_HOT, NAN, EINVAL },
		{ DIST_HOTSPOT, F_HOT_OP, -0.01, EINVAL },
		{ DIST_HOTSPOT, F_HOT_OP, 1.01, EINVAL },
		{ DIST_HOTSPOT, F_HOT_OP, NAN, EINVAL },
		{ DIST_HOTSPOT, F_HOT_OP, 0, 0 },
		{ DIST_HOTSPOT, F_HOT_OP, 1, 0 },
		{ DIST_EXPONENTIAL, F_PCT, 0, EINVAL },
		{ DIST_EXPONENTIAL, F_PCT, 100, EINVAL },
		{ DIST_EXPONENTIAL, F_PCT, -5, EINVAL },
		{ DIST_EXPONENTIAL, F_PCT, NAN, EINVAL },
		{ DIST_EXPONENTIAL, F_FRAC, 0, EINVAL },
		{ DIST_EXPONENTIAL, F_FRAC, -1, EINVAL },
		{ DIST_EXPONENTIAL, F_FRAC, INFINITY, EINVAL },
		{ DIST_EXPONENTIAL, F_FRAC, 2, 0 },
		{ DIST_UNIFORM, F_KIND, 99, EINVAL },
		/* Fields of other kinds are not read: a zeroed theta is fine here. */
		{ DIST_UNIFORM, F_THETA, 0, 0 },
		{ DIST_HOTSPOT, F_THETA, 0, 0 },
		{ DIST_SEQUENTIAL, F_HOT, 0, 0 },
		{ DIST_ZIPFIAN, F_PCT, 0, 0 },
	};
	static const uint64_t sizes[] = { 10, 20 };
	static const struct {
		double w0, w1;
		size_t n;
	} weight_cases[] = {
		{ 1, 0, 2 }, { 1, -1, 2 }, { NAN, 1, 2 }, { INFINITY, 1, 2 }, { 1, 1, 0 },
		{ 1e308, 1e308, 2 }, /* the sum overflows */
	};
	struct dist *d = (struct dist *)&d;
	struct sizegen *g = (struct sizegen *)&g;
	char why[160];
	double w[2];

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct dist_params p;
		int err;

		dist_params_default(&p, cases[i].kind, 100);
		switch (cases[i].field) {
		case F_NONE: break;
		case F_RECORDS: p.records = (uint64_t)cases[i].value; break;
		case F_THETA: p.zipf_theta = cases[i].value; break;
		case F_HOT: p.hot_fraction = cases[i].value; break;
		case F_HOT_OP: p.hot_op_fraction = cases[i].value; break;
		case F_PCT: p.exp_percentile = cases[i].value; break;
		case F_FRAC: p.exp_fraction = cases[i].value; break;
		case F_KIND: p.kind = (enum dist_kind)(int)cases[i].value; break;
		}
		d = (struct dist *)&d;
		err = dist_init(&p, &d, why, sizeof(why)) < 0 ? errno : 0;
		CHECK_INT(err, cases[i].want);
		if (err != cases[i].want)
			fprintf(stderr, "  in: bad-params case %zu\n", i);
		if (err)
			CHECK(d == (struct dist *)&d); /* untouched on failure */
		else
			dist_free(d);
	}
	CHECK_INT(dist_init(NULL, &d, why, sizeof(why)), -1);
	CHECK_INT(errno, EINVAL);
	CHECK_STR(why, "no key distribution over 0 records: a parameter is outside its range (docs/distributions.md)");

	CHECK_INT(sizegen_init_uniform(11, 10, &g), -1);
	CHECK(g == (struct sizegen *)&g);
	for (size_t i = 0; i < ARRAY_LEN(weight_cases); i++) {
		w[0] = weight_cases[i].w0;
		w[1] = weight_cases[i].w1;
		CHECK_INT(sizegen_init_weighted(sizes, w, weight_cases[i].n, &g), -1);
	}
	w[0] = w[1] = 1;
	CHECK_INT(sizegen_init_weighted(NULL, w, 2, &g), -1);
	CHECK_INT(sizegen_init_weighted(sizes, NULL, 2, &g), -1);
	CHECK(g == (struct sizegen *)&g);

	dist_free(NULL);
	sizegen_free(NULL);
}

/* ---- every id in range ------------------------------------------------ */

static void test_range(void)
{
	static const uint64_t records[] = { 1, 2, 3, 1000 };
	static const enum dist_kind kinds[] = {
		DIST_UNIFORM, DIST_ZIPFIAN, DIST_HOTSPOT, DIST_LATEST, DIST_SEQUENTIAL, DIST_EXPONENTIAL,
	};

	for (size_t k = 0; k < ARRAY_LEN(kinds); k++) {
		for (size_t i = 0; i < ARRAY_LEN(records); i++) {
			for (int scrambled = 0; scrambled <= (kinds[k] == DIST_ZIPFIAN); scrambled++) {
				struct dist_params p;
				struct dist *d;
				struct dist_cursor c;
				struct rng r;
				uint64_t lo = UINT64_MAX, hi = 0;
				uint64_t n = records[i] <= 3 ? DRAWS : DRAWS / 4;

				dist_params_default(&p, kinds[k], records[i]);
				p.zipf_scrambled = scrambled;
				d = make_dist(&p);
				dist_cursor_init(d, &c, 0);
				rng_seed(&r, SEED, k * 100 + i);
				for (uint64_t j = 0; j < n; j++) {
					uint64_t id = dist_next(d, &c, &r);

					lo = id < lo ? id : lo;
					hi = id > hi ? id : hi;
				}
				CHECK(hi < records[i]);
				/* Small keyspaces: every id comes up. */
				if (records[i] <= 3) {
					CHECK_INT(lo, 0);
					CHECK_INT(hi, records[i] - 1);
				}
				if (hi >= records[i] || (records[i] <= 3 && (lo != 0 || hi != records[i] - 1)))
					fprintf(stderr, "  in: %s%s records %llu: ids in [%llu, %llu]\n",
						dist_kind_name(kinds[k]), scrambled ? " scrambled" : "",
						(unsigned long long)records[i], (unsigned long long)lo,
						(unsigned long long)hi);
				dist_free(d);
			}
		}
	}
}

/* ---- uniform ---------------------------------------------------------- */

static void test_uniform(void)
{
	static const uint64_t records[] = { 100, 1000000, 7 };
	uint64_t counts[100];

	for (size_t i = 0; i < ARRAY_LEN(records); i++) {
		struct dist *d = make_default(DIST_UNIFORM, records[i]);
		uint64_t buckets = records[i] < 100 ? records[i] : 100;
		struct rng r;
		char what[64];

		memset(counts, 0, sizeof(counts));
		rng_seed(&r, SEED, i);
		/* records is a multiple of the bucket count: equal bucket widths. */
		for (int j = 0; j < DRAWS; j++)
			counts[dist_next(d, NULL, &r) * buckets / records[i]]++;
		snprintf(what, sizeof(what), "uniform records %llu", (unsigned long long)records[i]);
		CHECK(check_flat(counts, buckets, what));
		dist_free(d);
	}
}

/* ---- zipfian ---------------------------------------------------------- */

#define ZN 1000

/* Compares counts by rank with 1/k^theta / zeta(n, theta): the top ten
 * ranks one by one, then (with_chi2) every rank at once by chi-square. A
 * sorted profile gets no chi-square: sorting pulls counts towards their
 * expectations, so the statistic no longer follows the distribution. */
static void check_zipf_profile(const uint64_t *by_rank, double theta, int with_chi2,
			       const char *what)
{
	double z = zeta(ZN, theta), worst = 0;
	double *expected = malloc(ZN * sizeof(*expected));
	double stat, crit;

	for (int k = 1; k <= 10; k++) {
		double p = pow(k, -theta) / z, f = (double)by_rank[k - 1] / DRAWS;
		double tol = binom_tol(p, DRAWS);

		CHECK(fabs(f - p) <= tol);
		if (fabs(f - p) > tol)
			fprintf(stderr, "  in: %s rank %d: freq %.5f, p %.5f, tolerance %.5f\n", what, k,
				f, p, tol);
		if (fabs(f - p) / tol > worst)
			worst = fabs(f - p) / tol;
	}
	if (verbose)
		printf("%s: top-10 worst |f-p| = %.2f of tolerance\n", what, worst);
	if (with_chi2) {
		for (int k = 1; k <= ZN; k++)
			expected[k - 1] = DRAWS * pow(k, -theta) / z;
		stat = chi2_stat(by_rank, expected, ZN);
		crit = chi2_crit(ZN - 1, Z_001);
		CHECK(stat < crit);
		if (!(stat < crit) || verbose)
			printf("%s: chi2 over all %d ranks %.1f, critical %.1f\n", what, ZN, stat,
			       crit);
	}
	free(expected);
}

static int cmp_desc(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x < y) - (x > y);
}

static void test_zipfian(void)
{
	static const double thetas[] = { 0.99, 0.5 };
	static uint64_t plain[ZN], scr[ZN], sorted[ZN];

	for (size_t t = 0; t < ARRAY_LEN(thetas); t++) {
		struct dist_params p;
		struct dist *dp, *ds;
		struct rng r1, r2;
		uint64_t mismatches = 0, top[10], low = 0, lo = UINT64_MAX, hi = 0;
		char what[64];

		dist_params_default(&p, DIST_ZIPFIAN, ZN);
		p.zipf_theta = thetas[t];
		p.zipf_scrambled = 0;
		dp = make_dist(&p);
		p.zipf_scrambled = 1;
		ds = make_dist(&p);
		memset(plain, 0, sizeof(plain));
		memset(scr, 0, sizeof(scr));
		rng_seed(&r1, SEED, t);
		rng_seed(&r2, SEED, t);
		for (int j = 0; j < DRAWS; j++) {
			uint64_t rank = dist_next(dp, NULL, &r1), id = dist_next(ds, NULL, &r2);

			plain[rank]++;
			scr[id]++;
			/* Same stream: the scrambled id is exactly the rank's image. */
			mismatches += id != dist_rank_id(ds, rank);
		}
		snprintf(what, sizeof(what), "zipfian theta %.2f", thetas[t]);
		check_zipf_profile(plain, thetas[t], 1, what);
		CHECK_INT(mismatches, 0);

		/* Scrambled: the same profile once sorted... */
		memcpy(sorted, scr, sizeof(sorted));
		qsort(sorted, ZN, sizeof(sorted[0]), cmp_desc);
		snprintf(what, sizeof(what), "scrambled zipfian theta %.2f (sorted)", thetas[t]);
		check_zipf_profile(sorted, thetas[t], 0, what);

		/* ...but the hottest ids are spread over the keyspace. */
		for (int k = 0; k < 10; k++) {
			top[k] = dist_rank_id(ds, (uint64_t)k);
			low += top[k] < 10;
			lo = top[k] < lo ? top[k] : lo;
			hi = top[k] > hi ? top[k] : hi;
			CHECK_INT(dist_rank_id(dp, (uint64_t)k), k);
		}
		CHECK(low <= 1);
		CHECK(hi - lo > ZN / 2);
		/* The hottest id is the one rank 0 maps to. */
		CHECK_INT(scr[top[0]], sorted[0]);
		if (verbose)
			printf("%s: hottest ids %llu %llu %llu %llu %llu ...\n", what,
			       (unsigned long long)top[0], (unsigned long long)top[1],
			       (unsigned long long)top[2], (unsigned long long)top[3],
			       (unsigned long long)top[4]);
		dist_free(dp);
		dist_free(ds);
	}
}

/* Scrambling is a bijection of [0, records) for any records. */
static void test_scramble_bijection(void)
{
	static const uint64_t records[] = { 1, 2, 3, 5, 7, 8, 9, 1000, 1024, 1025, 65537 };

	for (size_t i = 0; i < ARRAY_LEN(records); i++) {
		struct dist *d = make_default(DIST_ZIPFIAN, records[i]);
		unsigned char *seen = calloc(records[i], 1);
		uint64_t bad = 0;

		for (uint64_t k = 0; k < records[i]; k++) {
			uint64_t id = dist_rank_id(d, k);

			if (id >= records[i] || seen[id])
				bad++;
			else
				seen[id] = 1;
		}
		CHECK_INT(bad, 0);
		if (bad)
			fprintf(stderr, "  in: scramble records %llu\n", (unsigned long long)records[i]);
		free(seen);
		dist_free(d);
	}
}

/* ---- hotspot ---------------------------------------------------------- */

static void test_hotspot(void)
{
	static uint64_t counts[1000];
	static const struct {
		uint64_t records;
		double hot, hot_op;
		uint64_t want_lo, want_hi; /* ids drawn must cover exactly this */
	} edges[] = {
		{ 10, 0.25, 1, 0, 2 },  /* ceil(2.5) = 3 hot ids */
		{ 10, 0.7, 1, 0, 6 },   /* 0.7 * 10 is 7, not 7.000...1 */
		{ 10, 0.05, 1, 0, 0 },  /* at least one hot id */
		{ 10, 0.25, 0, 3, 9 },  /* never hot: the cold ids */
		{ 1, 0.5, 0, 0, 0 },    /* no cold ids: all hot */
		{ 2, 0.6, 0, 0, 1 },    /* ceil(1.2) = 2: all hot */
		{ 2, 0.5, 0, 1, 1 },
	};
	struct dist_params p;
	struct dist *d;
	struct rng r;
	uint64_t hot = 0, cold_draws;
	double share;

	dist_params_default(&p, DIST_HOTSPOT, 1000);
	d = make_dist(&p);
	rng_seed(&r, SEED, 1);
	memset(counts, 0, sizeof(counts));
	for (int j = 0; j < DRAWS; j++)
		counts[dist_next(d, NULL, &r)]++;
	for (int i = 0; i < 200; i++)
		hot += counts[i];
	share = (double)hot / DRAWS;
	CHECK(fabs(share - 0.8) <= 0.005);
	if (verbose || fabs(share - 0.8) > 0.005)
		printf("hotspot: hot share %.5f (want 0.8 +- 0.005)\n", share);
	CHECK(check_flat(counts, 200, "hotspot hot set"));
	CHECK(check_flat(counts + 200, 800, "hotspot cold set"));
	cold_draws = DRAWS - hot;
	CHECK(cold_draws > 0);
	dist_free(d);

	for (size_t i = 0; i < ARRAY_LEN(edges); i++) {
		uint64_t lo = UINT64_MAX, hi = 0, seen = 0;
		uint64_t hits[10] = { 0 };

		dist_params_default(&p, DIST_HOTSPOT, edges[i].records);
		p.hot_fraction = edges[i].hot;
		p.hot_op_fraction = edges[i].hot_op;
		d = make_dist(&p);
		rng_seed(&r, SEED, 100 + i);
		for (int j = 0; j < 100000; j++) {
			uint64_t id = dist_next(d, NULL, &r);

			lo = id < lo ? id : lo;
			hi = id > hi ? id : hi;
			if (id < 10)
				hits[id] = 1;
		}
		for (int k = 0; k < 10; k++)
			seen += hits[k];
		CHECK_INT(lo, edges[i].want_lo);
		CHECK_INT(hi, edges[i].want_hi);
		CHECK_INT(seen, edges[i].want_hi - edges[i].want_lo + 1);
		if (lo != edges[i].want_lo || hi != edges[i].want_hi)
			fprintf(stderr, "  in: hotspot edge case %zu\n", i);
		dist_free(d);
	}
}

/* ---- latest ----------------------------------------------------------- */

static void test_latest(void)
{
	static uint64_t counts[ZN];
	struct dist *d = make_default(DIST_LATEST, ZN), *d2;
	struct dist_cursor c, zeroed, fresh;
	struct rng r, r2;
	uint64_t best = 0, out_of_range = 0, differ = 0;
	double z = zeta(ZN, DIST_ZIPF_THETA_DEFAULT);

	dist_cursor_init(d, &c, 0);
	CHECK_INT(c.newest, ZN - 1);
	rng_seed(&r, SEED, 2);
	memset(counts, 0, sizeof(counts));
	for (int j = 0; j < DRAWS; j++)
		counts[dist_next(d, &c, &r)]++;
	for (int i = 0; i < ZN; i++)
		if (counts[i] > counts[best])
			best = (uint64_t)i;
	CHECK_INT(best, ZN - 1);
	/* Distance d from newest has the probability of zipfian rank d + 1. */
	for (int k = 0; k < 10; k++) {
		double p = pow(k + 1, -DIST_ZIPF_THETA_DEFAULT) / z;
		double f = (double)counts[ZN - 1 - k] / DRAWS;

		CHECK(counts[ZN - 1 - k] > counts[ZN - 2 - k]);
		CHECK(fabs(f - p) <= binom_tol(p, DRAWS));
		if (fabs(f - p) > binom_tol(p, DRAWS))
			fprintf(stderr, "  in: latest distance %d: freq %.5f, p %.5f\n", k, f, p);
	}

	/* Inserts: newest grows by one every 10 draws. A zeroed cursor (summing
	 * zeta from scratch on its first draw) draws exactly the same ids. */
	dist_cursor_init(d, &c, 0);
	memset(&zeroed, 0, sizeof(zeroed));
	rng_seed(&r, SEED, 3);
	rng_seed(&r2, SEED, 3);
	for (int j = 0; j < DRAWS / 10; j++) {
		uint64_t a, b;

		if (j % 10 == 0)
			c.newest++;
		zeroed.newest = c.newest;
		a = dist_next(d, &c, &r);
		b = dist_next(d, &zeroed, &r2);
		out_of_range += a > c.newest;
		differ += a != b;
	}
	CHECK_INT(out_of_range, 0);
	CHECK_INT(differ, 0);

	/* Grown incrementally to newest = N - 1, the cursor draws what a fresh
	 * dist over N records draws: the incremental zeta is the full sum. */
	d2 = make_default(DIST_LATEST, c.newest + 1);
	dist_cursor_init(d2, &fresh, 0);
	CHECK_INT(fresh.newest, c.newest);
	rng_seed(&r, SEED, 4);
	rng_seed(&r2, SEED, 4);
	differ = 0;
	for (int j = 0; j < 100000; j++)
		differ += dist_next(d, &c, &r) != dist_next(d2, &fresh, &r2);
	CHECK_INT(differ, 0);
	dist_free(d2);

	/* newest lowered (not a normal use): still in range. */
	c.newest = 5;
	out_of_range = 0;
	for (int j = 0; j < 10000; j++)
		out_of_range += dist_next(d, &c, &r) > 5;
	CHECK_INT(out_of_range, 0);
	dist_free(d);
}

/* ---- sequential ------------------------------------------------------- */

static void test_sequential(void)
{
	static const uint64_t want[] = { 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4 };
	struct dist *d = make_default(DIST_SEQUENTIAL, 5), *one = make_default(DIST_SEQUENTIAL, 1);
	struct dist_cursor c;
	struct rng r;

	rng_seed(&r, SEED, 5);
	dist_cursor_init(d, &c, 3);
	for (size_t i = 0; i < ARRAY_LEN(want); i++)
		CHECK_INT(dist_next(d, &c, &r), want[i]);
	CHECK_INT(c.next_seq, 3 + ARRAY_LEN(want));
	/* A start past records wraps the same way. */
	dist_cursor_init(d, &c, 12);
	CHECK_INT(dist_next(d, &c, &r), 2);
	CHECK_INT(dist_next(d, &c, &r), 3);
	dist_cursor_init(one, &c, 7);
	for (int i = 0; i < 5; i++)
		CHECK_INT(dist_next(one, &c, &r), 0);
	dist_free(d);
	dist_free(one);
}

/* ---- exponential ------------------------------------------------------ */

static void test_exponential(void)
{
	static const struct {
		uint64_t records;
		double pct, frac;
	} cases[] = {
		{ 7000, DIST_EXP_PERCENTILE_DEFAULT, DIST_EXP_FRACTION_DEFAULT },
		{ 1000, 50, 0.5 },
		{ 1000, 99, 0.1 },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct dist_params p;
		struct dist *d;
		struct dist_cursor c;
		struct rng r;
		uint64_t below = 0, out = 0, tenths[10] = { 0 }, rising = 0;
		double mark = (double)cases[i].records * cases[i].frac;
		double gamma = -log(1 - cases[i].pct / 100) / mark;
		/* Distances are floor(X) of X ~ Exp(gamma) given X < records, and
		 * floor(X) < mark iff X < ceil(mark) (6000 for the defaults, whose
		 * mark is 5999.9999997). */
		double cut = ceil(mark);
		double want = (1 - exp(-gamma * cut)) / (1 - exp(-gamma * (double)cases[i].records));
		double share, tol;

		dist_params_default(&p, DIST_EXPONENTIAL, cases[i].records);
		p.exp_percentile = cases[i].pct;
		p.exp_fraction = cases[i].frac;
		d = make_dist(&p);
		dist_cursor_init(d, &c, 0);
		rng_seed(&r, SEED, 6 + i);
		for (int j = 0; j < DRAWS; j++) {
			uint64_t id = dist_next(d, &c, &r);

			out += id > c.newest;
			below += (double)(c.newest - id) < mark;
			tenths[(c.newest - id) * 10 / cases[i].records]++;
		}
		for (int k = 1; k < 10; k++)
			rising += tenths[k - 1] >= 1000 && tenths[k] >= tenths[k - 1];
		share = (double)below / DRAWS;
		tol = binom_tol(want, DRAWS);
		CHECK_INT(out, 0);
		CHECK(fabs(share - want) <= tol);
		/* Draws fall off with distance from newest, tenth by tenth of the
		 * keyspace, as long as a tenth has enough draws to tell (adjacent
		 * tenths differ by 13% or more in these cases). */
		CHECK_INT(rising, 0);
		if (verbose || fabs(share - want) > tol)
			printf("exponential records %llu pct %g frac %g: share below mark %.5f, "
			       "want %.5f +- %.5f (untruncated %.2f)\n",
			       (unsigned long long)cases[i].records, cases[i].pct, cases[i].frac, share,
			       want, tol, cases[i].pct / 100);
		dist_free(d);
	}
}

/* ---- value sizes ------------------------------------------------------ */

static void test_sizegen(void)
{
	static const uint64_t sizes[] = { 64, 512, 4096 };
	static const double weights[] = { 5, 3, 2 }; /* 0.5, 0.3, 0.2 */
	struct sizegen *g;
	struct rng r;
	uint64_t lo = UINT64_MAX, hi = 0, other = 0, counts[3] = { 0 };
	double sum = 0, mean;

	rng_seed(&r, SEED, 9);
	CHECK_INT(sizegen_init_fixed(100, &g), 0);
	CHECK_INT(sizegen_max(g), 100);
	for (int j = 0; j < 1000; j++)
		other += sizegen_next(g, &r) != 100;
	CHECK_INT(other, 0);
	sizegen_free(g);

	CHECK_INT(sizegen_init_uniform(32, 1024, &g), 0);
	CHECK_INT(sizegen_max(g), 1024);
	for (int j = 0; j < DRAWS; j++) {
		uint64_t v = sizegen_next(g, &r);

		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
		sum += (double)v;
	}
	mean = sum / DRAWS;
	CHECK_INT(lo, 32);
	CHECK_INT(hi, 1024);
	/* sd of one draw 286.7, of the mean 0.287: 5 sigma is 1.43. */
	CHECK(fabs(mean - 528) <= 1.5);
	if (verbose || fabs(mean - 528) > 1.5)
		printf("sizegen uniform [32, 1024]: mean %.3f (want 528 +- 1.5)\n", mean);
	sizegen_free(g);

	CHECK_INT(sizegen_init_uniform(7, 7, &g), 0);
	CHECK_INT(sizegen_next(g, &r), 7);
	sizegen_free(g);
	CHECK_INT(sizegen_init_uniform(0, UINT64_MAX, &g), 0);
	CHECK(sizegen_max(g) == UINT64_MAX);
	CHECK(sizegen_next(g, &r) != sizegen_next(g, &r));
	sizegen_free(g);

	CHECK_INT(sizegen_init_weighted(sizes, weights, 3, &g), 0);
	CHECK_INT(sizegen_max(g), 4096);
	other = 0;
	for (int j = 0; j < DRAWS; j++) {
		uint64_t v = sizegen_next(g, &r);
		int k = v == 64 ? 0 : v == 512 ? 1 : v == 4096 ? 2 : -1;

		if (k < 0)
			other++;
		else
			counts[k]++;
	}
	CHECK_INT(other, 0);
	for (int k = 0; k < 3; k++) {
		double share = (double)counts[k] / DRAWS, want = weights[k] / 10;

		CHECK(fabs(share - want) <= 0.005);
		if (verbose || fabs(share - want) > 0.005)
			printf("sizegen weighted %llu: share %.5f (want %.2f +- 0.005)\n",
			       (unsigned long long)sizes[k], share, want);
	}
	sizegen_free(g);

	/* One entry, and a weight too small to matter next to the others. */
	{
		const uint64_t one_size[] = { 9 };
		const double one_w[] = { 0.25 };
		const uint64_t two_sizes[] = { 1, 2 };
		const double two_w[] = { 1, 1e-300 };

		CHECK_INT(sizegen_init_weighted(one_size, one_w, 1, &g), 0);
		CHECK_INT(sizegen_next(g, &r), 9);
		CHECK_INT(sizegen_max(g), 9);
		sizegen_free(g);
		CHECK_INT(sizegen_init_weighted(two_sizes, two_w, 2, &g), 0);
		CHECK_INT(sizegen_max(g), 2);
		for (int j = 0; j < 1000; j++)
			CHECK_INT(sizegen_next(g, &r), 1);
		sizegen_free(g);
	}
}

/* ---- determinism ------------------------------------------------------ */

static void test_determinism(void)
{
	static const enum dist_kind kinds[] = {
		DIST_UNIFORM, DIST_ZIPFIAN, DIST_HOTSPOT, DIST_LATEST, DIST_SEQUENTIAL, DIST_EXPONENTIAL,
	};
	static const uint64_t sizes[] = { 10, 100, 1000 };
	static const double weights[] = { 1, 1, 1 };
	struct sizegen *gens[2];

	for (size_t k = 0; k < ARRAY_LEN(kinds); k++) {
		struct dist *d = make_default(kinds[k], 100000);
		struct dist_cursor c1, c2, c3;
		struct rng r1, r2, r3;
		uint64_t same_diff = 0, other_diff = 0;

		dist_cursor_init(d, &c1, 17);
		dist_cursor_init(d, &c2, 17);
		dist_cursor_init(d, &c3, 17);
		rng_seed(&r1, 42, 3);
		rng_seed(&r2, 42, 3);
		rng_seed(&r3, 43, 3);
		for (int j = 0; j < 10000; j++) {
			uint64_t a = dist_next(d, &c1, &r1), b = dist_next(d, &c2, &r2);
			uint64_t x = dist_next(d, &c3, &r3);

			same_diff += a != b;
			other_diff += a != x;
		}
		CHECK_INT(same_diff, 0);
		/* Sequential ignores the rng; the others must not. */
		if (kinds[k] == DIST_SEQUENTIAL)
			CHECK_INT(other_diff, 0);
		else
			CHECK(other_diff > 0);
		dist_free(d);
	}

	CHECK_INT(sizegen_init_uniform(1, 1u << 20, &gens[0]), 0);
	CHECK_INT(sizegen_init_weighted(sizes, weights, 3, &gens[1]), 0);
	for (int i = 0; i < 2; i++) {
		struct rng r1, r2, r3;
		uint64_t same_diff = 0, other_diff = 0;

		rng_seed(&r1, 42, 0);
		rng_seed(&r2, 42, 0);
		rng_seed(&r3, 42, 1); /* another stream of the same seed */
		for (int j = 0; j < 10000; j++) {
			uint64_t a = sizegen_next(gens[i], &r1), b = sizegen_next(gens[i], &r2);

			same_diff += a != b;
			other_diff += a != sizegen_next(gens[i], &r3);
		}
		CHECK_INT(same_diff, 0);
		CHECK(other_diff > 0);
		sizegen_free(gens[i]);
	}
}

int main(void)
{
	const char *v = getenv("DIST_TEST_VERBOSE");

	verbose = v && *v && strcmp(v, "0") != 0;
	test_names();
	test_bad_params();
	test_range();
	test_uniform();
	test_zipfian();
	test_scramble_bijection();
	test_hotspot();
	test_latest();
	test_sequential();
	test_exponential();
	test_sizegen();
	test_determinism();
	return check_report("dist");
}
