/*
 * run_trace.h - `bench run --trace N`: the first N commands of every phase
 * run (per target, sweep point, repeat and phase) with their replies, as
 * the drivers render them through struct bench_trace (driver.h), into
 * trace.log of the result directory (docs/csv-schema.md, "trace.log").
 *
 * Every line is bounded (RUN_TRACE_LINE_MAX), escaped for a terminal
 * (escape_terminal: a reply is the server's, and may be anything) and
 * scrubbed of every registered secret before it is written. Lines go to an
 * anonymous temporary file while the run lasts; the result directory gets
 * a copy when it is written.
 */
#ifndef BENCH_RUN_TRACE_H
#define BENCH_RUN_TRACE_H

#include <stdint.h>
#include <stdio.h>

#include "driver.h"

/* The longest line kept, in bytes before escaping; longer ones are cut
 * and end in "...". */
#define RUN_TRACE_LINE_MAX 512
/* The most commands --trace N keeps per phase run. */
#define RUN_TRACE_N_MAX 1000000

struct run_trace;

/* A trace keeping n commands per phase run. NULL with err[errlen] when no
 * temporary file could be made. Free with run_trace_free (NULL is ok). */
struct run_trace *run_trace_new(uint64_t n, char *err, size_t errlen);
void run_trace_free(struct run_trace *t);

/* A phase run starts: its header line, and the count starts again. Frees
 * the connections' traces of the previous phase run (no driver may still
 * hold them). sweep_value NULL: no sweep. */
void run_trace_phase(struct run_trace *t, const char *target, const char *driver, const char *phase,
		     uint64_t repeat, const char *sweep_value);

/* The trace for client `client`'s connection in this phase run, to set on
 * bench_conn.trace before open(). Owned by t. */
struct bench_trace *run_trace_client(struct run_trace *t, uint64_t client);

/* The connection was opened again: replies owed to the old one never
 * come, so the next reply is not one of theirs. */
void run_trace_reopened(struct bench_trace *bt);

/* Writes what was traced to f (a result directory's trace.log); 0, or -1
 * with errno. */
int run_trace_copy(struct run_trace *t, FILE *f);

#endif
