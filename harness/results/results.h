/*
 * results.h - the results model: everything a run measured, in one place.
 * The runner fills it; the writers (csv.c, json.c, and analysis/'s
 * comparison and terminal table) only read it.
 */
#ifndef BENCH_RESULTS_H
#define BENCH_RESULTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "driver.h"
#include "histogram.h"
#include "timeseries.h"
#include "workload.h"

/* Counts and latency of one op in one phase run. */
struct op_stats {
	uint64_t status[BENCH_STATUS__COUNT]; /* requests by outcome */
	/* Latency of the answered requests (ok, miss); NULL if none ran.
	 * lat is measured from the intended send time (open loop: the
	 * schedule's; closed loop: the actual send), lat_uncorrected from the
	 * actual send. In closed loop the two hold the same values. */
	struct hist *lat;
	struct hist *lat_uncorrected;
	/* Over the answered requests: records/elements/keys they returned,
	 * and server commands they took (0 when the driver does not count). */
	uint64_t items, calls;
};

/* One phase of one repeat against one target. */
struct phase_result {
	const struct wl_phase *phase;         /* of the workload of its sweep point */
	uint64_t repeat;                      /* 1-based */
	bool warmup;                          /* the phase's warmup: warmup.csv, not summary.csv */
	const char *sweep_value;              /* this run's sweep point; NULL without a sweep */
	const char *engine;                   /* "event" or "blocking": which runner served it */
	char engine_reason[128];              /* blocking: why (run.json's engine_reason); "" for event */
	double duration_s;                    /* measured span (the warmup's own span for a warmup) */
	struct op_stats ops[BENCH_OP__COUNT]; /* in a load phase, the records are under SET */
	bool interrupted;                     /* stopped early by Ctrl-C */
	uint64_t reconnects;                  /* connections reopened after a loss, warmup
					       * included (0 on the warmup's own result) */
	/* Open-loop duration phases: requests due before the end (warmup
	 * included) that were never sent, because the clients were still
	 * behind their schedule one request timeout after the end. */
	uint64_t unsent;
	/* The driver's connection counters that run.json writes
	 * (results_add_conn_counters): cluster redirections followed (Redis
	 * MOVED, ASK), warmup included (0 on the warmup's own result). */
	uint64_t redirects_moved, redirects_ask;
	/* CPU seconds over cpu_wall_s of wall time: the harness's (every
	 * thread) and the server's (< 0: unknown, see server_cpu_source). */
	double cpu_wall_s, client_cpu_s, server_cpu_s;
	struct ts_row *series;                /* per-second rows (owned); warmup seconds < 0 */
	size_t n_series;
	char error[512];                      /* could not connect, or the first failed request; "" if none */
	/* Its failed share (results_phase_error_rate) is over the workload's
	 * max_error_rate; set by `bench run`, never for a warmup. */
	bool over_error_limit;
	/* idle_connections of a run phase (idle.h): held open from the start
	 * to the end of the phase, and refused (at connect or closed by the
	 * server since). */
	uint64_t idle_held, idle_refused;
	/* The spawned server's resident memory at the end of the phase; < 0
	 * unknown (an external server). */
	int64_t server_rss_bytes;
	/* A crash phase (crash.h): ops[SET] are the writes (ok = acknowledged),
	 * ops[GET] the read-back after the restart (miss = an acknowledged
	 * write lost). */
	struct {
		bool ran;                     /* the server was killed and restarted */
		double killed_at_s;           /* after the writes started */
		uint64_t data_bytes;          /* the server's files when it died */
		double restart_s;             /* from exec to answering again */
	} crash;
	/* A replication phase (replication.h): ops[SET] the writes to the
	 * server, ops[GET] the reads from its replica (miss = a stale read). */
	struct {
		bool ran;
		struct hist *lag;             /* ns from a write's acknowledgement to
					       * its first sighting on the replica */
	} repl;
	/* Which sweep point's workload `phase` belongs to (0 without a
	 * sweep): with repeat and the phase's index, the key every output
	 * is sorted by, whatever the order the runs were made in. */
	size_t point;
	/* A cache-aside phase (aside.h): ops[GET] the application's reads
	 * (miss = a cache miss, served by the store), ops[SET] its writes. */
	struct {
		bool ran;
		uint64_t store_reads, store_writes; /* the store's load */
		uint64_t fills;               /* values written back to the cache */
		uint64_t stale_reads;         /* reads older than a finished write */
		/* A real store's identity ("FerretDB v1.24.2 (SQLite), standing
		 * in for MongoDB"); "" for the simulated store. */
		char store_server[384];
		/* The product a real store stood in for ("MongoDB", the
		 * driver's word: bench_server_info.stands_in_for); "" when it
		 * was itself, or simulated. */
		char store_stands_in_for[64];
	} aside;
};

struct server; /* servers.h */

struct target_result {
	const struct wl_target *target;
	const struct bench_driver *driver;
	char *uri;                            /* credentials redacted */
	char *spawned;                        /* program started for it, NULL if external */
	struct server *server;                /* that server while it runs (crash phases
					       * restart it); NULL if external */
	bool have_info;
	struct bench_server_info info;
	char *skipped;                        /* why it did not run; NULL if it ran */
	char *cleanup;                        /* what became of the keys under the prefix
					       * (namespace.h); NULL: nothing to say */
	char cpu_source[48];                  /* where server CPU came from; "" unknown */
	struct phase_result *runs;
	size_t n_runs;
	/* server_info read again once the target's runs are done; run.json's
	 * server_after_run holds the config lines that changed (mongodb: the
	 * shards a query targets, once records exist). */
	bool have_info_after;
	struct bench_server_info info_after;
};

/*
 * One block of the run order (harness/run/run_order.h): one target's phases
 * for one sweep point and repeat, as it was run. run.json's "order".
 */
struct results_block {
	size_t target;                        /* index into results.targets */
	const char *sweep_value;              /* NULL without a sweep */
	uint64_t repeat;
	char started_utc[32];
	double start_s;                       /* since the first block started */
	double duration_s;
	/* What its load phase did: "loaded", "reused" (the data of an earlier
	 * block was still there), "reloaded" (again, because a block of
	 * another sweep point had replaced it: not a summary.csv row), NULL
	 * when the block has no load phase. */
	const char *load;
};

struct results {
	const struct workload *w;
	char started_utc[32];
	char finished_utc[32];
	const char *servers_mode;             /* "spawn" or "external" */
	char *command;                        /* the command line */
	struct target_result *targets;
	size_t n_targets;
	char **warnings;
	size_t n_warnings;
	bool complete;                        /* false when interrupted */
	size_t n_over_error_limit;            /* runs with over_error_limit */
	/* The order the blocks were run in (run_order.h): "random" or
	 * "sequential", the seed it was drawn with, and the blocks begun. */
	const char *order;
	uint64_t order_seed;
	struct results_block *blocks;
	size_t n_blocks;
};

/* Appends a warning (printf-style) to r. */
void results_warn(struct results *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends a zeroed phase_result to t and returns it. */
struct phase_result *results_add_run(struct target_result *t);

/* Frees the last of t's runs and what it owns (nothing when it has none). */
void results_drop_last_run(struct target_result *t);

/* Frees what results own (not the workload). NULL is a no-op. */
void results_free(struct results *r);

/* Frees the histograms (the struct itself is the caller's). */
void op_stats_free(struct op_stats *s);
/* Adds src's counts and histograms to dst (allocating dst's as needed). */
void op_stats_merge(struct op_stats *dst, const struct op_stats *src);

/* Totals of one op_stats. */
uint64_t op_stats_answered(const struct op_stats *s); /* ok + miss */
uint64_t op_stats_errors(const struct op_stats *s);   /* error + disconnected */
uint64_t op_stats_total(const struct op_stats *s);    /* every request drawn */

/* The clients the run ran on this machine: the phase's, or a shard's
 * share of them (shard.h); summary.csv's `clients`. */
uint64_t results_phase_clients(const struct results *r, const struct phase_result *p);
/* Requests the phase sent (every op, every outcome but unsupported). */
uint64_t results_phase_requests(const struct phase_result *p);
/* Requests of the phase that failed: error + timeout + disconnected. */
uint64_t results_phase_failed(const struct phase_result *p);
/* failed / requests sent (0 when nothing was sent). */
double results_phase_error_rate(const struct phase_result *p);
/* CPU µs per request of the phase, all ops together: the harness's, and
 * the server's (< 0 when unknown). Both < 0 when nothing was sent. */
void results_cpu_per_op(const struct phase_result *p, double *client_us, double *server_us);

/* summary.csv's shards_per_op of a run phase's op: the mean number of
 * shards a request of op was sent to, from the server_info the driver
 * gave after the target's runs (t->info_after.shards_per_op; mongodb on
 * a mongos). < 0 when the driver did not say (not sharded, another
 * driver) and for load phases. */
double results_shards_per_op(const struct target_result *t, const struct phase_result *p, enum bench_op op);

/* Adds one connection's driver counters (bench_conn.counters, named by
 * d->counters) to p: the counters run.json writes, by name
 * ("redirects_moved", "redirects_ask"; docs/csv-schema.md). A driver's
 * other counters are not written anywhere yet. */
void results_add_conn_counters(struct phase_result *p, const struct bench_driver *d, const uint64_t *counters);

/* The op name as written in outputs: "load" for a load phase's records. */
const char *results_op_label(const struct phase_result *p, enum bench_op op);

/* Whether the op (as results_op_label writes it) reads records, so that a
 * miss is a miss of data and it has a hit ratio: get, range, query, fuzzy,
 * hget, lrange, smembers, zrangebyscore, rmw. Writes have none (a delete
 * of an absent key is no miss of data; docs/csv-schema.md). */
bool results_op_reads(const char *op);

/* "Redis 7.0.15", with the server's variant when it has one ("FerretDB
 * v1.24.2 (SQLite, indexed _id)"), into buf; "unknown" when no identity.
 * Returns buf. RESULTS_SERVER_LABEL_MAX holds any label. */
#define RESULTS_SERVER_LABEL_MAX 256
char *results_server_label(const struct target_result *t, char *buf, size_t len);

/* When a stand-in answered target t (driver.h, stands_in_for): adds run.json's
 * warning that its figures are not its stand-in's product's. */
void results_warn_stand_in(struct results *r, const struct target_result *t);

/* Copies uri with its password (as its driver reads it: driver.h's
 * bench_uri_password) and every other secret (secret.h) replaced by
 * "***". Caller frees. */
char *results_redact_uri(const char *uri);

#endif
