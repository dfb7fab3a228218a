/*
 * csvread.c - RFC 4180 reader. One byte at a time through a small pushback
 * stack, so the same state machine serves files and memory, and every limit
 * is checked before the buffer grows: the reader is meant to survive a
 * fuzzer, and bad input only ever ends in csvr_error().
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csvread.h"
#include "escape.h"
#include "util.h"

struct csvr {
	char *name;
	FILE *f;
	const unsigned char *mem;
	size_t mem_len, mem_pos;
	int back[4];          /* pushed-back bytes, last in first out */
	int n_back;
	bool started;         /* the byte-order mark has been looked for */
	size_t line;          /* line of the next byte to read */
	size_t rec_line;      /* line the current record starts on */
	char *buf;            /* the record's fields, each NUL-terminated */
	size_t len, cap;
	size_t *off;          /* where each field starts in buf */
	char **fields;        /* built from off once the record is complete */
	size_t n_fields, cap_fields;
	bool failed;
	char err[512];
};

static struct csvr *reader_new(const char *name)
{
	struct csvr *r = xcalloc(1, sizeof(*r));

	r->name = xstrdup(name);
	r->line = 1;
	r->cap = 256;
	r->buf = xmalloc(r->cap);
	r->cap_fields = 16;
	r->off = xmalloc(r->cap_fields * sizeof(*r->off));
	r->fields = xmalloc(r->cap_fields * sizeof(*r->fields));
	return r;
}

int csvr_open(const char *path, struct csvr **out, char *err, size_t errlen)
{
	struct stat st;
	FILE *f;
	int e;

	*out = NULL;
	f = fopen(path, "rb");
	e = errno;
	/* fopen succeeds on a directory; reading it fails later with a vaguer
	 * message, so say it here. */
	if (f && fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		f = NULL;
		e = EISDIR;
	}
	if (!f) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	*out = reader_new(path);
	(*out)->f = f;
	return 0;
}

int csvr_open_mem(const char *name, const void *data, size_t len, struct csvr **out)
{
	*out = reader_new(name);
	(*out)->mem = data;
	(*out)->mem_len = data ? len : 0;
	return 0;
}

void csvr_free(struct csvr *r)
{
	if (!r)
		return;
	if (r->f)
		fclose(r->f);
	free(r->name);
	free(r->buf);
	free(r->off);
	free(r->fields);
	free(r);
}

static int fail(struct csvr *r, size_t line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct csvr *r, size_t line, const char *fmt, ...)
{
	va_list ap;
	int n = line ? snprintf(r->err, sizeof(r->err), "%s:%zu: ", r->name, line)
		     : snprintf(r->err, sizeof(r->err), "%s: ", r->name);

	if (n < 0 || (size_t)n >= sizeof(r->err))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(r->err + n, sizeof(r->err) - (size_t)n, fmt, ap);
	va_end(ap);
	r->failed = true;
	return -1;
}

/* The next byte, or EOF at the end (or on a read error: see read_error). */
static int get(struct csvr *r)
{
	int c;

	if (r->n_back > 0)
		c = r->back[--r->n_back];
	else if (r->f)
		c = getc(r->f);
	else
		c = r->mem_pos < r->mem_len ? r->mem[r->mem_pos++] : EOF;
	if (c == '\n')
		r->line++;
	return c;
}

static void unget(struct csvr *r, int c)
{
	if (c == EOF)
		return;
	if (r->n_back == (int)(sizeof(r->back) / sizeof(r->back[0])))
		return; /* cannot happen: at most 3 bytes are ever pushed back */
	if (c == '\n')
		r->line--;
	r->back[r->n_back++] = c;
}

static bool read_error(struct csvr *r)
{
	return r->f && ferror(r->f);
}

/* Skips a UTF-8 byte-order mark (spreadsheets write one). */
static void skip_bom(struct csvr *r)
{
	static const int bom[3] = {0xEF, 0xBB, 0xBF};
	int got[3];
	int n = 0;

	r->started = true;
	while (n < 3 && (got[n] = get(r)) == bom[n])
		n++;
	if (n == 3)
		return;
	if (got[n] != EOF)
		unget(r, got[n]);
	while (n > 0)
		unget(r, got[--n]);
}

static int add_byte(struct csvr *r, int c)
{
	if (c == 0)
		return fail(r, r->line, "NUL byte: binary data, not CSV text");
	if (r->len + 1 >= CSVR_MAX_RECORD)
		return fail(r, r->rec_line, "record longer than %d bytes", CSVR_MAX_RECORD);
	if (r->len + 1 >= r->cap) {
		r->cap *= 2;
		r->buf = xrealloc(r->buf, r->cap);
	}
	r->buf[r->len++] = (char)c;
	return 0;
}

static int start_field(struct csvr *r)
{
	if (r->n_fields >= CSVR_MAX_FIELDS)
		return fail(r, r->rec_line, "more than %d fields", CSVR_MAX_FIELDS);
	if (r->n_fields == r->cap_fields) {
		r->cap_fields *= 2;
		r->off = xrealloc(r->off, r->cap_fields * sizeof(*r->off));
		r->fields = xrealloc(r->fields, r->cap_fields * sizeof(*r->fields));
	}
	r->off[r->n_fields++] = r->len;
	return 0;
}

/* The NUL ending a field is counted against the record limit too. */
static int end_field(struct csvr *r)
{
	if (r->len + 1 >= CSVR_MAX_RECORD)
		return fail(r, r->rec_line, "record longer than %d bytes", CSVR_MAX_RECORD);
	if (r->len + 1 >= r->cap) {
		r->cap *= 2;
		r->buf = xrealloc(r->buf, r->cap);
	}
	r->buf[r->len++] = '\0';
	return 0;
}

/* Reads a quoted field after its opening quote; returns the byte after the
 * closing quote (EOF included) or -2 on error. */
static int quoted_field(struct csvr *r)
{
	size_t opened = r->line;

	for (;;) {
		int c = get(r);

		if (c == EOF) {
			if (read_error(r))
				return -2;
			fail(r, opened, "unterminated quoted field (its closing quote is missing)");
			return -2;
		}
		if (c == '"') {
			c = get(r);
			if (c != '"')
				return c;
		}
		if (add_byte(r, c) < 0)
			return -2;
	}
}

/* Reads an unquoted field starting with c; returns the byte that ended it
 * or -2 on error. */
static int plain_field(struct csvr *r, int c)
{
	while (c != ',' && c != '\n' && c != '\r' && c != EOF) {
		if (c == '"') {
			fail(r, r->line, "quote inside an unquoted field (quote the whole field and double the quote)");
			return -2;
		}
		if (add_byte(r, c) < 0)
			return -2;
		c = get(r);
	}
	return c;
}

/* After a field: true at the end of the record, false before the next
 * field; -1 on a bad line end. */
static int field_end(struct csvr *r, int c)
{
	if (c == ',')
		return 0;
	if (c == '\n' || c == EOF)
		return 1;
	if (c == '\r') {
		c = get(r);
		if (c == '\n' || c == EOF)
			return 1;
		return fail(r, r->line, "carriage return not followed by a line feed");
	}
	return fail(r, r->line, "'%c' after a closing quote (expected a comma or the end of the line)",
		    c >= 0x20 && c < 0x7f ? c : '?');
}

static int read_record(struct csvr *r, int c)
{
	for (;;) {
		int end;

		if (start_field(r) < 0)
			return -1;
		c = c == '"' ? quoted_field(r) : plain_field(r, c);
		if (c == -2 || end_field(r) < 0)
			return -1;
		end = field_end(r, c);
		if (end < 0)
			return -1;
		if (end)
			return 1;
		c = get(r);
	}
}

/* True when c starts a blank line (consumed); false with c untouched. */
static bool blank_line(struct csvr *r, int c)
{
	int d;

	if (c == '\n')
		return true;
	if (c != '\r')
		return false;
	d = get(r);
	if (d == '\n')
		return true;
	unget(r, d);
	return false;
}

int csvr_next(struct csvr *r)
{
	int c;

	if (r->failed)
		return -1;
	if (!r->started)
		skip_bom(r);
	r->len = 0;
	r->n_fields = 0;
	do {
		r->rec_line = r->line;
		c = get(r);
	} while (blank_line(r, c));
	if (c == EOF) {
		if (read_error(r))
			return fail(r, 0, "read error: %s", strerror(errno));
		return 0;
	}
	if (read_record(r, c) < 0) {
		if (!r->err[0] || read_error(r))
			fail(r, 0, "read error: %s", strerror(errno));
		return -1;
	}
	if (read_error(r))
		return fail(r, 0, "read error: %s", strerror(errno));
	for (size_t i = 0; i < r->n_fields; i++) {
		r->fields[i] = r->buf + r->off[i];
		escape_csv_unprefix(r->fields[i]); /* bench's own mark against spreadsheet formulas */
	}
	return 1;
}

size_t csvr_nfields(const struct csvr *r)
{
	return r->n_fields;
}

const char *csvr_field(const struct csvr *r, size_t i)
{
	return i < r->n_fields ? r->fields[i] : NULL;
}

size_t csvr_line(const struct csvr *r)
{
	return r->rec_line;
}

const char *csvr_name(const struct csvr *r)
{
	return r->name;
}

const char *csvr_error(const struct csvr *r)
{
	return r->err;
}
