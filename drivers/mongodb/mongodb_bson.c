/* mongodb_bson.c - the small builders every part of the mongodb driver
 * shares: a record's filter, field names and projection, and a line of the
 * server's config (mongodb_int.h). */
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <bson/bson.h>
#include <mongoc/mongoc.h>

#include "driver.h"
#include "mongodb_int.h"

bool mongo_build_filter(struct mongo_priv *p, const struct bench_request *r)
{
	bson_reinit(p->filter);
	return r->key_len <= INT_MAX && bson_append_utf8(p->filter, "_id", 3, r->key, (int)r->key_len);
}

int mongo_field_name(char *buf, size_t cap, unsigned i)
{
	return snprintf(buf, cap, "field%u", i);
}

bool mongo_append_value_projection(bson_t *proj, unsigned fields)
{
	if (fields == 0)
		return bson_append_int32(proj, "v", 1, 1);
	for (unsigned i = 0; i < fields; i++) {
		char name[24];
		int nlen = mongo_field_name(name, sizeof(name), i);

		if (!bson_append_int32(proj, name, nlen, 1))
			return false;
	}
	return true;
}

void mongo_config_add(struct bench_server_info *out, const char *key, const char *fmt, ...)
{
	size_t off = strlen(out->config);
	char val[256];
	va_list ap;
	int w;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	w = snprintf(out->config + off, sizeof(out->config) - off, "%s=%s\n", key, val);
	if (w < 0 || (size_t)w >= sizeof(out->config) - off)
		out->config[off] = '\0';
}
