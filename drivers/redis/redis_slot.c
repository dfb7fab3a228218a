/* redis_slot.c - CRC16/XMODEM key slots and node URIs for Redis Cluster
 * (redis_slot.h). */
#include <stdio.h>
#include <string.h>

#include "redis_slot.h"

int redis_cluster_node_uri(char *out, size_t cap, const char *seed_uri, const char *host, int port)
{
	const char *scheme = "redis://", *p = seed_uri, *at;
	int creds = 0, n;

	if (!*host)
		return -1;
	for (const char *h = host; *h; h++)
		if ((unsigned char)*h <= ' ' || *h == 0x7f || strchr("/@[]?#", *h))
			return -1;
	/* The scheme is kept as written: redis_uri_parse turns rediss://
	 * into TLS, and the node must speak what the seed speaks. */
	if (strncmp(p, "rediss://", 9) == 0) {
		scheme = "rediss://";
		p += 9;
	} else if (strncmp(p, "redis://", 8) == 0) {
		p += 8;
	}
	/* The last '@' ends the credentials, as redis_uri_parse reads them
	 * (a password may hold '@' or '/'). */
	at = strrchr(p, '@');
	if (at)
		creds = (int)(at - p + 1);
	n = snprintf(out, cap, strchr(host, ':') ? "%s%.*s[%s]:%d" : "%s%.*s%s:%d", scheme, creds, p, host, port);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* CRC16 of a nibble, polynomial 0x1021: two lookups per byte keep the
 * table at 16 entries (keys are tens of bytes). */
static const uint16_t crc16_nibble[16] = {
	0x0000, 0x1021, 0x2042, 0x3063, 0x4084, 0x50a5, 0x60c6, 0x70e7,
	0x8108, 0x9129, 0xa14a, 0xb16b, 0xc18c, 0xd1ad, 0xe1ce, 0xf1ef,
};

static uint16_t crc16_update(uint16_t crc, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned b = (unsigned char)buf[i];

		crc = (uint16_t)((crc << 4) ^ crc16_nibble[((crc >> 12) ^ (b >> 4)) & 0x0f]);
		crc = (uint16_t)((crc << 4) ^ crc16_nibble[((crc >> 12) ^ b) & 0x0f]);
	}
	return crc;
}

uint16_t redis_crc16(const char *buf, size_t len)
{
	return crc16_update(0, buf, len);
}

unsigned redis_slot_parts(const char *const *p, const size_t *len, size_t np)
{
	size_t open = 0, close = 0, at = 0;
	int have_open = 0, have_close = 0;
	uint16_t crc = 0;

	/* Offsets over the concatenation: the first '{', the first '}' after it. */
	for (size_t k = 0; k < np && !have_close; k++) {
		for (size_t i = 0; i < len[k]; i++, at++) {
			if (!have_open && p[k][i] == '{') {
				have_open = 1;
				open = at;
			} else if (have_open && p[k][i] == '}') {
				have_close = 1;
				close = at;
				break;
			}
		}
	}
	if (!have_close || close == open + 1) {
		for (size_t k = 0; k < np; k++)
			crc = crc16_update(crc, p[k], len[k]);
		return crc & (REDIS_CLUSTER_SLOTS - 1);
	}
	/* Hash the tag: bytes (open, close) of the concatenation. */
	at = 0;
	for (size_t k = 0; k < np; k++) {
		size_t from = open + 1 > at ? open + 1 - at : 0;
		size_t to = close > at ? close - at : 0;

		if (to > len[k])
			to = len[k];
		if (from < to)
			crc = crc16_update(crc, p[k] + from, to - from);
		at += len[k];
	}
	return crc & (REDIS_CLUSTER_SLOTS - 1);
}

unsigned redis_key_slot(const char *key, size_t len)
{
	return redis_slot_parts(&key, &len, 1);
}
