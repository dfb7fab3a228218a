/*
 * mongodb_shard.c - the mongodb driver on a sharded cluster: with the
 * target's shard_key (the workload's keyspace.shard_key), open refuses a
 * server that is not a mongos, prepare shards the bench collection on _id
 * (hashed or ranged; a ranged one pre-split into one chunk per shard)
 * before the load, and server_info reports how many shards a get and a
 * range query target on average over a sample of keys, from explain.
 * None of it is on the request path. Contracts are in mongodb_int.h; the
 * operator-facing description is docs/drivers.md (mongodb, "Sharding").
 *
 * Never run against a real mongos on the project's machines (there is
 * none): only the refusal path is tested (against FerretDB). Every command
 * is built, and every reply read, by a function of its own (mongo_cmd_*,
 * mongo_reply_*, mongo_doc_*), which tests/unit/test_sharding_explain.c
 * checks against MongoDB 7.0's documented shapes on canned documents, as
 * it does the explain parsing, the sample and split keys and the mean.
 */
#include <inttypes.h>
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
/* Keys explained per op by server_info (fewer when there are fewer records). */
#define MONGO_EXPLAIN_SAMPLES 16
/* The digits of a record number in a key (harness/gen/keygen.h KEYGEN_DIGITS;
 * tests/unit/test_sharding_explain.c checks they agree). */
#define MONGO_KEY_DIGITS 12
/* At most this many shards get a chunk of a ranged collection. */
#define MONGO_MAX_SPLIT_SHARDS 64

static bool mongo_hashed_key(const char *shard_key)
{
	return shard_key && strcmp(shard_key, "hashed") == 0;
}

const char *mongo_target_shard_key(const struct bench_target *t)
{
	return bench_target_option(t, "shard_key");
}

static bool mongo_hashed(const struct bench_target *t)
{
	return mongo_hashed_key(mongo_target_shard_key(t));
}

/* Appends {_id: "hashed"} or {_id: 1} to b under name. */
static bool mongo_append_shard_key(bson_t *b, const char *name, const char *shard_key)
{
	bson_t key;

	return bson_append_document_begin(b, name, -1, &key) &&
	       (mongo_hashed_key(shard_key) ? bson_append_utf8(&key, "_id", 3, "hashed", 6)
					    : bson_append_int32(&key, "_id", 3, 1)) &&
	       bson_append_document_end(b, &key);
}

void mongo_cmd_enable_sharding(bson_t *cmd, const char *db)
{
	BSON_APPEND_UTF8(cmd, "enableSharding", db);
}

void mongo_cmd_hashed_index(bson_t *cmd, const char *coll)
{
	bson_t arr, idx;

	BSON_APPEND_UTF8(cmd, "createIndexes", coll);
	BSON_APPEND_ARRAY_BEGIN(cmd, "indexes", &arr);
	BSON_APPEND_DOCUMENT_BEGIN(&arr, "0", &idx);
	mongo_append_shard_key(&idx, "key", "hashed");
	BSON_APPEND_UTF8(&idx, "name", MONGO_HASHED_INDEX);
	bson_append_document_end(&arr, &idx);
	bson_append_array_end(cmd, &arr);
}

void mongo_cmd_shard_collection(bson_t *cmd, const char *ns, const char *shard_key)
{
	BSON_APPEND_UTF8(cmd, "shardCollection", ns);
	mongo_append_shard_key(cmd, "key", shard_key);
}

/* {<verb>: ns, <field>: {_id: key}[, to: to]} (split, moveChunk). */
static void mongo_cmd_chunk(bson_t *cmd, const char *verb, const char *ns, const char *field, const char *key,
			    const char *to)
{
	bson_t id;

	BSON_APPEND_UTF8(cmd, verb, ns);
	BSON_APPEND_DOCUMENT_BEGIN(cmd, field, &id);
	BSON_APPEND_UTF8(&id, "_id", key);
	bson_append_document_end(cmd, &id);
	if (to)
		BSON_APPEND_UTF8(cmd, "to", to);
}

void mongo_cmd_split(bson_t *cmd, const char *ns, const char *key)
{
	mongo_cmd_chunk(cmd, "split", ns, "middle", key, NULL);
}

void mongo_cmd_move_chunk(bson_t *cmd, const char *ns, const char *key, const char *to)
{
	mongo_cmd_chunk(cmd, "moveChunk", ns, "find", key, to);
}

void mongo_cmd_explain_find(bson_t *cmd, const char *coll, const bson_t *filter, int64_t limit)
{
	bson_t find, sort;

	BSON_APPEND_DOCUMENT_BEGIN(cmd, "explain", &find);
	BSON_APPEND_UTF8(&find, "find", coll);
	BSON_APPEND_DOCUMENT(&find, "filter", filter);
	BSON_APPEND_DOCUMENT_BEGIN(&find, "sort", &sort);
	BSON_APPEND_INT32(&sort, "_id", 1);
	bson_append_document_end(&find, &sort);
	BSON_APPEND_INT64(&find, "limit", limit);
	bson_append_document_end(cmd, &find);
	BSON_APPEND_UTF8(cmd, "verbosity", "queryPlanner");
}

bool mongo_reply_is_mongos(const bson_t *hello)
{
	bson_iter_t it;

	return bson_iter_init_find(&it, hello, "msg") && BSON_ITER_HOLDS_UTF8(&it) &&
	       strcmp(bson_iter_utf8(&it, NULL), "isdbgrid") == 0;
}

int mongo_reply_shards(const bson_t *reply, char (*names)[64], int max)
{
	bson_iter_t it, arr, id;
	int n;

	if (!bson_iter_init_find(&it, reply, "shards") || !BSON_ITER_HOLDS_ARRAY(&it) || !bson_iter_recurse(&it, &arr))
		return -1;
	for (n = 0; bson_iter_next(&arr); n++) {
		if (n >= max || !names)
			continue;
		names[n][0] = '\0'; /* "" when the entry has no string _id */
		if (BSON_ITER_HOLDS_DOCUMENT(&arr) && bson_iter_recurse(&arr, &id) && bson_iter_find(&id, "_id") &&
		    BSON_ITER_HOLDS_UTF8(&id))
			snprintf(names[n], sizeof(names[n]), "%s", bson_iter_utf8(&id, NULL));
	}
	return n;
}

bool mongo_doc_primary(const bson_t *doc, char *buf, size_t len)
{
	bson_iter_t it;

	if (!bson_iter_init_find(&it, doc, "primary") || !BSON_ITER_HOLDS_UTF8(&it) || !*bson_iter_utf8(&it, NULL))
		return false;
	snprintf(buf, len, "%s", bson_iter_utf8(&it, NULL));
	return true;
}

bool mongo_doc_sharded(const bson_t *doc)
{
	bson_iter_t it;

	return !(bson_iter_init_find(&it, doc, "dropped") && bson_iter_as_bool(&it)) &&
	       !(bson_iter_init_find(&it, doc, "unsplittable") && bson_iter_as_bool(&it));
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
	const mongoc_host_list_t *h;
	bool ok, mongos;

	if (!mongo_target_shard_key(conn->target))
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
	mongos = ok && mongo_reply_is_mongos(&reply);
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

/* The names of the cluster's shards (listShards), at most max of them;
 * returns how many, or -1 when listShards fails. */
static int mongo_list_shards(struct mongo_priv *p, char (*names)[64], int max)
{
	bson_t cmd = BSON_INITIALIZER, reply;
	bson_error_t e;
	int n = -1;

	BSON_APPEND_INT32(&cmd, "listShards", 1);
	if (mongo_db_cmd(p, "admin", &cmd, &reply, &e))
		n = mongo_reply_shards(&reply, names, max);
	bson_destroy(&reply);
	bson_destroy(&cmd);
	return n;
}

/* Finds {_id: id} in config.<coll>: true and *doc (caller destroys) when
 * there is one. */
static bool mongo_config_find(struct mongo_priv *p, const char *coll, const char *id, bson_t *doc)
{
	mongoc_collection_t *c = mongoc_client_get_collection(p->client, "config", coll);
	bson_t filter = BSON_INITIALIZER, opts = BSON_INITIALIZER;
	mongoc_cursor_t *cur;
	const bson_t *d;
	bool found = false;

	BSON_APPEND_UTF8(&filter, "_id", id);
	BSON_APPEND_INT64(&opts, "limit", 1);
	cur = mongoc_collection_find_with_opts(c, &filter, &opts, NULL);
	if (mongoc_cursor_next(cur, &d)) {
		bson_copy_to(d, doc);
		found = true;
	}
	mongoc_cursor_destroy(cur);
	bson_destroy(&opts);
	bson_destroy(&filter);
	mongoc_collection_destroy(c);
	return found;
}

/* Whether ns is a sharded collection already: config.collections has it,
 * not marked dropped (servers before 5.0) nor unsplittable (MongoDB 8.0
 * tracks unsharded collections there too). */
static bool mongo_is_sharded(struct mongo_priv *p, const char *ns)
{
	bson_t doc;
	bool sharded;

	if (!mongo_config_find(p, "collections", ns, &doc))
		return false;
	sharded = mongo_doc_sharded(&doc);
	bson_destroy(&doc);
	return sharded;
}

/* floor(records * i / n) without overflow (i <= n, n small). */
static uint64_t mongo_scale(uint64_t records, uint64_t i, uint64_t n)
{
	return records / n * i + records % n * i / n;
}

uint64_t mongo_shard_split_id(uint64_t records, unsigned i, unsigned n)
{
	return n ? mongo_scale(records, i, n) : 0;
}

uint64_t mongo_shard_sample_id(uint64_t records, unsigned i, unsigned n)
{
	return n ? mongo_scale(records, 2 * (uint64_t)i + 1, 2 * (uint64_t)n) : 0;
}

int mongo_shard_key(char *buf, size_t cap, const char *prefix, uint64_t id)
{
	return snprintf(buf, cap, "%s%0*" PRIu64, prefix ? prefix : "", MONGO_KEY_DIGITS, id);
}

/* Runs split (to NULL) or moveChunk (to a shard) at key on admin. */
static bool mongo_chunk_cmd(struct mongo_priv *p, const char *ns, const char *key, const char *to, bson_error_t *e)
{
	bson_t cmd = BSON_INITIALIZER, reply;
	bool ok;

	if (to)
		mongo_cmd_move_chunk(&cmd, ns, key, to);
	else
		mongo_cmd_split(&cmd, ns, key);
	ok = mongo_db_cmd(p, "admin", &cmd, &reply, e);
	bson_destroy(&reply);
	bson_destroy(&cmd);
	return ok;
}

/*
 * A ranged collection just sharded (one chunk, on the database's primary
 * shard) is split into one chunk per shard at evenly spaced keys of the
 * run's keyspace (record numbers records*i/S, i = 1 .. S-1), and chunk i
 * moved to the i-th shard other than the primary, which keeps chunk 0
 * (split i cuts the last chunk, [key i-1, MaxKey), wherever it is, and the
 * move takes [key i, MaxKey) to the next shard). Without it the whole
 * keyspace is one chunk on one shard and every range touches one shard
 * trivially. Returns true, or false with *step and *e.
 */
static bool mongo_presplit(struct mongo_priv *p, const struct bench_target *t, const char *ns, const char **step,
			   bson_error_t *e)
{
	char names[MONGO_MAX_SPLIT_SHARDS][64], order[MONGO_MAX_SPLIT_SHARDS][64], key[512], primary[64] = "";
	bson_t db;
	int n = mongo_list_shards(p, names, MONGO_MAX_SPLIT_SHARDS), k = 1;
	bool ok = true;

	if (n > MONGO_MAX_SPLIT_SHARDS)
		n = MONGO_MAX_SPLIT_SHARDS;
	if (n < 2 || t->records < (uint64_t)n) /* one shard, or too few keys: nothing to spread */
		return true;
	if (mongo_config_find(p, "databases", p->dbname, &db)) {
		mongo_doc_primary(&db, primary, sizeof(primary));
		bson_destroy(&db);
	}
	*step = "find the primary shard in config.databases";
	if (!*primary) {
		bson_set_error(e, 0, 0, "no primary shard for database %s", p->dbname);
		return false;
	}
	/* Same-sized, NUL-terminated names: whole copies. */
	memcpy(order[0], primary, sizeof(order[0]));
	for (int i = 0; i < n && k < n; i++)
		if (strcmp(names[i], primary) != 0)
			memcpy(order[k++], names[i], sizeof(order[0]));
	for (int i = 1; ok && i < k; i++) {
		mongo_shard_key(key, sizeof(key), t->prefix, mongo_shard_split_id(t->records, (unsigned)i, (unsigned)k));
		*step = "split";
		ok = mongo_chunk_cmd(p, ns, key, NULL, e);
		if (ok) {
			*step = "moveChunk";
			ok = mongo_chunk_cmd(p, ns, key, order[i], e);
		}
	}
	return ok;
}

int mongo_shard_prepare(struct bench_conn *conn)
{
	struct mongo_priv *p = conn->priv;
	const struct bench_target *t = conn->target;
	const char *coll = mongoc_collection_get_name(p->coll);
	char ns[256];
	bson_t cmd = BSON_INITIALIZER, reply;
	bson_error_t e;
	const char *step = "enableSharding";
	bool ok, was_sharded;

	if (!mongo_target_shard_key(t))
		return 0;
	snprintf(ns, sizeof(ns), "%s.%s", p->dbname, coll);
	/* Not needed since MongoDB 6.0 (shardCollection enables it), still
	 * accepted, and needed before. */
	mongo_cmd_enable_sharding(&cmd, p->dbname);
	ok = mongo_db_cmd(p, "admin", &cmd, &reply, &e);
	if (ok && mongo_hashed(t)) {
		/* A non-empty collection (an earlier run's records) can only be
		 * sharded on an index of the key; an empty one gets it anyway. */
		step = "createIndexes " MONGO_HASHED_INDEX;
		bson_reinit(&cmd);
		bson_destroy(&reply);
		mongo_cmd_hashed_index(&cmd, coll);
		ok = mongo_db_cmd(p, p->dbname, &cmd, &reply, &e);
	}
	/* Sharded by an earlier load (a repeat): its chunks stay as they are. */
	was_sharded = ok && mongo_is_sharded(p, ns);
	if (ok) {
		/* Idempotent with the same key; refused with another one. */
		step = "shardCollection";
		bson_reinit(&cmd);
		bson_destroy(&reply);
		mongo_cmd_shard_collection(&cmd, ns, mongo_target_shard_key(t));
		ok = mongo_db_cmd(p, "admin", &cmd, &reply, &e);
	}
	/* A hashed key on an empty collection gets chunks on every shard from
	 * shardCollection itself; a ranged one is split here. */
	if (ok && !mongo_hashed(t) && !was_sharded)
		ok = mongo_presplit(p, t, ns, &step, &e);
	bson_destroy(&reply);
	bson_destroy(&cmd);
	if (!ok)
		return bench_conn_error(conn, "mongodb: %s on %s (shard key _id %s): %s", step, ns, mongo_target_shard_key(t), e.message);
	return 0;
}

/* The number of entries of queryPlanner.winningPlan.shards in an explain
 * reply, or -1 when it has none (not a mongos, or another format). */
int mongo_explain_shards(const bson_t *reply)
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

double mongo_shard_mean(const int *counts, size_t n)
{
	double sum = 0;
	size_t used = 0;

	for (size_t i = 0; i < n; i++)
		if (counts[i] >= 0) {
			sum += counts[i];
			used++;
		}
	return used ? sum / (double)used : -1;
}

/* Explains find filter (sorted by _id, limit) on the collection; returns
 * the shards it targets, or -1. */
static int mongo_explain_find(struct mongo_priv *p, const bson_t *filter, int64_t limit)
{
	bson_t cmd = BSON_INITIALIZER, reply;
	bson_error_t e;
	int n = -1;

	mongo_cmd_explain_find(&cmd, mongoc_collection_get_name(p->coll), filter, limit);
	if (mongo_db_cmd(p, p->dbname, &cmd, &reply, &e))
		n = mongo_explain_shards(&reply);
	bson_destroy(&reply);
	bson_destroy(&cmd);
	return n;
}

/* Appends "key=<mean, 2 decimals>", or "key=unknown" when mean < 0. */
static void mongo_config_mean(struct bench_server_info *out, const char *key, double mean)
{
	if (mean >= 0)
		mongo_config_add(out, key, "%.2f", mean);
	else
		mongo_config_add(out, key, "unknown");
}

/* The mean shards a request of op reaches (< 0: unknown): the config line
 * "shards_per_op.<op>=", and the typed figure when known. */
static void mongo_shards_per_op(struct bench_server_info *out, enum bench_op op, double mean)
{
	char key[48];

	snprintf(key, sizeof(key), "shards_per_op.%s", bench_op_name(op));
	mongo_config_mean(out, key, mean);
	if (mean >= 0) {
		out->shards_per_op[op] = mean;
		out->shards_known |= 1u << op;
	}
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

/* Explains, for key, a get ({_id: key}, limit 1) into *get and a range
 * query as the range op sends it ({_id: {$gte: key, $lt: <prefix
 * bound>}}, sort _id, limit 100) into *range: shards targeted, or -1. */
static void mongo_explain_key(struct mongo_priv *p, const char *key, int *get, int *range)
{
	bson_t filter = BSON_INITIALIZER, cond;

	BSON_APPEND_UTF8(&filter, "_id", key);
	*get = mongo_explain_find(p, &filter, 1);
	bson_reinit(&filter);
	BSON_APPEND_DOCUMENT_BEGIN(&filter, "_id", &cond);
	BSON_APPEND_UTF8(&cond, "$gte", key);
	if (p->upper)
		bson_append_utf8(&cond, "$lt", 3, p->upper, (int)p->upper_len);
	bson_append_document_end(&filter, &cond);
	*range = mongo_explain_find(p, &filter, MONGO_EXPLAIN_RANGE);
	bson_destroy(&filter);
}

void mongo_shard_info(struct bench_conn *conn, struct bench_server_info *out)
{
	struct mongo_priv *p = conn->priv;
	const struct bench_target *t = conn->target;
	const char *prefix = t->prefix ? t->prefix : "";
	int shards, get_n[MONGO_EXPLAIN_SAMPLES], range_n[MONGO_EXPLAIN_SAMPLES];
	unsigned n = MONGO_EXPLAIN_SAMPLES;
	double get_mean, range_mean;
	char key[512];

	if (!mongo_target_shard_key(t))
		return;
	mongo_config_add(out, "shard_key", "_id %s", mongo_target_shard_key(t));
	if ((shards = mongo_list_shards(p, NULL, 0)) >= 0)
		mongo_config_add(out, "shards", "%d", shards);
	/* Nothing before the load: explain targets by the filter alone, but
	 * before prepare the collection is not sharded yet. */
	if (!mongo_sample_key(p, prefix, key, sizeof(key)))
		return;
	/* Keys at the middles of n equal slices of the records (a stratified
	 * sample of a uniform keyspace: the same keys every run), or the
	 * record found when the record count is unknown. */
	if (t->records < n)
		n = t->records ? (unsigned)t->records : 1;
	for (unsigned i = 0; i < n; i++) {
		if (t->records)
			mongo_shard_key(key, sizeof(key), prefix, mongo_shard_sample_id(t->records, i, n));
		mongo_explain_key(p, key, &get_n[i], &range_n[i]);
	}
	get_mean = mongo_shard_mean(get_n, n);
	range_mean = mongo_shard_mean(range_n, n);
	mongo_config_add(out, "explain_samples", "%u", n);
	/* summary.csv's shards_per_op (typed, and as config lines for
	 * run.json's server_after_run; "unknown" leaves it empty): set and
	 * delete filter on {_id: key} as get does, so they target as it does. */
	mongo_shards_per_op(out, BENCH_OP_GET, get_mean);
	mongo_shards_per_op(out, BENCH_OP_SET, get_mean);
	mongo_shards_per_op(out, BENCH_OP_DELETE, get_mean);
	mongo_shards_per_op(out, BENCH_OP_RANGE, range_mean);
}
