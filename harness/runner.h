/*
 * runner.h - runs one phase of a workload against one target.
 *
 * Clients are spread over worker threads; each worker owns its clients, its
 * random streams, its request buffers and one histogram per op, so the hot
 * path takes no lock and allocates nothing. Today every driver is blocking,
 * so each worker drives one client; an event-driven worker can later drive
 * many clients over epoll without changing this interface.
 */
#ifndef BENCH_RUNNER_H
#define BENCH_RUNNER_H

#include "driver.h"
#include "results.h"
#include "workload.h"

/*
 * Runs phase `ph` (repeat `repeat`, 1-based) and fills *out (whose phase and
 * repeat fields it sets; sweep_value is the caller's). When the phase has a
 * warmup and warmup_out is not NULL, the warmup's requests are counted
 * there (marked warmup), never in *out. Returns 0 when the phase ran —
 * errors during it are counted, not fatal — or -1 when the clients could
 * not connect, with the reason in out->error.
 *
 * Closed loop (rate 0): each client sends its next batch when the last one
 * is answered. Open loop (rate N): each client sends on a fixed schedule of
 * N/clients requests per second (pacer.h) whatever the answers, and latency
 * is measured from the scheduled time (lat) and from the actual send
 * (lat_uncorrected).
 */
int runner_run_phase(const struct workload *w, const struct wl_phase *ph, uint64_t repeat,
		     const struct bench_driver *drv, const struct bench_target *target,
		     struct phase_result *out, struct phase_result *warmup_out);

/* Asks running phases to stop at their next batch (async-signal-safe). */
void runner_request_stop(void);
/* True once runner_request_stop() was called. */
int runner_stop_requested(void);

#endif
