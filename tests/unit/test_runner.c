/*
 * test_runner.c - the runner against an in-test driver that records every
 * request: exact counts, determinism per client, mix proportions, warmup
 * kept apart, coordinated-omission correction in open loop, and shards
 * (bench run --shard) sending exactly what one run sends; a trace
 * replayed with each key's requests on one client in the trace's order.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "registry.h"
#include "runner.h"
#include "shard.h"
#include "util.h"
#include "watch.h"

#define MAX_CONNS 64

/* What the recording driver saw, per connection, in open order (the runner
 * opens client 0, 1, ... in turn from one thread). */
struct record {
	uint64_t hash;           /* FNV-1a over op, key and value length */
	uint64_t calls;          /* exec() calls */
	uint64_t sets_after_get; /* sets whose key was the previous call's last get */
	uint64_t max_id;         /* largest record number in a key */
	char last_get[32];
	uint64_t requests;
	uint64_t by_op[BENCH_OP__COUNT];
	uint64_t distinct_sizes; /* bit per value length < 64 seen */
};

static struct record records[MAX_CONNS];
static int n_conns;
static uint64_t stall_at;    /* request number (global) that sleeps 100 ms; 0 = none */
static uint64_t seen;

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211u;
	return h;
}

/* The decimal number at s[from..len): keys and arguments the harness
 * sends are not NUL-terminated, so strtoull would read past them. */
static uint64_t number_at(const char *s, size_t from, size_t len)
{
	uint64_t n = 0;

	for (size_t i = from; i < len && s[i] >= '0' && s[i] <= '9'; i++)
		n = n * 10 + (uint64_t)(s[i] - '0');
	return n;
}

/* The record number of a "t:" key. */
static uint64_t key_number(const char *key, size_t len)
{
	return number_at(key, 2, len);
}

static int rec_open(struct bench_conn *c)
{
	struct record *r = &records[n_conns++];

	memset(r, 0, sizeof(*r));
	r->hash = 14695981039346656037u;
	c->priv = r;
	return 0;
}

static void rec_close(struct bench_conn *c)
{
	c->priv = NULL;
}

static int rec_exec(struct bench_conn *c, struct bench_request *reqs, size_t n)
{
	struct record *r = c->priv;
	char last_get[32] = "";

	r->calls++;
	for (size_t i = 0; i < n; i++) {
		uint64_t id = key_number(reqs[i].key, reqs[i].key_len);

		if (id > r->max_id)
			r->max_id = id;
		if (reqs[i].op == BENCH_OP_GET && reqs[i].key_len < sizeof(last_get))
			snprintf(last_get, sizeof(last_get), "%.*s", (int)reqs[i].key_len, reqs[i].key);
		if (reqs[i].op == BENCH_OP_SET && n == 1 && strlen(r->last_get) == reqs[i].key_len &&
		    memcmp(r->last_get, reqs[i].key, reqs[i].key_len) == 0)
			r->sets_after_get++;
		r->hash = fnv(r->hash, &reqs[i].op, sizeof(reqs[i].op));
		r->hash = fnv(r->hash, reqs[i].key, reqs[i].key_len);
		r->hash = fnv(r->hash, &reqs[i].value_len, sizeof(reqs[i].value_len));
		r->requests++;
		r->by_op[reqs[i].op]++;
		if (reqs[i].op == BENCH_OP_SET && reqs[i].value_len < 64)
			r->distinct_sizes |= 1ull << reqs[i].value_len;
		reqs[i].status = reqs[i].op > BENCH_OP_DELETE ? BENCH_UNSUPPORTED : BENCH_OK;
		if (stall_at && __atomic_add_fetch(&seen, 1, __ATOMIC_RELAXED) == stall_at) {
			/* A server that stalls once for 100 ms. */
			struct timespec ts = {0, 100000000};

			nanosleep(&ts, NULL);
		}
	}
	memcpy(r->last_get, last_get, sizeof(last_get));
	return 0;
}

/* The same recorder behind the event-driven hooks: a pipe per connection
 * stands for the socket; submit records the batch and makes the pipe
 * readable, on_readable completes it. */
struct ev_state {
	int fds[2];
};

static struct ev_state ev_states[MAX_CONNS];

static int ev_open(struct bench_conn *c)
{
	struct ev_state *e = &ev_states[n_conns];

	if (pipe(e->fds) < 0)
		return -1;
	return rec_open(c);
}

static void ev_close(struct bench_conn *c)
{
	struct record *r = c->priv;
	struct ev_state *e = &ev_states[r - records];

	close(e->fds[0]);
	close(e->fds[1]);
	rec_close(c);
}

static int ev_fd(struct bench_conn *c)
{
	struct record *r = c->priv;

	return ev_states[r - records].fds[0];
}

static int ev_submit(struct bench_conn *c, struct bench_request *reqs, size_t n)
{
	struct record *r = c->priv;
	char b = 1;

	c->driver->exec(c, reqs, n); /* rec_exec, or args_exec */
	return write(ev_states[r - records].fds[1], &b, 1) == 1 ? 1 : -1;
}

static int ev_flush(struct bench_conn *c)
{
	(void)c;
	return 1;
}

static int ev_readable(struct bench_conn *c)
{
	struct record *r = c->priv;
	char b;

	return read(ev_states[r - records].fds[0], &b, 1) == 1 ? 1 : -1;
}

static void ev_expire(struct bench_conn *c)
{
	bench_conn_lost(c, "expired");
}

static const struct bench_driver ev_recorder = {
	.name = "ev-recorder",
	.abi_version = BENCH_DRIVER_ABI,
	.caps = BENCH_CAP_KV,
	.description = "records requests through the event hooks (tests)",
	.open = ev_open,
	.close = ev_close,
	.exec = rec_exec,
	.event_fd = ev_fd,
	.submit = ev_submit,
	.flush = ev_flush,
	.on_readable = ev_readable,
	.expire = ev_expire,
};

static const struct bench_driver *driver_under_test;

static const struct bench_driver recorder = {
	.name = "recorder",
	.abi_version = BENCH_DRIVER_ABI,
	.caps = BENCH_CAP_KV,
	.description = "records requests (tests)",
	.open = rec_open,
	.close = rec_close,
	.exec = rec_exec,
};

static struct workload *make_workload(uint64_t seed, enum dist_kind kind)
{
	struct workload *w = xcalloc(1, sizeof(*w));
	struct wl_phase *ph = xcalloc(1, sizeof(*ph));

	w->name = "runner-test";
	w->seed = seed;
	w->keyspace.records = 1000;
	w->keyspace.prefix = "t:";
	dist_params_default(&w->keyspace.dist, kind, 1000);
	w->values.size_min = 1;
	w->values.size_max = 40;
	w->repeat = 1;
	ph->name = "run";
	ph->type = WL_PHASE_RUN;
	ph->ops = 1000000;
	ph->clients = 4;
	ph->pipeline = 3;
	ph->mix[BENCH_OP_GET] = 0.5;
	ph->mix[BENCH_OP_SET] = 0.3;
	ph->mix[BENCH_OP_DELETE] = 0.2;
	w->phases = ph;
	w->n_phases = 1;
	return w;
}

static void free_workload(struct workload *w)
{
	free(w->phases);
	free(w);
}

static void free_result(struct phase_result *p)
{
	for (int op = 0; op < BENCH_OP__COUNT; op++)
		op_stats_free(&p->ops[op]);
	free(p->series);
	p->series = NULL;
}

static const struct bench_target target = {.name = "rec", .prefix = "t:"};

/* Runs w's phase; copies the per-client records into out. */
static void run(struct workload *w, struct record out[MAX_CONNS], struct phase_result *res, struct phase_result *warm)
{
	n_conns = 0;
	memset(res, 0, sizeof(*res));
	CHECK_INT(runner_run_phase(w, &w->phases[0], 1, driver_under_test, &target, NULL, res, warm), 0);
	CHECK_STR(res->engine, BENCH_DRIVER_HAS_EVENTS(driver_under_test) ? "event" : "blocking");
	memcpy(out, records, sizeof(records));
}

static void test_counts_and_determinism(void)
{
	static struct record a[MAX_CONNS], b[MAX_CONNS], c[MAX_CONNS];
	struct workload *w = make_workload(42, DIST_ZIPFIAN);
	struct phase_result ra, rb, rc;
	uint64_t total = 0, by_op[BENCH_OP__COUNT] = {0};

	run(w, a, &ra, NULL);
	CHECK_INT(n_conns, 4);
	for (int i = 0; i < 4; i++) {
		total += a[i].requests;
		for (int op = 0; op < BENCH_OP__COUNT; op++)
			by_op[op] += a[i].by_op[op];
		/* 10^6 ops over 4 clients: exactly 250000 each. */
		CHECK_INT(a[i].requests, 250000);
	}
	CHECK_INT(total, 1000000);
	/* The result counts exactly what the server saw. */
	for (int op = 0; op < BENCH_OP__COUNT; op++) {
		CHECK_INT(ra.ops[op].status[BENCH_OK], by_op[op]);
		CHECK_INT(ra.ops[op].lat ? hist_count(ra.ops[op].lat) : 0, by_op[op]);
	}
	/* Mix proportions over 10^6 draws within 5 standard deviations. */
	CHECK(by_op[BENCH_OP_GET] > 497500 && by_op[BENCH_OP_GET] < 502500);
	CHECK(by_op[BENCH_OP_SET] > 297710 && by_op[BENCH_OP_SET] < 302290);
	CHECK(by_op[BENCH_OP_DELETE] > 198000 && by_op[BENCH_OP_DELETE] < 202000);
	/* Value sizes drawn over the whole range 1..40. */
	CHECK_INT(__builtin_popcountll(a[0].distinct_sizes), 40);

	/* Same seed: every client sends the same sequence, whatever the timing. */
	run(w, b, &rb, NULL);
	for (int i = 0; i < 4; i++)
		CHECK(a[i].hash == b[i].hash);
	/* Clients draw different streams. */
	CHECK(a[0].hash != a[1].hash);

	/* Another seed: different sequences. */
	w->seed = 43;
	run(w, c, &rc, NULL);
	for (int i = 0; i < 4; i++)
		CHECK(a[i].hash != c[i].hash);
	free_result(&ra);
	free_result(&rb);
	free_result(&rc);
	free_workload(w);
}

static void test_warmup_apart(void)
{
	static struct record a[MAX_CONNS];
	struct workload *w = make_workload(7, DIST_UNIFORM);
	struct phase_result res, warm = {0};
	uint64_t measured = 0, warmed = 0, sent = 0;

	w->phases[0].ops = 2000;
	w->phases[0].warmup_ns = 200000000; /* 200 ms */
	run(w, a, &res, &warm);
	for (int op = 0; op < BENCH_OP__COUNT; op++) {
		measured += op_stats_total(&res.ops[op]);
		warmed += op_stats_total(&warm.ops[op]);
	}
	for (int i = 0; i < n_conns; i++)
		sent += a[i].requests;
	CHECK(warm.warmup);
	CHECK(!res.warmup);
	/* The measured part is exactly the ops asked for; the rest of what the
	 * server saw was warmup, counted apart. */
	CHECK_INT(measured, 2000);
	CHECK(warmed > 0);
	CHECK_INT(sent, measured + warmed);
	free_result(&res);
	free_result(&warm);
	free_workload(w);
}

/* One 100 ms stall at 2000 requests/s: in open loop the ~200 requests
 * scheduled during it are charged for their wait (corrected latency); in
 * closed loop the two measures are the same. Only lower bounds are checked,
 * which a slower machine can only make larger. */
static void test_coordinated_omission(void)
{
	static struct record a[MAX_CONNS];
	struct workload *w = make_workload(9, DIST_UNIFORM);
	struct phase_result open, closed;
	struct wl_phase *ph = &w->phases[0];
	struct hist *all = hist_new_latency(), *all_unc = hist_new_latency();

	ph->clients = 1;
	ph->pipeline = 1;
	ph->ops = 400;
	ph->rate = 2000;
	seen = 0;
	stall_at = 100;
	run(w, a, &open, NULL);
	for (int op = 0; op < BENCH_OP__COUNT; op++) {
		const struct op_stats *s = &open.ops[op];

		if (!s->lat)
			continue;
		CHECK_INT(hist_merge(all, s->lat), 0);
		CHECK_INT(hist_merge(all_unc, s->lat_uncorrected), 0);
	}
	CHECK_INT(hist_count(all), 400);
	/* Corrected latency is never below the uncorrected one. */
	CHECK(hist_percentile(all, 50) >= hist_percentile(all_unc, 50));
	CHECK(hist_max(all) >= 100000000);
	/* Requests scheduled in the stall's first 80 ms (~160 of 400) waited at
	 * least 20 ms for it: the corrected 60th percentile shows that. */
	CHECK(hist_percentile(all, 60) >= 20000000);

	ph->rate = 0;
	seen = 0;
	run(w, a, &closed, NULL);
	for (int op = 0; op < BENCH_OP__COUNT; op++) {
		const struct op_stats *s = &closed.ops[op];

		if (!s->lat)
			continue;
		/* Closed loop: both measures are the same measurement. */
		CHECK_INT(hist_count(s->lat), hist_count(s->lat_uncorrected));
		CHECK_INT(hist_max(s->lat), hist_max(s->lat_uncorrected));
		CHECK_INT(hist_percentile(s->lat, 90), hist_percentile(s->lat_uncorrected, 90));
	}
	stall_at = 0;
	hist_free(all);
	hist_free(all_unc);
	free_result(&open);
	free_result(&closed);
	free_workload(w);
}

/* insert: new keys past the keyspace, never sent as anything but a set;
 * rmw: a get, then a set of the same key in the next call, once each. */
static void test_insert_and_rmw(void)
{
	static struct record a[MAX_CONNS];
	struct workload *w = make_workload(11, DIST_LATEST);
	struct wl_phase *ph = &w->phases[0];
	struct phase_result res;
	uint64_t sets_after_get = 0, calls = 0;

	ph->clients = 2;
	ph->pipeline = 1;
	ph->ops = 2000;
	memset(ph->mix, 0, sizeof(ph->mix));
	ph->mix[BENCH_OP_INSERT] = 0.5;
	ph->mix[BENCH_OP_RMW] = 0.5;
	run(w, a, &res, NULL);
	for (int i = 0; i < 2; i++) {
		sets_after_get += a[i].sets_after_get;
		calls += a[i].calls;
		/* The driver only ever saw gets and sets. */
		CHECK_INT(a[i].by_op[BENCH_OP_INSERT] + a[i].by_op[BENCH_OP_RMW] + a[i].by_op[BENCH_OP_DELETE], 0);
		/* Inserts went past the 1000 loaded records. */
		CHECK(a[i].max_id >= 1000);
	}
	CHECK_INT(op_stats_total(&res.ops[BENCH_OP_INSERT]) + op_stats_total(&res.ops[BENCH_OP_RMW]), 2000);
	CHECK_INT(res.ops[BENCH_OP_INSERT].status[BENCH_OK], op_stats_total(&res.ops[BENCH_OP_INSERT]));
	CHECK_INT(res.ops[BENCH_OP_RMW].status[BENCH_OK], op_stats_total(&res.ops[BENCH_OP_RMW]));
	/* Every rmw became a get followed by a set of the same key. */
	CHECK_INT(sets_after_get, op_stats_total(&res.ops[BENCH_OP_RMW]));
	CHECK_INT(calls, 2000 + op_stats_total(&res.ops[BENCH_OP_RMW]));
	CHECK_INT(op_stats_total(&res.ops[BENCH_OP_GET]) + op_stats_total(&res.ops[BENCH_OP_SET]), 0);
	free_result(&res);
	free_workload(w);
}

/* ---- op arguments: a driver that checks every request it gets ---- */

static uint64_t arg_seen[BENCH_OP__COUNT], arg_bad[BENCH_OP__COUNT];

/* The record number in a "t:" key. */
static uint64_t key_id(const struct bench_request *r)
{
	return key_number(r->key, r->key_len);
}

static int arg_is(const struct bench_request *r, const char *want)
{
	return r->arg && r->arg_len == strlen(want) && memcmp(r->arg, want, r->arg_len) == 0;
}

static int args_exec(struct bench_conn *c, struct bench_request *reqs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct bench_request *r = &reqs[i];
		char want[64];
		int ok = 1;

		snprintf(want, sizeof(want), "c%llu", (unsigned long long)(key_id(r) % 7));
		switch (r->op) {
		case BENCH_OP_SET: /* 3 fields of 8 bytes, and the record's category */
			ok = r->fields == 3 && r->value_len == 24 && arg_is(r, want);
			break;
		case BENCH_OP_QUERY:
			ok = arg_is(r, want) && r->count == 5;
			break;
		case BENCH_OP_RANGE:
			ok = r->count >= 3 && r->count <= 6 && !r->arg;
			break;
		case BENCH_OP_FUZZY: /* matches 100: the key without its last 2 digits */
			ok = !r->fuzzy_substring && r->arg == NULL ? 0 :
			     r->arg_len == r->key_len - 2 && memcmp(r->arg, r->key, r->arg_len) == 0;
			break;
		case BENCH_OP_HSET:
			ok = r->arg && r->arg[0] == 'f' && number_at(r->arg, 1, r->arg_len) < 9 && r->value_len == 8;
			break;
		case BENCH_OP_LPUSH:
			ok = r->count == 11 && r->value_len == 8;
			break;
		case BENCH_OP_ZADD:
			ok = r->arg && r->arg[0] == 'm' && r->score >= 0 && r->score < 9;
			break;
		case BENCH_OP_ZRANGEBYSCORE:
			ok = r->count == 4 && r->score_max - r->score == 3;
			break;
		default:
			break;
		}
		/* Clients run on threads of their own. */
		__atomic_fetch_add(&arg_seen[r->op], 1, __ATOMIC_RELAXED);
		/* As rec_exec hashes them: the KV requests, in order. */
		if (r->op <= BENCH_OP_DELETE) {
			struct record *rec = c->priv;

			rec->hash = fnv(rec->hash, &r->op, sizeof(r->op));
			rec->hash = fnv(rec->hash, r->key, r->key_len);
			rec->hash = fnv(rec->hash, &r->value_len, sizeof(r->value_len));
		}
		__atomic_fetch_add(&arg_bad[r->op], !ok, __ATOMIC_RELAXED);
		/* Some misses, by key: both engines must count them alike. */
		r->status = key_id(r) % 5 == 0 ? BENCH_MISS : BENCH_OK;
		r->items_out = r->op == BENCH_OP_RANGE && r->status == BENCH_OK ? r->count : 0;
	}
	return 0;
}

static const struct bench_driver args_checker = {
	.name = "args",
	.abi_version = BENCH_DRIVER_ABI,
	.caps = BENCH_CAP_KV | BENCH_CAP_RANGE | BENCH_CAP_QUERY | BENCH_CAP_FUZZY | BENCH_CAP_STRUCTURES |
		BENCH_CAP_INCR,
	.description = "checks op arguments (tests)",
	.open = rec_open,
	.close = rec_close,
	.exec = args_exec,
};

/* d behind ev_recorder's event hooks (its exec answers through them). */
static void with_ev_hooks(const struct bench_driver *d, struct bench_driver *out)
{
	*out = *d;
	out->open = ev_recorder.open;
	out->close = ev_recorder.close;
	out->event_fd = ev_recorder.event_fd;
	out->submit = ev_recorder.submit;
	out->flush = ev_recorder.flush;
	out->on_readable = ev_recorder.on_readable;
	out->expire = ev_recorder.expire;
}

/* Runs test_op_args's phase on drv into *res and per-client records. */
static void run_op_args(struct workload *w, const struct bench_driver *drv, struct phase_result *res,
			struct record out[MAX_CONNS])
{
	static const enum bench_op ops[] = {BENCH_OP_SET, BENCH_OP_QUERY, BENCH_OP_RANGE, BENCH_OP_FUZZY,
					    BENCH_OP_HSET, BENCH_OP_LPUSH, BENCH_OP_ZADD, BENCH_OP_ZRANGEBYSCORE};
	uint64_t items;

	memset(arg_seen, 0, sizeof(arg_seen));
	memset(arg_bad, 0, sizeof(arg_bad));
	n_conns = 0;
	memset(res, 0, sizeof(*res));
	CHECK_INT(runner_run_phase(w, &w->phases[0], 1, drv, &target, NULL, res, NULL), 0);
	/* Every op of a workload with fields, categories and range goes to
	 * the event engine when the driver has the hooks. */
	CHECK_STR(res->engine, BENCH_DRIVER_HAS_EVENTS(drv) ? "event" : "blocking");
	CHECK_INT(res->engine_reason[0] == '\0', BENCH_DRIVER_HAS_EVENTS(drv));
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		CHECK(arg_seen[ops[i]] > 500);
		CHECK_INT(arg_bad[ops[i]], 0);
		CHECK_INT(res->ops[ops[i]].status[BENCH_OK] + res->ops[ops[i]].status[BENCH_MISS], arg_seen[ops[i]]);
		CHECK(res->ops[ops[i]].status[BENCH_MISS] > 0);
	}
	/* items_out is summed per op: range returned `count` each time. */
	items = res->ops[BENCH_OP_RANGE].items;
	CHECK(items >= 3 * res->ops[BENCH_OP_RANGE].status[BENCH_OK] &&
	      items <= 6 * res->ops[BENCH_OP_RANGE].status[BENCH_OK]);
	memcpy(out, records, sizeof(records));
}

/* Every op gets the arguments docs/workload-format.md promises, on both
 * engines, which count every status and item alike; ops a driver lacks
 * are counted unsupported, never sent. */
static void test_op_args(void)
{
	struct workload *w = make_workload(9, DIST_UNIFORM);
	struct wl_phase *ph = &w->phases[0];
	struct phase_result res, ev_res;
	struct bench_driver ev_args_checker;
	static struct record all_caps[MAX_CONNS], ev_caps[MAX_CONNS];
	static const enum bench_op ops[] = {BENCH_OP_SET, BENCH_OP_QUERY, BENCH_OP_RANGE, BENCH_OP_FUZZY,
					    BENCH_OP_HSET, BENCH_OP_LPUSH, BENCH_OP_ZADD, BENCH_OP_ZRANGEBYSCORE};

	memset(ph->mix, 0, sizeof(ph->mix));
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		ph->mix[ops[i]] = 1.0 / (double)(sizeof(ops) / sizeof(ops[0]));
	ph->ops = 8000;
	w->values.size_min = w->values.size_max = 8;
	w->values.fields = 3;
	w->values.categories = 7;
	ph->range_min = 3;
	ph->range_max = 6;
	ph->query_limit = 5;
	ph->fuzzy_matches = 100;
	ph->st_members = 9;
	ph->st_length = 4;
	ph->st_list_max = 11;
	/* The checker, then the same behind the event hooks (driver.h, ABI
	 * 7: every op, records of fields with categories too). */
	with_ev_hooks(&args_checker, &ev_args_checker);
	run_op_args(w, &args_checker, &res, all_caps);
	run_op_args(w, &ev_args_checker, &ev_res, ev_caps);
	for (int op = 0; op < BENCH_OP__COUNT; op++) {
		for (int st = 0; st < BENCH_STATUS__COUNT; st++)
			CHECK_INT(ev_res.ops[op].status[st], res.ops[op].status[st]);
		CHECK_INT(ev_res.ops[op].items, res.ops[op].items);
	}
	for (int i = 0; i < 4; i++)
		CHECK(ev_caps[i].hash == all_caps[i].hash); /* the same sets, client by client */
	free_result(&ev_res);
	free_result(&res);

	/* The recorder has KV only: the rest is unsupported, and never sent. */
	n_conns = 0;
	memset(&res, 0, sizeof(res));
	CHECK_INT(runner_run_phase(w, ph, 1, &recorder, &target, NULL, &res, NULL), 0);
	CHECK_INT(op_stats_total(&res.ops[BENCH_OP_RANGE]), res.ops[BENCH_OP_RANGE].status[BENCH_UNSUPPORTED]);
	CHECK(res.ops[BENCH_OP_RANGE].status[BENCH_UNSUPPORTED] > 500);
	CHECK_INT(res.ops[BENCH_OP_RANGE].lat ? hist_count(res.ops[BENCH_OP_RANGE].lat) : 0, 0);
	/* ... and every client drew the same sets (keys, sizes) as with a
	 * driver that can do everything: what a target lacks never shifts
	 * the sequence another target sees. */
	for (int i = 0; i < 4; i++)
		CHECK(records[i].hash == all_caps[i].hash && records[i].requests > 0);
	free_result(&res);
	free_workload(w);
}

/* shard_split: blocks in order, sizes differing by at most one (the
 * first shards larger), together every client once; shard_parse refuses
 * what is not I/N with 0 <= I < N. */
static void test_shard_split(void)
{
	static const struct { const char *s; int ok; uint64_t i, n; } parse[] = {
		{"0/1", 1, 0, 1}, {"1/2", 1, 1, 2}, {"9/10", 1, 9, 10}, {"2/2", 0, 0, 0}, {"1/0", 0, 0, 0},
		{"0/0", 0, 0, 0}, {"x", 0, 0, 0}, {"0/", 0, 0, 0}, {"/2", 0, 0, 0}, {"-1/2", 0, 0, 0},
		{"0/2x", 0, 0, 0}, {"0 /2", 0, 0, 0}, {"", 0, 0, 0}, {"1/2/3", 0, 0, 0},
	};

	for (size_t k = 0; k < sizeof(parse) / sizeof(parse[0]); k++) {
		uint64_t i = 99, n = 99;
		char err[160] = "";
		int rc = shard_parse(parse[k].s, &i, &n, err, sizeof(err));

		CHECK_INT(rc, parse[k].ok ? 0 : -1);
		if (parse[k].ok) {
			CHECK_INT(i, parse[k].i);
			CHECK_INT(n, parse[k].n);
		} else {
			CHECK(err[0] != '\0');
		}
	}
	for (uint64_t total = 1; total <= 40; total++) {
		for (uint64_t count = 1; count <= total; count++) {
			uint64_t next = 0, first, n;

			for (uint64_t i = 0; i < count; i++) {
				shard_split(total, i, count, &first, &n);
				CHECK_INT(first, next);
				CHECK_INT(n, total / count + (i < total % count));
				next = first + n;
			}
			CHECK_INT(next, total);
		}
	}
	{
		uint64_t first = 9, n = 9;

		shard_split(7, 0, 0, &first, &n); /* count 0: not sharded, all of them */
		CHECK_INT(first, 0);
		CHECK_INT(n, 7);
	}
}

/*
 * --shard I/N (shard.h): shards 0/2 and 1/2 together send exactly what
 * the unsharded run sends, client by client (the same streams, keys and
 * inserted records under the same client numbers), in a run phase with
 * inserts and in a load phase; the first shard takes the extra client.
 */
static void test_shards(void)
{
	static struct record whole[MAX_CONNS], part[MAX_CONNS];
	struct workload *w = make_workload(5, DIST_UNIFORM);
	struct wl_phase *ph = &w->phases[0];
	struct phase_result res;

	ph->clients = 5;
	ph->pipeline = 2;
	ph->ops = 10001;
	ph->mix[BENCH_OP_GET] = 0.5;
	ph->mix[BENCH_OP_SET] = 0.2;
	ph->mix[BENCH_OP_DELETE] = 0.2;
	ph->mix[BENCH_OP_INSERT] = 0.1;
	for (int load = 0; load < 2; load++) {
		uint64_t sent = 0;

		if (load) {
			memset(ph->mix, 0, sizeof(ph->mix));
			ph->type = WL_PHASE_LOAD;
			ph->batch = 7;
		}
		w->shard.count = 0;
		run(w, whole, &res, NULL);
		free_result(&res);
		for (uint64_t s = 0, first = 0; s < 2; s++) {
			w->shard.index = s;
			w->shard.count = 2;
			run(w, part, &res, NULL);
			CHECK_INT(n_conns, s == 0 ? 3 : 2);
			for (int i = 0; i < n_conns; i++) {
				CHECK(part[i].hash == whole[first + (uint64_t)i].hash);
				CHECK_INT(part[i].requests, whole[first + (uint64_t)i].requests);
				sent += part[i].requests;
			}
			first += (uint64_t)n_conns;
			free_result(&res);
		}
		CHECK_INT(sent, load ? 1000 : 10001);
	}
	free_workload(w);
}

/* A phase run on its own thread, so a runner that never ends it fails
 * the test instead of hanging it. */
struct phase_job {
	struct workload *w;
	const struct bench_driver *drv;
	const struct bench_target *target;
	struct phase_result res;
	int rc;
	atomic_int done;
};

static void *phase_job_main(void *arg)
{
	struct phase_job *j = arg;

	j->rc = runner_run_phase(j->w, &j->w->phases[0], 1, j->drv, j->target, NULL, &j->res, NULL);
	atomic_store(&j->done, 1);
	return NULL;
}

/*
 * An open-loop duration phase ends whatever its backlog. Two clients are
 * asked for a request every nanosecond each (the most a workload may ask),
 * which no host keeps up with: each still sends what fell due before the
 * end, late, for one request timeout after it (100 ms), then stops, and the
 * rest are counted as never sent. Before, the phase went on until every
 * request due was sent: 6e8 of them. The hang guard (60 s, polled every
 * 10 ms) only catches a phase that does not end; the checks are counts.
 */
static void test_open_loop_end(const struct bench_driver *drv)
{
	const struct bench_target t = {.name = "rec", .prefix = "t:", .timeout_ms = 100};
	struct phase_job j = {.w = make_workload(5, DIST_UNIFORM), .drv = drv, .target = &t};
	struct wl_phase *ph = &j.w->phases[0];
	uint64_t sent = 0;
	pthread_t tid;
	int waited_ms = 0;

	ph->ops = 0;
	ph->duration_ns = 300000000; /* 300 ms */
	ph->clients = 2;
	ph->pipeline = 1;
	ph->rate = 2e9;
	n_conns = 0;
	CHECK_INT(pthread_create(&tid, NULL, phase_job_main, &j), 0);
	while (!atomic_load(&j.done) && waited_ms < 60000) {
		struct timespec ts = {0, 10000000};

		nanosleep(&ts, NULL); /* polling the condition, not a synchronisation */
		waited_ms += 10;
	}
	CHECK(atomic_load(&j.done));
	if (!atomic_load(&j.done)) {
		fprintf(stderr, "  %s: the open-loop phase did not end within 60 s of a 300 ms duration\n", drv->name);
		runner_request_stop();
	}
	pthread_join(tid, NULL);
	CHECK_INT(j.rc, 0);
	CHECK(!j.res.interrupted);
	for (int op = 0; op < BENCH_OP__COUNT; op++)
		sent += op_stats_total(&j.res.ops[op]);
	/* Client 0 is due every ns from the start: 3e8 before the end; client
	 * 1 half an interval later (rounded to 1 ns): one fewer. Every one is
	 * either counted once (sent) or never sent. */
	CHECK(sent > 0 && j.res.unsent > 0);
	CHECK_INT(sent + j.res.unsent, 600000000 - 1);
	free_result(&j.res);
	free_workload(j.w);
}

/* ---- the progress line (issue #20) ---- */

/* Its text from synthetic snapshots: "(warmup)" exactly while warming up
 * (not while the latest complete second is a warmup one, a second late),
 * whole seconds rounded down, an ops or load phase's "N of M" from the
 * live count (not from complete seconds: "1 s, 0 of 20000" while loading
 * 12k records/s). */
static void test_progress_format(void)
{
	const struct wl_phase run_ph = {.name = "run"}, load_ph = {.name = "load"};
	struct runner_progress p = {.phase = &run_ph, .elapsed_s = 0.5, .total_s = 5, .warmup_s = 2,
				    .ts = {.second = INT64_MIN}};
	char line[256];

	watch_format(line, sizeof(line), "redis", &p);
	CHECK_STR(line, "  redis: run (warmup)  0/5 s  -  p99 -  errors 0");
	p.elapsed_s = 1.9999;
	p.ts = (struct ts_progress){.second = -2, .answered = 61000, .p99_ns = 250000};
	watch_format(line, sizeof(line), "redis", &p);
	CHECK_STR(line, "  redis: run (warmup)  1/5 s  61000/s  p99 0.250 ms  errors 0");
	/* Just past the warmup, the latest complete second is its last. */
	p.elapsed_s = 2.0001;
	p.ts = (struct ts_progress){.second = -1, .answered = 62310, .p99_ns = 234000, .total_failed = 3};
	watch_format(line, sizeof(line), "redis", &p);
	CHECK_STR(line, "  redis: run  2/5 s  62310/s  p99 0.234 ms  errors 3");
	p = (struct runner_progress){.phase = &load_ph, .elapsed_s = 1.01, .ops_total = 20000, .done = 12000,
				     .ts = {.second = INT64_MIN}};
	watch_format(line, sizeof(line), "mongodb", &p);
	CHECK_STR(line, "  mongodb: load  1 s, 12000 of 20000  -  p99 -  errors 0");
	/* Cut to fit, the length it wanted returned. */
	CHECK(watch_format(line, 10, "mongodb", &p) > 9 && strlen(line) == 9);
}

#define MAX_SNAPS 32
struct snaps {
	struct runner_progress p[MAX_SNAPS];
	size_t n;
};

static void snap_progress(void *arg, const struct runner_progress *p)
{
	struct snaps *s = arg;

	if (s->n < MAX_SNAPS)
		s->p[s->n++] = *p;
}

/*
 * A phase of 1 s warmup and 1 s measured, watched: a progress line with a
 * complete second has its rate and p99, a line inside the warmup window
 * comes with a warmup second (or none yet), and the live count only grows.
 * No speed is assumed: on a machine slow enough that no worker hands a
 * second over before the next one ends (this test under valgrind), a line
 * may come without one, as the line says `-` then, or no line at all. That the first line on
 * a real server has its figures (it read "-  p99 -" when each line came the
 * moment its second ended) is tests/integration/progress.sh's check.
 */
static void test_progress_live(void)
{
	struct workload *w = make_workload(9, DIST_UNIFORM);
	struct phase_result res = {0}, warm = {0};
	struct snaps s = {.n = 0};
	const struct runner_probe probe = {.progress = snap_progress, .arg = &s};

	w->phases[0].ops = 0;
	w->phases[0].warmup_ns = 1000000000;
	w->phases[0].duration_ns = 1000000000;
	w->phases[0].clients = 2;
	n_conns = 0;
	CHECK_INT(runner_run_phase(w, &w->phases[0], 1, driver_under_test, &target, &probe, &res, &warm), 0);
	/* How many lines a phase of 2 s makes depends on the machine's speed
	 * (under valgrind, none may come before the phase ends): what each
	 * says does not. */
	for (size_t i = 0; i < s.n; i++) {
		const struct runner_progress *p = &s.p[i];

		CHECK(p->ts.second == INT64_MIN || (p->ts.answered > 0 && p->ts.p99_ns > 0));
		CHECK(p->warmup_s == 1.0 && p->total_s == 2.0);
		if (p->elapsed_s < p->warmup_s)
			CHECK(p->ts.second < 0);
		CHECK(i == 0 || p->done >= s.p[i - 1].done);
		if (check_failures)
			fprintf(stderr, "  line %zu at %.3f s: second %lld, %llu answered\n", i, p->elapsed_s,
				(long long)p->ts.second, (unsigned long long)p->ts.answered);
	}
	free_result(&res);
	free_result(&warm);
	free_workload(w);
}

/* ---- trace replay: every request of a key on one connection, in the
 * trace's order, with the trace's sizes and TTLs ---- */

#define TRACE_LINES 2000

struct trace_seen {
	char key[32];
	size_t key_len;
	enum bench_op op;
	size_t value_len;
	uint64_t ttl_ms;
};

static struct trace_seen trace_log[MAX_CONNS][TRACE_LINES];
static size_t trace_count[MAX_CONNS];

static int tr_open(struct bench_conn *c)
{
	c->priv = &trace_count[n_conns++];
	return 0;
}

static int tr_exec(struct bench_conn *c, struct bench_request *reqs, size_t n)
{
	size_t conn = (size_t)((size_t *)c->priv - trace_count);

	for (size_t i = 0; i < n; i++) {
		struct trace_seen *t = &trace_log[conn][trace_count[conn]++ % TRACE_LINES];

		t->key_len = reqs[i].key_len < sizeof(t->key) ? reqs[i].key_len : sizeof(t->key);
		memcpy(t->key, reqs[i].key, t->key_len);
		t->op = reqs[i].op;
		t->value_len = reqs[i].value_len;
		t->ttl_ms = reqs[i].ttl_ms;
		reqs[i].status = BENCH_OK;
	}
	return 0;
}

static const struct bench_driver trace_recorder = {
	.name = "trace-recorder",
	.abi_version = BENCH_DRIVER_ABI,
	.caps = BENCH_CAP_KV | BENCH_CAP_INCR,
	.description = "records a trace's requests (tests)",
	.open = tr_open,
	.close = rec_close,
	.exec = tr_exec,
};

static void test_trace_replay(void)
{
	static const char *const ops[] = {"get", "set", "delete", "incr", "add", "gets"};
	static const enum bench_op bench_ops[] = {BENCH_OP_GET, BENCH_OP_SET, BENCH_OP_DELETE, BENCH_OP_INCR,
						  BENCH_OP_SET, BENCH_OP_GET};
	char path[] = "/tmp/test_runner_trace_XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	struct workload *w = make_workload(1, DIST_UNIFORM);
	struct phase_result res;
	size_t got[MAX_CONNS] = {0};
	uint64_t clients = 4;

	/* Line 1500 is malformed: counted as one error of get, named. */
	fprintf(f, "timestamp_us,key,op,value_size,ttl\n");
	for (int i = 0; i < TRACE_LINES; i++) {
		if (i == 1498)
			fprintf(f, "%d,k1,frob,0,0\n", i);
		else
			fprintf(f, "%d,k%d,%s,%d,%d\n", i, (i * 7) % 50, ops[i % 6], i % 100, i % 5);
	}
	fclose(f);
	w->keyspace.trace = path;
	w->keyspace.trace_format = TRACE_CSV;
	w->phases[0].ops = 0;
	w->phases[0].clients = clients;
	memset(w->phases[0].mix, 0, sizeof(w->phases[0].mix));
	memset(trace_count, 0, sizeof(trace_count));
	n_conns = 0;
	memset(&res, 0, sizeof(res));
	CHECK_INT(runner_run_phase(w, &w->phases[0], 1, &trace_recorder, &target, NULL, &res, NULL), 0);
	CHECK_STR(res.engine, "blocking");
	CHECK_INT(res.ops[BENCH_OP_GET].status[BENCH_ERROR], 1);
	CHECK(strstr(res.error, ":1500: unknown op 'frob'") != NULL);
	/* Client c's requests are exactly the lines whose key it owns, in order. */
	for (int i = 0; i < TRACE_LINES; i++) {
		char key[16], want[32];
		int klen, op = i % 6;
		uint64_t c;
		const struct trace_seen *t;

		if (i == 1498)
			continue;
		klen = snprintf(key, sizeof(key), "k%d", (i * 7) % 50);
		c = trace_key_owner(key, (size_t)klen, clients);
		if (got[c] >= trace_count[c]) {
			CHECK(!"a trace line never sent");
			break;
		}
		t = &trace_log[c][got[c]++];
		snprintf(want, sizeof(want), "t:t:%s", key);
		CHECK(t->key_len == strlen(want) && !memcmp(t->key, want, t->key_len));
		CHECK_INT(t->op, bench_ops[op]);
		CHECK_INT(t->value_len, bench_ops[op] == BENCH_OP_SET ? (size_t)(i % 100) : 0);
		CHECK_INT(t->ttl_ms, bench_ops[op] == BENCH_OP_SET ? (uint64_t)(i % 5) * 1000 : 0);
	}
	for (uint64_t c = 0; c < clients; c++)
		CHECK_INT(got[c], trace_count[c]);
	free_result(&res);
	unlink(path);
	free_workload(w);
}

int main(void)
{
	/* Every check, once per engine. */
	const struct bench_driver *drivers[] = {&recorder, &ev_recorder};

	for (size_t i = 0; i < 2; i++) {
		driver_under_test = drivers[i];
		printf("== %s engine\n", BENCH_DRIVER_HAS_EVENTS(drivers[i]) ? "event" : "blocking");
		test_insert_and_rmw();
		test_counts_and_determinism();
		test_warmup_apart();
		test_coordinated_omission();
		test_shards();
		test_progress_live();
	}
	test_progress_format();
	test_op_args();
	test_shard_split();
	test_trace_replay();
	/* The null driver (blocking engine) and the event engine; last: a
	 * phase that does not end leaves a stop request behind. */
	{
		char err[256];
		const struct bench_driver *null = bench_driver_find("null", err, sizeof(err));

		CHECK(null != NULL);
		if (null)
			test_open_loop_end(null);
		test_open_loop_end(&ev_recorder);
	}
	return check_report("runner");
}
