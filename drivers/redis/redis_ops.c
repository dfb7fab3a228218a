/*
 * redis_ops.c - the redis driver's general path: range, query, fuzzy, the
 * structure ops, records of N fields kept as hashes, and writes that keep
 * the key-order and category indexes, at exec and at load; and one
 * server's exec and load, which send a batch the plain path can take to
 * redis_node.c instead. docs/drivers.md (## redis) lists every command sent.
 *
 * A batch runs in rounds. Round 0 pipelines every request's commands in
 * batch order (a write with its index upkeep: SET + ZADD + SADD). Replies
 * are read in order into the connection's reply slot. While a reply is
 * being parsed, the first step of a range or query (ZRANGEBYLEX, SMEMBERS,
 * SRANDMEMBER) turns the keys it returns straight into the next round's
 * MGET (or an HMGET per key for hash records), so the keys are never stored; a SCAN whose cursor is not 0
 * queues the next SCAN. Rounds go on until no command is left: range and
 * query take two round trips for the whole batch, fuzzy one per SCAN call.
 *
 * Commands are formatted in RESP into the connection's buffer and replies
 * parsed without redisReply objects (redis_node.c's reader functions call
 * the slot's element hook, ops_element, for array elements), so once the buffers have grown to
 * the batch's size a request allocates nothing here. hiredis still copies
 * each round's commands into its output buffer (sdscatlen).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hiredis.h>

#include "driver.h"
#include "redis_int.h"

/* ---- key names ---- */

/* <prefix><tag><the record key after the prefix>: the structure that
 * belongs to q's record. */
static struct warg skey(const struct redis_conn *rc, const char *tag, const struct bench_request *q)
{
	struct warg a = { { rc->prefix, tag, q->key }, { rc->prefix_len, strlen(tag), q->key_len } };

	if (q->key_len >= rc->prefix_len && memcmp(q->key, rc->prefix, rc->prefix_len) == 0) {
		a.p[2] += rc->prefix_len;
		a.len[2] -= rc->prefix_len;
	}
	return a;
}

static struct warg idx_keys(const struct redis_conn *rc)
{
	return (struct warg){ { rc->prefix, TAG_IDX_KEYS, NULL }, { rc->prefix_len, sizeof(TAG_IDX_KEYS) - 1, 0 } };
}

static struct warg idx_cat(const struct redis_conn *rc, const char *cat, size_t len)
{
	return (struct warg){ { rc->prefix, TAG_IDX_CAT, cat }, { rc->prefix_len, sizeof(TAG_IDX_CAT) - 1, len } };
}

/* Whether key is a record key: the prefix, then digits only. */
static int is_record_key(const struct redis_conn *rc, const char *key, size_t len)
{
	if (len <= rc->prefix_len || memcmp(key, rc->prefix, rc->prefix_len) != 0)
		return 0;
	for (size_t k = rc->prefix_len; k < len; k++)
		if (key[k] < '0' || key[k] > '9')
			return 0;
	return 1;
}

/*
 * The category of the record being deleted, without asking the server:
 * docs/workload-format.md fixes it as c<record number mod categories>, and
 * every write of a record stores that one. Returns its length in buf, or 0
 * when the key is not a record key (then no category set is touched).
 */
static size_t deleted_category(const struct redis_conn *rc, const struct bench_request *q, char *buf, size_t cap)
{
	uint64_t id = 0;
	int n;

	if (!is_record_key(rc, q->key, q->key_len) || q->key_len - rc->prefix_len > 19)
		return 0;
	for (size_t k = rc->prefix_len; k < q->key_len; k++)
		id = id * 10 + (uint64_t)(q->key[k] - '0');
	n = snprintf(buf, cap, "c%llu", (unsigned long long)(id % rc->categories));
	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

static struct warg num_u64(char *buf, size_t cap, uint64_t v)
{
	int n = snprintf(buf, cap, "%llu", (unsigned long long)v);

	return WARG(buf, (size_t)n);
}

/* Scores go out exactly: %.17g round-trips every double (inf as "inf"). */
static struct warg num_score(char *buf, size_t cap, double v)
{
	int n = snprintf(buf, cap, "%.17g", v);

	return WARG(buf, (size_t)n);
}

/* ---- records ---- */

static int is_hash(const struct redis_conn *rc, const struct bench_request *q)
{
	return rc->hash_records && q->fields > 0;
}

/* Field k's name, field<k>, as one argument. */
static void w_field(struct redis_conn *rc, unsigned k)
{
	char name[24];
	int n = snprintf(name, sizeof(name), "field%u", k);

	redis_w_str(rc, name, (size_t)n);
}

/* HMGET key field0 .. field<nf-1>: a record's fields in order (HGETALL's
 * order is the hash's, not the fields'). */
static int emit_hmget(struct redis_conn *rc, size_t i, const char *key, size_t key_len, unsigned nf, int kind)
{

	if (redis_w_reserve(rc, 16 + 2 * W_ARG + 5 + key_len + (size_t)nf * (W_ARG + 16)) < 0)
		return -1;
	redis_w_count(rc, 2 + (size_t)nf);
	W_STR(rc, "HMGET");
	redis_w_str(rc, key, key_len);
	for (unsigned k = 0; k < nf; k++)
		w_field(rc, k);
	return redis_pend_push(rc, i, kind);
}

/* The record itself: SET key value, or HSET key field0 v0 ... with the value
 * cut in `fields` equal shares (the last takes the remainder). */
static int emit_record_write(struct redis_conn *rc, size_t i)
{
	const struct bench_request *q = &rc->breqs[i];
	const char *v = q->value ? q->value : "";
	unsigned nf = q->fields;
	size_t share, off = 0;

	if (!is_hash(rc, q)) {
		struct warg set[5] = { WLIT("SET"), WARG(q->key, q->key_len), WARG(v, q->value_len) };
		const char *ttl[2];
		size_t ttl_len[2];
		char buf[REDIS_TTL_BUF];
		int extra = redis_ttl_args(q->ttl_ms, ttl, ttl_len, buf);

		for (int k = 0; k < extra; k++)
			set[3 + k] = WARG(ttl[k], ttl_len[k]);
		return redis_emit(rc, i, RK_STATUS, set, 3 + (size_t)extra);
	}
	share = q->value_len / nf;
	if (redis_w_reserve(rc, 16 + 2 * W_ARG + 4 + q->key_len + (size_t)nf * (2 * W_ARG + 16) + q->value_len) < 0)
		return -1;
	redis_w_count(rc, 2 + 2 * (size_t)nf);
	W_STR(rc, "HSET");
	redis_w_str(rc, q->key, q->key_len);
	for (unsigned k = 0; k < nf; k++) {
		size_t len = k + 1 < nf ? share : q->value_len - off;

		w_field(rc, k);
		redis_w_str(rc, v + off, len);
		off += len;
	}
	return redis_pend_push(rc, i, RK_INT);
}

/*
 * A key of a range/query answer becomes a fetch of the next round, written
 * while the reader still holds the key. Plain records: one MGET for all the
 * keys of the answer (one command for the server to dispatch, not one per
 * record), its header written with the first key, whose array says how
 * many follow (these replies hold bulk strings only); hash records have no
 * multi-key read: one HMGET per key, pipelined.
 */
/* How many of the keys step's keys are fetched: the array's length, but
 * never more than the request asked for, REDIS_FETCH_ALL_MAX when it asked
 * for all (the reply is not trusted to keep to its LIMIT or count; the
 * keys past it are neither fetched nor counted, so a reply cannot grow the
 * next round beyond the request). */
static size_t fetch_count(const struct bench_request *q, const redisReadTask *task)
{
	size_t n = (size_t)task->parent->elements, most = q->count ? (size_t)q->count : REDIS_FETCH_ALL_MAX;

	return n > most ? most : n;
}

static int emit_fetch(struct redis_conn *rc, size_t i, const redisReadTask *task, const char *key, size_t len)
{
	const struct bench_request *q = &rc->breqs[i];

	if (is_hash(rc, q))
		return emit_hmget(rc, i, key, len, q->fields, RK_FETCH);
	if (redis_w_reserve(rc, 16 + 2 * W_ARG + 4 + len) < 0)
		return -1;
	if (task->idx == 0) {
		redis_w_count(rc, 1 + fetch_count(q, task));
		W_STR(rc, "MGET");
		if (redis_pend_push(rc, i, RK_MGET) < 0)
			return -1;
	}
	redis_w_str(rc, key, len);
	return 0;
}

/* ---- fuzzy ---- */

enum { FZ_NONE, FZ_ARG, FZ_RECORDS, FZ_SUBSTRING };

/*
 * What a fuzzy request can match under the prefix:
 *   FZ_ARG        prefix mode, arg = the prefix and more: MATCH <arg>*
 *   FZ_RECORDS    prefix mode with arg a start of the prefix (or empty),
 *                 substring mode with an empty arg: MATCH <prefix>[0-9]*
 *   FZ_SUBSTRING  substring mode: MATCH <prefix>*<arg>*
 *   FZ_NONE       prefix mode, arg outside the prefix: no record matches
 */
static int fuzzy_mode(const struct redis_conn *rc, const struct bench_request *q)
{
	size_t pl = rc->prefix_len, al = q->arg ? q->arg_len : 0;

	if (q->fuzzy_substring)
		return al ? FZ_SUBSTRING : FZ_RECORDS;
	if (al == 0)
		return FZ_RECORDS;
	if (al > pl && memcmp(q->arg, rc->prefix, pl) == 0)
		return FZ_ARG;
	if (al <= pl && memcmp(rc->prefix, q->arg, al) == 0)
		return FZ_RECORDS;
	return FZ_NONE;
}

static int glob_special(char c)
{
	return c == '*' || c == '?' || c == '[' || c == ']' || c == '\\';
}

size_t redis_glob_len(const char *s, size_t len)
{
	size_t n = len;

	for (size_t k = 0; k < len; k++)
		n += glob_special(s[k]);
	return n;
}

char *redis_glob_put(char *p, const char *s, size_t len)
{
	for (size_t k = 0; k < len; k++) {
		if (glob_special(s[k]))
			*p++ = '\\';
		*p++ = s[k];
	}
	return p;
}

/* SCAN <cursor> MATCH <pattern> COUNT 1000 for fuzzy request i; the
 * pattern is written escaped, straight into the buffer. */
static int emit_scan(struct redis_conn *rc, size_t i)
{
	const struct bench_request *q = &rc->breqs[i];
	const char *cursor = rc->rs[i].cursor;
	int mode = fuzzy_mode(rc, q);
	size_t plen = mode == FZ_ARG ? redis_glob_len(q->arg, q->arg_len) + 1 : redis_glob_len(rc->prefix, rc->prefix_len);
	char *p;

	if (mode == FZ_RECORDS)
		plen += 6; /* [0-9]* */
	else if (mode == FZ_SUBSTRING)
		plen += 2 + redis_glob_len(q->arg, q->arg_len);
	if (redis_w_reserve(rc, 16 + 6 * W_ARG + 32 + strlen(cursor) + plen) < 0)
		return -1;
	redis_w_count(rc, 6);
	W_STR(rc, "SCAN");
	redis_w_str(rc, cursor, strlen(cursor));
	W_STR(rc, "MATCH");
	p = redis_resp_len(rc->wbuf + rc->wlen, '$', plen);
	if (mode == FZ_ARG) {
		p = redis_glob_put(p, q->arg, q->arg_len);
	} else {
		p = redis_glob_put(p, rc->prefix, rc->prefix_len);
		if (mode == FZ_RECORDS) {
			memcpy(p, "[0-9]", 5);
			p += 5;
		} else {
			*p++ = '*';
			p = redis_glob_put(p, q->arg, q->arg_len);
		}
	}
	*p++ = '*';
	*p++ = '\r';
	*p++ = '\n';
	rc->wlen = (size_t)(p - rc->wbuf);
	W_STR(rc, "COUNT");
	W_STR(rc, REDIS_SCAN_COUNT);
	return redis_pend_push(rc, i, RK_SCAN);
}

/* ---- one request's commands ---- */

/* A request answered without a command. */
static int answer_now(struct bench_conn *conn, struct bench_request *q, enum bench_status st, const char *why)
{
	q->status = st;
	if (why)
		bench_conn_error(conn, "redis: %s", why);
	return 0;
}

static int emit_request(struct bench_conn *conn, struct redis_conn *rc, size_t i)
{
	struct bench_request *q = &rc->breqs[i];
	struct redis_rstate *s = &rc->rs[i];
	struct warg key = WARG(q->key, q->key_len);
	struct warg arg = WARG(q->arg ? q->arg : "", q->arg ? q->arg_len : 0);
	struct warg val = WARG(q->value ? q->value : "", q->value_len);
	char n1[32], n2[32], cat[32];
	size_t catlen;

	switch (q->op) {
	case BENCH_OP_GET:
		if (is_hash(rc, q))
			return emit_hmget(rc, i, q->key, q->key_len, q->fields, RK_FIELDS);
		return redis_emit(rc, i, RK_GET, (struct warg[]){ WLIT("GET"), key }, 2);
	case BENCH_OP_SET:
		if (emit_record_write(rc, i) < 0)
			return -1;
		if (rc->idx_range && redis_emit(rc, i, RK_AUX,
					  (struct warg[]){ WLIT("ZADD"), idx_keys(rc), WLIT("0"), key }, 4) < 0)
			return -1;
		if (rc->idx_query && q->arg && q->arg_len &&
		    redis_emit(rc, i, RK_AUX, (struct warg[]){ WLIT("SADD"), idx_cat(rc, q->arg, q->arg_len), key }, 3) < 0)
			return -1;
		return 0;
	case BENCH_OP_DELETE:
		if (redis_emit(rc, i, RK_DEL, (struct warg[]){ WLIT("DEL"), key }, 2) < 0)
			return -1;
		if (rc->idx_range && redis_emit(rc, i, RK_AUX, (struct warg[]){ WLIT("ZREM"), idx_keys(rc), key }, 3) < 0)
			return -1;
		catlen = rc->idx_query ? deleted_category(rc, q, cat, sizeof(cat)) : 0;
		if (catlen && redis_emit(rc, i, RK_AUX, (struct warg[]){ WLIT("SREM"), idx_cat(rc, cat, catlen), key }, 3) < 0)
			return -1;
		return 0;
	case BENCH_OP_RANGE:
		if (!rc->idx_range)
			return answer_now(conn, q, BENCH_ERROR, "range needs the key index (the target's index_range is not set)");
		s->multi = 1; /* count 0: no LIMIT, to the end of the prefix */
		return redis_emit(rc, i, RK_KEYS,
			    (struct warg[]){ WLIT("ZRANGEBYLEX"), idx_keys(rc),
					     { { "[", q->key, NULL }, { 1, q->key_len, 0 } }, WLIT("+"), WLIT("LIMIT"),
					     WLIT("0"), num_u64(n1, sizeof(n1), q->count) }, q->count ? 7 : 4);
	case BENCH_OP_QUERY:
		if (!rc->idx_query)
			return answer_now(conn, q, BENCH_ERROR, "query needs the category index (the target's "
				"index_query and categories are not set)");
		if (!q->arg || !q->arg_len)
			return answer_now(conn, q, BENCH_ERROR, "query without a category");
		s->multi = 1;
		if (!q->count)
			return redis_emit(rc, i, RK_KEYS, (struct warg[]){ WLIT("SMEMBERS"), idx_cat(rc, q->arg, q->arg_len) }, 2);
		return redis_emit(rc, i, RK_KEYS, (struct warg[]){ WLIT("SRANDMEMBER"), idx_cat(rc, q->arg, q->arg_len),
							     num_u64(n1, sizeof(n1), q->count) }, 3);
	case BENCH_OP_FUZZY:
		if (fuzzy_mode(rc, q) == FZ_NONE)
			return answer_now(conn, q, BENCH_MISS, NULL);
		s->multi = 1;
		memcpy(s->cursor, "0", 2);
		return emit_scan(rc, i);
	case BENCH_OP_INCR:
		return redis_emit(rc, i, RK_INT, (struct warg[]){ WLIT("INCR"), skey(rc, TAG_COUNTER, q) }, 2);
	case BENCH_OP_HSET:
		return redis_emit(rc, i, RK_INT, (struct warg[]){ WLIT("HSET"), skey(rc, TAG_HASH, q), arg, val }, 4);
	case BENCH_OP_HGET:
		return redis_emit(rc, i, RK_GET, (struct warg[]){ WLIT("HGET"), skey(rc, TAG_HASH, q), arg }, 3);
	case BENCH_OP_LPUSH:
		if (redis_emit(rc, i, RK_INT, (struct warg[]){ WLIT("LPUSH"), skey(rc, TAG_LIST, q), val }, 3) < 0)
			return -1;
		if (!q->count)
			return 0;
		return redis_emit(rc, i, RK_AUX, (struct warg[]){ WLIT("LTRIM"), skey(rc, TAG_LIST, q), WLIT("0"),
							    num_u64(n1, sizeof(n1), q->count - 1) }, 4);
	case BENCH_OP_LRANGE:
		return redis_emit(rc, i, RK_ARRAY, (struct warg[]){ WLIT("LRANGE"), skey(rc, TAG_LIST, q), WLIT("0"),
							      q->count ? num_u64(n1, sizeof(n1), q->count - 1) : WLIT("-1") }, 4);
	case BENCH_OP_SADD:
		return redis_emit(rc, i, RK_INT, (struct warg[]){ WLIT("SADD"), skey(rc, TAG_SET, q), arg }, 3);
	case BENCH_OP_SMEMBERS:
		return redis_emit(rc, i, RK_ARRAY, (struct warg[]){ WLIT("SMEMBERS"), skey(rc, TAG_SET, q) }, 2);
	case BENCH_OP_ZADD:
		return redis_emit(rc, i, RK_INT, (struct warg[]){ WLIT("ZADD"), skey(rc, TAG_ZSET, q),
							    num_score(n1, sizeof(n1), q->score), arg }, 4);
	case BENCH_OP_ZRANGEBYSCORE:
		return redis_emit(rc, i, RK_ARRAY, (struct warg[]){ WLIT("ZRANGEBYSCORE"), skey(rc, TAG_ZSET, q),
							      num_score(n1, sizeof(n1), q->score),
							      num_score(n2, sizeof(n2), q->score_max), WLIT("LIMIT"),
							      WLIT("0"), num_u64(cat, sizeof(cat), q->count) }, q->count ? 7 : 4);
	default:
		return answer_now(conn, q, BENCH_UNSUPPORTED, NULL);
	}
}

/* ---- replies ---- */

/*
 * Tests only (q->out set, never the hot path): appends one key or element
 * and its '\n' to q->out at *at, cut at q->out_cap.
 */
static void out_append(struct bench_request *q, size_t *at, const char *s, size_t len)
{
	size_t room = *at < q->out_cap ? q->out_cap - *at : 0, n = len < room ? len : room;

	if (n)
		memcpy(q->out + *at, s, n);
	*at += n;
	if (*at < q->out_cap)
		q->out[(*at)++] = '\n';
}

/* Whether op's answer is a list copied into out by out_append. */
static int out_is_list(enum bench_op op)
{
	return op == BENCH_OP_RANGE || op == BENCH_OP_QUERY || op == BENCH_OP_FUZZY || op == BENCH_OP_LRANGE ||
	       op == BENCH_OP_SMEMBERS || op == BENCH_OP_ZRANGEBYSCORE;
}

/* Array elements, as the reader parses them: the slot's element hook,
 * set by arm (redis_node.c's reader calls it). 0, or -1 out of memory. */
static int ops_element(struct redis_reply *r, const redisReadTask *task, const char *str, size_t len)
{
	int child = task->parent->parent == NULL; /* an element of the top-level array */
	struct bench_request *q = r->req;
	size_t n;

	if (task->type != REDIS_REPLY_STRING) {
		/* A key sent as something else (nil, a number, an array: a broken
		 * or hostile server) still holds a place the fetch's header
		 * counted: an empty key keeps the command whole, fetching
		 * nothing. */
		if (r->kind == RK_KEYS && child && (size_t)task->idx < fetch_count(q, task))
			return emit_fetch(r->rc, r->ireq, task, "", 0);
		return 0;
	}
	switch (r->kind) {
	case RK_FIELDS:
		if (child && q && q->out && r->out_off < q->out_cap) {
			n = len < q->out_cap - r->out_off ? len : q->out_cap - r->out_off;
			memcpy(q->out + r->out_off, str, n);
			r->out_off += n;
		}
		break;
	case RK_KEYS:
		if (child && (size_t)task->idx >= fetch_count(q, task))
			return 0; /* past what was asked for */
		if (child) {
			r->elems++;
			/* The keys step's keys: a record deleted before the fetch
			 * (MGET nil, not counted) would still be listed. */
			if (q->out)
				out_append(q, &r->rc->rs[r->ireq].out_len, str, len);
			return emit_fetch(r->rc, r->ireq, task, str, len);
		}
		return 0;
	case RK_SCAN:
		if (child && task->idx == 0) {
			struct redis_rstate *s = &r->rc->rs[r->ireq];

			n = len < sizeof(s->cursor) - 1 ? len : sizeof(s->cursor) - 1;
			memcpy(s->cursor, str, n);
			s->cursor[n] = '\0';
		} else if (!child && is_record_key(r->rc, str, len)) {
			r->elems++;
			/* items_out holds the earlier SCAN calls' keys; past count
			 * the keys are not part of the answer (finalize). */
			if (q->out && (!q->count || q->items_out + r->elems <= q->count))
				out_append(q, &r->rc->rs[r->ireq].out_len, str, len);
		}
		return 0;
	case RK_ARRAY:
	case RK_FETCH:
	case RK_MGET:
		break;
	default:
		return 0;
	}
	if (child) {
		r->elems++;
		r->bytes += len;
		if (r->kind == RK_ARRAY && q && q->out)
			out_append(q, &r->rc->rs[r->ireq].out_len, str, len);
	}
	return 0;
}

/* Request i's last reply is in: its status. */
static void finalize(struct redis_conn *rc, size_t i)
{
	struct bench_request *q = &rc->breqs[i];
	struct redis_rstate *s = &rc->rs[i];

	if (s->err) {
		q->status = BENCH_ERROR;
	} else if (s->multi) {
		if (q->op == BENCH_OP_FUZZY && q->count && q->items_out > q->count)
			q->items_out = q->count;
		q->status = q->items_out ? BENCH_OK : BENCH_MISS;
	} else {
		q->status = (enum bench_status)s->st;
	}
	if (q->out && out_is_list(q->op))
		q->value_len_out = s->out_len;
}

static void settle(struct redis_conn *rc, size_t i)
{
	if (--rc->rs[i].pending == 0)
		finalize(rc, i);
}

/* Arms the slot for the reply to p. */
static void arm(struct redis_conn *rc, const struct redis_pend *p)
{
	struct redis_reply *r = &rc->reply;

	r->kind = p->kind;
	r->element = ops_element;
	r->type = 0;
	r->integer = 0;
	r->len = 0;
	r->text[0] = '\0';
	r->elems = 0;
	r->bytes = 0;
	r->out_off = 0;
	r->ireq = p->req;
	r->req = p->kind == RK_AUX_RUN || p->kind == RK_PING ? NULL : &rc->breqs[p->req];
	if (p->kind == RK_SCAN)
		rc->rs[p->req].cursor[0] = '\0'; /* a reply without one ends the scan */
}

/* Applies the reply in the slot to the request(s) of p. Returns 0, or -1
 * out of memory (the next SCAN could not be queued). */
static int finish(struct bench_conn *conn, struct redis_conn *rc, const struct redis_pend *p)
{
	/* The reply type each kind must get (0: any, checked below). */
	static const int want[] = {
		[RK_FIELDS] = REDIS_REPLY_ARRAY, [RK_STATUS] = REDIS_REPLY_STATUS, [RK_INT] = REDIS_REPLY_INTEGER,
		[RK_DEL] = REDIS_REPLY_INTEGER, [RK_ARRAY] = REDIS_REPLY_ARRAY, [RK_KEYS] = REDIS_REPLY_ARRAY,
		[RK_SCAN] = REDIS_REPLY_ARRAY, [RK_FETCH] = REDIS_REPLY_ARRAY, [RK_MGET] = REDIS_REPLY_ARRAY,
		[RK_AUX_RUN] = 0,
	};
	struct redis_reply *r = &rc->reply;
	struct bench_request *q;
	struct redis_rstate *s;
	size_t i = p->req;

	if (p->kind == RK_PING)
		return 0; /* answers no request */
	if (p->kind == RK_AUX_RUN) {
		if (r->type == REDIS_REPLY_ERROR)
			bench_conn_error(conn, "%s", r->text);
		for (size_t k = 0; k < p->n; k++) {
			size_t j = (size_t)(rc->sorted[i + k] - rc->breqs);

			if (r->type == REDIS_REPLY_ERROR)
				rc->rs[j].err = 1;
			settle(rc, j);
		}
		return 0;
	}
	q = &rc->breqs[i];
	s = &rc->rs[i];
	if (r->type == REDIS_REPLY_ERROR) {
		s->err = 1;
		bench_conn_error(conn, "%s", r->text);
		settle(rc, i);
		return 0;
	}
	if (want[p->kind] && r->type != want[p->kind])
		goto unexpected;
	switch (p->kind) {
	case RK_GET:
		if (r->type == REDIS_REPLY_STRING) {
			s->st = BENCH_OK;
			q->value_len_out = r->len;
		} else if (r->type == REDIS_REPLY_NIL) {
			s->st = BENCH_MISS;
		} else {
			goto unexpected;
		}
		break;
	case RK_FIELDS:
		s->st = r->elems ? BENCH_OK : BENCH_MISS;
		q->value_len_out = r->bytes;
		break;
	case RK_DEL:
		s->st = r->integer > 0 ? BENCH_OK : BENCH_MISS;
		break;
	case RK_ARRAY:
		q->items_out = r->elems;
		q->value_len_out = r->bytes;
		s->st = r->elems ? BENCH_OK : BENCH_MISS;
		break;
	case RK_FETCH:
	case RK_MGET:
		/* A key whose record is gone (deleted between the two steps)
		 * is nil: not counted. */
		q->items_out += p->kind == RK_MGET ? r->elems : r->elems > 0;
		q->value_len_out += r->bytes;
		break;
	case RK_SCAN:
		q->items_out += r->elems;
		if (s->cursor[0] && strcmp(s->cursor, "0") != 0 && (!q->count || q->items_out < q->count) &&
		    emit_scan(rc, i) < 0)
			return -1;
		break;
	default:
		break;
	}
	settle(rc, i);
	return 0;

unexpected:
	s->err = 1;
	bench_conn_error(conn, "redis: unexpected reply type %d to %s", r->type, bench_op_name(q->op));
	settle(rc, i);
	return 0;
}

/* ---- a batch ---- */

/* The connection broke (or ran out of memory): every request still waiting
 * for a reply gets st. Returns -1. */
static int ops_fail(struct redis_conn *rc, enum bench_status st)
{
	rc->reply.req = NULL;
	for (size_t i = 0; i < rc->bn; i++)
		if (rc->rs[i].pending)
			rc->breqs[i].status = st;
	return -1;
}

static int ops_oom(struct bench_conn *conn, struct redis_conn *rc)
{
	bench_conn_lost(conn, "redis: out of memory");
	return ops_fail(rc, BENCH_DISCONNECTED);
}

static int ops_state(struct bench_conn *conn, struct bench_request *reqs, size_t n);

/* Starts a batch on the general path: statuses, per-request state, empty
 * buffers. Returns 0 or -1 (statuses set). */
static int ops_begin(struct bench_conn *conn, struct bench_request *reqs, size_t n)
{
	if (redis_begin_batch(conn, reqs, n) < 0)
		return -1;
	return ops_state(conn, reqs, n);
}

/* ops_begin's per-request state and buffers, without the connection. */
static int ops_state(struct bench_conn *conn, struct bench_request *reqs, size_t n)
{
	struct redis_conn *rc = conn->priv;

	if (n > UINT32_MAX)
		return bench_conn_lost(conn, "redis: batch of %zu requests", n);
	if (n > rc->rs_cap) {
		struct redis_rstate *rs = realloc(rc->rs, n * sizeof(*rs));

		if (!rs)
			return bench_conn_lost(conn, "redis: out of memory");
		rc->rs = rs;
		rc->rs_cap = n;
	}
	memset(rc->rs, 0, n * sizeof(*rc->rs));
	for (size_t i = 0; i < n; i++)
		rc->rs[i].st = BENCH_OK;
	rc->breqs = reqs;
	rc->bn = n;
	rc->wlen = 0;
	rc->npend[0] = rc->npend[1] = 0;
	rc->cur = 1; /* round 0 is formatted into pend[0] */
	return 0;
}

static uint64_t ops_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Sends round after round until no command is left. Returns 0, or -1 when
 * the connection broke (conn->err set). As on the event engine, the
 * request timeout covers the whole batch: a chain the server keeps going
 * (a SCAN cursor that never ends, each reply prompt) times out instead of
 * holding the thread for ever. */
static int ops_run(struct bench_conn *conn, struct redis_conn *rc)
{
	unsigned ms = conn->target->timeout_ms ? conn->target->timeout_ms : REDIS_DEFAULT_TIMEOUT_MS;
	uint64_t deadline = ops_now_ns() + (uint64_t)ms * 1000000u;
	void *obj;

	for (int round = 0;; round++) {
		int cur = rc->cur ^= 1;

		rc->npend[cur ^ 1] = 0;
		if (!rc->npend[cur])
			return 0;
		if (round > 0 && ops_now_ns() >= deadline) {
			redis_timeout_lost(conn);
			return ops_fail(rc, BENCH_TIMEOUT);
		}
		if (rc->trace) /* --trace: this round's commands as they leave */
			redis_trace_sent(rc->trace, rc->wbuf, rc->wlen);
		if (redisAppendFormattedCommand(rc->ctx, rc->wbuf, rc->wlen) != REDIS_OK)
			return ops_oom(conn, rc);
		rc->wlen = 0; /* hiredis has its copy: the buffer takes the next round */
		for (size_t j = 0; j < rc->npend[cur]; j++) {
			const struct redis_pend *p = &rc->pend[cur][j];

			arm(rc, p);
			if (redis_get_reply(rc->ctx, rc->reply_cap, &obj) != REDIS_OK || obj != &rc->reply)
				return ops_fail(rc, redis_ctx_failed(conn, rc->ctx));
			rc->reply.req = NULL;
			if (finish(conn, rc, p) < 0)
				return ops_oom(conn, rc);
		}
	}
}

/* A command of one word that answers no request (RK_PING: its reply is
 * read and dropped): PING, ASKING. 0 or -1 (out of memory). */
static int emit_aside(struct redis_conn *rc, const char *word)
{
	struct warg w = WARG(word, strlen(word));
	int nx = rc->cur ^ 1;

	if (redis_w_reserve(rc, 16 + redis_w_need(&w)) < 0 || redis_pend_room(rc, nx) < 0)
		return -1;
	redis_w_count(rc, 1);
	redis_w_arg(rc, &w);
	rc->pend[nx][rc->npend[nx]++] = (struct redis_pend){ .req = 0, .n = 0, .kind = RK_PING };
	return 0;
}

/* Starts a batch and writes its round 0 (after an ASKING when a cluster
 * redirection asks for one, redis_cluster.c). Returns 0 or -1 (statuses
 * set). */
static int ops_exec_emit(struct bench_conn *conn, struct bench_request *reqs, size_t n)
{
	struct redis_conn *rc = conn->priv;

	if (ops_begin(conn, reqs, n) < 0)
		return -1;
	if (rc->ev_asking && emit_aside(rc, "ASKING") < 0)
		return ops_oom(conn, rc);
	for (size_t i = 0; i < n; i++)
		if (reqs[i].status != BENCH_UNSUPPORTED && emit_request(conn, rc, i) < 0)
			return ops_oom(conn, rc);
	return 0;
}

static int ops_exec(struct bench_conn *conn, struct bench_request *reqs, size_t n)
{
	if (ops_exec_emit(conn, reqs, n) < 0)
		return -1;
	return ops_run(conn, conn->priv);
}

/* ---- load ---- */

static int by_category(const void *a, const void *b)
{
	const struct bench_request *x = *(const struct bench_request *const *)a;
	const struct bench_request *y = *(const struct bench_request *const *)b;
	size_t xl = x->arg ? x->arg_len : 0, yl = y->arg ? y->arg_len : 0;
	int c = xl && yl ? memcmp(x->arg, y->arg, xl < yl ? xl : yl) : 0;

	if (c)
		return c;
	return xl < yl ? -1 : xl > yl;
}

/* One variadic command for the records sorted[from .. from + m): `ZADD idx
 * 0 k1 0 k2 ...` (scored) or `SADD <set> k1 k2 ...`. */
static int emit_run(struct redis_conn *rc, const char *cmd, const struct warg *key, int scored, size_t from, size_t m)
{
	size_t need = 16 + 2 * W_ARG + strlen(cmd) + redis_w_need(key), per = scored ? 2 : 1;
	int nx = rc->cur ^ 1;

	for (size_t k = 0; k < m; k++)
		need += per * W_ARG + 1 + rc->sorted[from + k]->key_len;
	if (redis_w_reserve(rc, need) < 0 || redis_pend_room(rc, nx) < 0)
		return -1;
	redis_w_count(rc, 2 + per * m);
	redis_w_str(rc, cmd, strlen(cmd));
	redis_w_arg(rc, key);
	for (size_t k = 0; k < m; k++) {
		if (scored) {
			W_STR(rc, "0");
		}
		redis_w_str(rc, rc->sorted[from + k]->key, rc->sorted[from + k]->key_len);
		rc->rs[rc->sorted[from + k] - rc->breqs].pending++;
	}
	rc->pend[nx][rc->npend[nx]++] = (struct redis_pend){ .req = (uint32_t)from, .n = (uint32_t)m, .kind = RK_AUX_RUN };
	return 0;
}

/*
 * The bulk path: every record's own SET/HSET (each keeps its status), then
 * the batch's index entries in as few commands as the server takes them:
 * one ZADD for all the keys and one SADD per category present, all in the
 * same pipeline. A record is ok once its write and its index commands are.
 */
static int ops_load_emit(struct bench_conn *conn, struct bench_request *reqs, size_t n)
{
	struct redis_conn *rc = conn->priv;
	size_t m = 0;

	if (ops_begin(conn, reqs, n) < 0)
		return -1;
	if (n > rc->sorted_cap) {
		const struct bench_request **s = realloc(rc->sorted, n * sizeof(*s));

		if (!s)
			return ops_oom(conn, rc);
		rc->sorted = s;
		rc->sorted_cap = n;
	}
	for (size_t i = 0; i < n; i++) {
		if (reqs[i].status == BENCH_UNSUPPORTED)
			continue;
		if (reqs[i].op != BENCH_OP_SET) {
			if (emit_request(conn, rc, i) < 0)
				return ops_oom(conn, rc);
			continue;
		}
		if (emit_record_write(rc, i) < 0)
			return ops_oom(conn, rc);
		rc->sorted[m++] = &reqs[i];
	}
	if (m && rc->idx_range) {
		struct warg idx = idx_keys(rc);

		if (emit_run(rc, "ZADD", &idx, 1, 0, m) < 0)
			return ops_oom(conn, rc);
	}
	if (m && rc->idx_query) {
		qsort(rc->sorted, m, sizeof(*rc->sorted), by_category);
		for (size_t from = 0, to; from < m; from = to) {
			const struct bench_request *q = rc->sorted[from];
			struct warg set;

			for (to = from + 1; to < m && by_category(&rc->sorted[from], &rc->sorted[to]) == 0; to++)
				;
			if (!q->arg || !q->arg_len)
				continue;
			set = idx_cat(rc, q->arg, q->arg_len);
			if (emit_run(rc, "SADD", &set, 0, from, to - from) < 0)
				return ops_oom(conn, rc);
		}
	}
	return 0;
}

static int ops_load(struct bench_conn *conn, struct bench_request *reqs, size_t n)
{
	if (ops_load_emit(conn, reqs, n) < 0)
		return -1;
	return ops_run(conn, conn->priv);
}

/* ---- one server's exec and load ---- */

int redis_ops_exec(struct bench_conn *conn, struct bench_request *reqs, size_t n)
{
	struct redis_conn *rc = conn->priv;

	if (rc && !redis_node_plain(rc, reqs, n))
		return ops_exec(conn, reqs, n);
	return redis_node_exec(conn, reqs, n);
}

/* A load batch of plain records is all SETs: the plain pipelined path is
 * already the fastest per-record way. With indexes or hash records, the
 * general path adds the index commands once per batch. */
int redis_ops_load(struct bench_conn *conn, struct bench_request *reqs, size_t n)
{
	struct redis_conn *rc = conn->priv;

	if (rc && !redis_node_plain(rc, reqs, n))
		return ops_load(conn, reqs, n);
	return redis_node_exec(conn, reqs, n);
}

/* ---- describe (bench run --dry-run) ---- */

struct describe_out {
	char *buf;
	size_t len, at;
	const char *lead;       /* before the next line: "(then ...) " or "" */
};

static void describe_line(void *arg, const char *line, size_t n)
{
	struct describe_out *d = arg;
	int k = snprintf(d->buf + d->at, d->len - d->at, "%s%.*s\n", d->lead, (int)n, line);

	if (k > 0)
		d->at = d->at + (size_t)k < d->len ? d->at + (size_t)k : d->len - 1;
}

/* The commands in rc->wbuf, then the buffer emptied for the next round. */
static size_t describe_round(struct redis_conn *rc, struct describe_out *d, const char *lead)
{
	size_t n;

	d->lead = lead;
	n = redis_trace_commands(rc->wbuf, rc->wlen, describe_line, d);
	rc->wlen = 0;
	return n;
}

/*
 * The sample through the formatter exec would take it to (the plain path's
 * or the general path's), then what follows the reply: a range or query
 * answer's keys fetched (emit_fetch on two keys standing for those the
 * server returns), a SCAN repeated with the cursor it returns.
 */
int redis_ops_describe(struct bench_conn *conn, struct bench_request *sample, char *buf, size_t len)
{
	struct redis_conn *rc = conn->priv;
	struct describe_out d = {buf, len, 0, ""};
	size_t cmds = 0;

	buf[0] = '\0';
	sample->status = BENCH_DISCONNECTED; /* anything but UNSUPPORTED: to be sent */
	if (redis_node_plain(rc, sample, 1)) {
		if (redis_node_format(conn, sample, 1) < 0)
			return -1;
		if (sample->status == BENCH_UNSUPPORTED) {
			snprintf(buf, len, "redis: %s is not a command of this driver", bench_op_name(sample->op));
			return -1;
		}
		return (int)describe_round(rc, &d, "");
	}
	if (ops_state(conn, sample, 1) < 0 || emit_request(conn, rc, 0) < 0)
		return bench_conn_error(conn, "redis: out of memory");
	if (sample->status == BENCH_UNSUPPORTED || sample->status == BENCH_ERROR) {
		snprintf(buf, len, "%s", sample->status == BENCH_ERROR ? conn->errstr : "not an op of this driver");
		return -1;
	}
	cmds = describe_round(rc, &d, "");
	for (size_t j = 0; j < rc->npend[0]; j++) {
		int kind = rc->pend[0][j].kind;

		if (kind == RK_KEYS) {
			redisReadTask parent = {.type = REDIS_REPLY_ARRAY, .elements = 2};
			redisReadTask task = {.type = REDIS_REPLY_STRING, .parent = &parent};
			char k1[64], k2[64];
			int n1 = snprintf(k1, sizeof(k1), "%s<key1>", rc->prefix), n2;

			n2 = snprintf(k2, sizeof(k2), "%s<key2>", rc->prefix);
			rc->wlen = 0;
			if (emit_fetch(rc, 0, &task, k1, (size_t)n1) < 0)
				return -1;
			task.idx = 1;
			if (emit_fetch(rc, 0, &task, k2, (size_t)n2) < 0)
				return -1;
			cmds += describe_round(rc, &d, "(then, on the keys it returned) ");
		} else if (kind == RK_SCAN) {
			d.lead = "(then, until the cursor is 0) SCAN <cursor returned> ...";
			describe_line(&d, "", 0);
		}
	}
	return (int)cmds;
}

/* ---- the event engine: a batch's rounds as chains (driver.h) ---- */

/*
 * The general path's rounds over the non-blocking socket. submit writes
 * round 0; on_readable reads the replies of round pend[cur] as they come
 * (a reply may be split over several reads: the slot stays armed, and
 * hiredis's reader keeps the elements it has parsed), while finish() and
 * the element hook queue the next round into pend[cur ^ 1] and the tail of
 * wbuf; once the round is read, the next one is written. Nothing is
 * allocated once the buffers have grown to the batch's size.
 */

/* Whether every request of the batch is a SET (a load batch): the bulk
 * form of the index upkeep (ops_load_emit). */
static int all_sets(const struct bench_request *reqs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (reqs[i].op != BENCH_OP_SET)
			return 0;
	return n > 1;
}

/* Writes what the socket takes of wbuf; the round's bytes end at wlen. */
static int ev_write(struct bench_conn *conn, struct redis_conn *rc)
{
	int w;

	rc->wend = rc->wlen;
	if (rc->trace) /* --trace: this round's commands as they leave (woff is 0 here) */
		redis_trace_sent(rc->trace, rc->wbuf + rc->woff, rc->wlen - rc->woff);
	w = redis_node_flush(conn);
	if (w < 0)
		ops_fail(rc, BENCH_DISCONNECTED);
	return w;
}

int redis_ops_submit(struct bench_conn *conn, struct bench_request *reqs, size_t n)
{
	struct redis_conn *rc = conn->priv;
	int erc;

	if (!rc || (!rc->ev_asking && redis_node_plain(rc, reqs, n))) {
		if (rc)
			rc->ev_general = 0;
		return redis_node_submit(conn, reqs, n);
	}
	rc->ev_general = 1;
	if (conn->err || !rc->ctx || redis_node_nonblocking(conn) < 0) {
		redis_begin_batch(conn, reqs, n);
		for (size_t i = 0; i < n; i++)
			reqs[i].status = BENCH_DISCONNECTED;
		return -1;
	}
	/* The node path's write error marks rc->batch[next..): nothing here. */
	rc->batch = reqs;
	rc->batch_n = rc->next = n;
	erc = (all_sets(reqs, n) && !rc->ev_asking ? ops_load_emit : ops_exec_emit)(conn, reqs, n);
	rc->ev_asking = 0; /* one batch only */
	if (erc < 0)
		return -1;
	/* Every request answered without the server: one PING so the socket
	 * becomes readable (driver.h). */
	if (!rc->npend[0] && emit_aside(rc, "PING") < 0)
		return ops_oom(conn, rc);
	rc->cur = 0;
	rc->npend[1] = 0;
	rc->pi = 0;
	rc->armed = 0;
	rc->woff = 0;
	return ev_write(conn, rc);
}

int redis_ops_flush(struct bench_conn *conn)
{
	struct redis_conn *rc = conn->priv;
	int w;

	if (!rc->ev_general)
		return redis_node_flush(conn);
	w = redis_node_flush(conn);
	if (w < 0)
		ops_fail(rc, BENCH_DISCONNECTED);
	return w;
}

/* Replies are still due: 2 when the round's commands are not all written
 * (the harness waits for writable, driver.h), else 0. */
static int ev_more(const struct redis_conn *rc)
{
	return rc->woff < rc->wend ? 2 : 0;
}

int redis_ops_on_readable(struct bench_conn *conn)
{
	struct redis_conn *rc = conn->priv;
	void *obj;

	if (!rc->ev_general)
		return redis_node_on_readable(conn);
	if (redisBufferRead(rc->ctx) != REDIS_OK)
		return ops_fail(rc, redis_ctx_failed(conn, rc->ctx));
	for (;;) {
		while (rc->pi < rc->npend[rc->cur]) {
			const struct redis_pend *p = &rc->pend[rc->cur][rc->pi];

			if (!rc->armed) {
				arm(rc, p);
				rc->armed = 1;
			}
			if (redisGetReplyFromReader(rc->ctx, &obj) != REDIS_OK)
				return ops_fail(rc, redis_ctx_failed(conn, rc->ctx));
			if (!obj) {
				/* The rest has not arrived yet, unless what did is
				 * over the bound (redis_bound.c). */
				if (redis_reader_bound(rc->ctx, rc->reply_cap) < 0)
					return ops_fail(rc, redis_ctx_failed(conn, rc->ctx));
				return ev_more(rc);
			}
			rc->armed = 0;
			rc->reply.req = NULL;
			if (obj != &rc->reply) {
				bench_conn_lost(conn, "redis: reply parsed outside its slot");
				return ops_fail(rc, BENCH_DISCONNECTED);
			}
			if (finish(conn, rc, p) < 0)
				return ops_oom(conn, rc);
			rc->pi++;
		}
		/* The round is read: the next one (queued while it was) goes out. */
		rc->cur ^= 1;
		rc->npend[rc->cur ^ 1] = 0;
		rc->pi = 0;
		if (!rc->npend[rc->cur])
			return 1;
		if (rc->woff > 0) {
			memmove(rc->wbuf, rc->wbuf + rc->woff, rc->wlen - rc->woff);
			rc->wlen -= rc->woff;
			rc->woff = 0;
		}
		if (ev_write(conn, rc) < 0)
			return -1;
	}
}

void redis_ops_expire(struct bench_conn *conn)
{
	struct redis_conn *rc = conn->priv;

	if (!rc->ev_general) {
		redis_node_expire(conn);
		return;
	}
	ops_fail(rc, BENCH_TIMEOUT);
	redis_timeout_lost(conn);
}
