/*
 * pacer.h - the schedule of an open-loop client: when each batch is meant
 * to be sent. Latency in open loop is measured from these intended times,
 * not from when the batch actually left, so a stalled server is charged for
 * every request that queued behind the stall (coordinated omission
 * correction, as wrk2 does). Pure arithmetic on times it is given: tests
 * drive it with made-up clocks.
 */
#ifndef BENCH_PACER_H
#define BENCH_PACER_H

#include <stdint.h>

#include "rng.h"

struct pacer {
	uint64_t start_ns;     /* intended time of batch 0 */
	double interval_ns;    /* between two batches (the mean, with gaps) */
	uint64_t batches;      /* batches scheduled so far */
	/* Drawn gaps (pacer_set_gaps): gpareto(0, gap_scale_ns, gap_xi)
	 * from gap_rng; gap_scale_ns 0 = the fixed interval. next_ns is
	 * the intended time of batch `batches`. */
	double gap_scale_ns, gap_xi, next_ns;
	struct rng gap_rng;
};

/*
 * A client that sends `batch` requests per batch at `per_second` requests
 * per second, starting at start_ns. `offset` in [0, 1) shifts its schedule
 * by that fraction of an interval, so clients of one phase do not all fire
 * at once. per_second > 0, batch >= 1.
 */
void pacer_init(struct pacer *p, uint64_t start_ns, double per_second, uint64_t batch, double offset);

/*
 * Makes the gaps between batches random (arrival: fb_etc): generalized
 * Pareto with shape xi (0 <= xi < 1) and the mean interval pacer_init set,
 * the first batch one gap after pacer_init's (offset) start, the gaps drawn
 * from a stream of their own (seed, stream), so the schedule is the same
 * whatever else the client draws. Call it right after pacer_init.
 */
void pacer_set_gaps(struct pacer *p, double xi, uint64_t seed, uint64_t stream);

/* The intended send time of the next batch; advances the schedule. The
 * schedule never slips: a late client sends at once and stays late. */
uint64_t pacer_next(struct pacer *p);

/* How many batches of the schedule, from the first, are due before t
 * (intended time < t), whether handed out by pacer_next or not. Exact, in
 * constant time (a client that fell a billion batches behind is counted
 * without walking them). With drawn gaps, exact by walking the schedule up
 * to PACER_WALK_MAX batches ahead, and the rest estimated from the mean. */
#define PACER_WALK_MAX 10000000u
uint64_t pacer_due_before(const struct pacer *p, uint64_t t);

#endif
