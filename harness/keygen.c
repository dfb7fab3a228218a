/* keygen.c - record numbers, keys and values. */
#include <string.h>

#include "keygen.h"
#include "util.h"

size_t keygen_key_len(const char *prefix)
{
	return strlen(prefix) + KEYGEN_DIGITS;
}

void keygen_set_id(char *digits, uint64_t id)
{
	for (int i = KEYGEN_DIGITS - 1; i >= 0; i--) {
		digits[i] = (char)('0' + id % 10);
		id /= 10;
	}
}

size_t keygen_format(char *buf, const char *prefix, uint64_t id)
{
	size_t plen = strlen(prefix);

	memcpy(buf, prefix, plen);
	keygen_set_id(buf + plen, id);
	return plen + KEYGEN_DIGITS;
}

uint64_t keygen_next_id(const struct workload *w, struct rng *r)
{
	switch (w->keyspace.distribution) {
	case WL_DIST_UNIFORM:
	default:
		return rng_below(r, w->keyspace.records);
	}
}

uint64_t keygen_next_value_len(const struct workload *w, struct rng *r)
{
	uint64_t lo = w->values.size_min, hi = w->values.size_max;

	return lo == hi ? lo : lo + rng_below(r, hi - lo + 1);
}

char *keygen_value_buffer(const struct workload *w, struct rng *r)
{
	size_t n = w->values.size_max;
	char *buf = xmalloc(n + 8);

	for (size_t i = 0; i < n; i += 8) {
		uint64_t x = rng_next(r);

		memcpy(buf + i, &x, 8);
	}
	return buf;
}
