/* keygen.c - keys and value bytes. */
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

char *keygen_value_buffer(uint64_t n, struct rng *r)
{
	char *buf = xmalloc(n + 8);

	for (uint64_t i = 0; i < n; i += 8) {
		uint64_t x = rng_next(r);

		memcpy(buf + i, &x, 8);
	}
	return buf;
}
