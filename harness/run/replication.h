/*
 * replication.h - a replication phase: how far a replica trails its
 * primary, and how often a read from it is stale.
 *
 * bench starts a replica of the target's (spawned) server and waits until
 * it has caught up. For the phase's duration the clients write new records
 * to the primary (closed loop, or at the phase's rate in total), noting
 * when each write was acknowledged; one reader reads from the replica the
 * newest acknowledged record, again and again until the replica has it
 * (each read that misses is a stale read), then the newest one after that.
 * A record's lag is the time from its acknowledgement by the primary to
 * the first read that found it on the replica (to within one read's round
 * trip). The replica is stopped at the end of the phase.
 */
#ifndef BENCH_REPLICATION_H
#define BENCH_REPLICATION_H

#include "driver.h"
#include "results.h"
#include "servers.h"
#include "workload.h"

/*
 * Runs replication phase `ph` (repeat `repeat`; `phase_index` its place
 * in the workload) against target bt, whose server primary was spawned by
 * set, and fills *out: ops[SET] the writes, ops[GET] the replica reads
 * (miss = stale), out->repl.lag. Must run on the thread that spawned the
 * servers. Returns 0, or -1 with out->error (no replica, a connection
 * failed, the replica never caught up).
 */
int replication_run_phase(const struct workload *w, const struct wl_phase *ph, size_t phase_index, uint64_t repeat,
			  const struct bench_driver *drv, const struct bench_target *bt, struct server_set *set,
			  const struct server *primary, struct phase_result *out);

#endif
