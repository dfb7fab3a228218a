/*
 * mongodb_ops.c - the mongodb driver's ops beyond get, set and delete:
 * range, query and fuzzy over the record documents, and the structure ops,
 * whose counter, hash, list, set and sorted set are fields of the record's
 * own document (n, h, l, s, z), written with upserts; and reading a
 * record's value fields. Each request is one round trip, called by
 * mongodb.c in batch order (prepare, which keeps the category index, is in
 * mongodb_info.c).
 *
 * Where FerretDB 1.24 lacks what MongoDB does natively ($position/$slice of
 * $push, a $slice projection, $objectToArray), p->ferretdb selects a
 * formulation it runs; docs/drivers.md (## mongodb) lists what is sent to
 * each, exactly: keep the two in step.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bson/bson.h>
#include <mongoc/mongoc.h>

#include "driver.h"
#include "mongodb_int.h"

char *mongo_scratch(struct mongo_priv *p, size_t n)
{
	char *s;

	if (n <= p->scratch_cap)
		return p->scratch;
	s = realloc(p->scratch, n);
	if (!s)
		return NULL;
	p->scratch = s;
	p->scratch_cap = n;
	return s;
}

/*
 * Tests only (r->out set, never the hot path): appends one key or element
 * and its '\n' to r->out at *at, cut at r->out_cap.
 */
static void mongo_out_append(struct bench_request *r, size_t *at, const char *s, size_t len)
{
	size_t room = *at < r->out_cap ? r->out_cap - *at : 0, n = len < room ? len : room;

	if (n)
		memcpy(r->out + *at, s, n);
	*at += n;
	if (*at < r->out_cap)
		r->out[(*at)++] = '\n';
}

/* mongo_out_append of the string or binary at it (other types: nothing). */
static void mongo_out_element(struct bench_request *r, size_t *at, const bson_iter_t *it)
{
	bson_subtype_t st;
	uint32_t n = 0;
	const uint8_t *data = NULL;
	const char *s;

	if (BSON_ITER_HOLDS_UTF8(it)) {
		s = bson_iter_utf8(it, &n);
		mongo_out_append(r, at, s, n);
	} else if (BSON_ITER_HOLDS_BINARY(it)) {
		bson_iter_binary(it, &st, &n, &data);
		mongo_out_append(r, at, (const char *)data, n);
	}
}

/* Appends the binary at it to out[*at..cap) and adds its length to *len;
 * false when it is not binary. */
static bool mongo_copy_binary(const bson_iter_t *it, char *out, size_t cap, size_t *at, size_t *len)
{
	bson_subtype_t subtype;
	uint32_t n = 0;
	const uint8_t *data = NULL;

	if (!BSON_ITER_HOLDS_BINARY(it))
		return false;
	bson_iter_binary(it, &subtype, &n, &data);
	if (out && *at < cap && n) {
		size_t k = n < cap - *at ? n : cap - *at;

		memcpy(out + *at, data, k);
		*at += k;
	}
	*len += n;
	return true;
}

enum bench_status mongo_read_value(const bson_t *d, unsigned fields, char *out, size_t cap, size_t *len)
{
	bson_iter_t it;
	size_t at = 0;

	*len = 0;
	if (fields == 0) {
		if (!bson_iter_init_find(&it, d, "v"))
			return BENCH_MISS;
		return mongo_copy_binary(&it, out, cap, &at, len) ? BENCH_OK : BENCH_ERROR;
	}
	if (!bson_iter_init(&it, d))
		return BENCH_ERROR;
	for (unsigned i = 0; i < fields; i++) {
		char name[24];

		mongo_field_name(name, sizeof(name), i);
		/* Servers return fields in the order they were written, so each
		 * search goes on from the previous field; from the start else. */
		if (!bson_iter_find(&it, name) && !bson_iter_init_find(&it, d, name))
			return i == 0 ? BENCH_MISS : BENCH_ERROR;
		if (!mongo_copy_binary(&it, out, cap, &at, len))
			return BENCH_ERROR;
	}
	return BENCH_OK;
}

/* Appends $gte: from (the prefix when from is NULL) and $lt: the prefix's
 * upper bound to an _id condition document; nothing without a prefix. */
static bool mongo_append_id_bounds(struct bench_conn *conn, bson_t *cond, const char *from, size_t from_len)
{
	struct mongo_priv *p = conn->priv;
	const char *prefix = conn->target->prefix;

	if (!p->upper)
		return !from || bson_append_utf8(cond, "$gte", 4, from, (int)from_len);
	if (!from) {
		from = prefix;
		from_len = strlen(prefix);
	}
	return bson_append_utf8(cond, "$gte", 4, from, (int)from_len) &&
	       bson_append_utf8(cond, "$lt", 3, p->upper, (int)p->upper_len);
}

/* Appends limit: count and batchSize: count + 1 when count > 0 (one reply
 * for all: FerretDB keeps a cursor open when a batch comes back full). */
static bool mongo_append_limit(bson_t *opts, uint64_t count)
{
	if (count == 0)
		return true;
	return bson_append_int64(opts, "limit", 5, count > INT64_MAX ? INT64_MAX : (int64_t)count) &&
	       bson_append_int32(opts, "batchSize", 9, count >= INT32_MAX ? INT32_MAX : (int32_t)count + 1);
}

/* A count as the int32 $slice takes. */
static int32_t mongo_slice(uint64_t count)
{
	return count > INT32_MAX ? INT32_MAX : (int32_t)count;
}

/*
 * Appends src regex-escaped to dst (room for 4 * len): the metacharacters
 * of PCRE (MongoDB) and RE2 (FerretDB's Go regexp) get a backslash, which
 * both read as the literal character (and MongoDB still turns an anchored
 * literal into index bounds); control bytes become \xHH, since a pattern
 * cannot hold NUL. Returns the bytes written.
 */
static size_t mongo_regex_escape(char *dst, const char *src, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t w = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c < 0x20 || c == 0x7f) {
			dst[w++] = '\\';
			dst[w++] = 'x';
			dst[w++] = hex[c >> 4];
			dst[w++] = hex[c & 15];
		} else {
			if (strchr("\\^$.|?*+()[]{}", c))
				dst[w++] = '\\';
			dst[w++] = (char)c;
		}
	}
	return w;
}

/*
 * Whether a hash field or set member name can be a field name in a dotted
 * update path: not empty, no '.', no '$', no NUL. Sets errstr when not.
 */
static bool mongo_name_ok(struct bench_conn *conn, const struct bench_request *r)
{
	if (r->arg && r->arg_len > 0 && r->arg_len < INT_MAX && !memchr(r->arg, '.', r->arg_len) &&
	    !memchr(r->arg, '$', r->arg_len) && !memchr(r->arg, '\0', r->arg_len))
		return true;
	bench_conn_error(conn, "mongodb: %s name '%.*s' cannot be a field name (empty, or has '.', '$' or NUL)",
			 bench_op_name(r->op), (int)(r->arg_len > 40 ? 40 : r->arg_len), r->arg ? r->arg : "");
	return false;
}

/* "<sub>.<arg>" in p->scratch (NUL-terminated), its length in *len; NULL
 * when out of memory or the name is unsafe (errstr set). */
static const char *mongo_path(struct bench_conn *conn, const struct bench_request *r, const char *sub, int *len)
{
	struct mongo_priv *p = conn->priv;
	size_t sl = strlen(sub);
	char *s;

	if (!mongo_name_ok(conn, r))
		return NULL;
	s = mongo_scratch(p, sl + 1 + r->arg_len + 1);
	if (!s) {
		bench_conn_error(conn, "mongodb: out of memory");
		return NULL;
	}
	memcpy(s, sub, sl);
	s[sl] = '.';
	memcpy(s + sl + 1, r->arg, r->arg_len);
	s[sl + 1 + r->arg_len] = '\0';
	*len = (int)(sl + 1 + r->arg_len);
	return s;
}

/* The request could not be encoded: ERROR for it alone, errstr set. */
static void mongo_bad_request(struct bench_conn *conn, struct bench_request *r, const char *what)
{
	r->status = BENCH_ERROR;
	if (what)
		bench_conn_error(conn, "mongodb: %s %s", bench_op_name(r->op), what);
}

/* After a cursor's last document: on a cursor error, classifies it into o
 * and r. Destroys the cursor. Returns true when it ended without error. */
static bool mongo_cursor_end(struct mongo_priv *p, struct bench_request *r, mongoc_cursor_t *cur, int64_t t0,
			     struct mongo_outcome *o)
{
	bool failed = mongoc_cursor_error(cur, &o->error);

	if (failed) {
		o->status = mongo_classify(p, &o->error, mongo_now_ms() - t0);
		r->status = o->status;
	}
	mongoc_cursor_destroy(cur);
	return !failed;
}

/* Runs find(p->filter, p->opts) and counts the documents (and their value
 * bytes when value_fields >= 0): OK with items, or MISS when none. */
static void mongo_find_count(struct bench_conn *conn, struct bench_request *r, int value_fields,
			     struct mongo_outcome *o)
{
	struct mongo_priv *p = conn->priv;
	mongoc_cursor_t *cur;
	const bson_t *d;
	int64_t t0 = mongo_now_ms();
	size_t at = 0;

	cur = mongoc_collection_find_with_opts(p->coll, p->filter, p->opts, NULL);
	while (mongoc_cursor_next(cur, &d)) {
		size_t len = 0;
		bson_iter_t id;

		r->items_out++;
		if (value_fields >= 0 && mongo_read_value(d, (unsigned)value_fields, NULL, 0, &len) == BENCH_OK)
			r->value_len_out += len;
		if (r->out && bson_iter_init_find(&id, d, "_id"))
			mongo_out_element(r, &at, &id);
	}
	if (r->out)
		r->value_len_out = at;
	if (mongo_cursor_end(p, r, cur, t0, o))
		r->status = r->items_out ? BENCH_OK : BENCH_MISS;
}

/* range: {_id: {$gte: key, $lt: upper}}, sort {_id: 1}, limit count. */
static void mongo_range(struct bench_conn *conn, struct bench_request *r, struct mongo_outcome *o)
{
	struct mongo_priv *p = conn->priv;
	bson_t cond, sort, proj;

	bson_reinit(p->filter);
	bson_reinit(p->opts);
	if (r->key_len > INT_MAX || !bson_append_document_begin(p->filter, "_id", 3, &cond) ||
	    !mongo_append_id_bounds(conn, &cond, r->key, r->key_len) || !bson_append_document_end(p->filter, &cond) ||
	    !bson_append_document_begin(p->opts, "sort", 4, &sort) || !bson_append_int32(&sort, "_id", 3, 1) ||
	    !bson_append_document_end(p->opts, &sort) || !bson_append_document_begin(p->opts, "projection", 10, &proj) ||
	    !mongo_append_value_projection(&proj, r->fields) || !bson_append_document_end(p->opts, &proj) ||
	    !mongo_append_limit(p->opts, r->count)) {
		mongo_bad_request(conn, r, "key too long for a BSON filter");
		return;
	}
	mongo_find_count(conn, r, (int)r->fields, o);
}

/* query: {category: arg, _id: {$gte: prefix, $lt: upper}}, limit count. */
static void mongo_query(struct bench_conn *conn, struct bench_request *r, struct mongo_outcome *o)
{
	struct mongo_priv *p = conn->priv;
	bson_t cond, proj;

	bson_reinit(p->filter);
	bson_reinit(p->opts);
	if (r->arg_len > INT_MAX || !bson_append_utf8(p->filter, "category", 8, r->arg ? r->arg : "", (int)r->arg_len)) {
		mongo_bad_request(conn, r, "category too long for a BSON string");
		return;
	}
	if (p->upper && (!bson_append_document_begin(p->filter, "_id", 3, &cond) ||
			 !mongo_append_id_bounds(conn, &cond, NULL, 0) || !bson_append_document_end(p->filter, &cond))) {
		mongo_bad_request(conn, r, "prefix too long for a BSON filter");
		return;
	}
	if (!bson_append_document_begin(p->opts, "projection", 10, &proj) ||
	    !mongo_append_value_projection(&proj, r->fields) || !bson_append_document_end(p->opts, &proj) ||
	    !mongo_append_limit(p->opts, r->count)) {
		mongo_bad_request(conn, r, "options do not fit in BSON");
		return;
	}
	mongo_find_count(conn, r, (int)r->fields, o);
}

/*
 * fuzzy: {_id: {$regex: pattern, $gte: prefix, $lt: upper}}, projection
 * {_id: 1}, limit count. Prefix mode: ^<arg>; substring mode:
 * ^<prefix>[0-9]*<arg>, the pattern anywhere in the record number.
 */
static void mongo_fuzzy(struct bench_conn *conn, struct bench_request *r, struct mongo_outcome *o)
{
	struct mongo_priv *p = conn->priv;
	const char *prefix = conn->target->prefix ? conn->target->prefix : "";
	size_t plen = strlen(prefix), w = 0;
	bson_t cond, proj;
	char *re = mongo_scratch(p, 4 * (plen + r->arg_len) + 16);

	if (!re) {
		mongo_bad_request(conn, r, "pattern: out of memory");
		return;
	}
	re[w++] = '^';
	if (r->fuzzy_substring) {
		w += mongo_regex_escape(re + w, prefix, plen);
		memcpy(re + w, "[0-9]*", 6);
		w += 6;
	}
	w += mongo_regex_escape(re + w, r->arg ? r->arg : "", r->arg_len);
	re[w] = '\0';

	bson_reinit(p->filter);
	bson_reinit(p->opts);
	if (w > INT_MAX || !bson_append_document_begin(p->filter, "_id", 3, &cond) ||
	    !bson_append_utf8(&cond, "$regex", 6, re, (int)w) || !mongo_append_id_bounds(conn, &cond, NULL, 0) ||
	    !bson_append_document_end(p->filter, &cond) || !bson_append_document_begin(p->opts, "projection", 10, &proj) ||
	    !bson_append_int32(&proj, "_id", 3, 1) || !bson_append_document_end(p->opts, &proj) ||
	    !mongo_append_limit(p->opts, r->count)) {
		mongo_bad_request(conn, r, "pattern too long for a BSON filter");
		return;
	}
	mongo_find_count(conn, r, -1, o);
}

/*
 * update_one(p->filter, p->doc, {upsert: true}). As for sets (mongodb.c,
 * mongo_set_one), a duplicate key is an upsert race with another client
 * that MongoDB retries itself and FerretDB does not: retried once.
 */
static void mongo_upsert(struct bench_conn *conn, struct bench_request *r, struct mongo_outcome *o)
{
	struct mongo_priv *p = conn->priv;
	bson_t reply;
	int64_t t0 = mongo_now_ms();
	bool ok = mongoc_collection_update_one(p->coll, p->filter, p->doc, p->opts_upsert, &reply, &o->error);

	if (!ok && o->error.code == MONGO_CODE_DUPLICATE_KEY) {
		bson_destroy(&reply);
		ok = mongoc_collection_update_one(p->coll, p->filter, p->doc, p->opts_upsert, &reply, &o->error);
	}
	bson_destroy(&reply);
	if (ok) {
		r->status = BENCH_OK;
	} else {
		o->status = mongo_classify(p, &o->error, mongo_now_ms() - t0);
		r->status = o->status;
	}
}

/* Starts p->doc as {<op>: {...}}: the caller appends the operator's
 * fields to *outer, then closes it with mongo_update_end. */
static bool mongo_update_begin(struct mongo_priv *p, const char *op, bson_t *outer)
{
	bson_reinit(p->doc);
	return bson_append_document_begin(p->doc, op, (int)strlen(op), outer);
}

static bool mongo_update_end(struct mongo_priv *p, bson_t *outer)
{
	return bson_append_document_end(p->doc, outer);
}

static const uint8_t *mongo_value(const struct bench_request *r)
{
	return (const uint8_t *)(r->value ? r->value : "");
}

/* incr {$inc: {n: 1}}, hset {$set: {h.<f>: value}}, sadd {$addToSet: {s:
 * member}}, zadd {$set: {z.<m>: score}}: one upsert each. */
static void mongo_write_structure(struct bench_conn *conn, struct bench_request *r, struct mongo_outcome *o)
{
	struct mongo_priv *p = conn->priv;
	const char *path = NULL;
	int plen = 0;
	bson_t upd;
	bool ok = false;

	if (r->op == BENCH_OP_HSET || r->op == BENCH_OP_ZADD) {
		path = mongo_path(conn, r, r->op == BENCH_OP_HSET ? "h" : "z", &plen);
		if (!path) {
			mongo_bad_request(conn, r, NULL);
			return;
		}
	}
	if (!mongo_build_filter(p, r)) {
		mongo_bad_request(conn, r, "key too long for a BSON string");
		return;
	}
	switch (r->op) {
	case BENCH_OP_INCR:
		ok = mongo_update_begin(p, "$inc", &upd) && bson_append_int64(&upd, "n", 1, 1);
		break;
	case BENCH_OP_HSET:
		ok = r->value_len <= UINT32_MAX && mongo_update_begin(p, "$set", &upd) &&
		     bson_append_binary(&upd, path, plen, BSON_SUBTYPE_BINARY, mongo_value(r), (uint32_t)r->value_len);
		break;
	case BENCH_OP_SADD:
		ok = r->arg_len <= INT_MAX && mongo_update_begin(p, "$addToSet", &upd) &&
		     bson_append_utf8(&upd, "s", 1, r->arg ? r->arg : "", (int)r->arg_len);
		break;
	case BENCH_OP_ZADD:
		ok = mongo_update_begin(p, "$set", &upd) && bson_append_double(&upd, path, plen, r->score);
		break;
	default:
		break;
	}
	if (!ok || !mongo_update_end(p, &upd)) {
		mongo_bad_request(conn, r, "update does not fit in BSON");
		return;
	}
	mongo_upsert(conn, r, o);
}

/* Counts the elements of array it, with the binary bytes of elements
 * [from, ...) in *bytes. */
static uint64_t mongo_array_len(const bson_iter_t *it, uint64_t from, size_t *bytes)
{
	bson_iter_t a;
	uint64_t n = 0;

	if (!bson_iter_recurse(it, &a))
		return 0;
	while (bson_iter_next(&a)) {
		if (bytes && n >= from && BSON_ITER_HOLDS_BINARY(&a)) {
			bson_subtype_t st;
			uint32_t len;
			const uint8_t *data;

			bson_iter_binary(&a, &st, &len, &data);
			*bytes += len;
		}
		n++;
	}
	return n;
}

/*
 * The lpush of FerretDB (see mongo_lpush): findAndModify {query: {_id: key},
 * update: {$push: {l: value}}, upsert: true, new: true}; the new document
 * tells the list's length, and when it is over the cap, update {_id: key}
 * {$pop: {l: -1}} drops the oldest element. Returns true when both ran,
 * else o->error says why (*encoded false: the request did not fit in BSON).
 */
static bool mongo_lpush_ferretdb(struct mongo_priv *p, const struct bench_request *r, struct mongo_outcome *o,
				 bool *encoded)
{
	bson_t upd, push, reply;
	bson_iter_t it, l;
	uint64_t len = 0;
	bool ok;

	*encoded = false;
	bson_reinit(p->opts);
	if (!mongo_build_filter(p, r) ||
	    !bson_append_utf8(p->opts, "findAndModify", 13, mongoc_collection_get_name(p->coll), -1) ||
	    !bson_append_document(p->opts, "query", 5, p->filter) ||
	    !bson_append_document_begin(p->opts, "update", 6, &upd) || !bson_append_document_begin(&upd, "$push", 5, &push) ||
	    !bson_append_binary(&push, "l", 1, BSON_SUBTYPE_BINARY, mongo_value(r), (uint32_t)r->value_len) ||
	    !bson_append_document_end(&upd, &push) || !bson_append_document_end(p->opts, &upd) ||
	    !bson_append_bool(p->opts, "upsert", 6, true) || !bson_append_bool(p->opts, "new", 3, true))
		return false;
	*encoded = true;
	ok = mongoc_collection_write_command_with_opts(p->coll, p->opts, NULL, &reply, &o->error);
	if (ok && bson_iter_init(&it, &reply) && bson_iter_find_descendant(&it, "value.l", &l) &&
	    BSON_ITER_HOLDS_ARRAY(&l))
		len = mongo_array_len(&l, 0, NULL);
	bson_destroy(&reply);
	if (!ok || r->count == 0 || len <= r->count)
		return ok;
	ok = mongo_update_begin(p, "$pop", &upd) && bson_append_int32(&upd, "l", 1, -1) && mongo_update_end(p, &upd);
	if (!ok) {
		*encoded = false;
		return false;
	}
	ok = mongoc_collection_update_one(p->coll, p->filter, p->doc, NULL, &reply, &o->error);
	bson_destroy(&reply);
	return ok;
}

/*
 * lpush. MongoDB: {$push: {l: {$each: [value], $position: 0, $slice:
 * count}}}, the list head first. FerretDB 1.24 accepts $position and
 * $slice but ignores both (it appends and never trims), so there the list
 * is kept head last, pushed with findAndModify and trimmed by $pop when
 * the push made it longer than its cap (mongo_lpush_ferretdb): two round
 * trips once the list is full. A conditional $pop in the same command
 * ({_id: key, l.<count>: {$exists: true}}) would save one, but FerretDB
 * uses its _id index only for a filter that is exactly {_id: <string>}:
 * any other filter decodes the whole collection (~200 ms on 10,000
 * documents, against ~10 ms).
 */
static void mongo_lpush(struct bench_conn *conn, struct bench_request *r, struct mongo_outcome *o)
{
	struct mongo_priv *p = conn->priv;
	bson_t upd, each, arr;
	int64_t t0;
	bool ok, encoded;

	if (!mongo_build_filter(p, r) || r->value_len > UINT32_MAX) {
		mongo_bad_request(conn, r, "key or value too long for BSON");
		return;
	}
	if (!p->ferretdb) {
		ok = mongo_update_begin(p, "$push", &upd) && bson_append_document_begin(&upd, "l", 1, &each) &&
		     bson_append_array_begin(&each, "$each", 5, &arr) &&
		     bson_append_binary(&arr, "0", 1, BSON_SUBTYPE_BINARY, mongo_value(r), (uint32_t)r->value_len) &&
		     bson_append_array_end(&each, &arr) && bson_append_int32(&each, "$position", 9, 0) &&
		     (r->count == 0 || bson_append_int32(&each, "$slice", 6, mongo_slice(r->count))) &&
		     bson_append_document_end(&upd, &each) && mongo_update_end(p, &upd);
		if (!ok) {
			mongo_bad_request(conn, r, "update does not fit in BSON");
			return;
		}
		mongo_upsert(conn, r, o);
		return;
	}
	t0 = mongo_now_ms();
	ok = mongo_lpush_ferretdb(p, r, o, &encoded);
	/* An upsert race (see mongo_upsert); the push did not happen. */
	if (!ok && encoded && o->error.code == MONGO_CODE_DUPLICATE_KEY)
		ok = mongo_lpush_ferretdb(p, r, o, &encoded);
	if (ok) {
		r->status = BENCH_OK;
	} else if (!encoded) {
		mongo_bad_request(conn, r, "update does not fit in BSON");
	} else {
		o->status = mongo_classify(p, &o->error, mongo_now_ms() - t0);
		r->status = o->status;
	}
}

/*
 * Reads the record's document with projection p->opts and hands it to
 * take (which sets r->status); MISS when there is no document.
 */
static void mongo_read_structure(struct bench_conn *conn, struct bench_request *r, struct mongo_outcome *o,
				 void (*take)(struct bench_conn *, struct bench_request *, const bson_t *))
{
	struct mongo_priv *p = conn->priv;
	mongoc_cursor_t *cur;
	const bson_t *d;
	int64_t t0 = mongo_now_ms();

	cur = mongoc_collection_find_with_opts(p->coll, p->filter, p->opts, NULL);
	if (mongoc_cursor_next(cur, &d)) {
		take(conn, r, d);
		mongoc_cursor_destroy(cur);
		return;
	}
	if (mongo_cursor_end(p, r, cur, t0, o))
		r->status = BENCH_MISS;
}

/* hget: the binary at h.<field> (path in p->scratch). */
static void mongo_take_hget(struct bench_conn *conn, struct bench_request *r, const bson_t *d)
{
	struct mongo_priv *p = conn->priv;
	bson_iter_t it, v;
	size_t at = 0;

	r->status = BENCH_MISS;
	if (!bson_iter_init(&it, d) || !bson_iter_find_descendant(&it, p->scratch, &v))
		return;
	if (!mongo_copy_binary(&v, r->out, r->out ? r->out_cap : 0, &at, &r->value_len_out)) {
		r->status = BENCH_ERROR;
		bench_conn_error(conn, "mongodb: hget: %s is not binary", p->scratch);
		return;
	}
	r->items_out = 1;
	r->status = BENCH_OK;
}

/* Tests only: the elements [from, n) of list array it into r->out, head
 * first: in array order, or from n-1 down to from when the list is kept
 * head last (FerretDB). */
static void mongo_out_lrange(struct bench_request *r, const bson_iter_t *it, uint64_t n, uint64_t from, bool head_last)
{
	bson_iter_t a;
	size_t at = 0;

	for (uint64_t e = 0; e < n - from; e++) {
		uint64_t want = head_last ? n - 1 - e : from + e, k = 0;

		if (!bson_iter_recurse(it, &a))
			break;
		while (bson_iter_next(&a)) {
			if (k++ == want) {
				mongo_out_element(r, &at, &a);
				break;
			}
		}
	}
	r->value_len_out = at;
}

/* lrange: the array l, already cut to count by the server (MongoDB), or
 * whole and head last (FerretDB: its last count elements are the answer). */
static void mongo_take_lrange(struct bench_conn *conn, struct bench_request *r, const bson_t *d)
{
	struct mongo_priv *p = conn->priv;
	bson_iter_t it;
	uint64_t n, from = 0;

	r->status = BENCH_MISS;
	if (!bson_iter_init_find(&it, d, "l") || !BSON_ITER_HOLDS_ARRAY(&it))
		return;
	n = mongo_array_len(&it, 0, NULL);
	if (p->ferretdb && r->count > 0 && n > r->count)
		from = n - r->count;
	mongo_array_len(&it, from, &r->value_len_out);
	r->items_out = n - from;
	if (r->out)
		mongo_out_lrange(r, &it, n, from, p->ferretdb);
	if (r->items_out)
		r->status = BENCH_OK;
}

/* smembers: the array s. */
static void mongo_take_smembers(struct bench_conn *conn, struct bench_request *r, const bson_t *d)
{
	bson_iter_t it;

	(void)conn;
	r->status = BENCH_MISS;
	if (!bson_iter_init_find(&it, d, "s") || !BSON_ITER_HOLDS_ARRAY(&it))
		return;
	r->items_out = mongo_array_len(&it, 0, NULL);
	if (r->out)
		mongo_out_lrange(r, &it, r->items_out, 0, false);
	if (r->items_out)
		r->status = BENCH_OK;
}

/* Orders zset entries as Redis does: by score, ties by member bytes. */
static int mongo_zcmp(double s1, const char *m1, size_t l1, double s2, const char *m2, size_t l2)
{
	int c;

	if (s1 != s2)
		return s1 < s2 ? -1 : 1;
	c = memcmp(m1, m2, l1 < l2 ? l1 : l2);
	return c ? c : (l1 > l2) - (l1 < l2);
}

/*
 * Tests only: the members of subdocument z (at zdoc) scored in [score,
 * score_max], by ascending score then member, at most count, into r->out.
 * Picks the next smallest entry per pass (no allocation; test-sized sets).
 */
static void mongo_out_zrange(struct bench_request *r, const bson_iter_t *zdoc)
{
	const char *last = NULL;
	size_t last_len = 0, at = 0;
	double last_s = 0;

	for (uint64_t e = 0; r->count == 0 || e < r->count; e++) {
		bson_iter_t z = *zdoc;
		const char *best = NULL;
		size_t best_len = 0;
		double best_s = 0;

		while (bson_iter_next(&z)) {
			const char *m = bson_iter_key(&z);
			size_t ml = bson_iter_key_len(&z);
			double sc;

			if (!BSON_ITER_HOLDS_NUMBER(&z))
				continue;
			sc = bson_iter_as_double(&z);
			if (sc < r->score || sc > r->score_max ||
			    (last && mongo_zcmp(sc, m, ml, last_s, last, last_len) <= 0) ||
			    (best && mongo_zcmp(sc, m, ml, best_s, best, best_len) >= 0))
				continue;
			best = m, best_len = ml, best_s = sc;
		}
		if (!best)
			break;
		mongo_out_append(r, &at, best, best_len);
		last = best, last_len = best_len, last_s = best_s;
	}
	r->value_len_out = at;
}

/* zrangebyscore on FerretDB: the members of subdocument z scored in
 * [score, score_max], at most count (counted here, not sorted: only how
 * many is reported). */
static void mongo_take_zrange(struct bench_conn *conn, struct bench_request *r, const bson_t *d)
{
	bson_iter_t it, z;

	(void)conn;
	r->status = BENCH_MISS;
	if (!bson_iter_init_find(&it, d, "z") || !BSON_ITER_HOLDS_DOCUMENT(&it) || !bson_iter_recurse(&it, &z))
		return;
	while (bson_iter_next(&z) && (r->count == 0 || r->items_out < r->count)) {
		double s;

		if (!BSON_ITER_HOLDS_NUMBER(&z))
			continue;
		s = bson_iter_as_double(&z);
		if (s >= r->score && s <= r->score_max)
			r->items_out++;
	}
	if (r->out && bson_iter_init_find(&it, d, "z") && bson_iter_recurse(&it, &z))
		mongo_out_zrange(r, &z);
	if (r->items_out)
		r->status = BENCH_OK;
}

/* {limit: 1, projection: {<path>: 1} or {_id: 1, <path>: {$slice: slice}}}
 * in p->opts. */
static bool mongo_structure_opts(struct mongo_priv *p, const char *path, int plen, int64_t slice)
{
	bson_t proj, sl;

	bson_reinit(p->opts);
	if (!bson_append_int64(p->opts, "limit", 5, 1) || !bson_append_document_begin(p->opts, "projection", 10, &proj))
		return false;
	if (slice > 0) {
		/* A find $slice alone makes an exclusion projection (MongoDB
		 * returns every other field); with _id: 1 it is an inclusion. */
		if (!bson_append_int32(&proj, "_id", 3, 1) || !bson_append_document_begin(&proj, path, plen, &sl) ||
		    !bson_append_int32(&sl, "$slice", 6, (int32_t)slice) || !bson_append_document_end(&proj, &sl))
			return false;
	} else if (!bson_append_int32(&proj, path, plen, 1)) {
		return false;
	}
	return bson_append_document_end(p->opts, &proj);
}

/*
 * zrangebyscore on MongoDB, one aggregation: [{$match: {_id: key}},
 * {$project: {_id: 0, z: {$objectToArray: "$z"}}}, {$unwind: "$z"},
 * {$match: {z.v: {$gte: score, $lte: score_max}}}, {$sort: {z.v: 1, z.k: 1}},
 * {$limit: count}] (ties by member, as Redis orders them).
 */
static void mongo_zrange_aggregate(struct bench_conn *conn, struct bench_request *r, struct mongo_outcome *o)
{
	struct mongo_priv *p = conn->priv;
	bson_t pipe, st, match;
	mongoc_cursor_t *cur;
	const bson_t *d;
	int64_t t0;
	size_t at = 0;

	bson_reinit(p->doc);
	bson_reinit(p->opts);
	if (r->key_len > INT_MAX || !bson_append_array_begin(p->doc, "pipeline", 8, &pipe) ||
	    !bson_append_document_begin(&pipe, "0", 1, &st) || !bson_append_document_begin(&st, "$match", 6, &match) ||
	    !bson_append_utf8(&match, "_id", 3, r->key, (int)r->key_len) || !bson_append_document_end(&st, &match) ||
	    !bson_append_document_end(&pipe, &st)) {
		mongo_bad_request(conn, r, "key too long for a BSON pipeline");
		return;
	}
	BCON_APPEND(&pipe,
		    "1", "{", "$project", "{", "_id", BCON_INT32(0), "z", "{", "$objectToArray", BCON_UTF8("$z"), "}", "}", "}",
		    "2", "{", "$unwind", BCON_UTF8("$z"), "}",
		    "3", "{", "$match", "{", "z.v", "{", "$gte", BCON_DOUBLE(r->score), "$lte", BCON_DOUBLE(r->score_max),
		    "}", "}", "}",
		    "4", "{", "$sort", "{", "z.v", BCON_INT32(1), "z.k", BCON_INT32(1), "}", "}");
	if (r->count > 0) {
		BCON_APPEND(&pipe, "5", "{", "$limit", BCON_INT64(r->count > INT64_MAX ? INT64_MAX : (int64_t)r->count), "}");
		BCON_APPEND(p->opts, "batchSize", BCON_INT32(r->count >= INT32_MAX ? INT32_MAX : (int32_t)r->count + 1));
	}
	bson_append_array_end(p->doc, &pipe);

	t0 = mongo_now_ms();
	cur = mongoc_collection_aggregate(p->coll, MONGOC_QUERY_NONE, p->doc, p->opts, NULL);
	while (mongoc_cursor_next(cur, &d)) {
		bson_iter_t it, k;

		r->items_out++;
		if (r->out && bson_iter_init(&it, d) && bson_iter_find_descendant(&it, "z.k", &k))
			mongo_out_element(r, &at, &k);
	}
	if (r->out)
		r->value_len_out = at;
	if (mongo_cursor_end(p, r, cur, t0, o))
		r->status = r->items_out ? BENCH_OK : BENCH_MISS;
}

/* hget, lrange, smembers, zrangebyscore: the structure's field of the
 * record's document, projected; zrangebyscore on MongoDB aggregates. */
static void mongo_structure_read(struct bench_conn *conn, struct bench_request *r, struct mongo_outcome *o)
{
	struct mongo_priv *p = conn->priv;
	void (*take)(struct bench_conn *, struct bench_request *, const bson_t *);
	const char *path;
	int plen = 1;
	int64_t slice = 0;

	if (r->op == BENCH_OP_ZRANGEBYSCORE && !p->ferretdb) {
		mongo_zrange_aggregate(conn, r, o);
		return;
	}
	switch (r->op) {
	case BENCH_OP_HGET:
		path = mongo_path(conn, r, "h", &plen);
		take = mongo_take_hget;
		break;
	case BENCH_OP_LRANGE:
		path = "l";
		/* FerretDB cannot $slice a projection (NotImplemented). */
		slice = p->ferretdb ? 0 : mongo_slice(r->count);
		take = mongo_take_lrange;
		break;
	case BENCH_OP_SMEMBERS:
		path = "s";
		take = mongo_take_smembers;
		break;
	default: /* zrangebyscore on FerretDB */
		path = "z";
		take = mongo_take_zrange;
		break;
	}
	if (!path) {
		mongo_bad_request(conn, r, NULL);
		return;
	}
	if (!mongo_build_filter(p, r) || !mongo_structure_opts(p, path, plen, slice)) {
		mongo_bad_request(conn, r, "key too long for a BSON string");
		return;
	}
	mongo_read_structure(conn, r, o, take);
}

void mongo_op_one(struct bench_conn *conn, struct bench_request *r, struct mongo_outcome *o)
{
	o->status = BENCH_OK;
	r->value_len_out = 0;
	r->items_out = 0;
	switch (r->op) {
	case BENCH_OP_RANGE:
		mongo_range(conn, r, o);
		break;
	case BENCH_OP_QUERY:
		mongo_query(conn, r, o);
		break;
	case BENCH_OP_FUZZY:
		mongo_fuzzy(conn, r, o);
		break;
	case BENCH_OP_INCR:
	case BENCH_OP_HSET:
	case BENCH_OP_SADD:
	case BENCH_OP_ZADD:
		mongo_write_structure(conn, r, o);
		break;
	case BENCH_OP_LPUSH:
		mongo_lpush(conn, r, o);
		break;
	case BENCH_OP_HGET:
	case BENCH_OP_LRANGE:
	case BENCH_OP_SMEMBERS:
	case BENCH_OP_ZRANGEBYSCORE:
		mongo_structure_read(conn, r, o);
		break;
	default:
		r->status = BENCH_UNSUPPORTED;
		break;
	}
}
