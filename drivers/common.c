/* common.c - names and error helpers every driver and the harness share. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "driver.h"

static const char *const status_names[BENCH_STATUS__COUNT] = {
	[BENCH_OK] = "ok",
	[BENCH_MISS] = "miss",
	[BENCH_UNSUPPORTED] = "unsupported",
	[BENCH_ERROR] = "error",
	[BENCH_TIMEOUT] = "timeout",
	[BENCH_DISCONNECTED] = "disconnected",
};

static const char *const op_names[BENCH_OP__COUNT] = {
	[BENCH_OP_GET] = "get",
	[BENCH_OP_SET] = "set",
	[BENCH_OP_DELETE] = "delete",
	[BENCH_OP_RANGE] = "range",
	[BENCH_OP_QUERY] = "query",
	[BENCH_OP_FUZZY] = "fuzzy",
	[BENCH_OP_INCR] = "incr",
	[BENCH_OP_HSET] = "hset",
	[BENCH_OP_HGET] = "hget",
	[BENCH_OP_LPUSH] = "lpush",
	[BENCH_OP_LRANGE] = "lrange",
	[BENCH_OP_SADD] = "sadd",
	[BENCH_OP_SMEMBERS] = "smembers",
	[BENCH_OP_ZADD] = "zadd",
	[BENCH_OP_ZRANGEBYSCORE] = "zrangebyscore",
	[BENCH_OP_INSERT] = "insert",
	[BENCH_OP_RMW] = "rmw",
};

const char *bench_status_name(enum bench_status s)
{
	return (unsigned)s < BENCH_STATUS__COUNT ? status_names[s] : "?";
}

const char *bench_op_name(enum bench_op op)
{
	return (unsigned)op < BENCH_OP__COUNT ? op_names[op] : "?";
}

int bench_op_from_name(const char *name)
{
	for (int i = 0; i < BENCH_OP__COUNT; i++)
		if (strcmp(op_names[i], name) == 0)
			return i;
	return -1;
}

unsigned bench_op_caps(enum bench_op op)
{
	switch (op) {
	case BENCH_OP_GET:
	case BENCH_OP_SET:
	case BENCH_OP_DELETE:
	case BENCH_OP_INSERT:
	case BENCH_OP_RMW:
		return BENCH_CAP_KV;
	case BENCH_OP_RANGE:
		return BENCH_CAP_RANGE;
	case BENCH_OP_QUERY:
		return BENCH_CAP_QUERY;
	case BENCH_OP_FUZZY:
		return BENCH_CAP_FUZZY;
	case BENCH_OP_INCR:
		return BENCH_CAP_INCR;
	case BENCH_OP_HSET:
	case BENCH_OP_HGET:
	case BENCH_OP_LPUSH:
	case BENCH_OP_LRANGE:
	case BENCH_OP_SADD:
	case BENCH_OP_SMEMBERS:
	case BENCH_OP_ZADD:
	case BENCH_OP_ZRANGEBYSCORE:
		return BENCH_CAP_STRUCTURES;
	default:
		return 0;
	}
}

const char *bench_target_option(const struct bench_target *t, const char *key)
{
	for (size_t i = 0; i < t->n_options; i++)
		if (strcmp(t->options[i].key, key) == 0)
			return t->options[i].value;
	return NULL;
}

int bench_conn_should_stop(const struct bench_conn *conn)
{
	return conn->target->should_stop && conn->target->should_stop();
}

int bench_conn_error(struct bench_conn *conn, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(conn->errstr, sizeof(conn->errstr), fmt, ap);
	va_end(ap);
	return -1;
}

int bench_conn_lost(struct bench_conn *conn, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(conn->errstr, sizeof(conn->errstr), fmt, ap);
	va_end(ap);
	conn->err = 1;
	return -1;
}
