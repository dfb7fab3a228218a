/*
 * mongodb_shard.c - the mongodb driver on a sharded cluster: with the
 * target's shard_key (the workload's keyspace.shard_key), open refuses a
 * server that is not a mongos, prepare shards the bench collection on _id
 * (hashed or ranged) before the load, and server_info reports how many
 * shards a sample get and a sample range query target, from explain.
 * None of it is on the request path. Contracts are in mongodb_int.h; the
 * operator-facing description is docs/drivers.md (mongodb, "Sharding").
 *
 * Never run against a real mongos on the project's machines (there is
 * none): only the refusal path is tested (against FerretDB).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <bson/bson.h>
#include <mongoc/mongoc.h>

#include "driver.h"
#include "mongodb_int.h"

/* The hashed index shardCollection needs on a non-empty collection. */
#define MONGO_HASHED_INDEX "_id_hashed"
/* Documents a sample range query asks for (the range op's usual length). */
#define MONGO_EXPLAIN_RANGE 100

static bool mongo_hashed(const struct bench_target *t)
{
	return t->shard_key && strcmp(t->shard_key, "hashed") == 0;
}

/* Appends {_id: "hashed"} or {_id: 1} to b under name. */
static bool mongo_append_shard_key(bson_t *b, const char *name, const struct bench_target *t)
{
	bson_t key;

	return bson_append_document_begin(b, name, -1, &key) &&
	       (mongo_hashed(t) ? bson_append_utf8(&key, "_id", 3, "hashed", 6) : bson_append_int32(&key, "_id", 3, 1)) &&
	       bson_append_document_end(b, &key);
}

/* Runs cmd on database db; reply is always initialized. */
static bool mongo_db_cmd(struct mongo_priv *p, const char *db, const bson_t *cmd, bson_t *reply, bson_error_t *e)
{
	return mongoc_client_command_simple(p->client, db, cmd, NULL, reply, e);
}

int mongo_shard_check(struct bench_conn *conn, struct mongo_priv *p)
{
	bson_t cmd = BSON_INITIALIZER, reply;
	bson_error_t e;
	bson_iter_t it;
	const mongoc_host_list_t *h;
	bool ok, mongos;

	if (!conn->target->shard_key)
		return 0;
	BSON_APPEND_INT32(&cmd, "hello", 1);
	ok = mongo_db_cmd(p, "admin", &cmd, &reply, &e);
	bson_destroy(&cmd);
	if (!ok) { /* servers before MongoDB 4.4.2 know only isMaster */
		bson_t old = BSON_INITIALIZER;

		bson_destroy(&reply);
		BSON_APPEND_INT32(&old, "isMaster", 1);
		ok = mongo_db_cmd(p, "admin", &old, &reply, &e);
		bson_destroy(&old);
	}
	mongos = ok && bson_iter_init_find(&it, &reply, "msg") && BSON_ITER_HOLDS_UTF8(&it) &&
		 strcmp(bson_iter_utf8(&it, NULL), "isdbgrid") == 0;
	bson_destroy(&reply);
	if (!ok) {
		bench_conn_error(conn, "mongodb: hello failed: %s", e.message);
		return -1;
	}
	if (mongos)
		return 0;
	h = mongoc_uri_get_hosts(mongoc_client_get_uri(p->client));
	bench_conn_error(conn, "shard_key needs a mongos; %s at mongodb://%s is not one: start the `sharded` compose profile",
			 p->server, h ? h->host_and_port : "?");
	return -2;
}

int mongo_shard_prepare(struct bench_conn *conn)
{
	struct mongo_priv *p = conn->priv;
	const struct bench_target *t = conn->target;
	const char *coll = mongoc_collection_get_name(p->coll);
	char ns[256];
	bson_t cmd = BSON_INITIALIZER, reply, arr, idx;
	bson_error_t e;
	const char *step = "enableSharding";
	bool ok;

	if (!t->shard_key)
		return 0;
	snprintf(ns, sizeof(ns), "%s.%s", p->dbname, coll);
	/* Not needed since MongoDB 6.0 (shardCollection enables it), still
	 * accepted, and needed before. */
	BSON_APPEND_UTF8(&cmd, "enableSharding", p->dbname);
	ok = mongo_db_cmd(p, "admin", &cmd, &reply, &e);
	if (ok && mongo_hashed(t)) {
		/* A non-empty collection (an earlier run's records) can only be
		 * sharded on an index of the key; an empty one gets it anyway. */
		step = "createIndexes " MONGO_HASHED_INDEX;
		bson_reinit(&cmd);
		bson_destroy(&reply);
		BSON_APPEND_UTF8(&cmd, "createIndexes", coll);
		BSON_APPEND_ARRAY_BEGIN(&cmd, "indexes", &arr);
		BSON_APPEND_DOCUMENT_BEGIN(&arr, "0", &idx);
		mongo_append_shard_key(&idx, "key", t);
		BSON_APPEND_UTF8(&idx, "name", MONGO_HASHED_INDEX);
		bson_append_document_end(&arr, &idx);
		bson_append_array_end(&cmd, &arr);
		ok = mongo_db_cmd(p, p->dbname, &cmd, &reply, &e);
	}
	if (ok) {
		/* Idempotent with the same key; refused with another one. */
		step = "shardCollection";
		bson_reinit(&cmd);
		bson_destroy(&reply);
		BSON_APPEND_UTF8(&cmd, "shardCollection", ns);
		mongo_append_shard_key(&cmd, "key", t);
		ok = mongo_db_cmd(p, "admin", &cmd, &reply, &e);
	}
	bson_destroy(&reply);
	bson_destroy(&cmd);
	if (!ok)
		return bench_conn_error(conn, "mongodb: %s on %s (shard key _id %s): %s", step, ns, t->shard_key, e.message);
	return 0;
}

/* The number of entries of queryPlanner.winningPlan.shards in an explain
 * reply, or -1 when it has none (not a mongos, or another format). */
static int mongo_explain_shards(const bson_t *reply)
{
	bson_iter_t it, sub, arr;
	int n = 0;

	if (!bson_iter_init(&it, reply) || !bson_iter_find_descendant(&it, "queryPlanner.winningPlan.shards", &sub) ||
	    !BSON_ITER_HOLDS_ARRAY(&sub) || !bson_iter_recurse(&sub, &arr))
		return -1;
	while (bson_iter_next(&arr))
		n++;
	return n;
}

/* Explains find filter (sorted by _id, limit) on the collection; returns
 * the shards it targets, or -1. */
static int mongo_explain_find(struct mongo_priv *p, const bson_t *filter, int64_t limit)
{
	bson_t cmd = BSON_INITIALIZER, find, sort, reply;
	bson_error_t e;
	int n = -1;

	BSON_APPEND_DOCUMENT_BEGIN(&cmd, "explain", &find);
	BSON_APPEND_UTF8(&find, "find", mongoc_collection_get_name(p->coll));
	BSON_APPEND_DOCUMENT(&find, "filter", filter);
	BSON_APPEND_DOCUMENT_BEGIN(&find, "sort", &sort);
	BSON_APPEND_INT32(&sort, "_id", 1);
	bson_append_document_end(&find, &sort);
	BSON_APPEND_INT64(&find, "limit", limit);
	bson_append_document_end(&cmd, &find);
	BSON_APPEND_UTF8(&cmd, "verbosity", "queryPlanner");
	if (mongo_db_cmd(p, p->dbname, &cmd, &reply, &e))
		n = mongo_explain_shards(&reply);
	bson_destroy(&reply);
	bson_destroy(&cmd);
	return n;
}

/* Appends "key=n\n", or "key=unknown" when n < 0. */
static void mongo_config_count(struct bench_server_info *out, const char *key, int n)
{
	if (n >= 0)
		mongo_config_add(out, key, "%d", n);
	else
		mongo_config_add(out, key, "unknown");
}

/* Copies the _id of one record under the target's prefix into buf;
 * false when there is none (nothing loaded yet). */
static bool mongo_sample_key(struct mongo_priv *p, const char *prefix, char *buf, size_t len)
{
	bson_t filter = BSON_INITIALIZER, cond, opts = BSON_INITIALIZER;
	mongoc_cursor_t *cur;
	const bson_t *d;
	bson_iter_t it;
	bool found = false;

	BSON_APPEND_DOCUMENT_BEGIN(&filter, "_id", &cond);
	BSON_APPEND_UTF8(&cond, "$gte", prefix);
	if (p->upper)
		bson_append_utf8(&cond, "$lt", 3, p->upper, (int)p->upper_len);
	bson_append_document_end(&filter, &cond);
	BSON_APPEND_INT64(&opts, "limit", 1);
	cur = mongoc_collection_find_with_opts(p->coll, &filter, &opts, NULL);
	if (mongoc_cursor_next(cur, &d) && bson_iter_init_find(&it, d, "_id") && BSON_ITER_HOLDS_UTF8(&it)) {
		snprintf(buf, len, "%s", bson_iter_utf8(&it, NULL));
		found = true;
	}
	mongoc_cursor_destroy(cur);
	bson_destroy(&opts);
	bson_destroy(&filter);
	return found;
}

void mongo_shard_info(struct bench_conn *conn, struct bench_server_info *out)
{
	struct mongo_priv *p = conn->priv;
	const struct bench_target *t = conn->target;
	const char *prefix = t->prefix ? t->prefix : "";
	bson_t cmd = BSON_INITIALIZER, reply, filter, cond;
	bson_error_t e;
	bson_iter_t it, arr;
	char key[512];
	int shards = -1, get_n, range_n;

	if (!t->shard_key)
		return;
	mongo_config_add(out, "shard_key", "_id %s", t->shard_key);
	BSON_APPEND_INT32(&cmd, "listShards", 1);
	if (mongo_db_cmd(p, "admin", &cmd, &reply, &e) && bson_iter_init_find(&it, &reply, "shards") &&
	    BSON_ITER_HOLDS_ARRAY(&it) && bson_iter_recurse(&it, &arr))
		for (shards = 0; bson_iter_next(&arr);)
			shards++;
	bson_destroy(&reply);
	bson_destroy(&cmd);
	if (shards >= 0)
		mongo_config_add(out, "shards", "%d", shards);
	/* Shards targeted, from explain, by a get ({_id: key}) and a range
	 * query of 100 from the same key (as the range op sends it), on a
	 * record the run loaded; nothing before the load. */
	if (!mongo_sample_key(p, prefix, key, sizeof(key)))
		return;
	bson_init(&filter);
	BSON_APPEND_UTF8(&filter, "_id", key);
	get_n = mongo_explain_find(p, &filter, 1);
	bson_reinit(&filter);
	BSON_APPEND_DOCUMENT_BEGIN(&filter, "_id", &cond);
	BSON_APPEND_UTF8(&cond, "$gte", key);
	if (p->upper)
		bson_append_utf8(&cond, "$lt", 3, p->upper, (int)p->upper_len);
	bson_append_document_end(&filter, &cond);
	range_n = mongo_explain_find(p, &filter, MONGO_EXPLAIN_RANGE);
	bson_destroy(&filter);
	mongo_config_count(out, "explain_get_shards", get_n);
	mongo_config_count(out, "explain_range_shards", range_n);
}
