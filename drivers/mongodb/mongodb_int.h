/*
 * mongodb_int.h - private to the mongodb driver: the per-connection state
 * and helpers shared by mongodb.c (open/close, get/set/delete and load),
 * mongodb_ops.c (range, query, fuzzy and the structure ops) and
 * mongodb_info.c (connecting to the server, error mapping, prepare, naming
 * the server). Not part of the driver ABI.
 */
#ifndef BENCH_MONGODB_INT_H
#define BENCH_MONGODB_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bson/bson.h>
#include <mongoc/mongoc.h>

#include "driver.h"

/*
 * conn->priv of a mongodb connection. Allocated zeroed by mongo_open(),
 * which owns it and every member; mongo_close() frees it all (members
 * still NULL are skipped).
 */
struct mongo_priv {
	mongoc_client_t *client;
	mongoc_collection_t *coll;
	/* socketTimeoutMS in effect (0 = none), to tell a timeout from a reset. */
	int32_t sock_timeout_ms;
	/* The server is FerretDB (buildInfo has ferretdbVersion): see
	 * mongo_build_set_update() in mongodb.c. */
	bool ferretdb;
	/* "FerretDB v1.24.2", "MongoDB 7.0.12": for messages (from open's
	 * buildInfo). */
	char server[64];
	/* The database holding the collection (option database). */
	char *dbname;
	/*
	 * Reused for every request: bson_reinit() keeps a heap buffer once a
	 * document outgrew the inline one, so a steady workload stops
	 * allocating here. They are heap bson_t (bson_new) because a bson_t is
	 * 128-byte aligned, which malloc() does not promise for this struct.
	 */
	bson_t *filter;
	bson_t *doc;
	bson_t *opts_find_n;
	bson_t *opts;          /* options of one op of mongodb_ops.c */
	/* {limit: 1, projection: <the value fields of a record of
	 * find1_fields fields>}, rebuilt when a get has another field count. */
	bson_t *opts_find_1;
	unsigned find1_fields;
	/* Built once in open. */
	bson_t *opts_upsert;   /* {upsert: true} */
	bson_t *opts_unordered; /* {ordered: false} */
	/* The smallest string above every key under the target's prefix, so
	 * {_id: {$gte: prefix, $lt: upper}} is exactly this target's records
	 * (mongo_prefix_upper in mongodb_info.c); NULL when the prefix is empty
	 * (no bound: the whole collection). */
	char *upper;
	size_t upper_len;
	/* Option query_index (default true): prepare() keeps the category
	 * index when the workload queries. */
	bool query_index;
	/* Indices into the batch, grouped by op; grown when a batch is larger
	 * than any before (so not per request). */
	size_t *idx;
	size_t idx_cap;
	/* Text built per request (regex patterns, dotted field paths); grown
	 * when a request needs more than any before. */
	char *scratch;
	size_t scratch_cap;
};

/* Outcome of one group (one round trip) of a batch. */
struct mongo_outcome {
	enum bench_status status; /* OK: per-request statuses are set */
	bson_error_t error;
};

/* MongoDB's DuplicateKey: an insert (or an upsert's insert) found the _id taken. */
#define MONGO_CODE_DUPLICATE_KEY 11000
/* MongoDB's NamespaceNotFound and IndexNotFound: nothing to drop. */
#define MONGO_CODE_NS_NOT_FOUND 26
#define MONGO_CODE_INDEX_NOT_FOUND 27
/* NotImplemented: FerretDB's answer to what it does not do (yet). */
#define MONGO_CODE_NOT_IMPLEMENTED 238

/* Where records live when the target's options do not say. */
#define MONGO_DEFAULT_DATABASE "bench"
#define MONGO_DEFAULT_COLLECTION "kv"
/* Expiry (docs/drivers.md, "Expiry"): a write with a TTL sets the date
 * field bench_expire_at to its time plus the TTL; the TTL index on it, with
 * expireAfterSeconds 0, lets each document expire at its own date. A name
 * of bench's own, not expireAt: MongoDB's monitor deletes every document
 * of the collection whose indexed field holds a past date, and a
 * collection bench shares with others (options database, collection) may
 * hold documents with an expireAt of their own. */
#define MONGO_TTL_FIELD "bench_expire_at"
#define MONGO_TTL_INDEX "bench_expire_at_1"
#define MONGO_TTL_NOTE "MongoDB removes expired documents only when its TTL monitor runs, once a minute, so a " \
	"read up to about 60 s past a document's TTL may still find it (docs/drivers.md, \"Expiry\")"
#define MONGO_TTL_NOTE_FERRETDB "FerretDB 1.24 does not implement TTL indexes (createIndexes with " \
	"expireAfterSeconds is NotImplemented), so no document expires and reads past the TTL still hit: this " \
	"stand-in cannot show MongoDB's expiry (docs/drivers.md, \"Expiry\")"
/* The category index, named as MongoDB would name it. */
#define MONGO_CATEGORY_INDEX "category_1__id_1"
/* The buildInfo.buildEnvironment key with which bench-ferretdb
 * (tools/ferretdb/) says it indexes the SQLite expression its _id
 * lookups use; its value is that expression. */
#define MONGO_FERRETDB_ID_INDEX "benchIdIndex"
/* ... and names its backend ("SQLite"), which FerretDB itself names only
 * once a database is open. */
#define MONGO_FERRETDB_BACKEND "benchBackend"

/* CLOCK_MONOTONIC in milliseconds. */
int64_t mongo_now_ms(void);

/* Maps a libmongoc error of a call that took elapsed_ms to a request
 * status (TIMEOUT, DISCONNECTED or ERROR; docs/drivers.md). */
enum bench_status mongo_classify(const struct mongo_priv *p, const bson_error_t *e, int64_t elapsed_ms);

/* Builds {_id: key} in p->filter; false when the key is too long for BSON. */
bool mongo_build_filter(struct mongo_priv *p, const struct bench_request *r);

/* Writes "field<i>" into buf (cap >= 16); returns its length. */
int mongo_field_name(char *buf, size_t cap, unsigned i);

/* Appends to proj the value fields of a record of `fields` fields: v: 1,
 * or field0: 1 ... field<fields-1>: 1. False when proj is full. */
bool mongo_append_value_projection(bson_t *proj, unsigned fields);

/*
 * Reads the value of record document d (of `fields` fields): v, or
 * field0..field<fields-1> concatenated in order. Sets *len to its bytes
 * and copies min(cap, len) of them to out when out is not NULL. Returns
 * BENCH_OK, BENCH_MISS when d holds no value field at all (a document that
 * only structure ops wrote), or BENCH_ERROR (a field that is not binary, or
 * missing while others are there).
 */
enum bench_status mongo_read_value(const bson_t *d, unsigned fields, char *out, size_t cap, size_t *len);

/* Returns p->scratch with room for at least n bytes, or NULL (out of
 * memory; the request is an error). */
char *mongo_scratch(struct mongo_priv *p, size_t n);

/*
 * Runs one request of an op other than get, set and delete (range ...
 * zrangebyscore) as one round trip (lpush on FerretDB: two once its list
 * is full, see mongo_lpush). Sets r->status and its outputs; o->status is BENCH_OK
 * unless the call failed as a whole (then o->error says why and r->status
 * equals o->status), as the get/set/delete groups of mongodb.c do.
 */
void mongo_op_one(struct bench_conn *conn, struct bench_request *r, struct mongo_outcome *o);

/*
 * The prepare hook: creates the category index {category: 1, _id: 1} when
 * the target queries (index_query) and query_index is true, or drops it
 * when query_index is false. Returns 0, or -1 with errstr.
 */
int mongo_prepare(struct bench_conn *conn);

/* Computes p->upper from the target's prefix. Returns 0, or -1 with
 * errstr (out of memory). Called by open. */
int mongo_prefix_upper(struct bench_conn *conn);

/*
 * Connects p to the server named by conn->target: parses its URI, applies
 * the driver's defaults (timeouts from the target, retries off, appname)
 * where the URI sets none, creates p->client and p->coll (database db,
 * collection coll), sets p->sock_timeout_ms, then checks that the server
 * answers ping and buildInfo and sets p->ferretdb. libmongoc must be
 * initialized. Returns 0, or -1 with the reason in conn->errstr; either
 * way p->client and p->coll, when set, belong to p (freed by mongo_close).
 */
int mongo_connect(struct bench_conn *conn, struct mongo_priv *p, const char *db, const char *coll);

/*
 * The server_info hook (see driver.h): zeroes *out and fills it from
 * buildInfo, serverStatus and hello (isMaster before MongoDB 4.4.2), and on
 * FerretDB its getLog startup lines. Returns 0, or -1 with the reason in
 * conn->errstr when the connection is not open or buildInfo fails. All
 * replies are freed before it returns; out holds copies.
 */
int mongo_server_info(struct bench_conn *conn, struct bench_server_info *out);

/* Appends "key=value\n" (value from fmt) to out->config while it fits. */
void mongo_config_add(struct bench_server_info *out, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Sharding (mongodb_shard.c), all no-ops when the target has no
 * shard_key. mongo_shard_check (open): 0 when the server is a mongos, -2
 * when it answered but is not one (errstr: "shard_key needs a mongos; ..."),
 * -1 when hello failed (errstr). mongo_shard_prepare (prepare, before the
 * load): enableSharding, the hashed index for a hashed key,
 * shardCollection of the bench collection on _id and, for a ranged key on
 * a collection not sharded before, split + moveChunk into one chunk per
 * shard at evenly spaced keys of target->records; 0 or -1 with errstr.
 * mongo_shard_info (server_info): shard_key, shards and, once records
 * exist, explain_samples and shards_per_op.get/set/delete/range (means
 * over the sample, 2 decimals, or unknown) lines in out->config.
 */
int mongo_shard_check(struct bench_conn *conn, struct mongo_priv *p);
/* The target's shard_key option ("hashed" or "1"), NULL when it has none. */
const char *mongo_target_shard_key(const struct bench_target *t);
int mongo_shard_prepare(struct bench_conn *conn);
void mongo_shard_info(struct bench_conn *conn, struct bench_server_info *out);

/*
 * The pure pieces of mongodb_shard.c (tests/unit/test_sharding_explain.c).
 * mongo_explain_shards: the length of queryPlanner.winningPlan.shards of
 * a mongos explain reply, -1 when absent. mongo_shard_mean: the mean of
 * the counts >= 0 among counts[0..n), -1 when there is none.
 * mongo_shard_split_id: floor(records * i / n), the first record of chunk
 * i of n. mongo_shard_sample_id: floor(records * (2i+1) / (2n)), the
 * middle of slice i of n. mongo_shard_key: the key of record id (prefix
 * and 12 zero-padded digits, as harness/gen/keygen.c makes it) into buf;
 * returns snprintf's count.
 */
int mongo_explain_shards(const bson_t *reply);
double mongo_shard_mean(const int *counts, size_t n);
uint64_t mongo_shard_split_id(uint64_t records, unsigned i, unsigned n);
uint64_t mongo_shard_sample_id(uint64_t records, unsigned i, unsigned n);
int mongo_shard_key(char *buf, size_t cap, const char *prefix, uint64_t id);

/*
 * The sharding commands the driver sends and the replies it reads, in the
 * shapes MongoDB 7.0 documents (docs/drivers.md, "Sharding"; checked on
 * canned documents by tests/unit/test_sharding_explain.c). Each mongo_cmd_*
 * appends one command to an empty `cmd`:
 *   enable_sharding  {enableSharding: db}                        on admin
 *   hashed_index     {createIndexes: coll, indexes: [{key: {_id: "hashed"},
 *                     name: "_id_hashed"}]}                     on the db
 *   shard_collection {shardCollection: ns, key: {_id: "hashed" | 1}} on admin
 *   split            {split: ns, middle: {_id: key}}             on admin
 *   move_chunk       {moveChunk: ns, find: {_id: key}, to: shard} on admin
 *                    (ranged keys only: find must not be used on hashed ones)
 *   explain_find     {explain: {find: coll, filter, sort: {_id: 1}, limit},
 *                     verbosity: "queryPlanner"}                 on the db
 * mongo_reply_is_mongos: a hello (isMaster) reply says msg "isdbgrid".
 * mongo_reply_shards: the _id of each entry of listShards' shards, at most
 * max into names ("" for an entry without a string _id); the number of
 * entries, -1 when there is no shards array. mongo_doc_primary: a
 * config.databases document's primary shard into buf; false without one.
 * mongo_doc_sharded: a config.collections document describes a sharded
 * collection (not dropped, before 5.0; not unsplittable, 8.0).
 */
void mongo_cmd_enable_sharding(bson_t *cmd, const char *db);
void mongo_cmd_hashed_index(bson_t *cmd, const char *coll);
void mongo_cmd_shard_collection(bson_t *cmd, const char *ns, const char *shard_key);
void mongo_cmd_split(bson_t *cmd, const char *ns, const char *key);
void mongo_cmd_move_chunk(bson_t *cmd, const char *ns, const char *key, const char *to);
void mongo_cmd_explain_find(bson_t *cmd, const char *coll, const bson_t *filter, int64_t limit);
bool mongo_reply_is_mongos(const bson_t *hello);
int mongo_reply_shards(const bson_t *reply, char (*names)[64], int max);
bool mongo_doc_primary(const bson_t *doc, char *buf, size_t len);
bool mongo_doc_sharded(const bson_t *doc);

/* The server_stats hook: CPU from serverStatus extra_info where the server
 * reports it (MongoDB 4.4+ on Linux), else cpu_s < 0. */
int mongo_server_stats(struct bench_conn *conn, struct bench_server_stats *out);

/* mongodb_ns.c: the data safety hooks (see driver.h). */
int mongo_ns_count(struct bench_conn *conn, uint64_t limit, struct bench_ns_state *out);
int mongo_ns_clean(struct bench_conn *conn, const struct bench_ns_state *before, uint64_t *removed);
int mongo_ns_flush(struct bench_conn *conn, char *what, size_t what_len);

/* mongodb_trace.c: --trace through libmongoc's command monitoring on
 * client, into conn->trace (set). 0, or -1 with errstr. */
int mongo_trace_start(struct bench_conn *conn, mongoc_client_t *client);
/* mongodb_describe.c: the describe hook (driver.h). */
int mongo_describe(const struct bench_target *t, const struct bench_request *sample, char *buf, size_t len);

#endif
