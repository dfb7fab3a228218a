/*
 * test_timeseries.c - the per-second recorder: seconds counted from the
 * measurement start (warmup negative), rows emitted only for seconds every
 * worker is done with, empty seconds as rows of zeros, counts by outcome,
 * per-second percentiles, and the progress summary. Two "workers" are
 * driven from this one thread with made-up completion times.
 */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "timeseries.h"

#define S(x) ((uint64_t)((x) * 1e9))

static const struct ts_row *row_of(const struct ts_row *rows, size_t n, int64_t second, enum bench_op op)
{
	for (size_t i = 0; i < n; i++)
		if (rows[i].second == second && rows[i].op == op)
			return &rows[i];
	return NULL;
}

static void test_seconds_and_rows(void)
{
	struct ts *ts;
	struct ts_local *w0, *w1;
	struct ts_progress p;
	struct ts_row *rows;
	const struct ts_row *r;
	size_t n;
	unsigned mask = 1u << BENCH_OP_GET | 1u << BENCH_OP_SET;

	/* Measurement starts at 100 s; the phase (a 2 s warmup) at 98 s. */
	ts = ts_new(S(100), S(98), mask, 2);
	w0 = ts_local(ts, 0);
	w1 = ts_local(ts, 1);
	ts_record(w0, BENCH_OP_GET, BENCH_OK, S(98.5), 100000);
	ts_record(w1, BENCH_OP_GET, BENCH_MISS, S(98.1), 300000);
	ts_record(w0, BENCH_OP_GET, BENCH_OK, S(99.2), 200000);
	ts_record(w0, BENCH_OP_SET, BENCH_ERROR, S(100.1), -1);
	ts_record(w1, BENCH_OP_GET, BENCH_TIMEOUT, S(100.9), -1);
	/* Both reconnect in second 0 (w1 once more in second 1, below). */
	ts_reconnect(w0, S(100.95));
	ts_reconnect(w1, S(100.99));
	/* Nothing completes in second 1 (a stall). */
	ts_record(w0, BENCH_OP_GET, BENCH_OK, S(102.7), 2000000);

	/* w0 is in second 2, w1 still in second 0: only -2 and -1 are done. */
	ts_collect(ts, &p);
	CHECK_INT(p.second, -1);
	CHECK_INT(p.answered, 1);
	CHECK_INT(p.total_answered, 3);
	CHECK_INT(p.total_failed, 0);

	ts_reconnect(w1, S(101.5));
	ts_local_done(w0);
	ts_local_done(w1);
	ts_collect(ts, &p);
	CHECK_INT(p.second, 2);
	CHECK_INT(p.total_answered, 4);
	CHECK_INT(p.total_failed, 2);
	CHECK_INT(p.p99_ns / 10000, 2000000 / 10000); /* 2 ms within 1% */

	rows = ts_take_rows(ts, &n);
	/* A second's reconnects are on each op's row of it. */
	for (size_t i = 0; i < n; i++)
		CHECK_INT(rows[i].reconnects, rows[i].second == 0 ? 2 : rows[i].second == 1 ? 1 : 0);
	/* Seconds -2 .. 2, two ops each, in order. */
	CHECK_INT(n, 10);
	for (size_t i = 0; i + 1 < n; i++)
		CHECK(rows[i].second < rows[i + 1].second ||
		      (rows[i].second == rows[i + 1].second && rows[i].op < rows[i + 1].op));
	r = row_of(rows, n, -2, BENCH_OP_GET);
	CHECK(r && r->status[BENCH_OK] == 1 && r->status[BENCH_MISS] == 1);
	CHECK(r && r->p50_ns / 1000 == 100 && r->max_ns / 1000 >= 299 && r->max_ns / 1000 <= 301);
	r = row_of(rows, n, -2, BENCH_OP_SET);
	CHECK(r && r->status[BENCH_OK] == 0 && r->p50_ns == 0);
	r = row_of(rows, n, 0, BENCH_OP_SET);
	CHECK(r && r->status[BENCH_ERROR] == 1 && r->p50_ns == 0);
	r = row_of(rows, n, 0, BENCH_OP_GET);
	CHECK(r && r->status[BENCH_TIMEOUT] == 1 && r->status[BENCH_OK] == 0);
	r = row_of(rows, n, 1, BENCH_OP_GET);
	CHECK(r && r->status[BENCH_OK] == 0 && r->status[BENCH_TIMEOUT] == 0 && r->max_ns == 0);
	r = row_of(rows, n, 2, BENCH_OP_GET);
	CHECK(r && r->status[BENCH_OK] == 1 && r->p50_ns / 10000 == 200);
	free(rows);
	ts_free(ts);
}

/* A time just before the measurement start is second -1, not 0; one exactly
 * at it is second 0; no warmup means the first second is 0. */
static void test_boundaries(void)
{
	struct ts *ts;
	struct ts_row *rows;
	size_t n;

	ts = ts_new(S(50), S(50), 1u << BENCH_OP_GET, 1);
	ts_record(ts_local(ts, 0), BENCH_OP_GET, BENCH_OK, S(50), 1000);
	ts_record(ts_local(ts, 0), BENCH_OP_GET, BENCH_OK, S(50) + 999999999, 1000);
	ts_record(ts_local(ts, 0), BENCH_OP_GET, BENCH_OK, S(51), 1000);
	ts_local_done(ts_local(ts, 0));
	ts_collect(ts, NULL);
	rows = ts_take_rows(ts, &n);
	CHECK_INT(n, 2);
	CHECK(n == 2 && rows[0].second == 0 && rows[0].status[BENCH_OK] == 2);
	CHECK(n == 2 && rows[1].second == 1 && rows[1].status[BENCH_OK] == 1);
	free(rows);
	ts_free(ts);

	ts = ts_new(S(50), S(49.5), 1u << BENCH_OP_GET, 1);
	ts_record(ts_local(ts, 0), BENCH_OP_GET, BENCH_OK, S(50) - 1, 1000);
	ts_local_done(ts_local(ts, 0));
	ts_collect(ts, NULL);
	rows = ts_take_rows(ts, &n);
	CHECK(n == 1 && rows[0].second == -1);
	free(rows);
	ts_free(ts);
	ts_free(NULL);
}

int main(void)
{
	test_seconds_and_rows();
	test_boundaries();
	return check_report("timeseries");
}
