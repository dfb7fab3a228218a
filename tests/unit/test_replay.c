/*
 * test_replay.c - the trace formats, key mapping and owners, and the
 * streaming reader on plain, gzip and zstd files (trace.h), table-driven.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "check.h"
#include "trace.h"

struct line_case {
	enum trace_format f;
	const char *line;
	int rc;                 /* trace_parse_line's */
	uint64_t ts_us;
	const char *key;
	enum bench_op op;
	uint64_t value_size, ttl_ms;
	const char *err;        /* a piece of the message */
};

static const struct line_case lines[] = {
	{TRACE_TWITTER, "0,abc,3,0,7,get,0", 1, 0, "abc", BENCH_OP_GET, 0, 0, NULL},
	{TRACE_TWITTER, "12,k,1,300,1,set,60", 1, 12000000, "k", BENCH_OP_SET, 300, 60000, NULL},
	{TRACE_TWITTER, "1,a,b,c,1,10,2,cas,0\r", 1, 1000000, "a,b,c", BENCH_OP_SET, 10, 0, NULL},
	{TRACE_TWITTER, "1,k,1,0,1,gets,0", 1, 1000000, "k", BENCH_OP_GET, 0, 0, NULL},
	{TRACE_TWITTER, "1,k,1,5,1,add,0", 1, 1000000, "k", BENCH_OP_SET, 5, 0, NULL},
	{TRACE_TWITTER, "1,k,1,5,1,replace,0", 1, 1000000, "k", BENCH_OP_SET, 5, 0, NULL},
	{TRACE_TWITTER, "1,k,1,5,1,append,0", 1, 1000000, "k", BENCH_OP_SET, 5, 0, NULL},
	{TRACE_TWITTER, "1,k,1,5,1,prepend,0", 1, 1000000, "k", BENCH_OP_SET, 5, 0, NULL},
	{TRACE_TWITTER, "1,k,1,0,1,delete,0", 1, 1000000, "k", BENCH_OP_DELETE, 0, 0, NULL},
	{TRACE_TWITTER, "1,k,1,0,1,incr,0", 1, 1000000, "k", BENCH_OP_INCR, 0, 0, NULL},
	{TRACE_TWITTER, "1,k,1,0,1,decr,0", 1, 1000000, "k", BENCH_OP_INCR, 0, 0, NULL},
	{TRACE_TWITTER, "1,k,1,0,1,flush,0", -1, 0, NULL, 0, 0, 0, "unknown op 'flush'"},
	{TRACE_TWITTER, "1,k,1,0,get,0", -1, 0, NULL, 0, 0, 0, "fewer than the 7 fields"},
	{TRACE_TWITTER, "", -1, 0, NULL, 0, 0, 0, "fewer than the 7 fields"},
	{TRACE_TWITTER, "x1,k,1,0,1,get,0", -1, 0, NULL, 0, 0, 0, "timestamp not a whole number 'x1'"},
	{TRACE_TWITTER, "1,,1,0,1,get,0", -1, 0, NULL, 0, 0, 0, "empty key"},
	{TRACE_TWITTER, "1,k,1,-5,1,set,0", -1, 0, NULL, 0, 0, 0, "value_size not a whole number '-5'"},
	{TRACE_TWITTER, "1,k,1,1048577,1,set,0", -1, 0, NULL, 0, 0, 0, "value_size 1048577 is over"},
	{TRACE_TWITTER, "1,k,1,1,1,set,99999999999999999999", -1, 0, NULL, 0, 0, 0, "ttl not a whole number"},
	{TRACE_TWITTER, "99999999999999,k,1,1,1,set,0", -1, 0, NULL, 0, 0, 0, "timestamp too large"},
	{TRACE_CSV, "timestamp_us,key,op,value_size,ttl", 0, 0, NULL, 0, 0, 0, NULL},
	{TRACE_CSV, "1500,user:1,set,42,0", 1, 1500, "user:1", BENCH_OP_SET, 42, 0, NULL},
	{TRACE_CSV, "7,a b,get,0,0", 1, 7, "a b", BENCH_OP_GET, 0, 0, NULL},
	{TRACE_CSV, "7,k,get,0", -1, 0, NULL, 0, 0, 0, "fewer than the 5 fields of the csv format"},
	{TRACE_CSV, "7,k,got,0,0", -1, 0, NULL, 0, 0, 0, "unknown op 'got'"},
	{TRACE_CSV, "7,k,get,0,1\x01", -1, 0, NULL, 0, 0, 0, "ttl not a whole number '1?'"},
};

static void test_lines(void)
{
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		const struct line_case *t = &lines[i];
		struct trace_rec r;
		char err[256] = "";
		int rc = trace_parse_line(t->f, t->line, strlen(t->line), &r, err, sizeof(err));

		CHECK_INT(rc, t->rc);
		if (rc != t->rc)
			fprintf(stderr, "  line %zu: '%s': %s\n", i, t->line, err);
		if (rc == 1 && t->rc == 1) {
			CHECK_INT(r.ts_us, t->ts_us);
			CHECK_INT(r.key_len, strlen(t->key));
			CHECK(!memcmp(r.key, t->key, r.key_len));
			CHECK_INT(r.op, t->op);
			CHECK_INT(r.value_size, t->value_size);
			CHECK_INT(r.ttl_ms, t->ttl_ms);
		}
		if (t->err && !strstr(err, t->err)) {
			CHECK(!"message");
			fprintf(stderr, "  line %zu: '%s' not in '%s'\n", i, t->err, err);
		}
	}
	CHECK_INT(trace_format_from_name("twitter"), TRACE_TWITTER);
	CHECK_INT(trace_format_from_name("csv"), TRACE_CSV);
	CHECK_INT(trace_format_from_name("tsv"), -1);
}

static void test_keys(void)
{
	char out[TRACE_KEY_MAX + 1], out2[TRACE_KEY_MAX + 1], longkey[400];
	size_t n, n2;

	n = trace_map_key("bench:", 6, "user:42", 7, out);
	CHECK_INT(n, 6 + 2 + 7);
	CHECK(!memcmp(out, "bench:t:user:42", n));
	/* A space, a control byte: hashed, under the prefix, 32 hex digits. */
	n = trace_map_key("bench:", 6, "a b", 3, out);
	CHECK_INT(n, 6 + 2 + 32);
	CHECK(!memcmp(out, "bench:t#", 8));
	for (size_t i = 8; i < n; i++)
		CHECK(strchr("0123456789abcdef", out[i]) != NULL);
	n2 = trace_map_key("bench:", 6, "a\nb", 3, out2);
	CHECK(n2 == n && memcmp(out, out2, n) != 0); /* another key, another hash */
	n2 = trace_map_key("bench:", 6, "a b", 3, out2);
	CHECK(n2 == n && !memcmp(out, out2, n)); /* the same key, the same name */
	/* Too long for memcached with the prefix: hashed; exactly fitting: raw. */
	memset(longkey, 'x', sizeof(longkey));
	n = trace_map_key("p:", 2, longkey, 236, out);
	CHECK_INT(n, TRACE_KEY_RAW_MAX);
	CHECK(out[3] == ':');
	n = trace_map_key("p:", 2, longkey, 237, out);
	CHECK_INT(n, 2 + 2 + 32);
	CHECK(out[3] == '#');
	n = trace_map_key("p:", 2, longkey, sizeof(longkey), out);
	CHECK_INT(n, 2 + 2 + 32);
	/* Owners: in range, stable, and spread. */
	{
		unsigned seen[4] = {0};

		for (int i = 0; i < 1000; i++) {
			char k[16];
			int len = snprintf(k, sizeof(k), "key%d", i);
			uint64_t o = trace_key_owner(k, (size_t)len, 4);

			CHECK(o < 4);
			CHECK_INT(trace_key_owner(k, (size_t)len, 4), o);
			seen[o]++;
		}
		for (int c = 0; c < 4; c++)
			CHECK(seen[c] > 150);
	}
}

/* Writes text into a new temporary file as it is, gzipped or zstd'd. */
static char *write_file(const char *text, size_t len, int kind, size_t cut)
{
	char *path = strdup("/tmp/test_trace_XXXXXX");
	int fd = mkstemp(path);

	if (kind == 1) {
		gzFile gz = gzdopen(fd, "wb");

		gzwrite(gz, text, (unsigned)len);
		gzclose(gz);
	} else {
		size_t cap = kind == 2 ? ZSTD_compressBound(len) : len;
		char *buf = kind == 2 ? malloc(cap) : NULL;
		size_t n = kind == 2 ? ZSTD_compress(buf, cap, text, len, 3) : len;

		if (n > cut)
			n = cut;
		CHECK(write(fd, buf ? buf : text, n) == (ssize_t)n);
		free(buf);
		close(fd);
	}
	return path;
}

/* Reads path to its end: records, the last line number, bad lines, and
 * the rc that ended it. */
static int read_all(const char *path, enum trace_format f, uint64_t *records, uint64_t *bad, char *err, size_t errlen)
{
	struct trace_reader *r = trace_open(path, f, err, errlen);
	struct trace_rec rec;
	uint64_t line;
	int rc;

	*records = *bad = 0;
	if (!r)
		return -3;
	while ((rc = trace_next(r, &rec, &line, err, errlen)) != 0 && rc != -2) {
		if (rc == 1)
			(*records)++;
		else
			(*bad)++;
	}
	trace_close(r);
	return rc;
}

static void test_reader(void)
{
	/* 20000 lines (~600 KB) of which line 5000 is bad, and line 7000 far
	 * too long: more than the reader's buffer holds, in every form. */
	size_t cap = 2u << 20, len = 0;
	char *text = malloc(cap), err[512];
	uint64_t records, bad;

	for (int i = 1; i <= 20000; i++) {
		if (i == 5000)
			len += (size_t)snprintf(text + len, cap - len, "%d,k%d,2,10,1,frob,0\n", i, i);
		else if (i == 7000) {
			len += (size_t)snprintf(text + len, cap - len, "%d,", i);
			memset(text + len, 'y', 9000);
			len += 9000;
			len += (size_t)snprintf(text + len, cap - len, ",2,10,1,get,0\n");
		} else {
			len += (size_t)snprintf(text + len, cap - len, "%d,k%d,2,10,1,%s,0\n", i, i % 100,
						i % 3 ? "get" : "set");
		}
	}
	len--; /* the last line without its newline */
	for (int kind = 0; kind < 3; kind++) {
		char *path = write_file(text, len, kind, SIZE_MAX);

		CHECK_INT(read_all(path, TRACE_TWITTER, &records, &bad, err, sizeof(err)), 0);
		CHECK_INT(records, 19998);
		CHECK_INT(bad, 2);
		CHECK_INT(trace_check(path, TRACE_TWITTER, 4999, err, sizeof(err)), 0);
		CHECK_INT(trace_check(path, TRACE_TWITTER, 5000, err, sizeof(err)), -1);
		CHECK(strstr(err, ":5000: unknown op 'frob'") != NULL);
		unlink(path);
		free(path);
	}
	/* The line too long is named with its number. */
	{
		char *path = write_file(text, len, 0, SIZE_MAX);
		struct trace_reader *r = trace_open(path, TRACE_TWITTER, err, sizeof(err));
		struct trace_rec rec;
		uint64_t line = 0;
		int rc = 0;

		while (r && (rc = trace_next(r, &rec, &line, err, sizeof(err))) != 0 && line < 7000)
			;
		CHECK_INT(rc, -1);
		CHECK_INT(line, 7000);
		CHECK(strstr(err, ":7000: line longer than 4096 bytes") != NULL);
		CHECK_INT(trace_next(r, &rec, &line, err, sizeof(err)), 1);
		CHECK_INT(line, 7001);
		CHECK_INT(rec.ts_us, 7001000000u);
		trace_close(r);
		unlink(path);
		free(path);
	}
	/* zstd and gzip cut short: an error naming the file, not a silent end. */
	{
		char *path = write_file(text, len, 2, 5000);

		CHECK_INT(read_all(path, TRACE_TWITTER, &records, &bad, err, sizeof(err)), -2);
		CHECK(strstr(err, path) != NULL);
		unlink(path);
		free(path);
	}
	/* A missing file; a file with no record. */
	CHECK(trace_open("/nonexistent/trace", TRACE_CSV, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "/nonexistent/trace: cannot open") != NULL);
	{
		char *path = write_file("timestamp_us,key,op,value_size,ttl\n", 35, 0, SIZE_MAX);

		CHECK_INT(trace_check(path, TRACE_CSV, 10, err, sizeof(err)), -1);
		CHECK(strstr(err, "holds no record") != NULL);
		unlink(path);
		free(path);
	}
	free(text);
}

int main(void)
{
	test_lines();
	test_keys();
	test_reader();
	return check_report("test_trace");
}
