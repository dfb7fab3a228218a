/*
 * histogram.c - log-linear bucketing as HdrHistogram lays it out: bucket b
 * holds `sub_bucket_count` linear slots of width 2^(b + unit_magnitude);
 * every bucket after the first only needs its upper half, because its lower
 * half is covered at twice the resolution by the bucket below.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "histogram.h"
#include "util.h"

/* GCC and Clang have it; __extension__ keeps -Wpedantic quiet. */
__extension__ typedef unsigned __int128 u128;

struct hist {
	int64_t lowest, highest;
	int sigfigs;
	int unit_magnitude;
	int sub_bucket_half_count_magnitude;
	int64_t sub_bucket_half_count;
	int64_t sub_bucket_mask;
	int32_t sub_bucket_count;
	int32_t bucket_count;
	int32_t counts_len;
	uint64_t total;
	uint64_t saturated;
	int64_t min, max;
	u128 sum; /* exact, for the mean */
	uint64_t counts[];
};

static int floor_log2(uint64_t v)
{
	return 63 - __builtin_clzll(v);
}

/* -1 with errno e and err saying which layout failed how. */
static int init_fail(int e, int64_t lowest, int64_t highest, int sigfigs, char *err, size_t errlen)
{
	snprintf(err, errlen, "histogram layout lowest %lld, highest %lld, %d significant digits: %s", (long long)lowest,
		 (long long)highest, sigfigs,
		 e == ENOMEM ? "out of memory" : "want 1 <= lowest <= highest / 2 and 1 to 5 digits, within 62 bits");
	errno = e;
	return -1;
}

int hist_init(int64_t lowest, int64_t highest, int sigfigs, struct hist **out, char *err, size_t errlen)
{
	struct hist *h;
	int64_t largest_single_unit, smallest_untrackable;
	int sub_mag, unit_mag, buckets, counts_len;

	*out = NULL;
	if (lowest < 1 || sigfigs < 1 || sigfigs > 5 || lowest > highest / 2)
		return init_fail(EINVAL, lowest, highest, sigfigs, err, errlen);
	largest_single_unit = 2;
	for (int i = 0; i < sigfigs; i++)
		largest_single_unit *= 10;
	sub_mag = floor_log2((uint64_t)largest_single_unit - 1) + 1; /* ceil(log2) */
	unit_mag = floor_log2((uint64_t)lowest);
	if (unit_mag + sub_mag > 62)
		return init_fail(EINVAL, lowest, highest, sigfigs, err, errlen);

	smallest_untrackable = (int64_t)1 << (sub_mag + unit_mag);
	buckets = 1;
	while (smallest_untrackable <= highest) {
		if (smallest_untrackable > INT64_MAX / 2) {
			buckets++;
			break;
		}
		smallest_untrackable <<= 1;
		buckets++;
	}
	counts_len = (buckets + 1) * (1 << (sub_mag - 1));

	h = calloc(1, sizeof(*h) + (size_t)counts_len * sizeof(h->counts[0]));
	if (!h)
		return init_fail(ENOMEM, lowest, highest, sigfigs, err, errlen);
	h->lowest = lowest;
	h->highest = highest;
	h->sigfigs = sigfigs;
	h->unit_magnitude = unit_mag;
	h->sub_bucket_half_count_magnitude = sub_mag - 1;
	h->sub_bucket_count = (int32_t)1 << sub_mag;
	h->sub_bucket_half_count = h->sub_bucket_count / 2;
	h->sub_bucket_mask = ((int64_t)h->sub_bucket_count - 1) << unit_mag;
	h->bucket_count = buckets;
	h->counts_len = counts_len;
	*out = h;
	return 0;
}

struct hist *hist_new_latency(void)
{
	struct hist *h;
	char err[160];

	/* The bounds are constants: only memory can fail, and that aborts
	 * (docs/architecture.md, "Errors"). */
	if (hist_init(HIST_LATENCY_LOWEST, HIST_LATENCY_HIGHEST, HIST_LATENCY_SIGFIGS, &h, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench: %s\n", err);
		abort();
	}
	return h;
}

void hist_free(struct hist *h)
{
	free(h);
}

static int bucket_index_of(const struct hist *h, int64_t v)
{
	int pow2ceiling = floor_log2((uint64_t)(v | h->sub_bucket_mask)) + 1;

	return pow2ceiling - h->unit_magnitude - (h->sub_bucket_half_count_magnitude + 1);
}

static int32_t counts_index_of(const struct hist *h, int64_t v)
{
	int b = bucket_index_of(h, v);
	int64_t sub = v >> (b + h->unit_magnitude);

	return (int32_t)((((int64_t)b + 1) << h->sub_bucket_half_count_magnitude) + (sub - h->sub_bucket_half_count));
}

/* The lowest value of counts slot i, and the width of its range. */
static int64_t slot_value(const struct hist *h, int32_t i, int64_t *width)
{
	int b = (i >> h->sub_bucket_half_count_magnitude) - 1;
	int64_t sub = (i & (h->sub_bucket_half_count - 1)) + h->sub_bucket_half_count;

	if (b < 0) {
		sub -= h->sub_bucket_half_count;
		b = 0;
	}
	*width = (int64_t)1 << (b + h->unit_magnitude);
	return sub << (b + h->unit_magnitude);
}

void hist_record_n(struct hist *h, int64_t v, uint64_t n)
{
	if (n == 0)
		return;
	if (v < 0)
		v = 0;
	if (v > h->highest) {
		v = h->highest;
		h->saturated += n;
	}
	h->counts[counts_index_of(h, v)] += n;
	if (h->total == 0 || v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->total += n;
	h->sum += (u128)v * n;
}

void hist_record(struct hist *h, int64_t v)
{
	hist_record_n(h, v, 1);
}

int hist_merge(struct hist *dst, const struct hist *src)
{
	if (dst->counts_len != src->counts_len || dst->unit_magnitude != src->unit_magnitude ||
	    dst->sub_bucket_count != src->sub_bucket_count || dst->highest != src->highest) {
		errno = EINVAL;
		return -1;
	}
	if (src->total == 0)
		return 0;
	for (int32_t i = 0; i < dst->counts_len; i++)
		dst->counts[i] += src->counts[i];
	if (dst->total == 0 || src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	dst->total += src->total;
	dst->saturated += src->saturated;
	dst->sum += src->sum;
	return 0;
}

void hist_reset(struct hist *h)
{
	memset(h->counts, 0, (size_t)h->counts_len * sizeof(h->counts[0]));
	h->total = h->saturated = 0;
	h->min = h->max = 0;
	h->sum = 0;
}

uint64_t hist_count(const struct hist *h)
{
	return h->total;
}

int64_t hist_min(const struct hist *h)
{
	return h->min;
}

int64_t hist_max(const struct hist *h)
{
	return h->max;
}

uint64_t hist_saturated(const struct hist *h)
{
	return h->saturated;
}

double hist_mean(const struct hist *h)
{
	if (h->total == 0)
		return 0;
	return (double)h->sum / (double)h->total;
}

int64_t hist_lowest_equivalent(const struct hist *h, int64_t v)
{
	int64_t width;

	if (v < 0)
		v = 0;
	if (v > h->highest)
		v = h->highest;
	return slot_value(h, counts_index_of(h, v), &width);
}

int64_t hist_highest_equivalent(const struct hist *h, int64_t v)
{
	int64_t width;
	int64_t low;

	if (v < 0)
		v = 0;
	if (v > h->highest)
		v = h->highest;
	low = slot_value(h, counts_index_of(h, v), &width);
	return low + width - 1;
}

int64_t hist_percentile(const struct hist *h, double p)
{
	uint64_t rank, seen = 0;

	if (h->total == 0)
		return 0;
	if (p >= 100)
		return h->max;
	if (p < 0)
		p = 0;
	/* The rank HdrHistogram uses: nearest, at least the first value. */
	rank = (uint64_t)llround(p / 100.0 * (double)h->total);
	if (rank < 1)
		rank = 1;
	for (int32_t i = 0; i < h->counts_len; i++) {
		seen += h->counts[i];
		if (seen >= rank) {
			int64_t width, v = slot_value(h, i, &width) + width - 1;

			if (v > h->max)
				v = h->max;
			return v < h->min ? h->min : v;
		}
	}
	return h->max;
}

double hist_stddev(const struct hist *h)
{
	double mean = hist_mean(h), acc = 0;

	if (h->total == 0)
		return 0;
	for (int32_t i = 0; i < h->counts_len; i++) {
		int64_t width, low;
		double d;

		if (!h->counts[i])
			continue;
		low = slot_value(h, i, &width);
		/* The slot's median-equivalent value, as HdrHistogram weighs it. */
		d = (double)low + (double)(width / 2) - mean;
		acc += d * d * (double)h->counts[i];
	}
	return sqrt(acc / (double)h->total);
}

/*
 * HdrHistogram's percentile iteration: walk the recorded values and report
 * each time the cumulative share reaches the next level; the levels get
 * denser towards 100% (ticks per half distance: 5 steps from 0% to 50%, 5
 * more to 75%, ...), then one last line at 100%.
 */
int hist_write_percentiles(const struct hist *h, FILE *f, double unit_ns)
{
	double level = 0, total = (double)h->total;
	uint64_t seen = 0;

	fprintf(f, "%12s %14s %10s %14s\n\n", "Value", "Percentile", "TotalCount", "1/(1-Percentile)");
	for (int32_t i = 0; i < h->counts_len && h->total; i++) {
		int64_t width, v;

		if (!h->counts[i])
			continue;
		seen += h->counts[i];
		v = slot_value(h, i, &width) + width - 1;
		if (v > h->max)
			v = h->max;
		/* At the last value one line at the current level, then 100%. */
		while (level <= 100.0 * (double)seen / total) {
			fprintf(f, "%12.3f %2.12f %10llu %14.2f\n", (double)v / unit_ns, level / 100.0,
				(unsigned long long)seen, 1.0 / (1.0 - level / 100.0));
			level += 100.0 / (5 * pow(2, floor(log2(100.0 / (100.0 - level))) + 1));
			if (seen == h->total)
				break;
		}
		if (seen == h->total) {
			fprintf(f, "%12.3f %2.12f %10llu\n", (double)v / unit_ns, 1.0, (unsigned long long)seen);
			break;
		}
	}
	fprintf(f, "#[Mean    = %12.3f, StdDeviation   = %12.3f]\n", hist_mean(h) / unit_ns, hist_stddev(h) / unit_ns);
	fprintf(f, "#[Max     = %12.3f, Total count    = %12llu]\n", (double)h->max / unit_ns,
		(unsigned long long)h->total);
	fprintf(f, "#[Buckets = %12d, SubBuckets     = %12d]\n", h->bucket_count, h->sub_bucket_count);
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}

/* u128 in decimal into buf (>= 40 bytes); returns buf. */
static char *u128_format(u128 v, char *buf)
{
	char tmp[40];
	size_t n = 0, i = 0;

	do {
		tmp[n++] = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v);
	while (n)
		buf[i++] = tmp[--n];
	buf[i] = '\0';
	return buf;
}

static int u128_parse(const char *s, u128 *out)
{
	u128 v = 0, max = ~(u128)0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (max - (u128)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (u128)(*s - '0');
	}
	*out = v;
	return 0;
}

int hist_write_text(const struct hist *h, FILE *f)
{
	char sum[40];
	int32_t buckets = 0;

	for (int32_t i = 0; i < h->counts_len; i++)
		buckets += h->counts[i] != 0;
	fprintf(f, "layout %" PRId64 " %" PRId64 " %d\n", h->lowest, h->highest, h->sigfigs);
	fprintf(f, "stats %" PRIu64 " %" PRId64 " %" PRId64 " %s %" PRIu64 " %" PRId32 "\n", h->total, h->min, h->max,
		u128_format(h->sum, sum), h->saturated, buckets);
	for (int32_t i = 0; i < h->counts_len; i++) {
		int64_t width, low;

		if (!h->counts[i])
			continue;
		low = slot_value(h, i, &width);
		fprintf(f, "%" PRId64 " %" PRId64 " %" PRIu64 "\n", low, low + width - 1, h->counts[i]);
	}
	return ferror(f) ? -1 : 0;
}

/* The next line of f without its newline into *buf; 0, or -1 at EOF. */
static int read_line(FILE *f, size_t *line, char **buf, size_t *cap)
{
	ssize_t n = getline(buf, cap, f);

	if (n < 0)
		return -1;
	++*line;
	if (n > 0 && (*buf)[n - 1] == '\n')
		(*buf)[n - 1] = '\0';
	return 0;
}

/* Splits s at spaces into at most max fields; returns how many, or -1
 * when there are more. */
static int split_fields(char *s, char **fields, int max)
{
	int n = 0;

	for (char *tok = strtok(s, " "); tok; tok = strtok(NULL, " ")) {
		if (n == max)
			return -1;
		fields[n++] = tok;
	}
	return n;
}

static int parse_i64(const char *s, int64_t *out)
{
	uint64_t v;

	if (util_parse_u64(s, &v) < 0 || v > INT64_MAX)
		return -1;
	*out = (int64_t)v;
	return 0;
}

int hist_read_text(FILE *f, size_t *line, struct hist **out, char *err, size_t errlen)
{
	char *buf = NULL, *fl[8], scratch[160]; /* hist_init's message: ours names the line */
	size_t cap = 0;
	int64_t lowest, highest, sigfigs, min, max, prev_high = -1;
	uint64_t total, saturated, buckets, seen = 0;
	u128 sum;
	struct hist *h = NULL;
	const char *why = NULL;

	*out = NULL;
	if (read_line(f, line, &buf, &cap) < 0 || split_fields(buf, fl, 8) != 4 || strcmp(fl[0], "layout") != 0 ||
	    parse_i64(fl[1], &lowest) < 0 || parse_i64(fl[2], &highest) < 0 || parse_i64(fl[3], &sigfigs) < 0 ||
	    sigfigs > 5 || hist_init(lowest, highest, (int)sigfigs, &h, scratch, sizeof(scratch)) < 0) {
		why = "want 'layout LOWEST HIGHEST SIGFIGS' with a valid layout";
		goto fail;
	}
	if (read_line(f, line, &buf, &cap) < 0 || split_fields(buf, fl, 8) != 7 || strcmp(fl[0], "stats") != 0 ||
	    util_parse_u64(fl[1], &total) < 0 || parse_i64(fl[2], &min) < 0 || parse_i64(fl[3], &max) < 0 ||
	    u128_parse(fl[4], &sum) < 0 || util_parse_u64(fl[5], &saturated) < 0 || util_parse_u64(fl[6], &buckets) < 0) {
		why = "want 'stats COUNT MIN MAX SUM SATURATED BUCKETS' in whole numbers";
		goto fail;
	}
	if (buckets > (uint64_t)h->counts_len || min > max || max > highest || saturated > total ||
	    (total == 0) != (buckets == 0)) {
		why = "stats do not fit the layout";
		goto fail;
	}
	for (uint64_t b = 0; b < buckets; b++) {
		int64_t low, high, width;
		uint64_t count;
		int32_t i;

		if (read_line(f, line, &buf, &cap) < 0) {
			why = "the file ends before its last bucket";
			goto fail;
		}
		if (split_fields(buf, fl, 8) != 3 || parse_i64(fl[0], &low) < 0 || parse_i64(fl[1], &high) < 0 ||
		    util_parse_u64(fl[2], &count) < 0 || count == 0) {
			why = "want 'LOW HIGH COUNT' with COUNT >= 1";
			goto fail;
		}
		i = low <= highest ? counts_index_of(h, low) : -1;
		if (i < 0 || slot_value(h, i, &width) != low || low + width - 1 != high || low <= prev_high) {
			why = "the bucket is not one of the layout's, or out of order";
			goto fail;
		}
		if (count > UINT64_MAX - seen) {
			why = "counts overflow";
			goto fail;
		}
		if ((b == 0 && (min < low || min > high)) || (b + 1 == buckets && (max < low || max > high))) {
			why = "min or max lies outside the first or last bucket";
			goto fail;
		}
		h->counts[i] = count;
		seen += count;
		prev_high = high;
	}
	if (seen != total) {
		why = "the buckets' counts do not add up to COUNT";
		goto fail;
	}
	if (total && (sum < (u128)min * total || sum > (u128)max * total)) {
		why = "SUM is not between COUNT x MIN and COUNT x MAX";
		goto fail;
	}
	h->total = total;
	h->min = min;
	h->max = max;
	h->sum = sum;
	h->saturated = saturated;
	free(buf);
	*out = h;
	return 0;
fail:
	snprintf(err, errlen, "%s", why);
	free(buf);
	hist_free(h);
	return -1;
}
