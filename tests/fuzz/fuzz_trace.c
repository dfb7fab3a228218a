/*
 * fuzz_trace.c - libFuzzer target for the trace reader (harness/gen/trace.c).
 *
 * The input's first byte picks the format (even: twitter, odd: csv); the
 * rest is a trace file's bytes, read through trace_open/trace_next from a
 * temporary file, so gzip and zstd input (by their magic bytes) reach the
 * decoders. Every record must be sane: a key inside the line, of at least
 * one byte, an op the trace maps to (get, set, delete, incr), a value size
 * of at most TRACE_VALUE_MAX; its mapped key must start with the prefix
 * and fit memcached's TRACE_KEY_MAX; a malformed line must come with a
 * message that names the file and the line ("FILE:LINE: "), which is what
 * bench prints before exit 2. Each line is also given to trace_parse_line
 * directly. Never a crash, a leak or undefined behaviour; a broken
 * contract aborts, so libFuzzer keeps the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void broken(const char *what)
{
	fprintf(stderr, "fuzz_trace: contract broken: %s\n", what);
	abort();
}

static void check_rec(const struct trace_rec *r)
{
	char key[TRACE_KEY_MAX + 1];
	size_t n;

	if (r->key_len == 0 || !r->key)
		broken("a record without a key");
	if (r->op != BENCH_OP_GET && r->op != BENCH_OP_SET && r->op != BENCH_OP_DELETE && r->op != BENCH_OP_INCR)
		broken("an op the trace does not map to");
	if (r->value_size > TRACE_VALUE_MAX)
		broken("a value over TRACE_VALUE_MAX");
	n = trace_map_key("fz:", 3, r->key, r->key_len, key);
	if (n > TRACE_KEY_MAX || n < 5 || memcmp(key, "fz:t", 4) != 0)
		broken("a mapped key outside the prefix or too long");
	for (size_t i = 3; i < n; i++)
		if ((unsigned char)key[i] <= ' ' || key[i] == 0x7f)
			broken("a mapped key memcached cannot hold");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/fuzz_trace_XXXXXX", err[512], want[64];
	enum trace_format f;
	struct trace_reader *r;
	struct trace_rec rec;
	uint64_t line;
	int fd, rc;

	if (size < 1)
		return 0;
	f = data[0] & 1 ? TRACE_CSV : TRACE_TWITTER;
	/* Each line on its own. */
	for (size_t i = 1, start = 1; i <= size; i++) {
		if (i == size || data[i] == '\n') {
			char msg[256] = "";

			rc = trace_parse_line(f, (const char *)data + start, i - start, &rec, msg, sizeof(msg));
			if (rc == 1)
				check_rec(&rec);
			else if (rc < 0 && !msg[0])
				broken("a malformed line without a message");
			start = i + 1;
		}
	}
	/* The whole as a file. */
	fd = mkstemp(path);
	if (fd < 0)
		return 0;
	if (write(fd, data + 1, size - 1) != (ssize_t)(size - 1)) {
		close(fd);
		unlink(path);
		return 0;
	}
	close(fd);
	r = trace_open(path, f, err, sizeof(err));
	if (!r)
		broken("a file that exists could not be opened");
	while ((rc = trace_next(r, &rec, &line, err, sizeof(err))) != 0) {
		if (rc == 1) {
			check_rec(&rec);
			continue;
		}
		snprintf(want, sizeof(want), "%s%s", path, rc == -1 ? ":" : ": ");
		if (strncmp(err, want, strlen(want)) != 0)
			broken("an error that does not name the file (and line)");
		if (rc == -2)
			break;
	}
	trace_close(r);
	unlink(path);
	return 0;
}
