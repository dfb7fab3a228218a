/* crash.c - the crash phase (crash.h): write, kill -9, restart, read back. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crash.h"
#include "keygen.h"
#include "rng.h"
#include "runner.h"
#include "util.h"

/* Ledger keys live far beyond any keyspace (ids < 10^12, keygen.h): each
 * phase run gets its own block, so a later repeat never reads an earlier
 * one's keys. */
#define CRASH_ID_BASE UINT64_C(900000000000)
#define CRASH_BLOCK UINT64_C(100000000)      /* ids per phase run */
/* Reads of the ledger go in batches of this many. */
#define CRASH_READ_BATCH 100
/* A writer still writing this long after the kill gives up (a server
 * that does not die; cannot happen with SIGKILL, but never loop forever). */
#define CRASH_WRITE_LIMIT_NS (30ull * 1000000000ull)
/* How long a restarted server may take to load its data. */
#define CRASH_SERVE_NS (600ull * 1000000000ull)

struct crash_client {
	const struct crash_run *run;
	size_t index;
	struct bench_conn conn;
	struct bench_request *reqs;
	char *keys;                 /* pipeline keys of key_cap bytes */
	char cats[CRASH_READ_BATCH][24];
	uint64_t *acked;            /* ids the server acknowledged, in order */
	size_t n_acked, cap_acked;
	struct op_stats set, get;
	char error[256];
	pthread_t thread;
};

struct crash_run {
	const struct workload *w;
	const struct wl_phase *ph;
	const struct bench_target *bt;
	uint64_t base;
	size_t key_cap;
	const char *value;
	size_t value_len;
	uint64_t deadline_ns;
	atomic_int go;              /* writers may start */
};

/* Fills request i of c for record id (a set when value is given, else a get). */
static void fill(struct crash_client *c, size_t i, uint64_t id, bool set)
{
	const struct crash_run *run = c->run;
	struct bench_request *r = &c->reqs[i];
	char *key = c->keys + i * run->key_cap;

	memset(r, 0, sizeof(*r));
	r->op = set ? BENCH_OP_SET : BENCH_OP_GET;
	r->key = key;
	r->key_len = keygen_format(key, run->bt->prefix, id);
	r->fields = run->bt->fields;
	if (set) {
		r->value = run->value;
		r->value_len = run->value_len;
		if (run->bt->categories) {
			snprintf(c->cats[i], sizeof(c->cats[i]), "c%llu",
				 (unsigned long long)(id % run->bt->categories));
			r->arg = c->cats[i];
			r->arg_len = strlen(c->cats[i]);
		}
	}
}

static void count(struct op_stats *s, const struct bench_request *r, int64_t lat_ns)
{
	s->status[r->status]++;
	/* Closed loop: the corrected and the uncorrected latency are one. */
	if (r->status == BENCH_OK || r->status == BENCH_MISS) {
		hist_record(s->lat, lat_ns);
		hist_record(s->lat_uncorrected, lat_ns);
	}
}

/* Writes new records until the first failure: the kill. */
static void *writer(void *arg)
{
	struct crash_client *c = arg;
	const struct crash_run *run = c->run;
	size_t n = run->ph->pipeline, clients = run->ph->clients;
	uint64_t k = 0;

	while (!atomic_load(&run->go))
		sched_yield();
	for (;;) {
		uint64_t t0, lat;
		bool failed = false;

		if (runner_stop_requested() || util_now_ns() > run->deadline_ns || (k + n) * clients >= CRASH_BLOCK)
			break;
		for (size_t i = 0; i < n; i++)
			fill(c, i, run->base + (k + i) * clients + c->index, true);
		t0 = util_now_ns();
		c->conn.driver->exec(&c->conn, c->reqs, n);
		lat = util_now_ns() - t0;
		for (size_t i = 0; i < n; i++) {
			count(&c->set, &c->reqs[i], (int64_t)lat);
			if (c->reqs[i].status != BENCH_OK) {
				failed = true;
				continue;
			}
			if (c->n_acked == c->cap_acked) {
				c->cap_acked = c->cap_acked ? 2 * c->cap_acked : 4096;
				c->acked = xrealloc(c->acked, c->cap_acked * sizeof(*c->acked));
			}
			c->acked[c->n_acked++] = run->base + (k + i) * clients + c->index;
		}
		k += n;
		if (failed) {
			snprintf(c->error, sizeof(c->error), "%s", c->conn.errstr);
			break;
		}
	}
	return NULL;
}

/* Reads back every acknowledged record of c from the restarted server. */
static void *reader(void *arg)
{
	struct crash_client *c = arg;
	size_t done = 0;

	while (done < c->n_acked && !runner_stop_requested()) {
		size_t n = c->n_acked - done < CRASH_READ_BATCH ? c->n_acked - done : CRASH_READ_BATCH;
		uint64_t t0, lat;

		for (size_t i = 0; i < n; i++)
			fill(c, i, c->acked[done + i], false);
		t0 = util_now_ns();
		if (c->conn.driver->exec(&c->conn, c->reqs, n) < 0) {
			snprintf(c->error, sizeof(c->error), "reading back: %s", c->conn.errstr);
			for (size_t i = 0; i < n; i++)
				c->get.status[c->reqs[i].status]++;
			break;
		}
		lat = util_now_ns() - t0;
		for (size_t i = 0; i < n; i++) {
			/* Back, but not as written: counted as an error. */
			if (c->reqs[i].status == BENCH_OK && c->reqs[i].value_len_out != c->run->value_len)
				c->reqs[i].status = BENCH_ERROR;
			count(&c->get, &c->reqs[i], (int64_t)lat);
		}
		done += n;
	}
	return NULL;
}

/* Reads a ledger key on a new connection of c until the server answers
 * it (ok or miss, not an error such as Redis's -LOADING): the moment the
 * restarted server serves again; *restart_s from t0 to then. 0, or -1
 * with err. */
static int wait_serving(struct crash_client *c, uint64_t t0, double *restart_s, char *err, size_t errlen)
{
	const struct bench_driver *drv = c->conn.driver;
	uint64_t deadline = t0 + CRASH_SERVE_NS;

	drv->close(&c->conn);
	memset(&c->conn, 0, sizeof(c->conn));
	c->conn.driver = drv;
	c->conn.target = c->run->bt;
	if (drv->open(&c->conn) < 0) {
		snprintf(err, errlen, "cannot reconnect after the restart: %s", c->conn.errstr);
		return -1;
	}
	for (;;) {
		fill(c, 0, c->run->base, false);
		if (drv->exec(&c->conn, c->reqs, 1) < 0) {
			snprintf(err, errlen, "the restarted server went away: %s", c->conn.errstr);
			return -1;
		}
		if (c->reqs[0].status == BENCH_OK || c->reqs[0].status == BENCH_MISS) {
			*restart_s = (double)(util_now_ns() - t0) / 1e9;
			return 0;
		}
		if (util_now_ns() > deadline) {
			snprintf(err, errlen, "the restarted server did not serve reads within %llu s: %s",
				 CRASH_SERVE_NS / 1000000000ull, c->conn.errstr);
			return -1;
		}
		util_sleep_until_ns(util_now_ns() + 1000000); /* polling a condition, 1 ms */
	}
}

/* Readies the n clients of the run (buffers, histograms) and connects
 * each. Returns 0, or -1 with out->error. */
static int open_clients(struct crash_run *run, struct crash_client *cl, size_t n, const struct bench_driver *drv,
			struct phase_result *out)
{
	size_t slots = run->ph->pipeline > CRASH_READ_BATCH ? run->ph->pipeline : CRASH_READ_BATCH;

	for (size_t i = 0; i < n; i++) {
		struct crash_client *c = &cl[i];

		c->run = run;
		c->index = i;
		c->reqs = xcalloc(slots, sizeof(*c->reqs));
		c->keys = xcalloc(slots, run->key_cap);
		c->set.lat = hist_new_latency();
		c->set.lat_uncorrected = hist_new_latency();
		c->get.lat = hist_new_latency();
		c->get.lat_uncorrected = hist_new_latency();
		c->conn.driver = drv;
		c->conn.target = run->bt;
		if (drv->open(&c->conn) < 0) {
			snprintf(out->error, sizeof(out->error), "client %zu could not connect to %s: %s", i, run->bt->name,
				 c->conn.errstr);
			return -1;
		}
	}
	return 0;
}

/* A thread per client running fn. Returns 0, or -1 with out->error after
 * joining those started (go, when not NULL, is set first to let them
 * run to their end). */
static int start_clients(struct crash_client *cl, size_t n, void *(*fn)(void *), atomic_int *go,
			 struct phase_result *out)
{
	for (size_t i = 0; i < n; i++) {
		if (pthread_create(&cl[i].thread, NULL, fn, &cl[i]) != 0) {
			snprintf(out->error, sizeof(out->error), "cannot start a thread: %s", strerror(errno));
			if (go)
				atomic_store(go, 1);
			for (size_t j = 0; j < i; j++)
				pthread_join(cl[j].thread, NULL);
			return -1;
		}
	}
	return 0;
}

/*
 * The writers write until the kill moment, drawn from the seed (so a
 * repeat of the same workload kills at the same moment), when the server
 * is killed with SIGKILL; then they end (their requests fail). Ctrl-C
 * during the wait: the writers stop and the server is not killed
 * (out->interrupted). Returns 0, or -1 with out->error.
 */
static int write_until_kill(struct crash_run *run, struct crash_client *cl, size_t n, struct rng *rng,
			    struct server *srv, struct phase_result *out)
{
	const struct wl_phase *ph = run->ph;
	uint64_t kill_at = ph->kill_min_ns + (ph->kill_max_ns > ph->kill_min_ns
						      ? rng_below(rng, ph->kill_max_ns - ph->kill_min_ns + 1) : 0);
	uint64_t start = util_now_ns();

	run->deadline_ns = start + kill_at + CRASH_WRITE_LIMIT_NS;
	if (start_clients(cl, n, writer, &run->go, out) < 0)
		return -1;
	atomic_store(&run->go, 1);
	while (util_now_ns() < start + kill_at && !runner_stop_requested())
		util_sleep_until_ns(util_now_ns() + 50000000 < start + kill_at ? util_now_ns() + 50000000 : start + kill_at);
	if (!runner_stop_requested()) {
		out->crash.killed_at_s = (double)(util_now_ns() - start) / 1e9;
		servers_kill9(srv);
	}
	for (size_t i = 0; i < n; i++)
		pthread_join(cl[i].thread, NULL);
	out->duration_s = (double)(util_now_ns() - start) / 1e9;
	out->interrupted = runner_stop_requested();
	return 0;
}

/* Restarts the killed server and waits until it serves reads (answering
 * is not serving: Redis answers INFO while it loads its AOF or RDB and
 * -LOADING to reads until it is done); then every client reconnects.
 * Returns 0, or -1 with out->error. */
static int restart_and_reconnect(struct crash_run *run, struct crash_client *cl, size_t n,
				 const struct bench_driver *drv, struct server *srv, struct phase_result *out)
{
	char err[480];
	double up_s;
	uint64_t t0 = util_now_ns();

	if (servers_restart(srv, drv, &up_s, err, sizeof(err)) != 0) {
		snprintf(out->error, sizeof(out->error), "after the kill: %s", err);
		return -1;
	}
	if (wait_serving(&cl[0], t0, &out->crash.restart_s, out->error, sizeof(out->error)) < 0)
		return -1;
	out->crash.ran = true;
	for (size_t i = 0; i < n; i++) {
		drv->close(&cl[i].conn);
		memset(&cl[i].conn, 0, sizeof(cl[i].conn));
		cl[i].conn.driver = drv;
		cl[i].conn.target = run->bt;
		if (drv->open(&cl[i].conn) < 0) {
			snprintf(out->error, sizeof(out->error), "client %zu could not reconnect to %s after the restart: %s",
				 i, run->bt->name, cl[i].conn.errstr);
			return -1;
		}
	}
	return 0;
}

/* Every client's counts into out, and the clients closed and freed. */
static void close_clients(struct crash_client *cl, size_t n, const struct bench_driver *drv, struct phase_result *out)
{
	for (size_t i = 0; i < n; i++) {
		struct crash_client *c = &cl[i];

		/* The writers' failures are the kill itself; a reader's is news. */
		if (c->error[0] && !out->error[0] && c->get.status[BENCH_DISCONNECTED])
			snprintf(out->error, sizeof(out->error), "client %zu: %s", i, c->error);
		op_stats_merge(&out->ops[BENCH_OP_SET], &c->set);
		op_stats_merge(&out->ops[BENCH_OP_GET], &c->get);
		op_stats_free(&c->set);
		op_stats_free(&c->get);
		drv->close(&c->conn);
		free(c->reqs);
		free(c->keys);
		free(c->acked);
	}
}

int crash_run_phase(const struct workload *w, const struct wl_phase *ph, size_t phase_index, uint64_t repeat,
		    const struct bench_driver *drv, const struct bench_target *bt, struct server *srv,
		    struct phase_result *out)
{
	struct crash_run run = {.w = w, .ph = ph, .bt = bt};
	size_t n = ph->clients;
	struct crash_client *cl = xcalloc(n, sizeof(*cl));
	struct rng rng;
	char *value;
	int rc = -1;

	out->phase = ph;
	out->repeat = repeat;
	out->engine = "blocking";
	snprintf(out->engine_reason, sizeof(out->engine_reason), "a crash phase (a thread per writer)");
	run.base = keygen_phase_block(CRASH_ID_BASE, CRASH_BLOCK, repeat, phase_index);
	run.key_cap = keygen_key_len(bt->prefix);
	rng_seed(&rng, w->seed, UINT64_C(0xC4A5) + repeat * 64 + phase_index);
	value = keygen_value_buffer(w->values.size_min, &rng);
	run.value = value;
	run.value_len = w->values.size_min;

	if (open_clients(&run, cl, n, drv, out) < 0 || write_until_kill(&run, cl, n, &rng, srv, out) < 0)
		goto done;
	if (out->interrupted) { /* nothing is read back */
		rc = 0;
		goto done;
	}
	out->duration_s = out->crash.killed_at_s;
	out->crash.data_bytes = servers_data_bytes(srv);
	if (restart_and_reconnect(&run, cl, n, drv, srv, out) < 0 || start_clients(cl, n, reader, NULL, out) < 0)
		goto done;
	for (size_t i = 0; i < n; i++)
		pthread_join(cl[i].thread, NULL);
	rc = 0;
done:
	close_clients(cl, n, drv, out);
	free(cl);
	free(value);
	return rc;
}
