/*
 * redis_bound.c - the bound on what one reply of a server may make bench
 * hold. hiredis 0.14's reader has none of its own: a bulk string announced
 * as `$2000000000` is buffered as it arrives, up to 2 GB (redisReader's
 * maxbuf only trims a buffer left idle). Every read from a Redis socket,
 * on both engines, is followed by redis_reader_bound, which refuses a reply
 * announced or grown over the target's cap (redis_int.h).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#include <hiredis.h>

#include "driver.h"
#include "redis_int.h"

size_t redis_reply_cap(const struct bench_target *t)
{
	uint64_t v = t->value_max ? t->value_max : REDIS_VALUE_DEFAULT;

	if (v < REDIS_VALUE_FLOOR)
		v = REDIS_VALUE_FLOOR;
	if (v > SIZE_MAX / 2)
		v = SIZE_MAX / 2;
	return (size_t)v + REDIS_VALUE_SLACK;
}

/* Whether the item the reader waits for is a bulk string whose type byte
 * ('$') it has read: its position is then at the length. */
static int waiting_for_bulk(const redisReader *r)
{
	if (r->ridx < 0)
		return 0;
#if HIREDIS_MAJOR >= 1
	return r->task[r->ridx]->type == REDIS_REPLY_STRING;
#else
	return r->rstack[r->ridx].type == REDIS_REPLY_STRING;
#endif
}

int redis_reader_bound(redisContext *ctx, size_t cap)
{
	const redisReader *r = ctx->reader;
	size_t held = r->len - r->pos, i = 0;
	const char *p = r->buf + r->pos;
	unsigned long long n = 0;

	/* A bulk string's header says its length before its bytes arrive:
	 * refused there, before hiredis buffers any of them. */
	if (waiting_for_bulk(r)) {
		while (i < held && i < 19 && p[i] >= '0' && p[i] <= '9') /* 19 digits fit in 64 bits */
			n = n * 10 + (unsigned)(p[i++] - '0');
		if (n > cap) {
			ctx->err = REDIS_ERR_PROTOCOL;
			snprintf(ctx->errstr, sizeof(ctx->errstr),
				 "a reply announced a bulk string of %s%llu bytes, over bench's bound of %zu",
				 i < held && p[i] == '\r' ? "" : "at least ", n, cap); /* the rest to come */
			return -1;
		}
	}
	/* A line that never ends, or an item that grows past the cap. */
	if (held > cap) {
		ctx->err = REDIS_ERR_PROTOCOL;
		snprintf(ctx->errstr, sizeof(ctx->errstr), "a reply item of over %zu bytes (bench's bound)", cap);
		return -1;
	}
	return 0;
}

/* ---- setup replies: hiredis objects, bounded as a whole ---- */

static redisReplyObjectFunctions setup_fns;
static const redisReplyObjectFunctions *hiredis_fns;
static pthread_mutex_t setup_lock = PTHREAD_MUTEX_INITIALIZER;
/* What the reply being built holds so far (a thread builds one at a
 * time), and what went over the bound. */
static _Thread_local struct {
	size_t elements, bytes;
	char over[96];
} held;

/* Counts an item of the reply being built; false when it goes over. A
 * top-level item begins a new reply. */
static int setup_take(const redisReadTask *task, size_t elements, size_t bytes)
{
	if (!task->parent)
		held.elements = held.bytes = 0, held.over[0] = '\0';
	held.elements += elements;
	held.bytes += bytes;
	if (held.elements > REDIS_SETUP_ELEMENTS)
		snprintf(held.over, sizeof(held.over), "a reply of over %u array elements (bench's bound)",
			 REDIS_SETUP_ELEMENTS);
	else if (held.bytes > REDIS_SETUP_BYTES)
		snprintf(held.over, sizeof(held.over), "a reply of over %u bytes (bench's bound)", REDIS_SETUP_BYTES);
	return !held.over[0];
}

#if HIREDIS_MAJOR >= 1
static void *setup_array(const redisReadTask *task, size_t elements)
#else
static void *setup_array(const redisReadTask *task, int elements)
#endif
{
	/* Refused before hiredis allocates what the header announces. */
	if (!setup_take(task, (size_t)elements, 0))
		return NULL;
	return hiredis_fns->createArray(task, elements);
}

static void *setup_string(const redisReadTask *task, char *str, size_t len)
{
	if (!setup_take(task, 0, len))
		return NULL;
	return hiredis_fns->createString(task, str, len);
}

redisReplyObjectFunctions *redis_setup_fns(const redisReplyObjectFunctions *dflt)
{
	pthread_mutex_lock(&setup_lock);
	if (!hiredis_fns) { /* hiredis has one table of its own for every context */
		hiredis_fns = dflt;
		setup_fns = *dflt;
		setup_fns.createArray = setup_array;
		setup_fns.createString = setup_string;
	}
	pthread_mutex_unlock(&setup_lock);
	return &setup_fns;
}

/* A reader error from the setup functions' refusal (hiredis says "Out of
 * memory"): the reason instead. */
static int reply_failed(redisContext *ctx)
{
	if (ctx->reader->fn == &setup_fns && held.over[0]) {
		ctx->err = REDIS_ERR_PROTOCOL;
		snprintf(ctx->errstr, sizeof(ctx->errstr), "%s", held.over);
		held.over[0] = '\0';
	}
	return REDIS_ERR;
}

int redis_get_reply(redisContext *ctx, size_t cap, void **reply)
{
	void *aux = NULL;
	int done = 0;

	/* hiredis's redisGetReply, with the bound after every read. */
	if (redisGetReplyFromReader(ctx, &aux) != REDIS_OK)
		return reply_failed(ctx);
	if (!aux && (ctx->flags & REDIS_BLOCK)) {
		do {
			if (redisBufferWrite(ctx, &done) != REDIS_OK)
				return REDIS_ERR;
		} while (!done);
		do {
			if (redisBufferRead(ctx) != REDIS_OK || redisGetReplyFromReader(ctx, &aux) != REDIS_OK)
				return reply_failed(ctx);
			if (!aux && redis_reader_bound(ctx, cap) < 0)
				return REDIS_ERR;
		} while (!aux);
	}
	*reply = aux;
	return REDIS_OK;
}

redisReply *redis_command_argv(redisContext *ctx, size_t cap, int argc, const char **argv, const size_t *argvlen)
{
	void *r = NULL;

	if (redisAppendCommandArgv(ctx, argc, argv, argvlen) != REDIS_OK || redis_get_reply(ctx, cap, &r) != REDIS_OK)
		return NULL;
	return r;
}
