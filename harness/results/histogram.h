/*
 * histogram.h - a log-linear latency histogram in the manner of
 * HdrHistogram: values are kept to a fixed number of significant digits over
 * a fixed range, in a flat array allocated once. Recording never allocates,
 * so one histogram per thread per op lives on the hot path; histograms with
 * the same layout merge by adding counts.
 *
 * Not thread-safe: one writer per histogram, merge after the writers stop.
 */
#ifndef BENCH_HISTOGRAM_H
#define BENCH_HISTOGRAM_H

#include <stdint.h>
#include <stdio.h>

/* Latency histograms record nanoseconds: exact below 2048 ns, 3 significant
 * digits from there up to 60 s. */
#define HIST_LATENCY_LOWEST 1
#define HIST_LATENCY_HIGHEST INT64_C(60000000000)
#define HIST_LATENCY_SIGFIGS 3

struct hist;

/*
 * Creates a histogram for values in [0, highest] tracked to `sigfigs`
 * significant digits (1..5), with `lowest` (>= 1) the smallest value that
 * must be told apart from 0. Returns 0 and *out (free with hist_free), or
 * -1 with *out NULL, errno EINVAL (bad bounds) or ENOMEM, and err saying
 * which layout.
 */
int hist_init(int64_t lowest, int64_t highest, int sigfigs, struct hist **out, char *err, size_t errlen);

/* hist_init with the latency bounds above; aborts on out-of-memory. */
struct hist *hist_new_latency(void);

/* NULL is a no-op. */
void hist_free(struct hist *h);

/* Records one value (n values). Values below 0 count as 0; values above the
 * highest trackable value count as that value and in hist_saturated(). */
void hist_record(struct hist *h, int64_t value);
void hist_record_n(struct hist *h, int64_t value, uint64_t n);

/* Adds src's counts to dst. Returns 0, or -1 with errno EINVAL when the
 * layouts differ (its one failure: no message, the caller names both). */
int hist_merge(struct hist *dst, const struct hist *src);

/* Forgets every value; keeps the layout. */
void hist_reset(struct hist *h);

uint64_t hist_count(const struct hist *h);
/* Exact smallest / largest value recorded; 0 when empty. */
int64_t hist_min(const struct hist *h);
int64_t hist_max(const struct hist *h);
/* Exact mean of the recorded values; 0 when empty. */
double hist_mean(const struct hist *h);
/* Values recorded above the trackable range. */
uint64_t hist_saturated(const struct hist *h);

/*
 * The value at percentile p (0..100): the highest value equivalent (within
 * the histogram's precision) to the recorded value at that rank, never above
 * the exact maximum. 0 when empty.
 */
int64_t hist_percentile(const struct hist *h, double p);

/* Smallest / largest value that falls in the same bucket as `value`. */
int64_t hist_lowest_equivalent(const struct hist *h, int64_t value);
int64_t hist_highest_equivalent(const struct hist *h, int64_t value);

/* Standard deviation, from the slots' median-equivalent values (as
 * HdrHistogram computes it); 0 when empty. */
double hist_stddev(const struct hist *h);

/*
 * Writes h as HdrHistogram's percentile distribution text (the .hgrm format
 * of outputPercentileDistribution, 5 percentile ticks per half distance), so
 * HdrHistogram's plotters read it. Values are divided by unit_ns (1e6:
 * milliseconds). Returns 0, or -1 on a write error.
 */
int hist_write_percentiles(const struct hist *h, FILE *f, double unit_ns);

/*
 * The exact state of h as text, for merging histograms made on other
 * machines (docs/csv-schema.md, "latency/NAME.hist"); three kinds of lines:
 *   layout LOWEST HIGHEST SIGFIGS
 *   stats COUNT MIN MAX SUM SATURATED BUCKETS
 * then BUCKETS lines "LOW HIGH COUNT", one per non-empty bucket in value
 * order: COUNT values from LOW to HIGH inclusive (nanoseconds for latency).
 * Returns 0, or -1 on a write error.
 */
int hist_write_text(const struct hist *h, FILE *f);

/*
 * Reads what hist_write_text wrote from f, which must be exactly that
 * (layout valid, buckets on the layout's boundaries and in order, counts
 * adding up, min and max inside the first and last bucket). *line is
 * incremented per line read, so messages can name it. Returns 0 and *out
 * (free with hist_free), or -1 with a reason in err ("line N: ..." is the
 * caller's to add) and *out NULL.
 */
int hist_read_text(FILE *f, size_t *line, struct hist **out, char *err, size_t errlen);

#endif
