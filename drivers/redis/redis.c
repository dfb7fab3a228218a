/*
 * redis.c - the `redis` driver: the target's URI, open/close over one
 * blocking hiredis connection, and the driver's table. Each hook goes to
 * the part of the driver that does the work, and none of them calls back
 * up here:
 *
 *   redis.c -> redis_cluster.c  a Redis Cluster connection's batches
 *           -> redis_ops.c      a batch on one server (the general path)
 *           -> redis_info.c     setup commands, identity, counters
 *           -> redis_ns.c       the data safety hooks
 *           -> redis_node.c     the plain path, the reply reader and the
 *                               event engine, at the bottom
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <hiredis.h>

#include "driver.h"
#include "redis_cluster.h"
#include "redis_int.h"

#define REDIS_DEFAULT_PORT 6379

/* The parsed target URI: redis://[[user]:password@]host[:port][/db]. */
struct redis_uri {
	char host[256];
	int port;
	char user[128];         /* "" = no user (AUTH password) */
	char password[256];
	int has_password;
	long db;
	int tls;                /* rediss:// */
};

/* ---- URI ---- */

static int redis_copy(char *dst, size_t cap, const char *src, size_t len)
{
	if (len >= cap)
		return -1;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return 0;
}

/* Parses uri into u; returns 0, or -1 with a message in err. */
static int redis_uri_parse(const char *uri, struct redis_uri *u, char *err, size_t errlen)
{
	const char *p = uri, *host, *host_end, *port = NULL, *path;
	char *end, why[200];
	long v;
	int rc;

	memset(u, 0, sizeof(*u));
	u->port = REDIS_DEFAULT_PORT;
	if (!uri || !*uri) {
		snprintf(err, errlen, "redis: empty uri (want redis://[:password@]host:port[/db])");
		return -1;
	}
	if (strncmp(p, "redis://", 8) == 0) {
		p += 8;
	} else if (strncmp(p, "rediss://", 9) == 0) {
		p += 9;
		u->tls = 1;
	} else if (strstr(p, "://")) {
		snprintf(err, errlen, "redis: unsupported uri scheme (want redis:// or rediss://)");
		return -1;
	}

	/* The last '@' ends the credentials, so a password may hold '@' or '/';
	 * both parts are percent-decoded (driver.h). Messages from here on
	 * quote the address past them, never the whole uri. */
	rc = bench_uri_credentials(p, u->user, sizeof(u->user), u->password, sizeof(u->password), &p, why, sizeof(why));
	if (rc < 0) {
		snprintf(err, errlen, "redis: %.120s", why);
		return -1;
	}
	u->has_password = rc;
	uri = p; /* quoted below */

	path = strchr(p, '/');
	if (!path)
		path = p + strlen(p);
	if (*p == '[') { /* [ipv6]:port */
		host = p + 1;
		host_end = memchr(host, ']', (size_t)(path - host));
		if (!host_end) {
			snprintf(err, errlen, "redis: unterminated '[' in uri '%s'", uri);
			return -1;
		}
		if (host_end + 1 < path) {
			if (host_end[1] != ':')
				goto bad_host;
			port = host_end + 2;
		}
	} else {
		host = p;
		host_end = memchr(p, ':', (size_t)(path - p));
		if (host_end)
			port = host_end + 1;
		else
			host_end = path;
	}
	if (host_end == host || redis_copy(u->host, sizeof(u->host), host, (size_t)(host_end - host)))
		goto bad_host;
	if (port) {
		errno = 0;
		v = strtol(port, &end, 10);
		if (end == port || end != path || errno || v < 1 || v > 65535) {
			snprintf(err, errlen, "redis: bad port in uri '%s'", uri);
			return -1;
		}
		u->port = (int)v;
	}
	if (*path == '/' && path[1]) {
		errno = 0;
		v = strtol(path + 1, &end, 10);
		if (end == path + 1 || *end || errno || v < 0 || v > INT_MAX) {
			snprintf(err, errlen, "redis: bad database number in uri '%s' (want /<db>)", uri);
			return -1;
		}
		u->db = v;
	}
	return 0;

bad_host:
	snprintf(err, errlen, "redis: bad host in uri '%s' (want redis://[:password@]host:port[/db])", uri);
	return -1;
}

/* ---- hooks ---- */

/* Runs a setup command with normal reply objects; 0 or -1 with errstr. */
static int redis_setup_command(struct bench_conn *conn, int argc, const char **argv, const char *what)
{
	struct redis_conn *rc = conn->priv;
	redisReply *reply = redis_command_argv(rc->ctx, rc->reply_cap, argc, argv, NULL);
	int ret = 0;

	if (!reply)
		return bench_conn_lost(conn, "redis: %s: %s", what, redis_ctx_errtext(conn, rc->ctx));
	if (reply->type == REDIS_REPLY_ERROR)
		ret = bench_conn_lost(conn, "redis: %s failed: %s", what, reply->str);
	freeReplyObject(reply);
	return ret;
}

/* What the target's records need: hashes, indexes. Returns 0, or -1 with
 * conn->err set (a bad option). */
static int redis_target_config(struct bench_conn *conn, struct redis_conn *rc)
{
	const struct bench_target *t = conn->target;
	const char *fields_as = bench_target_option(t, "fields_as");

	if (fields_as && strcmp(fields_as, "hash") != 0 && strcmp(fields_as, "string") != 0)
		return bench_conn_lost(conn, "redis: option fields_as must be 'hash' or 'string', not '%s'", fields_as);
	rc->prefix = t->prefix ? t->prefix : "";
	rc->prefix_len = strlen(rc->prefix);
	rc->hash_records = t->fields > 0 && !(fields_as && strcmp(fields_as, "string") == 0);
	rc->idx_range = t->index_range != 0;
	rc->idx_query = t->index_query && t->categories > 0;
	rc->categories = t->categories;
	rc->reply_cap = redis_reply_cap(t);
	rc->reply.rc = rc;
	return 0;
}

static int redis_open(struct bench_conn *conn)
{
	const struct bench_target *t = conn->target;
	unsigned ms = t->timeout_ms ? t->timeout_ms : REDIS_DEFAULT_TIMEOUT_MS;
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };
	struct redis_uri u;
	struct redis_conn *rc;
	char dbstr[24], where[300];

	if (redis_uri_parse(t->uri, &u, conn->errstr, sizeof(conn->errstr))) {
		conn->err = 1;
		return -1;
	}
	rc = calloc(1, sizeof(*rc));
	if (!rc)
		return bench_conn_lost(conn, "redis: out of memory");
	conn->priv = rc;
	if (redis_target_config(conn, rc) < 0)
		return -1;

	rc->ctx = redisConnectWithTimeout(u.host, u.port, tv);
	if (!rc->ctx)
		return bench_conn_lost(conn, "redis: out of memory");
	if (rc->ctx->err)
		return bench_conn_lost(conn, "redis %s:%d: %s", u.host, u.port, redis_ctx_errtext(conn, rc->ctx));
	/* Setup replies are hiredis objects: bounded as a whole (REDIS_SETUP_*). */
	rc->ctx->reader->fn = redis_setup_fns(rc->ctx->reader->fn);
	if (redisSetTimeout(rc->ctx, tv) != REDIS_OK)
		return bench_conn_lost(conn, "redis: cannot set the socket timeout: %s", rc->ctx->errstr);
	/* After the timeout: a TLS handshake with a server that never answers
	 * it must not block for ever. */
	snprintf(where, sizeof(where), "%s:%d", u.host, u.port);
	if (redis_tls_check_options(conn, u.tls) < 0 || (u.tls && redis_tls_start(conn, rc, where) < 0))
		return -1;

	/* The harness's credentials (auth key, environment) win over a uri's. */
	if (t->password ? redis_auth(conn, rc->ctx, where, t->user, t->password)
			: redis_auth(conn, rc->ctx, where, u.user, u.has_password ? u.password : NULL))
		return -1;
	if (u.db) {
		const char *argv[2] = { "SELECT", dbstr };

		snprintf(dbstr, sizeof(dbstr), "%ld", u.db);
		if (redis_setup_command(conn, 2, argv, "SELECT"))
			return -1;
	}

	if (redis_cluster_open(conn) < 0)
		return -1;
	/* From here on the hot path parses into the slot. */
	rc->default_fn = rc->ctx->reader->fn;
	rc->ctx->reader->fn = &redis_slot_fns;
	rc->ctx->reader->privdata = &rc->reply;
	/* --trace: what the phase sends from here on, not the setup above. */
	rc->trace = conn->trace;
	return 0;
}

/* describe (driver.h): a redis_conn set up as open() would for the
 * target, without connecting. */
static int redis_describe(const struct bench_target *t, const struct bench_request *sample, char *buf, size_t len)
{
	struct bench_conn conn = {.target = t};
	struct redis_conn rc = {0};
	struct bench_request q = *sample;
	int n = -1;

	conn.priv = &rc;
	buf[0] = '\0';
	if (redis_target_config(&conn, &rc) == 0)
		n = redis_ops_describe(&conn, &q, buf, len);
	if (n < 0 && !buf[0])
		snprintf(buf, len, "%s", conn.errstr);
	free(rc.wbuf);
	free(rc.rs);
	free(rc.pend[0]);
	free(rc.pend[1]);
	return n;
}

static void redis_close(struct bench_conn *conn)
{
	struct redis_conn *rc = conn->priv;

	if (!rc)
		return;
	redis_cluster_free(rc->cluster);
	if (rc->ctx)
		redisFree(rc->ctx);
	redis_tls_free(rc);
	free(rc->wbuf);
	free(rc->rs);
	free(rc->pend[0]);
	free(rc->pend[1]);
	free(rc->sorted);
	free(rc);
	conn->priv = NULL;
}


static int redis_exec(struct bench_conn *conn, struct bench_request *reqs, size_t n)
{
	struct redis_conn *rc = conn->priv;

	if (rc && rc->cluster && !conn->err)
		return redis_cluster_exec(conn, reqs, n, 0);
	return redis_ops_exec(conn, reqs, n);
}

static int redis_load(struct bench_conn *conn, struct bench_request *reqs, size_t n)
{
	struct redis_conn *rc = conn->priv;

	if (rc && rc->cluster && !conn->err)
		return redis_cluster_exec(conn, reqs, n, 1);
	return redis_ops_load(conn, reqs, n);
}

/* The event hooks: a cluster connection's batches go to redis_cluster.c,
 * one server's to redis_ops.c (which hands plain batches to
 * redis_node.c). */
static int redis_event_fd(struct bench_conn *conn)
{
	struct redis_conn *rc = conn->priv;

	if (rc && rc->cluster && !conn->err)
		return redis_cluster_event_fd(conn);
	return redis_node_event_fd(conn);
}

static int redis_submit(struct bench_conn *conn, struct bench_request *reqs, size_t n)
{
	struct redis_conn *rc = conn->priv;

	if (rc && rc->cluster && !conn->err)
		return redis_cluster_submit(conn, reqs, n);
	return redis_ops_submit(conn, reqs, n);
}

/* A cluster's output waits inside its epoll set: submit says all was
 * written, so flush is only ever called on one server. */
static int redis_flush(struct bench_conn *conn)
{
	struct redis_conn *rc = conn->priv;

	return rc && rc->cluster ? 1 : redis_ops_flush(conn);
}

static int redis_on_readable(struct bench_conn *conn)
{
	struct redis_conn *rc = conn->priv;

	if (rc && rc->cluster)
		return redis_cluster_on_readable(conn);
	return redis_ops_on_readable(conn);
}

static void redis_expire(struct bench_conn *conn)
{
	struct redis_conn *rc = conn->priv;

	if (rc && rc->cluster)
		redis_cluster_expire(conn);
	else
		redis_ops_expire(conn);
}

/* A cluster's CPU is its masters' (redis_cluster.c). */
static int redis_stats(struct bench_conn *conn, struct bench_server_stats *out)
{
	struct redis_conn *rc = conn->priv;

	if (rc && rc->cluster && !conn->err)
		return redis_cluster_server_stats(conn, out);
	return redis_server_stats(conn, out);
}

static const char *const redis_fields_as[] = {"hash", "string", NULL};
static const char *const redis_cluster_modes[] = {"auto", "on", "off", NULL};

static const struct bench_option_spec redis_options[] = {
	{ "fields_as", "hash | string: a record of values.fields fields as a hash field0..fieldN-1 "
		       "(HSET/HMGET) or one concatenated value (SET/GET) (default hash)", BENCH_OPT_ENUM, redis_fields_as },
	{ "cluster", "auto | on | off: Redis Cluster mode when the server says cluster_enabled:1 (auto), "
		     "required (on) or never (off) (default auto)", BENCH_OPT_ENUM, redis_cluster_modes },
	{ "tls_ca_file", "rediss:// only: CA certificate (PEM) the server's certificate must chain to",
	  BENCH_OPT_STRING, NULL },
	{ "tls_cert_file", "rediss:// only: client certificate (PEM), for servers that require one",
	  BENCH_OPT_STRING, NULL },
	{ "tls_key_file", "rediss:// only: the client certificate's private key (PEM, unencrypted)",
	  BENCH_OPT_STRING, NULL },
	{ "tls_server_name", "rediss:// only: server name sent as SNI (not verified against the certificate)",
	  BENCH_OPT_STRING, NULL },
	{ NULL, NULL, BENCH_OPT_STRING, NULL },
};

/* The private server bench spawns: no persistence, no log file. */
static const struct bench_server_recipe redis_servers[] = {
	{"redis-server", "redis://127.0.0.1:%d", "apt-get install redis-server",
	 {"redis-server", "--port", "{port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
	  "--dir", "{dir}", "--daemonize", "no", "--logfile", "", NULL},
	 {"--replicaof", "127.0.0.1", "{primary_port}", NULL},
	 {"--maxmemory", "{memory_bytes}", NULL},
	 {{"lru", {"--maxmemory-policy", "allkeys-lru", NULL}},
	  {"noeviction", {"--maxmemory-policy", "noeviction", NULL}},
	  {"allkeys-lru", {"--maxmemory-policy", "allkeys-lru", NULL}},
	  {"allkeys-lfu", {"--maxmemory-policy", "allkeys-lfu", NULL}},
	  {"allkeys-random", {"--maxmemory-policy", "allkeys-random", NULL}},
	  {"volatile-lru", {"--maxmemory-policy", "volatile-lru", NULL}},
	  {"volatile-lfu", {"--maxmemory-policy", "volatile-lfu", NULL}},
	  {"volatile-random", {"--maxmemory-policy", "volatile-random", NULL}},
	  {"volatile-ttl", {"--maxmemory-policy", "volatile-ttl", NULL}},
	  {NULL, {NULL}}}},
	{NULL, NULL, NULL, {NULL}, {NULL}, {NULL}, {{NULL, {NULL}}}},
};

/* bench_conn.counters, in enum redis_counter's order. */
static const char *const redis_counters[REDIS_COUNTER__COUNT + 1] = {
	[REDIS_COUNTER_MOVED] = "redirects_moved",
	[REDIS_COUNTER_ASK] = "redirects_ask",
	[REDIS_COUNTER__COUNT] = NULL,
};

const struct bench_driver bench_driver_redis = {
	.name = "redis",
	.abi_version = BENCH_DRIVER_ABI,
	.caps = BENCH_CAP_NETWORK | BENCH_CAP_KV | BENCH_CAP_RANGE | BENCH_CAP_QUERY | BENCH_CAP_FUZZY |
		BENCH_CAP_STRUCTURES | BENCH_CAP_INCR | BENCH_CAP_CLUSTER,
	.description = "Redis and compatible servers via hiredis (pipelined batches; range/query indexes, SCAN, "
		       "hash/list/set/zset; Redis Cluster); " REDIS_TLS_BUILT,
	.options = redis_options,
	.address_env = "BENCH_REDIS_URI",
	.address_default = "redis://127.0.0.1:6379",
	.servers = redis_servers,
	.open = redis_open,
	.close = redis_close,
	.exec = redis_exec,
	.load = redis_load,
	.prepare = redis_prepare,
	.server_info = redis_server_info,
	.server_stats = redis_stats,
	.event_fd = redis_event_fd,
	.submit = redis_submit,
	.flush = redis_flush,
	.on_readable = redis_on_readable,
	.expire = redis_expire,
	.ns_count = redis_ns_count,
	.ns_clean = redis_ns_clean,
	.ns_flush = redis_ns_flush,
	.counters = redis_counters,
	.describe = redis_describe,
};
