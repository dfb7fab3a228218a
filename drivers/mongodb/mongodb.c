/*
 * mongodb.c - the MongoDB driver (libmongoc/libbson 1.23), also used for
 * MongoDB wire-protocol servers such as FerretDB.
 *
 * One record is one document {_id: <key as a UTF-8 string>, v: <BSON binary,
 * subtype 0>} (or, for records of N fields, field0 ... fieldN-1, binary
 * each), plus category: "c<n>" when the workload queries, in the collection
 * named by the options `database` and `collection`. The gets, sets and
 * deletes of a batch are grouped by op so each group is one round trip:
 * gets become one find with {_id: {$in: [...]}}, sets and deletes one
 * unordered bulk write. The other ops (range ... zrangebyscore, whose
 * structures are fields of the same document) are in mongodb_ops.c, one
 * round trip per request. The operator-facing description is the mongodb
 * section of docs/drivers.md; keep the two in step. Connecting to the
 * server and server_info are in mongodb_info.c (shared state:
 * mongodb_int.h).
 */
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bson/bson.h>
#include <mongoc/mongoc.h>

#include "driver.h"
#include "mongodb_int.h"

static pthread_once_t mongo_once = PTHREAD_ONCE_INIT;

static void mongo_global_init(void)
{
	/*
	 * libmongoc logs warnings to stderr by default (e.g. "Couldn't send
	 * endSessions" on FerretDB, which lacks that command, and, from
	 * mongoc_init itself, "Falling back to malloc for counters"); a driver
	 * never prints, and every failure that matters reaches us as a
	 * bson_error_t. So the handler goes first.
	 */
	mongoc_log_set_handler(NULL, NULL);
	mongoc_init();
}

static const char *const mongo_shard_key_values[] = {"hashed", "1", NULL};

static const struct bench_option_spec mongo_options[] = {
	{ "database", "database holding the collection (default: bench)", BENCH_OPT_STRING, NULL },
	{ "collection", "collection of {_id: key, v: binary} documents (default: kv)", BENCH_OPT_STRING, NULL },
	{ "query_index", "true: keep the index {category: 1, _id: 1} for query ops; false: drop it, to measure "
			 "unindexed queries (default: true)", BENCH_OPT_BOOL, NULL },
	/* Set by the harness from the workload's shard_key ({_id: hashed} of
	 * the target or the keyspace), never under a target's options. */
	{ "shard_key", "shard the collection on _id: hashed or 1 (ranged), on a mongos; set by the workload's "
		       "shard_key (default: not sharded)", BENCH_OPT_ENUM, mongo_shard_key_values },
	{ NULL, NULL, BENCH_OPT_STRING, NULL },
};

static void mongo_set_group(struct bench_request *reqs, const size_t *idx, size_t m, enum bench_status s)
{
	for (size_t k = 0; k < m; k++)
		reqs[idx[k]].status = s;
}

/* The bench_expire_at date of a write made now with a TTL of ttl_ms: the wall
 * clock's milliseconds since the epoch, as BSON dates count (the server's
 * TTL monitor compares it with its own clock). */
static int64_t mongo_expire_at(uint64_t ttl_ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + (int64_t)ttl_ms;
}

/*
 * Appends a record's data to d: v: BinData(0, value), or with r->fields
 * fields field0 ... field<fields-1>, each an equal share of the value (the
 * last takes the remainder); then bench_expire_at when the write has a TTL; then
 * category: arg when the request has one.
 */
static bool mongo_append_record(bson_t *d, const struct bench_request *r)
{
	const uint8_t *v = (const uint8_t *)(r->value ? r->value : "");
	size_t share;

	if (r->value_len > UINT32_MAX || r->arg_len > INT_MAX)
		return false;
	if (r->fields == 0) {
		if (!bson_append_binary(d, "v", 1, BSON_SUBTYPE_BINARY, v, (uint32_t)r->value_len))
			return false;
	} else {
		share = r->value_len / r->fields;
		for (unsigned i = 0; i < r->fields; i++) {
			char name[24];
			int nlen = mongo_field_name(name, sizeof(name), i);
			size_t len = i + 1 < r->fields ? share : r->value_len - share * (r->fields - 1);

			if (!bson_append_binary(d, name, nlen, BSON_SUBTYPE_BINARY, v + share * i, (uint32_t)len))
				return false;
		}
	}
	if (r->ttl_ms && !bson_append_date_time(d, MONGO_TTL_FIELD, -1, mongo_expire_at(r->ttl_ms)))
		return false;
	return !r->arg || r->arg_len == 0 || bson_append_utf8(d, "category", 8, r->arg, (int)r->arg_len);
}

/* Builds the record {_id: key, v | field0.., category?} in p->doc. */
static bool mongo_build_doc(struct mongo_priv *p, const struct bench_request *r)
{
	bson_reinit(p->doc);
	if (r->key_len > INT_MAX)
		return false;
	return bson_append_utf8(p->doc, "_id", 3, r->key, (int)r->key_len) && mongo_append_record(p->doc, r);
}

/*
 * Builds {$set: {v: BinData(0, value), category?}} (or the fields) in
 * p->doc, for the batched sets on FerretDB. FerretDB 1.24 keeps the SQLite
 * read cursor of every update statement that stops at its first match
 * (multi: false, e.g. replace_one) open until the whole update command
 * ends, and its SQLite pool holds 100 connections per database: an update
 * command with ~100 replace_one statements on existing documents waits
 * forever for a connection and stalls the server. A multi: true statement
 * reads its cursor to the end, which closes it. With the filter {_id: key}
 * the record is the same (the structure fields stay, which replace_one
 * would drop).
 */
static bool mongo_build_set_update(struct mongo_priv *p, const struct bench_request *r)
{
	bson_t set;

	bson_reinit(p->doc);
	return bson_append_document_begin(p->doc, "$set", 4, &set) && mongo_append_record(&set, r) &&
	       bson_append_document_end(p->doc, &set);
}

/* Fills a get's reply from a found document. */
static void mongo_take_value(struct bench_conn *conn, struct bench_request *r, const bson_t *d)
{
	r->status = mongo_read_value(d, r->fields, r->out, r->out ? r->out_cap : 0, &r->value_len_out);
	if (r->status == BENCH_ERROR)
		bench_conn_error(conn, "mongodb: document '%.*s' has no binary field %s",
				 (int)(r->key_len > 40 ? 40 : r->key_len), r->key, r->fields ? "field<n>" : "v");
}

/* Makes p->opts_find_1 project the value of a record of `fields` fields. */
static bool mongo_find1_opts(struct mongo_priv *p, unsigned fields)
{
	bson_t proj;

	if (fields == p->find1_fields && !bson_empty(p->opts_find_1))
		return true;
	bson_reinit(p->opts_find_1);
	p->find1_fields = fields;
	return bson_append_int64(p->opts_find_1, "limit", 5, 1) &&
	       bson_append_document_begin(p->opts_find_1, "projection", 10, &proj) &&
	       mongo_append_value_projection(&proj, fields) && bson_append_document_end(p->opts_find_1, &proj);
}

static void mongo_get_one(struct bench_conn *conn, struct bench_request *r, struct mongo_outcome *o)
{
	struct mongo_priv *p = conn->priv;
	mongoc_cursor_t *cur;
	const bson_t *d;
	int64_t t0 = mongo_now_ms();

	o->status = BENCH_OK;
	if (!mongo_build_filter(p, r) || !mongo_find1_opts(p, r->fields)) {
		r->status = BENCH_ERROR;
		bench_conn_error(conn, "mongodb: key too long for a BSON string");
		return;
	}
	cur = mongoc_collection_find_with_opts(p->coll, p->filter, p->opts_find_1, NULL);
	if (mongoc_cursor_next(cur, &d)) {
		mongo_take_value(conn, r, d);
	} else if (mongoc_cursor_error(cur, &o->error)) {
		o->status = mongo_classify(p, &o->error, mongo_now_ms() - t0);
		r->status = o->status;
	} else {
		r->status = BENCH_MISS;
	}
	mongoc_cursor_destroy(cur);
}

static int mongo_key_cmp(const struct bench_request *x, const struct bench_request *y)
{
	size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
	int c = memcmp(x->key, y->key, n);

	if (c)
		return c;
	return x->key_len < y->key_len ? -1 : x->key_len > y->key_len;
}

/* Sorts idx[0..m) by key. Shell sort in place: qsort_r may malloc. */
static void mongo_sort_by_key(const struct bench_request *reqs, size_t *idx, size_t m)
{
	static const size_t gaps[] = { 701, 301, 132, 57, 23, 10, 4, 1 };

	for (size_t g = 0; g < sizeof(gaps) / sizeof(gaps[0]); g++) {
		size_t gap = gaps[g];

		for (size_t i = gap; i < m; i++) {
			size_t v = idx[i], j = i;

			for (; j >= gap && mongo_key_cmp(&reqs[idx[j - gap]], &reqs[v]) > 0; j -= gap)
				idx[j] = idx[j - gap];
			idx[j] = v;
		}
	}
}

/* First position in idx[0..m) (sorted by key) whose key is >= key. */
static size_t mongo_lower_bound(const struct bench_request *reqs, const size_t *idx, size_t m,
				const char *key, size_t key_len)
{
	size_t lo = 0, hi = m;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct bench_request *r = &reqs[idx[mid]];
		size_t n = r->key_len < key_len ? r->key_len : key_len;
		int c = memcmp(r->key, key, n);

		if (c < 0 || (c == 0 && r->key_len < key_len))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * p->filter = {_id: {$in: [...]}} with the keys of reqs[idx[0..m)], each
 * once: idx is sorted by key first. Returns the number of keys, or -1 when
 * they do not fit in one BSON document (every request is then ERROR).
 */
static int64_t mongo_build_in_filter(struct bench_conn *conn, struct bench_request *reqs, size_t *idx, size_t m)
{
	struct mongo_priv *p = conn->priv;
	bson_t in_doc, arr;
	uint32_t n_keys = 0;

	mongo_sort_by_key(reqs, idx, m);
	bson_reinit(p->filter);
	bson_append_document_begin(p->filter, "_id", 3, &in_doc);
	bson_append_array_begin(&in_doc, "$in", 3, &arr);
	for (size_t k = 0; k < m; k++) {
		struct bench_request *r = &reqs[idx[k]];
		char numbuf[16];
		const char *numkey;
		size_t numlen;

		if (k > 0 && mongo_key_cmp(&reqs[idx[k - 1]], r) == 0)
			continue;
		numlen = bson_uint32_to_string(n_keys, &numkey, numbuf, sizeof(numbuf));
		if (r->key_len > INT_MAX || !bson_append_utf8(&arr, numkey, (int)numlen, r->key, (int)r->key_len)) {
			bson_append_array_end(&in_doc, &arr);
			bson_append_document_end(p->filter, &in_doc);
			mongo_set_group(reqs, idx, m, BENCH_ERROR);
			bench_conn_error(conn, "mongodb: keys of the batch do not fit in one BSON filter");
			return -1;
		}
		n_keys++;
	}
	bson_append_array_end(&in_doc, &arr);
	bson_append_document_end(p->filter, &in_doc);
	return n_keys;
}

/*
 * N gets as one find {_id: {$in: [...]}}. The documents come back in no
 * particular order, so the group is sorted by key and each document is
 * matched to every request for its _id (a batch may ask for a key twice).
 */
static void mongo_get_many(struct bench_conn *conn, struct bench_request *reqs, size_t *idx, size_t m,
			   struct mongo_outcome *o)
{
	struct mongo_priv *p = conn->priv;
	mongoc_cursor_t *cur;
	const bson_t *d;
	bson_t proj;
	int64_t n_keys, t0;

	o->status = BENCH_OK;
	n_keys = mongo_build_in_filter(conn, reqs, idx, m);
	if (n_keys < 0)
		return;
	mongo_set_group(reqs, idx, m, BENCH_MISS);

	/* One reply batch for all keys when it fits in 16 MiB (libmongoc
	 * issues getMore for the rest). One more than the keys: FerretDB keeps
	 * a cursor open when a batch comes back full, costing a getMore. */
	bson_reinit(p->opts_find_n);
	bson_append_document_begin(p->opts_find_n, "projection", 10, &proj);
	mongo_append_value_projection(&proj, reqs[idx[0]].fields);
	bson_append_document_end(p->opts_find_n, &proj);
	bson_append_int32(p->opts_find_n, "batchSize", 9, n_keys >= INT32_MAX ? INT32_MAX : (int32_t)n_keys + 1);

	t0 = mongo_now_ms();
	cur = mongoc_collection_find_with_opts(p->coll, p->filter, p->opts_find_n, NULL);
	/* At most one document per key (_id is unique): a server that sends
	 * more, or keeps its cursor open, is not read on (the reply is
	 * untrusted; libmongoc would issue getMore for ever). */
	for (int64_t seen = 0; seen < n_keys && mongoc_cursor_next(cur, &d); seen++) {
		bson_iter_t it;
		const char *id;
		uint32_t id_len;
		size_t k;

		if (!bson_iter_init_find(&it, d, "_id") || !BSON_ITER_HOLDS_UTF8(&it))
			continue;
		id = bson_iter_utf8(&it, &id_len);
		for (k = mongo_lower_bound(reqs, idx, m, id, id_len); k < m; k++) {
			struct bench_request *r = &reqs[idx[k]];

			if (r->key_len != id_len || memcmp(r->key, id, id_len) != 0)
				break;
			mongo_take_value(conn, r, d);
		}
	}
	if (mongoc_cursor_error(cur, &o->error)) {
		o->status = mongo_classify(p, &o->error, mongo_now_ms() - t0);
		mongo_set_group(reqs, idx, m, o->status);
	}
	mongoc_cursor_destroy(cur);
}

static void mongo_set_one(struct bench_conn *conn, struct bench_request *r, struct mongo_outcome *o)
{
	struct mongo_priv *p = conn->priv;
	bson_t reply;
	int64_t t0;
	bool ok;

	o->status = BENCH_OK;
	if (!mongo_build_filter(p, r) || !mongo_build_doc(p, r)) {
		r->status = BENCH_ERROR;
		bench_conn_error(conn, "mongodb: record too large for a BSON document");
		return;
	}
	t0 = mongo_now_ms();
	/* Two clients upserting the same new key race: both miss, both insert,
	 * one gets a duplicate key. MongoDB retries such an upsert itself
	 * (4.2+); FerretDB does not, so the driver does, once: the document
	 * exists now, and the retry replaces it. */
	ok = mongoc_collection_replace_one(p->coll, p->filter, p->doc, p->opts_upsert, &reply, &o->error);
	if (!ok && o->error.code == MONGO_CODE_DUPLICATE_KEY) {
		bson_destroy(&reply);
		ok = mongoc_collection_replace_one(p->coll, p->filter, p->doc, p->opts_upsert, &reply, &o->error);
	}
	if (ok) {
		r->status = BENCH_OK;
	} else {
		o->status = mongo_classify(p, &o->error, mongo_now_ms() - t0);
		r->status = o->status;
	}
	bson_destroy(&reply);
}

static void mongo_delete_one(struct bench_conn *conn, struct bench_request *r, struct mongo_outcome *o)
{
	struct mongo_priv *p = conn->priv;
	bson_t reply;
	bson_iter_t it;
	int64_t t0;

	o->status = BENCH_OK;
	if (!mongo_build_filter(p, r)) {
		r->status = BENCH_ERROR;
		bench_conn_error(conn, "mongodb: key too long for a BSON string");
		return;
	}
	t0 = mongo_now_ms();
	if (!mongoc_collection_delete_one(p->coll, p->filter, NULL, &reply, &o->error)) {
		o->status = mongo_classify(p, &o->error, mongo_now_ms() - t0);
		r->status = o->status;
	} else if (bson_iter_init_find(&it, &reply, "deletedCount") && BSON_ITER_HOLDS_NUMBER(&it)) {
		r->status = bson_iter_as_int64(&it) > 0 ? BENCH_OK : BENCH_MISS;
	} else {
		r->status = BENCH_ERROR;
		bench_conn_error(conn, "mongodb: delete reply has no deletedCount");
	}
	bson_destroy(&reply);
}

/* The kinds of bulk write. */
enum mongo_write {
	MONGO_W_UPSERT, /* replace_one upsert (FerretDB: update $set, multi) */
	MONGO_W_INSERT, /* insert, FerretDB's load only */
	MONGO_W_DELETE, /* delete_one */
};

/*
 * Marks the requests named by writeErrors[].index (positions in the bulk)
 * as ERROR, or as MISS for a duplicate key when dup_is_miss is set (the
 * caller retries those), and returns how many it marked: 0 when the reply
 * has none (e.g. libmongoc refused the bulk before sending it), -1 when
 * writeErrors is unusable. Below 1, the caller cannot tell which failed.
 */
static long mongo_mark_write_errors(struct bench_conn *conn, struct bench_request *reqs, const size_t *idx,
				    size_t m, const bson_t *reply, bool dup_is_miss)
{
	bson_iter_t it, arr, we;
	long marked = 0;

	if (!bson_iter_init_find(&it, reply, "writeErrors") || !BSON_ITER_HOLDS_ARRAY(&it) ||
	    !bson_iter_recurse(&it, &arr))
		return -1;
	while (bson_iter_next(&arr)) {
		int64_t i = -1, code = 0;
		const char *msg = NULL;

		if (!BSON_ITER_HOLDS_DOCUMENT(&arr) || !bson_iter_recurse(&arr, &we))
			return -1;
		while (bson_iter_next(&we)) {
			if (strcmp(bson_iter_key(&we), "index") == 0 && BSON_ITER_HOLDS_NUMBER(&we))
				i = bson_iter_as_int64(&we);
			else if (strcmp(bson_iter_key(&we), "code") == 0 && BSON_ITER_HOLDS_NUMBER(&we))
				code = bson_iter_as_int64(&we);
			else if (strcmp(bson_iter_key(&we), "errmsg") == 0 && BSON_ITER_HOLDS_UTF8(&we))
				msg = bson_iter_utf8(&we, NULL);
		}
		if (i < 0 || (uint64_t)i >= m)
			return -1;
		if (dup_is_miss && code == MONGO_CODE_DUPLICATE_KEY) {
			reqs[idx[i]].status = BENCH_MISS;
		} else {
			reqs[idx[i]].status = BENCH_ERROR;
			if (msg)
				bench_conn_error(conn, "mongodb: %s", msg);
		}
		marked++;
	}
	return marked;
}

/* Queues one request on a bulk; false when it cannot be encoded. */
static bool mongo_bulk_add(struct mongo_priv *p, mongoc_bulk_operation_t *bulk, enum mongo_write w,
			   const struct bench_request *r)
{
	bson_error_t e;

	if (!mongo_build_filter(p, r))
		return false;
	switch (w) {
	case MONGO_W_UPSERT:
		if (p->ferretdb)
			return mongo_build_set_update(p, r) &&
			       mongoc_bulk_operation_update_many_with_opts(bulk, p->filter, p->doc, p->opts_upsert, &e);
		return mongo_build_doc(p, r) &&
		       mongoc_bulk_operation_replace_one_with_opts(bulk, p->filter, p->doc, p->opts_upsert, &e);
	case MONGO_W_INSERT:
		return mongo_build_doc(p, r) && mongoc_bulk_operation_insert_with_opts(bulk, p->doc, NULL, &e);
	case MONGO_W_DELETE:
		return mongoc_bulk_operation_remove_one_with_opts(bulk, p->filter, NULL, &e);
	}
	return false;
}

/*
 * N writes of one kind as one unordered bulk write. Requests that cannot be
 * encoded are ERROR and not sent; the others are compacted to idx[0..q),
 * q returned. A delete bulk reply only says how many documents went
 * (nRemoved), not which: the first nRemoved deletes that did not fail are
 * OK and the rest MISS, so the counts are exact but not the attribution.
 */
static size_t mongo_write_many(struct bench_conn *conn, struct bench_request *reqs, size_t *idx, size_t m,
			       enum mongo_write w, struct mongo_outcome *o)
{
	struct mongo_priv *p = conn->priv;
	mongoc_bulk_operation_t *bulk;
	bson_t reply;
	bson_iter_t it, wce;
	size_t queued = 0;
	int64_t t0, removed = 0;

	o->status = BENCH_OK;
	bulk = mongoc_collection_create_bulk_operation_with_opts(p->coll, p->opts_unordered);
	for (size_t k = 0; k < m; k++) {
		struct bench_request *r = &reqs[idx[k]];

		if (!mongo_bulk_add(p, bulk, w, r)) {
			r->status = BENCH_ERROR;
			bench_conn_error(conn, "mongodb: record cannot be encoded as BSON");
			continue;
		}
		r->status = BENCH_OK;
		idx[queued++] = idx[k];
	}
	if (queued == 0) {
		mongoc_bulk_operation_destroy(bulk);
		return 0;
	}

	t0 = mongo_now_ms();
	if (!mongoc_bulk_operation_execute(bulk, &reply, &o->error)) {
		enum bench_status s = mongo_classify(p, &o->error, mongo_now_ms() - t0);

		if (s != BENCH_ERROR) {
			o->status = s;
			mongo_set_group(reqs, idx, queued, s);
			goto done;
		}
		bench_conn_error(conn, "mongodb: %s", o->error.message);
		if (mongo_mark_write_errors(conn, reqs, idx, queued, &reply, w != MONGO_W_DELETE) <= 0 ||
		    (bson_iter_init_find(&it, &reply, "writeConcernErrors") && BSON_ITER_HOLDS_ARRAY(&it) &&
		     bson_iter_recurse(&it, &wce) && bson_iter_next(&wce))) {
			/* No per-request answer, or all writes are in doubt. */
			mongo_set_group(reqs, idx, queued, BENCH_ERROR);
			goto done;
		}
	}
	if (w == MONGO_W_DELETE) {
		if (bson_iter_init_find(&it, &reply, "nRemoved") && BSON_ITER_HOLDS_NUMBER(&it))
			removed = bson_iter_as_int64(&it);
		for (size_t k = 0; k < queued; k++) {
			struct bench_request *r = &reqs[idx[k]];

			if (r->status == BENCH_ERROR)
				continue;
			r->status = removed > 0 ? BENCH_OK : BENCH_MISS;
			if (removed > 0)
				removed--;
		}
	}
	if (w == MONGO_W_UPSERT) {
		/* Duplicate keys of an upsert bulk lost a race with another
		 * client (see mongo_set_one): retry each, alone. */
		for (size_t k = 0; k < queued && o->status == BENCH_OK; k++)
			if (reqs[idx[k]].status == BENCH_MISS)
				mongo_set_one(conn, &reqs[idx[k]], o);
	}
done:
	bson_destroy(&reply);
	mongoc_bulk_operation_destroy(bulk);
	return queued;
}

/*
 * Removes the documents of reqs[idx[0..m)] with one delete_many {_id:
 * {$in: [...]}}. On failure the group takes the failure's status and
 * o->status says it; the requests are left alone otherwise.
 */
static void mongo_delete_in(struct bench_conn *conn, struct bench_request *reqs, size_t *idx, size_t m,
			    struct mongo_outcome *o)
{
	struct mongo_priv *p = conn->priv;
	bson_t reply;
	int64_t t0;

	o->status = BENCH_OK;
	if (mongo_build_in_filter(conn, reqs, idx, m) < 0) {
		o->status = BENCH_ERROR;
		return;
	}
	t0 = mongo_now_ms();
	if (!mongoc_collection_delete_many(p->coll, p->filter, NULL, &reply, &o->error)) {
		o->status = mongo_classify(p, &o->error, mongo_now_ms() - t0);
		mongo_set_group(reqs, idx, m, o->status);
		if (o->status == BENCH_ERROR)
			bench_conn_error(conn, "mongodb: %s", o->error.message);
	}
	bson_destroy(&reply);
}

/* Compacts idx[0..q) to the requests left MISS (duplicate keys of an
 * insert bulk); returns how many. */
static size_t mongo_keep_misses(const struct bench_request *reqs, size_t *idx, size_t q)
{
	size_t n = 0;

	for (size_t k = 0; k < q; k++)
		if (reqs[idx[k]].status == BENCH_MISS)
			idx[n++] = idx[k];
	return n;
}

/*
 * Load on FerretDB: its lookups by _id scan the whole table (see
 * docs/drivers.md, mongodb), so an upsert costs a scan and a load of N
 * records by upserts costs N scans. Plain inserts use the unique _id index
 * instead. The keys that already exist (duplicate key: a repeated load)
 * are removed with one delete_many, one scan for the whole group, and
 * inserted again; a key that is there once more (another client wrote it
 * meanwhile) is upserted. A load has no readers, so the moment between
 * the delete and the insert is not seen.
 */
static void mongo_load_ferretdb(struct bench_conn *conn, struct bench_request *reqs, size_t *idx, size_t m,
				struct mongo_outcome *o)
{
	size_t dup = mongo_keep_misses(reqs, idx, mongo_write_many(conn, reqs, idx, m, MONGO_W_INSERT, o));

	if (o->status != BENCH_OK || dup == 0)
		return;
	mongo_delete_in(conn, reqs, idx, dup, o);
	if (o->status != BENCH_OK)
		return;
	dup = mongo_keep_misses(reqs, idx, mongo_write_many(conn, reqs, idx, dup, MONGO_W_INSERT, o));
	if (o->status == BENCH_OK && dup > 0)
		mongo_write_many(conn, reqs, idx, dup, MONGO_W_UPSERT, o);
}

static int mongo_grow_idx(struct bench_conn *conn, size_t n)
{
	struct mongo_priv *p = conn->priv;
	size_t *idx;

	if (n <= p->idx_cap)
		return 0;
	idx = realloc(p->idx, n * sizeof(*idx));
	if (!idx)
		return bench_conn_error(conn, "mongodb: out of memory for a batch of %zu", n);
	p->idx = idx;
	p->idx_cap = n;
	return 0;
}

/*
 * What a failed group means for the rest of the batch. Returns -1 when the
 * connection is lost (the rest stays DISCONNECTED), else 0; sets
 * *timed_out after a timeout.
 */
static int mongo_after_group(struct bench_conn *conn, const struct mongo_outcome *o, bool *timed_out)
{
	switch (o->status) {
	case BENCH_DISCONNECTED:
		return bench_conn_lost(conn, "mongodb: connection lost: %s", o->error.message);
	case BENCH_TIMEOUT:
		bench_conn_error(conn, "mongodb: timed out: %s", o->error.message);
		*timed_out = true;
		return 0;
	case BENCH_ERROR:
		bench_conn_error(conn, "mongodb: %s", o->error.message);
		return 0;
	default:
		return 0;
	}
}

/*
 * Runs a batch: up to three round trips for its gets, sets and deletes,
 * then one per request of the other ops, in batch order. For a load, sets
 * always go through a bulk write.
 */
static int mongo_run(struct bench_conn *conn, struct bench_request *reqs, size_t n, bool load)
{
	static const enum bench_op order[] = { BENCH_OP_GET, BENCH_OP_SET, BENCH_OP_DELETE };
	struct mongo_priv *p = conn->priv;
	struct mongo_outcome o;
	size_t *idx;
	size_t start = 0;
	bool timed_out = false;

	for (size_t i = 0; i < n; i++)
		reqs[i].status = BENCH_DISCONNECTED;
	if (conn->err || !p)
		return -1;
	if (mongo_grow_idx(conn, n) < 0) {
		for (size_t i = 0; i < n; i++)
			reqs[i].status = BENCH_ERROR;
		return 0;
	}
	idx = p->idx;

	for (size_t g = 0; g < sizeof(order) / sizeof(order[0]); g++) {
		enum bench_op op = order[g];
		size_t m = 0;

		for (size_t i = 0; i < n; i++) {
			if (reqs[i].op == op)
				idx[start + m++] = i;
			else if ((unsigned)reqs[i].op >= BENCH_OP__WIRE_COUNT && g == 0)
				reqs[i].status = BENCH_UNSUPPORTED;
		}
		if (m == 0)
			continue;
		if (timed_out) {
			/* The server did not answer the previous group in time;
			 * waiting again per group would stretch the batch to a
			 * multiple of the timeout. */
			mongo_set_group(reqs, idx + start, m, BENCH_TIMEOUT);
			start += m;
			continue;
		}
		if (op == BENCH_OP_GET && m == 1)
			mongo_get_one(conn, &reqs[idx[start]], &o);
		else if (op == BENCH_OP_GET)
			mongo_get_many(conn, reqs, idx + start, m, &o);
		else if (op == BENCH_OP_SET && load && p->ferretdb)
			mongo_load_ferretdb(conn, reqs, idx + start, m, &o);
		else if (op == BENCH_OP_SET && (m > 1 || load))
			mongo_write_many(conn, reqs, idx + start, m, MONGO_W_UPSERT, &o);
		else if (op == BENCH_OP_SET)
			mongo_set_one(conn, &reqs[idx[start]], &o);
		else if (m > 1)
			mongo_write_many(conn, reqs, idx + start, m, MONGO_W_DELETE, &o);
		else
			mongo_delete_one(conn, &reqs[idx[start]], &o);
		start += m;
		if (mongo_after_group(conn, &o, &timed_out) < 0)
			return -1;
	}

	/* Range, query, fuzzy and structure ops: one round trip each. */
	for (size_t i = 0; i < n; i++) {
		struct bench_request *r = &reqs[i];

		if (r->op <= BENCH_OP_DELETE || (unsigned)r->op >= BENCH_OP__WIRE_COUNT)
			continue;
		if (timed_out) {
			r->status = BENCH_TIMEOUT;
			continue;
		}
		mongo_op_one(conn, r, &o);
		if (mongo_after_group(conn, &o, &timed_out) < 0)
			return -1;
	}
	return 0;
}

static int mongo_exec(struct bench_conn *conn, struct bench_request *reqs, size_t n)
{
	return mongo_run(conn, reqs, n, false);
}

static int mongo_load(struct bench_conn *conn, struct bench_request *reqs, size_t n)
{
	return mongo_run(conn, reqs, n, true);
}

static int mongo_open(struct bench_conn *conn)
{
	const struct bench_target *t = conn->target;
	const char *db = bench_target_option(t, "database");
	const char *coll = bench_target_option(t, "collection");
	const char *qi = bench_target_option(t, "query_index");
	struct mongo_priv *p;

	pthread_once(&mongo_once, mongo_global_init);
	if (!db)
		db = MONGO_DEFAULT_DATABASE;
	if (!coll)
		coll = MONGO_DEFAULT_COLLECTION;
	if (!*db || !*coll) {
		bench_conn_error(conn, "mongodb: options database and collection must not be empty");
		goto fail;
	}
	if (qi && strcmp(qi, "true") != 0 && strcmp(qi, "false") != 0) {
		bench_conn_error(conn, "mongodb: option query_index must be 'true' or 'false', not '%s'", qi);
		goto fail;
	}

	p = calloc(1, sizeof(*p));
	if (!p) {
		bench_conn_error(conn, "mongodb: out of memory");
		goto fail;
	}
	conn->priv = p;
	p->query_index = !qi || strcmp(qi, "true") == 0;

	p->filter = bson_new();
	p->doc = bson_new();
	p->opts_find_n = bson_new();
	p->opts = bson_new();
	p->opts_find_1 = bson_new();
	p->opts_upsert = BCON_NEW("upsert", BCON_BOOL(true));
	p->opts_unordered = BCON_NEW("ordered", BCON_BOOL(false));
	if (mongo_grow_idx(conn, 64) < 0 || mongo_prefix_upper(conn) < 0)
		goto fail;

	p->dbname = strdup(db);
	if (!p->dbname) {
		bench_conn_error(conn, "mongodb: out of memory");
		goto fail;
	}
	if (mongo_connect(conn, p, db, coll) < 0)
		goto fail;
	switch (mongo_shard_check(conn, p)) {
	case 0:
		/* --trace: the phase's commands, not the setup above. */
		if (conn->trace && mongo_trace_start(conn, p->client) < 0)
			goto fail;
		return 0;
	case -2:
		return -1; /* it answered, but is no mongos: not conn->err (driver.h) */
	default:
		goto fail;
	}

fail:
	conn->err = 1;
	return -1;
}

static void mongo_close(struct bench_conn *conn)
{
	struct mongo_priv *p = conn->priv;

	if (!p)
		return;

	bson_t *docs[] = { p->filter, p->doc, p->opts_find_n, p->opts, p->opts_find_1, p->opts_upsert,
			   p->opts_unordered };

	if (p->coll)
		mongoc_collection_destroy(p->coll);
	if (p->client)
		mongoc_client_destroy(p->client);
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		if (docs[i])
			bson_destroy(docs[i]);
	free(p->idx);
	free(p->upper);
	free(p->scratch);
	free(p->dbname);
	free(p);
	conn->priv = NULL;
}

/* The private servers bench can spawn: a real MongoDB first, when one is
 * installed; else FerretDB on SQLite, which scripts/install-deps builds. */
static const struct bench_server_recipe mongo_servers[] = {
	{"mongod", "mongodb://127.0.0.1:%d",
	 "install MongoDB (Debian has no package: https://www.mongodb.com/docs/manual/administration/install-on-linux/)",
	 {"mongod", "--bind_ip", "127.0.0.1", "--port", "{port}", "--dbpath", "{dir}", "--nounixsocket", NULL}, {NULL}, {NULL}, {{NULL, {NULL}}}},
	{"bench-ferretdb", "mongodb://127.0.0.1:%d",
	 "run scripts/install-deps (it builds tools/bin/bench-ferretdb, FerretDB with SQLite, through the Go module "
	 "proxy), or install mongod",
	 {"bench-ferretdb", "--listen-addr", "127.0.0.1:{port}", "--sqlite-url", "file:{dir}/", NULL}, {NULL}, {NULL}, {{NULL, {NULL}}}},
	{NULL, NULL, NULL, {NULL}, {NULL}, {NULL}, {{NULL, {NULL}}}},
};

const struct bench_driver bench_driver_mongodb = {
	.name = "mongodb",
	.abi_version = BENCH_DRIVER_ABI,
	.caps = BENCH_CAP_KV | BENCH_CAP_RANGE | BENCH_CAP_QUERY | BENCH_CAP_FUZZY | BENCH_CAP_STRUCTURES |
		BENCH_CAP_INCR | BENCH_CAP_NETWORK | BENCH_CAP_SHARD_KEY,
	.description = "MongoDB or a wire-compatible server (FerretDB) via libmongoc",
	.options = mongo_options,
	.address_env = "BENCH_MONGODB_URI",
	.address_default = "mongodb://127.0.0.1:27017",
	.servers = mongo_servers,
	.open = mongo_open,
	.close = mongo_close,
	.exec = mongo_exec,
	.load = mongo_load,
	.prepare = mongo_prepare,
	.server_info = mongo_server_info,
	.server_stats = mongo_server_stats,
	.ns_count = mongo_ns_count,
	.ns_clean = mongo_ns_clean,
	.ns_flush = mongo_ns_flush,
	.describe = mongo_describe,
};
