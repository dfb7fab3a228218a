/*
 * memcached.c - the `memcached` driver: get/set/delete over libmemcached
 * (1.1.4) against one server or a consistent-hashing (ketama) pool, and,
 * for one server in the text protocol, an event-driven path that speaks
 * the protocol itself (memcached_text.c).
 *
 * Blocking path (exec, load): gets of a batch go out as one memcached_mget
 * (one "get k1 k2 ..." per server in the text protocol, GETKQ...NOOP in
 * binary) and come back through memcached_fetch_result into one
 * memcached_result_st owned by the connection, so the value buffer is
 * reused instead of malloc'd per get. Sets and deletes run one call at a
 * time, even at pipeline depth > 1: the library's only batching for stores
 * (MEMCACHED_BEHAVIOR_BUFFER_REQUESTS) throws the server's replies away,
 * and switching the behaviour on and off reconnects every server. See
 * docs/drivers.md for the details and what that costs.
 *
 * libmemcached has no non-blocking API, so the event hooks do not use it;
 * it stays for open's reachability check, the blocking engine, pools, the
 * binary protocol and server_info.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memcached_int.h"

#define MC_INITIAL_BATCH 64

/* An empty slot of the key table. */
#define MC_EMPTY SIZE_MAX

static const char *const mc_protocols[] = {"text", "binary", NULL};
static const char *const mc_distributions[] = {"ketama", "modula", NULL};

static const struct bench_option_spec mc_options[] = {
	{ "protocol", "text | binary: memcached wire protocol (default text; binary when the target has credentials: SASL)",
	  BENCH_OPT_ENUM, mc_protocols },
	{ "distribution", "ketama | modula: how a pool spreads keys (default ketama: libketama-compatible "
			  "consistent hashing, MD5)", BENCH_OPT_ENUM, mc_distributions },
	{ NULL, NULL, BENCH_OPT_STRING, NULL },
};

/* ---- setup ---- */

/*
 * libmemcached's allocators, the C library's with a cap: a reply line
 * "VALUE <key> <flags> <bytes>" makes the library reserve <bytes> before
 * it reads them (999999999: 1 GB per connection, for a server that then
 * sends nothing). Nothing the library allocates for a value accepted
 * (value_cap + its 1 KiB rounding) or for itself (server lists, ketama
 * points: well under 1 MiB) is larger than value_cap + MC_ALLOC_SLACK.
 */
#define MC_ALLOC_SLACK (64u << 10)

static void *mc_malloc(const memcached_st *m, size_t size, void *ctx)
{
	const struct mc_conn *mc = ctx;

	(void)m;
	return size > mc->value_cap + MC_ALLOC_SLACK ? NULL : malloc(size);
}

static void mc_free(const memcached_st *m, void *mem, void *ctx)
{
	(void)m;
	(void)ctx;
	free(mem);
}

static void *mc_realloc(const memcached_st *m, void *mem, size_t size, void *ctx)
{
	const struct mc_conn *mc = ctx;

	(void)m;
	return size > mc->value_cap + MC_ALLOC_SLACK ? NULL : realloc(mem, size);
}

static void *mc_calloc(const memcached_st *m, size_t n, size_t size, void *ctx)
{
	const struct mc_conn *mc = ctx;

	(void)m;
	return n && size > (mc->value_cap + MC_ALLOC_SLACK) / n ? NULL : calloc(n, size);
}

static int mc_reserve(struct mc_conn *mc, size_t n)
{
	size_t cap = mc->cap ? mc->cap : MC_INITIAL_BATCH;
	size_t tcap = 1;
	const char **keys;
	size_t *lens, *idx, *table;

	if (n <= mc->cap)
		return 0;
	while (cap < n)
		cap *= 2;
	while (tcap < 2 * cap)
		tcap *= 2;
	keys = realloc(mc->keys, cap * sizeof(*keys));
	if (!keys)
		return -1;
	mc->keys = keys;
	lens = realloc(mc->key_lens, cap * sizeof(*lens));
	if (!lens)
		return -1;
	mc->key_lens = lens;
	idx = realloc(mc->req_idx, cap * sizeof(*idx));
	if (!idx)
		return -1;
	mc->req_idx = idx;
	table = realloc(mc->table, tcap * sizeof(*table));
	if (!table)
		return -1;
	mc->table = table;
	mc->table_cap = tcap;
	mc->cap = cap;
	return 0;
}

/*
 * Adds every "host[:port]" of a comma-separated list; "[v6addr]:port" for
 * IPv6. uri is past any "user:password@", so messages may quote it.
 * Returns the number of servers added, or -1 with errstr set.
 */
static int mc_add_servers(struct bench_conn *conn, struct mc_conn *mc, const char *uri)
{
	memcached_st *memc = mc->memc;
	const char *p = uri;
	int n = 0;

	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *host = p, *colon = NULL;
		size_t host_len = len;
		char hostbuf[256];
		long port = MC_DEFAULT_PORT;
		memcached_return_t rc;

		if (len > 0 && p[0] == '[') {
			const char *rb = memchr(p, ']', len);

			if (!rb)
				return bench_conn_lost(conn, "memcached: bad server '%.*s' in '%s': missing ']'",
						       (int)len, p, uri);
			host = p + 1;
			host_len = (size_t)(rb - host);
			if (rb + 1 < p + len) {
				if (rb[1] != ':')
					return bench_conn_lost(conn, "memcached: bad server '%.*s' in '%s'",
							       (int)len, p, uri);
				colon = rb + 1;
			}
		} else {
			colon = memchr(p, ':', len);
			if (colon)
				host_len = (size_t)(colon - p);
		}
		if (colon) {
			char portbuf[8], *e;
			size_t plen = (size_t)(p + len - colon - 1);

			if (plen == 0 || plen >= sizeof(portbuf))
				return bench_conn_lost(conn, "memcached: bad port in '%.*s' (uri '%s')", (int)len, p, uri);
			memcpy(portbuf, colon + 1, plen);
			portbuf[plen] = '\0';
			port = strtol(portbuf, &e, 10);
			if (*e || port < 1 || port > 65535)
				return bench_conn_lost(conn, "memcached: bad port in '%.*s' (uri '%s')", (int)len, p, uri);
		}
		if (host_len == 0 || host_len >= sizeof(hostbuf))
			return bench_conn_lost(conn, "memcached: bad server '%.*s' in uri '%s' (want host:port[,host:port...])",
					       (int)len, p, uri);
		memcpy(hostbuf, host, host_len);
		hostbuf[host_len] = '\0';
		rc = memcached_server_add(memc, hostbuf, (in_port_t)port);
		if (memcached_failed(rc))
			return bench_conn_lost(conn, "memcached: cannot add server %s:%ld: %s", hostbuf, port,
					       memcached_strerror(memc, rc));
		if (n == 0) {
			memcpy(mc->host, hostbuf, host_len + 1);
			mc->port = (int)port;
		}
		n++;
		if (!end)
			break;
		p = end + 1;
	}
	if (n == 0)
		return bench_conn_lost(conn, "memcached: empty uri (want host:port[,host:port...])");
	return n;
}

/*
 * The library's most precise text for rc: its last error message (which
 * names the host) when that is about rc, or about the failure a summary
 * code (SOME_ERRORS, FAILURE) stands for. The message's "(0x...) " object
 * address and " -> file:line" source location are cut to fit errstr.
 */
static const char *mc_errtext(struct mc_conn *mc, memcached_return_t rc)
{
	memcached_return_t last = memcached_last_error(mc->memc);
	const char *msg, *end;
	size_t len;

	if (last != rc && !(last != MEMCACHED_SUCCESS && (rc == MEMCACHED_SOME_ERRORS || rc == MEMCACHED_FAILURE)))
		return memcached_strerror(mc->memc, rc);
	msg = memcached_last_error_message(mc->memc);
	if (msg[0] == '(' && (end = strstr(msg, ") ")) != NULL)
		msg = end + 2;
	end = strstr(msg, " -> ");
	len = end ? (size_t)(end - msg) : strlen(msg);
	if (len >= sizeof(mc->errbuf))
		len = sizeof(mc->errbuf) - 1;
	memcpy(mc->errbuf, msg, len);
	mc->errbuf[len] = '\0';
	/* "CONNECTION FAILURE,  host: h:p" has a doubled space. */
	for (char *d = strstr(mc->errbuf, ",  "); d; d = strstr(d, ",  "))
		memmove(d + 1, d + 2, strlen(d + 2) + 1);
	return mc->errbuf;
}

/* SASL PLAIN-or-better login data for libmemcached, which sends it on
 * every connect (so reconnects log in again). Returns 0, or -1 with
 * conn->err set. */
static int mc_sasl(struct bench_conn *conn, struct mc_conn *mc)
{
	if (!mc->password)
		return 0;
	if (!mc->user || !*mc->user)
		return bench_conn_lost(conn, "memcached: SASL needs a user name as well: give the target auth.user "
				       "(or BENCH_MEMCACHED_USER, or user:password@ in the uri)");
#if LIBMEMCACHED_WITH_SASL_SUPPORT
	if (memcached_set_sasl_auth_data(mc->memc, mc->user, mc->password) != MEMCACHED_SUCCESS)
		return bench_conn_lost(conn, "memcached: cannot set the SASL user and password");
	return 0;
#else
	(void)mc;
	return bench_conn_lost(conn, "memcached: this libmemcached was built without SASL support");
#endif
}

static int mc_open(struct bench_conn *conn)
{
	const struct bench_target *t = conn->target;
	const char *proto = bench_target_option(t, "protocol");
	const char *dist = bench_target_option(t, "distribution");
	const char *servers = t->uri ? t->uri : "";
	unsigned timeout = mc_timeout_ms(conn);
	char why[200];
	struct mc_conn *mc;
	memcached_return_t rc;
	int n;

	if (proto && strcmp(proto, "text") != 0 && strcmp(proto, "binary") != 0)
		return bench_conn_lost(conn, "memcached: option protocol must be 'text' or 'binary', not '%s'", proto);
	if (dist && strcmp(dist, "ketama") != 0 && strcmp(dist, "modula") != 0)
		return bench_conn_lost(conn, "memcached: option distribution must be 'ketama' or 'modula', not '%s'", dist);
	mc = calloc(1, sizeof(*mc));
	if (!mc)
		return bench_conn_lost(conn, "memcached: out of memory");
	conn->priv = mc;
	mc_text_init(mc);
	/* "user:password@" before the servers; the target's credentials (auth,
	 * environment) win over the uri's, as for Redis. */
	if (bench_uri_credentials(servers, mc->uri_user, sizeof(mc->uri_user), mc->uri_password,
				  sizeof(mc->uri_password), &servers, why, sizeof(why)) < 0)
		return bench_conn_lost(conn, "memcached: %s", why);
	mc->user = t->password ? t->user : mc->uri_user;
	mc->password = t->password ? t->password : *mc->uri_password ? mc->uri_password : NULL;
	mc->binary = proto && strcmp(proto, "binary") == 0;
	if (mc->password && proto && !mc->binary)
		return bench_conn_lost(conn, "memcached: SASL authentication needs the binary protocol: drop "
				       "options.protocol or set it to binary");
	/* SASL exists only in the binary protocol: credentials imply it. */
	mc->binary |= mc->password != NULL;
	mc->modula = dist && strcmp(dist, "modula") == 0;
	mc->memc = memcached_create(NULL);
	if (!mc->memc)
		return bench_conn_lost(conn, "memcached: memcached_create failed");

	/*
	 * Behaviours first: setting one drops open connections.
	 * KETAMA_WEIGHTED is libketama's consistent hashing (MD5 of the key,
	 * 160 points per server of weight 1), the placement other ketama
	 * clients compute (php-memcached's libketama_compatible, pylibmc's
	 * ketama_weighted), so a bench pool puts a key where an application
	 * sharing the pool would. Plain CONSISTENT_KETAMA would hash keys with
	 * libmemcached's one-at-a-time instead. modula (hash % servers) is
	 * libmemcached's own default, for pools that applications use so.
	 */
	if (mc->modula)
		memcached_behavior_set(mc->memc, MEMCACHED_BEHAVIOR_DISTRIBUTION, MEMCACHED_DISTRIBUTION_MODULA);
	else
		memcached_behavior_set(mc->memc, MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED, 1);
	memcached_behavior_set(mc->memc, MEMCACHED_BEHAVIOR_BINARY_PROTOCOL, (uint64_t)mc->binary);
	memcached_behavior_set(mc->memc, MEMCACHED_BEHAVIOR_TCP_NODELAY, 1);
	memcached_behavior_set(mc->memc, MEMCACHED_BEHAVIOR_CONNECT_TIMEOUT, timeout);
	memcached_behavior_set(mc->memc, MEMCACHED_BEHAVIOR_POLL_TIMEOUT, timeout);
	/* SO_SNDTIMEO/SO_RCVTIMEO take microseconds. */
	memcached_behavior_set(mc->memc, MEMCACHED_BEHAVIOR_SND_TIMEOUT, (uint64_t)timeout * 1000);
	memcached_behavior_set(mc->memc, MEMCACHED_BEHAVIOR_RCV_TIMEOUT, (uint64_t)timeout * 1000);

	n = mc_add_servers(conn, mc, servers);
	if (n < 0 || mc_sasl(conn, mc) < 0)
		return -1;
	mc->n_servers = (uint32_t)n;
	/* After the servers (a large pool's list may take more than the cap);
	 * the C library's functions are behind them, so what was allocated
	 * before (memcached_st itself) may be freed through mc_free. */
	mc->value_cap = !t->value_max ? MC_VALUE_DEFAULT : t->value_max < MC_VALUE_FLOOR ? MC_VALUE_FLOOR
		      : t->value_max > SIZE_MAX / 2 ? SIZE_MAX / 2 : (size_t)t->value_max;
	if (memcached_set_memory_allocators(mc->memc, mc_malloc, mc_free, mc_realloc, mc_calloc, mc) != MEMCACHED_SUCCESS)
		return bench_conn_lost(conn, "memcached: cannot set the allocators");
	if (!memcached_result_create(mc->memc, &mc->result))
		return bench_conn_lost(conn, "memcached: memcached_result_create failed");
	mc->result_ready = 1;
	if (mc_reserve(mc, MC_INITIAL_BATCH) != 0)
		return bench_conn_lost(conn, "memcached: out of memory");

	/* libmemcached connects lazily; "version" to every server makes a dead
	 * server fail here rather than on the first request. */
	rc = memcached_version(mc->memc);
	/* A pool answers SOME_ERRORS; the login's own code is the last error. */
	if (mc->password && (rc == MEMCACHED_AUTH_FAILURE || rc == MEMCACHED_AUTH_PROBLEM ||
			     memcached_last_error(mc->memc) == MEMCACHED_AUTH_FAILURE ||
			     memcached_last_error(mc->memc) == MEMCACHED_AUTH_PROBLEM))
		return bench_conn_lost(conn, "memcached at %s: SASL authentication failed for user %s: %s", servers,
				       mc->user, mc_errtext(mc, rc));
	if (memcached_failed(rc))
		return bench_conn_lost(conn, "memcached: cannot reach %s: %s", servers, mc_errtext(mc, rc));
	return 0;
}

static void mc_close(struct bench_conn *conn)
{
	struct mc_conn *mc = conn->priv;

	if (!mc)
		return;
	if (mc->result_ready)
		memcached_result_free(&mc->result);
	if (mc->memc)
		memcached_free(mc->memc);
	free(mc->keys);
	free(mc->key_lens);
	free(mc->req_idx);
	free(mc->table);
	mc_text_free(mc);
	explicit_bzero(mc->uri_password, sizeof(mc->uri_password)); /* not dropped as a dead store */
	free(mc);
	conn->priv = NULL;
}

/* ---- requests ---- */

/*
 * Codes after which the library has closed the socket, or cannot know what
 * the server got (a partial write, a reply it could not parse).
 */
static int mc_is_lost(memcached_return_t rc)
{
	switch (rc) {
	case MEMCACHED_CONNECTION_FAILURE:
	case MEMCACHED_CONNECTION_BIND_FAILURE:
	case MEMCACHED_HOST_LOOKUP_FAILURE:
	case MEMCACHED_WRITE_FAILURE:
	case MEMCACHED_READ_FAILURE:
	case MEMCACHED_UNKNOWN_READ_FAILURE:
	case MEMCACHED_PARTIAL_READ:
	case MEMCACHED_PROTOCOL_ERROR:
	case MEMCACHED_ERRNO:
	case MEMCACHED_SERVER_MARKED_DEAD:
	case MEMCACHED_SERVER_TEMPORARILY_DISABLED:
	case MEMCACHED_NO_SERVERS:
	case MEMCACHED_IN_PROGRESS:
	case MEMCACHED_SOME_ERRORS:
	case MEMCACHED_FAILURE:
		return 1;
	default:
		return 0;
	}
}

/*
 * Translates a failed memcached_return_t into a status, with errstr set.
 * Errors after which the library has closed (or cannot trust) the socket
 * lose the connection for good: the ABI keeps conn->err sticky, so the
 * library's own reconnect on the next call is never used.
 */
static enum bench_status mc_fail(struct bench_conn *conn, memcached_return_t rc, const char *what)
{
	struct mc_conn *mc = conn->priv;

	if (mc_is_lost(rc)) {
		bench_conn_lost(conn, "memcached %s: %s", what, mc_errtext(mc, rc));
		return BENCH_DISCONNECTED;
	}
	switch (rc) {
	case MEMCACHED_NOTFOUND:
		return BENCH_MISS;
	case MEMCACHED_TIMEOUT:
		bench_conn_error(conn, "memcached %s: %s", what, mc_errtext(mc, rc));
		/*
		 * The library keeps the socket after a timeout, with the late
		 * reply still on its way; it would be read as the answer to the
		 * next command. Drop the connections (reopened on next use).
		 */
		memcached_quit(mc->memc);
		return BENCH_TIMEOUT;
	default:
		bench_conn_error(conn, "memcached %s: %s", what, mc_errtext(mc, rc));
		return BENCH_ERROR;
	}
}

static size_t mc_hash(const char *key, size_t len)
{
	uint64_t h = 0xcbf29ce484222325u; /* FNV-1a */

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)key[i];
		h *= 0x100000001b3u;
	}
	return (size_t)h;
}

/*
 * Gives the fetched value to every pending get of the batch with its key.
 * A value for a key not asked for, or longer than value_cap (the library
 * believed a length such as -1), makes no sense: -1, the connection lost
 * (its replies can no longer be matched), as on the event path.
 */
static int mc_deliver(struct bench_conn *conn, struct bench_request *reqs, size_t mask)
{
	struct mc_conn *mc = conn->priv;
	const char *key = memcached_result_key_value(&mc->result);
	size_t klen = memcached_result_key_length(&mc->result);
	const char *val = memcached_result_value(&mc->result);
	size_t vlen = memcached_result_length(&mc->result);
	int found = 0;

	if (vlen > mc->value_cap)
		return bench_conn_lost(conn, "memcached get: a value of %zu bytes for '%.*s' (at most %zu expected)", vlen,
				       (int)(klen > 60 ? 60 : klen), key, mc->value_cap);
	for (size_t h = mc_hash(key, klen) & mask; mc->table[h] != MC_EMPTY; h = (h + 1) & mask) {
		size_t j = mc->table[h];
		struct bench_request *r = &reqs[mc->req_idx[j]];

		if (mc->key_lens[j] != klen || memcmp(mc->keys[j], key, klen) != 0)
			continue;
		found = 1;
		r->status = BENCH_OK;
		r->value_len_out = vlen;
		if (r->out && r->out_cap && vlen)
			memcpy(r->out, val, vlen < r->out_cap ? vlen : r->out_cap);
	}
	if (!found)
		return bench_conn_lost(conn, "memcached get: a value for '%.*s', a key not asked for",
				       (int)(klen > 60 ? 60 : klen), key);
	return 0;
}

/*
 * Whether the gets left without a value are misses. The library closes the
 * socket of a server whose reply it cannot parse (a line of 8 MB, a length
 * of 10^23, a value it had no room for) and reports the gets it did not
 * answer as "not found" (or "end" when some were answered): counted so,
 * garbage would pass for misses. So the socket of the server of each such
 * get must still be open (srcport not 0; one getsockname per server, and
 * none for a batch whose gets all had a value). 1, or 0 with the
 * connection lost. (What the library cannot tell, neither can this: the
 * two bytes after a value are not checked to be CRLF; the event path
 * checks them.)
 */
static int mc_misses_real(struct bench_conn *conn, const struct bench_request *reqs, size_t ng)
{
	struct mc_conn *mc = conn->priv;
	const memcached_instance_st *seen[8] = {NULL}, *in;
	size_t nseen = 0;
	memcached_return_t rc;

	for (size_t j = 0; j < ng; j++) {
		size_t k = 0;

		if (reqs[mc->req_idx[j]].status != MC_PENDING)
			continue;
		in = mc->n_servers == 1 ? memcached_server_instance_by_position(mc->memc, 0)
		   : memcached_server_by_key(mc->memc, mc->keys[j], mc->key_lens[j], &rc);
		while (k < nseen && seen[k] != in)
			k++;
		if (k < nseen)
			continue; /* looked at already (one server: after the first) */
		if (!in || memcached_server_srcport(in) == 0) {
			memcached_quit(mc->memc);
			return !bench_conn_lost(conn, "memcached get: a reply that is not VALUE <key> <flags> <bytes> ... END");
		}
		if (nseen < sizeof(seen) / sizeof(seen[0]))
			seen[nseen++] = in;
	}
	return 1;
}

/* Runs every pending get of the batch as one mget. Returns the status given
 * to the gets that got no value (MISS when all went well). */
static enum bench_status mc_gets(struct bench_conn *conn, struct bench_request *reqs, size_t n)
{
	struct mc_conn *mc = conn->priv;
	size_t ng = 0, tsize = 1, mask;
	memcached_return_t sent, rc;
	enum bench_status rest = BENCH_MISS;

	for (size_t i = 0; i < n; i++)
		if (reqs[i].op == BENCH_OP_GET && reqs[i].status == MC_PENDING) {
			mc->keys[ng] = reqs[i].key;
			mc->key_lens[ng] = reqs[i].key_len;
			mc->req_idx[ng] = i;
			ng++;
		}
	if (ng == 0)
		return BENCH_MISS;
	while (tsize < 2 * ng)
		tsize *= 2;
	mask = tsize - 1;
	for (size_t h = 0; h < tsize; h++)
		mc->table[h] = MC_EMPTY;
	for (size_t j = 0; j < ng; j++) {
		size_t h = mc_hash(mc->keys[j], mc->key_lens[j]) & mask;

		while (mc->table[h] != MC_EMPTY)
			h = (h + 1) & mask;
		mc->table[h] = j;
	}

	sent = memcached_mget(mc->memc, mc->keys, mc->key_lens, ng);
	if (memcached_failed(sent) && sent != MEMCACHED_SOME_ERRORS) {
		if (memcached_last_error(mc->memc) != MEMCACHED_SUCCESS)
			sent = memcached_last_error(mc->memc);
		rest = mc_fail(conn, sent, "mget");
		goto finish;
	}
	while (memcached_fetch_result(mc->memc, &mc->result, &rc))
		if (mc_deliver(conn, reqs, mask) < 0) {
			memcached_quit(mc->memc); /* the rest of the reply is not to be read */
			rest = BENCH_DISCONNECTED;
			goto finish;
		}
	if (rc != MEMCACHED_END && rc != MEMCACHED_NOTFOUND && rc != MEMCACHED_SUCCESS) {
		rest = mc_fail(conn, rc, "get");
	} else if (sent == MEMCACHED_SOME_ERRORS) {
		/* Some servers never got their keys: the others answered, but
		 * the unanswered gets cannot be called misses. */
		rest = mc_fail(conn, sent, "mget");
	} else if (!mc_misses_real(conn, reqs, ng)) {
		rest = BENCH_DISCONNECTED;
	}
finish:
	for (size_t j = 0; j < ng; j++) {
		struct bench_request *r = &reqs[mc->req_idx[j]];

		if (r->status == MC_PENDING)
			r->status = rest;
	}
	return rest;
}

/*
 * incr of the record's counter, key <prefix>~n:<digits> (never a record
 * key, as for Redis): memcached's incr, and when the counter is absent an
 * add of "1" — the counter starting at 0, as Redis's INCR does. Losing the
 * add to another client means the counter now exists: incr once more.
 */
static enum bench_status mc_incr(struct bench_conn *conn, struct bench_request *r)
{
	struct mc_conn *mc = conn->priv;
	char key[MC_COUNTER_KEY_CAP];
	size_t klen = mc_counter_key(conn, r, key, sizeof(key));
	uint64_t value;
	memcached_return_t rc;

	if (!klen)
		return BENCH_ERROR;
	rc = memcached_increment(mc->memc, key, klen, 1, &value);
	if (rc == MEMCACHED_NOTFOUND) {
		rc = memcached_add(mc->memc, key, klen, "1", 1, 0, 0);
		if (rc == MEMCACHED_NOTSTORED || rc == MEMCACHED_DATA_EXISTS)
			rc = memcached_increment(mc->memc, key, klen, 1, &value);
	}
	return rc == MEMCACHED_SUCCESS ? BENCH_OK : mc_fail(conn, rc, "incr");
}

static int mc_run(struct bench_conn *conn, struct bench_request *reqs, size_t n, int with_gets)
{
	struct mc_conn *mc = conn->priv;
	int has_get = 0;

	for (size_t i = 0; i < n; i++) {
		reqs[i].status = MC_PENDING;
		reqs[i].value_len_out = 0;
	}
	if (conn->err || !mc)
		goto lost;
	for (size_t i = 0; i < n; i++) {
		struct bench_request *r = &reqs[i];

		if (!(mc_op_kv(r->op) || r->op == BENCH_OP_INCR) || (!with_gets && r->op != BENCH_OP_SET)) {
			r->status = BENCH_UNSUPPORTED;
		} else if (!mc_key_ok(mc, r->key, r->key_len)) {
			mc_key_refused(conn, r);
		} else if (r->op == BENCH_OP_GET) {
			has_get = 1;
		}
	}
	if (has_get) {
		if (mc_reserve(mc, n) != 0) {
			bench_conn_lost(conn, "memcached: out of memory");
			goto lost;
		}
		if (mc_gets(conn, reqs, n) == BENCH_TIMEOUT)
			goto timeout;
		if (conn->err)
			goto lost;
	}
	for (size_t i = 0; i < n; i++) {
		struct bench_request *r = &reqs[i];
		memcached_return_t rc;

		if (r->status != MC_PENDING)
			continue;
		if (r->op == BENCH_OP_SET) {
			rc = memcached_set(mc->memc, r->key, r->key_len, r->value, r->value_len,
					   (time_t)mc_exptime(r->ttl_ms), 0);
			r->status = rc == MEMCACHED_SUCCESS ? BENCH_OK : mc_fail(conn, rc, "set");
		} else if (r->op == BENCH_OP_INCR) {
			r->status = mc_incr(conn, r);
		} else {
			rc = memcached_delete(mc->memc, r->key, r->key_len, 0);
			r->status = rc == MEMCACHED_SUCCESS ? BENCH_OK : mc_fail(conn, rc, "delete");
		}
		if (conn->err)
			goto lost;
		if (r->status == BENCH_TIMEOUT)
			goto timeout;
	}
	return 0;
timeout:
	/*
	 * One unresponsive server would otherwise cost timeout_ms per set or
	 * delete still to run; a pipelining client would have lost them all
	 * to the same stall, so they share the timeout without being sent.
	 */
	for (size_t i = 0; i < n; i++)
		if (reqs[i].status == MC_PENDING)
			reqs[i].status = BENCH_TIMEOUT;
	return 0;
lost:
	for (size_t i = 0; i < n; i++)
		if (reqs[i].status == MC_PENDING)
			reqs[i].status = BENCH_DISCONNECTED;
	return -1;
}

/* --trace on the blocking path: libmemcached hides the wire, so each
 * request is traced once it ran, with its outcome (memcached_trace.c). */
static int mc_traced(struct bench_conn *conn, struct bench_request *reqs, size_t n, int rc)
{
	if (conn->trace)
		mc_trace_requests(conn->trace, conn->priv, conn->target->prefix ? conn->target->prefix : "", reqs, n);
	return rc;
}

static int mc_exec(struct bench_conn *conn, struct bench_request *reqs, size_t n)
{
	return mc_traced(conn, reqs, n, mc_run(conn, reqs, n, 1));
}

/* The same sets as exec: one memcached_set each, for per-record replies. */
static int mc_load(struct bench_conn *conn, struct bench_request *reqs, size_t n)
{
	return mc_traced(conn, reqs, n, mc_run(conn, reqs, n, 0));
}

/*
 * describe (driver.h): get, set and delete through the event path's
 * formatter (the text protocol, which libmemcached speaks too unless the
 * target is binary); incr as mc_incr sends it.
 */
static int mc_describe(const struct bench_target *t, const struct bench_request *sample, char *buf, size_t len)
{
	const char *proto = bench_target_option(t, "protocol");
	const char *prefix = t->prefix ? t->prefix : "";
	size_t plen = strlen(prefix);
	struct bench_request q = *sample;
	int n;

	if (q.op == BENCH_OP_INCR) {
		int kl = q.key_len >= plen ? (int)(q.key_len - plen) : 0;

		snprintf(buf, len, "incr %s~n:%.*s 1\n(then, when NOT_FOUND) add %s~n:%.*s 0 0 1 1\n", prefix, kl,
			 q.key + plen, prefix, kl, q.key + plen);
		return 2;
	}
	if (!mc_op_kv(q.op)) {
		snprintf(buf, len, "memcached has no %s: the driver answers it unsupported", bench_op_name(q.op));
		return -1;
	}
	n = mc_text_describe(t, &q, buf, len);
	if (n > 0 && ((proto && strcmp(proto, "binary") == 0) || t->password)) {
		size_t at = strlen(buf);

		snprintf(buf + at, len - at, "(the binary protocol: libmemcached sends the request above as a binary "
			 "packet)\n");
	}
	return n;
}

/* ---- server identity ---- */

/* What server_info keeps of each server of the pool. */
struct mc_stat_srv {
	char version[48];
	char threads[16];
	char maxbytes[24];
};

struct mc_stat_ctx {
	memcached_st *memc;
	uint32_t n;
	struct mc_stat_srv *srv;        /* n entries, in the URI's order */
	char line[5][96];               /* the first server's "key=value\n", in output order */
};

static const char *const mc_stat_keys[] = {
	"threads", "limit_maxbytes", "maxconns", "item_size_max", "evictions",
};

static int mc_stat_is(const char *key, size_t klen, const char *name)
{
	return strlen(name) == klen && memcmp(key, name, klen) == 0;
}

static memcached_return_t mc_stat_cb(const memcached_instance_st *server, const char *key, size_t klen,
				     const char *value, size_t vlen, void *ctx)
{
	struct mc_stat_ctx *c = ctx;
	uint32_t i = 0;
	struct mc_stat_srv *s;

	while (i < c->n && memcached_server_instance_by_position(c->memc, i) != server)
		i++;
	if (i == c->n)
		return MEMCACHED_SUCCESS;
	s = &c->srv[i];
	if (mc_stat_is(key, klen, "version"))
		snprintf(s->version, sizeof(s->version), "%.*s", (int)vlen, value);
	else if (mc_stat_is(key, klen, "threads"))
		snprintf(s->threads, sizeof(s->threads), "%.*s", (int)vlen, value);
	else if (mc_stat_is(key, klen, "limit_maxbytes"))
		snprintf(s->maxbytes, sizeof(s->maxbytes), "%.*s", (int)vlen, value);
	if (i != 0)
		return MEMCACHED_SUCCESS;
	for (size_t k = 0; k < sizeof(mc_stat_keys) / sizeof(mc_stat_keys[0]); k++)
		if (mc_stat_is(key, klen, mc_stat_keys[k]))
			snprintf(c->line[k], sizeof(c->line[k]), "%s=%.*s\n", mc_stat_keys[k], (int)vlen, value);
	return MEMCACHED_SUCCESS;
}

/* Appends "key=value\n" to out->config when it fits whole. */
static void mc_config_add(struct bench_server_info *out, const char *line)
{
	size_t off = strlen(out->config), len = strlen(line);

	if (len && off + len < sizeof(out->config))
		memcpy(out->config + off, line, len + 1);
}

/*
 * The identity of every server of the pool: product and version (one
 * version when all agree, else "mixed"), detail, the first server's
 * settings as key=value lines, and for a pool one line per server
 * (server<i>=host:port version=... threads=... limit_maxbytes=...).
 */
static int mc_server_info(struct bench_conn *conn, struct bench_server_info *out)
{
	struct mc_conn *mc = conn->priv;
	struct mc_stat_ctx ctx;
	memcached_return_t rc;
	int same = 1, ret = -1;

	memset(out, 0, sizeof(*out));
	if (conn->err || !mc)
		return bench_conn_error(conn, "memcached: server_info on a lost connection");
	memset(&ctx, 0, sizeof(ctx));
	ctx.memc = mc->memc;
	ctx.n = memcached_server_count(mc->memc);
	ctx.srv = calloc(ctx.n ? ctx.n : 1, sizeof(*ctx.srv));
	if (!ctx.srv)
		return bench_conn_error(conn, "memcached: out of memory");
	/* General stats: version, threads, limit_maxbytes. */
	rc = memcached_stat_execute(mc->memc, NULL, mc_stat_cb, &ctx);
	if (memcached_failed(rc)) {
		mc_fail(conn, rc, "stats");
		goto out;
	}
	for (uint32_t i = 0; i < ctx.n; i++) {
		const memcached_instance_st *in = memcached_server_instance_by_position(mc->memc, i);

		if (!ctx.srv[i].version[0]) {
			bench_conn_error(conn, "memcached stats: no version from %s:%u", memcached_server_name(in),
					 (unsigned)memcached_server_port(in));
			goto out;
		}
		same &= strcmp(ctx.srv[i].version, ctx.srv[0].version) == 0;
	}
	/* "stats settings": maxconns, item_size_max, evictions. Optional: a
	 * proxy or an old server may not know it. */
	rc = memcached_stat_execute(mc->memc, "settings", mc_stat_cb, &ctx);
	if (memcached_failed(rc) && mc_is_lost(rc)) {
		mc_fail(conn, rc, "stats settings");
		goto out;
	}

	snprintf(out->product, sizeof(out->product), "memcached");
	snprintf(out->version, sizeof(out->version), "%s", same ? ctx.srv[0].version : "mixed");
	snprintf(out->detail, sizeof(out->detail), "servers=%u protocol=%s distribution=%s", (unsigned)ctx.n,
		 mc->binary ? "binary" : "text", mc->modula ? "modula" : "ketama");
	for (size_t k = 0; k < sizeof(mc_stat_keys) / sizeof(mc_stat_keys[0]); k++)
		mc_config_add(out, ctx.line[k]);
	for (uint32_t i = 0; ctx.n > 1 && i < ctx.n; i++) {
		const memcached_instance_st *in = memcached_server_instance_by_position(mc->memc, i);
		char line[200];

		snprintf(line, sizeof(line), "server%u=%s:%u version=%s threads=%s limit_maxbytes=%s\n", (unsigned)i + 1,
			 memcached_server_name(in), (unsigned)memcached_server_port(in), ctx.srv[i].version,
			 ctx.srv[i].threads[0] ? ctx.srv[i].threads : "?", ctx.srv[i].maxbytes[0] ? ctx.srv[i].maxbytes : "?");
		mc_config_add(out, line);
	}
	ret = 0;
out:
	free(ctx.srv);
	return ret;
}

/* stats rusage_user + rusage_system ("seconds.micros"), summed over the
 * servers of a pool: the server processes' own CPU time. */
static memcached_return_t mc_cpu_cb(const memcached_instance_st *server, const char *key, size_t klen,
				    const char *value, size_t vlen, void *ctx)
{
	double *sum = ctx;
	char buf[64];

	(void)server;
	if ((klen == 11 && memcmp(key, "rusage_user", 11) == 0) || (klen == 13 && memcmp(key, "rusage_system", 13) == 0)) {
		snprintf(buf, sizeof(buf), "%.*s", (int)vlen, value);
		*sum += strtod(buf, NULL);
	}
	return MEMCACHED_SUCCESS;
}

static int mc_server_stats(struct bench_conn *conn, struct bench_server_stats *out)
{
	struct mc_conn *mc = conn->priv;
	double sum = 0;
	memcached_return_t rc;

	out->cpu_s = -1;
	snprintf(out->cpu_source, sizeof(out->cpu_source), "stats rusage");
	if (conn->err || !mc)
		return bench_conn_error(conn, "memcached: server_stats on a lost connection");
	rc = memcached_stat_execute(mc->memc, NULL, mc_cpu_cb, &sum);
	if (memcached_failed(rc)) {
		mc_fail(conn, rc, "stats");
		return -1;
	}
	out->cpu_s = sum;
	return 0;
}

/* The private server bench spawns. -I 2m: items up to 2 MiB, so 1 MiB
 * values fit with their overhead. -m is in MiB (server.memory rounded up),
 * and -I at most half of it (memcached refuses more: items up to 512 KiB
 * under a 1 MiB limit); its one eviction choice is -M: refuse writes when full instead of
 * evicting from its (segmented) LRU. */
static const struct bench_server_recipe mc_servers[] = {
	{"memcached", "127.0.0.1:%d", "apt-get install memcached",
	 {"memcached", "-l", "127.0.0.1", "-p", "{port}", "-U", "0", "-m", "1024", "-I", "2m", "{user}", NULL}, {NULL},
	 {"-m", "{memory_mib}", "-I", "{item_max}", NULL},
	 {{"lru", {NULL}}, {"noeviction", {"-M", NULL}}, {NULL, {NULL}}}},
	{NULL, NULL, NULL, {NULL}, {NULL}, {NULL}, {{NULL, {NULL}}}},
};

const struct bench_driver bench_driver_memcached = {
	.name = "memcached",
	.abi_version = BENCH_DRIVER_ABI,
	.caps = BENCH_CAP_NETWORK | BENCH_CAP_KV | BENCH_CAP_INCR,
	.description = "memcached: text protocol over epoll for one server; libmemcached for pools, binary, blocking",
	.options = mc_options,
	.address_env = "BENCH_MEMCACHED_SERVERS",
	.address_default = "127.0.0.1:11211",
	.servers = mc_servers,
	.open = mc_open,
	.close = mc_close,
	.exec = mc_exec,
	.load = mc_load,
	.prepare = NULL,
	.server_info = mc_server_info,
	.server_stats = mc_server_stats,
	.event_fd = mc_text_event_fd,
	.submit = mc_text_submit,
	.flush = mc_text_flush,
	.on_readable = mc_text_on_readable,
	.expire = mc_text_expire,
	.ns_count = mc_ns_count,
	.ns_clean = mc_ns_clean,
	.ns_flush = mc_ns_flush,
	.describe = mc_describe,
};
