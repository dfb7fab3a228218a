/*
 * timeseries.h - per-second counts and latency percentiles of a phase, for
 * timeseries.csv and the live progress line.
 *
 * Each worker thread records into its own ts_local (no lock on the hot
 * path). When a worker's clock passes into a new second it adds what it
 * holds for the old one to a shared pending second under a mutex (once per
 * second per worker, not per request) and says which seconds it is done
 * with. The phase's main thread calls ts_collect() now and then: every
 * second that all workers are done with becomes one row per op, so memory
 * stays bounded by the seconds in flight, not by the run's length.
 *
 * Seconds count from the start of the measurement: warmup seconds are
 * negative. A request belongs to the second in which it completed. Latency
 * here is the corrected one (from the intended send time).
 */
#ifndef BENCH_TIMESERIES_H
#define BENCH_TIMESERIES_H

#include <stdatomic.h>
#include <stdint.h>

#include "driver.h"
#include "histogram.h"

/* One second of one op. */
struct ts_row {
	int64_t second;
	enum bench_op op;
	uint64_t status[BENCH_STATUS__COUNT];   /* requests by outcome */
	int64_t p50_ns, p99_ns, max_ns;         /* 0 when nothing was answered */
	uint64_t reconnects;                    /* connections reopened in this second,
						 * all ops (the same on each op's row) */
};

/* What the latest complete second looked like, for the progress line. */
struct ts_progress {
	int64_t second;                         /* INT64_MIN: none complete yet */
	uint64_t answered, failed;              /* in that second, all ops */
	int64_t p99_ns;                         /* in that second, all ops */
	uint64_t total_answered, total_failed;  /* every complete second so far */
};

struct ts;

/* A worker's private recorder. Fields are the hot path's; do not touch. */
struct ts_local {
	struct ts *ts;
	int64_t second;                         /* the second being recorded */
	uint64_t second_end_ns;                 /* when it ends */
	_Atomic int64_t done_below;             /* seconds < this are handed over */
	uint64_t status[BENCH_OP__COUNT][BENCH_STATUS__COUNT];
	struct hist *lat[BENCH_OP__COUNT];
	uint64_t reconnects;
	int dirty;
};

/*
 * Creates a recorder for `n_workers` workers, ops `op_mask` (bit per enum
 * bench_op), seconds counted from origin_ns (the measurement's start) and
 * the phase starting at start_ns (<= origin_ns with a warmup). Free with
 * ts_free. Never fails: out of memory aborts, as xmalloc does.
 */
struct ts *ts_new(uint64_t origin_ns, uint64_t start_ns, unsigned op_mask, size_t n_workers);
/* NULL is a no-op. */
void ts_free(struct ts *ts);

/* Worker i's recorder (0 <= i < n_workers). */
struct ts_local *ts_local(struct ts *ts, size_t i);

/* Hands the local second over and moves to the second of now_ns. */
void ts_roll(struct ts_local *l, uint64_t now_ns);

/* Counts one request that completed at done_ns with status st. A
 * worker's completion times must not go backwards by more than the
 * current second. */
static inline void ts_count(struct ts_local *l, enum bench_op op, enum bench_status st, uint64_t done_ns)
{
	if (done_ns >= l->second_end_ns)
		ts_roll(l, done_ns);
	l->status[op][st]++;
	l->dirty = 1;
}

/* Records the latency of n answered requests just counted (ts_count). */
static inline void ts_latency_n(struct ts_local *l, enum bench_op op, int64_t lat_ns, uint64_t n)
{
	hist_record_n(l->lat[op], lat_ns, n);
}

/* Both, for one request: lat_ns < 0 for one that was not answered. */
static inline void ts_record(struct ts_local *l, enum bench_op op, enum bench_status st, uint64_t done_ns,
			     int64_t lat_ns)
{
	ts_count(l, op, st, done_ns);
	if (lat_ns >= 0)
		ts_latency_n(l, op, lat_ns, 1);
}

/* Counts one connection reopened at now_ns. */
static inline void ts_reconnect(struct ts_local *l, uint64_t now_ns)
{
	if (now_ns >= l->second_end_ns)
		ts_roll(l, now_ns);
	l->reconnects++;
	l->dirty = 1;
}

/* The worker stopped: hands over what it holds; it records no more. */
void ts_local_done(struct ts_local *l);

/*
 * Main thread: turns every second that all workers are done with into rows
 * (seconds nobody answered in become rows of zeros), and fills *p (may be
 * NULL). Cheap; call it about once a second.
 */
void ts_collect(struct ts *ts, struct ts_progress *p);

/* After every worker is done and a last ts_collect: the rows, ordered by
 * second then op. The caller owns them (free()); *n their count. */
struct ts_row *ts_take_rows(struct ts *ts, size_t *n);

#endif
