/* aside.c - the cache-aside phase (aside.h). */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aside.h"
#include "dist.h"
#include "keygen.h"
#include "registry.h"
#include "rng.h"
#include "runner.h"
#include "timeseries.h"
#include "util.h"

struct aside_run {
	const struct wl_phase *ph;
	const struct bench_target *bt;
	const struct bench_driver *store;  /* a real store; NULL: simulated */
	struct bench_target store_bt;
	const struct dist *keys;
	uint64_t seed, stream;
	size_t value_len, key_cap;
	double read_share;               /* get / (get + set) */
	/* values.ttl: each value written back or updated in the cache lives
	 * this long (ms); NULL: for ever. The store's writes never expire. */
	struct sizegen *ttls;
	/* Per record: the store's newest version (a write's, once the store
	 * acknowledged it), and the newest version whose write had finished
	 * (store and cache). */
	_Atomic uint64_t *store_version, *done_version;
	uint64_t measure_ns;             /* the warmup's end: ops that start
					  * from then on are measured */
	uint64_t end_ns;                 /* duration phases; 0: ops */
	atomic_int go;
};

/* What a client counts, in the warmup ([ASIDE_WARMUP]) or the measurement. */
enum { ASIDE_WARMUP, ASIDE_MEASURED };
struct aside_counts {
	struct op_stats reads, writes;
	uint64_t store_reads, store_writes, fills, stale;
};

struct aside_client {
	struct aside_run *run;
	size_t index;
	uint64_t ops;                    /* ops phases: this client's share */
	struct bench_conn conn, store_conn;
	struct bench_request req;
	char *key, *value, *got;
	struct rng rng;                  /* keys and ops: aside_stream */
	struct rng lat_rng;              /* the store's latencies, apart so that
					  * they leave the key sequence alone */
	struct rng ttl_rng;              /* the cache's TTLs, apart for the same reason */
	struct aside_counts part[2];     /* ASIDE_WARMUP, ASIDE_MEASURED */
	struct aside_counts *now;        /* the op under way's */
	struct ts_local *ts;             /* timeseries.csv: its seconds */
	char error[256];
	pthread_t thread;
};

void aside_stream(struct rng *r, const struct workload *w, uint64_t repeat, size_t phase_index, size_t client)
{
	rng_seed(r, w->seed, UINT64_C(0xA51DE) + (repeat * 64 + phase_index) * 65536 + client);
}

bool aside_next(const struct dist *keys, struct dist_cursor *cur, struct rng *r, double read_share, uint64_t *id)
{
	*id = dist_next(keys, cur, r);
	return rng_double(r) < read_share;
}

/* The version a cached value carries; 0 when it carries none. */
static uint64_t value_version(const char *v, size_t len)
{
	uint64_t n = 0;

	if (len < ASIDE_VERSION_LEN || v[0] != 'v' || v[ASIDE_VERSION_LEN - 1] != ':')
		return 0;
	for (size_t i = 1; i < ASIDE_VERSION_LEN - 1; i++) {
		if (v[i] < '0' || v[i] > '9')
			return 0;
		n = n * 10 + (uint64_t)(v[i] - '0');
	}
	return n;
}

/* The simulated store's answer time, from the client's own stream. */
static void store_wait(struct aside_client *c)
{
	const struct wl_phase *ph = c->run->ph;
	uint64_t lat = ph->store_lat_min_ns;

	if (ph->store_lat_max_ns > ph->store_lat_min_ns)
		lat += rng_below(&c->lat_rng, ph->store_lat_max_ns - ph->store_lat_min_ns + 1);
	if (lat)
		util_sleep_until_ns(util_now_ns() + lat);
}

/* One request to the cache, or with `store` to the real store; false when
 * it failed (counted by the caller). */
static bool request(struct aside_client *c, bool store, enum bench_op op, uint64_t version)
{
	size_t key_len = c->req.key_len;
	struct bench_conn *conn = store ? &c->store_conn : &c->conn;

	memset(&c->req, 0, sizeof(c->req));
	c->req.op = op;
	c->req.key = c->key;
	c->req.key_len = key_len;
	if (op == BENCH_OP_SET) {
		char head[ASIDE_VERSION_LEN + 1];

		snprintf(head, sizeof(head), "v%019llu:", (unsigned long long)version);
		memcpy(c->value, head, ASIDE_VERSION_LEN);
		c->req.value = c->value;
		c->req.value_len = c->run->value_len;
		if (!store && c->run->ttls)
			c->req.ttl_ms = sizegen_next(c->run->ttls, &c->ttl_rng);
	} else if (op == BENCH_OP_GET) {
		c->req.out = c->got;
		c->req.out_cap = ASIDE_VERSION_LEN;
	}
	conn->driver->exec(conn, &c->req, 1);
	if (c->req.status == BENCH_OK || c->req.status == BENCH_MISS)
		return true;
	if (!c->error[0])
		snprintf(c->error, sizeof(c->error), "%s %s: %s", store ? "store" : "cache", bench_op_name(op),
			 conn->errstr);
	return false;
}

static bool cache(struct aside_client *c, enum bench_op op, uint64_t version)
{
	return request(c, false, op, version);
}

/* The version the store holds for record id: the real store's answer
 * (a record it lacks is version 0), or the simulated store's. Returns
 * false when the real store failed. */
static bool store_read(struct aside_client *c, uint64_t id, uint64_t *version)
{
	if (!c->run->store) {
		store_wait(c);
		*version = atomic_load(&c->run->store_version[id]);
		return true;
	}
	if (!request(c, true, BENCH_OP_GET, 0))
		return false;
	*version = c->req.status == BENCH_OK ? value_version(c->got, c->req.value_len_out < ASIDE_VERSION_LEN ?
							     c->req.value_len_out : ASIDE_VERSION_LEN) : 0;
	return true;
}

/* Writes the next version of record id to the store; false when the real
 * store failed. */
static bool store_write(struct aside_client *c, uint64_t id, uint64_t *version)
{
	*version = atomic_fetch_add(&c->run->store_version[id], 1) + 1;
	if (!c->run->store) {
		store_wait(c);
		return true;
	}
	return request(c, true, BENCH_OP_SET, *version);
}

/* One read (get) or write (set) of the application, begun at t0. */
static void record(struct aside_client *c, enum bench_op op, enum bench_status st, uint64_t t0)
{
	struct op_stats *s = op == BENCH_OP_GET ? &c->now->reads : &c->now->writes;
	uint64_t now = util_now_ns();
	int64_t lat = -1;

	s->status[st]++;
	if (st == BENCH_OK || st == BENCH_MISS) {
		lat = (int64_t)(now - t0);
		hist_record(s->lat, lat);
		hist_record(s->lat_uncorrected, lat);
	}
	ts_record(c->ts, op, st, now, lat);
}

/* The application's read of record id, begun at t0. */
static void read_one(struct aside_client *c, uint64_t id, uint64_t t0)
{
	struct aside_run *run = c->run;
	uint64_t done = atomic_load(&run->done_version[id]);

	if (!cache(c, BENCH_OP_GET, 0)) {
		record(c, BENCH_OP_GET, c->req.status, t0);
		return;
	}
	if (c->req.status == BENCH_OK) {
		size_t len = c->req.value_len_out < ASIDE_VERSION_LEN ? c->req.value_len_out : ASIDE_VERSION_LEN;

		c->now->stale += value_version(c->got, len) < done;
		record(c, BENCH_OP_GET, BENCH_OK, t0);
		return;
	}
	/* A miss: the store's value, written back to the cache. */
	{
		uint64_t v;

		if (!store_read(c, id, &v)) {
			record(c, BENCH_OP_GET, c->req.status, t0);
			return;
		}
		c->now->store_reads++;
		if (cache(c, BENCH_OP_SET, v))
			c->now->fills++;
	}
	record(c, BENCH_OP_GET, BENCH_MISS, t0);
}

/* The application's write of record id, begun at t0. */
static void write_one(struct aside_client *c, uint64_t id, uint64_t t0)
{
	struct aside_run *run = c->run;
	uint64_t v, seen;
	bool ok;

	if (!store_write(c, id, &v)) {
		record(c, BENCH_OP_SET, c->req.status, t0);
		return;
	}
	c->now->store_writes++;
	ok = run->ph->on_write_update ? cache(c, BENCH_OP_SET, v) : cache(c, BENCH_OP_DELETE, 0);
	if (!ok) {
		record(c, BENCH_OP_SET, c->req.status, t0);
		return;
	}
	/* Finished: reads that start from now on must see v or newer. */
	seen = atomic_load(&run->done_version[id]);
	while (v > seen && !atomic_compare_exchange_weak(&run->done_version[id], &seen, v))
		;
	record(c, BENCH_OP_SET, BENCH_OK, t0);
}

static void *client(void *arg)
{
	struct aside_client *c = arg;
	struct aside_run *run = c->run;
	struct dist_cursor cur;

	dist_cursor_init(run->keys, &cur, 0);
	while (!atomic_load(&run->go))
		sched_yield();
	for (uint64_t n = 0; !runner_stop_requested();) {
		uint64_t id, t = util_now_ns();

		c->now = &c->part[t < run->measure_ns ? ASIDE_WARMUP : ASIDE_MEASURED];
		if (c->now == &c->part[ASIDE_MEASURED] && (run->end_ns ? t >= run->end_ns : n++ >= c->ops))
			break;
		bool rd = aside_next(run->keys, &cur, &c->rng, run->read_share, &id);

		c->req.key_len = keygen_format(c->key, run->bt->prefix, id);
		if (rd)
			read_one(c, id, t);
		else
			write_one(c, id, t);
		if (c->conn.err || c->store_conn.err)
			break; /* a connection is gone: the phase reports it */
	}
	ts_local_done(c->ts);
	return NULL;
}

/* Every record of the keyspace into the real store at version 0 (what the
 * simulated store starts with), in batches on client c's connection. */
static int store_fill(struct aside_client *c, uint64_t records, char *err, size_t errlen)
{
	enum { BATCH = 64 };
	struct bench_request req[BATCH];
	char *keys = xmalloc(BATCH * c->run->key_cap);
	int rc = 0;

	snprintf(c->value, ASIDE_VERSION_LEN + 1, "v%019llu:", 0ull);
	for (uint64_t id = 0; id < records && !rc; id += BATCH) {
		size_t n = records - id < BATCH ? (size_t)(records - id) : BATCH;

		memset(req, 0, sizeof(req));
		for (size_t i = 0; i < n; i++) {
			req[i].op = BENCH_OP_SET;
			req[i].key = keys + i * c->run->key_cap;
			req[i].key_len = keygen_format(keys + i * c->run->key_cap, c->run->bt->prefix, id + i);
			req[i].value = c->value;
			req[i].value_len = c->run->value_len;
		}
		c->store_conn.driver->exec(&c->store_conn, req, n);
		for (size_t i = 0; i < n && !rc; i++)
			if (req[i].status != BENCH_OK) {
				snprintf(err, errlen, "cannot load the store: %s", c->store_conn.errstr);
				rc = -1;
			}
	}
	free(keys);
	return rc;
}

int aside_run_phase(const struct workload *w, const struct wl_phase *ph, size_t phase_index, uint64_t repeat,
		    const struct bench_driver *drv, const struct bench_target *bt, struct server_set *set, bool spawn,
		    struct phase_result *out, struct phase_result *warm)
{
	struct server *store_srv = NULL;
	struct aside_run run = {.ph = ph, .bt = bt};
	size_t n = ph->clients, started = 0;
	struct aside_client *cl = xcalloc(n, sizeof(*cl));
	struct dist *keys = NULL;
	struct ts *ts = NULL;
	uint64_t records = w->keyspace.records, t0;
	double rw = ph->mix[BENCH_OP_GET] + ph->mix[BENCH_OP_SET];
	int rc = -1;

	out->phase = ph;
	out->repeat = repeat;
	out->engine = "blocking";
	if (records > ASIDE_MAX_RECORDS) {
		snprintf(out->error, sizeof(out->error), "a cache-aside phase keeps a version per record: at most %u "
			 "records, the keyspace has %llu", ASIDE_MAX_RECORDS, (unsigned long long)records);
		free(cl);
		return -1;
	}
	if (dist_init(&w->keyspace.dist, &keys, out->error, sizeof(out->error)) < 0) {
		free(cl);
		return -1;
	}
	run.keys = keys;
	if (w->values.ttl.max) {
		const struct wl_spread *sp = &w->values.ttl;
		int trc = sp->n ? sizegen_init_weighted(sp->vals, sp->weights, sp->n, &run.ttls)
				: sizegen_init_uniform(sp->min, sp->max, &run.ttls);

		if (trc < 0) {
			snprintf(out->error, sizeof(out->error), "invalid values.ttl");
			dist_free(keys);
			free(cl);
			return -1;
		}
	}
	if (ph->store_driver) {
		char err[400] = "";

		run.store = bench_driver_find(ph->store_driver, err, sizeof(err));
		run.store_bt = (struct bench_target){.name = "store", .prefix = bt->prefix, .timeout_ms = bt->timeout_ms,
						     .records = records, .value_max = bt->value_max};
		/* Only a store bench started: on another server it would write
		 * under the prefix without the check and cleanup of "Data
		 * safety" (namespace.c guards the target's server only). */
		if (!spawn)
			snprintf(err, sizeof(err), "a cache-aside store is a server bench spawns; with --servers external "
				 "bench would write into a server it does not guard");
		else if (!set)
			snprintf(err, sizeof(err), "no directory for the servers bench spawns");
		else if (run.store && servers_spawn(set, run.store, NULL, NULL, &store_srv, err, sizeof(err)) == 0)
			run.store_bt.uri = store_srv->uri;
		if (!run.store_bt.uri) {
			snprintf(out->error, sizeof(out->error), "no store: %s", err);
			sizegen_free(run.ttls);
			dist_free(keys);
			free(cl);
			return -1;
		}
	}
	run.read_share = rw > 0 ? ph->mix[BENCH_OP_GET] / rw : 1;
	run.value_len = w->values.size_min > ASIDE_VERSION_LEN ? w->values.size_min : ASIDE_VERSION_LEN;
	run.key_cap = keygen_key_len(bt->prefix);
	run.store_version = xcalloc(records ? records : 1, sizeof(*run.store_version));
	run.done_version = xcalloc(records ? records : 1, sizeof(*run.done_version));
	for (size_t i = 0; i < n; i++) {
		struct aside_client *c = &cl[i];

		c->run = &run;
		c->index = i;
		c->ops = ph->ops / n + (i < ph->ops % n);
		c->key = xmalloc(run.key_cap);
		c->got = xmalloc(ASIDE_VERSION_LEN);
		aside_stream(&c->rng, w, repeat, phase_index, i);
		rng_seed(&c->lat_rng, w->seed, UINT64_C(0xA51DF) + (repeat * 64 + phase_index) * 65536 + i);
		rng_seed(&c->ttl_rng, w->seed, UINT64_C(0xA51E0) + (repeat * 64 + phase_index) * 65536 + i);
		c->value = keygen_value_buffer(run.value_len, &c->lat_rng);
		for (int k = ASIDE_WARMUP; k <= ASIDE_MEASURED; k++) {
			c->part[k].reads.lat = hist_new_latency();
			c->part[k].reads.lat_uncorrected = hist_new_latency();
			c->part[k].writes.lat = hist_new_latency();
			c->part[k].writes.lat_uncorrected = hist_new_latency();
		}
		c->conn.driver = drv;
		c->conn.target = bt;
		if (drv->open(&c->conn) < 0) {
			snprintf(out->error, sizeof(out->error), "cannot connect to the cache: %s", c->conn.errstr);
			goto done;
		}
		c->store_conn.driver = run.store;
		c->store_conn.target = &run.store_bt;
		if (run.store && run.store->open(&c->store_conn) < 0) {
			snprintf(out->error, sizeof(out->error), "cannot connect to the store: %s", c->store_conn.errstr);
			goto done;
		}
	}
	if (run.store && store_fill(&cl[0], records, out->error, sizeof(out->error)) < 0)
		goto done;
	if (run.store && run.store->server_info) {
		/* Who answered as the store: a stand-in is labelled as one. */
		struct bench_server_info info = {0};

		if (run.store->server_info(&cl[0].store_conn, &info) == 0) {
			snprintf(out->aside.store_server, sizeof(out->aside.store_server), "%s %s%s%s%s%s%s",
				 info.product, info.version, info.variant[0] ? " (" : "", info.variant,
				 info.variant[0] ? ")" : "", info.stands_in_for[0] ? ", standing in for " : "",
				 info.stands_in_for);
			snprintf(out->aside.store_stands_in_for, sizeof(out->aside.store_stands_in_for), "%s",
				 info.stands_in_for);
		}
	}
	for (; started < n; started++)
		if (pthread_create(&cl[started].thread, NULL, client, &cl[started]) != 0) {
			snprintf(out->error, sizeof(out->error), "cannot start a thread: %s", strerror(errno));
			break;
		}
	t0 = util_now_ns();
	run.measure_ns = t0 + ph->warmup_ns;
	if (ph->duration_ns)
		run.end_ns = run.measure_ns + ph->duration_ns;
	/* The clients' seconds, from the measurement's start (the warmup's
	 * are negative). */
	ts = ts_new(run.measure_ns, t0, 1u << BENCH_OP_GET | 1u << BENCH_OP_SET, n);
	for (size_t i = 0; i < n; i++)
		cl[i].ts = ts_local(ts, i);
	atomic_store(&run.go, 1);
	for (size_t i = 0; i < started; i++) {
		/* The seconds the clients are done with become rows as they go,
		 * so a long phase holds only the seconds in flight. */
		struct timespec until;

		for (;;) {
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += 1;
			if (pthread_timedjoin_np(cl[i].thread, NULL, &until) != ETIMEDOUT)
				break;
			ts_collect(ts, NULL);
		}
	}
	if (started < n)
		goto done;
	{
		uint64_t end = util_now_ns();

		out->duration_s = end > run.measure_ns ? (double)(end - run.measure_ns) / 1e9 : 0;
	}
	ts_collect(ts, NULL);
	out->series = ts_take_rows(ts, &out->n_series);
	out->interrupted = runner_stop_requested();
	out->aside.ran = true;
	if (warm && ph->warmup_ns) {
		warm->phase = ph;
		warm->repeat = repeat;
		warm->warmup = true;
		warm->duration_s = (double)ph->warmup_ns / 1e9;
		warm->interrupted = out->interrupted;
		warm->engine = out->engine;
		warm->aside = out->aside; /* the store's identity; the counts are the warmup's, added below */
		warm->aside.store_reads = warm->aside.store_writes = warm->aside.fills = warm->aside.stale_reads = 0;
	}
	rc = 0;
done:
	for (size_t i = 0; i < n; i++) {
		struct aside_client *c = &cl[i];

		if (c->error[0] && !out->error[0])
			snprintf(out->error, sizeof(out->error), "%s", c->error);
		for (int k = ASIDE_WARMUP; k <= ASIDE_MEASURED; k++) {
			struct phase_result *to = k == ASIDE_MEASURED ? out : warm;
			struct aside_counts *part = &c->part[k];

			if (k == ASIDE_MEASURED || (warm && warm->warmup)) { /* warmup: set once the phase ran */
				op_stats_merge(&to->ops[BENCH_OP_GET], &part->reads);
				op_stats_merge(&to->ops[BENCH_OP_SET], &part->writes);
				to->aside.store_reads += part->store_reads;
				to->aside.store_writes += part->store_writes;
				to->aside.fills += part->fills;
				to->aside.stale_reads += part->stale;
			}
			op_stats_free(&part->reads);
			op_stats_free(&part->writes);
		}
		drv->close(&c->conn);
		if (run.store)
			run.store->close(&c->store_conn);
		free(c->key);
		free(c->got);
		free(c->value);
	}
	free(cl);
	ts_free(ts);
	servers_stop(store_srv);
	free((void *)run.store_version);
	free((void *)run.done_version);
	sizegen_free(run.ttls);
	dist_free(keys);
	return rc;
}
