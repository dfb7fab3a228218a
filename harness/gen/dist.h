/*
 * dist.h - which record a request touches (key distributions) and how big a
 * value it writes (value-size generators), drawn from a client's own rng.
 *
 * A struct dist is built once per workload phase and is immutable after
 * dist_init: every client thread shares it read-only. Whatever a draw needs
 * to remember (the sequential position, the newest record, constants that
 * depend on it) lives in a per-client struct dist_cursor, so one client's
 * draws depend only on its seed and its own history, never on timing or on
 * other clients. dist_next and sizegen_next never allocate and never fail.
 *
 * Definitions, formulas, sources and deviations from YCSB:
 * docs/distributions.md.
 */
#ifndef BENCH_DIST_H
#define BENCH_DIST_H

#include <stddef.h>
#include <stdint.h>

#include "rng.h"

enum dist_kind {
	DIST_UNIFORM,
	DIST_ZIPFIAN,
	DIST_HOTSPOT,
	DIST_LATEST,
	DIST_SEQUENTIAL,
	DIST_EXPONENTIAL,
};

/* Defaults, as dist_params_default sets them (YCSB's defaults). */
#define DIST_ZIPF_THETA_DEFAULT 0.99
#define DIST_HOT_FRACTION_DEFAULT 0.2
#define DIST_HOT_OP_FRACTION_DEFAULT 0.8
#define DIST_EXP_PERCENTILE_DEFAULT 95.0
#define DIST_EXP_FRACTION_DEFAULT 0.8571428571

/*
 * Only the fields of the chosen kind are read and checked:
 *   all kinds:          records >= 1
 *   zipfian, latest:    0 < zipf_theta < 1
 *   zipfian:            zipf_scrambled (0 = rank is the id, else spread)
 *   hotspot:            0 < hot_fraction < 1, 0 <= hot_op_fraction <= 1
 *   exponential:        0 < exp_percentile < 100, exp_fraction > 0
 */
struct dist_params {
	enum dist_kind kind;
	uint64_t records;
	double zipf_theta;
	int zipf_scrambled;
	double hot_fraction;
	double hot_op_fraction;
	double exp_percentile;
	double exp_fraction;
};

struct dist;

/*
 * Per-client state. Plain data: the caller owns it, one per client and
 * per dist, and sets it up with dist_cursor_init (again when the client
 * moves to another dist: the cache belongs to one).
 *
 * next_seq  sequential: the next draw is next_seq % records, then
 *           next_seq++. Seed it per client (e.g. a client-specific start).
 * newest    latest, exponential: the newest record id, draws fall in
 *           [0, newest]. dist_cursor_init sets records - 1; the caller adds
 *           1 for every insert this client makes (or sets it otherwise).
 *           It is never changed by dist_next and must stay < UINT64_MAX.
 * cache_*   private to dist.c: constants for the current newest. Raising
 *           newest by k costs O(k) once, on the next draw (latest), so the
 *           cost per insert is O(1) amortized. A zeroed cursor also works,
 *           but its first latest draw then costs O(newest).
 */
struct dist_cursor {
	uint64_t next_seq;
	uint64_t newest;
	uint64_t cache_items;
	double cache_zeta;
	double cache_scale;
};

/* Fills p with kind, records and every default above (scrambled zipfian). */
void dist_params_default(struct dist_params *p, enum dist_kind kind, uint64_t records);

/*
 * Builds a distribution. Returns 0 and *out (free with dist_free), or -1
 * with err set and errno EINVAL (an unknown kind or a parameter outside the
 * ranges above) or ENOMEM. *out is set only on success. Zipfian and latest sum zeta(records, theta) here:
 * O(records), about 0.2 s per 10^7 records (docs/distributions.md).
 */
int dist_init(const struct dist_params *p, struct dist **out, char *err, size_t errlen);

/* NULL is a no-op. */
void dist_free(struct dist *d);

/* Sets next_seq = first_seq, newest = records - 1 and the private cache. */
void dist_cursor_init(const struct dist *d, struct dist_cursor *c, uint64_t first_seq);

/*
 * The next record id: in [0, records) for uniform, zipfian, hotspot and
 * sequential; in [0, c->newest] for latest and exponential. c is needed by
 * sequential, latest and exponential (whose draws change or read it), and
 * may be NULL for the others. Thread-safe on a shared d as long as c and r
 * belong to the calling thread.
 */
uint64_t dist_next(const struct dist *d, struct dist_cursor *c, struct rng *r);

/*
 * Zipfian: the id that popularity rank `rank` (0 = most popular, < records)
 * maps to; the identity when unscrambled, a fixed bijection of
 * [0, records) when scrambled. Other kinds: returns rank.
 */
uint64_t dist_rank_id(const struct dist *d, uint64_t rank);

/* "uniform", "zipfian", ... as written in a workload; "unknown" otherwise. */
const char *dist_kind_name(enum dist_kind k);
/* The kind named s (exact, lower case), or -1 if unknown or NULL. */
int dist_kind_from_name(const char *s);

/*
 * Value sizes. Immutable after init, shared read-only like struct dist.
 * Each init returns 0 and *out (free with sizegen_free), or -1 with errno
 * EINVAL (bad arguments) or ENOMEM; *out is set only on success.
 */
struct sizegen;

/* Always n. */
int sizegen_init_fixed(uint64_t n, struct sizegen **out);
/* Uniform over [min, max], both included; EINVAL if min > max. */
int sizegen_init_uniform(uint64_t min, uint64_t max, struct sizegen **out);
/*
 * sizes[i] with probability weights[i] / sum(weights). n >= 1, every weight
 * finite and > 0 (EINVAL otherwise); the arrays are copied.
 */
int sizegen_init_weighted(const uint64_t *sizes, const double *weights, size_t n,
			  struct sizegen **out);
/*
 * Drawn from a continuous distribution (evd.h), rounded down to a whole
 * number and clamped to [min, max] (the servers' limits; a draw below min,
 * or NaN, is min). sigma > 0 and finite, the other parameters finite, and
 * min <= max (EINVAL otherwise).
 *   gev:      GEV(mu, sigma, xi)
 *   gpareto:  generalized Pareto(theta, sigma, xi)
 *   fb_etc:   Facebook ETC value sizes: evd_etc_head's probabilities for
 *             0 .. 14 bytes, then gpareto(15, 214.476, 0.348238)
 */
int sizegen_init_gev(double mu, double sigma, double xi, uint64_t min, uint64_t max, struct sizegen **out);
int sizegen_init_gpareto(double theta, double sigma, double xi, uint64_t min, uint64_t max,
			 struct sizegen **out);
int sizegen_init_fb_etc(uint64_t min, uint64_t max, struct sizegen **out);
/* NULL is a no-op. */
void sizegen_free(struct sizegen *g);

uint64_t sizegen_next(const struct sizegen *g, struct rng *r);
/* The size that uniform number u in [0, 1) stands for (the inverse CDF at
 * u): the same distribution as sizegen_next, from a u the caller chose, so
 * a size can be a fixed function of something else (a record's key size of
 * its number, keygen.h). */
uint64_t sizegen_at(const struct sizegen *g, double u);
/* The largest size sizegen_next can return (to size value buffers). */
uint64_t sizegen_max(const struct sizegen *g);

#endif
