/* shard.c - which clients a shard runs. */
#include <stdio.h>
#include <string.h>

#include "shard.h"
#include "util.h"

int shard_parse(const char *s, uint64_t *index, uint64_t *count, char *err, size_t errlen)
{
	const char *slash = strchr(s, '/');
	char num[32];

	if (!slash || (size_t)(slash - s) >= sizeof(num)) {
		snprintf(err, errlen, "want INDEX/COUNT, e.g. 0/2");
		return -1;
	}
	memcpy(num, s, (size_t)(slash - s));
	num[slash - s] = '\0';
	if (util_parse_u64(num, index) < 0 || util_parse_u64(slash + 1, count) < 0) {
		snprintf(err, errlen, "want INDEX/COUNT in whole numbers, e.g. 0/2");
		return -1;
	}
	if (*count == 0) {
		snprintf(err, errlen, "COUNT must be at least 1");
		return -1;
	}
	if (*index >= *count) {
		snprintf(err, errlen, "INDEX must be 0 to %llu for %llu shards (indexes start at 0)",
			 (unsigned long long)(*count - 1), (unsigned long long)*count);
		return -1;
	}
	return 0;
}

void shard_split(uint64_t total, uint64_t index, uint64_t count, uint64_t *first, uint64_t *n)
{
	uint64_t each, extra;

	if (count == 0) {
		*first = 0;
		*n = total;
		return;
	}
	each = total / count;
	extra = total % count;
	*n = each + (index < extra);
	*first = index * each + (index < extra ? index : extra);
}
