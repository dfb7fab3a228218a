/* redis_info.c - setup-time commands over the connection's blocking context
 * with hiredis's own reply objects: who the server is (INFO server, CONFIG
 * GET), what it has spent (INFO cpu), and prepare (dropping old indexes,
 * with redis_ns.c's SCAN + UNLINK). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis.h>

#include "driver.h"
#include "redis_int.h"

static int redis_info_field(const char *info, const char *name, char *out, size_t cap)
{
	size_t nlen = strlen(name), len;
	const char *p = info;

	out[0] = '\0';
	while (p && *p) {
		if (strncmp(p, name, nlen) == 0 && p[nlen] == ':') {
			p += nlen + 1;
			len = strcspn(p, "\r\n");
			if (len >= cap)
				len = cap - 1;
			memcpy(out, p, len);
			out[len] = '\0';
			return 0;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

/* Appends CONFIG GET results to out->config; -1 only if the link broke. */
static int redis_config(struct bench_conn *conn, struct bench_server_info *out)
{
	static const char *const params[] = {
		"appendonly", "appendfsync", "save", "io-threads", "maxmemory", "maxmemory-policy",
	};
	struct redis_conn *rc = conn->priv;
	size_t off = 0, cap = sizeof(out->config);

	for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		const char *argv[3] = { "CONFIG", "GET", params[i] };
		redisReply *r = redis_command_argv(rc->ctx, rc->reply_cap, 3, argv, NULL);
		int w;

		if (!r)
			return bench_conn_lost(conn, "redis: CONFIG GET: %s", redis_ctx_errtext(conn, rc->ctx));
		if (r->type == REDIS_REPLY_ERROR) {
			/* Disabled or renamed CONFIG: say so instead of failing. */
			snprintf(out->config, cap, "config=unavailable: %s\n", r->str);
			freeReplyObject(r);
			return 0;
		}
		if (r->type == REDIS_REPLY_ARRAY && r->elements >= 2 &&
		    r->element[1]->type == REDIS_REPLY_STRING)
			w = snprintf(out->config + off, cap - off, "%s=%s\n", params[i], r->element[1]->str);
		else
			w = snprintf(out->config + off, cap - off, "%s=n/a\n", params[i]);
		freeReplyObject(r);
		if (w < 0 || (size_t)w >= cap - off)
			break; /* truncated; config[] stays terminated */
		off += (size_t)w;
	}
	return 0;
}

int redis_server_info(struct bench_conn *conn, struct bench_server_info *out)
{
	struct redis_conn *rc = conn->priv;
	const char *argv[2] = { "INFO", "server" };
	char redis_version[64], mode[32], os[96], other[64];
	redisReply *r = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (conn->err || !rc || !rc->ctx)
		return -1;
	/* Setup commands want real reply objects; the slot is for exec(). */
	rc->ctx->reader->fn = rc->default_fn;

	r = redis_command_argv(rc->ctx, rc->reply_cap, 2, argv, NULL);
	if (!r) {
		bench_conn_lost(conn, "redis: INFO: %s", redis_ctx_errtext(conn, rc->ctx));
		goto out;
	}
	if (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_STATUS) {
		bench_conn_error(conn, "redis: INFO server failed: %s",
				 r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
		goto out;
	}
	redis_info_field(r->str, "redis_version", redis_version, sizeof(redis_version));
	redis_info_field(r->str, "redis_mode", mode, sizeof(mode));
	redis_info_field(r->str, "os", os, sizeof(os));

	/* Forks answer INFO as Redis; their own fields tell them apart. */
	if (redis_info_field(r->str, "valkey_version", other, sizeof(other)) == 0 ||
	    strstr(r->str, "server_name:valkey")) {
		snprintf(out->product, sizeof(out->product), "Valkey");
		snprintf(out->version, sizeof(out->version), "%s", other[0] ? other : redis_version);
		snprintf(out->detail, sizeof(out->detail), "mode=%s os=%s redis_version=%s", mode, os, redis_version);
	} else if (redis_info_field(r->str, "dragonfly_version", other, sizeof(other)) == 0) {
		snprintf(out->product, sizeof(out->product), "Dragonfly");
		snprintf(out->version, sizeof(out->version), "%s", other);
		snprintf(out->detail, sizeof(out->detail), "mode=%s os=%s redis_version=%s", mode, os, redis_version);
	} else {
		/* KeyDB keeps redis_version; only its executable/config path says KeyDB. */
		snprintf(out->product, sizeof(out->product), "%s", strcasestr(r->str, "keydb") ? "KeyDB" : "Redis");
		snprintf(out->version, sizeof(out->version), "%s", redis_version);
		snprintf(out->detail, sizeof(out->detail), "mode=%s os=%s", mode, os);
	}
	ret = redis_config(conn, out);

out:
	if (r)
		freeReplyObject(r);
	rc->ctx->reader->fn = &redis_slot_fns;
	return ret;
}

/* INFO cpu: used_cpu_user / used_cpu_sys, the server process's getrusage. */
int redis_server_stats(struct bench_conn *conn, struct bench_server_stats *out)
{
	struct redis_conn *rc = conn->priv;
	const char *argv[2] = { "INFO", "cpu" };
	char user[32], sys[32];
	redisReply *r;
	int ret = -1;

	out->cpu_s = -1;
	snprintf(out->cpu_source, sizeof(out->cpu_source), "INFO cpu");
	if (conn->err || !rc || !rc->ctx)
		return -1;
	rc->ctx->reader->fn = rc->default_fn;
	r = redis_command_argv(rc->ctx, rc->reply_cap, 2, argv, NULL);
	if (!r) {
		bench_conn_lost(conn, "redis: INFO cpu: %s", redis_ctx_errtext(conn, rc->ctx));
	} else if (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_STATUS) {
		bench_conn_error(conn, "redis: INFO cpu failed: %s", r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
	} else {
		if (redis_info_field(r->str, "used_cpu_user", user, sizeof(user)) == 0 &&
		    redis_info_field(r->str, "used_cpu_sys", sys, sizeof(sys)) == 0)
			out->cpu_s = strtod(user, NULL) + strtod(sys, NULL);
		ret = 0;
	}
	if (r)
		freeReplyObject(r);
	rc->ctx->reader->fn = &redis_slot_fns;
	return ret;
}

/*
 * Drops the indexes a previous run left under the prefix (SCAN MATCH
 * <prefix>~idx:* + UNLINK), so that the load rebuilds them from its own
 * records: a record number that earlier had another category, or an index
 * entry whose record is gone, would otherwise stay in them. Runs with
 * hiredis's own reply objects (setup, not the hot path).
 */
int redis_prepare(struct bench_conn *conn)
{
	struct redis_conn *rc = conn->priv;
	uint64_t removed;

	if (conn->err || !rc || !rc->ctx)
		return -1;
	if (!rc->idx_range && !rc->idx_query)
		return 0;
	return redis_ns_scan(conn, "~idx:", 1, 0, &removed);
}
