/*
 * mongodb_info.c - the mongodb driver's connection to the server and the
 * server's identity: the URI defaults, the reachability and FerretDB checks
 * of open, how a libmongoc error maps to a request status, the namespace
 * (prepare: the category index; the prefix's upper bound), and server_info
 * (buildInfo, serverStatus, hello, and FerretDB's startup log for its
 * backend). Apart from the error mapping, none of it is on the request
 * path; that is mongodb.c and mongodb_ops.c. Contracts are in
 * mongodb_int.h.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bson/bson.h>
#include <mongoc/mongoc.h>

#include "driver.h"
#include "mongodb_int.h"

#define MONGO_DEFAULT_TIMEOUT_MS 5000
#define MONGO_APPNAME "cachedb-bench"
/* MongoDB's MaxTimeMSExpired: the server gave up on the operation in time. */
#define MONGO_CODE_MAX_TIME_EXPIRED 50


/* Runs {cmd: 1} on admin; reply is always initialized. */
static bool mongo_admin_cmd(struct mongo_priv *p, const char *cmd, bson_t *reply, bson_error_t *e)
{
	bson_t c = BSON_INITIALIZER;
	bool ok;

	BSON_APPEND_INT32(&c, cmd, 1);
	ok = mongoc_client_command_simple(p->client, "admin", &c, NULL, reply, e);
	bson_destroy(&c);
	return ok;
}

static const char *mongo_find_utf8(const bson_t *b, const char *dotted)
{
	bson_iter_t it, sub;

	if (bson_iter_init(&it, b) && bson_iter_find_descendant(&it, dotted, &sub) && BSON_ITER_HOLDS_UTF8(&sub))
		return bson_iter_utf8(&sub, NULL);
	return NULL;
}

/* Sets a URI option unless the URI has it. */
static bool mongo_uri_default(mongoc_uri_t *uri, const char *opt, int32_t ms)
{
	return mongoc_uri_has_option(uri, opt) || mongoc_uri_set_option_as_int32(uri, opt, ms);
}

static bool mongo_uri_default_bool(mongoc_uri_t *uri, const char *opt, bool v)
{
	return mongoc_uri_has_option(uri, opt) || mongoc_uri_set_option_as_bool(uri, opt, v);
}

/* Names the first host of the URI for messages (never the credentials). */
static const char *mongo_uri_host(const mongoc_uri_t *uri)
{
	const mongoc_host_list_t *h = mongoc_uri_get_hosts(uri);

	if (h)
		return h->host_and_port;
	return mongoc_uri_get_srv_hostname(uri) ? mongoc_uri_get_srv_hostname(uri) : "?";
}

/*
 * The URI with the harness's credentials (auth key, environment) as its
 * userinfo, replacing any it had: they must be in the string, since
 * libmongoc refuses e.g. authMechanism=PLAIN without a user at parse time.
 * authSource and authMechanism stay the URI's. Returns a malloc'd string,
 * or NULL when out of memory.
 */
static char *mongo_uri_with_credentials(const char *uri, const char *user, const char *password)
{
	const char *scheme = strstr(uri, "://"), *rest, *at, *end;
	char *out, *o;
	size_t head;

	head = scheme ? (size_t)(scheme + 3 - uri) : 0;
	rest = uri + head;
	end = rest + strcspn(rest, "/?");
	at = memchr(rest, '@', (size_t)(end - rest));
	if (at)
		rest = at + 1;
	out = malloc(head + 3 * (strlen(user ? user : "") + strlen(password)) + strlen(rest) + 3);
	if (!out)
		return NULL;
	memcpy(out, uri, head);
	o = out + head;
	o += bench_pct_encode(user ? user : "", o);
	*o++ = ':';
	o += bench_pct_encode(password, o);
	*o++ = '@';
	strcpy(o, rest);
	return out;
}

/* libmongoc's parse errors may quote the uri's password ("Password \"p:q\"
 * must not have unescaped chars"): each copy of it in errstr becomes
 * "***". */
static void mongo_mask_password(struct bench_conn *conn, const char *uri)
{
	char out[sizeof(conn->errstr)];
	const char *from, *to, *s = conn->errstr, *hit;
	size_t n = 0, len;

	if (!uri || !bench_uri_password(uri, strlen(uri), &from, &to))
		return;
	len = (size_t)(to - from);
	while ((hit = memmem(s, strlen(s), from, len)) != NULL) {
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%.*s***", (int)(hit - s), s);
		if (n >= sizeof(out))
			break;
		s = hit + len;
	}
	if (n < sizeof(out))
		snprintf(out + n, sizeof(out) - n, "%s", s);
	memcpy(conn->errstr, out, sizeof(out));
}

int mongo_connect(struct bench_conn *conn, struct mongo_priv *p, const char *db, const char *coll)
{
	const struct bench_target *t = conn->target;
	mongoc_uri_t *uri;
	bson_error_t e;
	bson_t ping = BSON_INITIALIZER, reply;
	int32_t ms;
	bool ok;

	if (t->password) {
		char *with = mongo_uri_with_credentials(t->uri ? t->uri : "", t->user, t->password);

		if (!with)
			return bench_conn_error(conn, "mongodb: out of memory");
		uri = mongoc_uri_new_with_error(with, &e);
		memset(with, 0, strlen(with));
		free(with);
	} else {
		uri = mongoc_uri_new_with_error(t->uri ? t->uri : "", &e);
	}
	if (!uri) {
		bench_conn_error(conn, "mongodb: bad URI: %s", e.message);
		mongo_mask_password(conn, t->uri);
		return -1;
	}
	ms = t->timeout_ms == 0 ? MONGO_DEFAULT_TIMEOUT_MS : t->timeout_ms > INT32_MAX ? INT32_MAX : (int32_t)t->timeout_ms;
	/*
	 * Retries are off unless the URI turns them on: a retried request
	 * would hide a failure and report the time of two attempts (three
	 * timeouts in a row when the server hangs) as one request's latency.
	 */
	if (!mongo_uri_default(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, ms) ||
	    !mongo_uri_default(uri, MONGOC_URI_SOCKETTIMEOUTMS, ms) ||
	    !mongo_uri_default(uri, MONGOC_URI_CONNECTTIMEOUTMS, ms) ||
	    !mongo_uri_default_bool(uri, MONGOC_URI_RETRYREADS, false) ||
	    !mongo_uri_default_bool(uri, MONGOC_URI_RETRYWRITES, false) ||
	    (!mongoc_uri_get_appname(uri) && !mongoc_uri_set_appname(uri, MONGO_APPNAME))) {
		bench_conn_error(conn, "mongodb: cannot set timeouts/retries/appname on the URI");
		goto fail;
	}
	p->sock_timeout_ms = mongoc_uri_get_option_as_int32(uri, MONGOC_URI_SOCKETTIMEOUTMS, ms);

	p->client = mongoc_client_new_from_uri_with_error(uri, &e);
	if (!p->client) {
		bench_conn_error(conn, "mongodb: %s", e.message);
		goto fail;
	}
	mongoc_client_set_error_api(p->client, MONGOC_ERROR_API_VERSION_2);
	p->coll = mongoc_client_get_collection(p->client, db, coll);

	BSON_APPEND_INT32(&ping, "ping", 1);
	ok = mongoc_client_command_simple(p->client, "admin", &ping, NULL, &reply, &e);
	bson_destroy(&reply);
	bson_destroy(&ping);
	if (!ok && e.domain == MONGOC_ERROR_CLIENT && e.code == MONGOC_ERROR_CLIENT_AUTHENTICATE) {
		for (char *c = e.message; *c; c++) /* FerretDB's has a second line */
			if (*c == '\n')
				*c = ' ';
		bench_conn_error(conn, "mongodb at %s: authentication failed for user %s: %s", mongo_uri_host(uri),
				 mongoc_uri_get_username(uri) ? mongoc_uri_get_username(uri) : "(none)", e.message);
		goto fail;
	}
	if (!ok) {
		bench_conn_error(conn, "mongodb: cannot reach server %s: %s", mongo_uri_host(uri), e.message);
		goto fail;
	}
	ok = mongo_admin_cmd(p, "buildInfo", &reply, &e);
	p->ferretdb = ok && mongo_find_utf8(&reply, "ferretdbVersion") != NULL;
	snprintf(p->server, sizeof(p->server), "%s %s", p->ferretdb ? "FerretDB" : "MongoDB",
		 ok && mongo_find_utf8(&reply, p->ferretdb ? "ferretdbVersion" : "version")
			 ? mongo_find_utf8(&reply, p->ferretdb ? "ferretdbVersion" : "version") : "?");
	bson_destroy(&reply);
	if (!ok) {
		bench_conn_error(conn, "mongodb: buildInfo failed on %s: %s", mongo_uri_host(uri), e.message);
		goto fail;
	}
	mongoc_uri_destroy(uri);
	return 0;

fail:
	mongoc_uri_destroy(uri);
	return -1;
}

/*
 * FerretDB names its backend only in its startup log line "Powered by
 * FerretDB vX and SQLite 3.y.z." (filled in once a backend database has
 * been opened). Copies "SQLite 3.y.z" into buf, or returns false.
 */
static bool mongo_ferretdb_backend(struct mongo_priv *p, char *buf, size_t len)
{
	bson_t cmd = BSON_INITIALIZER, reply;
	bson_iter_t it, arr;
	bson_error_t e;
	bool found = false;

	BSON_APPEND_UTF8(&cmd, "getLog", "startupWarnings");
	if (mongoc_client_command_simple(p->client, "admin", &cmd, NULL, &reply, &e) &&
	    bson_iter_init_find(&it, &reply, "log") && BSON_ITER_HOLDS_ARRAY(&it) && bson_iter_recurse(&it, &arr)) {
		while (!found && bson_iter_next(&arr)) {
			const char *line = BSON_ITER_HOLDS_UTF8(&arr) ? bson_iter_utf8(&arr, NULL) : "";
			const char *s = strstr(line, "Powered by FerretDB ");
			const char *and = s ? strstr(s, " and ") : NULL;
			const char *end = and ? strstr(and, ".\"") : NULL;

			if (end && end > and + 5) {
				snprintf(buf, len, "%.*s", (int)(end - (and + 5)), and + 5);
				found = true;
			}
		}
	}
	bson_destroy(&reply);
	bson_destroy(&cmd);
	return found;
}

/* Who the connection is logged in as (connectionStatus): a config line
 * "authenticated_user=name@db" per user, none when anonymous. */
static void mongo_config_auth(struct mongo_priv *p, struct bench_server_info *out)
{
	bson_t reply;
	bson_iter_t it, users, u;
	bson_error_t e;

	if (mongo_admin_cmd(p, "connectionStatus", &reply, &e) && bson_iter_init(&it, &reply) &&
	    bson_iter_find_descendant(&it, "authInfo.authenticatedUsers", &users) && BSON_ITER_HOLDS_ARRAY(&users) &&
	    bson_iter_recurse(&users, &u)) {
		while (bson_iter_next(&u)) {
			bson_t doc;
			const uint8_t *data;
			uint32_t len;
			const char *name, *db;

			if (!BSON_ITER_HOLDS_DOCUMENT(&u))
				continue;
			bson_iter_document(&u, &len, &data);
			if (!bson_init_static(&doc, data, len))
				continue;
			name = mongo_find_utf8(&doc, "user");
			db = mongo_find_utf8(&doc, "db");
			if (name)
				mongo_config_add(out, "authenticated_user", "%s@%s", name, db ? db : "?");
		}
	}
	bson_destroy(&reply);
}

int mongo_server_info(struct bench_conn *conn, struct bench_server_info *out)
{
	struct mongo_priv *p = conn->priv;
	bson_t build, status, hello;
	bson_error_t e;
	const char *version, *ferret, *engine, *process, *set_name;
	bson_iter_t it, cache;
	bool have_status, have_hello;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!p || conn->err)
		return bench_conn_error(conn, "mongodb: not connected");
	if (!mongo_admin_cmd(p, "buildInfo", &build, &e)) {
		bench_conn_error(conn, "mongodb: buildInfo failed: %s", e.message);
		bson_destroy(&build);
		return -1;
	}
	/* serverStatus may be refused (it needs clusterMonitor with auth on):
	 * then the config says "unknown" rather than failing. */
	have_status = mongo_admin_cmd(p, "serverStatus", &status, &e);
	have_hello = mongo_admin_cmd(p, "hello", &hello, &e);
	if (!have_hello) { /* servers before MongoDB 4.4.2 know only isMaster */
		bson_destroy(&hello);
		have_hello = mongo_admin_cmd(p, "isMaster", &hello, &e);
	}

	version = mongo_find_utf8(&build, "version");
	ferret = mongo_find_utf8(&build, "ferretdbVersion");
	engine = have_status ? mongo_find_utf8(&status, "storageEngine.name") : NULL;
	process = have_status ? mongo_find_utf8(&status, "process") : NULL;
	set_name = have_hello ? mongo_find_utf8(&hello, "setName") : NULL;

	if (ferret) {
		/* A MongoDB-compatible server: "version" is only the MongoDB
		 * version it imitates, never its own. It stands in for MongoDB:
		 * its figures are FerretDB's (docs/architecture.md, "FerretDB"). */
		char backend[96];
		const char *id_index = mongo_find_utf8(&build, "buildEnvironment." MONGO_FERRETDB_ID_INDEX);
		const char *said = mongo_find_utf8(&build, "buildEnvironment." MONGO_FERRETDB_BACKEND);
		bool have_backend = mongo_ferretdb_backend(p, backend, sizeof(backend));

		if (!have_backend && said) {
			snprintf(backend, sizeof(backend), "%s", said);
			have_backend = true;
		}

		snprintf(out->product, sizeof(out->product), "FerretDB");
		snprintf(out->version, sizeof(out->version), "%s", ferret);
		snprintf(out->detail, sizeof(out->detail), "MongoDB-compatible %s", version ? version : "?");
		snprintf(out->stands_in_for, sizeof(out->stands_in_for), "MongoDB");
		mongo_config_add(out, "storage_engine", "%s", engine ? engine : "unknown");
		mongo_config_add(out, "backend", "%s", have_backend ? backend : "unknown");
		/* The variant: the backend by name ("SQLite 3.46.0" -> "SQLite"),
		 * and whether the server indexes the expression its _id lookups
		 * use (bench-ferretdb says so in buildInfo). */
		snprintf(out->variant, sizeof(out->variant), "%.*s%s%s", have_backend ? (int)strcspn(backend, " ") : 0,
			 backend, have_backend && id_index ? ", " : "", id_index ? "indexed _id" : "");
		if (id_index)
			mongo_config_add(out, "id_index", "%s", id_index);
		snprintf(out->ttl_note, sizeof(out->ttl_note), "%s", MONGO_TTL_NOTE_FERRETDB);
	} else {
		snprintf(out->ttl_note, sizeof(out->ttl_note), "%s", MONGO_TTL_NOTE);
		const char *topology;

		snprintf(out->product, sizeof(out->product), "MongoDB");
		snprintf(out->version, sizeof(out->version), "%s", version ? version : "unknown");
		if (have_hello && mongo_find_utf8(&hello, "msg") && strcmp(mongo_find_utf8(&hello, "msg"), "isdbgrid") == 0)
			topology = "sharded (mongos)";
		else if (set_name)
			topology = "replica set";
		else
			topology = "standalone";
		snprintf(out->detail, sizeof(out->detail), "%s%s%s", topology, set_name ? " " : "", set_name ? set_name : "");
		mongo_config_add(out, "storage_engine", "%s", engine ? engine : "unknown");
		if (have_status && bson_iter_init(&it, &status) &&
		    bson_iter_find_descendant(&it, "wiredTiger.cache.maximum bytes configured", &cache) &&
		    BSON_ITER_HOLDS_NUMBER(&cache))
			mongo_config_add(out, "wiredtiger_cache_bytes", "%lld", (long long)bson_iter_as_int64(&cache));
	}
	if (process)
		mongo_config_add(out, "process", "%s", process);
	mongo_shard_info(conn, out);
	mongo_config_auth(p, out);
	rc = 0;

	bson_destroy(&hello);
	bson_destroy(&status);
	bson_destroy(&build);
	return rc;
}

/* serverStatus extra_info.user_time_us / system_time_us (MongoDB 4.4+ on
 * Linux): the server process's own CPU time. FerretDB has neither. */
int mongo_server_stats(struct bench_conn *conn, struct bench_server_stats *out)
{
	struct mongo_priv *p = conn->priv;
	bson_t status;
	bson_error_t e;
	bson_iter_t it, user, sys;

	out->cpu_s = -1;
	snprintf(out->cpu_source, sizeof(out->cpu_source), "serverStatus");
	if (!p || conn->err)
		return bench_conn_error(conn, "mongodb: not connected");
	if (!mongo_admin_cmd(p, "serverStatus", &status, &e)) {
		bson_destroy(&status);
		return bench_conn_error(conn, "mongodb: serverStatus failed: %s", e.message);
	}
	if (bson_iter_init(&it, &status) && bson_iter_find_descendant(&it, "extra_info.user_time_us", &user) &&
	    BSON_ITER_HOLDS_NUMBER(&user) && bson_iter_init(&it, &status) &&
	    bson_iter_find_descendant(&it, "extra_info.system_time_us", &sys) && BSON_ITER_HOLDS_NUMBER(&sys))
		out->cpu_s = (double)(bson_iter_as_int64(&user) + bson_iter_as_int64(&sys)) / 1e6;
	bson_destroy(&status);
	return 0;
}

int64_t mongo_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A network failure: libmongoc files socket errors under STREAM, and a
 * failed (re)connect or handshake under CLIENT with a stream code. */
static bool mongo_is_network(const bson_error_t *e)
{
	if (e->domain == MONGOC_ERROR_STREAM)
		return true;
	if (e->domain != MONGOC_ERROR_CLIENT)
		return false;
	switch (e->code) {
	case MONGOC_ERROR_STREAM_NAME_RESOLUTION:
	case MONGOC_ERROR_STREAM_SOCKET:
	case MONGOC_ERROR_STREAM_CONNECT:
	case MONGOC_ERROR_STREAM_NOT_ESTABLISHED:
		return true;
	default:
		return false;
	}
}

/*
 * Maps a libmongoc error to a request status. A read that hit
 * socketTimeoutMS and a reset connection get the same domain, code and
 * text ("socket error or timeout"), so a network error that took at least
 * the socket timeout is a timeout and a faster one a broken connection.
 */
enum bench_status mongo_classify(const struct mongo_priv *p, const bson_error_t *e, int64_t elapsed_ms)
{
	if (e->domain == MONGOC_ERROR_SERVER_SELECTION)
		return BENCH_DISCONNECTED;
	if (mongo_is_network(e)) {
		if (strstr(e->message, "timed out") || strstr(e->message, "socket timeout"))
			return BENCH_TIMEOUT;
		if (p->sock_timeout_ms > 0 && elapsed_ms >= p->sock_timeout_ms - p->sock_timeout_ms / 10)
			return BENCH_TIMEOUT;
		return BENCH_DISCONNECTED;
	}
	if (e->domain == MONGOC_ERROR_PROTOCOL) /* a garbled reply: libmongoc drops the socket */
		return BENCH_DISCONNECTED;
	if (e->domain == MONGOC_ERROR_SERVER && e->code == MONGO_CODE_MAX_TIME_EXPIRED)
		return BENCH_TIMEOUT;
	return BENCH_ERROR;
}

int mongo_prefix_upper(struct bench_conn *conn)
{
	struct mongo_priv *p = conn->priv;
	const char *prefix = conn->target->prefix ? conn->target->prefix : "";
	size_t len = strlen(prefix);

	free(p->upper);
	p->upper = NULL;
	p->upper_len = 0;
	if (len == 0)
		return 0;
	p->upper = malloc(len + 5);
	if (!p->upper)
		return bench_conn_error(conn, "mongodb: out of memory");
	memcpy(p->upper, prefix, len);
	/*
	 * Strings compare bytewise. Incrementing an ASCII last byte gives the
	 * least string above every extension of the prefix, and stays valid
	 * UTF-8; otherwise U+10FFFF, the greatest code point, is appended:
	 * above every key made of the prefix and digits.
	 */
	if ((unsigned char)prefix[len - 1] < 0x7f) {
		p->upper[len - 1]++;
		p->upper_len = len;
	} else {
		memcpy(p->upper + len, "\xf4\x8f\xbf\xbf", 4);
		p->upper_len = len + 4;
	}
	p->upper[p->upper_len] = '\0';
	return 0;
}

/*
 * The TTL index (docs/drivers.md, "Expiry"): {expireAt: 1} with
 * expireAfterSeconds 0, so that each document expires at its own expireAt
 * date, which a write sets to its time plus its TTL. An existing index of
 * that name with other options is MongoDB's error, and the target's.
 */
static int mongo_ttl_index(struct bench_conn *conn, struct mongo_priv *p)
{
	bson_t cmd = BSON_INITIALIZER, reply, arr, idx, key;
	bson_error_t e;
	bool ok;

	BSON_APPEND_UTF8(&cmd, "createIndexes", mongoc_collection_get_name(p->coll));
	BSON_APPEND_ARRAY_BEGIN(&cmd, "indexes", &arr);
	BSON_APPEND_DOCUMENT_BEGIN(&arr, "0", &idx);
	BSON_APPEND_DOCUMENT_BEGIN(&idx, "key", &key);
	BSON_APPEND_INT32(&key, MONGO_TTL_FIELD, 1);
	bson_append_document_end(&idx, &key);
	BSON_APPEND_UTF8(&idx, "name", MONGO_TTL_INDEX);
	BSON_APPEND_INT32(&idx, "expireAfterSeconds", 0);
	bson_append_document_end(&arr, &idx);
	bson_append_array_end(&cmd, &arr);
	ok = mongoc_collection_write_command_with_opts(p->coll, &cmd, NULL, &reply, &e);
	bson_destroy(&reply);
	bson_destroy(&cmd);
	/* FerretDB 1.24 refuses the option as NotImplemented: the run goes on
	 * without expiry, which server_info's ttl_note has said. */
	if (!ok && p->ferretdb && e.code == MONGO_CODE_NOT_IMPLEMENTED)
		return 0;
	if (!ok)
		return bench_conn_error(conn, "mongodb: createIndexes %s (expireAfterSeconds 0) on %s: %s (code %u)",
					MONGO_TTL_INDEX, mongoc_collection_get_name(p->coll), e.message, e.code);
	return 0;
}

int mongo_prepare(struct bench_conn *conn)
{
	struct mongo_priv *p = conn->priv;
	const char *coll;
	bson_t cmd = BSON_INITIALIZER, reply, arr, idx, key;
	bson_error_t e;
	bool ok;

	if (!p || conn->err)
		return bench_conn_error(conn, "mongodb: not connected");
	if (mongo_shard_prepare(conn) < 0)
		return -1;
	if (conn->target->ttl_max_ms && mongo_ttl_index(conn, p) < 0)
		return -1;
	coll = mongoc_collection_get_name(p->coll);
	if (!p->query_index) {
		/* Measure queries without the index: drop it if an earlier run
		 * made it. */
		BSON_APPEND_UTF8(&cmd, "dropIndexes", coll);
		BSON_APPEND_UTF8(&cmd, "index", MONGO_CATEGORY_INDEX);
		ok = mongoc_collection_write_command_with_opts(p->coll, &cmd, NULL, &reply, &e) ||
		     e.code == MONGO_CODE_NS_NOT_FOUND ||
		     e.code == MONGO_CODE_INDEX_NOT_FOUND;
	} else if (conn->target->index_query) {
		/* Compound with _id: a query also bounds _id to the prefix (other
		 * targets' records share the collection and the categories), so
		 * MongoDB scans exactly this target's records of the category. */
		BSON_APPEND_UTF8(&cmd, "createIndexes", coll);
		BSON_APPEND_ARRAY_BEGIN(&cmd, "indexes", &arr);
		BSON_APPEND_DOCUMENT_BEGIN(&arr, "0", &idx);
		BSON_APPEND_DOCUMENT_BEGIN(&idx, "key", &key);
		BSON_APPEND_INT32(&key, "category", 1);
		BSON_APPEND_INT32(&key, "_id", 1);
		bson_append_document_end(&idx, &key);
		BSON_APPEND_UTF8(&idx, "name", MONGO_CATEGORY_INDEX);
		bson_append_document_end(&arr, &idx);
		bson_append_array_end(&cmd, &arr);
		ok = mongoc_collection_write_command_with_opts(p->coll, &cmd, NULL, &reply, &e);
	} else {
		bson_destroy(&cmd);
		return 0;
	}
	bson_destroy(&reply);
	bson_destroy(&cmd);
	if (!ok)
		return bench_conn_error(conn, "mongodb: %s %s on %s: %s", p->query_index ? "createIndexes" : "dropIndexes",
					MONGO_CATEGORY_INDEX, coll, e.message);
	return 0;
}
