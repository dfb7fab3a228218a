/*
 * redis.c - the `redis` driver over one blocking hiredis (0.14) connection:
 * open/close, the plain path (GET/SET/DEL of plain records, pipelined when
 * a batch has more than one request) and the event engine. Every other op,
 * and writes that keep an index or fields, take the general path of
 * redis_ops.c.
 *
 * Replies are not built as redisReply objects: the connection's reader gets
 * its own redisReplyObjectFunctions that record the top-level reply's type,
 * integer, length and (for errors) text into a per-connection slot, and copy
 * a GET value straight from the reader's buffer into req->out. That keeps
 * exec() free of reply allocations and keeps the request -> reply logic in
 * small functions (redis_request_argv, redis_reply_begin/_finish) that work
 * the same with a bare redisReader fed from a non-blocking socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include <hiredis.h>

#include "driver.h"
#include "redis_cluster.h"
#include "redis_int.h"

#define REDIS_DEFAULT_PORT 6379

/* The parsed target URI: redis://[[user]:password@]host[:port][/db]. */
struct redis_uri {
	char host[256];
	int port;
	char user[128];         /* "" = no user (AUTH password) */
	char password[256];
	int has_password;
	long db;
	int tls;                /* rediss:// */
};

/* ---- reply functions for the reader ---- */

static void *redis_reply_string(const redisReadTask *task, char *str, size_t len)
{
	struct redis_reply *r = task->privdata;
	size_t n;

	if (task->parent) {
		if (r->kind != RK_TOP && redis_ops_element(r, task, str, len) < 0)
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
		if (task->type == REDIS_REPLY_ERROR && r->rc && r->rc->redir)
			redis_cluster_note(r, str, len); /* MOVED, ASK */
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

	if (!task->parent) {
		r->type = REDIS_REPLY_ARRAY;
		r->integer = (long long)elements;
	}
	return r;
}

static void *redis_reply_integer(const redisReadTask *task, long long value)
{
	struct redis_reply *r = task->privdata;

	if (!task->parent) {
		r->type = REDIS_REPLY_INTEGER;
		r->integer = value;
	}
	return r;
}

static void *redis_reply_nil(const redisReadTask *task)
{
	struct redis_reply *r = task->privdata;

	if (!task->parent)
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

/* Fills argv/argvlen (3 slots) for req; returns argc, 0 for an unknown op. */
static int redis_request_argv(const struct bench_request *req, const char **argv, size_t *argvlen)
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
		return 3;
	case BENCH_OP_DELETE:
		argv[0] = "DEL";
		argvlen[0] = 3;
		return 2;
	default:
		return 0;
	}
}

/* Arms the slot before the reply to req is parsed. */
static void redis_reply_begin(struct redis_reply *r, struct bench_request *req)
{
	r->kind = RK_TOP;
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

/* ---- URI ---- */

static int redis_copy(char *dst, size_t cap, const char *src, size_t len)
{
	if (len >= cap)
		return -1;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return 0;
}

/* Parses uri into u; returns 0, or -1 with a message in err. */
static int redis_uri_parse(const char *uri, struct redis_uri *u, char *err, size_t errlen)
{
	const char *p = uri, *host, *host_end, *port = NULL, *path;
	char *end, why[200];
	long v;
	int rc;

	memset(u, 0, sizeof(*u));
	u->port = REDIS_DEFAULT_PORT;
	if (!uri || !*uri) {
		snprintf(err, errlen, "redis: empty uri (want redis://[:password@]host:port[/db])");
		return -1;
	}
	if (strncmp(p, "redis://", 8) == 0) {
		p += 8;
	} else if (strncmp(p, "rediss://", 9) == 0) {
		p += 9;
		u->tls = 1;
	} else if (strstr(p, "://")) {
		snprintf(err, errlen, "redis: unsupported uri scheme (want redis:// or rediss://)");
		return -1;
	}

	/* The last '@' ends the credentials, so a password may hold '@' or '/';
	 * both parts are percent-decoded (driver.h). Messages from here on
	 * quote the address past them, never the whole uri. */
	rc = bench_uri_credentials(p, u->user, sizeof(u->user), u->password, sizeof(u->password), &p, why, sizeof(why));
	if (rc < 0) {
		snprintf(err, errlen, "redis: %.120s", why);
		return -1;
	}
	u->has_password = rc;
	uri = p; /* quoted below */

	path = strchr(p, '/');
	if (!path)
		path = p + strlen(p);
	if (*p == '[') { /* [ipv6]:port */
		host = p + 1;
		host_end = memchr(host, ']', (size_t)(path - host));
		if (!host_end) {
			snprintf(err, errlen, "redis: unterminated '[' in uri '%s'", uri);
			return -1;
		}
		if (host_end + 1 < path) {
			if (host_end[1] != ':')
				goto bad_host;
			port = host_end + 2;
		}
	} else {
		host = p;
		host_end = memchr(p, ':', (size_t)(path - p));
		if (host_end)
			port = host_end + 1;
		else
			host_end = path;
	}
	if (host_end == host || redis_copy(u->host, sizeof(u->host), host, (size_t)(host_end - host)))
		goto bad_host;
	if (port) {
		errno = 0;
		v = strtol(port, &end, 10);
		if (end == port || end != path || errno || v < 1 || v > 65535) {
			snprintf(err, errlen, "redis: bad port in uri '%s'", uri);
			return -1;
		}
		u->port = (int)v;
	}
	if (*path == '/' && path[1]) {
		errno = 0;
		v = strtol(path + 1, &end, 10);
		if (end == path + 1 || *end || errno || v < 0 || v > INT_MAX) {
			snprintf(err, errlen, "redis: bad database number in uri '%s' (want /<db>)", uri);
			return -1;
		}
		u->db = v;
	}
	return 0;

bad_host:
	snprintf(err, errlen, "redis: bad host in uri '%s' (want redis://[:password@]host:port[/db])", uri);
	return -1;
}

/* ---- hooks ---- */

/* Runs a setup command with normal reply objects; 0 or -1 with errstr. */
static int redis_setup_command(struct bench_conn *conn, int argc, const char **argv, const char *what)
{
	struct redis_conn *rc = conn->priv;
	redisReply *reply = redisCommandArgv(rc->ctx, argc, argv, NULL);
	int ret = 0;

	if (!reply)
		return bench_conn_lost(conn, "redis: %s: %s", what, redis_ctx_errtext(conn, rc->ctx));
	if (reply->type == REDIS_REPLY_ERROR)
		ret = bench_conn_lost(conn, "redis: %s failed: %s", what, reply->str);
	freeReplyObject(reply);
	return ret;
}

/* What the target's records need: hashes, indexes. Returns 0, or -1 with
 * conn->err set (a bad option). */
static int redis_target_config(struct bench_conn *conn, struct redis_conn *rc)
{
	const struct bench_target *t = conn->target;
	const char *fields_as = bench_target_option(t, "fields_as");

	if (fields_as && strcmp(fields_as, "hash") != 0 && strcmp(fields_as, "string") != 0)
		return bench_conn_lost(conn, "redis: option fields_as must be 'hash' or 'string', not '%s'", fields_as);
	rc->prefix = t->prefix ? t->prefix : "";
	rc->prefix_len = strlen(rc->prefix);
	rc->hash_records = t->fields > 0 && !(fields_as && strcmp(fields_as, "string") == 0);
	rc->idx_range = t->index_range != 0;
	rc->idx_query = t->index_query && t->categories > 0;
	rc->categories = t->categories;
	rc->plain = !rc->hash_records && !rc->idx_range && !rc->idx_query;
	rc->reply.rc = rc;
	return 0;
}

static int redis_open(struct bench_conn *conn)
{
	const struct bench_target *t = conn->target;
	unsigned ms = t->timeout_ms ? t->timeout_ms : REDIS_DEFAULT_TIMEOUT_MS;
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };
	struct redis_uri u;
	struct redis_conn *rc;
	char dbstr[24], where[300];

	if (redis_uri_parse(t->uri, &u, conn->errstr, sizeof(conn->errstr))) {
		conn->err = 1;
		return -1;
	}
	rc = calloc(1, sizeof(*rc));
	if (!rc)
		return bench_conn_lost(conn, "redis: out of memory");
	conn->priv = rc;
	if (redis_target_config(conn, rc) < 0)
		return -1;

	rc->ctx = redisConnectWithTimeout(u.host, u.port, tv);
	if (!rc->ctx)
		return bench_conn_lost(conn, "redis: out of memory");
	if (rc->ctx->err)
		return bench_conn_lost(conn, "redis %s:%d: %s", u.host, u.port, redis_ctx_errtext(conn, rc->ctx));
	if (redisSetTimeout(rc->ctx, tv) != REDIS_OK)
		return bench_conn_lost(conn, "redis: cannot set the socket timeout: %s", rc->ctx->errstr);
	/* After the timeout: a TLS handshake with a server that never answers
	 * it must not block for ever. */
	snprintf(where, sizeof(where), "%s:%d", u.host, u.port);
	if (redis_tls_check_options(conn, u.tls) < 0 || (u.tls && redis_tls_start(conn, rc, where) < 0))
		return -1;

	/* The harness's credentials (auth key, environment) win over a uri's. */
	if (t->password ? redis_auth(conn, rc->ctx, where, t->user, t->password)
			: redis_auth(conn, rc->ctx, where, u.user, u.has_password ? u.password : NULL))
		return -1;
	if (u.db) {
		const char *argv[2] = { "SELECT", dbstr };

		snprintf(dbstr, sizeof(dbstr), "%ld", u.db);
		if (redis_setup_command(conn, 2, argv, "SELECT"))
			return -1;
	}

	if (redis_cluster_open(conn) < 0)
		return -1;
	/* From here on the hot path parses into the slot. */
	rc->default_fn = rc->ctx->reader->fn;
	rc->ctx->reader->fn = &redis_slot_fns;
	rc->ctx->reader->privdata = &rc->reply;
	return 0;
}

static void redis_close(struct bench_conn *conn)
{
	struct redis_conn *rc = conn->priv;

	if (!rc)
		return;
	redis_cluster_free(rc->cluster);
	if (rc->ctx)
		redisFree(rc->ctx);
	redis_tls_free(rc);
	free(rc->wbuf);
	free(rc->rs);
	free(rc->pend[0]);
	free(rc->pend[1]);
	free(rc->sorted);
	free(rc);
	conn->priv = NULL;
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
static int redis_format_batch(struct bench_conn *conn, struct bench_request *reqs, size_t n)
{
	struct redis_conn *rc = conn->priv;
	size_t need = 0;
	char *p;

	for (size_t i = 0; i < n; i++)
		if (reqs[i].status != BENCH_UNSUPPORTED)
			need += 64 + reqs[i].key_len + (reqs[i].op == BENCH_OP_SET ? reqs[i].value_len : 0);
	if (need > rc->wcap) {
		char *b = realloc(rc->wbuf, need);

		if (!b)
			return bench_conn_lost(conn, "redis: out of memory for a batch of %zu bytes", need);
		rc->wbuf = b;
		rc->wcap = need;
	}
	p = rc->wbuf;
	for (size_t i = 0; i < n; i++) {
		const char *argv[3];
		size_t argvlen[3];
		int argc;

		if (reqs[i].status == BENCH_UNSUPPORTED)
			continue;
		argc = redis_request_argv(&reqs[i], argv, argvlen);
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
	return 0;
}

/* Blocking path: starts the batch and hands its commands, formatted once
 * (redis_format_batch), to hiredis's output buffer. Returns 0, or -1 when
 * the connection is or became unusable (statuses DISCONNECTED). */
static int redis_queue(struct bench_conn *conn, struct bench_request *reqs, size_t n)
{
	struct redis_conn *rc = conn->priv;

	if (redis_begin_batch(conn, reqs, n) < 0 || redis_format_batch(conn, reqs, n) < 0)
		return -1;
	if (rc->wlen && redisAppendFormattedCommand(rc->ctx, rc->wbuf, rc->wlen) != REDIS_OK)
		return bench_conn_lost(conn, "redis: %s", rc->ctx->errstr); /* out of memory only */
	return 0;
}

/* Reads the replies of a plain batch queued by redis_queue (redis_node_send). */
int redis_node_collect(struct bench_conn *conn, struct bench_request *reqs, size_t n)
{
	struct redis_conn *rc = conn->priv;
	void *obj;
	size_t i;

	for (i = 0; i < n; i++) {
		if (reqs[i].status == BENCH_UNSUPPORTED)
			continue;
		redis_reply_begin(&rc->reply, &reqs[i]);
		if (redisGetReply(rc->ctx, &obj) != REDIS_OK || obj != &rc->reply) {
			rc->reply.req = NULL;
			redis_fail_rest(reqs, i, n, redis_ctx_failed(conn, rc->ctx));
			return -1;
		}
		redis_reply_finish(conn, &rc->reply, &reqs[i]);
	}
	return 0;
}

static int redis_exec_plain(struct bench_conn *conn, struct bench_request *reqs, size_t n)
{
	/* Queue the whole batch; the first redisGetReply flushes it at once. */
	if (redis_queue(conn, reqs, n) < 0)
		return -1;
	return redis_node_collect(conn, reqs, n);
}

/*
 * Whether the batch can take the plain path: only get, set and delete, none
 * of them on a hash record, and no writes while an index is kept. The plain
 * path is the fast one (one formatter, top-level replies only).
 */
static int redis_batch_plain(const struct redis_conn *rc, const struct bench_request *reqs, size_t n)
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

int redis_node_exec(struct bench_conn *conn, struct bench_request *reqs, size_t n)
{
	struct redis_conn *rc = conn->priv;

	if (rc && !redis_batch_plain(rc, reqs, n))
		return redis_ops_exec(conn, reqs, n);
	return redis_exec_plain(conn, reqs, n);
}

int redis_node_send(struct bench_conn *conn, struct bench_request *reqs, size_t n)
{
	struct redis_conn *rc = conn->priv;
	int done = 0;

	if (!rc || !redis_batch_plain(rc, reqs, n))
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

static int redis_exec(struct bench_conn *conn, struct bench_request *reqs, size_t n)
{
	struct redis_conn *rc = conn->priv;

	if (rc && rc->cluster && !conn->err)
		return redis_cluster_exec(conn, reqs, n, 0);
	return redis_node_exec(conn, reqs, n);
}

/* A load batch of plain records is all SETs: the plain pipelined path is
 * already the fastest per-record way. With indexes or hash records, the
 * general path adds the index commands once per batch. */
int redis_node_load(struct bench_conn *conn, struct bench_request *reqs, size_t n)
{
	struct redis_conn *rc = conn->priv;

	if (rc && !redis_batch_plain(rc, reqs, n))
		return redis_ops_load(conn, reqs, n);
	return redis_exec_plain(conn, reqs, n);
}

static int redis_load(struct bench_conn *conn, struct bench_request *reqs, size_t n)
{
	struct redis_conn *rc = conn->priv;

	if (rc && rc->cluster && !conn->err)
		return redis_cluster_exec(conn, reqs, n, 1);
	return redis_node_load(conn, reqs, n);
}

/* A cluster's CPU is its masters' (redis_cluster.c). */
static int redis_stats(struct bench_conn *conn, struct bench_server_stats *out)
{
	struct redis_conn *rc = conn->priv;

	if (rc && rc->cluster && !conn->err)
		return redis_cluster_server_stats(conn, out);
	return redis_server_stats(conn, out);
}

/* ---- the event-driven engine: hiredis's buffers over a non-blocking socket ---- */

/* Declines (-1, conn->err not set) a target whose writes keep an index or
 * whose records are hashes: those need the general path, which is blocking
 * (the harness does not send them to the event engine either). A cluster
 * connection declines too: its batches are split over several sockets. */
static int redis_event_fd(struct bench_conn *conn)
{
	struct redis_conn *rc = conn->priv;

	if (!rc || !rc->ctx || rc->cluster)
		return -1;
	/* TLS: the event engine writes to the socket itself, past hiredis_ssl. */
	return rc->plain && !rc->ssl ? rc->ctx->fd : -1;
}

static int redis_flush(struct bench_conn *conn)
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

static int redis_submit(struct bench_conn *conn, struct bench_request *reqs, size_t n)
{
	struct redis_conn *rc = conn->priv;

	if (redis_begin_batch(conn, reqs, n) < 0)
		return -1;
	if (!rc->nonblocking) {
		int flags = fcntl(rc->ctx->fd, F_GETFL);

		if (flags < 0 || fcntl(rc->ctx->fd, F_SETFL, flags | O_NONBLOCK) < 0)
			return bench_conn_lost(conn, "redis: cannot make the socket non-blocking: %s", strerror(errno));
		/* Without REDIS_BLOCK, hiredis's read treats EAGAIN as "try later". */
		rc->ctx->flags &= ~REDIS_BLOCK;
		rc->nonblocking = 1;
	}
	rc->batch = reqs;
	rc->batch_n = n;
	rc->next = 0;
	if (redis_format_batch(conn, reqs, n) < 0)
		return -1;
	return redis_flush(conn);
}

static int redis_on_readable(struct bench_conn *conn)
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

static void redis_expire(struct bench_conn *conn)
{
	struct redis_conn *rc = conn->priv;

	redis_fail_rest(rc->batch, rc->next, rc->batch_n, BENCH_TIMEOUT);
	bench_conn_lost(conn, "redis: timeout after %u ms",
			conn->target->timeout_ms ? conn->target->timeout_ms : REDIS_DEFAULT_TIMEOUT_MS);
}

static const char *const redis_fields_as[] = {"hash", "string", NULL};
static const char *const redis_cluster_modes[] = {"auto", "on", "off", NULL};

static const struct bench_option_spec redis_options[] = {
	{ "fields_as", "hash | string: a record of values.fields fields as a hash field0..fieldN-1 "
		       "(HSET/HMGET) or one concatenated value (SET/GET) (default hash)", BENCH_OPT_ENUM, redis_fields_as },
	{ "cluster", "auto | on | off: Redis Cluster mode when the server says cluster_enabled:1 (auto), "
		     "required (on) or never (off) (default auto)", BENCH_OPT_ENUM, redis_cluster_modes },
	{ "tls_ca_file", "rediss:// only: CA certificate (PEM) the server's certificate must chain to",
	  BENCH_OPT_STRING, NULL },
	{ "tls_cert_file", "rediss:// only: client certificate (PEM), for servers that require one",
	  BENCH_OPT_STRING, NULL },
	{ "tls_key_file", "rediss:// only: the client certificate's private key (PEM, unencrypted)",
	  BENCH_OPT_STRING, NULL },
	{ "tls_server_name", "rediss:// only: server name sent as SNI (not verified against the certificate)",
	  BENCH_OPT_STRING, NULL },
	{ NULL, NULL, BENCH_OPT_STRING, NULL },
};

/* The private server bench spawns: no persistence, no log file. */
static const struct bench_server_recipe redis_servers[] = {
	{"redis-server", "redis://127.0.0.1:%d", "apt-get install redis-server",
	 {"redis-server", "--port", "{port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
	  "--dir", "{dir}", "--daemonize", "no", "--logfile", "", NULL}},
	{NULL, NULL, NULL, {NULL}},
};

const struct bench_driver bench_driver_redis = {
	.name = "redis",
	.abi_version = BENCH_DRIVER_ABI,
	.caps = BENCH_CAP_NETWORK | BENCH_CAP_KV | BENCH_CAP_RANGE | BENCH_CAP_QUERY | BENCH_CAP_FUZZY |
		BENCH_CAP_STRUCTURES | BENCH_CAP_INCR | BENCH_CAP_CLUSTER,
	.description = "Redis and compatible servers via hiredis (pipelined batches; range/query indexes, SCAN, "
		       "hash/list/set/zset; Redis Cluster); " REDIS_TLS_BUILT,
	.options = redis_options,
	.address_env = "BENCH_REDIS_URI",
	.address_default = "redis://127.0.0.1:6379",
	.servers = redis_servers,
	.open = redis_open,
	.close = redis_close,
	.exec = redis_exec,
	.load = redis_load,
	.prepare = redis_prepare,
	.server_info = redis_server_info,
	.server_stats = redis_stats,
	.event_fd = redis_event_fd,
	.submit = redis_submit,
	.flush = redis_flush,
	.on_readable = redis_on_readable,
	.expire = redis_expire,
	.ns_count = redis_ns_count,
	.ns_clean = redis_ns_clean,
	.ns_flush = redis_ns_flush,
};
