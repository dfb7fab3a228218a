/*
 * runner.h - runs one phase of a workload against one target.
 *
 * Clients are spread over worker threads; each worker owns its clients, its
 * random streams, its request buffers and one histogram per op, so the hot
 * path takes no lock and allocates nothing. Blocking drivers get a worker
 * per client (runner.c); drivers with event hooks get a few workers that
 * each drive many clients over epoll (runner_event.c).
 */
#ifndef BENCH_RUNNER_H
#define BENCH_RUNNER_H

#include "driver.h"
#include "results.h"
#include "timeseries.h"
#include "workload.h"

/* Where a phase stands, for the progress line: once per second of the
 * time series, once every worker has handed that second over (or the next
 * second has ended too). */
struct runner_progress {
	const struct wl_phase *phase;
	double elapsed_s;         /* since the phase started, warmup included */
	double total_s;           /* duration phases: warmup + duration; else 0 */
	uint64_t ops_total;       /* ops and load phases: requests to make; else 0 */
	struct ts_progress ts;    /* the latest complete second */
	double warmup_s;          /* the phase's warmup: it is warming up while elapsed_s < warmup_s */
	uint64_t done;            /* measured requests finished so far (answered or failed), counted
				   * as they finish, not per complete second: "12000 of 20000" */
};

/* What the caller lends a phase. Every member may be NULL. */
struct runner_probe {
	/* The server's CPU time so far in seconds (user + system), or < 0 when
	 * unknown. Called from the phase's main thread when the phase starts,
	 * when its measurement starts and when it ends. */
	double (*server_cpu_s)(void *arg);
	/* Called from the phase's main thread about once a second (runner_progress). */
	void (*progress)(void *arg, const struct runner_progress *p);
	void *arg;
	/* Called from the phase's main thread once every client is
	 * connected, before the clock (warmup included) starts. */
	void (*connected)(void *arg);
	void *connected_arg;
	/* --trace N (run_trace.h): every client's connection traced into it;
	 * NULL: off, and the engines pay nothing for it. */
	struct run_trace *trace;
	/* Called from the phase's main thread before the clock starts when
	 * the phase runs on the blocking engine, with why (out->engine_reason). */
	void (*blocking)(void *arg, const char *why);
	void *blocking_arg;
};

/*
 * Runs phase `ph` (repeat `repeat`, 1-based), watched by `probe` (may be
 * NULL), and fills *out (whose phase and
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
		     const struct runner_probe *probe, struct phase_result *out, struct phase_result *warmup_out);

/* Asks running phases to stop at their next batch (async-signal-safe). */
void runner_request_stop(void);
/* True once runner_request_stop() was called. */
int runner_stop_requested(void);
/* When the first runner_request_stop() came (CLOCK_MONOTONIC ns, as
 * util_now_ns), 0 before it (async-signal-safe). */
uint64_t runner_stop_requested_at(void);

#endif
