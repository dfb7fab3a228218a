/*
 * trace.h - access traces replayed by a run phase (keyspace.trace,
 * docs/workload-format.md, "Trace replay"): the two line formats, a
 * streaming reader (plain, gzip through zlib, zstd through libzstd, told
 * apart by their magic bytes) that holds one fixed buffer whatever the
 * trace's length, the mapping of a trace's ops onto bench's, and of its
 * keys onto keys under the target's prefix.
 */
#ifndef BENCH_TRACE_H
#define BENCH_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "driver.h"

enum trace_format {
	TRACE_TWITTER = 0, /* timestamp_s,key,key_size,value_size,client_id,op,ttl_s */
	TRACE_CSV,         /* timestamp_us,key,op,value_size,ttl_s (header line optional) */
	TRACE__FORMAT_COUNT
};

/* The longest line a trace may have, and the largest value_size. */
#define TRACE_LINE_MAX 4096
#define TRACE_VALUE_MAX (1u << 20)
/* Every key bench sends is at most this long (memcached's limit); a trace
 * key is sent as it is only within TRACE_KEY_RAW_MAX, which leaves room
 * for the 3 bytes a driver adds to a key for its counter (incr: P~n:D,
 * docs/drivers.md). */
#define TRACE_KEY_MAX 250
#define TRACE_KEY_RAW_MAX 240
/* Lines workload validation reads before a run (exit 2 on the first bad one). */
#define TRACE_CHECK_LINES 1000

/* "twitter" or "csv"; -1 when name is neither. */
int trace_format_from_name(const char *name);
const char *trace_format_name(enum trace_format f);

/* One line of a trace. key points into the line it was parsed from. */
struct trace_rec {
	uint64_t ts_us;         /* the line's timestamp, in microseconds */
	const char *key;
	size_t key_len;
	enum bench_op op;       /* get, set, delete or incr */
	uint64_t value_size;    /* set: bytes written */
	uint64_t ttl_ms;        /* set: expiry, 0 = none */
};

/*
 * Parses one line (without its newline; a trailing '\r' is taken off).
 * Returns 1 with *out filled, 0 for a line that holds no record (the csv
 * format's header), -1 with a message in err (no file or line number:
 * the caller adds them).
 */
int trace_parse_line(enum trace_format f, const char *line, size_t len, struct trace_rec *out, char *err,
		     size_t errlen);

/*
 * The key bench sends for a trace key: prefix + "t:" + the key when every
 * byte of it is printable ASCII other than space (0x21..0x7e) and the whole
 * fits in TRACE_KEY_RAW_MAX bytes; otherwise prefix + "t#" + 32 hex digits of
 * a 128-bit hash of the key (two FNV-1a/splitmix64 hashes), so a key with
 * spaces, control bytes or too long for memcached still maps to one key
 * that no raw key can take ('#' is not in the raw form). out holds at
 * least TRACE_KEY_MAX bytes; returns the length written (no NUL). The
 * prefix is at most 64 bytes (workload.h), so both forms fit.
 */
size_t trace_map_key(const char *prefix, size_t prefix_len, const char *key, size_t key_len, char *out);

/* Which of `clients` clients replays a key: a hash of the trace key, so
 * one key is always one client's and its order is kept. */
uint64_t trace_key_owner(const char *key, size_t key_len, uint64_t clients);

struct trace_reader;

/* Opens path for reading (gzip and zstd by their magic bytes). Returns
 * NULL with a message naming the file in err. */
struct trace_reader *trace_open(const char *path, enum trace_format f, char *err, size_t errlen);
/*
 * The next record. Returns 1 with *out (valid until the next call), 0 at
 * the end, -1 for a malformed line (err is "FILE:LINE: message"; reading
 * goes on with the next line), -2 when the file cannot be read further
 * (I/O or decompression error; err names the file; the reader is at its
 * end). *line_no is the line's number (1-based).
 */
int trace_next(struct trace_reader *r, struct trace_rec *out, uint64_t *line_no, char *err, size_t errlen);
void trace_close(struct trace_reader *r);

/* Reads the first `lines` lines of path: 0 when they are well formed and
 * hold at least one record, -1 with "FILE:LINE: message" in err. */
int trace_check(const char *path, enum trace_format f, uint64_t lines, char *err, size_t errlen);

#endif
