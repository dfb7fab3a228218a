/* common.c - names and error helpers every driver and the harness share. */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

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

int bench_driver_knows_program(const struct bench_driver *d, const char *program, char *list, size_t len)
{
	size_t at = 0;

	if (len)
		list[0] = '\0';
	for (const struct bench_server_recipe *r = d->servers; r && r->program; r++) {
		if (program && strcmp(r->program, program) == 0)
			return 1;
		if (at < len)
			at += (size_t)snprintf(list + at, len - at, "%s%s", at ? " or " : "", r->program);
	}
	return 0;
}

/* ---- addresses with credentials ---- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long bench_pct_decode(const char *s, size_t len, char *out, size_t cap)
{
	size_t n = 0;

	if (cap == 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			if (len - i < 3 || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0)
				return -1;
			c = hexval(s[i + 1]) * 16 + hexval(s[i + 2]);
			if (c == 0) /* would cut the C string short */
				return -1;
			i += 2;
		}
		if (n + 1 >= cap)
			return -1;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return (long)n;
}

size_t bench_pct_encode(const char *s, char *out)
{
	static const char hex[] = "0123456789ABCDEF";
	char *o = out;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || strchr("-._~", c)) {
			*o++ = (char)c;
		} else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o = '\0';
	return (size_t)(o - out);
}

/* The length of uri's "scheme://" (RFC 3986 scheme characters), or 0. */
static size_t scheme_len(const char *uri, size_t len)
{
	size_t i = 0;

	while (i < len && (isalnum((unsigned char)uri[i]) || (i && strchr("+-.", uri[i]))))
		i++;
	if (i == 0 || !isalpha((unsigned char)uri[0]) || len - i < 3 || memcmp(uri + i, "://", 3) != 0)
		return 0;
	return i + 3;
}

/* Whether the scheme of uri (scheme_len bytes, "" for none) keeps Redis's
 * rule: credentials end at the last '@' of the whole address. */
static bool redis_rule(const char *uri, size_t slen)
{
	return slen == 0 || (slen == 8 && !strncasecmp(uri, "redis://", 8)) ||
	       (slen == 9 && !strncasecmp(uri, "rediss://", 9));
}

/* The '@' that ends uri[0..len)'s userinfo, or NULL. */
static const char *userinfo_end(const char *uri, size_t len)
{
	size_t slen = scheme_len(uri, len);
	const char *start = uri + slen, *end = uri + len, *at = NULL;

	if (!redis_rule(uri, slen)) {
		const char *slash = memchr(start, '/', (size_t)(end - start));

		if (slash)
			end = slash;
	}
	for (const char *p = start; p < end; p++)
		if (*p == '@')
			at = p;
	return at;
}

int bench_uri_password(const char *uri, size_t len, const char **from, const char **to)
{
	const char *start = uri + scheme_len(uri, len), *at = userinfo_end(uri, len), *colon;

	if (!at)
		return 0;
	colon = memchr(start, ':', (size_t)(at - start));
	if (!colon || colon + 1 == at)
		return 0;
	*from = colon + 1;
	*to = at;
	return 1;
}

const char *bench_uri_public(const char *uri)
{
	size_t len = strlen(uri);
	const char *at = userinfo_end(uri, len);

	return at ? at + 1 : uri + scheme_len(uri, len);
}

int bench_uri_credentials(const char *addr, char *user, size_t ucap, char *password, size_t pcap, const char **rest,
			  char *err, size_t errlen)
{
	const char *at = strrchr(addr, '@'), *colon;

	*rest = addr;
	if (ucap)
		user[0] = '\0';
	if (pcap)
		password[0] = '\0';
	if (!at)
		return 0;
	colon = memchr(addr, ':', (size_t)(at - addr));
	if (!colon) {
		snprintf(err, errlen, "credentials in the uri must be [user]:password@");
		return -1;
	}
	if (bench_pct_decode(addr, (size_t)(colon - addr), user, ucap) < 0 ||
	    bench_pct_decode(colon + 1, (size_t)(at - colon - 1), password, pcap) < 0) {
		/* Nothing half-decoded stays behind. */
		memset(user, 0, ucap);
		memset(password, 0, pcap);
		snprintf(err, errlen, "the uri's user or password is too long or badly percent-encoded (a '%%' starts "
			 "%%XX, two hex digits, not %%00; write '%%' itself as %%25)");
		return -1;
	}
	*rest = at + 1;
	return 1;
}

/* Appends s[0..k) to out[*n], cut to leave room for the NUL in cap. */
static void trace_put(char *out, size_t cap, size_t *n, const char *s, size_t k)
{
	if (*n + k >= cap)
		k = *n + 1 < cap ? cap - 1 - *n : 0;
	memcpy(out + *n, s, k);
	*n += k;
}

/* The trace's one rendering of an argument (driver.h): every driver shows
 * a key, a value or a reply the same way. */
size_t bench_trace_word(char *out, size_t cap, const char *s, size_t len)
{
	size_t shown = len < BENCH_TRACE_WORD_MAX ? len : BENCH_TRACE_WORD_MAX, n = 0;
	int plain = len > 0;
	char tmp[32];

	if (cap == 0)
		return 0;
	for (size_t i = 0; i < len && plain; i++)
		plain = s[i] > ' ' && s[i] < 0x7f && s[i] != '"' && s[i] != '\\';
	if (!plain)
		trace_put(out, cap, &n, "\"", 1);
	for (size_t i = 0; i < shown; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *e = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\r' ? "\\r" : c == '\n' ? "\\n"
			      : c == '\t' ? "\\t" : NULL;

		if (c >= ' ' && c < 0x7f && !e) {
			trace_put(out, cap, &n, &s[i], 1);
			continue;
		}
		if (!e) {
			snprintf(tmp, sizeof(tmp), "\\x%02x", c);
			e = tmp;
		}
		trace_put(out, cap, &n, e, strlen(e));
	}
	if (!plain)
		trace_put(out, cap, &n, "\"", 1);
	if (shown < len) {
		int k = snprintf(tmp, sizeof(tmp), "...(%zu bytes)", len);

		trace_put(out, cap, &n, tmp, (size_t)k);
	}
	out[n] = '\0';
	return n;
}
