/*
 * run_phases.h - one target of `bench run`: its sweep points, repeats and
 * phases (run_phases.c), and what the command line (cli/cmd_run.c: arguments,
 * targets, servers, the result directory) hands it.
 */
#ifndef BENCH_RUN_PHASES_H
#define BENCH_RUN_PHASES_H

#include <stdbool.h>
#include <stddef.h>

#include "namespace.h"
#include "results.h"
#include "secret.h"
#include "servers.h"
#include "watch.h"
#include "workload.h"

struct run_args {
	const char *workload;
	const char *servers;
	const char *targets;
	const char *out;
	bool quiet;
	bool no_charts;
	struct namespace_opts ns;
	const char *shard;        /* --shard or BENCH_SHARD; NULL: not sharded */
	const char *shard_from;   /* which of the two, for messages */
	struct wl_override *ov;
	size_t n_ov;
	struct secret_cred *creds;      /* per workload target (resolve_credentials) */
	/* A workload built from flags (cli/run_flags.c): its YAML text, which
	 * `workload` then only labels; NULL: the file `workload`. */
	const char *workload_text;
	bool dry_run;             /* --dry-run: the plan and each op's commands, nothing run */
	uint64_t trace_n;         /* --trace N; 0: off */
	struct run_trace *trace;  /* its log (run_trace.h), NULL when off */
};

/* A second stop signal this soon after the first is part of the same stop:
 * `timeout` signals bench and then its whole process group, microseconds
 * apart. */
#define RUN_SAME_STOP_NS 1000000000ull

/*
 * Quitting at once (run_quit.c). run_quit_init starts the thread that
 * does the work (0, or -1 with errno set; without it a quit only kills
 * the servers). run_quit_now, async-signal-safe, for the handler: kills the
 * servers and wakes that thread, which removes the servers' directory,
 * counts what the watched target leaves under its prefix (5 s at most),
 * prints it with the `bench clean` command `hint`, and exits 1; called
 * again, it exits at once. run_quit_checkpoint, on the main thread, never
 * returns once quitting (nothing more is written). run_quit_watch adds
 * a target whose keys are under its prefix on a server bench did not
 * start (from its check until its cleanup is done: bt must live until
 * run_quit_unwatch(bt), which waits while the quitter counts); several
 * may be watched at once (an interleaved run order, run_order.h).
 */
int run_quit_init(void);
void run_quit_now(void);
void run_quit_checkpoint(void);
void run_quit_watch(const struct bench_driver *d, const struct bench_target *bt, const char *uri, const char *hint);
void run_quit_unwatch(const struct bench_target *bt);

/* Prints to stderr unless --quiet. */
void run_say(const struct run_args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* What a target's server holds (run_order.c keeps one per target). */
struct run_data {
	bool any;               /* a load wrote to the server: of `group` */
	size_t group;
	bool intact;            /* and nothing changed that data since */
	bool *recorded;         /* per group: its load is a summary.csv row already */
	/* Before a load of another group, the keys under the prefix are
	 * removed (namespace_remove, with `before`: what was there before the
	 * run, NULL for nothing), unless they may be another's (--reuse). */
	const struct bench_ns_state *before;
	bool keep_keys;
	/* The server's memory and eviction as it runs now (under a sweep
	 * over server.*, a block restarts it with its point's); sized: set. */
	struct server_size size;
	bool sized;
};

/* One block of the run order: target t's phases for one sweep point and
 * repeat (run_order.h). */
struct run_block {
	struct workload *const *points;
	size_t point;
	uint64_t repeat;
	size_t group;           /* the point's data group: the first point that loads the same data */
	bool keeps_data;        /* no phase of the point changes what its load wrote */
	struct run_data *data;  /* the target's server's data: read and updated */
	const char *load;       /* out: what its load phase did (results_block.load) */
};

/* Whether a phase leaves the data a load wrote as it was (reads, sets). */
bool run_phase_keeps_data(const struct wl_phase *ph);

/*
 * Runs the phases of block b on target t (its server up, described by bt,
 * watched by wt; set holds the servers bench spawned, for the phases that
 * restart or copy them). A load phase runs, or is skipped when the
 * target's server still holds its data (b->keeps_data; docs/workload-format.md,
 * "order"). Returns -1 when the target's clients could not connect
 * (t->skipped says why).
 */
int run_block(const struct run_args *a, struct results *r, struct target_result *t, struct run_block *b,
	      const struct bench_target *bt, struct watch *wt, struct server_set *set);

#endif
