/*
 * redis_ns.c - data safety hooks of the redis driver: count and remove the
 * keys under the target's prefix (SCAN MATCH <escaped prefix>* and UNLINK,
 * never KEYS, which blocks the server for its whole keyspace), and empty
 * the uri's database for --flush (FLUSHDB). Setup-time commands, over
 * hiredis's own reply objects like redis_info.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis.h>

#include "driver.h"
#include "redis_cluster.h"
#include "redis_int.h"

/* Runs argv with real reply objects. Returns the reply (caller frees), or
 * NULL with errstr set (the connection is lost). */
static redisReply *ns_command(struct bench_conn *conn, int argc, const char **argv, const size_t *argvlen)
{
	struct redis_conn *rc = conn->priv;
	redisReply *r;

	rc->ctx->reader->fn = rc->default_fn;
	r = redisCommandArgv(rc->ctx, argc, argv, argvlen);
	rc->ctx->reader->fn = &redis_slot_fns;
	if (!r)
		bench_conn_lost(conn, "redis: %s: %s", argv[0], rc->ctx->errstr);
	return r;
}

/* UNLINKs the keys of a SCAN reply, one command per key, pipelined (a
 * cluster node refuses a multi-key UNLINK across slots); adds the number
 * removed to *n. */
static int ns_unlink(struct bench_conn *conn, const redisReply *keys, uint64_t *n)
{
	struct redis_conn *rc = conn->priv;
	int ret = 0;

	rc->ctx->reader->fn = rc->default_fn;
	for (size_t k = 0; k < keys->elements; k++) {
		const char *av[2] = {"UNLINK", keys->element[k]->str};
		size_t avlen[2] = {6, keys->element[k]->len};

		if (redisAppendCommandArgv(rc->ctx, 2, av, avlen) != REDIS_OK) {
			ret = bench_conn_lost(conn, "redis: UNLINK: %s", rc->ctx->errstr);
			break;
		}
	}
	for (size_t k = 0; ret == 0 && k < keys->elements; k++) {
		redisReply *u = NULL;

		if (redisGetReply(rc->ctx, (void **)&u) != REDIS_OK || !u) {
			ret = bench_conn_lost(conn, "redis: UNLINK: %s", rc->ctx->errstr);
			break;
		}
		if (u->type == REDIS_REPLY_INTEGER)
			*n += (uint64_t)u->integer;
		else
			ret = bench_conn_error(conn, "redis: UNLINK failed: %s",
					       u->type == REDIS_REPLY_ERROR ? u->str : "unexpected reply");
		freeReplyObject(u);
	}
	rc->ctx->reader->fn = &redis_slot_fns;
	return ret;
}

/* redis_ns_scan on one server. */
static int ns_scan_node(struct bench_conn *conn, const char *suffix, int unlink, uint64_t limit, uint64_t *n)
{
	struct redis_conn *rc = conn->priv;
	char cursor[32] = "0", *pattern, *p;
	int ret = 0;

	*n = 0;
	if (conn->err || !rc || !rc->ctx)
		return bench_conn_error(conn, "redis: not connected");
	pattern = malloc(redis_glob_len(rc->prefix, rc->prefix_len) + strlen(suffix) + 1);
	if (!pattern)
		return bench_conn_error(conn, "redis: out of memory");
	p = redis_glob_put(pattern, rc->prefix, rc->prefix_len);
	memcpy(p, suffix, strlen(suffix) + 1);
	do {
		const char *argv[6] = { "SCAN", cursor, "MATCH", pattern, "COUNT", REDIS_SCAN_COUNT };
		redisReply *r = ns_command(conn, 6, argv, NULL), *keys;

		if (!r) {
			ret = -1;
			break;
		}
		if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 || r->element[0]->type != REDIS_REPLY_STRING ||
		    r->element[1]->type != REDIS_REPLY_ARRAY) {
			ret = bench_conn_error(conn, "redis: SCAN failed: %s",
					       r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
			freeReplyObject(r);
			break;
		}
		snprintf(cursor, sizeof(cursor), "%s", r->element[0]->str);
		keys = r->element[1];
		if (!unlink)
			*n += keys->elements;
		else if (keys->elements)
			ret = ns_unlink(conn, keys, n);
		freeReplyObject(r);
	} while (ret == 0 && strcmp(cursor, "0") != 0 && (!limit || *n < limit));
	free(pattern);
	return ret;
}

/* Runs fn on the connection, or in a cluster on every master (keys live
 * on the master serving their slot; SCAN sees one node's keys), adding
 * up *n. */
static int ns_each_master(struct bench_conn *conn, uint64_t *n,
			  int (*fn)(struct bench_conn *c, void *arg, uint64_t *n), void *arg)
{
	struct redis_conn *rc = conn->priv;
	struct redis_cluster *cl = rc ? rc->cluster : NULL;

	*n = 0;
	if (!cl)
		return fn(conn, arg, n);
	for (size_t k = 0; k < cl->nn; k++) {
		struct redis_node *node = cl->nodes[k];
		uint64_t m = 0;

		if (!node->master)
			continue;
		if (redis_cluster_connect(cl, (uint16_t)k) < 0)
			return -1;
		if (fn(node->conn, arg, &m) < 0)
			return bench_conn_error(conn, "%s", node->conn->errstr);
		*n += m;
	}
	return 0;
}

struct ns_scan_args {
	const char *suffix;
	int unlink;
	uint64_t limit;
};

static int ns_scan_fn(struct bench_conn *c, void *arg, uint64_t *n)
{
	const struct ns_scan_args *a = arg;

	return ns_scan_node(c, a->suffix, a->unlink, a->limit, n);
}

int redis_ns_scan(struct bench_conn *conn, const char *suffix, int unlink, uint64_t limit, uint64_t *n)
{
	struct ns_scan_args a = {suffix, unlink, limit};

	return ns_each_master(conn, n, ns_scan_fn, &a);
}

int redis_ns_count(struct bench_conn *conn, uint64_t limit, struct bench_ns_state *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->noun, sizeof(out->noun), "keys");
	if (redis_ns_scan(conn, "*", 0, limit, &out->keys) < 0)
		return -1;
	/* SCAN may return a key twice while the server rehashes. */
	if (limit && out->keys > limit)
		out->keys = limit;
	return 0;
}

/* Every key under the prefix: the records, their structures and indexes
 * (docs/drivers.md, "Keys bench derives") all start with it. */
int redis_ns_clean(struct bench_conn *conn, const struct bench_ns_state *before, uint64_t *removed)
{
	(void)before;
	return redis_ns_scan(conn, "*", 1, 0, removed);
}

/* FLUSHDB of one server; *n = the keys it held. */
static int ns_flush_node(struct bench_conn *conn, void *arg, uint64_t *n)
{
	const char *argv[1] = { "FLUSHDB" };
	const char *dbsize[1] = { "DBSIZE" };
	redisReply *r;
	int ret = 0;

	(void)arg;
	if (conn->err || !conn->priv)
		return bench_conn_error(conn, "redis: not connected");
	r = ns_command(conn, 1, dbsize, NULL);
	if (!r)
		return -1;
	if (r->type == REDIS_REPLY_INTEGER && r->integer > 0)
		*n = (uint64_t)r->integer;
	freeReplyObject(r);
	r = ns_command(conn, 1, argv, NULL);
	if (!r)
		return -1;
	if (r->type == REDIS_REPLY_ERROR)
		ret = bench_conn_error(conn, "redis: FLUSHDB failed: %s", r->str);
	freeReplyObject(r);
	return ret;
}

int redis_ns_flush(struct bench_conn *conn, char *what, size_t what_len)
{
	struct redis_conn *rc = conn->priv;
	uint64_t keys = 0;

	if (ns_each_master(conn, &keys, ns_flush_node, NULL) < 0)
		return -1;
	snprintf(what, what_len, "FLUSHDB: removed every key of the uri's database%s (%llu keys)",
		 rc && rc->cluster ? " on every master" : "", (unsigned long long)keys);
	return 0;
}
