/* test_keygen.c - keys are the prefix and the record number in 12 digits. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "keygen.h"

int main(void)
{
	static const struct {
		unsigned long long id;
		const char *key;
	} cases[] = {
		{0, "k:000000000000"},
		{7, "k:000000000007"},
		{42, "k:000000000042"},
		{100, "k:000000000100"},
		{123456789012ull, "k:123456789012"},
		{999999999999ull, "k:999999999999"},
	};
	char buf[64];
	struct rng r;
	char *values, *again, *other;
	int seen[256] = {0}, kinds = 0;

	CHECK_INT(keygen_key_len("k:"), 14);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = keygen_format(buf, "k:", cases[i].id);

		buf[n] = '\0';
		CHECK_STR(buf, cases[i].key);
	}
	/* Rewriting the digits alone gives the same key as formatting anew. */
	keygen_format(buf, "k:", 999999999999ull);
	keygen_set_id(buf + 2, 5);
	buf[14] = '\0';
	CHECK_STR(buf, "k:000000000005");
	/* Every id in a range round-trips through the text. */
	for (unsigned long long id = 0; id < 100000; id += 7) {
		keygen_format(buf, "k:", id);
		buf[14] = '\0';
		CHECK(strtoull(buf + 2, NULL, 10) == id);
	}
	/* Value bytes: the same stream gives the same bytes, another stream
	 * other bytes, and every byte value occurs (NUL included). */
	rng_seed(&r, 1, 2);
	values = keygen_value_buffer(4096, &r);
	rng_seed(&r, 1, 2);
	again = keygen_value_buffer(4096, &r);
	rng_seed(&r, 1, 3);
	other = keygen_value_buffer(4096, &r);
	CHECK(memcmp(values, again, 4096) == 0);
	CHECK(memcmp(values, other, 4096) != 0);
	for (size_t i = 0; i < 4096; i++)
		kinds += !seen[(unsigned char)values[i]]++;
	CHECK_INT(kinds, 256);
	free(values);
	free(again);
	free(other);
	return check_report("keygen");
}
