/*
 * mongodb_describe.c - the describe hook (driver.h) of the mongodb driver:
 * the command each op sends, by its name on the wire (libmongoc sends a
 * replace_one as an `update` with upsert, a delete_one as a `delete` with
 * limit 1) and its documents' shapes, with the target's database,
 * collection, prefix bounds, fields and the sample's count. libmongoc
 * builds the commands only once it has a server, so these are written here,
 * beside the code that calls it, from mongodb.c and mongodb_ops.c: keep
 * them in step (docs/drivers.md, "## mongodb", lists the same). `bench run
 * --trace` shows the documents libmongoc really sent.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "driver.h"
#include "mongodb_int.h"

struct desc {
	char *buf;
	size_t len, at;
	int n;
};

static void line(struct desc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void line(struct desc *d, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (d->at + 1 >= d->len)
		return;
	va_start(ap, fmt);
	k = vsnprintf(d->buf + d->at, d->len - d->at, fmt, ap);
	va_end(ap);
	if (k < 0)
		return;
	d->at = d->at + (size_t)k < d->len ? d->at + (size_t)k : d->len - 1;
	if (d->at + 1 < d->len) {
		d->buf[d->at++] = '\n';
		d->buf[d->at] = '\0';
	}
	d->n += fmt[0] != '('; /* "(...)": a note on the command above, not one */
}

/* A string as the JSON shapes show it: in double quotes (bench_trace_word
 * quotes only what needs it). */
static void json_string(char *out, size_t cap, const char *s, size_t len)
{
	char w[160];

	bench_trace_word(w, sizeof(w), s, len);
	if (w[0] == '"')
		snprintf(out, cap, "%s", w);
	else
		snprintf(out, cap, "\"%s\"", w);
}

int mongo_describe(const struct bench_target *t, const struct bench_request *q, char *buf, size_t len)
{
	const char *db = bench_target_option(t, "database"), *coll = bench_target_option(t, "collection");
	const char *prefix = t->prefix ? t->prefix : "";
	size_t plen = strlen(prefix);
	char key[176], arg[176], field[160], proj[96], upper[160], bounds[400], ids[420], limit[64];
	struct desc d = {buf, len, 0, 0};
	unsigned long long count = (unsigned long long)q->count;

	if (!db)
		db = MONGO_DEFAULT_DATABASE;
	if (!coll)
		coll = MONGO_DEFAULT_COLLECTION;
	buf[0] = '\0';
	json_string(key, sizeof(key), q->key, q->key_len);
	json_string(arg, sizeof(arg), q->arg ? q->arg : "", q->arg ? q->arg_len : 0);
	/* Inside a field path or a regex: escaped as in a word, not quoted. */
	bench_trace_word(field, sizeof(field), q->arg ? q->arg : "", q->arg ? q->arg_len : 0);
	if (field[0] == '"') {
		size_t fl = strlen(field);

		memmove(field, field + 1, fl - 2);
		field[fl - 2] = '\0';
	}
	/* The value fields a read projects (mongodb.c, mongo_find1_opts). */
	if (q->fields)
		snprintf(proj, sizeof(proj), "{field0: 1, ... field%u: 1}", q->fields - 1);
	else
		snprintf(proj, sizeof(proj), "{v: 1}");
	/* mongo_prefix_upper: the least string above every key under the prefix. */
	if (plen && (unsigned char)prefix[plen - 1] < 0x7f)
		snprintf(upper, sizeof(upper), "%.*s%c", (int)plen - 1, prefix, prefix[plen - 1] + 1);
	else
		snprintf(upper, sizeof(upper), "%s\\u{10FFFF}", prefix);
	/* The prefix's bounds on _id: inside an _id condition, and as one. */
	if (plen)
		snprintf(bounds, sizeof(bounds), ", $gte: \"%s\", $lt: \"%s\"", prefix, upper);
	else
		bounds[0] = '\0';
	if (plen)
		snprintf(ids, sizeof(ids), ", _id: {%s}", bounds + 2);
	else
		ids[0] = '\0';
	if (count)
		snprintf(limit, sizeof(limit), ", limit: %llu, batchSize: %llu", count, count + 1);
	else
		limit[0] = '\0';

	switch (q->op) {
	case BENCH_OP_GET:
		line(&d, "%s.find {find: \"%s\", filter: {_id: %s}, limit: 1, projection: %s}", db, coll, key, proj);
		line(&d, "(pipeline N: one find {_id: {$in: [<the batch's keys>]}}, batchSize: keys + 1)");
		break;
	case BENCH_OP_SET:
		line(&d, "%s.update {update: \"%s\", updates: [{q: {_id: %s}, u: {_id: %s, %s: BinData(0, <value>)%s}, "
		     "upsert: true}]}", db, coll, key, key, q->fields ? "field0 ... fieldN" : "v",
		     t->categories ? ", category: \"<category>\"" : "");
		line(&d, "(pipeline N and load: one unordered bulk of these; to FerretDB an update {$set: {...}} with "
		     "upsert and multi)");
		break;
	case BENCH_OP_DELETE:
		line(&d, "%s.delete {delete: \"%s\", deletes: [{q: {_id: %s}, limit: 1}]}", db, coll, key);
		break;
	case BENCH_OP_RANGE:
		line(&d, "%s.find {find: \"%s\", filter: {_id: {$gte: %s%s%s%s}}, sort: {_id: 1}%s, projection: %s}", db,
		     coll, key, plen ? ", $lt: \"" : "", plen ? upper : "", plen ? "\"" : "", limit, proj);
		break;
	case BENCH_OP_QUERY:
		line(&d, "%s.find {find: \"%s\", filter: {category: %s%s}%s, projection: %s}", db, coll, arg, ids, limit,
		     proj);
		break;
	case BENCH_OP_FUZZY:
		/* The pattern regex-escaped (mongodb_ops.c, mongo_regex_escape). */
		line(&d, "%s.find {find: \"%s\", filter: {_id: {$regex: \"^%s%s%s\"%s}}, projection: {_id: 1}%s}", db, coll,
		     q->fuzzy_substring ? prefix : "", q->fuzzy_substring ? "[0-9]*" : "", field, bounds,
		     limit);
		break;
	case BENCH_OP_INCR:
		line(&d, "%s.update {update: \"%s\", updates: [{q: {_id: %s}, u: {$inc: {n: NumberLong(1)}}, upsert: true}]}",
		     db, coll, key);
		break;
	case BENCH_OP_HSET:
		line(&d, "%s.update {update: \"%s\", updates: [{q: {_id: %s}, u: {$set: {\"h.%s\": BinData(0, <value>)}}, "
		     "upsert: true}]}", db, coll, key, field);
		break;
	case BENCH_OP_HGET:
		line(&d, "%s.find {find: \"%s\", filter: {_id: %s}, limit: 1, projection: {\"h.%s\": 1}}", db, coll, key,
		     field);
		break;
	case BENCH_OP_LPUSH:
		line(&d, "%s.update {update: \"%s\", updates: [{q: {_id: %s}, u: {$push: {l: {$each: [BinData(0, <value>)], "
		     "$position: 0%s%s}}}, upsert: true}]}", db, coll, key, count ? ", $slice: " : "", count ? "<count>" : "");
		line(&d, "(to FerretDB: findAndModify {query: {_id: %s}, update: {$push: {l: BinData(0, <value>)}}, upsert: "
		     "true, new: true}, then update {$pop: {l: -1}} when the list is longer than %llu)", key, count);
		break;
	case BENCH_OP_LRANGE:
		if (count)
			line(&d, "%s.find {find: \"%s\", filter: {_id: %s}, limit: 1, projection: {_id: 1, l: {$slice: %llu}}}",
			     db, coll, key, count);
		else
			line(&d, "%s.find {find: \"%s\", filter: {_id: %s}, limit: 1, projection: {l: 1}}", db, coll, key);
		line(&d, "(to FerretDB: projection {l: 1}; the last elements are the answer)");
		break;
	case BENCH_OP_SADD:
		line(&d, "%s.update {update: \"%s\", updates: [{q: {_id: %s}, u: {$addToSet: {s: %s}}, upsert: true}]}", db,
		     coll, key, arg);
		break;
	case BENCH_OP_SMEMBERS:
		line(&d, "%s.find {find: \"%s\", filter: {_id: %s}, limit: 1, projection: {s: 1}}", db, coll, key);
		break;
	case BENCH_OP_ZADD:
		line(&d, "%s.update {update: \"%s\", updates: [{q: {_id: %s}, u: {$set: {\"z.%s\": <score>}}, upsert: true}]}",
		     db, coll, key, field);
		break;
	case BENCH_OP_ZRANGEBYSCORE:
		line(&d, "%s.aggregate {aggregate: \"%s\", pipeline: [{$match: {_id: %s}}, {$project: {_id: 0, z: "
		     "{$objectToArray: \"$z\"}}}, {$unwind: \"$z\"}, {$match: {\"z.v\": {$gte: <score>, $lte: <score_max>}}}, "
		     "{$sort: {\"z.v\": 1, \"z.k\": 1}}%s]}", db, coll, key, count ? ", {$limit: <count>}" : "");
		line(&d, "(to FerretDB: find {_id: %s}, limit: 1, projection: {z: 1}; the driver counts the members in range)",
		     key);
		break;
	default:
		snprintf(buf, len, "mongodb has no %s", bench_op_name(q->op));
		return -1;
	}
	return d.n;
}
