/*
 * redis_ns.c - data safety hooks of the redis driver: count and remove the
 * keys under the target's prefix (SCAN MATCH <escaped prefix>* and UNLINK,
 * never KEYS, which blocks the server for its whole keyspace), and empty
 * the uri's database for --flush (FLUSHDB). Each key a SCAN returns is
 * compared with the prefix here before it is counted or UNLINKed, and a
 * walk is bounded in calls. Setup-time commands, over hiredis's own reply
 * objects like redis_info.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis.h>

#include "driver.h"
#include "redis_cluster.h"
#include "redis_int.h"

/*
 * The bound of one SCAN walk of one server: at most NS_SCAN_CALLS_MIN +
 * DBSIZE / NS_SCAN_KEYS_PER_CALL calls (DBSIZE asked once, before the
 * walk). Redis answers SCAN ... COUNT 1000 after it has gathered 1000 keys
 * (before MATCH filters them) or visited 10,000 buckets, so a walk of U
 * keys in a table of B buckets takes about U/1000 + B/10000 calls; the
 * bound leaves ten times U/1000, and the constant covers a table left
 * large by deleted keys (10 M buckets). A server that keeps answering a
 * non-zero cursor (1.37 M SCANs a minute were seen) is then an error.
 */
#define NS_SCAN_CALLS_MIN 1000u
#define NS_SCAN_KEYS_PER_CALL 100u

/* Runs argv with real reply objects. Returns the reply (caller frees), or
 * NULL with errstr set (the connection is lost). */
static redisReply *ns_command(struct bench_conn *conn, int argc, const char **argv, const size_t *argvlen)
{
	struct redis_conn *rc = conn->priv;
	redisReply *r;

	rc->ctx->reader->fn = rc->default_fn;
	r = redis_command_argv(rc->ctx, rc->reply_cap, argc, argv, argvlen);
	rc->ctx->reader->fn = &redis_slot_fns;
	if (!r)
		bench_conn_lost(conn, "redis: %s: %s", argv[0], redis_ctx_errtext(conn, rc->ctx));
	return r;
}


/* The keys a walk looks for: those starting with the prefix and then sub. */
struct ns_walk {
	const char *sub;
	size_t sub_len;
	int unlink;
	uint64_t limit;
};

/* Whether key k is one of the walk's. The server's MATCH is not trusted
 * (a proxy may drop it, a server may not know it): this is the filter. */
static int ns_mine(const struct redis_conn *rc, const struct ns_walk *w, const redisReply *k)
{
	return k->len >= rc->prefix_len + w->sub_len && memcmp(k->str, rc->prefix, rc->prefix_len) == 0 &&
	       memcmp(k->str + rc->prefix_len, w->sub, w->sub_len) == 0;
}

/* UNLINKs the walk's keys among a SCAN reply's, one command per key,
 * pipelined (a cluster node refuses a multi-key UNLINK across slots); adds
 * the number removed to *n. */
static int ns_unlink(struct bench_conn *conn, const struct ns_walk *w, const redisReply *keys, uint64_t *n)
{
	struct redis_conn *rc = conn->priv;
	size_t sent = 0;
	int ret = 0;

	rc->ctx->reader->fn = rc->default_fn;
	for (size_t k = 0; k < keys->elements; k++) {
		const char *av[2] = {"UNLINK", keys->element[k]->str};
		size_t avlen[2] = {6, keys->element[k]->len};

		if (!ns_mine(rc, w, keys->element[k]))
			continue;
		if (redisAppendCommandArgv(rc->ctx, 2, av, avlen) != REDIS_OK) {
			ret = bench_conn_lost(conn, "redis: UNLINK: %s", redis_ctx_errtext(conn, rc->ctx));
			break;
		}
		sent++;
	}
	for (size_t k = 0; ret == 0 && k < sent; k++) {
		redisReply *u = NULL;

		if (redis_get_reply(rc->ctx, rc->reply_cap, (void **)&u) != REDIS_OK || !u) {
			ret = bench_conn_lost(conn, "redis: UNLINK: %s", redis_ctx_errtext(conn, rc->ctx));
			break;
		}
		if (u->type == REDIS_REPLY_INTEGER && u->integer >= 0 && u->integer <= 1)
			*n += (uint64_t)u->integer;
		else
			ret = bench_conn_error(conn, "redis: UNLINK failed: %s",
					       u->type == REDIS_REPLY_ERROR ? u->str : "unexpected reply");
		freeReplyObject(u);
	}
	rc->ctx->reader->fn = &redis_slot_fns;
	return ret;
}

/* A SCAN reply that makes sense: [cursor, [key, ...]], the cursor 1 to 20
 * digits, every key a string. 0, or -1 with errstr. */
static int ns_scan_reply_ok(struct bench_conn *conn, const redisReply *r)
{
	const redisReply *c, *keys;

	if (r->type == REDIS_REPLY_ERROR)
		return bench_conn_error(conn, "redis: SCAN failed: %.100s", r->str);
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 || r->element[0]->type != REDIS_REPLY_STRING ||
	    r->element[1]->type != REDIS_REPLY_ARRAY)
		return bench_conn_error(conn, "redis: SCAN: a reply that is not [cursor, [keys]]");
	c = r->element[0];
	keys = r->element[1];
	if (c->len < 1 || c->len > 20 || strspn(c->str, "0123456789") != c->len)
		return bench_conn_error(conn, "redis: SCAN: a cursor that is not a number: '%.24s'", c->str);
	for (size_t k = 0; k < keys->elements; k++)
		if (keys->element[k]->type != REDIS_REPLY_STRING)
			return bench_conn_error(conn, "redis: SCAN: element %zu of the keys is not a string", k);
	return 0;
}

/* DBSIZE of the server, for the bound of a walk; 0 when it does not say. */
static uint64_t ns_dbsize(struct bench_conn *conn)
{
	const char *argv[1] = { "DBSIZE" };
	redisReply *r = ns_command(conn, 1, argv, NULL);
	uint64_t n = 0;

	if (r && r->type == REDIS_REPLY_INTEGER && r->integer > 0)
		n = (uint64_t)r->integer;
	if (r)
		freeReplyObject(r);
	return n;
}

/* redis_ns_scan on one server. */
static int ns_scan_node(struct bench_conn *conn, const struct ns_walk *w, uint64_t *n)
{
	struct redis_conn *rc = conn->priv;
	char cursor[32] = "0", *pattern, *p;
	uint64_t calls = 0, dbsize, max_calls;
	int ret = 0;

	*n = 0;
	if (conn->err || !rc || !rc->ctx)
		return bench_conn_error(conn, "redis: not connected");
	dbsize = ns_dbsize(conn);
	max_calls = NS_SCAN_CALLS_MIN + dbsize / NS_SCAN_KEYS_PER_CALL;
	if (conn->err)
		return -1;
	pattern = malloc(redis_glob_len(rc->prefix, rc->prefix_len) + redis_glob_len(w->sub, w->sub_len) + 2);
	if (!pattern)
		return bench_conn_error(conn, "redis: out of memory");
	p = redis_glob_put(pattern, rc->prefix, rc->prefix_len);
	p = redis_glob_put(p, w->sub, w->sub_len);
	memcpy(p, "*", 2);
	do {
		const char *argv[6] = { "SCAN", cursor, "MATCH", pattern, "COUNT", REDIS_SCAN_COUNT };
		redisReply *r, *keys;

		if (bench_conn_should_stop(conn)) {
			ret = bench_conn_error(conn, "redis: SCAN: stopped");
			break;
		}
		if (calls++ == max_calls) {
			ret = bench_conn_error(conn, "redis: SCAN did not finish in %llu calls (DBSIZE %llu)",
					       (unsigned long long)max_calls, (unsigned long long)dbsize);
			break;
		}
		if (!(r = ns_command(conn, 6, argv, NULL))) {
			ret = -1;
			break;
		}
		if ((ret = ns_scan_reply_ok(conn, r)) == 0) {
			memcpy(cursor, r->element[0]->str, r->element[0]->len + 1);
			keys = r->element[1];
			if (w->unlink)
				ret = ns_unlink(conn, w, keys, n);
			else
				for (size_t k = 0; k < keys->elements; k++)
					*n += (uint64_t)ns_mine(rc, w, keys->element[k]);
		}
		freeReplyObject(r);
	} while (ret == 0 && strcmp(cursor, "0") != 0 && (!w->limit || *n < w->limit));
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
			return node->conn == conn ? -1 : bench_conn_error(conn, "%s", node->conn->errstr);
		*n += m;
	}
	return 0;
}

static int ns_scan_fn(struct bench_conn *c, void *arg, uint64_t *n)
{
	return ns_scan_node(c, arg, n);
}

int redis_ns_scan(struct bench_conn *conn, const char *sub, int unlink, uint64_t limit, uint64_t *n)
{
	struct ns_walk w = {sub, strlen(sub), unlink, limit};

	return ns_each_master(conn, n, ns_scan_fn, &w);
}

int redis_ns_count(struct bench_conn *conn, uint64_t limit, struct bench_ns_state *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->noun, sizeof(out->noun), "keys");
	if (redis_ns_scan(conn, "", 0, limit, &out->keys) < 0)
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
	return redis_ns_scan(conn, "", 1, 0, removed);
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
