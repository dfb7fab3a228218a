/*
 * csvread.h - a strict, bounded RFC 4180 CSV reader: quoted fields, doubled
 * quotes, newlines and commas inside quotes, LF or CRLF line ends, a UTF-8
 * byte-order mark at the start. It never crashes or reads out of bounds on
 * any input: a record is capped at CSVR_MAX_RECORD bytes and CSVR_MAX_FIELDS
 * fields, and anything malformed stops the reader with a message naming
 * file:line and what is wrong.
 *
 * The reader does not interpret a header: the first record is a record.
 * Blank lines (nothing between two line ends) are skipped. A field bench
 * wrote with a ' before a formula character (escape_csv) is given back
 * without it (escape_csv_unprefix).
 */
#ifndef BENCH_CSVREAD_H
#define BENCH_CSVREAD_H

#include <stddef.h>

/* Limits of one record (quoted newlines included), checked while reading. */
#define CSVR_MAX_RECORD (64 * 1024)
#define CSVR_MAX_FIELDS 4096

struct csvr;

/*
 * Opens a file for reading; `path` also names it in messages. Returns 0
 * with *out set, or -1 with *out NULL, errno (ENOENT, EACCES, EISDIR, ...)
 * and "cannot read PATH: why" in err. Free with csvr_free().
 */
int csvr_open(const char *path, struct csvr **out, char *err, size_t errlen);

/*
 * Reads `len` bytes of memory (NUL bytes included, and they are an error
 * like in a file); `name` names it in messages. The memory is not copied
 * and must outlive the reader. Returns 0 with *out set. Free with csvr_free().
 */
int csvr_open_mem(const char *name, const void *data, size_t len, struct csvr **out);

/*
 * Reads the next record. Returns 1 when there is one (csvr_nfields,
 * csvr_field, csvr_line describe it until the next call), 0 at the end of
 * the input, -1 when the input is malformed or unreadable (csvr_error says
 * why). After -1 every call returns -1 again.
 */
int csvr_next(struct csvr *r);

/* The current record: its field count (>= 1), field i (0-based, NUL-
 * terminated, owned by the reader, valid until the next csvr_next or
 * csvr_free), and the line its first byte is on (1-based). */
size_t csvr_nfields(const struct csvr *r);
const char *csvr_field(const struct csvr *r, size_t i);
size_t csvr_line(const struct csvr *r);

/* The name given at open. */
const char *csvr_name(const struct csvr *r);

/* After csvr_next returned -1: "name:line: what is wrong" (or "name: ..."
 * for a read error). Owned by the reader. "" when there was no error. */
const char *csvr_error(const struct csvr *r);

/* Closes the file (if csvr_open opened it) and frees. NULL is a no-op. */
void csvr_free(struct csvr *r);

#endif
