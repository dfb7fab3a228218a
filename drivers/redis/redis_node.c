/*
 * redis_node.c - the redis driver on one server, the path every request of
 * get/set/delete on plain records takes: the reply reader, a batch
 * formatted once in RESP and pipelined (exec, or send then collect so a
 * cluster batch reaches every node before any reply is read), and the
 * event engine's hooks over the same buffers.
 *
 * Replies are not built as redisReply objects: the connection's reader gets
 * its own redisReplyObjectFunctions that record the top-level reply's type,
 * integer, length and (for errors) text into a per-connection slot, and copy
 * a GET value straight from the reader's buffer into req->out. That keeps
 * exec() free of reply allocations and keeps the request -> reply logic in
 * small functions (redis_request_argv, redis_reply_begin/_finish) that work
 * the same with a bare redisReader fed from a non-blocking socket. What
 * else a reply means is the business of whoever armed the slot: the
 * general path (redis_ops.c) reads array elements through the slot's
 * `element` hook, the cluster (redis_cluster.c) notes MOVED and ASK
 * through its `error` hook. This file calls neither.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hiredis.h>

#include "driver.h"
#include "redis_int.h"

/* ---- reply functions for the reader ---- */

/* An element that is not a string (nil, a number, an array) goes to the
 * slot's element hook too, with no text: a hook that writes a command per
 * element (a range's fetch) must see every place the array announced. */
static void *redis_reply_element(struct redis_reply *r, const redisReadTask *task)
{
	if (r->element && r->element(r, task, NULL, 0) < 0)
		return NULL; /* out of memory: hiredis fails the read */
	return r;
}

static void *redis_reply_string(const redisReadTask *task, char *str, size_t len)
{
	struct redis_reply *r = task->privdata;
	size_t n;

	if (r->rc->trace)
		redis_trace_reply(r->rc->trace, task, 0, str, len);
	if (task->parent) {
		if (r->element && r->element(r, task, str, len) < 0)
			return NULL; /* out of memory: hiredis fails the read */
		return r;
	}
	r->type = task->type;
	r->len = len;
	if (task->type == REDIS_REPLY_STRING) {
		/* The value lives in the reader's buffer only during this call. */
		if (r->req && r->req->out && r->kind <= RK_GET) {
			n = len < r->req->out_cap ? len : r->req->out_cap;
			if (n)
				memcpy(r->req->out, str, n);
		}
	} else {
		n = len < sizeof(r->text) - 1 ? len : sizeof(r->text) - 1;
		memcpy(r->text, str, n);
		r->text[n] = '\0';
		if (task->type == REDIS_REPLY_ERROR && r->error)
			r->error(r->error_arg, r->req, str, len);
	}
	/* Any non-NULL pointer: NULL would mean out of memory to hiredis. */
	return r;
}

#if HIREDIS_MAJOR >= 1
static void *redis_reply_array(const redisReadTask *task, size_t elements)
#else
static void *redis_reply_array(const redisReadTask *task, int elements)
#endif
{
	struct redis_reply *r = task->privdata;

	if (r->rc->trace)
		redis_trace_reply(r->rc->trace, task, (long long)elements, NULL, 0);
	if (task->parent)
		return redis_reply_element(r, task);
	r->type = REDIS_REPLY_ARRAY;
	r->integer = (long long)elements;
	return r;
}

static void *redis_reply_integer(const redisReadTask *task, long long value)
{
	struct redis_reply *r = task->privdata;

	if (r->rc->trace)
		redis_trace_reply(r->rc->trace, task, value, NULL, 0);
	if (task->parent)
		return redis_reply_element(r, task);
	r->type = REDIS_REPLY_INTEGER;
	r->integer = value;
	return r;
}

static void *redis_reply_nil(const redisReadTask *task)
{
	struct redis_reply *r = task->privdata;

	if (r->rc->trace)
		redis_trace_reply(r->rc->trace, task, 0, NULL, 0);
	if (task->parent)
		return redis_reply_element(r, task);
	r->type = REDIS_REPLY_NIL;
	return r;
}

/* The "objects" are the slot itself: nothing to free. */
static void redis_reply_free(void *obj)
{
	(void)obj;
}

/* Not const: redisReader.fn is a plain pointer. Never written. */
redisReplyObjectFunctions redis_slot_fns = {
	.createString = redis_reply_string,
	.createArray = redis_reply_array,
	.createInteger = redis_reply_integer,
	.createNil = redis_reply_nil,
	.freeObject = redis_reply_free,
};

/* ---- request -> command, reply -> status (engine independent) ---- */

/* SET's arguments at most: SET key value PX ms. */
#define REDIS_ARGV_MAX 5

int redis_ttl_args(uint64_t ttl_ms, const char **argv, size_t *argvlen, char *buf)
{
	int len;

	if (!ttl_ms)
		return 0;
	/* EX for whole seconds, PX below or between (sub-second precision). */
	if (ttl_ms % 1000 == 0)
		len = snprintf(buf, REDIS_TTL_BUF, "%" PRIu64, ttl_ms / 1000);
	else
		len = snprintf(buf, REDIS_TTL_BUF, "%" PRIu64, ttl_ms);
	argv[0] = ttl_ms % 1000 == 0 ? "EX" : "PX";
	argvlen[0] = 2;
	argv[1] = buf;
	argvlen[1] = (size_t)len;
	return 2;
}

/* Fills argv/argvlen (REDIS_ARGV_MAX slots) for req; returns argc, 0 for an
 * unknown op. ttl_buf (REDIS_TTL_BUF bytes) holds the expiry's digits. */
static int redis_request_argv(const struct bench_request *req, const char **argv, size_t *argvlen, char *ttl_buf)
{
	argv[1] = req->key;
	argvlen[1] = req->key_len;
	switch (req->op) {
	case BENCH_OP_GET:
		argv[0] = "GET";
		argvlen[0] = 3;
		return 2;
	case BENCH_OP_SET:
		argv[0] = "SET";
		argvlen[0] = 3;
		argv[2] = req->value ? req->value : "";
		argvlen[2] = req->value_len;
		return 3 + redis_ttl_args(req->ttl_ms, argv + 3, argvlen + 3, ttl_buf);
	case BENCH_OP_DELETE:
		argv[0] = "DEL";
		argvlen[0] = 3;
		return 2;
	default:
		return 0;
	}
}

void redis_reply_begin(struct redis_reply *r, struct bench_request *req)
{
	r->kind = RK_TOP;
	r->element = NULL;
	r->type = 0;
	r->integer = 0;
	r->len = 0;
	r->text[0] = '\0';
	r->req = req;
}

/* Turns the parsed reply in the slot into req->status. */
static void redis_reply_finish(struct bench_conn *conn, struct redis_reply *r, struct bench_request *req)
{
	r->req = NULL;
	if (r->type == REDIS_REPLY_ERROR) {
		req->status = BENCH_ERROR;
		bench_conn_error(conn, "%s", r->text);
		return;
	}
	switch (req->op) {
	case BENCH_OP_GET:
		if (r->type == REDIS_REPLY_STRING) {
			req->status = BENCH_OK;
			req->value_len_out = r->len;
			return;
		}
		if (r->type == REDIS_REPLY_NIL) {
			req->status = BENCH_MISS;
			return;
		}
		break;
	case BENCH_OP_SET:
		if (r->type == REDIS_REPLY_STATUS) {
			req->status = BENCH_OK;
			return;
		}
		break;
	case BENCH_OP_DELETE:
		if (r->type == REDIS_REPLY_INTEGER) {
			req->status = r->integer > 0 ? BENCH_OK : BENCH_MISS;
			return;
		}
		break;
	default:
		break;
	}
	req->status = BENCH_ERROR;
	bench_conn_error(conn, "redis: unexpected reply type %d to %s", r->type, bench_op_name(req->op));
}

/* Gives every sent-but-unanswered request in [from, n) the status st. */
static void redis_fail_rest(struct bench_request *reqs, size_t from, size_t n, enum bench_status st)
{
	for (size_t i = from; i < n; i++)
		if (reqs[i].status != BENCH_UNSUPPORTED)
			reqs[i].status = st;
}

/* Whether ctx failed on the socket timeout: an EAGAIN from a blocking
 * socket is SO_RCVTIMEO/SO_SNDTIMEO running out, which hiredis reports as
 * strerror(EAGAIN), "Resource temporarily unavailable" (its text, set at
 * the failure, rather than errno, which later calls may have changed). */
static int redis_ctx_timed_out(const redisContext *ctx)
{
	return ctx->err == REDIS_ERR_IO && strcmp(ctx->errstr, strerror(EAGAIN)) == 0;
}

static unsigned redis_timeout_ms(const struct bench_conn *conn)
{
	return conn->target->timeout_ms ? conn->target->timeout_ms : REDIS_DEFAULT_TIMEOUT_MS;
}

const char *redis_ctx_errtext(const struct bench_conn *conn, const redisContext *ctx)
{
	static _Thread_local char text[48];

	if (!redis_ctx_timed_out(ctx))
		return ctx->errstr[0] ? ctx->errstr : "connection lost";
	snprintf(text, sizeof(text), "timeout after %u ms", redis_timeout_ms(conn));
	return text;
}

/*
 * After a failed hiredis call: a timeout, or the connection lost. Either
 * way the connection is given up, since later replies would be matched to
 * the wrong requests.
 */
enum bench_status redis_ctx_failed(struct bench_conn *conn, redisContext *ctx)
{
	int timed_out = redis_ctx_timed_out(ctx);

	bench_conn_lost(conn, "redis: %s", redis_ctx_errtext(conn, ctx));
	return timed_out ? BENCH_TIMEOUT : BENCH_DISCONNECTED;
}

/*
 * Gives every request its initial status, so a failure part-way through
 * leaves no stale status (or counts) from the caller's previous batch.
 * Returns 0, or -1 when the connection is unusable (every status
 * DISCONNECTED).
 */
int redis_begin_batch(struct bench_conn *conn, struct bench_request *reqs, size_t n)
{
	struct redis_conn *rc = conn->priv;

	for (size_t i = 0; i < n; i++) {
		reqs[i].value_len_out = 0;
		reqs[i].items_out = reqs[i].calls_out = 0;
		reqs[i].status = (unsigned)reqs[i].op < BENCH_OP__WIRE_COUNT ? BENCH_DISCONNECTED : BENCH_UNSUPPORTED;
	}
	if (conn->err || !rc || !rc->ctx) {
		for (size_t i = 0; i < n; i++)
			reqs[i].status = BENCH_DISCONNECTED;
		return -1;
	}
	return 0;
}

/*
 * Formats the batch's commands in RESP into one buffer that lives as long
 * as the connection, so a request costs no allocation (hiredis's argv API
 * allocates per command); hiredis still parses the replies. Requests whose
 * op has no command become UNSUPPORTED. Returns 0, or -1 (out of memory;
 * the connection is lost).
 */
int redis_node_format(struct bench_conn *conn, struct bench_request *reqs, size_t n)
{
	struct redis_conn *rc = conn->priv;
	size_t need = 0;
	char *p;

	for (size_t i = 0; i < n; i++)
		if (reqs[i].status != BENCH_UNSUPPORTED)
			need += 64 + reqs[i].key_len +
				(reqs[i].op == BENCH_OP_SET ? reqs[i].value_len + (reqs[i].ttl_ms ? 40 : 0) : 0);
	if (need > rc->wcap) {
		char *b = realloc(rc->wbuf, need);

		if (!b)
			return bench_conn_lost(conn, "redis: out of memory for a batch of %zu bytes", need);
		rc->wbuf = b;
		rc->wcap = need;
	}
	p = rc->wbuf;
	for (size_t i = 0; i < n; i++) {
		const char *argv[REDIS_ARGV_MAX];
		size_t argvlen[REDIS_ARGV_MAX];
		char ttl_buf[REDIS_TTL_BUF];
		int argc;

		if (reqs[i].status == BENCH_UNSUPPORTED)
			continue;
		argc = redis_request_argv(&reqs[i], argv, argvlen, ttl_buf);
		if (!argc) {
			reqs[i].status = BENCH_UNSUPPORTED;
			continue;
		}
		reqs[i].calls_out = 1;
		p = redis_resp_len(p, '*', (size_t)argc);
		for (int a = 0; a < argc; a++) {
			p = redis_resp_len(p, '$', argvlen[a]);
			memcpy(p, argv[a], argvlen[a]);
			p += argvlen[a];
			*p++ = '\r';
			*p++ = '\n';
		}
	}
	rc->wlen = (size_t)(p - rc->wbuf);
	rc->woff = 0;
	if (rc->trace) /* --trace: the commands as they leave (both engines) */
		redis_trace_sent(rc->trace, rc->wbuf, rc->wlen);
	return 0;
}

/* Blocking path: starts the batch and hands its commands, formatted once
 * (redis_node_format), to hiredis's output buffer. Returns 0, or -1 when
 * the connection is or became unusable (statuses DISCONNECTED). */
static int redis_queue(struct bench_conn *conn, struct bench_request *reqs, size_t n)
{
	struct redis_conn *rc = conn->priv;

	if (redis_begin_batch(conn, reqs, n) < 0 || redis_node_format(conn, reqs, n) < 0)
		return -1;
	if (rc->wlen && redisAppendFormattedCommand(rc->ctx, rc->wbuf, rc->wlen) != REDIS_OK)
		return bench_conn_lost(conn, "redis: %s", rc->ctx->errstr); /* out of memory only */
	return 0;
}

int redis_node_collect(struct bench_conn *conn, struct bench_request *reqs, size_t n)
{
	struct redis_conn *rc = conn->priv;
	void *obj;
	size_t i;

	for (i = 0; i < n; i++) {
		if (reqs[i].status == BENCH_UNSUPPORTED)
			continue;
		redis_reply_begin(&rc->reply, &reqs[i]);
		if (redis_get_reply(rc->ctx, rc->reply_cap, &obj) != REDIS_OK || obj != &rc->reply) {
			rc->reply.req = NULL;
			redis_fail_rest(reqs, i, n, redis_ctx_failed(conn, rc->ctx));
			return -1;
		}
		redis_reply_finish(conn, &rc->reply, &reqs[i]);
	}
	return 0;
}

int redis_node_exec(struct bench_conn *conn, struct bench_request *reqs, size_t n)
{
	/* Queue the whole batch; the first redisGetReply flushes it at once. */
	if (redis_queue(conn, reqs, n) < 0)
		return -1;
	return redis_node_collect(conn, reqs, n);
}

int redis_node_plain(const struct redis_conn *rc, const struct bench_request *reqs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		enum bench_op op = reqs[i].op;

		if (op == BENCH_OP_GET) {
			if (rc->hash_records && reqs[i].fields)
				return 0;
		} else if (op == BENCH_OP_SET || op == BENCH_OP_DELETE) {
			if (rc->idx_range || rc->idx_query || (op == BENCH_OP_SET && rc->hash_records && reqs[i].fields))
				return 0;
		} else if ((unsigned)op < BENCH_OP__WIRE_COUNT) {
			return 0;
		}
	}
	return 1;
}

int redis_node_send(struct bench_conn *conn, struct bench_request *reqs, size_t n)
{
	struct redis_conn *rc = conn->priv;
	int done = 0;

	if (!rc || !redis_node_plain(rc, reqs, n))
		return 0;
	if (redis_queue(conn, reqs, n) < 0)
		return -1;
	while (!done) {
		if (redisBufferWrite(rc->ctx, &done) != REDIS_OK) {
			redis_fail_rest(reqs, 0, n, redis_ctx_failed(conn, rc->ctx));
			return -1;
		}
	}
	return 1;
}

/* ---- the event-driven engine: hiredis's buffers over a non-blocking socket ---- */

/* The socket of one server's connection. Declines (-1, conn->err not set,
 * errstr saying why) TLS: the event engine writes to the socket itself,
 * past hiredis_ssl. Every op runs on it (redis_ops.c's event hooks take
 * what the plain path cannot). */
int redis_node_event_fd(struct bench_conn *conn)
{
	struct redis_conn *rc = conn->priv;

	if (!rc || !rc->ctx)
		return -1;
	if (rc->ssl)
		return bench_conn_error(conn, "TLS (the event engine writes past hiredis_ssl)");
	return rc->ctx->fd;
}

int redis_node_flush(struct bench_conn *conn)
{
	struct redis_conn *rc = conn->priv;

	while (rc->woff < rc->wlen) {
		ssize_t w = write(rc->ctx->fd, rc->wbuf + rc->woff, rc->wlen - rc->woff);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (w < 0) {
			redis_fail_rest(rc->batch, rc->next, rc->batch_n, BENCH_DISCONNECTED);
			return bench_conn_lost(conn, "redis: write: %s", strerror(errno));
		}
		rc->woff += (size_t)w;
	}
	return 1;
}

int redis_node_nonblocking(struct bench_conn *conn)
{
	struct redis_conn *rc = conn->priv;

	if (!rc->nonblocking) {
		int flags = fcntl(rc->ctx->fd, F_GETFL);

		if (flags < 0 || fcntl(rc->ctx->fd, F_SETFL, flags | O_NONBLOCK) < 0)
			return bench_conn_lost(conn, "redis: cannot make the socket non-blocking: %s", strerror(errno));
		/* Without REDIS_BLOCK, hiredis's read treats EAGAIN as "try later". */
		rc->ctx->flags &= ~REDIS_BLOCK;
		rc->nonblocking = 1;
	}
	return 0;
}

int redis_node_submit(struct bench_conn *conn, struct bench_request *reqs, size_t n)
{
	struct redis_conn *rc = conn->priv;

	if (redis_begin_batch(conn, reqs, n) < 0 || redis_node_nonblocking(conn) < 0)
		return -1;
	rc->batch = reqs;
	rc->batch_n = n;
	rc->next = 0;
	if (redis_node_format(conn, reqs, n) < 0)
		return -1;
	return redis_node_flush(conn);
}

int redis_node_on_readable(struct bench_conn *conn)
{
	struct redis_conn *rc = conn->priv;
	void *obj;

	if (redisBufferRead(rc->ctx) != REDIS_OK) {
		redis_fail_rest(rc->batch, rc->next, rc->batch_n, redis_ctx_failed(conn, rc->ctx));
		return -1;
	}
	for (; rc->next < rc->batch_n; rc->next++) {
		struct bench_request *req = &rc->batch[rc->next];

		if (req->status == BENCH_UNSUPPORTED)
			continue;
		redis_reply_begin(&rc->reply, req);
		if (redisGetReplyFromReader(rc->ctx, &obj) != REDIS_OK) {
			rc->reply.req = NULL;
			redis_fail_rest(rc->batch, rc->next, rc->batch_n, redis_ctx_failed(conn, rc->ctx));
			return -1;
		}
		if (!obj) {
			rc->reply.req = NULL;
			if (redis_reader_bound(rc->ctx, rc->reply_cap) < 0) { /* announced or grown too long */
				redis_fail_rest(rc->batch, rc->next, rc->batch_n, redis_ctx_failed(conn, rc->ctx));
				return -1;
			}
			return 0; /* the rest has not arrived yet */
		}
		if (obj != &rc->reply) {
			rc->reply.req = NULL;
			redis_fail_rest(rc->batch, rc->next, rc->batch_n, BENCH_DISCONNECTED);
			return bench_conn_lost(conn, "redis: reply parsed outside its slot");
		}
		redis_reply_finish(conn, &rc->reply, req);
	}
	return 1;
}

int redis_timeout_lost(struct bench_conn *conn)
{
	return bench_conn_lost(conn, "redis: timeout after %u ms", redis_timeout_ms(conn));
}

void redis_node_expire(struct bench_conn *conn)
{
	struct redis_conn *rc = conn->priv;

	redis_fail_rest(rc->batch, rc->next, rc->batch_n, BENCH_TIMEOUT);
	redis_timeout_lost(conn);
}
