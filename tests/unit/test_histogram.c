/*
 * test_histogram.c - table-driven unit tests of the latency histogram:
 * bounds, bucket layout, percentiles against known inputs and a brute-force
 * sorted array, merge, record_n, reset, and the text form bench merge
 * reads (hist_write_text, hist_read_text).
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "histogram.h"
#include "util.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Percentiles every comparison of two histograms walks through. */
static const double cmp_pcts[] = {
	0, 0.001, 0.1, 1, 5, 10, 25, 33.3, 50, 66.7, 75, 90, 95, 99, 99.5, 99.9, 99.99, 99.999, 100,
};

/* The percentiles checked against the sorted array. */
static const double brute_pcts[] = {
	0, 0.001, 1, 10, 25, 33.3, 50, 66.7, 90, 99, 99.9, 99.99, 99.999, 100,
};

/* xorshift64 (Marsaglia 13/7/17): deterministic, the same on every host. */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

/* Log-uniform in [1, HIST_LATENCY_HIGHEST]: a uniform power of two, then a
 * uniform value inside it; redrawn when above the trackable range. */
static int64_t rng_latency(uint64_t *s)
{
	for (;;) {
		int e = (int)(rng_next(s) % 36);
		int64_t base = INT64_C(1) << e;
		int64_t v = base + (int64_t)(rng_next(s) % (uint64_t)base);

		if (v <= HIST_LATENCY_HIGHEST)
			return v;
	}
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int floor_log2_i64(int64_t v)
{
	return 63 - __builtin_clzll((unsigned long long)v);
}

/* What the header promises is observable about a histogram. */
struct snap {
	uint64_t count, saturated;
	int64_t min, max;
	double mean;
	int64_t pct[ARRAY_LEN(cmp_pcts)];
};

static void snap_take(const struct hist *h, struct snap *s)
{
	s->count = hist_count(h);
	s->saturated = hist_saturated(h);
	s->min = hist_min(h);
	s->max = hist_max(h);
	s->mean = hist_mean(h);
	for (size_t i = 0; i < ARRAY_LEN(cmp_pcts); i++)
		s->pct[i] = hist_percentile(h, cmp_pcts[i]);
}

static void snap_check_same(const struct snap *got, const struct snap *want, const char *what)
{
	int before = check_failures;

	CHECK_INT(got->count, want->count);
	CHECK_INT(got->saturated, want->saturated);
	CHECK_INT(got->min, want->min);
	CHECK_INT(got->max, want->max);
	CHECK(got->mean == want->mean);
	for (size_t i = 0; i < ARRAY_LEN(cmp_pcts); i++)
		CHECK_INT(got->pct[i], want->pct[i]);
	if (check_failures != before)
		fprintf(stderr, "  in: %s\n", what);
}

static void snap_check_same_hist(const struct hist *got, const struct hist *want, const char *what)
{
	struct snap a, b;

	snap_take(got, &a);
	snap_take(want, &b);
	snap_check_same(&a, &b, what);
}

static int in_bucket_of(const struct hist *h, int64_t got, int64_t v)
{
	return got >= hist_lowest_equivalent(h, v) && got <= hist_highest_equivalent(h, v);
}

/* ---- bounds ---- */

static const struct init_case {
	int64_t lowest, highest;
	int sigfigs;
	int rc;
} init_cases[] = {
	{0, 1000, 3, EINVAL},
	{-1, 1000, 3, EINVAL},
	{INT64_MIN, 1000, 3, EINVAL},
	{1, 1000, 0, EINVAL},
	{1, 1000, -1, EINVAL},
	{1, 1000, 6, EINVAL},
	{10, 19, 3, EINVAL},
	{1, 1, 3, EINVAL},
	{1, 0, 3, EINVAL},
	{1, -5, 3, EINVAL},
	{INT64_C(1) << 61, INT64_MAX, 3, EINVAL}, /* unit + sub-bucket bits > 62 */
	{INT64_C(1) << 62, INT64_MAX, 1, EINVAL}, /* 2 * lowest must not overflow */
	{INT64_MAX, INT64_MAX, 1, EINVAL},
	{10, 20, 3, 0},
	{1, 2, 1, 0},
	{1, 1000, 1, 0},
	{1, 1000, 5, 0},
	{1, HIST_LATENCY_HIGHEST, 3, 0},
	{1000, HIST_LATENCY_HIGHEST, 2, 0},
	{1, INT64_MAX, 3, 0},
};

static char init_sentinel;

static void test_init_bounds(void)
{
	for (size_t i = 0; i < ARRAY_LEN(init_cases); i++) {
		const struct init_case *c = &init_cases[i];
		struct hist *h = (struct hist *)(void *)&init_sentinel; /* init must clear it */
		char err[160] = "";
		int rc = hist_init(c->lowest, c->highest, c->sigfigs, &h, err, sizeof(err)) < 0 ? errno : 0;
		int before = check_failures;

		CHECK_INT(rc, c->rc);
		if (c->rc != 0) {
			CHECK(h == NULL);
			CHECK(strncmp(err, "histogram layout lowest ", 24) == 0);
			if (h && h != (struct hist *)(void *)&init_sentinel)
				hist_free(h);
		} else {
			CHECK(h != NULL);
			if (h) {
				/* Usable up to its highest value. */
				hist_record(h, c->highest);
				hist_record(h, c->lowest);
				CHECK_INT(hist_count(h), 2);
				CHECK_INT(hist_max(h), c->highest);
				CHECK_INT(hist_min(h), c->lowest);
				CHECK_INT(hist_saturated(h), 0);
				CHECK_INT(hist_percentile(h, 100), c->highest);
			}
			hist_free(h);
		}
		if (check_failures != before)
			fprintf(stderr, "  in: hist_init(%lld, %lld, %d)\n", (long long)c->lowest,
				(long long)c->highest, c->sigfigs);
	}

	struct hist *h = hist_new_latency();

	CHECK(h != NULL);
	hist_free(h);
}

/* ---- layout ---- */

static void test_exact_below_2048(void)
{
	struct hist *h = hist_new_latency();

	for (int64_t v = 0; v < 2048; v++) {
		CHECK_INT(hist_lowest_equivalent(h, v), v);
		CHECK_INT(hist_highest_equivalent(h, v), v);
		hist_record(h, v);
	}
	/* Rank v + 1 of 0..2047 is v, and nothing is rounded. */
	for (int64_t v = 0; v < 2048; v++) {
		double p = (double)(v + 1) * 100.0 / 2048.0;

		CHECK_INT(hist_percentile(h, p), v);
	}
	CHECK_INT(hist_lowest_equivalent(h, 2048), 2048);
	CHECK_INT(hist_highest_equivalent(h, 2048), 2049);
	hist_free(h);
}

/* Edges of the buckets and of the range, on top of a geometric sweep. */
static const int64_t layout_edges[] = {
	1000, 1023, 1024, 1025, 2046, 2047, 2048, 2049, 2050, 4095, 4096, 4097,
	(INT64_C(1) << 20) - 1, INT64_C(1) << 20, (INT64_C(1) << 20) + 1,
	1000000, 999999999, 1000000000,
	(INT64_C(1) << 35) - 1, INT64_C(1) << 35, (INT64_C(1) << 35) + 1,
	HIST_LATENCY_HIGHEST - 1, HIST_LATENCY_HIGHEST,
};

static void check_layout_at(const struct hist *h, int64_t v)
{
	int64_t lo = hist_lowest_equivalent(h, v);
	int64_t hi = hist_highest_equivalent(h, v);
	int64_t width = hi - lo + 1;
	int64_t pow2 = INT64_C(1) << floor_log2_i64(v);
	int before = check_failures;

	CHECK(lo <= v && v <= hi);
	CHECK(width >= 1);
	if (v < 2048)
		CHECK_INT(width, 1);
	else
		CHECK(width <= pow2 / 1024);
	/* 3 significant digits: the bucket is at most a thousandth of v. */
	CHECK(width * 1000 <= v);
	CHECK(lo % width == 0);
	/* The bucket is one closed range; its neighbours start and end next to it. */
	CHECK_INT(hist_lowest_equivalent(h, hi), lo);
	CHECK_INT(hist_highest_equivalent(h, lo), hi);
	CHECK_INT(hist_highest_equivalent(h, lo - 1), lo - 1);
	if (hi < HIST_LATENCY_HIGHEST)
		CHECK_INT(hist_lowest_equivalent(h, hi + 1), hi + 1);
	if (check_failures != before)
		fprintf(stderr, "  in: layout at %lld: [%lld, %lld]\n", (long long)v, (long long)lo,
			(long long)hi);
}

static void test_layout_3_sigfigs(void)
{
	struct hist *h = hist_new_latency();
	int n = 0;

	for (double x = 1e3; x <= 6e10; x *= 1.01, n++)
		check_layout_at(h, (int64_t)x);
	CHECK(n > 1500);
	for (size_t i = 0; i < ARRAY_LEN(layout_edges); i++)
		check_layout_at(h, layout_edges[i]);
	hist_free(h);
}

/* ---- clamping ---- */

static const struct clamp_case {
	int64_t value;
	int64_t recorded;
	uint64_t saturated;
} clamp_cases[] = {
	{HIST_LATENCY_HIGHEST, HIST_LATENCY_HIGHEST, 0},
	{HIST_LATENCY_HIGHEST + 1, HIST_LATENCY_HIGHEST, 1},
	{INT64_C(3600000000000), HIST_LATENCY_HIGHEST, 1},
	{INT64_MAX, HIST_LATENCY_HIGHEST, 1},
	{0, 0, 0},
	{-1, 0, 0},
	{-1000000, 0, 0},
	{INT64_MIN, 0, 0},
};

static void test_clamp(void)
{
	struct hist *all = hist_new_latency();
	uint64_t saturated = 0;

	for (size_t i = 0; i < ARRAY_LEN(clamp_cases); i++) {
		const struct clamp_case *c = &clamp_cases[i];
		struct hist *h = hist_new_latency();
		int before = check_failures;

		hist_record(h, c->value);
		hist_record(all, c->value);
		saturated += c->saturated;
		CHECK_INT(hist_count(h), 1);
		CHECK_INT(hist_saturated(h), c->saturated);
		CHECK_INT(hist_min(h), c->recorded);
		CHECK_INT(hist_max(h), c->recorded);
		CHECK(hist_mean(h) == (double)c->recorded);
		CHECK_INT(hist_percentile(h, 0), c->recorded);
		CHECK_INT(hist_percentile(h, 50), c->recorded);
		CHECK_INT(hist_percentile(h, 100), c->recorded);
		if (check_failures != before)
			fprintf(stderr, "  in: clamp of %lld\n", (long long)c->value);
		hist_free(h);
	}
	CHECK_INT(hist_count(all), ARRAY_LEN(clamp_cases));
	CHECK_INT(hist_saturated(all), saturated);
	CHECK_INT(hist_min(all), 0);
	CHECK_INT(hist_max(all), HIST_LATENCY_HIGHEST);
	hist_free(all);
}

/* ---- percentiles of known inputs ---- */

struct pct_expect {
	double p;
	int64_t v;
	int exact; /* the answer is v itself, not just in v's bucket */
};

static const struct known_case {
	const char *name;
	int64_t range_hi; /* when > 0, values 1..range_hi once each */
	struct {
		int64_t value;
		uint64_t n;
	} runs[3];
	uint64_t count;
	int64_t min, max;
	double mean;
	struct pct_expect pcts[10];
} known_cases[] = {
	{
		"1..10000 ns", 10000, {{0, 0}}, 10000, 1, 10000, 5000.5,
		{
			{0, 1, 1}, {0.01, 1, 1}, {10, 1000, 1}, {25, 2500, 0}, {50, 5000, 0},
			{90, 9000, 0}, {99, 9900, 0}, {99.99, 9999, 0}, {100, 10000, 1},
		},
	},
	{
		"single 123456789", 0, {{123456789, 1}}, 1, 123456789, 123456789, 123456789.0,
		{{0, 123456789, 1}, {50, 123456789, 1}, {99.999, 123456789, 1}, {100, 123456789, 1}},
	},
	{
		"single 0", 0, {{0, 1}}, 1, 0, 0, 0.0,
		{{0, 0, 1}, {50, 0, 1}, {100, 0, 1}},
	},
	{
		"single 60 s", 0, {{HIST_LATENCY_HIGHEST, 1}}, 1, HIST_LATENCY_HIGHEST,
		HIST_LATENCY_HIGHEST, 6e10,
		{{0, HIST_LATENCY_HIGHEST, 1}, {50, HIST_LATENCY_HIGHEST, 1}, {100, HIST_LATENCY_HIGHEST, 1}},
	},
	{
		/* Rank round(p/100 * 101): 99.5 -> 100 (1 ms), 99.6 -> 101 (1 s). */
		"100 x 1 ms + 1 x 1 s", 0, {{1000000, 100}, {1000000000, 1}}, 101, 1000000, 1000000000,
		1100000000.0 / 101.0,
		{
			{0, 1000000, 0}, {50, 1000000, 0}, {99, 1000000, 0}, {99.5, 1000000, 0},
			{99.6, 1000000000, 1}, {99.9, 1000000000, 1}, {100, 1000000000, 1},
		},
	},
	{
		"3 x 5 us, 1 x 2 ms", 0, {{5000, 3}, {2000000, 1}}, 4, 5000, 2000000, 2015000.0 / 4.0,
		/* Rank round(p/100 * 4): 87.4 -> 3 (5 us), 87.5 -> 4 (2 ms). */
		{{0, 5000, 0}, {25, 5000, 0}, {62.5, 5000, 0}, {87.4, 5000, 0}, {87.5, 2000000, 1}, {100, 2000000, 1}},
	},
};

static void test_known_percentiles(void)
{
	for (size_t i = 0; i < ARRAY_LEN(known_cases); i++) {
		const struct known_case *c = &known_cases[i];
		struct hist *h = hist_new_latency();
		int before = check_failures;

		for (int64_t v = 1; v <= c->range_hi; v++)
			hist_record(h, v);
		for (size_t r = 0; r < ARRAY_LEN(c->runs); r++)
			for (uint64_t k = 0; k < c->runs[r].n; k++)
				hist_record(h, c->runs[r].value);

		CHECK_INT(hist_count(h), c->count);
		CHECK_INT(hist_min(h), c->min);
		CHECK_INT(hist_max(h), c->max);
		CHECK(hist_mean(h) == c->mean);
		CHECK_INT(hist_saturated(h), 0);
		CHECK_INT(hist_percentile(h, 100), hist_max(h));
		CHECK_INT(hist_percentile(h, 250), hist_max(h));
		CHECK_INT(hist_percentile(h, -5), hist_percentile(h, 0));
		for (size_t k = 0; k < ARRAY_LEN(c->pcts); k++) {
			const struct pct_expect *e = &c->pcts[k];
			int64_t got;

			if (k > 0 && e->p == 0)
				break; /* end of the list */
			got = hist_percentile(h, e->p);
			if (e->exact)
				CHECK_INT(got, e->v);
			else
				CHECK(in_bucket_of(h, got, e->v));
			if (check_failures != before) {
				fprintf(stderr, "  in: %s, p%g = %lld, want %s%lld\n", c->name, e->p,
					(long long)got, e->exact ? "" : "bucket of ", (long long)e->v);
				before = check_failures;
			}
		}
		if (check_failures != before)
			fprintf(stderr, "  in: %s\n", c->name);
		hist_free(h);
	}
}

static void test_empty(void)
{
	struct hist *h = hist_new_latency();

	CHECK_INT(hist_count(h), 0);
	CHECK_INT(hist_min(h), 0);
	CHECK_INT(hist_max(h), 0);
	CHECK(hist_mean(h) == 0);
	CHECK_INT(hist_saturated(h), 0);
	for (size_t i = 0; i < ARRAY_LEN(cmp_pcts); i++)
		CHECK_INT(hist_percentile(h, cmp_pcts[i]), 0);
	hist_free(h);
}

/* ---- brute force against a sorted array ---- */

#define BRUTE_N 100000

static void test_brute_force(void)
{
	struct hist *h = hist_new_latency();
	int64_t *vals = xmalloc(BRUTE_N * sizeof(*vals));
	uint64_t seed = UINT64_C(0x9E3779B97F4A7C15);
	uint64_t sum = 0;

	for (size_t i = 0; i < BRUTE_N; i++) {
		vals[i] = rng_latency(&seed);
		sum += (uint64_t)vals[i];
		hist_record(h, vals[i]);
	}
	qsort(vals, BRUTE_N, sizeof(*vals), cmp_i64);
	/* The input really spans the range, so every bucket size is exercised. */
	CHECK(vals[0] < 4);
	CHECK(vals[BRUTE_N - 1] > INT64_C(40000000000));

	CHECK_INT(hist_count(h), BRUTE_N);
	CHECK_INT(hist_min(h), vals[0]);
	CHECK_INT(hist_max(h), vals[BRUTE_N - 1]);
	CHECK_INT(hist_saturated(h), 0);
	CHECK(hist_mean(h) == (double)sum / (double)BRUTE_N);

	for (size_t i = 0; i < ARRAY_LEN(brute_pcts); i++) {
		double p = brute_pcts[i];
		long long rank = llround(p / 100.0 * BRUTE_N);
		int64_t exact, got, want;
		int before = check_failures;

		if (rank < 1)
			rank = 1;
		exact = vals[rank - 1];
		got = hist_percentile(h, p);
		CHECK(in_bucket_of(h, got, exact));
		CHECK(got <= vals[BRUTE_N - 1]);
		/* The header's exact promise: the bucket's top, capped at the max. */
		want = hist_highest_equivalent(h, exact);
		if (want > vals[BRUTE_N - 1])
			want = vals[BRUTE_N - 1];
		CHECK_INT(got, want);
		if (check_failures != before)
			fprintf(stderr, "  in: brute force p%g: exact %lld (rank %lld), got %lld\n", p,
				(long long)exact, rank, (long long)got);
	}
	/* Percentiles never decrease with p. */
	for (double p = 0; p < 100; p += 0.5)
		CHECK(hist_percentile(h, p) <= hist_percentile(h, p + 0.5));
	free(vals);
	hist_free(h);
}

/* ---- merge ---- */

#define MERGE_N 20000

static void test_merge_halves(void)
{
	struct hist *a = hist_new_latency(), *b = hist_new_latency(), *all = hist_new_latency();
	struct hist *empty = hist_new_latency(), *into_empty = hist_new_latency();
	uint64_t seed = UINT64_C(42);
	struct snap before_b;

	for (int i = 0; i < MERGE_N; i++) {
		int64_t v = rng_latency(&seed);

		/* A few negatives and saturated values ride along. */
		if (i % 997 == 0)
			v = -v;
		else if (i % 1009 == 0)
			v = HIST_LATENCY_HIGHEST + v;
		hist_record(i < MERGE_N / 2 ? a : b, v);
		hist_record(all, v);
	}
	CHECK(hist_saturated(all) > 0);
	snap_take(b, &before_b);
	CHECK_INT(hist_merge(a, b), 0);
	snap_check_same_hist(a, all, "merge of two halves");
	{
		struct snap after_b;

		snap_take(b, &after_b);
		snap_check_same(&after_b, &before_b, "merge leaves src alone");
	}

	/* Merging an empty histogram changes nothing. */
	CHECK_INT(hist_merge(a, empty), 0);
	snap_check_same_hist(a, all, "merge of an empty histogram");
	/* Merging into an empty one copies. */
	CHECK_INT(hist_merge(into_empty, all), 0);
	snap_check_same_hist(into_empty, all, "merge into an empty histogram");
	/* Empty into empty stays empty. */
	CHECK_INT(hist_merge(empty, empty), 0);
	CHECK_INT(hist_count(empty), 0);
	CHECK_INT(hist_min(empty), 0);
	CHECK_INT(hist_max(empty), 0);

	hist_free(a);
	hist_free(b);
	hist_free(all);
	hist_free(empty);
	hist_free(into_empty);
}

/* h through hist_write_text and back (hist_read_text); NULL when the
 * read fails. */
static struct hist *text_round_trip(const struct hist *h)
{
	FILE *f = tmpfile();
	struct hist *back = NULL;
	size_t line = 0;
	char err[160];

	CHECK(f != NULL);
	if (!f)
		return NULL;
	CHECK_INT(hist_write_text(h, f), 0);
	rewind(f);
	CHECK_INT(hist_read_text(f, &line, &back, err, sizeof(err)), 0);
	CHECK(fgetc(f) == EOF); /* read to its end, not past it */
	fclose(f);
	return back;
}

/*
 * What bench merge relies on: two histograms written as text on two
 * machines, read back and merged, are the histogram that recorded both
 * sets of values: the same count, min, max, exact mean and every
 * percentile (p50, p99 and max among them).
 */
static void test_text_merge(void)
{
	struct hist *a = hist_new_latency(), *b = hist_new_latency(), *all = hist_new_latency();
	struct hist *ra, *rb, *empty = hist_new_latency(), *re;
	uint64_t seed = UINT64_C(7);

	for (int i = 0; i < MERGE_N; i++) {
		int64_t v = rng_latency(&seed) * (i % 3 ? 1 : 7); /* the halves differ */

		if (i % 1009 == 0)
			v = HIST_LATENCY_HIGHEST + v;
		hist_record(i % 2 ? a : b, v);
		hist_record(all, v);
	}
	ra = text_round_trip(a);
	rb = text_round_trip(b);
	re = text_round_trip(empty);
	CHECK(ra && rb && re);
	if (ra && rb && re) {
		snap_check_same_hist(ra, a, "text round trip");
		CHECK(hist_mean(ra) == hist_mean(a));
		CHECK_INT(hist_merge(ra, rb), 0);
		snap_check_same_hist(ra, all, "two histograms read back and merged");
		CHECK(hist_mean(ra) == hist_mean(all));
		CHECK_INT(hist_percentile(ra, 50), hist_percentile(all, 50));
		CHECK_INT(hist_percentile(ra, 99), hist_percentile(all, 99));
		CHECK_INT(hist_max(ra), hist_max(all));
		CHECK_INT(hist_saturated(ra), hist_saturated(all));
		CHECK_INT(hist_count(re), 0);
	}
	hist_free(a);
	hist_free(b);
	hist_free(all);
	hist_free(ra);
	hist_free(rb);
	hist_free(empty);
	hist_free(re);
}

/* Text hist_read_text must refuse: each case breaks one rule. */
static const char *const bad_texts[] = {
	"",                                                               /* nothing */
	"layout 1 60000000000\n",                                         /* short layout */
	"layout 0 60000000000 3\nstats 0 0 0 0 0 0\n",                    /* lowest 0 */
	"layout 1 60000000000 9\nstats 0 0 0 0 0 0\n",                    /* sigfigs */
	"layout 1 60000000000 3\nstats 2 5 5 10 0 1\n",                   /* bucket missing */
	"layout 1 60000000000 3\nstats 2 5 5 10 0 1\n5 5 1\n",            /* counts do not add up */
	"layout 1 60000000000 3\nstats 1 5 5 5 0 1\n5 6 1\n",             /* not a bucket's bounds */
	"layout 1 60000000000 3\nstats 2 5 9 14 0 2\n9 9 1\n5 5 1\n",     /* out of order */
	"layout 1 60000000000 3\nstats 1 4 5 5 0 1\n5 5 1\n",             /* min outside */
	"layout 1 60000000000 3\nstats 1 5 5 6 0 1\n5 5 1\n",             /* sum impossible */
	"layout 1 60000000000 3\nstats 1 5 5 5 0 1\n5 5 0\n",             /* empty bucket */
	"layout 1 60000000000 3\nstats 1 5 5 5 0 1\n5 5 -1\n",            /* negative */
	"layout 1 60000000000 3\nstats 1 5 5 5 2 1\n5 5 1\n",             /* saturated > count */
	"layout 1 60000000000 3\nstats 1 5 5 5 0 1\n5 5 1 7\n",           /* extra field */
	"layout 1 60000000000 3\nstats x 5 5 5 0 1\n5 5 1\n",             /* not a number */
};

static void test_text_bad(void)
{
	for (size_t i = 0; i < ARRAY_LEN(bad_texts); i++) {
		FILE *f = fmemopen((void *)bad_texts[i], strlen(bad_texts[i]), "r");
		struct hist *h = (struct hist *)1;
		size_t line = 0;
		char err[160] = "";

		if (!f && strlen(bad_texts[i]) == 0)
			continue; /* glibc refuses a 0-byte fmemopen */
		CHECK(f != NULL);
		if (!f)
			continue;
		if (hist_read_text(f, &line, &h, err, sizeof(err)) != -1 || h != NULL || !err[0])
			fprintf(stderr, "bad text %zu was accepted\n", i);
		CHECK(h == NULL);
		CHECK(err[0] != '\0');
		fclose(f);
	}
}

/* Min and max come from whichever side holds them; an empty side adds
 * nothing, not a 0. */
static const struct merge_minmax_case {
	int dst_n, src_n;
	int64_t dst[2], src[2];
	int64_t min, max;
} merge_minmax_cases[] = {
	{2, 2, {5, 1000}, {1, 2000}, 1, 2000},
	{2, 2, {1, 2000}, {5, 1000}, 1, 2000},
	{2, 2, {1, 10}, {20, 30}, 1, 30},
	{2, 2, {20, 30}, {1, 10}, 1, 30},
	{2, 2, {0, 0}, {7, 7}, 0, 7},
	{0, 2, {0, 0}, {7, 9}, 7, 9},
	{2, 0, {7, 9}, {0, 0}, 7, 9},
	{0, 1, {0, 0}, {HIST_LATENCY_HIGHEST, 0}, HIST_LATENCY_HIGHEST, HIST_LATENCY_HIGHEST},
};

static void test_merge_minmax(void)
{
	for (size_t i = 0; i < ARRAY_LEN(merge_minmax_cases); i++) {
		const struct merge_minmax_case *c = &merge_minmax_cases[i];
		struct hist *dst = hist_new_latency(), *src = hist_new_latency();
		int64_t sum = 0;
		int before = check_failures;

		for (int k = 0; k < c->dst_n; k++) {
			hist_record(dst, c->dst[k]);
			sum += c->dst[k];
		}
		for (int k = 0; k < c->src_n; k++) {
			hist_record(src, c->src[k]);
			sum += c->src[k];
		}
		CHECK_INT(hist_merge(dst, src), 0);
		CHECK_INT(hist_count(dst), c->dst_n + c->src_n);
		CHECK_INT(hist_min(dst), c->min);
		CHECK_INT(hist_max(dst), c->max);
		CHECK(in_bucket_of(dst, hist_percentile(dst, 0), c->min));
		CHECK_INT(hist_percentile(dst, 100), c->max);
		CHECK(hist_mean(dst) == (double)sum / (double)(c->dst_n + c->src_n));
		if (check_failures != before)
			fprintf(stderr, "  in: merge min/max case %zu\n", i);
		hist_free(dst);
		hist_free(src);
	}
}

static const struct layout_case {
	int64_t lowest, highest;
	int sigfigs;
} other_layouts[] = {
	{1, HIST_LATENCY_HIGHEST, 2},
	{1, HIST_LATENCY_HIGHEST, 4},
	{2, HIST_LATENCY_HIGHEST, 3},
	{1000, HIST_LATENCY_HIGHEST, 3},
	{1, 1000000000, 3},
	{1, INT64_MAX, 3},
};

static void test_merge_layouts(void)
{
	struct hist *dst = hist_new_latency();
	uint64_t seed = 7;
	struct snap want;

	for (int i = 0; i < 1000; i++)
		hist_record(dst, rng_latency(&seed));
	snap_take(dst, &want);

	for (size_t i = 0; i < ARRAY_LEN(other_layouts); i++) {
		const struct layout_case *c = &other_layouts[i];
		struct hist *other = NULL;
		struct snap other_want, got;
		char what[96];

		CHECK_INT(hist_init(c->lowest, c->highest, c->sigfigs, &other, what, sizeof(what)), 0);
		if (!other)
			continue;
		for (int k = 0; k < 100; k++)
			hist_record(other, 1000 + k * 12345);
		snap_take(other, &other_want);

		snprintf(what, sizeof(what), "merge from layout (%lld, %lld, %d)", (long long)c->lowest,
			 (long long)c->highest, c->sigfigs);
		CHECK_INT(hist_merge(dst, other), -1);
		CHECK_INT(errno, EINVAL);
		snap_take(dst, &got);
		snap_check_same(&got, &want, what);

		snprintf(what, sizeof(what), "merge into layout (%lld, %lld, %d)", (long long)c->lowest,
			 (long long)c->highest, c->sigfigs);
		CHECK_INT(hist_merge(other, dst), -1);
		snap_take(other, &got);
		snap_check_same(&got, &other_want, what);
		hist_free(other);
	}
	hist_free(dst);
}

/* ---- record_n, reset, free ---- */

static const struct record_n_case {
	int64_t value;
	uint64_t n;
} record_n_cases[] = {
	{0, 1}, {1, 3}, {2047, 5}, {2048, 7}, {123456789, 1000}, {HIST_LATENCY_HIGHEST, 2},
	{HIST_LATENCY_HIGHEST + 5, 4}, {-3, 2}, {1000000, 0}, {0, 0}, {-3, 0},
	{HIST_LATENCY_HIGHEST + 5, 0},
};

static void test_record_n(void)
{
	for (size_t i = 0; i < ARRAY_LEN(record_n_cases); i++) {
		const struct record_n_case *c = &record_n_cases[i];
		char what[96];

		/* Once on an empty histogram, once on one holding values on both sides. */
		for (int prefill = 0; prefill < 2; prefill++) {
			struct hist *one = hist_new_latency(), *many = hist_new_latency();

			if (prefill) {
				hist_record(one, 500);
				hist_record(many, 500);
				hist_record(one, 5000000);
				hist_record(many, 5000000);
			}
			hist_record_n(one, c->value, c->n);
			for (uint64_t k = 0; k < c->n; k++)
				hist_record(many, c->value);
			snprintf(what, sizeof(what), "record_n(%lld, %llu)%s", (long long)c->value,
				 (unsigned long long)c->n, prefill ? " after 500, 5 ms" : "");
			snap_check_same_hist(one, many, what);

			/* And the two stay equal afterwards. */
			hist_record(one, 200);
			hist_record(many, 200);
			snprintf(what, sizeof(what), "record_n(%lld, %llu)%s then 200", (long long)c->value,
				 (unsigned long long)c->n, prefill ? " after 500, 5 ms" : "");
			snap_check_same_hist(one, many, what);
			hist_free(one);
			hist_free(many);
		}
	}

	/* A count too large to loop over: the sum outgrows 64 bits. */
	struct hist *h = hist_new_latency();

	hist_record_n(h, HIST_LATENCY_HIGHEST + 1, UINT64_C(1000000000));
	CHECK_INT(hist_count(h), 1000000000);
	CHECK_INT(hist_saturated(h), 1000000000);
	CHECK_INT(hist_max(h), HIST_LATENCY_HIGHEST);
	CHECK(hist_mean(h) == 6e10);
	hist_record_n(h, 0, UINT64_C(1000000000));
	CHECK(hist_mean(h) == 3e10);
	CHECK_INT(hist_percentile(h, 50), 0);
	CHECK_INT(hist_percentile(h, 50.1), HIST_LATENCY_HIGHEST);
	hist_free(h);
}

static void test_reset(void)
{
	struct hist *h = hist_new_latency(), *fresh = hist_new_latency();
	uint64_t seed = 99;

	for (int i = 0; i < 1000; i++)
		hist_record(h, rng_latency(&seed));
	hist_record(h, 5);
	hist_record(h, HIST_LATENCY_HIGHEST * 2);
	hist_reset(h);
	snap_check_same_hist(h, fresh, "reset");

	/* Nothing from before the reset comes back. */
	hist_record(h, 300000);
	hist_record(fresh, 300000);
	CHECK_INT(hist_min(h), 300000);
	CHECK_INT(hist_max(h), 300000);
	snap_check_same_hist(h, fresh, "reset then one value");
	hist_free(h);
	hist_free(fresh);
	hist_free(NULL);
}

/*
 * The .hgrm text: HdrHistogram's header, percentile levels that never go
 * down and follow its tick rule (5 per half distance), cumulative counts
 * that end at the total, the last line at 100% and the max, and the footer.
 * Values 1..1000 µs, one each, in ns; written in ms.
 */
static void test_hgrm(void)
{
	struct hist *h = hist_new_latency();
	char *buf = NULL, line[256];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	double last_level = -1, last_value = -1, value, level, inv;
	unsigned long long count, last_count = 0;
	int rows = 0, at_half = 0, final_seen = 0;

	for (int64_t us = 1; us <= 1000; us++)
		hist_record(h, us * 1000);
	CHECK_INT(hist_write_percentiles(h, f, 1e6), 0);
	fclose(f);
	f = fmemopen(buf, len, "r");
	CHECK(fgets(line, sizeof(line), f) && strstr(line, "Value") && strstr(line, "1/(1-Percentile)"));
	CHECK(fgets(line, sizeof(line), f) && line[0] == '\n');
	while (fgets(line, sizeof(line), f) && line[0] != '#') {
		int n = sscanf(line, "%lf %lf %llu %lf", &value, &level, &count, &inv);

		CHECK(n == 4 || n == 3);
		CHECK(level >= last_level && value >= last_value && count >= last_count);
		if (n == 4)
			CHECK(fabs(inv - 1.0 / (1.0 - level)) < 0.01);
		if (fabs(level - 0.5) < 1e-12) {
			at_half = 1;
			/* Half of 1..1000 is 500 µs, within 3 digits. */
			CHECK(fabs(value - 0.5) <= 0.001);
		}
		if (n == 3) {
			final_seen = 1;
			CHECK(level == 1.0);
			CHECK(count == 1000);
			CHECK(fabs(value - 1.0) < 0.001);
		}
		last_level = level;
		last_value = value;
		last_count = count;
		rows++;
	}
	/* 0, 10, ..., 50% (6), then 5 per half distance: plenty of rows. */
	CHECK(rows > 30);
	CHECK(at_half);
	CHECK(final_seen);
	CHECK(strstr(line, "#[Mean    =") && strstr(line, "0.500"));
	CHECK(fgets(line, sizeof(line), f) && strstr(line, "#[Max     =") && strstr(line, "1.000") &&
	      strstr(line, "1000]"));
	CHECK(fgets(line, sizeof(line), f) && strstr(line, "#[Buckets ="));
	fclose(f);
	free(buf);
	/* Standard deviation of 1..1000 µs is 288.7 µs. */
	CHECK(fabs(hist_stddev(h) / 1e3 - 288.7) < 1.0);
	hist_free(h);
}

int main(void)
{
	test_init_bounds();
	test_exact_below_2048();
	test_layout_3_sigfigs();
	test_clamp();
	test_known_percentiles();
	test_empty();
	test_brute_force();
	test_merge_halves();
	test_merge_minmax();
	test_merge_layouts();
	test_record_n();
	test_reset();
	test_hgrm();
	test_text_merge();
	test_text_bad();
	return check_report("histogram");
}
