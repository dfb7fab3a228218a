/* memcached_key.c - what every part of the memcached driver checks before it
 * sends: a key's validity, and the request timeout (memcached_int.h). */
#include <limits.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "memcached_int.h"

unsigned mc_timeout_ms(const struct bench_conn *conn)
{
	unsigned ms = conn->target->timeout_ms ? conn->target->timeout_ms : MC_DEFAULT_TIMEOUT_MS;

	/* libmemcached keeps SND/RCV_TIMEOUT, in microseconds, in an int32. */
	return ms > INT_MAX / 1000 ? INT_MAX / 1000 : ms;
}

int mc_key_ok(const struct mc_conn *mc, const char *key, size_t len)
{
	const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
	size_t i = 0;

	if (len == 0 || len > MC_MAX_KEY_LEN)
		return 0;
	if (mc->binary)
		return 1;
	/*
	 * Every request's key is checked, so 8 bytes at a time: a word has a
	 * byte < 0x21 when (x - 0x21..) & ~x & 0x80.. is not 0, and a 0x7f
	 * byte when x ^ 0x7f.. has a zero byte (exact for "any", which is all
	 * that is asked).
	 */
	for (; i + 8 <= len; i += 8) {
		uint64_t x, y;

		memcpy(&x, key + i, 8);
		y = x ^ (0x7f * ones);
		if ((((x - 0x21 * ones) & ~x) | ((y - ones) & ~y)) & highs)
			return 0;
	}
	for (; i < len; i++)
		if ((unsigned char)key[i] <= ' ' || key[i] == 0x7f)
			return 0;
	return 1;
}

void mc_key_refused(struct bench_conn *conn, struct bench_request *req)
{
	req->status = BENCH_ERROR;
	bench_conn_error(conn, "memcached: invalid key of %zu bytes (1..%d, no spaces or control bytes in text protocol)",
			 req->key_len, MC_MAX_KEY_LEN);
}

size_t mc_counter_key(struct bench_conn *conn, const struct bench_request *r, char *key, size_t cap)
{
	const struct mc_conn *mc = conn->priv;
	const char *prefix = conn->target->prefix ? conn->target->prefix : "";
	size_t plen = strlen(prefix);
	int klen;

	if (r->key_len < plen || memcmp(r->key, prefix, plen) != 0 || r->key_len + 3 >= cap) {
		bench_conn_error(conn, "memcached incr: key is not under the prefix '%s'", prefix);
		return 0;
	}
	klen = snprintf(key, cap, "%s~n:%.*s", prefix, (int)(r->key_len - plen), r->key + plen);
	if (klen <= 0 || (size_t)klen >= cap || !mc_key_ok(mc, key, (size_t)klen)) {
		bench_conn_error(conn, "memcached incr: counter key '%s' is not a valid memcached key", key);
		return 0;
	}
	return (size_t)klen;
}

uint32_t mc_exptime(uint64_t ttl_ms)
{
	/* Rounded up: a TTL of 1500 ms must not end before 1500 ms. The
	 * workload keeps TTLs to 30 days, below which memcached reads an
	 * exptime as seconds from now, not as a date. */
	return (uint32_t)((ttl_ms + 999) / 1000);
}
