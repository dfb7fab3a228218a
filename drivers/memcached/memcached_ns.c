/*
 * memcached_ns.c - data safety hooks of the memcached driver.
 *
 * memcached has no SCAN. Its LRU crawler (1.4.31+, on by default since
 * 1.5) lists every live item: `lru_crawler metadump hash` (or `all`)
 * answers one line "key=<URI-encoded key> exp=... la=... cas=... fetch=...
 * cls=... size=..." per item, then "END". ns_count and ns_clean send it to every server of
 * the uri over a text-protocol socket of their own (libmemcached cannot
 * send it), keep the keys under the prefix, and ns_clean deletes exactly
 * those, on the server that listed them (the prefix is compared here, on
 * keys decoded here: the server is not trusted to filter). Every dump is
 * bounded: in lines (NS_DUMP_SLACK + 2 x the server's curr_items), in
 * the bytes of keys held at once (NS_CLEAN_BYTES; ns_clean deletes those
 * and dumps again, at most NS_CLEAN_PASSES times), by the line length
 * (NS_BUF) and by target->should_stop. Deleting the record ids the
 * harness thinks it wrote instead would miss inserts past the loaded
 * keyspace, incr's counter keys and anything a partial run left, and
 * would count keys that a miss never wrote; docs/drivers.md ("Data
 * safety") says more and what it costs. ns_flush is flush_all
 * (libmemcached, every server).
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "memcached_int.h"

#define NS_BUF 65536
/* How long a busy crawler (another metadump, or its own automatic run) is
 * waited for before giving up. */
#define NS_BUSY_MS 10000
/* Deletes sent before their replies are read. */
#define NS_DELETE_BATCH 128
/* A dump may have this many lines beyond twice the items the server said
 * it holds (`stats` curr_items, asked just before): room for items written
 * meanwhile. More is a server that does not end its dump. */
#define NS_DUMP_SLACK 100000u
/* The keys one cleanup pass holds in memory at most (a length byte and the
 * key each: 1.3 M keys of bench's usual 24 bytes); then they are deleted
 * and the server dumped again. */
#define NS_CLEAN_BYTES (32u << 20)
/* Cleanup passes on one server at most: 2 GiB of keys. */
#define NS_CLEAN_PASSES 64
/* Lines of a `stats` reply at most (memcached 1.6 sends about 90). */
#define NS_STATS_LINES 1000

/* A blocking text-protocol socket to one server and its input buffer. */
struct ns_sock {
	int fd;
	const char *host;
	unsigned port;
	char buf[NS_BUF];
	size_t pos, len;
};

/* The keys found under the prefix: each a length byte, then the key. */
struct ns_keys {
	unsigned char *p;
	size_t len, cap;
};

static int ns_fail(struct bench_conn *conn, const struct ns_sock *s, const char *what, const char *why)
{
	return bench_conn_error(conn, "memcached %s:%u: %s: %s", s->host, s->port, what, why);
}


static int ns_connect(struct bench_conn *conn, struct ns_sock *s)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
	struct addrinfo *res, *ai;
	unsigned ms = mc_timeout_ms(conn);
	struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (long)(ms % 1000) * 1000};
	char port[8];
	int err = ECONNREFUSED, rc;

	s->fd = -1;
	s->pos = s->len = 0;
	snprintf(port, sizeof(port), "%u", s->port);
	rc = getaddrinfo(s->host, port, &hints, &res);
	if (rc != 0)
		return ns_fail(conn, s, "connect", gai_strerror(rc));
	for (ai = res; ai && s->fd < 0; ai = ai->ai_next) {
		s->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (s->fd < 0) {
			err = errno;
			continue;
		}
		/* On Linux SO_SNDTIMEO bounds a blocking connect() too. */
		if (setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
		    setsockopt(s->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
		    connect(s->fd, ai->ai_addr, ai->ai_addrlen) < 0) {
			err = errno;
			close(s->fd);
			s->fd = -1;
		}
	}
	freeaddrinfo(res);
	return s->fd < 0 ? ns_fail(conn, s, "connect", strerror(err)) : 0;
}

static void ns_close(struct ns_sock *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

static int ns_send(struct bench_conn *conn, struct ns_sock *s, const char *p, size_t len)
{
	while (len) {
		ssize_t w = send(s->fd, p, len, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return ns_fail(conn, s, "send", errno == EAGAIN ? "timeout" : strerror(errno));
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* The next line (without "\r\n" or "\n") into *line, *len; valid until the
 * next call. 0, or -1 with errstr. */
static int ns_line(struct bench_conn *conn, struct ns_sock *s, const char **line, size_t *len)
{
	for (;;) {
		char *nl = memchr(s->buf + s->pos, '\n', s->len - s->pos);
		ssize_t r;

		if (nl) {
			*line = s->buf + s->pos;
			*len = (size_t)(nl - *line);
			if (*len && (*line)[*len - 1] == '\r')
				(*len)--;
			s->pos = (size_t)(nl + 1 - s->buf);
			return 0;
		}
		if (s->pos) {
			memmove(s->buf, s->buf + s->pos, s->len - s->pos);
			s->len -= s->pos;
			s->pos = 0;
		}
		if (s->len == sizeof(s->buf))
			return ns_fail(conn, s, "read", "a reply line longer than 64 KiB");
		r = recv(s->fd, s->buf + s->len, sizeof(s->buf) - s->len, 0);
		/* A signal interrupts recv (the socket has SO_RCVTIMEO, so the
		 * call is not restarted): give up if it asked bench to stop. */
		if (r < 0 && errno == EINTR && bench_conn_should_stop(conn))
			return ns_fail(conn, s, "read", "stopped");
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return ns_fail(conn, s, "read", r == 0 ? "connection closed" : errno == EAGAIN ? "timeout" : strerror(errno));
		s->len += (size_t)r;
	}
}

static int ns_starts(const char *line, size_t len, const char *word)
{
	size_t n = strlen(word);

	return len >= n && memcmp(line, word, n) == 0;
}

static int ns_hex(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decodes the URI-encoded key that starts a metadump line ("key=...")
 * into out (cap > MC_MAX_KEY_LEN); returns its length, or -1. */
static int ns_key(const char *line, size_t len, char *out)
{
	size_t n = 0;

	for (size_t i = 4; i < len && line[i] != ' '; i++) {
		char c = line[i];

		if (c == '%') {
			int hi = i + 2 < len ? ns_hex(line[i + 1]) : -1, lo = hi >= 0 ? ns_hex(line[i + 2]) : -1;

			if (lo < 0)
				return -1;
			c = (char)(hi * 16 + lo);
			i += 2;
		}
		if (n == MC_MAX_KEY_LEN)
			return -1;
		out[n++] = c;
	}
	return (int)n;
}

static int ns_keys_add(struct ns_keys *k, const char *key, size_t len)
{
	if (k->len + 1 + len > k->cap) {
		size_t cap = k->cap ? 2 * k->cap : 4096;
		unsigned char *p = realloc(k->p, cap);

		if (!p)
			return -1;
		k->p = p;
		k->cap = cap;
	}
	k->p[k->len++] = (unsigned char)len;
	memcpy(k->p + k->len, key, len);
	k->len += len;
	return 0;
}

/*
 * Starts a metadump, waiting while the crawler is busy: `metadump hash`
 * (memcached 1.6.10+) walks the hash table, which holds every item;
 * `metadump all` walks the LRUs, and passes over an item the server moves
 * from one LRU to another meanwhile (it does, for a second or so after
 * gets: memcached 1.6.18 kept 24 of 900 just-read keys from it). Older
 * servers, which do not know `hash`, get `all`. Returns 0 with the first
 * line of the dump in *line, or -1 with errstr.
 */
static int ns_dump_start(struct bench_conn *conn, struct ns_sock *s, const char **line, size_t *len)
{
	static const char *const cmds[] = {"lru_crawler metadump hash\r\n", "lru_crawler metadump all\r\n"};
	struct timespec pause = {.tv_sec = 0, .tv_nsec = 100 * 1000 * 1000};
	size_t c = 0;

	for (int waited = 0;;) {
		if (ns_send(conn, s, cmds[c], strlen(cmds[c])) < 0 || ns_line(conn, s, line, len) < 0)
			return -1;
		if (ns_starts(*line, *len, "key=") || (*len == 3 && memcmp(*line, "END", 3) == 0))
			return 0;
		/* BUSY: another dump or the automatic crawl is running;
		 * NOTSTARTED: every LRU's crawler was still taken. */
		if ((ns_starts(*line, *len, "BUSY") || ns_starts(*line, *len, "NOTSTARTED")) && waited < NS_BUSY_MS) {
			if (bench_conn_should_stop(conn))
				return ns_fail(conn, s, "lru_crawler metadump", "stopped");
			nanosleep(&pause, NULL);
			waited += 100;
		} else if (c + 1 < sizeof(cmds) / sizeof(cmds[0])) {
			c++; /* ERROR, or BADCLASS from a server that reads "hash" as a class list */
		} else {
			/* Short enough for errstr whole, with the server's reply
			 * (memcached -o no_lru_crawler: "CLIENT_ERROR lru crawler
			 * disabled"). */
			return bench_conn_error(conn, "memcached %s:%u: lru_crawler metadump: %.*s (needs the LRU crawler)",
						s->host, s->port, (int)(*len > 40 ? 40 : *len), *line);
		}
	}
}

/*
 * The items server s holds (`stats` curr_items), for the bound of a dump;
 * 0 when it does not say. 0, or -1 with errstr (the socket failed).
 */
static int ns_items(struct bench_conn *conn, struct ns_sock *s, uint64_t *items)
{
	const char *line;
	size_t len;

	*items = 0;
	if (ns_send(conn, s, "stats\r\n", 7) < 0)
		return -1;
	for (int i = 0; i < NS_STATS_LINES; i++) {
		if (ns_line(conn, s, &line, &len) < 0)
			return -1;
		if ((len == 3 && memcmp(line, "END", 3) == 0) || !ns_starts(line, len, "STAT "))
			return 0; /* END, or ERROR from a server without stats */
		if (ns_starts(line, len, "STAT curr_items ")) {
			*items = 0;
			for (size_t k = 16; k < len && line[k] >= '0' && line[k] <= '9' && *items < UINT64_MAX / 20; k++)
				*items = *items * 10 + (uint64_t)(line[k] - '0');
		}
	}
	return ns_fail(conn, s, "stats", "a reply of more than 1000 lines");
}

/*
 * Lists the keys under the prefix on server s: counts them into *n and,
 * when keys is not NULL, appends them, up to NS_CLEAN_BYTES (then sets
 * *full and returns, the socket mid-dump: close it). Stops once *n
 * reaches limit (0: no limit), also mid-dump. 0, or -1 with errstr.
 */
static int ns_dump(struct bench_conn *conn, struct ns_sock *s, uint64_t limit, uint64_t *n, struct ns_keys *keys,
		   int *full)
{
	const char *prefix = conn->target->prefix ? conn->target->prefix : "";
	size_t plen = strlen(prefix), len;
	uint64_t items, lines = 0, max_lines;
	const char *line;
	char key[MC_MAX_KEY_LEN + 1];

	if (ns_items(conn, s, &items) < 0 || ns_dump_start(conn, s, &line, &len) < 0)
		return -1;
	max_lines = NS_DUMP_SLACK + (items < UINT64_MAX / 4 ? 2 * items : UINT64_MAX / 2);
	while (!(len == 3 && memcmp(line, "END", 3) == 0)) {
		int klen = ns_starts(line, len, "key=") ? ns_key(line, len, key) : -1;

		if (klen < 0)
			return ns_fail(conn, s, "lru_crawler metadump", "a line that is not key=...");
		if (++lines > max_lines)
			return bench_conn_error(conn, "memcached %s:%u: lru_crawler metadump: over %llu lines for %llu items",
						s->host, s->port, (unsigned long long)max_lines, (unsigned long long)items);
		if (bench_conn_should_stop(conn))
			return ns_fail(conn, s, "lru_crawler metadump", "stopped");
		if ((size_t)klen >= plen && memcmp(key, prefix, plen) == 0) {
			if (keys && keys->len + 1 + (size_t)klen > NS_CLEAN_BYTES) {
				*full = 1;
				return 0;
			}
			(*n)++;
			if (keys && ns_keys_add(keys, key, (size_t)klen) < 0)
				return bench_conn_error(conn, "memcached: out of memory");
			if (limit && *n >= limit)
				return 0;
		}
		if (ns_line(conn, s, &line, &len) < 0)
			return -1;
	}
	return 0;
}

/* Reads n delete replies; adds the DELETED ones to *removed. */
static int ns_delete_replies(struct bench_conn *conn, struct ns_sock *s, size_t n, uint64_t *removed)
{
	const char *line;
	size_t len;

	for (size_t i = 0; i < n; i++) {
		if (ns_line(conn, s, &line, &len) < 0)
			return -1;
		if (len == 7 && memcmp(line, "DELETED", 7) == 0)
			(*removed)++;
		else if (!(len == 9 && memcmp(line, "NOT_FOUND", 9) == 0))
			return bench_conn_error(conn, "memcached %s:%u: delete: %.*s", s->host, s->port,
						(int)(len > 120 ? 120 : len), line);
	}
	return 0;
}

/* A key the text protocol can carry: no spaces or control bytes. Keys
 * bench writes always are (they pass mc_key_ok); any other was never
 * bench's and is left alone. */
static int ns_text_key(const char *key, size_t len)
{
	for (size_t k = 0; k < len; k++)
		if ((unsigned char)key[k] <= ' ' || key[k] == 0x7f)
			return 0;
	return 1;
}

/* Deletes the keys on s, NS_DELETE_BATCH per round trip. */
static int ns_delete(struct bench_conn *conn, struct ns_sock *s, const struct ns_keys *keys, uint64_t *removed)
{
	char cmd[NS_DELETE_BATCH * (MC_MAX_KEY_LEN + 10)];
	size_t off = 0, batch = 0;

	for (size_t i = 0; i < keys->len;) {
		size_t klen = keys->p[i];
		const char *key = (const char *)keys->p + i + 1;

		i += 1 + klen;
		if (ns_text_key(key, klen)) {
			off += (size_t)snprintf(cmd + off, sizeof(cmd) - off, "delete %.*s\r\n", (int)klen, key);
			batch++;
		}
		if (batch == NS_DELETE_BATCH || (i >= keys->len && batch)) {
			if (ns_send(conn, s, cmd, off) < 0 || ns_delete_replies(conn, s, batch, removed) < 0)
				return -1;
			off = batch = 0;
		}
	}
	return 0;
}

/* Runs fn on each server of the uri; stops at the first failure. */
static int ns_each(struct bench_conn *conn, int (*fn)(struct bench_conn *, struct ns_sock *, void *), void *arg)
{
	struct mc_conn *mc = conn->priv;
	struct ns_sock *s;
	int ret = 0;

	if (!mc || conn->err)
		return bench_conn_error(conn, "memcached: not connected");
	s = malloc(sizeof(*s));
	if (!s)
		return bench_conn_error(conn, "memcached: out of memory");
	for (uint32_t i = 0; i < memcached_server_count(mc->memc) && ret == 0; i++) {
		const memcached_instance_st *srv = memcached_server_instance_by_position(mc->memc, i);

		s->host = memcached_server_name(srv);
		s->port = memcached_server_port(srv);
		ret = ns_connect(conn, s);
		if (ret == 0)
			ret = fn(conn, s, arg);
		ns_close(s);
	}
	free(s);
	return ret;
}

struct ns_count_arg {
	uint64_t limit, n;
};

static int ns_count_one(struct bench_conn *conn, struct ns_sock *s, void *arg)
{
	struct ns_count_arg *a = arg;

	if (a->limit && a->n >= a->limit)
		return 0;
	return ns_dump(conn, s, a->limit, &a->n, NULL, NULL);
}

int mc_ns_count(struct bench_conn *conn, uint64_t limit, struct bench_ns_state *out)
{
	struct mc_conn *mc = conn->priv;
	struct ns_count_arg a = {.limit = limit};

	memset(out, 0, sizeof(*out));
	if (mc && mc->n_servers > 1)
		snprintf(out->noun, sizeof(out->noun), "keys on its %u servers", (unsigned)mc->n_servers);
	else
		snprintf(out->noun, sizeof(out->noun), "keys");
	if (ns_each(conn, ns_count_one, &a) < 0)
		return -1;
	out->keys = a.n;
	return 0;
}

/*
 * Dumps and deletes until a dump ends with everything it listed deleted:
 * more than NS_CLEAN_BYTES of keys take several passes, each a dump from
 * the start; a pass that deletes nothing while the dump still goes on
 * (a server listing keys that are not there) ends it with an error.
 */
static int ns_clean_one(struct bench_conn *conn, struct ns_sock *s, void *arg)
{
	uint64_t *removed = arg;

	for (int pass = 0; pass < NS_CLEAN_PASSES; pass++) {
		struct ns_keys keys = {0};
		uint64_t n = 0, before = *removed;
		int full = 0, ret = ns_dump(conn, s, 0, &n, &keys, &full);

		if (ret == 0 && full) { /* the socket is mid-dump */
			ns_close(s);
			ret = ns_connect(conn, s);
		}
		if (ret == 0)
			ret = ns_delete(conn, s, &keys, removed);
		free(keys.p);
		if (ret < 0 || !full)
			return ret;
		if (*removed == before)
			return bench_conn_error(conn, "memcached %s:%u: lru_crawler metadump listed %llu keys under the prefix "
						"that delete did not find", s->host, s->port, (unsigned long long)n);
	}
	return bench_conn_error(conn, "memcached %s:%u: more keys under the prefix than %d cleanup passes of %u MiB remove",
				s->host, s->port, NS_CLEAN_PASSES, NS_CLEAN_BYTES >> 20);
}

int mc_ns_clean(struct bench_conn *conn, const struct bench_ns_state *before, uint64_t *removed)
{
	(void)before;
	*removed = 0;
	return ns_each(conn, ns_clean_one, removed);
}

int mc_ns_flush(struct bench_conn *conn, char *what, size_t what_len)
{
	struct mc_conn *mc = conn->priv;
	memcached_return_t rc;

	if (!mc || conn->err)
		return bench_conn_error(conn, "memcached: not connected");
	rc = memcached_flush(mc->memc, 0);
	if (memcached_failed(rc))
		return bench_conn_error(conn, "memcached: flush_all: %s", memcached_strerror(mc->memc, rc));
	snprintf(what, what_len, "flush_all: invalidated every item of %s%u server%s", mc->n_servers > 1 ? "all " : "",
		 (unsigned)mc->n_servers, mc->n_servers > 1 ? "s" : "");
	return 0;
}
