/* runner.c - one phase: worker threads and clients, the blocking engine
 * (a thread per client, closed loop or open at a rate), the phase
 * main thread; the per-client logic is runner_client.c's. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>
#include <time.h>

#include "dist.h"
#include "evd.h"
#include "keygen.h"
#include "pacer.h"
#include "rng.h"
#include "run_trace.h"
#include "runner.h"
#include "runner_int.h"
#include "shard.h"
#include "util.h"


/* Sleeps until `when` (CLOCK_MONOTONIC), waking at least every 100 ms to
 * notice a stop request. Returns 0, or -1 when asked to stop. */
static int sleep_until(uint64_t when)
{
	for (;;) {
		uint64_t now = util_now_ns(), until = when;
		struct timespec ts;

		if (runner_stop_requested())
			return -1;
		if (now >= when)
			return 0;
		if (until - now > 100000000u)
			until = now + 100000000u;
		ts.tv_sec = (time_t)(until / 1000000000u);
		ts.tv_nsec = (long)(until % 1000000000u);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	}
}

/* Blocking engine: sends the rmw writes as one more batch. Returns how
 * many were sent. */
static size_t send_rmw_writes(struct client *c, size_t n,
			      int (*send)(struct bench_conn *, struct bench_request *, size_t))
{
	size_t m = runner_prepare_rmw_writes(c, n);

	if (m) {
		send(&c->conn, c->second, m);
		runner_finish_rmw_writes(c, m);
	}
	return m;
}

static void *worker_main(void *arg)
{
	struct worker *wk = arg;
	struct phase_ctx *ctx = wk->ctx;
	struct client *c = &wk->clients[0];
	int (*send)(struct bench_conn *, struct bench_request *, size_t) =
		ctx->load && ctx->drv->load ? ctx->drv->load : ctx->drv->exec;
	int open_loop = ctx->client_rate > 0 || (ctx->replay && ctx->w->keyspace.trace_speed > 0);

	pthread_barrier_wait(&ctx->start);
	/* Linux wakes sleepers up to 50 us late by default (timer slack); in
	 * open loop that lateness would be charged to the server. */
	if (open_loop)
		prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
	if (open_loop && !ctx->replay) {
		runner_pacer_init(ctx, c);
	}
	while (!runner_stop_requested()) {
		uint64_t intended = 0, t0, t1, t2;
		int measured;
		size_t drawn, n;

		/* Closed loop: a client whose connection is down sends nothing
		 * and sleeps out the backoff (never spins). */
		if (c->conn.err && !open_loop) {
			int rc = runner_reconnect(wk, c, util_now_ns());
			uint64_t until = c->retry_at;

			if (rc < 0)
				break;
			if (rc > 0) {
				if (ctx->end_ns && until > ctx->end_ns)
					until = ctx->end_ns;
				if (sleep_until(until) < 0 || (ctx->end_ns && util_now_ns() >= ctx->end_ns))
					break;
				continue;
			}
		}
		if (open_loop) {
			/* However far behind (a rate the host cannot reach), the
			 * phase ends: what is still due is counted, not sent. */
			if (ctx->late_end_ns && util_now_ns() >= ctx->late_end_ns) {
				wk->unsent += runner_unsent(ctx, c);
				break;
			}
			if (ctx->replay) {
				if (!runner_trace_peek(wk, c, util_now_ns() >= ctx->measure_ns))
					break;
				intended = runner_trace_due(ctx, c);
			} else {
				intended = pacer_next(&c->pacer);
			}
			if (ctx->end_ns && intended >= ctx->end_ns)
				break;
			if (sleep_until(intended) < 0)
				break;
			/* Open loop: the schedule goes on while the connection is
			 * down; what falls due then is counted as disconnected. */
			if (c->conn.err && runner_reconnect(wk, c, util_now_ns()) < 0)
				break;
		}
		t0 = util_now_ns();
		if (!open_loop)
			intended = t0;
		/* A request belongs to the warmup or the measurement by when it
		 * was meant to be sent. */
		measured = intended >= ctx->measure_ns;
		n = runner_fill_batch(wk, c, measured, &drawn);
		if (drawn == 0)
			break; /* quota or records exhausted */
		if (c->conn.err) {
			runner_mark_disconnected(c, n);
			t1 = t2 = t0;
		} else {
			if (n > 0)
				send(&c->conn, c->reqs, n);
			t1 = util_now_ns();
			t2 = ctx->has_rmw && send_rmw_writes(c, n, send) ? util_now_ns() : t1;
			if (!c->conn.err)
				c->backoff_ns = 0; /* the connection works: next loss, retry at once */
		}
		runner_record_batch(wk, c, measured, intended, t0, t1, t2, n);
		if (measured && ctx->ph->ops && !ctx->load)
			c->quota -= drawn;
		/* Open loop ends at the first request due after the end: one
		 * that fell behind still sends (late) every request due before
		 * it, or a stall at the end would go uncounted; up to
		 * late_end_ns (above). */
		if (ctx->end_ns && t1 >= ctx->end_ns && !open_loop)
			break;
	}
	runner_worker_finished(wk);
	return NULL;
}

static void client_free(struct client *c)
{
	if (c->conn.driver)
		c->conn.driver->close(&c->conn);
	free(c->reqs);
	free(c->logical);
	free(c->rmw_len);
	free(c->second);
	free(c->second_slot);
	free(c->keys);
	free(c->args);
	free(c->values);
	trace_close(c->replay);
}

static void client_init(struct client *c, const struct phase_ctx *ctx, const struct bench_target *target,
			uint64_t stream, size_t slots)
{
	c->conn.driver = ctx->drv;
	c->conn.target = target;
	rng_seed(&c->rng, ctx->w->seed, stream);
	c->prefix_len = strlen(ctx->w->keyspace.prefix);
	c->key_len = ctx->replay ? TRACE_KEY_MAX : keygen_key_len(ctx->w->keyspace.prefix);
	if (!ctx->replay && ctx->key_sizes && sizegen_max(ctx->key_sizes) > c->key_len)
		c->key_len = (size_t)sizegen_max(ctx->key_sizes);
	c->reqs = xcalloc(slots, sizeof(*c->reqs));
	c->logical = xcalloc(slots, sizeof(*c->logical));
	c->rmw_len = xcalloc(slots, sizeof(*c->rmw_len));
	c->second = xcalloc(slots, sizeof(*c->second));
	c->second_slot = xcalloc(slots, sizeof(*c->second_slot));
	c->keys = xmalloc(slots * c->key_len);
	c->arg_cap = c->key_len + 32;
	c->ctx_categories = ctx->w->values.categories ? ctx : NULL;
	c->args = xcalloc(slots, c->arg_cap);
	/* Padded to the slot's width: a key of a drawn size is a prefix of it. */
	memset(c->keys, KEYGEN_PAD, slots * c->key_len);
	for (size_t i = 0; i < slots; i++)
		keygen_format(c->keys + i * c->key_len, ctx->w->keyspace.prefix, 0);
	c->values = keygen_value_buffer(ctx->replay ? TRACE_VALUE_MAX :
					sizegen_max(ctx->sizes) * (ctx->w->values.fields ? ctx->w->values.fields : 1),
					&c->rng);
}

/* A sizegen for a fixed value, a range or a weighted list; NULL on failure. */
static struct sizegen *make_spread(const struct wl_spread *sp)
{
	struct sizegen *g = NULL;
	int rc;

	if (sp->n)
		rc = sizegen_init_weighted(sp->vals, sp->weights, sp->n, &g);
	else if (sp->min == sp->max)
		rc = sizegen_init_fixed(sp->min, &g);
	else
		rc = sizegen_init_uniform(sp->min, sp->max, &g);
	return rc < 0 ? NULL : g;
}

/* A sizegen for a spread or, when sh has a kind, for that distribution
 * clamped to [sp->min, sp->max]; NULL on failure. fb_etc is the value
 * sizes' for values.size and the key sizes' GEV for keyspace.key_size
 * (key_sizes: 1). */
static struct sizegen *make_shaped(const struct wl_spread *sp, const struct wl_shape *sh, int key_sizes)
{
	struct sizegen *g = NULL;
	int rc = 0;

	switch (sh->kind) {
	case WL_SHAPE_FB_ETC:
		if (key_sizes)
			rc = sizegen_init_gev(EVD_ETC_KEY_MU, EVD_ETC_KEY_SIGMA, EVD_ETC_KEY_XI, sp->min, sp->max, &g);
		else
			rc = sizegen_init_fb_etc(sp->min, sp->max, &g);
		break;
	case WL_SHAPE_GEV:
		rc = sizegen_init_gev(sh->p[0], sh->p[1], sh->p[2], sp->min, sp->max, &g);
		break;
	case WL_SHAPE_GPARETO:
		rc = sizegen_init_gpareto(sh->p[0], sh->p[1], sh->p[2], sp->min, sp->max, &g);
		break;
	default:
		return make_spread(sp);
	}
	return rc == 0 ? g : NULL;
}

static struct sizegen *make_sizes(const struct workload *w)
{
	struct wl_spread sp = {w->values.size_min, w->values.size_max, w->values.sizes, w->values.weights,
			       w->values.n_sizes};

	return make_shaped(&sp, &w->values.size_shape, 0);
}

/*
 * Whether the event engine may serve the phase, and when not, why (into
 * out->engine_reason): every op a driver supports goes through its event
 * hooks (driver.h, ABI 7), so only the driver's lack of them or the
 * environment decides here; the driver may still decline the target
 * (connect_clients).
 */
static int event_allowed(const struct phase_ctx *ctx, const struct bench_driver *drv, struct phase_result *out)
{
	if (ctx->replay) {
		snprintf(out->engine_reason, sizeof(out->engine_reason),
			 "a trace replay: each client reads the trace itself (keyspace.trace)");
		return 0;
	}
	if (getenv("BENCH_ENGINE_BLOCKING")) {
		snprintf(out->engine_reason, sizeof(out->engine_reason), "BENCH_ENGINE_BLOCKING is set");
		return 0;
	}
	if (!BENCH_DRIVER_HAS_EVENTS(drv)) {
		snprintf(out->engine_reason, sizeof(out->engine_reason), "the %s driver has no event hooks", drv->name);
		return 0;
	}
	return 1;
}

/* Returns 0, or -1 with out->error (only for parameters the workload loader
 * should have refused). */
static int ctx_init(struct phase_ctx *ctx, const struct workload *w, const struct wl_phase *ph,
		    const struct bench_driver *drv, struct phase_result *out)
{
	pthread_condattr_t ca;
	double sum = 0;
	char err[160];

	memset(ctx, 0, sizeof(*ctx));
	pthread_mutex_init(&ctx->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&ctx->cv, &ca);
	pthread_condattr_destroy(&ca);
	ctx->w = w;
	ctx->ph = ph;
	ctx->drv = drv;
	ctx->load = ph->type == WL_PHASE_LOAD;
	ctx->clients = ph->clients;
	ctx->client_rate = ctx->load ? 0 : ph->rate / (double)ph->clients;
	ctx->has_rmw = !ctx->load && ph->mix[BENCH_OP_RMW] > 0;
	ctx->replay = !ctx->load && ph->type == WL_PHASE_RUN && w->keyspace.trace != NULL;
	if (ctx->replay)
		ctx->replay_ops = 1u << BENCH_OP_GET | 1u << BENCH_OP_SET | 1u << BENCH_OP_DELETE | 1u << BENCH_OP_INCR;
	ctx->event = event_allowed(ctx, drv, out);
	for (int op = 0; op < BENCH_OP__COUNT; op++) {
		unsigned need = bench_op_caps((enum bench_op)op);

		if ((drv->caps & need) == need)
			ctx->supported |= 1u << op;
		sum += ph->mix[op];
		ctx->cum[op] = sum;
		if (ph->mix[op] > 0)
			ctx->last_op = op;
		if (((ph->mix[op] > 0 || (ctx->replay_ops & (1u << op))) && (ctx->supported & (1u << op))) ||
		    (ctx->load && op == BENCH_OP_SET))
			ctx->ts_ops |= 1u << op;
		if ((ph->mix[op] > 0 && op != BENCH_OP_GET && op != BENCH_OP_DELETE) || w->values.categories)
			ctx->has_args = 1;
	}
	ctx->sizes = make_sizes(w);
	if (!ctx->sizes) {
		snprintf(out->error, sizeof(out->error), "invalid value sizes");
		return -1;
	}
	if (w->keyspace.key_size.max && !(ctx->key_sizes = make_shaped(&w->keyspace.key_size, &w->keyspace.key_shape, 1))) {
		snprintf(out->error, sizeof(out->error), "invalid keyspace.key_size");
		return -1;
	}
	if (w->values.ttl.max && !(ctx->ttls = make_spread(&w->values.ttl))) {
		snprintf(out->error, sizeof(out->error), "invalid values.ttl");
		return -1;
	}
	if (!ctx->load && dist_init(&w->keyspace.dist, &ctx->dist, err, sizeof(err)) < 0) {
		snprintf(out->error, sizeof(out->error), "invalid key distribution: %s", err);
		return -1;
	}
	return 0;
}

static void ctx_free(struct phase_ctx *ctx)
{
	pthread_mutex_destroy(&ctx->mu);
	pthread_cond_destroy(&ctx->cv);
	dist_free(ctx->dist);
	sizegen_free(ctx->sizes);
	sizegen_free(ctx->ttls);
	sizegen_free(ctx->key_sizes);
}

/* Adds the workers' stats[which] into out. */
static void merge_stats(struct phase_result *out, struct worker *workers, uint64_t n, int which)
{
	for (uint64_t i = 0; i < n; i++)
		for (int op = 0; op < BENCH_OP__COUNT; op++)
			op_stats_merge(&out->ops[op], &workers[i].stats[which][op]);
}

/* CPU time so far: the harness's (all its threads) and the server's. */
struct cpu_mark {
	uint64_t at_ns;
	double client_s;
	double server_s;                /* < 0: unknown */
};

static void cpu_sample(struct cpu_mark *m, const struct runner_probe *probe)
{
	struct rusage ru;

	m->at_ns = util_now_ns();
	getrusage(RUSAGE_SELF, &ru);
	m->client_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		      (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	m->server_s = probe && probe->server_cpu_s ? probe->server_cpu_s(probe->arg) : -1;
}

static void cpu_delta(struct phase_result *r, const struct cpu_mark *a, const struct cpu_mark *b)
{
	r->cpu_wall_s = (double)(b->at_ns - a->at_ns) / 1e9;
	r->client_cpu_s = b->client_s - a->client_s;
	r->server_cpu_s = a->server_s >= 0 && b->server_s >= a->server_s ? b->server_s - a->server_s : -1;
}

/* While a second of the time series waits for a worker to hand it over,
 * the main thread looks again this often. */
#define PROGRESS_POLL_NS 10000000u /* 10 ms */

/* Where the phase stands at now: the latest complete second (p->ts) and
 * the measured requests finished so far, read live from the workers. */
static void progress_report(struct phase_ctx *ctx, const struct worker *workers, uint64_t nworkers,
			    const struct runner_probe *probe, uint64_t now, const struct ts_progress *ts)
{
	struct runner_progress p = {.phase = ctx->ph, .ts = *ts};

	p.elapsed_s = (double)(now - ctx->start_ns) / 1e9;
	p.warmup_s = (double)ctx->ph->warmup_ns / 1e9;
	if (ctx->end_ns)
		p.total_s = (double)(ctx->end_ns - ctx->start_ns) / 1e9;
	else
		p.ops_total = ctx->ops_total;
	for (uint64_t i = 0; i < nworkers; i++)
		p.done += atomic_load_explicit(&workers[i].done, memory_order_relaxed);
	if (probe && probe->progress)
		probe->progress(probe->arg, &p);
}

/*
 * The phase's main thread while the workers run: samples CPU when the
 * measurement starts (cpu[1]) and ends (cpu[2]), gathers the time series
 * and reports progress once per second of it (they count from the
 * measurement's start; the first may be shorter).
 *
 * A worker hands a second over at its first completion after the second
 * ended, so at the moment it ends none has: reported then, the line showed
 * the second before, or "-  p99 -" for the first. The second is reported
 * once every worker has handed it over (looked for every PROGRESS_POLL_NS),
 * or, should one be stuck in a slow request, when the next second ends
 * too, as far as it is then: the line never stops.
 */
static void watch_phase(struct phase_ctx *ctx, struct worker *workers, uint64_t nworkers,
			const struct runner_probe *probe, struct cpu_mark *cpu)
{
	int measuring = ctx->measure_ns == ctx->start_ns;
	uint64_t part = ctx->ph->warmup_ns % 1000000000u;
	/* The end of the first second: whole seconds from the measurement's
	 * start, so a warmup of 1.5 s has a first second of 0.5 s. */
	uint64_t tick = ctx->start_ns + (part ? part : 1000000000u);

	if (measuring)
		cpu[1] = cpu[0];
	pthread_mutex_lock(&ctx->mu);
	while (ctx->finished < nworkers) {
		uint64_t now = util_now_ns(), wake = tick > now ? tick : now + PROGRESS_POLL_NS;
		struct timespec ts;

		if (!measuring && ctx->measure_ns < wake)
			wake = ctx->measure_ns;
		ts = (struct timespec){(time_t)(wake / 1000000000u), (long)(wake % 1000000000u)};
		pthread_cond_timedwait(&ctx->cv, &ctx->mu, &ts);
		if (ctx->finished == nworkers)
			break;
		pthread_mutex_unlock(&ctx->mu);
		now = util_now_ns();
		if (!measuring && now >= ctx->measure_ns) {
			cpu_sample(&cpu[1], probe);
			measuring = 1;
		}
		if (now >= tick) {
			/* The second that ended at tick (seconds before the
			 * measurement are negative; tick is whole seconds away). */
			int64_t want = (int64_t)(tick - ctx->measure_ns) / 1000000000 - 1;
			struct ts_progress got;

			ts_collect(ctx->ts, &got);
			if (got.second >= want || now >= tick + 1000000000u) { /* none yet: INT64_MIN */
				progress_report(ctx, workers, nworkers, probe, now, &got);
				while (tick <= now)
					tick += 1000000000u;
			}
		}
		pthread_mutex_lock(&ctx->mu);
	}
	pthread_mutex_unlock(&ctx->mu);
	cpu_sample(&cpu[2], probe);
	if (!measuring)
		cpu[1] = cpu[2]; /* stopped within the warmup */
}

/*
 * Readies clients[0..nclients) (phase clients first_client.. of every
 * shard's) and connects each before the clock starts; the event engine is
 * given up when the driver declines this target; client 0 of the whole
 * phase prepares a load. Returns 0, or -1 with out->error.
 */
static int connect_clients(struct phase_ctx *ctx, const struct bench_target *target, struct client *clients,
			   uint64_t nclients, uint64_t first_client, uint64_t repeat, struct phase_result *out)
{
	const struct workload *w = ctx->w;
	const struct wl_phase *ph = ctx->ph;
	const struct bench_driver *drv = ctx->drv;
	size_t slots = ctx->load ? ph->batch : ph->pipeline;

	for (uint64_t i = 0; i < nclients; i++) {
		struct client *c = &clients[i];
		uint64_t g = first_client + i, all = ph->clients; /* over every shard */
		/* Stream per (repeat, phase, client): reproducible, independent. */
		uint64_t stream = (repeat << 48) ^ ((uint64_t)(ph - w->phases) << 32) ^ g;

		c->index = g;
		client_init(c, ctx, target, stream, slots);
		if (ctx->replay && !(c->replay = trace_open(w->keyspace.trace, w->keyspace.trace_format, out->error,
							  sizeof(out->error))))
			return -1;
		if (ctx->load) {
			c->next_id = w->keyspace.records * g / all;
			c->end_id = w->keyspace.records * (g + 1) / all;
			ctx->ops_total += c->end_id - c->next_id;
		} else {
			/* Sequential keys: each client starts at its own slice. */
			dist_cursor_init(ctx->dist, &c->cursor, w->keyspace.records * g / all);
			if (ph->ops)
				c->quota = ph->ops / all + (g < ph->ops % all);
			ctx->ops_total += c->quota;
		}
		if (ctx->trace)
			c->conn.trace = run_trace_client(ctx->trace, g);
		if (drv->open(&c->conn) < 0) {
			snprintf(out->error, sizeof(out->error), "client %llu could not connect to %s: %s",
				 (unsigned long long)g, target->name, c->conn.errstr);
			return -1;
		}
		/* A driver may offer events but not for this target (a memcached
		 * pool, say): event_fd < 0 without a lost connection says so. */
		if (ctx->event && i == 0 && drv->event_fd(&c->conn) < 0) {
			if (c->conn.err) {
				snprintf(out->error, sizeof(out->error), "client 0 could not connect to %s: %s",
					 target->name, c->conn.errstr);
				return -1;
			}
			ctx->event = 0;
			snprintf(out->engine_reason, sizeof(out->engine_reason), "%s",
				 c->conn.errstr[0] ? c->conn.errstr : "the driver declined this target");
		}
		/* Client 0 only: with shards, one machine readies the namespace
		 * (docs/scale.md says what that means for Redis's range index). */
		if (ctx->load && g == 0 && drv->prepare && drv->prepare(&c->conn) < 0) {
			snprintf(out->error, sizeof(out->error), "preparing %s failed: %s", target->name, c->conn.errstr);
			return -1;
		}
	}
	return 0;
}

/*
 * How many worker threads serve nclients. Blocking engine: a thread per
 * client. Event engine: the clients spread over one thread per core but
 * one, left to a single-threaded server; a multi-threaded one (memcached)
 * is fed by one per core: a single client thread leaves its threads idle
 * between bursts.
 */
static uint64_t count_workers(const struct phase_ctx *ctx, const struct bench_target *target, uint64_t nclients)
{
	long cores;
	uint64_t n;

	if (!ctx->event)
		return nclients;
	cores = sysconf(_SC_NPROCESSORS_ONLN);
	n = cores > 2 ? (uint64_t)cores - 1 : 1;
	if (target->server_threads > 1 && cores > 1)
		n = (uint64_t)cores;
	return n > nclients ? nclients : n;
}

/* Gives workers[0..n) their share of the clients, their epoll set (event
 * engine) and a histogram per op the phase runs. Returns 0, or -1 with
 * out->error. */
static int setup_workers(struct phase_ctx *ctx, struct worker *workers, uint64_t n, struct client *clients,
			 uint64_t nclients, const struct bench_target *target, struct phase_result *out)
{
	const struct wl_phase *ph = ctx->ph;

	for (uint64_t i = 0; i < n; i++) {
		uint64_t first = nclients * i / n, end = nclients * (i + 1) / n;

		workers[i].ctx = ctx;
		workers[i].clients = &clients[first];
		workers[i].n_clients = end - first;
		workers[i].epfd = -1;
	}
	for (uint64_t i = 0; i < n; i++) {
		if (ctx->event && runner_ev_setup(&workers[i]) < 0) {
			snprintf(out->error, sizeof(out->error), "cannot watch %s's connections: %s", target->name,
				 strerror(errno));
			return -1;
		}
		for (int op = 0; op < BENCH_OP__COUNT; op++) {
			if (!(ph->mix[op] > 0 || (ctx->replay_ops & (1u << op)) || (ctx->load && op == BENCH_OP_SET)))
				continue;
			for (int k = STATS_WARMUP; k <= STATS_MEASURED; k++) {
				if (k == STATS_WARMUP && ph->warmup_ns == 0)
					continue;
				workers[i].stats[k][op].lat = hist_new_latency();
				workers[i].stats[k][op].lat_uncorrected = hist_new_latency();
			}
		}
	}
	return 0;
}

/*
 * Starts the workers, starts the clock once they wait at the barrier,
 * watches the phase (CPU marks in cpu[0..2], progress) and joins them.
 * Returns when the last ended, with *last = when that was.
 */
static void run_workers(struct phase_ctx *ctx, struct worker *workers, uint64_t n, const struct runner_probe *probe,
			struct cpu_mark *cpu, uint64_t *last)
{
	const struct wl_phase *ph = ctx->ph;
	sigset_t block, old_mask;

	pthread_barrier_init(&ctx->start, NULL, (unsigned)n + 1);
	/* The workers inherit a mask without SIGINT and SIGTERM: a Ctrl-C
	 * then lands on this thread and never interrupts a client's send or
	 * receive, which some client libraries would count as a failure. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old_mask);
	for (uint64_t i = 0; i < n; i++) {
		if (pthread_create(&workers[i].tid, NULL, ctx->event ? runner_event_worker_main : worker_main,
				   &workers[i]) != 0) {
			/* Cannot happen for sane client counts; fail loudly, not half-measured. */
			fprintf(stderr, "bench: cannot start thread %llu of %llu\n", (unsigned long long)i,
				(unsigned long long)n);
			abort();
		}
	}
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	/* The workers wait at the barrier: the clock starts now, and what
	 * they read below is set before the barrier lets them go. */
	ctx->start_ns = util_now_ns();
	ctx->measure_ns = ctx->start_ns + ph->warmup_ns;
	ctx->end_ns = ph->duration_ns ? ctx->measure_ns + ph->duration_ns : 0;
	ctx->late_end_ns = ctx->end_ns && ctx->client_rate > 0 ? ctx->end_ns + ctx->timeout_ns : 0;
	ctx->ts = ts_new(ctx->measure_ns, ctx->start_ns, ctx->ts_ops, n);
	for (uint64_t i = 0; i < n; i++)
		workers[i].ts = ts_local(ctx->ts, (size_t)i);
	cpu_sample(&cpu[0], probe);
	pthread_barrier_wait(&ctx->start);
	watch_phase(ctx, workers, n, probe, cpu);
	*last = 0;
	for (uint64_t i = 0; i < n; i++) {
		pthread_join(workers[i].tid, NULL);
		if (workers[i].finished_ns > *last)
			*last = workers[i].finished_ns;
	}
	pthread_barrier_destroy(&ctx->start);
}

/* The phase's results (and its warmup's) from the workers and clients,
 * after the last worker ended at `last`. */
static void collect_results(struct phase_ctx *ctx, struct worker *workers, uint64_t nworkers,
			    const struct client *clients, uint64_t nclients, const struct cpu_mark *cpu, uint64_t last,
			    struct phase_result *out, struct phase_result *warmup_out)
{
	const struct wl_phase *ph = ctx->ph;

	ts_collect(ctx->ts, NULL);
	out->series = ts_take_rows(ctx->ts, &out->n_series);
	out->duration_s = last > ctx->measure_ns ? (double)(last - ctx->measure_ns) / 1e9 : 0;
	/* Cut short only when the stop came before its last client was done:
	 * a phase that had finished when Ctrl-C came is complete. */
	out->interrupted = runner_stop_requested() && runner_stop_requested_at() < last;
	out->engine = ctx->event ? "event" : "blocking";
	for (uint64_t i = 0; i < nworkers; i++) {
		if (workers[i].first_error[0] && !out->error[0])
			snprintf(out->error, sizeof(out->error), "thread %llu: first failure: %s",
				 (unsigned long long)i, workers[i].first_error);
	}
	merge_stats(out, workers, nworkers, STATS_MEASURED);
	for (uint64_t i = 0; i < nworkers; i++) {
		out->reconnects += workers[i].reconnects;
		out->unsent += workers[i].unsent;
	}
	for (uint64_t i = 0; i < nclients; i++)
		results_add_conn_counters(out, ctx->drv, clients[i].conn.counters);
	cpu_delta(out, &cpu[1], &cpu[2]);
	if (warmup_out && ph->warmup_ns) {
		cpu_delta(warmup_out, &cpu[0], &cpu[1]);
		warmup_out->phase = ph;
		warmup_out->repeat = out->repeat;
		warmup_out->warmup = true;
		warmup_out->sweep_value = out->sweep_value;
		warmup_out->duration_s = (double)ph->warmup_ns / 1e9;
		warmup_out->interrupted = out->interrupted;
		warmup_out->engine = out->engine;
		snprintf(warmup_out->engine_reason, sizeof(warmup_out->engine_reason), "%s", out->engine_reason);
		merge_stats(warmup_out, workers, nworkers, STATS_WARMUP);
	}
}

int runner_run_phase(const struct workload *w, const struct wl_phase *ph, uint64_t repeat,
		     const struct bench_driver *drv, const struct bench_target *target,
		     const struct runner_probe *probe, struct phase_result *out, struct phase_result *warmup_out)
{
	struct phase_ctx ctx;
	struct cpu_mark cpu[3] = {{0}}; /* phase start, measurement start, end */
	uint64_t nclients, first_client, nworkers = 0, last;
	struct client *clients;
	struct worker *workers = NULL;
	int rc = -1;

	/* A shard runs its block of the phase's clients under their own
	 * numbers: the same streams, records, quotas and schedules as in an
	 * unsharded run, and no two machines insert the same key. */
	shard_split(ph->clients, w->shard.index, w->shard.count, &first_client, &nclients);
	clients = xcalloc(nclients, sizeof(*clients));
	out->phase = ph;
	out->repeat = repeat;
	if (ctx_init(&ctx, w, ph, drv, out) < 0)
		goto done;
	ctx.trace = probe ? probe->trace : NULL;
	ctx.timeout_ns = (uint64_t)(target->timeout_ms ? target->timeout_ms : 5000) * 1000000u;
	/* Every client connects before the clock starts. */
	if (connect_clients(&ctx, target, clients, nclients, first_client, repeat, out) < 0)
		goto done;
	nworkers = count_workers(&ctx, target, nclients);
	workers = xcalloc(nworkers, sizeof(*workers));
	if (setup_workers(&ctx, workers, nworkers, clients, nclients, target, out) < 0)
		goto done;
	if (!ctx.event && probe && probe->blocking)
		probe->blocking(probe->blocking_arg, out->engine_reason);
	if (probe && probe->connected)
		probe->connected(probe->connected_arg);
	run_workers(&ctx, workers, nworkers, probe, cpu, &last);
	collect_results(&ctx, workers, nworkers, clients, nclients, cpu, last, out, warmup_out);
	rc = 0;
done:
	for (uint64_t i = 0; i < nclients; i++)
		client_free(&clients[i]);
	for (uint64_t i = 0; workers && i < nworkers; i++) {
		if (workers[i].epfd >= 0)
			close(workers[i].epfd);
		for (int k = STATS_WARMUP; k <= STATS_MEASURED; k++)
			for (int op = 0; op < BENCH_OP__COUNT; op++)
				op_stats_free(&workers[i].stats[k][op]);
	}
	ctx_free(&ctx);
	ts_free(ctx.ts);
	free(clients);
	free(workers);
	return rc;
}
