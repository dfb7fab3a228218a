/*
 * aside.h - a cache-aside phase: the target as a cache in front of a
 * store (docs/workload-format.md, "cache-aside phases").
 *
 * The store is simulated: it holds every record of the keyspace and
 * answers a read or a write after a latency drawn uniformly from the
 * phase's store_latency; or, with the phase's `store: DRIVER`, a real
 * server of that driver, spawned for the phase from set and stopped after
 * it (without spawn the phase fails: bench guards no other server's
 * data), loaded with every record at version 0 before the clients start. Each record has a version: a write makes the
 * next one. A value bench writes to the cache begins with its version
 * ("v" and 19 digits); a value without one (a load phase's) is version 0,
 * the store's first.
 *
 * A read asks the cache; on a miss it reads the store and writes the
 * value it got back to the cache. A write goes to the store, then deletes
 * the cached value (on_write: invalidate) or sets the new one (update).
 * Each client draws its keys from the workload's keyspace (closed loop,
 * its own random stream), so one client makes one exact sequence.
 *
 * A read is stale when the cache returns an older version than the
 * newest write whose whole path (store, then cache) had finished before
 * the read started: the races of cache-aside (a miss that fills the
 * cache with what it read just before a write's invalidation, two updates
 * applied to the cache out of order) leave such values behind.
 */
#ifndef BENCH_ASIDE_H
#define BENCH_ASIDE_H

#include <stdbool.h>

#include "dist.h"
#include "driver.h"
#include "results.h"
#include "rng.h"
#include "servers.h"
#include "workload.h"

/* The records a cache-aside phase keeps versions for (16 bytes each). */
#define ASIDE_MAX_RECORDS (64u * 1000u * 1000u)
/* The shortest value that carries a version ("v" + 19 digits + ":"). */
#define ASIDE_VERSION_LEN 21u

/*
 * Runs cache-aside phase ph (repeat `repeat`; `phase_index` its place in
 * the workload) with target bt as the cache, and fills *out: ops[GET] the
 * application's reads, each from its start to its answer (cache, and on
 * a miss the store and the write-back: a miss is a cache miss), ops[SET]
 * its writes (store, then cache), out->aside the store's load, the
 * write-backs and the stale reads. With the phase's warmup, ops that
 * start before its end are counted in *warm instead (warmup set: a
 * warmup.csv row), and `duration` or `ops` measure after it; timeseries
 * seconds count from the measurement's start. Returns 0, or -1 with
 * out->error (a connection failed, the keyspace is too large).
 */
int aside_run_phase(const struct workload *w, const struct wl_phase *ph, size_t phase_index, uint64_t repeat,
		    const struct bench_driver *drv, const struct bench_target *bt, struct server_set *set, bool spawn,
		    struct phase_result *out, struct phase_result *warm);

/*
 * The key sequence of client `client` (0-based) of a cache-aside phase,
 * exactly as the phase draws it (tests/lib/aside_lru.c replays it): seed
 * r with aside_stream, then each aside_next gives the next op's record
 * id in *id and whether it reads (true) or writes. cur comes from
 * dist_cursor_init(keys, cur, 0).
 */
void aside_stream(struct rng *r, const struct workload *w, uint64_t repeat, size_t phase_index, size_t client);
bool aside_next(const struct dist *keys, struct dist_cursor *cur, struct rng *r, double read_share, uint64_t *id);

#endif
