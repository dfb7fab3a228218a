/*
 * crash.h - a crash phase: how many acknowledged writes a server keeps
 * when it dies.
 *
 * The phase's clients write new records (SET, keys beyond the keyspace)
 * as fast as the server acknowledges them, keeping a ledger of every
 * acknowledged key. At a moment drawn from the phase's kill_after range
 * the server is killed with SIGKILL (no shutdown, no last flush), started
 * again on the same port and data directory, and every acknowledged key is
 * read back: a miss is an acknowledged write the server lost.
 */
#ifndef BENCH_CRASH_H
#define BENCH_CRASH_H

#include "driver.h"
#include "results.h"
#include "servers.h"
#include "workload.h"

/*
 * Runs crash phase `ph` (repeat `repeat`, 1-based; `phase_index` its place
 * in the workload) against target bt, whose server srv bench spawned, and
 * fills *out: ops[SET] the writes (ok = acknowledged; the requests in
 * flight at the kill are disconnects), ops[GET] the read-back (ok =
 * survived, miss = lost, error = came back with another length), and
 * out->crash. srv is running again afterwards (its pid changed). Must run
 * on the thread that spawned srv. Returns 0, or -1 with out->error (the
 * clients could not connect, or the server did not come back).
 */
int crash_run_phase(const struct workload *w, const struct wl_phase *ph, size_t phase_index, uint64_t repeat,
		    const struct bench_driver *drv, const struct bench_target *bt, struct server *srv,
		    struct phase_result *out);

#endif
