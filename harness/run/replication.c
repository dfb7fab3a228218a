/* replication.c - the replication phase (replication.h). */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "keygen.h"
#include "replication.h"
#include "rng.h"
#include "runner.h"
#include "util.h"

/* Keys far beyond any keyspace (keygen.h), a block per phase run, apart
 * from crash phases' (crash.c uses 9 * 10^11 on). */
#define REPL_ID_BASE UINT64_C(800000000000)
#define REPL_BLOCK UINT64_C(100000000)
/* Writes a phase run records at most (their acknowledgement times). */
#define REPL_MAX_WRITES (10u * 1000u * 1000u)
/* How long the new replica may take to copy the primary's data. */
#define REPL_SYNC_NS (60ull * 1000000000ull)
/* The reader's pause when no newer write has been acknowledged. */
#define REPL_IDLE_NS 20000u

struct repl_run {
	const struct wl_phase *ph;
	const struct bench_target *bt;
	uint64_t base;
	const char *value;
	size_t value_len, key_cap;
	uint64_t *acked_ns;         /* [seq]: when write seq was acknowledged */
	_Atomic uint64_t newest;    /* newest acknowledged seq + 1; 0 = none */
	uint64_t end_ns;
	atomic_int go;
};

struct repl_client {
	struct repl_run *run;
	size_t index;
	struct bench_conn conn;
	struct bench_request req;
	char *key;
	struct op_stats stats;
	struct hist *lag;           /* the reader's */
	char error[256];
	pthread_t thread;
};

static void fill(struct repl_client *c, uint64_t seq, bool set)
{
	struct repl_run *run = c->run;

	memset(&c->req, 0, sizeof(c->req));
	c->req.op = set ? BENCH_OP_SET : BENCH_OP_GET;
	c->req.key = c->key;
	c->req.key_len = keygen_format(c->key, run->bt->prefix, run->base + seq);
	c->req.fields = run->bt->fields;
	if (set) {
		c->req.value = run->value;
		c->req.value_len = run->value_len;
	}
}

/* One request; its latency counted in c->stats. Returns its status. */
static enum bench_status one(struct repl_client *c)
{
	uint64_t t0 = util_now_ns();

	c->conn.driver->exec(&c->conn, &c->req, 1);
	c->stats.status[c->req.status]++;
	/* Latency from the actual send: corrected and uncorrected are one
	 * (an open-loop writer that falls behind sends late, uncounted). */
	if (c->req.status == BENCH_OK || c->req.status == BENCH_MISS) {
		int64_t lat = (int64_t)(util_now_ns() - t0);

		hist_record(c->stats.lat, lat);
		hist_record(c->stats.lat_uncorrected, lat);
	}
	return c->req.status;
}

/* Client i writes seq i, i + n, i + 2n ...: closed loop, or every
 * clients / rate seconds. */
static void *writer(void *arg)
{
	struct repl_client *c = arg;
	struct repl_run *run = c->run;
	uint64_t n = run->ph->clients, next = 0, gap = 0;

	if (run->ph->rate > 0)
		gap = (uint64_t)(1e9 * (double)n / run->ph->rate);
	while (!atomic_load(&run->go))
		sched_yield();
	next = util_now_ns();
	for (uint64_t seq = c->index; seq < REPL_MAX_WRITES; seq += n) {
		uint64_t done;

		if (gap) {
			util_sleep_until_ns(next);
			next += gap;
		}
		if (util_now_ns() >= run->end_ns || runner_stop_requested())
			break;
		fill(c, seq, true);
		if (one(c) != BENCH_OK) {
			snprintf(c->error, sizeof(c->error), "write: %s", c->conn.errstr);
			if (c->conn.err)
				break;
			continue;
		}
		run->acked_ns[seq] = util_now_ns();
		/* Publish after the time is stored: the reader loads newest
		 * (acquire) before reading acked_ns. */
		done = atomic_load_explicit(&run->newest, memory_order_relaxed);
		while (seq + 1 > done &&
		       !atomic_compare_exchange_weak_explicit(&run->newest, &done, seq + 1, memory_order_release,
							      memory_order_relaxed))
			;
	}
	return NULL;
}

/* Reads the newest acknowledged record from the replica until it is
 * there, then the newest after that. */
static void *reader(void *arg)
{
	struct repl_client *c = arg;
	struct repl_run *run = c->run;
	uint64_t want = UINT64_MAX, seen = UINT64_MAX;

	while (!atomic_load(&run->go))
		sched_yield();
	while (util_now_ns() < run->end_ns && !runner_stop_requested()) {
		enum bench_status st;

		if (want == UINT64_MAX) {
			uint64_t newest = atomic_load_explicit(&run->newest, memory_order_acquire);

			/* Nothing newer than what the replica was seen to have:
			 * look again shortly (this bounds the lag's precision). */
			if (!newest || newest - 1 == seen) {
				util_sleep_until_ns(util_now_ns() + REPL_IDLE_NS);
				continue;
			}
			want = newest - 1;
		}
		fill(c, want, false);
		st = one(c);
		if (st == BENCH_OK) {
			hist_record(c->lag, (int64_t)(util_now_ns() - run->acked_ns[want]));
			seen = want;
			want = UINT64_MAX;
		} else if (st != BENCH_MISS) {
			snprintf(c->error, sizeof(c->error), "replica read: %s", c->conn.errstr);
			if (c->conn.err)
				break;
		}
	}
	return NULL;
}

/* Writes a marker to the primary and waits until the replica has it: the
 * replica has loaded the primary's data and follows its stream. */
static int wait_caught_up(struct repl_client *w, struct repl_client *r, char *err, size_t errlen)
{
	uint64_t deadline = util_now_ns() + REPL_SYNC_NS;
	const uint64_t marker = REPL_BLOCK - 1;   /* never a write's seq */

	fill(w, marker, true);
	if (w->conn.driver->exec(&w->conn, &w->req, 1) < 0 || w->req.status != BENCH_OK) {
		snprintf(err, errlen, "cannot write to the primary: %s", w->conn.errstr);
		return -1;
	}
	for (;;) {
		fill(r, marker, false);
		if (r->conn.driver->exec(&r->conn, &r->req, 1) < 0) {
			snprintf(err, errlen, "the replica went away: %s", r->conn.errstr);
			return -1;
		}
		if (r->req.status == BENCH_OK)
			return 0;
		if (util_now_ns() > deadline || runner_stop_requested()) {
			snprintf(err, errlen, "the replica did not catch up with its primary within %llu s",
				 REPL_SYNC_NS / 1000000000ull);
			return -1;
		}
		util_sleep_until_ns(util_now_ns() + 10000000); /* polling a condition, 10 ms */
	}
}

int replication_run_phase(const struct workload *w, const struct wl_phase *ph, size_t phase_index, uint64_t repeat,
			  const struct bench_driver *drv, const struct bench_target *bt, struct server_set *set,
			  const struct server *primary, struct phase_result *out)
{
	struct repl_run run = {.ph = ph, .bt = bt};
	struct bench_target replica_bt = *bt;
	size_t n = ph->clients + 1;             /* the writers, then the reader */
	struct repl_client *cl = xcalloc(n, sizeof(*cl));
	struct server *replica = NULL;
	struct rng rng;
	char *value;
	size_t started = 0;
	int rc = -1;

	out->phase = ph;
	out->repeat = repeat;
	out->engine = "blocking";
	snprintf(out->engine_reason, sizeof(out->engine_reason), "a replication phase (a thread per writer)");
	run.base = keygen_phase_block(REPL_ID_BASE, REPL_BLOCK, repeat, phase_index);
	run.key_cap = keygen_key_len(bt->prefix);
	run.acked_ns = xcalloc(REPL_MAX_WRITES, sizeof(*run.acked_ns));
	rng_seed(&rng, w->seed, UINT64_C(0x4E71) + repeat * 64 + phase_index);
	value = keygen_value_buffer(w->values.size_min, &rng);
	run.value = value;
	run.value_len = w->values.size_min;

	{
		char err[400];

		if (servers_spawn_replica(set, drv, primary, &replica, err, sizeof(err)) != 0) {
			snprintf(out->error, sizeof(out->error), "no replica: %s", err);
			goto done;
		}
	}
	replica_bt.uri = replica->uri;
	for (size_t i = 0; i < n; i++) {
		struct repl_client *c = &cl[i];

		c->run = &run;
		c->index = i;
		c->key = xmalloc(run.key_cap);
		c->stats.lat = hist_new_latency();
		c->stats.lat_uncorrected = hist_new_latency();
		c->conn.driver = drv;
		c->conn.target = i + 1 < n ? bt : &replica_bt;
		if (drv->open(&c->conn) < 0) {
			snprintf(out->error, sizeof(out->error), "cannot connect to the %s: %s",
				 i + 1 < n ? "primary" : "replica", c->conn.errstr);
			goto done;
		}
	}
	cl[n - 1].lag = hist_new_latency();
	if (wait_caught_up(&cl[0], &cl[n - 1], out->error, sizeof(out->error)) < 0)
		goto done;

	for (; started < n; started++)
		if (pthread_create(&cl[started].thread, NULL, started + 1 < n ? writer : reader, &cl[started]) != 0) {
			snprintf(out->error, sizeof(out->error), "cannot start a thread: %s", strerror(errno));
			break;
		}
	run.end_ns = util_now_ns() + ph->duration_ns;
	atomic_store(&run.go, 1);
	for (size_t i = 0; i < started; i++)
		pthread_join(cl[i].thread, NULL);
	if (started < n)
		goto done;
	out->duration_s = (double)ph->duration_ns / 1e9;
	out->interrupted = runner_stop_requested();
	out->repl.ran = true;
	out->repl.lag = cl[n - 1].lag;
	cl[n - 1].lag = NULL;
	rc = 0;
done:
	for (size_t i = 0; i < n; i++) {
		struct repl_client *c = &cl[i];

		if (c->error[0] && !out->error[0])
			snprintf(out->error, sizeof(out->error), "%s", c->error);
		op_stats_merge(&out->ops[i + 1 < n ? BENCH_OP_SET : BENCH_OP_GET], &c->stats);
		op_stats_free(&c->stats);
		hist_free(c->lag);
		drv->close(&c->conn);
		free(c->key);
	}
	servers_stop(replica);
	free(cl);
	free(value);
	free(run.acked_ns);
	return rc;
}
