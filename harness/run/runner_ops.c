/*
 * runner_ops.c - the arguments of a request beyond its key and value:
 * what a range, query, fuzzy or structure op asks for, and the category a
 * written record carries. Drawn from the client's own random stream, in
 * the same order whatever the answers, so runs stay reproducible.
 */
#include <stdio.h>
#include <string.h>

#include "keygen.h"
#include "runner_int.h"

/* "c17": the category of record id (docs/workload-format.md). */
static size_t category_of(const struct phase_ctx *ctx, uint64_t id, char *arg, size_t cap)
{
	return (size_t)snprintf(arg, cap, "c%llu", (unsigned long long)(id % ctx->w->values.categories));
}

/* Decimal digits of n (at least 1). */
static int digits_of(uint64_t n)
{
	int d = 1;

	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d;
}

/*
 * A pattern matching about `matches` keys around record id's key: the key
 * without its last k digits (prefix mode: exactly the 10^k keys that share
 * the rest), or the last digits of the record number that the keyspace
 * actually varies in, minus k (substring mode: every key holding them
 * anywhere; about as many).
 */
static size_t fuzzy_pattern(const struct phase_ctx *ctx, const struct client *c, const struct bench_request *rq,
			    char *arg, size_t cap)
{
	int k = digits_of(ctx->ph->fuzzy_matches) - 1;
	size_t len;

	if (ctx->ph->fuzzy_matches > 1 && ctx->ph->fuzzy_matches % 10 != 0)
		k++; /* round up: at least `matches` keys */
	if (k > KEYGEN_DIGITS)
		k = KEYGEN_DIGITS;
	if (!ctx->ph->fuzzy_substring) {
		len = c->prefix_len + KEYGEN_DIGITS - (size_t)k; /* the digits' end: a drawn key size pads after it */
		memcpy(arg, rq->key, len < cap ? len : cap);
		return len < cap ? len : cap;
	}
	/* The digits the keyspace varies in, minus k, at least one. */
	len = (size_t)digits_of(ctx->w->keyspace.records > 1 ? ctx->w->keyspace.records - 1 : 1);
	len = len > (size_t)k ? len - (size_t)k : 1;
	memcpy(arg, rq->key + c->prefix_len + KEYGEN_DIGITS - len, len);
	return len;
}

void runner_fill_args(const struct phase_ctx *ctx, struct client *c, struct bench_request *rq, char *arg,
		      uint64_t id)
{
	const struct wl_phase *ph = ctx->ph;
	size_t cap = c->arg_cap, len = 0;

	rq->arg = NULL;
	rq->arg_len = 0;
	rq->count = 0;
	rq->score = rq->score_max = 0;
	rq->fuzzy_substring = 0;
	switch (rq->op) {
	case BENCH_OP_SET:
		if (ctx->w->values.categories)
			len = category_of(ctx, id, arg, cap);
		break;
	case BENCH_OP_RANGE:
		rq->count = ph->range_min + rng_below(&c->rng, ph->range_max - ph->range_min + 1);
		break;
	case BENCH_OP_QUERY:
		len = category_of(ctx, id, arg, cap);
		rq->count = ph->query_limit;
		break;
	case BENCH_OP_FUZZY:
		len = fuzzy_pattern(ctx, c, rq, arg, cap);
		rq->fuzzy_substring = ph->fuzzy_substring;
		break;
	case BENCH_OP_HSET:
	case BENCH_OP_HGET:
		len = (size_t)snprintf(arg, cap, "f%llu", (unsigned long long)rng_below(&c->rng, ph->st_members));
		if (rq->op == BENCH_OP_HSET)
			rq->value_len = sizegen_next(ctx->sizes, &c->rng);
		break;
	case BENCH_OP_LPUSH:
		rq->value_len = sizegen_next(ctx->sizes, &c->rng);
		rq->count = ph->st_list_max;
		break;
	case BENCH_OP_LRANGE:
		rq->count = ph->st_length;
		break;
	case BENCH_OP_SADD:
		len = (size_t)snprintf(arg, cap, "m%llu", (unsigned long long)rng_below(&c->rng, ph->st_members));
		break;
	case BENCH_OP_ZADD:
		len = (size_t)snprintf(arg, cap, "m%llu", (unsigned long long)rng_below(&c->rng, ph->st_members));
		rq->score = (double)rng_below(&c->rng, ph->st_members);
		break;
	case BENCH_OP_ZRANGEBYSCORE:
		rq->score = (double)rng_below(&c->rng, ph->st_members);
		rq->score_max = rq->score + (double)ph->st_length - 1;
		rq->count = ph->st_length;
		break;
	default:
		break;
	}
	if (len) {
		rq->arg = arg;
		rq->arg_len = len;
	}
}
