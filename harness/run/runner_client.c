/* runner_client.c - the per-client logic both engines share (runner_int.h):
 * drawing a batch, recording its answers, reconnecting; and the process-wide
 * stop request. runner.c (the blocking engine and the phase) and
 * runner_event.c (the event engine) call it; it calls neither. */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dist.h"
#include "evd.h"
#include "keygen.h"
#include "pacer.h"
#include "rng.h"
#include "run_trace.h"
#include "runner.h"
#include "runner_int.h"
#include "shard.h"
#include "util.h"

static atomic_int stop_requested;
static _Atomic uint64_t stop_requested_ns; /* when (CLOCK_MONOTONIC), 0 = never */

void runner_request_stop(void)
{
	uint64_t zero = 0;

	/* clock_gettime is async-signal-safe; keep the first request's time. */
	atomic_compare_exchange_strong(&stop_requested_ns, &zero, util_now_ns());
	atomic_store(&stop_requested, 1);
}

int runner_stop_requested(void)
{
	return atomic_load(&stop_requested);
}

uint64_t runner_stop_requested_at(void)
{
	return atomic_load(&stop_requested_ns);
}

static enum bench_op draw_op(const struct phase_ctx *ctx, struct rng *r)
{
	double u = rng_double(r);

	for (int op = 0; op < ctx->last_op; op++)
		if (u < ctx->cum[op])
			return (enum bench_op)op;
	return (enum bench_op)ctx->last_op;
}

/*
 * The record an insert creates: beyond the loaded keyspace, interleaved over
 * the clients so no two clients insert the same key. The client's "latest"
 * cursor then counts every client as having inserted as many as it has,
 * which keeps its draws reproducible (they never depend on other clients).
 */
static uint64_t next_insert_id(const struct phase_ctx *ctx, struct client *c)
{
	uint64_t id = ctx->w->keyspace.records + c->inserts * ctx->clients + c->index;

	c->inserts++;
	c->cursor.newest = ctx->w->keyspace.records - 1 + c->inserts * ctx->clients;
	return id;
}

/* A record's value length: one value, or `fields` fields of a drawn size. */
static size_t record_len(const struct phase_ctx *ctx, struct client *c)
{
	uint64_t len = sizegen_next(ctx->sizes, &c->rng);

	return (size_t)(ctx->w->values.fields ? len * ctx->w->values.fields : len);
}

void runner_pacer_init(const struct phase_ctx *ctx, struct client *c)
{
	pacer_init(&c->pacer, ctx->start_ns, ctx->client_rate, ctx->ph->pipeline, (double)c->index / (double)ctx->clients);
	/* The gaps' stream is seeded from the client's own, before any of its
	 * draws: the same schedule in every target and run. */
	if (ctx->ph->arrival == WL_ARRIVAL_FB_ETC)
		pacer_set_gaps(&c->pacer, EVD_ETC_GAP_XI, rng_next(&c->rng), c->index);
}

/* A malformed trace line, or a trace that cannot be read further: an error
 * of `get` (a line's op is not known), with its message as the phase's
 * first failure when it is the first. */
static void trace_error(struct worker *wk, int measuring, const char *msg)
{
	wk->stats[measuring][BENCH_OP_GET].status[BENCH_ERROR]++;
	/* A long message is cut to first_error's size (the check tells the
	 * compiler the cut is meant). */
	if (!wk->first_error[0] && snprintf(wk->first_error, sizeof(wk->first_error), "trace: %s", msg) < 0)
		wk->first_error[0] = '\0';
}

int runner_trace_peek(struct worker *wk, struct client *c, int measuring)
{
	const struct phase_ctx *ctx = wk->ctx;
	char err[256];
	uint64_t line;

	while (!c->trace_pending && c->replay) {
		int rc = trace_next(c->replay, &c->trace_rec, &line, err, sizeof(err));

		if (rc == 1) {
			if (!c->trace_started) {
				c->trace_started = 1;
				c->trace_t0_us = c->trace_rec.ts_us;
			}
			c->trace_pending = trace_key_owner(c->trace_rec.key, c->trace_rec.key_len, ctx->clients) ==
					   c->index;
			continue;
		}
		/* Every client reads every line: one counts each bad one. */
		if (rc == -1 && line % ctx->clients == c->index)
			trace_error(wk, measuring, err);
		if (rc == -2 && c->index == 0)
			trace_error(wk, measuring, err);
		if (rc != -1) {
			trace_close(c->replay);
			c->replay = NULL;
		}
	}
	return c->trace_pending;
}

uint64_t runner_trace_due(const struct phase_ctx *ctx, const struct client *c)
{
	uint64_t ts = c->trace_rec.ts_us > c->trace_t0_us ? c->trace_rec.ts_us - c->trace_t0_us : 0;

	return ctx->start_ns + (uint64_t)((double)ts * 1000.0 / ctx->w->keyspace.trace_speed);
}

/* runner_fill_batch for a trace: the client's next records, in the
 * trace's order, with the trace's sizes and TTLs. */
static size_t fill_trace_batch(struct worker *wk, struct client *c, int measuring, size_t *drawn)
{
	const struct phase_ctx *ctx = wk->ctx;
	size_t n = 0;

	for (size_t i = 0; i < ctx->ph->pipeline && runner_trace_peek(wk, c, measuring); i++) {
		const struct trace_rec *t = &c->trace_rec;
		struct bench_request *rq = &c->reqs[n];
		char *key = c->keys + n * c->key_len;

		c->trace_pending = 0;
		(*drawn)++;
		rq->op = c->logical[n] = t->op;
		rq->key = key;
		/* Copied now: the next read reuses the line's buffer. */
		rq->key_len = trace_map_key(ctx->w->keyspace.prefix, c->prefix_len, t->key, t->key_len, key);
		rq->value = c->values;
		rq->value_len = t->op == BENCH_OP_SET ? (size_t)t->value_size : 0;
		rq->ttl_ms = t->op == BENCH_OP_SET ? t->ttl_ms : 0;
		rq->status = BENCH_OK;
		rq->value_len_out = 0;
		rq->items_out = rq->calls_out = 0;
		if (!(ctx->supported & (1u << t->op))) {
			wk->stats[measuring][t->op].status[BENCH_UNSUPPORTED]++;
			continue;
		}
		n++;
	}
	return n;
}

size_t runner_fill_batch(struct worker *wk, struct client *c, int measuring, size_t *drawn)
{
	struct phase_ctx *ctx = wk->ctx;
	size_t want, n = 0;

	*drawn = 0;
	if (ctx->replay)
		return fill_trace_batch(wk, c, measuring, drawn);
	if (ctx->load) {
		want = c->end_id - c->next_id < ctx->ph->batch ? c->end_id - c->next_id : ctx->ph->batch;
	} else {
		want = ctx->ph->pipeline;
		if (ctx->ph->ops && measuring && c->quota < want)
			want = c->quota;
	}
	for (size_t i = 0; i < want; i++) {
		struct bench_request *rq = &c->reqs[n];
		char *key = c->keys + n * c->key_len;
		enum bench_op op;
		uint64_t id;

		if (ctx->load) {
			op = BENCH_OP_SET;
			id = c->next_id++;
		} else {
			op = draw_op(ctx, &c->rng);
			id = op == BENCH_OP_INSERT ? next_insert_id(ctx, c) : dist_next(ctx->dist, &c->cursor, &c->rng);
		}
		(*drawn)++;
		keygen_set_id(key + c->prefix_len, id);
		c->logical[n] = op;
		/* What the driver is sent: inserts are sets, an rmw starts as a get. */
		rq->op = op == BENCH_OP_INSERT ? BENCH_OP_SET : op == BENCH_OP_RMW ? BENCH_OP_GET : op;
		rq->key = key;
		rq->key_len = c->key_len;
		if (ctx->key_sizes)
			rq->key_len = keygen_sized_len(ctx->key_sizes, ctx->w->seed, id, c->prefix_len + KEYGEN_DIGITS,
						       c->key_len);
		rq->value = c->values;
		rq->value_len = rq->op == BENCH_OP_SET ? record_len(ctx, c) : 0;
		rq->fields = (unsigned)ctx->w->values.fields;
		/* Drawn now, not after the read, so the draws never depend on answers. */
		c->rmw_len[n] = op == BENCH_OP_RMW ? record_len(ctx, c) : 0;
		/* The TTL of a write (an rmw's too, which copies it), drawn only
		 * when the workload has one, so that a workload without keeps
		 * the draws it always had. */
		rq->ttl_ms = 0;
		if (ctx->ttls && (rq->op == BENCH_OP_SET || op == BENCH_OP_RMW))
			rq->ttl_ms = sizegen_next(ctx->ttls, &c->rng);
		rq->status = BENCH_OK;
		rq->value_len_out = 0;
		rq->items_out = rq->calls_out = 0;
		if (ctx->has_args)
			runner_fill_args(ctx, c, rq, c->args + n * c->arg_cap, id);
		/* Drawn in full all the same: every target sees the same
		 * sequence of ops, keys and sizes, whatever it supports. */
		if (!(ctx->supported & (1u << op))) {
			wk->stats[measuring][op].status[BENCH_UNSUPPORTED]++;
			continue;
		}
		n++;
	}
	return n;
}

size_t runner_prepare_rmw_writes(struct client *c, size_t n)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		enum bench_status st = c->reqs[i].status;

		if (c->logical[i] != BENCH_OP_RMW || (st != BENCH_OK && st != BENCH_MISS))
			continue;
		c->second[m] = c->reqs[i];
		c->second[m].op = BENCH_OP_SET;
		c->second[m].value_len = c->rmw_len[i];
		c->second[m].out = NULL;
		if (c->ctx_categories)
			runner_fill_args(c->ctx_categories, c, &c->second[m], c->args + i * c->arg_cap,
					 keygen_parse_id(c->reqs[i].key + c->prefix_len));
		c->second_slot[m++] = i;
	}
	return c->conn.err ? 0 : m;
}

void runner_finish_rmw_writes(struct client *c, size_t m)
{
	for (size_t k = 0; k < m; k++)
		c->reqs[c->second_slot[k]].status = c->second[k].status;
}

void runner_record_batch(struct worker *wk, struct client *c, int measured, uint64_t intended, uint64_t sent,
			 uint64_t done, uint64_t done_rmw, size_t n)
{
	/* In a pipeline every request waits for the whole batch, so the
	 * answered requests of one op share one latency: recorded once per
	 * op with a count, not once per request. */
	uint32_t answered[BENCH_OP__COUNT];
	unsigned ops = 0;

	for (size_t i = 0; i < n; i++) {
		enum bench_op op = c->logical[i];
		struct op_stats *s = &wk->stats[measured][op];
		enum bench_status st = c->reqs[i].status;
		uint64_t end = op == BENCH_OP_RMW ? done_rmw : done;

		s->status[st]++;
		ts_count(wk->ts, op, st, end);
		if (st == BENCH_OK || st == BENCH_MISS) {
			s->items += c->reqs[i].items_out;
			s->calls += c->reqs[i].calls_out;
			if (!(ops & (1u << op))) {
				ops |= 1u << op;
				answered[op] = 0;
			}
			answered[op]++;
		} else if (st != BENCH_UNSUPPORTED && !wk->first_error[0]) {
			snprintf(wk->first_error, sizeof(wk->first_error), "%s %s: %s", bench_op_name(op),
				 bench_status_name(st), c->conn.errstr);
		}
	}
	if (measured)
		atomic_fetch_add_explicit(&wk->done, n, memory_order_relaxed);
	while (ops) {
		int op = __builtin_ctz(ops);
		struct op_stats *s = &wk->stats[measured][op];
		uint64_t end = op == BENCH_OP_RMW ? done_rmw : done;

		ops &= ops - 1;
		hist_record_n(s->lat, (int64_t)(end - intended), answered[op]);
		hist_record_n(s->lat_uncorrected, (int64_t)(end - sent), answered[op]);
		ts_latency_n(wk->ts, (enum bench_op)op, (int64_t)(end - intended), answered[op]);
	}
}

int runner_reconnect(struct worker *wk, struct client *c, uint64_t now)
{
	const struct bench_driver *drv = c->conn.driver;

	if (!c->down) {
		c->down = 1;
		c->down_since = now;
		c->retry_at = now + c->backoff_ns;
	}
	if (now < c->retry_at)
		return 1;
	/* The old connection (or a failed attempt) is closed before the
	 * next open: close() accepts both (driver.h). */
	drv->close(&c->conn);
	c->conn.priv = NULL;
	c->conn.err = 0;
	c->backoff_ns = c->backoff_ns == 0 ? RUNNER_BACKOFF_MIN_NS
		      : c->backoff_ns >= RUNNER_BACKOFF_MAX_NS / 2 ? RUNNER_BACKOFF_MAX_NS : c->backoff_ns * 2;
	if (drv->open(&c->conn) == 0) {
		/* backoff_ns stays grown until the new connection answers a
		 * batch: a server that accepts and then drops every
		 * connection is retried ever more slowly, not in a spin. */
		c->down = 0;
		if (c->conn.trace)
			run_trace_reopened(c->conn.trace);
		wk->reconnects++;
		ts_reconnect(wk->ts, util_now_ns());
		return 0;
	}
	if (!c->conn.err)
		c->conn.err = 1; /* open failed: the connection is unusable */
	now = util_now_ns();
	c->retry_at = now + c->backoff_ns;
	if (!wk->ctx->end_ns && now - c->down_since >= RUNNER_GIVE_UP_NS)
		return -1;
	return 1;
}

void runner_mark_disconnected(struct client *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		c->reqs[i].status = BENCH_DISCONNECTED;
}

uint64_t runner_unsent(const struct phase_ctx *ctx, const struct client *c)
{
	uint64_t due = pacer_due_before(&c->pacer, ctx->end_ns);

	return due > c->pacer.batches ? (due - c->pacer.batches) * ctx->ph->pipeline : 0;
}

void runner_worker_finished(struct worker *wk)
{
	struct phase_ctx *ctx = wk->ctx;

	wk->finished_ns = util_now_ns();
	ts_local_done(wk->ts);
	pthread_mutex_lock(&ctx->mu);
	ctx->finished++;
	pthread_cond_signal(&ctx->cv);
	pthread_mutex_unlock(&ctx->mu);
}
