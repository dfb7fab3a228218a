/*
 * run_trace.c - `bench run --trace N` (run_trace.h).
 *
 * Which replies belong to traced commands: a connection's traced commands
 * are always its first ones of the phase run (the phase's count only
 * grows, so once one of its commands is not traced, none after it is),
 * and a server answers a connection's commands in order, so the first
 * `owed` replies read on it are theirs. A reconnect starts that over.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "run_trace.h"
#include "secret.h"
#include "util.h"

struct trace_conn {
	struct bench_trace base;        /* first: what the driver is lent */
	struct run_trace *t;
	uint64_t client;
	uint64_t owed;                  /* traced commands not yet answered */
	bool reply_kept;                /* the last REPLY was written: so are its MORE lines */
	struct trace_conn *next;
};

struct run_trace {
	FILE *f;
	uint64_t n;
	atomic_uint_fast64_t taken;     /* commands traced in this phase run */
	pthread_mutex_t mu;             /* one line at a time into f */
	struct trace_conn *conns;       /* this phase run's */
};

struct run_trace *run_trace_new(uint64_t n, char *err, size_t errlen)
{
	struct run_trace *t = xcalloc(1, sizeof(*t));

	t->f = tmpfile();
	if (!t->f) {
		snprintf(err, errlen, "--trace: no temporary file for the trace: %s", strerror(errno));
		free(t);
		return NULL;
	}
	t->n = n;
	atomic_init(&t->taken, 0);
	pthread_mutex_init(&t->mu, NULL);
	return t;
}

static void free_conns(struct run_trace *t)
{
	while (t->conns) {
		struct trace_conn *c = t->conns;

		t->conns = c->next;
		free(c);
	}
}

void run_trace_free(struct run_trace *t)
{
	if (!t)
		return;
	free_conns(t);
	fclose(t->f);
	pthread_mutex_destroy(&t->mu);
	free(t);
}

/* One line: bounded, every control byte made visible, secrets masked. */
static void put_line(struct run_trace *t, const char *head, const char *text, size_t len)
{
	struct sbuf sb = {0};
	char buf[RUN_TRACE_LINE_MAX + 4], *scrubbed;
	size_t n = len < RUN_TRACE_LINE_MAX ? len : RUN_TRACE_LINE_MAX;

	/* escape_terminal reads a C string: a NUL must not end the line early. */
	for (size_t i = 0; i < n; i++)
		buf[i] = text[i] ? text[i] : '?';
	memcpy(buf + n, n < len ? "..." : "", n < len ? 4 : 1);
	sbuf_addf(&sb, "%s", head);
	escape_terminal(&sb, buf);
	scrubbed = secret_scrub(sb.buf ? sb.buf : "");
	pthread_mutex_lock(&t->mu);
	fprintf(t->f, "%s\n", scrubbed);
	pthread_mutex_unlock(&t->mu);
	free(scrubbed);
	free(sb.buf);
}

static void trace_line(struct bench_trace *bt, enum bench_trace_kind kind, const char *text, size_t len)
{
	struct trace_conn *c = (struct trace_conn *)bt;
	struct run_trace *t = c->t;
	char head[48];

	if (kind == BENCH_TRACE_SENT) {
		/* Past n, taken stops growing: it cannot wrap. */
		if (atomic_load(&t->taken) >= t->n || atomic_fetch_add(&t->taken, 1) >= t->n)
			return;
		c->owed++;
		snprintf(head, sizeof(head), "client %llu > ", (unsigned long long)c->client);
	} else if (kind == BENCH_TRACE_REPLY) {
		c->reply_kept = c->owed > 0;
		if (!c->reply_kept)
			return;
		c->owed--;
		snprintf(head, sizeof(head), "client %llu < ", (unsigned long long)c->client);
	} else {
		if (!c->reply_kept)
			return;
		snprintf(head, sizeof(head), "client %llu <   ", (unsigned long long)c->client);
	}
	put_line(t, head, text, len);
}

/* What struct bench_trace's `active` says to the driver (run_trace.h):
 * more commands may be traced, a traced one awaits its reply, or the last
 * reply kept may have more lines. */
static void trace_line_active(struct bench_trace *bt, enum bench_trace_kind kind, const char *text, size_t len)
{
	struct trace_conn *c = (struct trace_conn *)bt;

	trace_line(bt, kind, text, len);
	bt->active = atomic_load(&c->t->taken) < c->t->n || c->owed > 0 || c->reply_kept;
}

void run_trace_phase(struct run_trace *t, const char *target, const char *driver, const char *phase,
		     uint64_t repeat, const char *sweep_value)
{
	char head[64];
	char *text;

	free_conns(t);
	atomic_store(&t->taken, 0);
	text = xasprintf("%s (driver %s), phase %s, repeat %llu%s%s: the first %llu commands and their replies ==",
			 target, driver, phase, (unsigned long long)repeat, sweep_value ? ", sweep value " : "",
			 sweep_value ? sweep_value : "", (unsigned long long)t->n);
	snprintf(head, sizeof(head), "== ");
	put_line(t, head, text, strlen(text));
	free(text);
}

struct bench_trace *run_trace_client(struct run_trace *t, uint64_t client)
{
	struct trace_conn *c = xcalloc(1, sizeof(*c));

	c->base.line = trace_line_active;
	c->base.active = t->n > 0;
	c->t = t;
	c->client = client;
	c->next = t->conns;
	t->conns = c;
	return &c->base;
}

void run_trace_reopened(struct bench_trace *bt)
{
	struct trace_conn *c = (struct trace_conn *)bt;

	c->owed = 0;
	c->reply_kept = false;
	bt->active = atomic_load(&c->t->taken) < c->t->n;
}

int run_trace_copy(struct run_trace *t, FILE *f)
{
	char buf[8192];
	size_t got;

	fflush(t->f);
	rewind(t->f);
	while ((got = fread(buf, 1, sizeof(buf), t->f)) > 0)
		if (fwrite(buf, 1, got, f) != got)
			return -1;
	if (ferror(t->f)) {
		errno = EIO;
		return -1;
	}
	fseek(t->f, 0, SEEK_END);
	return 0;
}
