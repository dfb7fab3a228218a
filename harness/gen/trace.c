/* trace.c - access traces: line formats, the streaming reader, ops and keys
 * mapped onto bench's (trace.h; docs/workload-format.md, "Trace replay"). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "trace.h"
#include "util.h"

static const char *const format_names[TRACE__FORMAT_COUNT] = {"twitter", "csv"};

int trace_format_from_name(const char *name)
{
	for (int f = 0; f < TRACE__FORMAT_COUNT; f++)
		if (!strcmp(name, format_names[f]))
			return f;
	return -1;
}

const char *trace_format_name(enum trace_format f)
{
	return (unsigned)f < TRACE__FORMAT_COUNT ? format_names[f] : "?";
}

/* Twitter's operations (and the csv format's, the same words) and what
 * each is replayed as: bench has no conditional writes, appends or
 * decrements, so they are replayed as the nearest op (docs say how). */
static const struct {
	const char *name;
	enum bench_op op;
} trace_ops[] = {
	{"get", BENCH_OP_GET},       {"gets", BENCH_OP_GET},       {"set", BENCH_OP_SET},
	{"add", BENCH_OP_SET},       {"replace", BENCH_OP_SET},    {"cas", BENCH_OP_SET},
	{"append", BENCH_OP_SET},    {"prepend", BENCH_OP_SET},    {"delete", BENCH_OP_DELETE},
	{"incr", BENCH_OP_INCR},     {"decr", BENCH_OP_INCR},
};

/* A whole decimal number: digits only, no sign, no overflow. */
static int parse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned char)s[i] - '0';

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* Prints at most 40 bytes of a field, with anything unprintable as '?',
 * so a message about a line never carries its control bytes along. */
static void field_text(const char *s, size_t len, char *out, size_t cap)
{
	size_t n = len < 40 ? len : 40, j = 0;

	for (size_t i = 0; i < n && j + 1 < cap; i++)
		out[j++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (n < len && j + 4 < cap) {
		memcpy(out + j, "...", 3);
		j += 3;
	}
	out[j] = '\0';
}

static int bad_field(char *err, size_t errlen, const char *what, const char *s, size_t len)
{
	char text[48];

	field_text(s, len, text, sizeof(text));
	snprintf(err, errlen, "%s '%s'", what, text);
	return -1;
}

int trace_parse_line(enum trace_format f, const char *line, size_t len, struct trace_rec *out, char *err,
		     size_t errlen)
{
	/* The key may hold commas: the first field is the timestamp, the
	 * last `tail` fields are fixed, the key is what lies between. */
	size_t tail = f == TRACE_TWITTER ? 5 : 3, start[8], flen[8], key_end, ts_end;
	const char *op;
	size_t op_len;
	uint64_t ts;

	if (len && line[len - 1] == '\r')
		len--;
	if (f == TRACE_CSV && len == 34 && !memcmp(line, "timestamp_us,key,op,value_size,ttl", 34))
		return 0;
	ts_end = 0;
	while (ts_end < len && line[ts_end] != ',')
		ts_end++;
	key_end = len;
	for (size_t k = tail; k > 0; k--) {
		size_t e = key_end;

		while (key_end > ts_end && line[key_end - 1] != ',')
			key_end--;
		/* The comma found must not be the timestamp's: a key lies between. */
		if (key_end <= ts_end + 1) {
			snprintf(err, errlen, "fewer than the %zu fields of the %s format (%s)", tail + 2,
				 format_names[f],
				 f == TRACE_TWITTER ? "timestamp,key,key_size,value_size,client_id,op,ttl"
						    : "timestamp_us,key,op,value_size,ttl");
			return -1;
		}
		start[k - 1] = key_end;
		flen[k - 1] = e - key_end;
		key_end--;
	}
	if (parse_u64(line, ts_end, &ts) < 0)
		return bad_field(err, errlen, "timestamp not a whole number", line, ts_end);
	out->key = line + ts_end + 1;
	out->key_len = key_end - ts_end - 1;
	if (!out->key_len) {
		snprintf(err, errlen, "empty key");
		return -1;
	}
	if (f == TRACE_TWITTER) {
		uint64_t ignored;

		/* key_size is the key's size before anonymization: checked, unused. */
		if (parse_u64(line + start[0], flen[0], &ignored) < 0)
			return bad_field(err, errlen, "key_size not a whole number", line + start[0], flen[0]);
		if (parse_u64(line + start[1], flen[1], &out->value_size) < 0)
			return bad_field(err, errlen, "value_size not a whole number", line + start[1], flen[1]);
		if (parse_u64(line + start[2], flen[2], &ignored) < 0)
			return bad_field(err, errlen, "client_id not a whole number", line + start[2], flen[2]);
		op = line + start[3];
		op_len = flen[3];
		if (parse_u64(line + start[4], flen[4], &out->ttl_ms) < 0)
			return bad_field(err, errlen, "ttl not a whole number", line + start[4], flen[4]);
		if (ts > UINT64_MAX / 1000000u)
			return bad_field(err, errlen, "timestamp too large", line, ts_end);
		ts *= 1000000u; /* seconds */
	} else {
		op = line + start[0];
		op_len = flen[0];
		if (parse_u64(line + start[1], flen[1], &out->value_size) < 0)
			return bad_field(err, errlen, "value_size not a whole number", line + start[1], flen[1]);
		if (parse_u64(line + start[2], flen[2], &out->ttl_ms) < 0)
			return bad_field(err, errlen, "ttl not a whole number", line + start[2], flen[2]);
	}
	if (out->ttl_ms > UINT64_MAX / 1000u)
		return bad_field(err, errlen, "ttl too large", "", 0);
	out->ttl_ms *= 1000u; /* both formats give seconds */
	if (out->value_size > TRACE_VALUE_MAX) {
		snprintf(err, errlen, "value_size %llu is over the %u bytes a trace's value may have",
			 (unsigned long long)out->value_size, TRACE_VALUE_MAX);
		return -1;
	}
	out->ts_us = ts;
	for (size_t i = 0; i < sizeof(trace_ops) / sizeof(trace_ops[0]); i++) {
		if (strlen(trace_ops[i].name) == op_len && !memcmp(trace_ops[i].name, op, op_len)) {
			out->op = trace_ops[i].op;
			return 1;
		}
	}
	bad_field(err, errlen, "unknown op", op, op_len);
	snprintf(err + strlen(err), errlen - strlen(err),
		 " (known: get, gets, set, add, replace, cas, append, prepend, delete, incr, decr)");
	return -1;
}

/* FNV-1a over the key, finished with splitmix64's mixer: a seed each for
 * the two halves of the 128-bit hashed key and for the client owner. */
static uint64_t key_hash(const char *key, size_t len, uint64_t seed)
{
	uint64_t h = 0xcbf29ce484222325ull ^ seed;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)key[i];
		h *= 0x100000001b3ull;
	}
	h += 0x9e3779b97f4a7c15ull;
	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
	return h ^ (h >> 31);
}

size_t trace_map_key(const char *prefix, size_t prefix_len, const char *key, size_t key_len, char *out)
{
	int raw = prefix_len + 2 + key_len <= TRACE_KEY_RAW_MAX;

	for (size_t i = 0; raw && i < key_len; i++)
		raw = key[i] > 0x20 && key[i] < 0x7f;
	memcpy(out, prefix, prefix_len);
	out[prefix_len] = 't';
	out[prefix_len + 1] = raw ? ':' : '#';
	if (raw) {
		memcpy(out + prefix_len + 2, key, key_len);
		return prefix_len + 2 + key_len;
	}
	static const char hex[] = "0123456789abcdef";
	uint64_t h[2] = {key_hash(key, key_len, 1), key_hash(key, key_len, 2)};
	char *p = out + prefix_len + 2;

	for (int k = 0; k < 2; k++)
		for (int s = 60; s >= 0; s -= 4)
			*p++ = hex[(h[k] >> s) & 15];
	return prefix_len + 2 + 32;
}

uint64_t trace_key_owner(const char *key, size_t key_len, uint64_t clients)
{
	return clients ? key_hash(key, key_len, 3) % clients : 0;
}

/* ---- the reader ---- */

#define TRACE_BUF (64u << 10)

struct trace_reader {
	char *path;
	enum trace_format format;
	gzFile gz;                      /* plain and gzip (zlib reads plain text as it is) */
	FILE *f;                        /* zstd: the compressed bytes */
	ZSTD_DCtx *z;
	char *zbuf;                     /* zstd: compressed input */
	ZSTD_inBuffer zin;
	size_t zlast;                   /* the last ZSTD_decompressStream's hint: 0 = a frame ended */
	char *buf;                      /* decompressed text, TRACE_BUF bytes */
	size_t pos, len;
	int eof;                        /* nothing more to fill */
	int skipping;                   /* the rest of a too-long line is dropped */
	uint64_t line;
};

/* Appends what the file gives to buf[len..]. Returns bytes added, 0 at the
 * end, -1 with err. */
static ssize_t fill(struct trace_reader *r, char *err, size_t errlen)
{
	size_t room = TRACE_BUF - r->len;

	if (r->z) {
		ZSTD_outBuffer zout = {r->buf + r->len, room, 0};

		while (zout.pos == 0) {
			if (r->zin.pos == r->zin.size) {
				size_t got = fread(r->zbuf, 1, ZSTD_DStreamInSize(), r->f);

				if (got == 0) {
					if (ferror(r->f)) {
						snprintf(err, errlen, "%s: cannot read: %s", r->path, strerror(errno));
						return -1;
					}
					if (r->zlast != 0) {
						snprintf(err, errlen, "%s: zstd data cut short", r->path);
						return -1;
					}
					return 0;
				}
				r->zin = (ZSTD_inBuffer){r->zbuf, got, 0};
			}
			r->zlast = ZSTD_decompressStream(r->z, &zout, &r->zin);
			if (ZSTD_isError(r->zlast)) {
				snprintf(err, errlen, "%s: not valid zstd data: %s", r->path, ZSTD_getErrorName(r->zlast));
				return -1;
			}
		}
		return (ssize_t)zout.pos;
	}
	int got = gzread(r->gz, r->buf + r->len, (unsigned)room);
	int zerr;
	const char *msg = got < 0 ? gzerror(r->gz, &zerr) : NULL;

	if (got < 0 || (got == 0 && (msg = gzerror(r->gz, &zerr)) && zerr != Z_OK && zerr != Z_BUF_ERROR)) {
		snprintf(err, errlen, "%s: cannot read: %s", r->path, zerr == Z_ERRNO ? strerror(errno) : msg);
		return -1;
	}
	if (got == 0 && zerr == Z_BUF_ERROR) {
		snprintf(err, errlen, "%s: gzip data cut short", r->path);
		return -1;
	}
	return got;
}

struct trace_reader *trace_open(const char *path, enum trace_format f, char *err, size_t errlen)
{
	struct trace_reader *r = xcalloc(1, sizeof(*r));
	unsigned char magic[4] = {0};
	FILE *fp = fopen(path, "rb");
	size_t got;

	r->path = xstrdup(path);
	r->format = f;
	if (!fp) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		goto fail;
	}
	got = fread(magic, 1, sizeof(magic), fp);
	if (got == 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd) {
		rewind(fp);
		r->f = fp;
		r->z = ZSTD_createDCtx();
		r->zbuf = xmalloc(ZSTD_DStreamInSize());
		if (!r->z) {
			snprintf(err, errlen, "%s: cannot start zstd", path);
			goto fail;
		}
	} else {
		fclose(fp);
		r->gz = gzopen(path, "rb");
		if (!r->gz) {
			snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno ? errno : ENOMEM));
			goto fail;
		}
		gzbuffer(r->gz, 64u << 10);
	}
	r->buf = xmalloc(TRACE_BUF);
	return r;
fail:
	trace_close(r);
	return NULL;
}

void trace_close(struct trace_reader *r)
{
	if (!r)
		return;
	if (r->gz)
		gzclose(r->gz);
	if (r->f)
		fclose(r->f);
	ZSTD_freeDCtx(r->z);
	free(r->zbuf);
	free(r->buf);
	free(r->path);
	free(r);
}

/* The next line into *line and *len (not NUL-terminated, valid until the next
 * call). Returns 1, 0 at the end, -1 for a line over TRACE_LINE_MAX (its
 * rest is dropped), -2 on a read error. */
static int next_line(struct trace_reader *r, const char **line, size_t *len, char *err, size_t errlen)
{
	for (;;) {
		char *nl = r->pos < r->len ? memchr(r->buf + r->pos, '\n', r->len - r->pos) : NULL;
		ssize_t got;

		if (nl) {
			size_t n = (size_t)(nl - (r->buf + r->pos));
			int skipped = r->skipping;

			*line = r->buf + r->pos;
			*len = n;
			r->pos += n + 1;
			r->skipping = 0;
			if (skipped)
				continue; /* the end of a line already reported */
			r->line++;
			if (n > TRACE_LINE_MAX)
				goto too_long;
			return 1;
		}
		if (r->len - r->pos > TRACE_LINE_MAX && !r->skipping) {
			r->line++;
			r->skipping = 1;
			r->pos = r->len = 0;
			goto too_long;
		}
		if (r->skipping)
			r->pos = r->len = 0;
		if (r->eof) {
			if (r->pos == r->len || r->skipping)
				return 0;
			/* The last line, without a newline. */
			*line = r->buf + r->pos;
			*len = r->len - r->pos;
			r->pos = r->len;
			r->line++;
			return 1;
		}
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
		got = fill(r, err, errlen);
		if (got < 0) {
			r->eof = 1;
			r->pos = r->len = 0;
			return -2;
		}
		if (got == 0)
			r->eof = 1;
		r->len += (size_t)got;
	}
too_long:
	snprintf(err, errlen, "%s:%llu: line longer than %u bytes", r->path, (unsigned long long)r->line,
		 TRACE_LINE_MAX);
	return -1;
}

int trace_next(struct trace_reader *r, struct trace_rec *out, uint64_t *line_no, char *err, size_t errlen)
{
	for (;;) {
		const char *line;
		size_t len;
		char why[192];
		int rc = next_line(r, &line, &len, err, errlen);

		*line_no = r->line;
		if (rc <= 0)
			return rc == 0 ? 0 : rc;
		rc = trace_parse_line(r->format, line, len, out, why, sizeof(why));
		if (rc == 1)
			return 1;
		if (rc < 0) {
			snprintf(err, errlen, "%s:%llu: %s", r->path, (unsigned long long)r->line, why);
			return -1;
		}
	}
}

int trace_check(const char *path, enum trace_format f, uint64_t lines, char *err, size_t errlen)
{
	struct trace_reader *r = trace_open(path, f, err, errlen);
	struct trace_rec rec;
	uint64_t line = 0, records = 0;
	int rc = 0;

	if (!r)
		return -1;
	while (line < lines && (rc = trace_next(r, &rec, &line, err, errlen)) == 1)
		records++;
	trace_close(r);
	if (rc < 0)
		return -1;
	if (!records) {
		snprintf(err, errlen, "%s: holds no record", path);
		return -1;
	}
	return 0;
}
