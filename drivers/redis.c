/*
 * redis.c - the `redis` driver: GET/SET/DEL over one blocking hiredis
 * (0.14) connection, pipelined when a batch has more than one request.
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

#define REDIS_DEFAULT_PORT 6379
#define REDIS_DEFAULT_TIMEOUT_MS 5000u

/* The parsed target URI: redis://[[user]:password@]host[:port][/db]. */
struct redis_uri {
	char host[256];
	int port;
	char user[128];         /* "" = no user (AUTH password) */
	char password[256];
	int has_password;
	long db;
};

/*
 * The slot the reply functions fill for the reply being parsed. Only the
 * top-level reply is recorded; elements of an array reply are ignored.
 */
struct redis_reply {
	int type;               /* REDIS_REPLY_*, 0 = nothing parsed yet */
	long long integer;
	size_t len;             /* string/status/error length */
	char text[128];         /* status or error text, truncated */
	struct bench_request *req; /* a GET value is copied into req->out */
};

/* conn->priv. */
struct redis_conn {
	redisContext *ctx;
	redisReplyObjectFunctions *default_fn; /* hiredis's, for setup commands */
	struct redis_reply reply;
	/* Event engine: the batch in flight and the next request to answer,
	 * and the batch's commands in RESP, written from wbuf[woff..wlen). */
	int nonblocking;
	struct bench_request *batch;
	size_t batch_n, next;
	char *wbuf;
	size_t wlen, woff, wcap;
};

/* ---- reply functions for the reader ---- */

static void *redis_reply_string(const redisReadTask *task, char *str, size_t len)
{
	struct redis_reply *r = task->privdata;
	size_t n;

	if (task->parent)
		return r;
	r->type = task->type;
	r->len = len;
	if (task->type == REDIS_REPLY_STRING) {
		/* The value lives in the reader's buffer only during this call. */
		if (r->req && r->req->out) {
			n = len < r->req->out_cap ? len : r->req->out_cap;
			if (n)
				memcpy(r->req->out, str, n);
		}
	} else {
		n = len < sizeof(r->text) - 1 ? len : sizeof(r->text) - 1;
		memcpy(r->text, str, n);
		r->text[n] = '\0';
	}
	/* Any non-NULL pointer: NULL would mean out of memory to hiredis. */
	return r;
}

static void *redis_reply_array(const redisReadTask *task, int elements)
{
	struct redis_reply *r = task->privdata;

	if (!task->parent) {
		r->type = REDIS_REPLY_ARRAY;
		r->integer = elements;
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
static redisReplyObjectFunctions redis_slot_fns = {
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

/*
 * After a failed hiredis call: an EAGAIN from a blocking socket is the
 * SO_RCVTIMEO/SO_SNDTIMEO timeout. Either way the connection is given up,
 * since later replies would be matched to the wrong requests.
 */
static enum bench_status redis_ctx_failed(struct bench_conn *conn, redisContext *ctx)
{
	int saved = errno;

	if (ctx->err == REDIS_ERR_IO && (saved == EAGAIN || saved == EWOULDBLOCK)) {
		bench_conn_lost(conn, "redis: timeout after %u ms", conn->target->timeout_ms ?
				conn->target->timeout_ms : REDIS_DEFAULT_TIMEOUT_MS);
		return BENCH_TIMEOUT;
	}
	bench_conn_lost(conn, "redis: %s", ctx->errstr[0] ? ctx->errstr : "connection lost");
	return BENCH_DISCONNECTED;
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
	const char *p = uri, *at, *host, *host_end, *port = NULL, *path;
	char *end;
	long v;

	memset(u, 0, sizeof(*u));
	u->port = REDIS_DEFAULT_PORT;
	if (!uri || !*uri) {
		snprintf(err, errlen, "redis: empty uri (want redis://[:password@]host:port[/db])");
		return -1;
	}
	if (strncmp(p, "redis://", 8) == 0) {
		p += 8;
	} else if (strstr(p, "://")) {
		snprintf(err, errlen, "redis: unsupported uri scheme in '%s' (want redis://)", uri);
		return -1;
	}

	/* The last '@' ends the credentials, so a password may hold '@' or '/'. */
	at = strrchr(p, '@');
	if (at) {
		const char *colon = memchr(p, ':', (size_t)(at - p));

		if (!colon) {
			snprintf(err, errlen, "redis: credentials in uri must be [user]:password@");
			return -1;
		}
		if (redis_copy(u->user, sizeof(u->user), p, (size_t)(colon - p)) ||
		    redis_copy(u->password, sizeof(u->password), colon + 1, (size_t)(at - colon - 1))) {
			snprintf(err, errlen, "redis: user or password in uri too long");
			return -1;
		}
		u->has_password = 1;
		p = at + 1;
	}

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
		return bench_conn_lost(conn, "redis: %s: %s", what, rc->ctx->errstr);
	if (reply->type == REDIS_REPLY_ERROR)
		ret = bench_conn_lost(conn, "redis: %s failed: %s", what, reply->str);
	freeReplyObject(reply);
	return ret;
}

static int redis_open(struct bench_conn *conn)
{
	const struct bench_target *t = conn->target;
	unsigned ms = t->timeout_ms ? t->timeout_ms : REDIS_DEFAULT_TIMEOUT_MS;
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };
	struct redis_uri u;
	struct redis_conn *rc;
	char dbstr[24];

	if (redis_uri_parse(t->uri, &u, conn->errstr, sizeof(conn->errstr))) {
		conn->err = 1;
		return -1;
	}
	rc = calloc(1, sizeof(*rc));
	if (!rc)
		return bench_conn_lost(conn, "redis: out of memory");
	conn->priv = rc;

	rc->ctx = redisConnectWithTimeout(u.host, u.port, tv);
	if (!rc->ctx)
		return bench_conn_lost(conn, "redis: out of memory");
	if (rc->ctx->err)
		return bench_conn_lost(conn, "redis %s:%d: %s", u.host, u.port, rc->ctx->errstr);
	if (redisSetTimeout(rc->ctx, tv) != REDIS_OK)
		return bench_conn_lost(conn, "redis: cannot set the socket timeout: %s", rc->ctx->errstr);

	if (u.has_password) {
		const char *argv[3] = { "AUTH", u.user, u.password };

		if (u.user[0]) {
			if (redis_setup_command(conn, 3, argv, "AUTH"))
				return -1;
		} else {
			argv[1] = u.password;
			if (redis_setup_command(conn, 2, argv, "AUTH"))
				return -1;
		}
	}
	if (u.db) {
		const char *argv[2] = { "SELECT", dbstr };

		snprintf(dbstr, sizeof(dbstr), "%ld", u.db);
		if (redis_setup_command(conn, 2, argv, "SELECT"))
			return -1;
	}

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
	if (rc->ctx)
		redisFree(rc->ctx);
	free(rc->wbuf);
	free(rc);
	conn->priv = NULL;
}

/*
 * Gives every request its initial status, so a failure part-way through
 * leaves no stale status from the caller's previous batch. Returns 0, or -1
 * when the connection is unusable (every status DISCONNECTED).
 */
static int redis_begin_batch(struct bench_conn *conn, struct bench_request *reqs, size_t n)
{
	struct redis_conn *rc = conn->priv;

	for (size_t i = 0; i < n; i++) {
		reqs[i].value_len_out = 0;
		reqs[i].status = (unsigned)reqs[i].op < BENCH_OP__WIRE_COUNT ? BENCH_DISCONNECTED : BENCH_UNSUPPORTED;
	}
	if (conn->err || !rc || !rc->ctx) {
		for (size_t i = 0; i < n; i++)
			reqs[i].status = BENCH_DISCONNECTED;
		return -1;
	}
	return 0;
}

/* Appends "$<len>\r\n<bytes>\r\n" (or "*<n>\r\n" with lead '*' and no
 * bytes) at p; returns the end. The caller has reserved room. */
static char *redis_resp_len(char *p, char lead, size_t len)
{
	char digits[24];
	int n = 0;

	*p++ = lead;
	do {
		digits[n++] = (char)('0' + len % 10);
		len /= 10;
	} while (len);
	while (n)
		*p++ = digits[--n];
	*p++ = '\r';
	*p++ = '\n';
	return p;
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

static int redis_exec(struct bench_conn *conn, struct bench_request *reqs, size_t n)
{
	struct redis_conn *rc = conn->priv;
	void *obj;
	size_t i;

	/* Queue the whole batch; the first redisGetReply flushes it at once. */
	if (redis_queue(conn, reqs, n) < 0)
		return -1;
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

/* ---- the event-driven engine: hiredis's buffers over a non-blocking socket ---- */

static int redis_event_fd(struct bench_conn *conn)
{
	struct redis_conn *rc = conn->priv;

	return rc && rc->ctx ? rc->ctx->fd : -1;
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

/* Copies INFO field `name` into out ("" when absent); returns 0 if found. */
static int redis_info_field(const char *info, const char *name, char *out, size_t cap)
{
	size_t nlen = strlen(name), len;
	const char *p = info;

	out[0] = '\0';
	while (p && *p) {
		if (strncmp(p, name, nlen) == 0 && p[nlen] == ':') {
			p += nlen + 1;
			len = strcspn(p, "\r\n");
			if (len >= cap)
				len = cap - 1;
			memcpy(out, p, len);
			out[len] = '\0';
			return 0;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

/* Appends CONFIG GET results to out->config; -1 only if the link broke. */
static int redis_config(struct bench_conn *conn, struct bench_server_info *out)
{
	static const char *const params[] = {
		"appendonly", "appendfsync", "save", "io-threads", "maxmemory", "maxmemory-policy",
	};
	struct redis_conn *rc = conn->priv;
	size_t off = 0, cap = sizeof(out->config);

	for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		const char *argv[3] = { "CONFIG", "GET", params[i] };
		redisReply *r = redisCommandArgv(rc->ctx, 3, argv, NULL);
		int w;

		if (!r)
			return bench_conn_lost(conn, "redis: CONFIG GET: %s", rc->ctx->errstr);
		if (r->type == REDIS_REPLY_ERROR) {
			/* Disabled or renamed CONFIG: say so instead of failing. */
			snprintf(out->config, cap, "config=unavailable: %s\n", r->str);
			freeReplyObject(r);
			return 0;
		}
		if (r->type == REDIS_REPLY_ARRAY && r->elements >= 2 &&
		    r->element[1]->type == REDIS_REPLY_STRING)
			w = snprintf(out->config + off, cap - off, "%s=%s\n", params[i], r->element[1]->str);
		else
			w = snprintf(out->config + off, cap - off, "%s=n/a\n", params[i]);
		freeReplyObject(r);
		if (w < 0 || (size_t)w >= cap - off)
			break; /* truncated; config[] stays terminated */
		off += (size_t)w;
	}
	return 0;
}

static int redis_server_info(struct bench_conn *conn, struct bench_server_info *out)
{
	struct redis_conn *rc = conn->priv;
	const char *argv[2] = { "INFO", "server" };
	char redis_version[64], mode[32], os[96], other[64];
	redisReply *r = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (conn->err || !rc || !rc->ctx)
		return -1;
	/* Setup commands want real reply objects; the slot is for exec(). */
	rc->ctx->reader->fn = rc->default_fn;

	r = redisCommandArgv(rc->ctx, 2, argv, NULL);
	if (!r) {
		bench_conn_lost(conn, "redis: INFO: %s", rc->ctx->errstr);
		goto out;
	}
	if (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_STATUS) {
		bench_conn_error(conn, "redis: INFO server failed: %s",
				 r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
		goto out;
	}
	redis_info_field(r->str, "redis_version", redis_version, sizeof(redis_version));
	redis_info_field(r->str, "redis_mode", mode, sizeof(mode));
	redis_info_field(r->str, "os", os, sizeof(os));

	/* Forks answer INFO as Redis; their own fields tell them apart. */
	if (redis_info_field(r->str, "valkey_version", other, sizeof(other)) == 0 ||
	    strstr(r->str, "server_name:valkey")) {
		snprintf(out->product, sizeof(out->product), "Valkey");
		snprintf(out->version, sizeof(out->version), "%s", other[0] ? other : redis_version);
		snprintf(out->detail, sizeof(out->detail), "mode=%s os=%s redis_version=%s", mode, os, redis_version);
	} else if (redis_info_field(r->str, "dragonfly_version", other, sizeof(other)) == 0) {
		snprintf(out->product, sizeof(out->product), "Dragonfly");
		snprintf(out->version, sizeof(out->version), "%s", other);
		snprintf(out->detail, sizeof(out->detail), "mode=%s os=%s redis_version=%s", mode, os, redis_version);
	} else {
		/* KeyDB keeps redis_version; only its executable/config path says KeyDB. */
		snprintf(out->product, sizeof(out->product), "%s", strcasestr(r->str, "keydb") ? "KeyDB" : "Redis");
		snprintf(out->version, sizeof(out->version), "%s", redis_version);
		snprintf(out->detail, sizeof(out->detail), "mode=%s os=%s", mode, os);
	}
	ret = redis_config(conn, out);

out:
	if (r)
		freeReplyObject(r);
	rc->ctx->reader->fn = &redis_slot_fns;
	return ret;
}

static const struct bench_option_spec redis_options[] = {
	{ NULL, NULL },
};

const struct bench_driver bench_driver_redis = {
	.name = "redis",
	.abi_version = BENCH_DRIVER_ABI,
	.caps = BENCH_CAP_NETWORK | BENCH_CAP_KV,
	.description = "Redis and compatible servers via hiredis (GET/SET/DEL, pipelined batches)",
	.options = redis_options,
	.open = redis_open,
	.close = redis_close,
	.exec = redis_exec,
	/* A load batch is all SETs: the pipelined exec path is already the
	 * fastest per-record way. */
	.load = redis_exec,
	.prepare = NULL,
	.server_info = redis_server_info,
	.event_fd = redis_event_fd,
	.submit = redis_submit,
	.flush = redis_flush,
	.on_readable = redis_on_readable,
	.expire = redis_expire,
};
