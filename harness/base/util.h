/*
 * util.h - small helpers shared by the harness: clocks, allocation that
 * aborts on out-of-memory, string building, units, reading a whole file.
 */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit codes, the same for every subcommand (README.md, "Exit status"). */
enum bench_exit {
	BENCH_EXIT_OK = 0,
	BENCH_EXIT_ERRORS = 1,      /* finished, but errors over the limit / regression */
	BENCH_EXIT_USAGE = 2,       /* usage or invalid input */
	BENCH_EXIT_UNREACHABLE = 3  /* a target could not be reached */
};

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t util_now_ns(void);
/* Sleeps until CLOCK_MONOTONIC reads t (ns), through signals. */
void util_sleep_until_ns(uint64_t t);

/* Allocation that aborts with a message on OOM: callers never check. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* asprintf that aborts on OOM; caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Growable string. Zero-initialise; sb.buf is NUL-terminated (or NULL when
 * nothing was appended); free with free(sb.buf). */
struct sbuf {
	char *buf;
	size_t len, cap;
};
void sbuf_add(struct sbuf *sb, const char *s, size_t n);
void sbuf_addf(struct sbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_vaddf(struct sbuf *sb, const char *fmt, va_list ap);
/* Returns the text ("" when empty) and hands ownership to the caller. */
char *sbuf_take(struct sbuf *sb);

/*
 * Parses a duration: a number with a unit ns, us, ms, s, m or h ("500ms",
 * "30s", "2m"); a bare number means seconds. Returns 0 with *out_ns set, or
 * -1 when the text is not a non-negative duration.
 */
int util_parse_duration(const char *s, uint64_t *out_ns);

/*
 * Parses a byte size: a number with an optional unit B, KB, KiB, MB, MiB, GB,
 * GiB (KB = 1000, KiB = 1024); a bare number means bytes. Returns 0 or -1.
 */
int util_parse_size(const char *s, uint64_t *out);

/* Parses a whole non-negative integer (no sign, no junk). Returns 0 or -1. */
int util_parse_u64(const char *s, uint64_t *out);
/* Parses a finite double (no junk). Returns 0 or -1. */
int util_parse_double(const char *s, double *out);

/* Levenshtein distance between a and b, capped at 255. */
unsigned util_edit_distance(const char *a, const char *b);

/* The candidate closest to `word` when close enough to be a plausible typo,
 * else NULL. `candidates` ends with NULL. */
const char *util_suggest(const char *word, const char *const *candidates);

/* Writes all of buf to fd (retrying short writes). Returns 0 or -1. */
int util_write_all(int fd, const void *buf, size_t n);

/* Writes the whole string to path, creating it (mode 0666 less the umask,
 * as every result file); fails when path exists. Returns 0, or -1 with
 * errno set. */
int util_write_file(const char *path, const char *text);

/*
 * The one file reader: the whole file at path, at most max bytes, into a
 * NUL-terminated buffer in *out (the caller frees it; binary-safe: *len,
 * when len is not NULL, is its length). Returns 0, or -1 with *out NULL,
 * errno set (EFBIG for a file larger than max, EISDIR for a directory)
 * and err[errlen] naming the file: "PATH: cannot read WHAT: REASON" (what
 * NULL: "the file").
 */
int util_read_file(const char *path, size_t max, const char *what, char **out, size_t *len, char *err,
		   size_t errlen);

/* rm -r of a directory tree this process created. Returns 0 or -1. */
int util_remove_tree(const char *path);

/* UTC time as 20261123T220136Z into buf (>= 17 bytes); returns buf. */
char *util_utc_stamp(char *buf, size_t len);

#endif
