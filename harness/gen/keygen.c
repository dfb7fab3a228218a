/* keygen.c - keys and value bytes. */
#include <string.h>

#include "keygen.h"
#include "util.h"

size_t keygen_key_len(const char *prefix)
{
	return strlen(prefix) + KEYGEN_DIGITS;
}

/* "00" "01" ... "99": two digits per division, on the per-request path. */
_Static_assert(KEYGEN_DIGITS % 2 == 0, "keygen_set_id writes digits in pairs");
static const char digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

void keygen_set_id(char *digits, uint64_t id)
{
	for (int i = KEYGEN_DIGITS - 2; i >= 0; i -= 2) {
		unsigned pair = (unsigned)(id % 100);

		digits[i] = digit_pairs[2 * pair];
		digits[i + 1] = digit_pairs[2 * pair + 1];
		id /= 100;
	}
}

uint64_t keygen_parse_id(const char *digits)
{
	uint64_t id = 0;

	for (int i = 0; i < KEYGEN_DIGITS; i++)
		id = id * 10 + (uint64_t)(digits[i] - '0');
	return id;
}

size_t keygen_format(char *buf, const char *prefix, uint64_t id)
{
	size_t plen = strlen(prefix);

	memcpy(buf, prefix, plen);
	keygen_set_id(buf + plen, id);
	return plen + KEYGEN_DIGITS;
}

size_t keygen_sized_len(const struct sizegen *g, uint64_t seed, uint64_t id, size_t base_len, size_t max_len)
{
	/* splitmix64's finalizer over (seed, id): a uniform number per record
	 * that no client's stream draws from. */
	uint64_t z = seed + 0x9e3779b97f4a7c15u * (id + 1);
	uint64_t len;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	z ^= z >> 31;
	len = sizegen_at(g, (double)(z >> 11) * 0x1p-53);
	if (len < base_len)
		return base_len;
	return len > max_len ? max_len : (size_t)len;
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
