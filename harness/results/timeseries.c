/* timeseries.c - per-second rows, gathered from the workers once a second. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timeseries.h"
#include "util.h"

/* Per-second histograms need less precision than the run's: 2 significant
 * digits (1%) keep them at ~30 KiB each. */
#define TS_SIGFIGS 2

/* A second some worker has handed over but not all of them yet. */
struct ts_pending {
	int64_t second;
	uint64_t status[BENCH_OP__COUNT][BENCH_STATUS__COUNT];
	struct hist *lat[BENCH_OP__COUNT];
	uint64_t reconnects;
};

struct ts {
	uint64_t origin_ns;
	unsigned op_mask;
	int64_t next_second;            /* the next row to emit */
	pthread_mutex_t mu;             /* guards pending */
	struct ts_pending *pending;
	size_t n_pending, cap_pending;
	struct ts_row *rows;            /* main thread only */
	size_t n_rows, cap_rows;
	struct hist *scratch;           /* main thread: all ops of a second */
	struct ts_progress progress;
	size_t n_workers;
	struct ts_local workers[];
};

static struct hist *ts_hist(void)
{
	struct hist *h;
	char err[160];

	/* Constant bounds: only memory can fail, and that aborts. */
	if (hist_init(HIST_LATENCY_LOWEST, HIST_LATENCY_HIGHEST, TS_SIGFIGS, &h, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench: %s\n", err);
		abort();
	}
	return h;
}

/* floor((t - origin) / 1 s), for t before the origin too. */
static int64_t ts_second_of(const struct ts *ts, uint64_t t)
{
	int64_t d = (int64_t)(t - ts->origin_ns);

	return d >= 0 ? d / 1000000000 : -((-d + 999999999) / 1000000000);
}

struct ts *ts_new(uint64_t origin_ns, uint64_t start_ns, unsigned op_mask, size_t n_workers)
{
	struct ts *ts = xcalloc(1, sizeof(*ts) + n_workers * sizeof(ts->workers[0]));

	ts->origin_ns = origin_ns;
	ts->op_mask = op_mask;
	ts->next_second = ts_second_of(ts, start_ns);
	ts->n_workers = n_workers;
	ts->progress.second = INT64_MIN;
	ts->scratch = ts_hist();
	pthread_mutex_init(&ts->mu, NULL);
	for (size_t i = 0; i < n_workers; i++) {
		struct ts_local *l = &ts->workers[i];

		l->ts = ts;
		l->second = ts->next_second;
		l->second_end_ns = origin_ns + (uint64_t)((l->second + 1) * 1000000000);
		atomic_init(&l->done_below, l->second);
		for (int op = 0; op < BENCH_OP__COUNT; op++)
			if (op_mask & (1u << op))
				l->lat[op] = ts_hist();
	}
	return ts;
}

static void ts_pending_free(struct ts_pending *p)
{
	for (int op = 0; op < BENCH_OP__COUNT; op++)
		hist_free(p->lat[op]);
}

void ts_free(struct ts *ts)
{
	if (!ts)
		return;
	for (size_t i = 0; i < ts->n_workers; i++)
		for (int op = 0; op < BENCH_OP__COUNT; op++)
			hist_free(ts->workers[i].lat[op]);
	for (size_t i = 0; i < ts->n_pending; i++)
		ts_pending_free(&ts->pending[i]);
	free(ts->pending);
	free(ts->rows);
	hist_free(ts->scratch);
	pthread_mutex_destroy(&ts->mu);
	free(ts);
}

struct ts_local *ts_local(struct ts *ts, size_t i)
{
	return &ts->workers[i];
}

/* The pending entry of `second`, created if needed. Caller holds mu. */
static struct ts_pending *ts_pending_get(struct ts *ts, int64_t second)
{
	struct ts_pending *p;

	for (size_t i = 0; i < ts->n_pending; i++)
		if (ts->pending[i].second == second)
			return &ts->pending[i];
	if (ts->n_pending == ts->cap_pending) {
		ts->cap_pending = ts->cap_pending ? 2 * ts->cap_pending : 8;
		ts->pending = xrealloc(ts->pending, ts->cap_pending * sizeof(*ts->pending));
	}
	p = &ts->pending[ts->n_pending++];
	memset(p, 0, sizeof(*p));
	p->second = second;
	for (int op = 0; op < BENCH_OP__COUNT; op++)
		if (ts->op_mask & (1u << op))
			p->lat[op] = ts_hist();
	return p;
}

/* Moves the local second into its pending entry. */
static void ts_hand_over(struct ts_local *l)
{
	struct ts *ts = l->ts;
	struct ts_pending *p;

	if (!l->dirty)
		return;
	pthread_mutex_lock(&ts->mu);
	p = ts_pending_get(ts, l->second);
	for (int op = 0; op < BENCH_OP__COUNT; op++) {
		if (!l->lat[op])
			continue;
		for (int st = 0; st < BENCH_STATUS__COUNT; st++)
			p->status[op][st] += l->status[op][st];
		hist_merge(p->lat[op], l->lat[op]);
	}
	p->reconnects += l->reconnects;
	pthread_mutex_unlock(&ts->mu);
	for (int op = 0; op < BENCH_OP__COUNT; op++)
		if (l->lat[op])
			hist_reset(l->lat[op]);
	memset(l->status, 0, sizeof(l->status));
	l->reconnects = 0;
	l->dirty = 0;
}

void ts_roll(struct ts_local *l, uint64_t now_ns)
{
	int64_t s = ts_second_of(l->ts, now_ns);

	ts_hand_over(l);
	l->second = s;
	l->second_end_ns = l->ts->origin_ns + (uint64_t)((s + 1) * 1000000000);
	atomic_store_explicit(&l->done_below, s, memory_order_release);
}

void ts_local_done(struct ts_local *l)
{
	ts_hand_over(l);
	atomic_store_explicit(&l->done_below, INT64_MAX, memory_order_release);
}

static struct ts_row *ts_new_row(struct ts *ts)
{
	if (ts->n_rows == ts->cap_rows) {
		ts->cap_rows = ts->cap_rows ? 2 * ts->cap_rows : 64;
		ts->rows = xrealloc(ts->rows, ts->cap_rows * sizeof(*ts->rows));
	}
	return memset(&ts->rows[ts->n_rows++], 0, sizeof(*ts->rows));
}

/* Emits the rows of `second` from p (NULL: nothing happened in it). */
static void ts_emit(struct ts *ts, int64_t second, const struct ts_pending *p)
{
	struct ts_progress *pr = &ts->progress;

	hist_reset(ts->scratch);
	pr->second = second;
	pr->answered = pr->failed = 0;
	for (int op = 0; op < BENCH_OP__COUNT; op++) {
		struct ts_row *r;

		if (!(ts->op_mask & (1u << op)))
			continue;
		r = ts_new_row(ts);
		r->second = second;
		r->op = (enum bench_op)op;
		if (!p)
			continue;
		r->reconnects = p->reconnects;
		memcpy(r->status, p->status[op], sizeof(r->status));
		if (hist_count(p->lat[op])) {
			r->p50_ns = hist_percentile(p->lat[op], 50);
			r->p99_ns = hist_percentile(p->lat[op], 99);
			r->max_ns = hist_max(p->lat[op]);
			hist_merge(ts->scratch, p->lat[op]);
		}
		pr->answered += r->status[BENCH_OK] + r->status[BENCH_MISS];
		pr->failed += r->status[BENCH_ERROR] + r->status[BENCH_TIMEOUT] + r->status[BENCH_DISCONNECTED];
	}
	pr->p99_ns = hist_percentile(ts->scratch, 99);
	pr->total_answered += pr->answered;
	pr->total_failed += pr->failed;
}

void ts_collect(struct ts *ts, struct ts_progress *out)
{
	int64_t upto = INT64_MAX, last = INT64_MIN;

	for (size_t i = 0; i < ts->n_workers; i++) {
		int64_t d = atomic_load_explicit(&ts->workers[i].done_below, memory_order_acquire);

		if (d < upto)
			upto = d;
	}
	pthread_mutex_lock(&ts->mu);
	/* With every worker done, the last second is the last one seen. */
	if (upto == INT64_MAX) {
		for (size_t i = 0; i < ts->n_pending; i++)
			if (ts->pending[i].second > last)
				last = ts->pending[i].second;
		upto = last == INT64_MIN ? ts->next_second : last + 1;
	}
	for (; ts->next_second < upto; ts->next_second++) {
		struct ts_pending *p = NULL;
		size_t k;

		for (k = 0; k < ts->n_pending; k++)
			if (ts->pending[k].second == ts->next_second) {
				p = &ts->pending[k];
				break;
			}
		ts_emit(ts, ts->next_second, p);
		if (p) {
			ts_pending_free(p);
			ts->pending[k] = ts->pending[--ts->n_pending];
		}
	}
	pthread_mutex_unlock(&ts->mu);
	if (out)
		*out = ts->progress;
}

struct ts_row *ts_take_rows(struct ts *ts, size_t *n)
{
	struct ts_row *rows = ts->rows;

	*n = ts->n_rows;
	ts->rows = NULL;
	ts->n_rows = ts->cap_rows = 0;
	return rows;
}
