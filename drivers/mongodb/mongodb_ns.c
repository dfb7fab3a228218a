/*
 * mongodb_ns.c - data safety hooks of the mongodb driver. Records are the
 * documents of the target's collection whose _id lies in [prefix, upper)
 * (mongo_prefix_upper): that is what ns_count counts and ns_clean deletes
 * (deleteMany). What bench creates around them is noted before the run
 * (struct bench_ns_state.notes) and removed after it only if it did not
 * exist: the collection (dropped only when no other document is left in
 * it) and the category index. ns_flush is dropDatabase of the target's
 * database.
 */
#include <stdio.h>
#include <string.h>

#include <bson/bson.h>
#include <mongoc/mongoc.h>

#include "driver.h"
#include "mongodb_int.h"

/* bench_ns_state.notes: what did not exist before the run. */
#define NS_NO_COLLECTION 1u
#define NS_NO_INDEX 2u

static const char *ns_database(const struct bench_conn *conn)
{
	const char *db = bench_target_option(conn->target, "database");

	return db ? db : MONGO_DEFAULT_DATABASE;
}

/* {_id: {$gte: prefix, $lt: upper}}: the target's documents. */
static void ns_filter(const struct bench_conn *conn, bson_t *f)
{
	const struct mongo_priv *p = conn->priv;
	const char *prefix = conn->target->prefix ? conn->target->prefix : "";
	bson_t cond;

	bson_init(f);
	BSON_APPEND_DOCUMENT_BEGIN(f, "_id", &cond);
	BSON_APPEND_UTF8(&cond, "$gte", prefix);
	if (p->upper)
		bson_append_utf8(&cond, "$lt", 3, p->upper, (int)p->upper_len);
	bson_append_document_end(f, &cond);
}

/* Whether the category index exists; -1 with errstr when it cannot tell. */
static int ns_has_index(struct bench_conn *conn, struct mongo_priv *p)
{
	mongoc_cursor_t *cur = mongoc_collection_find_indexes_with_opts(p->coll, NULL);
	const bson_t *doc;
	bson_error_t e;
	bson_iter_t it;
	int found = 0;

	while (mongoc_cursor_next(cur, &doc))
		found |= bson_iter_init_find(&it, doc, "name") && BSON_ITER_HOLDS_UTF8(&it) &&
			 strcmp(bson_iter_utf8(&it, NULL), MONGO_CATEGORY_INDEX) == 0;
	if (mongoc_cursor_error(cur, &e))
		found = bench_conn_error(conn, "mongodb: listIndexes: %s", e.message);
	mongoc_cursor_destroy(cur);
	return found;
}

/* Documents matching filter, counted up to limit (0: all); -1 with errstr. */
static int64_t ns_count_docs(struct bench_conn *conn, const bson_t *filter, uint64_t limit)
{
	struct mongo_priv *p = conn->priv;
	bson_t opts = BSON_INITIALIZER;
	bson_error_t e;
	int64_t n;

	if (limit)
		BSON_APPEND_INT64(&opts, "limit", limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
	n = mongoc_collection_count_documents(p->coll, filter, &opts, NULL, NULL, &e);
	bson_destroy(&opts);
	if (n < 0)
		bench_conn_error(conn, "mongodb: count of %s: %s", mongoc_collection_get_name(p->coll), e.message);
	return n;
}

int mongo_ns_count(struct bench_conn *conn, uint64_t limit, struct bench_ns_state *out)
{
	struct mongo_priv *p = conn->priv;
	mongoc_database_t *db;
	bson_error_t e;
	bson_t filter;
	bool exists;
	int64_t n;
	int idx;

	memset(out, 0, sizeof(*out));
	if (!p || conn->err)
		return bench_conn_error(conn, "mongodb: not connected");
	snprintf(out->noun, sizeof(out->noun), "documents in %s.%s", ns_database(conn), mongoc_collection_get_name(p->coll));
	db = mongoc_client_get_database(p->client, ns_database(conn));
	memset(&e, 0, sizeof(e)); /* a missing collection leaves e as it was */
	exists = mongoc_database_has_collection(db, mongoc_collection_get_name(p->coll), &e);
	mongoc_database_destroy(db);
	if (!exists && e.code)
		return bench_conn_error(conn, "mongodb: listCollections: %s", e.message);
	if (!exists) {
		out->notes = NS_NO_COLLECTION | NS_NO_INDEX;
		return 0;
	}
	idx = ns_has_index(conn, p);
	if (idx < 0)
		return -1;
	if (!idx)
		out->notes |= NS_NO_INDEX;
	ns_filter(conn, &filter);
	n = ns_count_docs(conn, &filter, limit);
	bson_destroy(&filter);
	if (n < 0)
		return -1;
	out->keys = (uint64_t)n;
	return 0;
}

/* Drops what the run created (before->notes) and nobody else uses. */
static int ns_drop_created(struct bench_conn *conn, const struct bench_ns_state *before)
{
	struct mongo_priv *p = conn->priv;
	bson_t all = BSON_INITIALIZER;
	bson_error_t e;
	int64_t left;

	if (before->notes & NS_NO_COLLECTION) {
		left = ns_count_docs(conn, &all, 1);
		if (left < 0)
			return -1;
		if (left == 0) {
			if (!mongoc_collection_drop(p->coll, &e) && e.code != MONGO_CODE_NS_NOT_FOUND)
				return bench_conn_error(conn, "mongodb: drop of the collection bench created: %s", e.message);
			return 0;
		}
	}
	if ((before->notes & NS_NO_INDEX) && !mongoc_collection_drop_index(p->coll, MONGO_CATEGORY_INDEX, &e) &&
	    e.code != MONGO_CODE_INDEX_NOT_FOUND && e.code != MONGO_CODE_NS_NOT_FOUND)
		return bench_conn_error(conn, "mongodb: dropIndexes %s: %s", MONGO_CATEGORY_INDEX, e.message);
	return 0;
}

int mongo_ns_clean(struct bench_conn *conn, const struct bench_ns_state *before, uint64_t *removed)
{
	struct mongo_priv *p = conn->priv;
	bson_t filter, reply;
	bson_error_t e;
	bson_iter_t it;
	bool ok;

	*removed = 0;
	if (!p || conn->err)
		return bench_conn_error(conn, "mongodb: not connected");
	ns_filter(conn, &filter);
	ok = mongoc_collection_delete_many(p->coll, &filter, NULL, &reply, &e);
	bson_destroy(&filter);
	if (ok && bson_iter_init_find(&it, &reply, "deletedCount"))
		*removed = (uint64_t)bson_iter_as_int64(&it);
	bson_destroy(&reply);
	if (!ok)
		return bench_conn_error(conn, "mongodb: deleteMany under the prefix: %s", e.message);
	return ns_drop_created(conn, before);
}

int mongo_ns_flush(struct bench_conn *conn, char *what, size_t what_len)
{
	struct mongo_priv *p = conn->priv;
	mongoc_database_t *db;
	bson_error_t e;
	bool ok;

	if (!p || conn->err)
		return bench_conn_error(conn, "mongodb: not connected");
	db = mongoc_client_get_database(p->client, ns_database(conn));
	ok = mongoc_database_drop(db, &e);
	mongoc_database_destroy(db);
	if (!ok && e.code != MONGO_CODE_NS_NOT_FOUND)
		return bench_conn_error(conn, "mongodb: dropDatabase %s: %s", ns_database(conn), e.message);
	snprintf(what, what_len, "dropDatabase %s: removed every collection of the database", ns_database(conn));
	return 0;
}
