/*
 * mongodb_trace.c - `bench run --trace` for the mongodb driver (driver.h,
 * struct bench_trace). libmongoc builds every command itself (find,
 * update, delete, insert, aggregate, findAndModify), so the trace takes
 * them where libmongoc reports them: its command monitoring (APM), which
 * hands over each command document as sent, document sequences (a bulk's
 * documents) folded in, and each reply document as read. They are written
 * as relaxed extended JSON (libbson). libmongoc itself leaves out the body
 * of authentication commands (saslStart, ...). The callbacks are set only
 * on a traced connection: the others pay nothing.
 */
#include <string.h>

#include <bson/bson.h>
#include <mongoc/mongoc.h>

#include "driver.h"
#include "mongodb_int.h"

/* Bytes of JSON rendered per command or reply; the harness cuts the line
 * shorter still (the point is the shape, not the whole bulk). */
#define MONGO_TRACE_JSON_MAX 2048

static void trace_doc(struct bench_trace *t, enum bench_trace_kind kind, const char *head, const bson_t *doc)
{
	char line[MONGO_TRACE_JSON_MAX + 128];
	size_t len = 0, n;
	char *json = doc ? bson_as_relaxed_extended_json(doc, &len) : NULL;

	n = (size_t)snprintf(line, sizeof(line), "%s", head);
	if (json) {
		size_t k = len < MONGO_TRACE_JSON_MAX ? len : MONGO_TRACE_JSON_MAX;

		memcpy(line + n, json, k);
		n += k;
		if (k < len)
			n += (size_t)snprintf(line + n, sizeof(line) - n, "...(%zu bytes of JSON)", len);
		bson_free(json);
	}
	t->line(t, kind, line, n);
}

static void on_started(const mongoc_apm_command_started_t *e)
{
	struct bench_trace *t = mongoc_apm_command_started_get_context(e);
	char head[160];

	if (!t->active)
		return;
	snprintf(head, sizeof(head), "%s.%s ", mongoc_apm_command_started_get_database_name(e),
		 mongoc_apm_command_started_get_command_name(e));
	trace_doc(t, BENCH_TRACE_SENT, head, mongoc_apm_command_started_get_command(e));
}

static void on_succeeded(const mongoc_apm_command_succeeded_t *e)
{
	struct bench_trace *t = mongoc_apm_command_succeeded_get_context(e);

	if (t->active)
		trace_doc(t, BENCH_TRACE_REPLY, "", mongoc_apm_command_succeeded_get_reply(e));
}

static void on_failed(const mongoc_apm_command_failed_t *e)
{
	struct bench_trace *t = mongoc_apm_command_failed_get_context(e);
	bson_error_t err;
	char head[sizeof(err.message) + 16];

	if (!t->active)
		return;
	mongoc_apm_command_failed_get_error(e, &err);
	snprintf(head, sizeof(head), "failed: %s ", err.message);
	trace_doc(t, BENCH_TRACE_REPLY, head, mongoc_apm_command_failed_get_reply(e));
}

int mongo_trace_start(struct bench_conn *conn, mongoc_client_t *client)
{
	mongoc_apm_callbacks_t *cbs = mongoc_apm_callbacks_new();
	bool ok;

	if (!cbs)
		return bench_conn_error(conn, "mongodb: out of memory");
	mongoc_apm_set_command_started_cb(cbs, on_started);
	mongoc_apm_set_command_succeeded_cb(cbs, on_succeeded);
	mongoc_apm_set_command_failed_cb(cbs, on_failed);
	ok = mongoc_client_set_apm_callbacks(client, cbs, conn->trace);
	mongoc_apm_callbacks_destroy(cbs);
	return ok ? 0 : bench_conn_error(conn, "mongodb: cannot set libmongoc's command monitoring for --trace");
}
