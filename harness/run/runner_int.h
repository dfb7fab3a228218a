/*
 * runner_int.h - what runner.c (the phase, the blocking engine) and
 * runner_event.c (the event-driven engine) share. Not an interface for
 * anything else.
 */
#ifndef BENCH_RUNNER_INT_H
#define BENCH_RUNNER_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "dist.h"
#include "pacer.h"
#include "results.h"
#include "rng.h"
#include "timeseries.h"
#include "trace.h"
#include "workload.h"

/* What every worker of a phase shares, read-only once started. */
struct phase_ctx {
	const struct workload *w;
	const struct wl_phase *ph;
	const struct bench_driver *drv;
	int load;                       /* a load phase */
	unsigned supported;             /* ops the driver can run, as bits */
	double cum[BENCH_OP__COUNT];    /* cumulative mix, for drawing ops */
	int last_op;                    /* the last op with a share > 0 */
	struct dist *dist;              /* which record (run phases) */
	struct sizegen *sizes;          /* how big a value */
	struct sizegen *ttls;           /* how long a write lives, ms (values.ttl); NULL: for ever */
	struct sizegen *key_sizes;      /* keyspace.key_size (keygen_sized_len); NULL: fixed keys */
	double client_rate;             /* open loop: requests/s per client; 0 = closed */
	int event;                      /* the event-driven engine serves this phase */
	uint64_t timeout_ns;            /* event engine: a batch's deadline */
	int has_rmw;                    /* the mix has read-modify-writes */
	uint64_t clients;               /* the phase's, over every shard (shard.h) */
	uint64_t ops_total;             /* this run's records to load or ops to make */
	uint64_t start_ns;              /* the phase starts (warmup included) */
	uint64_t measure_ns;            /* warmup ends, measurement starts */
	uint64_t end_ns;                /* duration phases: when to stop */
	/* Open-loop duration phases: a client behind its schedule still sends
	 * what fell due before end_ns, late, until this (end_ns + the request
	 * timeout), and then stops whatever is left (runner_unsent). 0: none. */
	uint64_t late_end_ns;
	pthread_barrier_t start;
	struct ts *ts;                  /* per-second rows */
	pthread_mutex_t mu;             /* guards finished; cv signals it */
	pthread_cond_t cv;
	uint64_t finished;              /* workers that have stopped */
	unsigned ts_ops;                /* ops in the time series, as bits */
	int has_args;                   /* some op needs arguments (runner_fill_args) */
	struct run_trace *trace;        /* --trace (run_trace.h); NULL: off */
	/* A run phase replaying keyspace.trace (trace.h): each client reads
	 * the trace itself and replays the records whose key it owns
	 * (trace_key_owner); replay_ops are the ops a trace can hold, as bits. */
	int replay;
	unsigned replay_ops;
};

struct client {
	struct bench_conn conn;
	struct rng rng;
	struct bench_request *reqs;     /* pipeline (or load batch) slots */
	enum bench_op *logical;         /* per slot: the workload's op (insert, rmw ...) */
	uint64_t *rmw_len;              /* per slot: value length of an rmw's write */
	struct bench_request *second;   /* the writes of a batch's rmw ops */
	size_t *second_slot;            /* which slot each of them belongs to */
	uint64_t inserts;               /* records this client has inserted */
	char *keys;                     /* one key buffer per slot */
	char *args;                     /* one argument buffer per slot, arg_cap each */
	size_t arg_cap;
	const struct phase_ctx *ctx_categories; /* records carry categories: rmw writes need them */
	size_t key_len, prefix_len;     /* key_len: a key slot's width, the longest key */
	char *values;                   /* random bytes, values are slices of it */
	uint64_t quota;                 /* ops phases: measured requests left */
	uint64_t next_id, end_id;       /* load phases: records left to write */
	uint64_t index;                 /* 0 .. clients-1 */
	struct dist_cursor cursor;
	struct pacer pacer;
	/* A lost connection (runner_reconnect): down while conn.err is set and
	 * not yet reopened; the next attempt is due at retry_at. */
	int down;
	uint64_t down_since, retry_at;
	uint64_t backoff_ns;            /* the wait before the next attempt; grows with
					 * each attempt, 0 once a batch is answered */
	/* Event engine: where this client's batch is. EV_BACKOFF: closed
	 * loop, connection down, waiting for retry_at. */
	enum { EV_READY, EV_WAITING, EV_FIRST, EV_SECOND, EV_BACKOFF, EV_DONE } state;
	uint64_t intended, sent, first_done, deadline;
	size_t n, drawn, m;             /* batch size, ops drawn, rmw writes */
	int measured;
	int fd;                         /* -1: not in the epoll set */
	uint32_t watching;              /* epoll events registered */
	/* Trace replay: the client's own reader, the record read ahead
	 * (open loop: peeked for its due time) and the trace's first
	 * timestamp, the phase's start. */
	struct trace_reader *replay;   
	struct trace_rec trace_rec;
	int trace_pending, trace_started;
	uint64_t trace_t0_us;
};

enum { STATS_WARMUP = 0, STATS_MEASURED = 1 };

struct worker {
	pthread_t tid;
	struct phase_ctx *ctx;
	struct client *clients;         /* blocking engine: exactly one */
	size_t n_clients;
	size_t active;                  /* event engine: clients not done */
	int epfd;                       /* event engine */
	struct op_stats stats[2][BENCH_OP__COUNT]; /* [STATS_WARMUP], [STATS_MEASURED] */
	uint64_t finished_ns;
	struct ts_local *ts;
	uint64_t reconnects;            /* connections reopened after a loss */
	uint64_t unsent;                /* requests due before the end, never sent */
	char first_error[160];          /* the first failed request's errstr */
	_Atomic uint64_t done;          /* measured requests finished (runner_record_batch),
					 * read live by the progress line */
};


/* Open loop: the client's schedule (pacer.h), spread by its index; with
 * the phase's arrival: fb_etc, gaps drawn from the Facebook ETC shape. */
void runner_pacer_init(const struct phase_ctx *ctx, struct client *c);
/*
 * Fills the client's request slots for the next batch. Returns how many
 * requests to send; *drawn counts the requests taken from the workload,
 * including unsupported ones, which are tallied here and never sent.
 */
size_t runner_fill_batch(struct worker *wk, struct client *c, int measuring, size_t *drawn);
/* The write half of the batch's rmw ops whose read was answered: fills
 * c->second (and c->second_slot) and returns how many. */
size_t runner_prepare_rmw_writes(struct client *c, size_t n);
/* Copies the rmw writes' outcome into their requests' slots. */
void runner_finish_rmw_writes(struct client *c, size_t m);
/* Counts a finished batch. done: when its replies were all in; done_rmw:
 * when its rmw writes were (== done without any). */
void runner_record_batch(struct worker *wk, struct client *c, int measured, uint64_t intended, uint64_t sent,
			 uint64_t done, uint64_t done_rmw, size_t n);
/* Fills the arguments of request rq (op, key and record id set) into its
 * slot's argument buffer: categories, range lengths, patterns, members,
 * scores (docs/workload-format.md). runner_ops.c. */
void runner_fill_args(const struct phase_ctx *ctx, struct client *c, struct bench_request *rq, char *arg,
		      uint64_t id);
/*
 * Reconnect with capped exponential backoff (docs/architecture.md,
 * "Faults"). Call it when c->conn.err is set and no batch is in flight.
 * The first call after a loss marks the client down; an attempt (driver
 * close, then open) is made when retry_at has come: right after the loss
 * when the connection had answered a batch, else after the backoff, which
 * doubles from RUNNER_BACKOFF_MIN_NS to RUNNER_BACKOFF_MAX_NS with every
 * attempt. Returns 0 when the connection is open again, 1 when it is still
 * down (c->retry_at says when to try next), -1 when the client gives up
 * (a phase without a duration, down for RUNNER_GIVE_UP_NS).
 */
#define RUNNER_BACKOFF_MIN_NS 10000000u      /* 10 ms */
#define RUNNER_BACKOFF_MAX_NS 1000000000u    /* 1 s */
#define RUNNER_GIVE_UP_NS 30000000000u       /* 30 s */
int runner_reconnect(struct worker *wk, struct client *c, uint64_t now);
/* Requests of a batch that is not sent because the connection is down:
 * each is BENCH_DISCONNECTED (counted once, like any other). */
void runner_mark_disconnected(struct client *c, size_t n);
/* Open loop, at late_end_ns: the requests of c's schedule due before
 * end_ns that it has not taken yet. The client stops; they are never drawn
 * (a billion-request backlog is counted, not walked). */
uint64_t runner_unsent(const struct phase_ctx *ctx, const struct client *c);
/* A worker thread has stopped: hands its last second over, wakes the
 * phase's main thread. */
void runner_worker_finished(struct worker *wk);

/* Trace replay: reads ahead to the client's next record (c->trace_rec,
 * c->trace_pending); malformed lines it passes are counted as errors of
 * `get` (docs/workload-format.md). Returns 1, or 0 at the trace's end. */
int runner_trace_peek(struct worker *wk, struct client *c, int measuring);
/* Open loop: when the pending record is due (its timestamp after the
 * trace's first, divided by keyspace.speed, after the phase's start). */
uint64_t runner_trace_due(const struct phase_ctx *ctx, const struct client *c);

/* Event engine: registers the worker's clients with a new epoll set
 * (0 or -1), and the worker thread's body. */
int runner_ev_setup(struct worker *wk);
void *runner_event_worker_main(void *arg);

#endif
