/*
 * mongodb_ns.c - data safety hooks of the mongodb driver. Records are the
 * documents of the target's collection whose _id lies in [prefix, upper)
 * (mongo_prefix_upper). The server is asked for those (find with that
 * filter, only _id), and each _id it returns is compared with the prefix
 * here: ns_count counts those, ns_clean deletes exactly those by _id
 * (deleteMany {_id: {$gte, $lt, $in: [...]}}), NS_PASS at a time. The
 * reads are bounded (NS_FOREIGN_MAX, NS_PASS, NS_PASS_BYTES, passes by the
 * collection's size) and polled for target->should_stop. What bench
 * creates around them is noted before the run
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

/* Documents one cleanup pass reads and deletes at most, and the bytes of
 * their _ids (the deleteMany command must stay under BSON's 16 MiB). */
#define NS_PASS 10000
#define NS_PASS_BYTES (8u << 20)
/* Documents outside the prefix the count reads at most: a server (or a
 * proxy) that ignores the filter returns other documents too. */
#define NS_FOREIGN_MAX 1000000u
/* Indexes listIndexes may list at most. */
#define NS_INDEXES_MAX 1000

/* bench_ns_state.notes: what did not exist before the run. */
#define NS_NO_COLLECTION 1u
#define NS_NO_INDEX 2u

static const char *ns_database(const struct bench_conn *conn)
{
	const char *db = bench_target_option(conn->target, "database");

	return db ? db : MONGO_DEFAULT_DATABASE;
}

/* {_id: {$gte: prefix, $lt: upper}}: the target's documents; with in,
 * only those of them whose _id is in that array. */
static void ns_filter(const struct bench_conn *conn, bson_t *f, const bson_t *in)
{
	const struct mongo_priv *p = conn->priv;
	const char *prefix = conn->target->prefix ? conn->target->prefix : "";
	bson_t cond;

	bson_init(f);
	BSON_APPEND_DOCUMENT_BEGIN(f, "_id", &cond);
	BSON_APPEND_UTF8(&cond, "$gte", prefix);
	if (p->upper)
		bson_append_utf8(&cond, "$lt", 3, p->upper, (int)p->upper_len);
	if (in)
		bson_append_array(&cond, "$in", 3, in);
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

	/* A collection has at most 64 indexes; the bound is for a server
	 * that does not end the list. */
	for (int k = 0; k < NS_INDEXES_MAX && mongoc_cursor_next(cur, &doc); k++)
		found |= bson_iter_init_find(&it, doc, "name") && BSON_ITER_HOLDS_UTF8(&it) &&
			 strcmp(bson_iter_utf8(&it, NULL), MONGO_CATEGORY_INDEX) == 0;
	if (mongoc_cursor_error(cur, &e))
		found = bench_conn_error(conn, "mongodb: listIndexes: %s", e.message);
	mongoc_cursor_destroy(cur);
	return found;
}

/* Documents matching filter, counted up to limit (0: all), by the server:
 * only for "is anything left in the collection". -1 with errstr. */
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


/* A cursor over the _ids of the documents the prefix filter selects, at
 * most limit (0: no limit) of them as the server counts. */
static mongoc_cursor_t *ns_find_ids(struct bench_conn *conn, uint64_t limit)
{
	struct mongo_priv *p = conn->priv;
	bson_t filter, opts = BSON_INITIALIZER, proj;
	mongoc_cursor_t *cur;

	ns_filter(conn, &filter, NULL);
	BSON_APPEND_DOCUMENT_BEGIN(&opts, "projection", &proj);
	BSON_APPEND_INT32(&proj, "_id", 1);
	bson_append_document_end(&opts, &proj);
	if (limit)
		BSON_APPEND_INT64(&opts, "limit", limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
	cur = mongoc_collection_find_with_opts(p->coll, &filter, &opts, NULL);
	bson_destroy(&filter);
	bson_destroy(&opts);
	return cur;
}

/* The document's _id when it is a string under the prefix (this target's
 * record), else NULL: the check made here, whatever the server filtered. */
static const char *ns_mine(const struct bench_conn *conn, const bson_t *doc, uint32_t *len)
{
	const char *prefix = conn->target->prefix ? conn->target->prefix : "";
	size_t plen = strlen(prefix);
	bson_iter_t it;
	const char *id;

	if (!bson_iter_init_find(&it, doc, "_id") || !BSON_ITER_HOLDS_UTF8(&it))
		return NULL;
	id = bson_iter_utf8(&it, len);
	return *len >= plen && memcmp(id, prefix, plen) == 0 ? id : NULL;
}

/* The end of a walk over a cursor: its error, if any, into errstr. */
static int ns_cursor_done(struct bench_conn *conn, mongoc_cursor_t *cur, int ret)
{
	bson_error_t e;

	if (ret == 0 && mongoc_cursor_error(cur, &e))
		ret = bench_conn_error(conn, "mongodb: find under the prefix: %s", e.message);
	mongoc_cursor_destroy(cur);
	return ret;
}

/* Counts the documents under the prefix into *n, up to limit (0: all).
 * 0, or -1 with errstr. */
static int ns_count_mine(struct bench_conn *conn, uint64_t limit, uint64_t *n)
{
	mongoc_cursor_t *cur = ns_find_ids(conn, limit);
	const bson_t *doc;
	uint64_t foreign = 0;
	uint32_t len;
	int ret = 0;

	*n = 0;
	while (ret == 0 && mongoc_cursor_next(cur, &doc)) {
		if (bench_conn_should_stop(conn))
			ret = bench_conn_error(conn, "mongodb: count under the prefix: stopped");
		else if (ns_mine(conn, doc, &len)) {
			if (++*n == limit)
				break;
		} else if (++foreign > NS_FOREIGN_MAX) {
			ret = bench_conn_error(conn, "mongodb: the server answered the prefix filter with over %u "
						     "documents outside it", NS_FOREIGN_MAX);
		}
	}
	return ns_cursor_done(conn, cur, ret);
}

int mongo_ns_count(struct bench_conn *conn, uint64_t limit, struct bench_ns_state *out)
{
	struct mongo_priv *p = conn->priv;
	mongoc_database_t *db;
	bson_error_t e;
	bool exists;
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
	return ns_count_mine(conn, limit, &out->keys);
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

/*
 * One cleanup pass: the _ids under the prefix of up to NS_PASS documents
 * (NS_PASS_BYTES) the server lists, deleted by _id. *listed = those found
 * (0: none left), *removed += deletedCount. 0, or -1 with errstr.
 */
static int ns_clean_pass(struct bench_conn *conn, uint64_t *listed, uint64_t *removed)
{
	struct mongo_priv *p = conn->priv;
	mongoc_cursor_t *cur = ns_find_ids(conn, NS_PASS);
	bson_t filter, ids, reply;
	const bson_t *doc;
	size_t seen = 0, bytes = 0;
	bson_error_t e;
	bson_iter_t it;
	int ret = 0;

	*listed = 0;
	bson_init(&ids);
	while (bytes < NS_PASS_BYTES && seen++ < NS_PASS && mongoc_cursor_next(cur, &doc)) {
		uint32_t len;
		const char *id = ns_mine(conn, doc, &len);
		char idx[24];

		if (bench_conn_should_stop(conn)) {
			ret = bench_conn_error(conn, "mongodb: cleanup under the prefix: stopped");
			break;
		}
		if (!id)
			continue;
		snprintf(idx, sizeof(idx), "%llu", (unsigned long long)*listed);
		bson_append_utf8(&ids, idx, -1, id, (int)len);
		(*listed)++;
		bytes += len + sizeof(idx);
	}
	ret = ns_cursor_done(conn, cur, ret);
	if (ret == 0 && *listed) {
		ns_filter(conn, &filter, &ids);
		if (mongoc_collection_delete_many(p->coll, &filter, NULL, &reply, &e)) {
			if (bson_iter_init_find(&it, &reply, "deletedCount"))
				*removed += (uint64_t)bson_iter_as_int64(&it);
		} else {
			ret = bench_conn_error(conn, "mongodb: deleteMany under the prefix: %s", e.message);
		}
		bson_destroy(&reply);
		bson_destroy(&filter);
	}
	bson_destroy(&ids);
	return ret;
}

int mongo_ns_clean(struct bench_conn *conn, const struct bench_ns_state *before, uint64_t *removed)
{
	struct mongo_priv *p = conn->priv;
	uint64_t passes, listed = 0, was;
	bson_error_t e;
	int64_t docs;

	*removed = 0;
	if (!p || conn->err)
		return bench_conn_error(conn, "mongodb: not connected");
	/* Passes at most: twice those the collection's size needs. */
	docs = mongoc_collection_estimated_document_count(p->coll, NULL, NULL, NULL, &e);
	if (docs < 0)
		return bench_conn_error(conn, "mongodb: estimatedDocumentCount: %s", e.message);
	passes = 2 + 2 * (uint64_t)docs / NS_PASS;
	for (uint64_t k = 0; k < passes; k++) {
		was = *removed;
		if (ns_clean_pass(conn, &listed, removed) < 0)
			return -1;
		if (!listed)
			return ns_drop_created(conn, before);
		if (*removed == was)
			return bench_conn_error(conn, "mongodb: %llu documents under the prefix listed, none deleted",
						(unsigned long long)listed);
	}
	return bench_conn_error(conn, "mongodb: documents under the prefix still listed after %llu passes",
				(unsigned long long)passes);
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
