/* runner.c - worker threads, clients and the request loop (closed, or open
 * at a rate). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <time.h>

#include "dist.h"
#include "keygen.h"
#include "pacer.h"
#include "rng.h"
#include "runner.h"
#include "util.h"

static atomic_int stop_requested;

void runner_request_stop(void)
{
	atomic_store(&stop_requested, 1);
}

int runner_stop_requested(void)
{
	return atomic_load(&stop_requested);
}

/* What every worker of a phase shares, read-only once started. */
struct phase_ctx {
	const struct workload *w;
	const struct wl_phase *ph;
	const struct bench_driver *drv;
	int load;                       /* a load phase */
	unsigned supported;             /* ops the driver can run, as bits */
	double cum[BENCH_OP__COUNT];    /* cumulative mix, for drawing ops */
	int last_op;                    /* the last op with a share > 0 */
	struct dist *dist;              /* which record (run phases) */
	struct sizegen *sizes;          /* how big a value */
	double client_rate;             /* open loop: requests/s per client; 0 = closed */
	int event;                      /* the event-driven engine serves this phase */
	uint64_t timeout_ns;            /* event engine: a batch's deadline */
	int has_rmw;                    /* the mix has read-modify-writes */
	uint64_t clients;
	uint64_t start_ns;              /* the phase starts (warmup included) */
	uint64_t measure_ns;            /* warmup ends, measurement starts */
	uint64_t end_ns;                /* duration phases: when to stop */
	pthread_barrier_t start;
};

struct client {
	struct bench_conn conn;
	struct rng rng;
	struct bench_request *reqs;     /* pipeline (or load batch) slots */
	enum bench_op *logical;         /* per slot: the workload's op (insert, rmw ...) */
	uint64_t *rmw_len;              /* per slot: value length of an rmw's write */
	struct bench_request *second;   /* the writes of a batch's rmw ops */
	size_t *second_slot;            /* which slot each of them belongs to */
	uint64_t inserts;               /* records this client has inserted */
	char *keys;                     /* one key buffer per slot */
	size_t key_len, prefix_len;
	char *values;                   /* random bytes, values are slices of it */
	uint64_t quota;                 /* ops phases: measured requests left */
	uint64_t next_id, end_id;       /* load phases: records left to write */
	uint64_t index;                 /* 0 .. clients-1 */
	struct dist_cursor cursor;
	struct pacer pacer;
	/* Event engine: where this client's batch is. */
	enum { EV_READY, EV_WAITING, EV_FIRST, EV_SECOND, EV_DONE } state;
	uint64_t intended, sent, first_done, deadline;
	size_t n, drawn, m;             /* batch size, ops drawn, rmw writes */
	int measured;
	int fd;
	uint32_t watching;              /* epoll events registered */
};

enum { STATS_WARMUP = 0, STATS_MEASURED = 1 };

struct worker {
	pthread_t tid;
	struct phase_ctx *ctx;
	struct client *clients;         /* blocking engine: exactly one */
	size_t n_clients;
	size_t active;                  /* event engine: clients not done */
	int epfd;                       /* event engine */
	struct op_stats stats[2][BENCH_OP__COUNT]; /* [STATS_WARMUP], [STATS_MEASURED] */
	uint64_t finished_ns;
	char first_error[160];          /* the first failed request's errstr */
};

static enum bench_op draw_op(const struct phase_ctx *ctx, struct rng *r)
{
	double u = rng_double(r);

	for (int op = 0; op < ctx->last_op; op++)
		if (u < ctx->cum[op])
			return (enum bench_op)op;
	return (enum bench_op)ctx->last_op;
}

/*
 * The record an insert creates: beyond the loaded keyspace, interleaved over
 * the clients so no two clients insert the same key. The client's "latest"
 * cursor then counts every client as having inserted as many as it has,
 * which keeps its draws reproducible (they never depend on other clients).
 */
static uint64_t next_insert_id(const struct phase_ctx *ctx, struct client *c)
{
	uint64_t id = ctx->w->keyspace.records + c->inserts * ctx->clients + c->index;

	c->inserts++;
	c->cursor.newest = ctx->w->keyspace.records - 1 + c->inserts * ctx->clients;
	return id;
}

/*
 * Fills the client's request slots for the next batch. Returns how many
 * requests to send; *drawn counts the requests taken from the workload,
 * including unsupported ones, which are tallied here and never sent.
 */
static size_t fill_batch(struct worker *wk, struct client *c, int measuring, size_t *drawn)
{
	struct phase_ctx *ctx = wk->ctx;
	size_t want, n = 0;

	*drawn = 0;
	if (ctx->load) {
		want = c->end_id - c->next_id < ctx->ph->batch ? c->end_id - c->next_id : ctx->ph->batch;
	} else {
		want = ctx->ph->pipeline;
		if (ctx->ph->ops && measuring && c->quota < want)
			want = c->quota;
	}
	for (size_t i = 0; i < want; i++) {
		struct bench_request *rq = &c->reqs[n];
		char *key = c->keys + n * c->key_len;
		enum bench_op op;
		uint64_t id;

		if (ctx->load) {
			op = BENCH_OP_SET;
			id = c->next_id++;
		} else {
			op = draw_op(ctx, &c->rng);
			id = op == BENCH_OP_INSERT ? next_insert_id(ctx, c) : dist_next(ctx->dist, &c->cursor, &c->rng);
		}
		(*drawn)++;
		if (!(ctx->supported & (1u << op))) {
			wk->stats[measuring][op].status[BENCH_UNSUPPORTED]++;
			continue;
		}
		keygen_set_id(key + c->prefix_len, id);
		c->logical[n] = op;
		/* What the driver is sent: inserts are sets, an rmw starts as a get. */
		rq->op = op == BENCH_OP_INSERT ? BENCH_OP_SET : op == BENCH_OP_RMW ? BENCH_OP_GET : op;
		rq->key = key;
		rq->key_len = c->key_len;
		rq->value = c->values;
		rq->value_len = rq->op == BENCH_OP_SET ? sizegen_next(ctx->sizes, &c->rng) : 0;
		/* Drawn now, not after the read, so the draws never depend on answers. */
		c->rmw_len[n] = op == BENCH_OP_RMW ? sizegen_next(ctx->sizes, &c->rng) : 0;
		rq->status = BENCH_OK;
		rq->value_len_out = 0;
		n++;
	}
	return n;
}

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

/*
 * The write half of the batch's rmw ops, for those whose read was answered:
 * fills c->second (and c->second_slot) and returns how many.
 */
static size_t prepare_rmw_writes(struct client *c, size_t n)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		enum bench_status st = c->reqs[i].status;

		if (c->logical[i] != BENCH_OP_RMW || (st != BENCH_OK && st != BENCH_MISS))
			continue;
		c->second[m] = c->reqs[i];
		c->second[m].op = BENCH_OP_SET;
		c->second[m].value_len = c->rmw_len[i];
		c->second[m].out = NULL;
		c->second_slot[m++] = i;
	}
	return c->conn.err ? 0 : m;
}

/* Copies the rmw writes' outcome into their requests' slots. */
static void finish_rmw_writes(struct client *c, size_t m)
{
	for (size_t k = 0; k < m; k++)
		c->reqs[c->second_slot[k]].status = c->second[k].status;
}

/* Blocking engine: sends the rmw writes as one more batch. Returns how
 * many were sent. */
static size_t send_rmw_writes(struct client *c, size_t n,
			      int (*send)(struct bench_conn *, struct bench_request *, size_t))
{
	size_t m = prepare_rmw_writes(c, n);

	if (m) {
		send(&c->conn, c->second, m);
		finish_rmw_writes(c, m);
	}
	return m;
}

/* done: when the batch's replies were all in; done_rmw: when its rmw
 * writes were (== done without any). */
static void record_batch(struct worker *wk, struct client *c, int measured, uint64_t intended, uint64_t sent,
			 uint64_t done, uint64_t done_rmw, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct op_stats *s = &wk->stats[measured][c->logical[i]];
		enum bench_status st = c->reqs[i].status;
		uint64_t end = c->logical[i] == BENCH_OP_RMW ? done_rmw : done;

		s->status[st]++;
		if (st == BENCH_OK || st == BENCH_MISS) {
			/* In a pipeline every request waits for the whole batch. */
			hist_record(s->lat, (int64_t)(end - intended));
			hist_record(s->lat_uncorrected, (int64_t)(end - sent));
		} else if (st != BENCH_UNSUPPORTED && !wk->first_error[0]) {
			snprintf(wk->first_error, sizeof(wk->first_error), "%s %s: %s",
				 bench_op_name(c->logical[i]), bench_status_name(st), c->conn.errstr);
		}
	}
}

static void *worker_main(void *arg)
{
	struct worker *wk = arg;
	struct phase_ctx *ctx = wk->ctx;
	struct client *c = &wk->clients[0];
	int (*send)(struct bench_conn *, struct bench_request *, size_t) =
		ctx->load && ctx->drv->load ? ctx->drv->load : ctx->drv->exec;
	int open_loop = ctx->client_rate > 0;

	pthread_barrier_wait(&ctx->start);
	/* Linux wakes sleepers up to 50 us late by default (timer slack); in
	 * open loop that lateness would be charged to the server. */
	if (open_loop) {
		prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
		pacer_init(&c->pacer, ctx->start_ns, ctx->client_rate, ctx->ph->pipeline,
			   (double)c->index / (double)ctx->clients);
	}
	while (!runner_stop_requested() && !c->conn.err) {
		uint64_t intended = 0, t0, t1, t2;
		int measured;
		size_t drawn, n;

		if (open_loop) {
			intended = pacer_next(&c->pacer);
			if (ctx->end_ns && intended >= ctx->end_ns)
				break;
			if (sleep_until(intended) < 0)
				break;
		}
		t0 = util_now_ns();
		if (!open_loop)
			intended = t0;
		/* A request belongs to the warmup or the measurement by when it
		 * was meant to be sent. */
		measured = intended >= ctx->measure_ns;
		n = fill_batch(wk, c, measured, &drawn);
		if (drawn == 0)
			break; /* quota or records exhausted */
		if (n > 0)
			send(&c->conn, c->reqs, n);
		t1 = util_now_ns();
		t2 = ctx->has_rmw && send_rmw_writes(c, n, send) ? util_now_ns() : t1;
		record_batch(wk, c, measured, intended, t0, t1, t2, n);
		if (measured && ctx->ph->ops && !ctx->load)
			c->quota -= drawn;
		if (ctx->end_ns && t1 >= ctx->end_ns)
			break;
	}
	wk->finished_ns = util_now_ns();
	return NULL;
}

/* ---- the event-driven engine: many clients per thread over epoll ---- */

#define EV_MAX_EVENTS 256

static void ev_watch(struct worker *wk, struct client *c, uint32_t events)
{
	struct epoll_event e = {.events = events, .data.ptr = c};

	if (c->watching == events)
		return;
	epoll_ctl(wk->epfd, EPOLL_CTL_MOD, c->fd, &e);
	c->watching = events;
}

static void ev_done(struct worker *wk, struct client *c)
{
	c->state = EV_DONE;
	epoll_ctl(wk->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	wk->active--;
}

/* After submit/flush: wait for the socket to take the rest, or for
 * replies. (A failed write, rc < 0, is completed by the caller.) */
static void ev_after_write(struct worker *wk, struct client *c, int rc)
{
	if (rc >= 0)
		ev_watch(wk, c, rc == 0 ? EPOLLIN | EPOLLOUT : EPOLLIN);
}

/* The batch in flight has every status: record it, or send its rmw writes
 * first. The next batch starts from the main loop (no recursion). */
static void ev_complete(struct worker *wk, struct client *c, uint64_t now)
{
	struct phase_ctx *ctx = wk->ctx;

	if (c->state == EV_FIRST) {
		c->first_done = now;
		c->m = ctx->has_rmw ? prepare_rmw_writes(c, c->n) : 0;
		if (c->m) {
			int rc;

			c->state = EV_SECOND;
			c->deadline = now + ctx->timeout_ns;
			rc = ctx->drv->submit(&c->conn, c->second, c->m);
			ev_after_write(wk, c, rc);
			if (rc < 0)
				ev_complete(wk, c, util_now_ns());
			return;
		}
	} else {
		finish_rmw_writes(c, c->m);
	}
	record_batch(wk, c, c->measured, c->intended, c->sent, c->first_done, now, c->n);
	if (c->measured && ctx->ph->ops && !ctx->load)
		c->quota -= c->drawn;
	c->state = EV_READY;
	ev_watch(wk, c, EPOLLIN);
}

/* Fills and submits the client's next batch (it is due). */
static void ev_send(struct worker *wk, struct client *c)
{
	struct phase_ctx *ctx = wk->ctx;
	int rc;

	c->sent = util_now_ns();
	if (ctx->client_rate == 0)
		c->intended = c->sent;
	c->measured = c->intended >= ctx->measure_ns;
	c->n = fill_batch(wk, c, c->measured, &c->drawn);
	if (c->drawn == 0) {
		ev_done(wk, c); /* quota or records exhausted */
		return;
	}
	c->state = EV_FIRST;
	c->deadline = c->sent + ctx->timeout_ns;
	if (c->n == 0) {
		ev_complete(wk, c, c->sent); /* all unsupported: nothing to send */
		return;
	}
	rc = ctx->drv->submit(&c->conn, c->reqs, c->n);
	ev_after_write(wk, c, rc);
	if (rc < 0)
		ev_complete(wk, c, util_now_ns());
}

/* A ready client: stop, wait for its next due time, or send now. */
static void ev_start_next(struct worker *wk, struct client *c, uint64_t now)
{
	struct phase_ctx *ctx = wk->ctx;

	if (c->conn.err || (ctx->end_ns && now >= ctx->end_ns)) {
		ev_done(wk, c);
		return;
	}
	if (ctx->client_rate > 0) {
		c->intended = pacer_next(&c->pacer);
		if (ctx->end_ns && c->intended >= ctx->end_ns) {
			ev_done(wk, c);
			return;
		}
		if (c->intended > now) {
			c->state = EV_WAITING;
			return;
		}
	}
	ev_send(wk, c);
}

static void ev_handle(struct worker *wk, struct client *c, uint32_t events)
{
	const struct bench_driver *drv = wk->ctx->drv;
	int rc = 0;

	if (c->state != EV_FIRST && c->state != EV_SECOND)
		return;
	if (events & EPOLLOUT) {
		rc = drv->flush(&c->conn);
		if (rc < 0) {
			ev_complete(wk, c, util_now_ns());
			return;
		}
		if (rc == 1)
			ev_watch(wk, c, EPOLLIN);
	}
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
		rc = drv->on_readable(&c->conn);
		if (rc != 0)
			ev_complete(wk, c, util_now_ns());
	}
}

/*
 * Starts due clients and expires overdue batches; returns when the loop
 * should next wake up by itself (UINT64_MAX: only for I/O).
 */
static uint64_t ev_tick(struct worker *wk)
{
	uint64_t now = util_now_ns(), wake = UINT64_MAX;

	for (size_t i = 0; i < wk->n_clients; i++) {
		struct client *c = &wk->clients[i];

		if (c->state == EV_READY)
			ev_start_next(wk, c, now);
		if (c->state == EV_WAITING && c->intended <= util_now_ns())
			ev_send(wk, c);
		if ((c->state == EV_FIRST || c->state == EV_SECOND) && util_now_ns() >= c->deadline) {
			wk->ctx->drv->expire(&c->conn);
			ev_complete(wk, c, util_now_ns());
			if (c->state == EV_READY)
				ev_start_next(wk, c, util_now_ns());
		}
		if (c->state == EV_WAITING && c->intended < wake)
			wake = c->intended;
		if ((c->state == EV_FIRST || c->state == EV_SECOND) && c->deadline < wake)
			wake = c->deadline;
	}
	return wake;
}

/* epoll_pwait2 (Linux 5.11) takes a nanosecond timeout, which open-loop
 * schedules need; where it is missing (old kernels, valgrind 3.19), fall
 * back to epoll_wait with the timeout rounded up to a millisecond. */
static int ev_wait(int epfd, struct epoll_event *events, int max, const struct timespec *ts)
{
	static atomic_int no_pwait2;

	if (!atomic_load(&no_pwait2)) {
		int n = epoll_pwait2(epfd, events, max, ts, NULL);

		if (n >= 0 || errno != ENOSYS)
			return n;
		atomic_store(&no_pwait2, 1);
	}
	return epoll_wait(epfd, events, max, (int)((ts->tv_nsec + 999999) / 1000000 + ts->tv_sec * 1000));
}

static void *event_worker_main(void *arg)
{
	struct worker *wk = arg;
	struct phase_ctx *ctx = wk->ctx;
	struct epoll_event events[EV_MAX_EVENTS];

	pthread_barrier_wait(&ctx->start);
	if (ctx->client_rate > 0)
		prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
	for (size_t i = 0; i < wk->n_clients; i++) {
		struct client *c = &wk->clients[i];

		c->state = EV_READY;
		if (ctx->client_rate > 0)
			pacer_init(&c->pacer, ctx->start_ns, ctx->client_rate, ctx->ph->pipeline,
				   (double)c->index / (double)ctx->clients);
	}
	while (wk->active > 0 && !runner_stop_requested()) {
		uint64_t wake = ev_tick(wk), now;
		/* Wake at least every 100 ms to notice a stop request. */
		struct timespec ts = {0, 100000000};
		int n;

		if (wk->active == 0)
			break;
		now = util_now_ns();
		if (wake != UINT64_MAX && wake < now + 100000000u) {
			uint64_t d = wake > now ? wake - now : 0;

			ts.tv_sec = 0;
			ts.tv_nsec = (long)d;
		}
		n = ev_wait(wk->epfd, events, EV_MAX_EVENTS, &ts);
		for (int i = 0; i < n; i++)
			ev_handle(wk, events[i].data.ptr, events[i].events);
	}
	/* Clients still in flight when asked to stop are not recorded. */
	wk->finished_ns = util_now_ns();
	return NULL;
}

/* Registers the worker's clients with a new epoll set. Returns 0 or -1. */
static int ev_setup(struct worker *wk)
{
	wk->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (wk->epfd < 0)
		return -1;
	wk->active = wk->n_clients;
	for (size_t i = 0; i < wk->n_clients; i++) {
		struct client *c = &wk->clients[i];
		struct epoll_event e = {.events = EPOLLIN, .data.ptr = c};

		c->fd = wk->ctx->drv->event_fd(&c->conn);
		c->watching = EPOLLIN;
		if (c->fd < 0 || epoll_ctl(wk->epfd, EPOLL_CTL_ADD, c->fd, &e) < 0)
			return -1;
	}
	return 0;
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
	free(c->values);
}

static void client_init(struct client *c, const struct phase_ctx *ctx, const struct bench_target *target,
			uint64_t stream, size_t slots)
{
	c->conn.driver = ctx->drv;
	c->conn.target = target;
	rng_seed(&c->rng, ctx->w->seed, stream);
	c->prefix_len = strlen(ctx->w->keyspace.prefix);
	c->key_len = keygen_key_len(ctx->w->keyspace.prefix);
	c->reqs = xcalloc(slots, sizeof(*c->reqs));
	c->logical = xcalloc(slots, sizeof(*c->logical));
	c->rmw_len = xcalloc(slots, sizeof(*c->rmw_len));
	c->second = xcalloc(slots, sizeof(*c->second));
	c->second_slot = xcalloc(slots, sizeof(*c->second_slot));
	c->keys = xmalloc(slots * c->key_len);
	for (size_t i = 0; i < slots; i++)
		keygen_format(c->keys + i * c->key_len, ctx->w->keyspace.prefix, 0);
	c->values = keygen_value_buffer(sizegen_max(ctx->sizes), &c->rng);
}

static struct sizegen *make_sizes(const struct workload *w)
{
	struct sizegen *g = NULL;
	int rc;

	if (w->values.n_sizes)
		rc = sizegen_init_weighted(w->values.sizes, w->values.weights, w->values.n_sizes, &g);
	else if (w->values.size_min == w->values.size_max)
		rc = sizegen_init_fixed(w->values.size_min, &g);
	else
		rc = sizegen_init_uniform(w->values.size_min, w->values.size_max, &g);
	return rc == 0 ? g : NULL;
}

/* Returns 0, or -1 with out->error (only for parameters the workload loader
 * should have refused). */
static int ctx_init(struct phase_ctx *ctx, const struct workload *w, const struct wl_phase *ph,
		    const struct bench_driver *drv, struct phase_result *out)
{
	double sum = 0;
	int rc;

	memset(ctx, 0, sizeof(*ctx));
	ctx->w = w;
	ctx->ph = ph;
	ctx->drv = drv;
	ctx->load = ph->type == WL_PHASE_LOAD;
	ctx->clients = ph->clients;
	ctx->client_rate = ctx->load ? 0 : ph->rate / (double)ph->clients;
	ctx->has_rmw = !ctx->load && ph->mix[BENCH_OP_RMW] > 0;
	ctx->event = BENCH_DRIVER_HAS_EVENTS(drv) && !getenv("BENCH_ENGINE_BLOCKING");
	for (int op = 0; op < BENCH_OP__COUNT; op++) {
		unsigned need = bench_op_caps((enum bench_op)op);

		if ((drv->caps & need) == need)
			ctx->supported |= 1u << op;
		sum += ph->mix[op];
		ctx->cum[op] = sum;
		if (ph->mix[op] > 0)
			ctx->last_op = op;
	}
	ctx->sizes = make_sizes(w);
	if (!ctx->sizes) {
		snprintf(out->error, sizeof(out->error), "invalid value sizes");
		return -1;
	}
	if (!ctx->load && (rc = dist_init(&w->keyspace.dist, &ctx->dist)) != 0) {
		snprintf(out->error, sizeof(out->error), "invalid key distribution: %s", strerror(rc));
		return -1;
	}
	return 0;
}

static void ctx_free(struct phase_ctx *ctx)
{
	dist_free(ctx->dist);
	sizegen_free(ctx->sizes);
}

/* Adds the workers' stats[which] into out. */
static void merge_stats(struct phase_result *out, struct worker *workers, uint64_t n, int which)
{
	for (uint64_t i = 0; i < n; i++)
		for (int op = 0; op < BENCH_OP__COUNT; op++)
			op_stats_merge(&out->ops[op], &workers[i].stats[which][op]);
}

int runner_run_phase(const struct workload *w, const struct wl_phase *ph, uint64_t repeat,
		     const struct bench_driver *drv, const struct bench_target *target,
		     struct phase_result *out, struct phase_result *warmup_out)
{
	struct phase_ctx ctx;
	uint64_t nclients = ph->clients;
	size_t slots = ph->type == WL_PHASE_LOAD ? ph->batch : ph->pipeline;
	struct client *clients = xcalloc(nclients, sizeof(*clients));
	struct worker *workers = NULL;
	uint64_t nworkers = nclients, started = 0, last = 0;
	int rc = -1;

	out->phase = ph;
	out->repeat = repeat;
	if (ctx_init(&ctx, w, ph, drv, out) < 0)
		goto done;
	ctx.timeout_ns = (uint64_t)(target->timeout_ms ? target->timeout_ms : 5000) * 1000000u;

	/* Connect every client before the clock starts. */
	for (uint64_t i = 0; i < nclients; i++) {
		struct client *c = &clients[i];
		/* Stream per (repeat, phase, client): reproducible, independent. */
		uint64_t stream = (repeat << 48) ^ ((uint64_t)(ph - w->phases) << 32) ^ i;

		c->index = i;
		client_init(c, &ctx, target, stream, slots);
		if (ctx.load) {
			c->next_id = w->keyspace.records * i / nclients;
			c->end_id = w->keyspace.records * (i + 1) / nclients;
		} else {
			/* Sequential keys: each client starts at its own slice. */
			dist_cursor_init(ctx.dist, &c->cursor, w->keyspace.records * i / nclients);
			if (ph->ops)
				c->quota = ph->ops / nclients + (i < ph->ops % nclients);
		}
		if (drv->open(&c->conn) < 0) {
			snprintf(out->error, sizeof(out->error), "client %llu could not connect to %s: %s",
				 (unsigned long long)i, target->name, c->conn.errstr);
			goto done;
		}
		if (ctx.load && i == 0 && drv->prepare && drv->prepare(&c->conn) < 0) {
			snprintf(out->error, sizeof(out->error), "preparing %s failed: %s", target->name, c->conn.errstr);
			goto done;
		}
	}

	/* Blocking engine: a thread per client. Event engine: the clients
	 * spread over one thread per core but one, left to the server. */
	if (ctx.event) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);

		nworkers = cores > 2 ? (uint64_t)cores - 1 : 1;
		if (nworkers > nclients)
			nworkers = nclients;
	}
	workers = xcalloc(nworkers, sizeof(*workers));
	for (uint64_t i = 0; i < nworkers; i++) {
		uint64_t first = nclients * i / nworkers, end = nclients * (i + 1) / nworkers;

		workers[i].ctx = &ctx;
		workers[i].clients = &clients[first];
		workers[i].n_clients = end - first;
		workers[i].epfd = -1;
		if (ctx.event && ev_setup(&workers[i]) < 0) {
			snprintf(out->error, sizeof(out->error), "cannot watch %s's connections: %s", target->name,
				 strerror(errno));
			goto done;
		}
		for (int op = 0; op < BENCH_OP__COUNT; op++) {
			if (!(ph->mix[op] > 0 || (ctx.load && op == BENCH_OP_SET)))
				continue;
			for (int k = STATS_WARMUP; k <= STATS_MEASURED; k++) {
				if (k == STATS_WARMUP && ph->warmup_ns == 0)
					continue;
				workers[i].stats[k][op].lat = hist_new_latency();
				workers[i].stats[k][op].lat_uncorrected = hist_new_latency();
			}
		}
	}
	pthread_barrier_init(&ctx.start, NULL, (unsigned)nworkers + 1);
	for (uint64_t i = 0; i < nworkers; i++, started++) {
		if (pthread_create(&workers[i].tid, NULL, ctx.event ? event_worker_main : worker_main, &workers[i]) != 0) {
			/* Cannot happen for sane client counts; fail loudly, not half-measured. */
			fprintf(stderr, "bench: cannot start thread %llu of %llu\n", (unsigned long long)i,
				(unsigned long long)nworkers);
			abort();
		}
	}
	ctx.start_ns = util_now_ns();
	ctx.measure_ns = ctx.start_ns + ph->warmup_ns;
	ctx.end_ns = ph->duration_ns ? ctx.measure_ns + ph->duration_ns : 0;
	pthread_barrier_wait(&ctx.start);
	for (uint64_t i = 0; i < started; i++) {
		pthread_join(workers[i].tid, NULL);
		if (workers[i].finished_ns > last)
			last = workers[i].finished_ns;
	}
	pthread_barrier_destroy(&ctx.start);

	out->duration_s = last > ctx.measure_ns ? (double)(last - ctx.measure_ns) / 1e9 : 0;
	out->interrupted = runner_stop_requested();
	out->engine = ctx.event ? "event" : "blocking";
	for (uint64_t i = 0; i < nworkers; i++) {
		if (workers[i].first_error[0] && !out->error[0])
			snprintf(out->error, sizeof(out->error), "thread %llu: first failure: %s",
				 (unsigned long long)i, workers[i].first_error);
	}
	merge_stats(out, workers, nworkers, STATS_MEASURED);
	if (warmup_out && ph->warmup_ns) {
		warmup_out->phase = ph;
		warmup_out->repeat = repeat;
		warmup_out->warmup = true;
		warmup_out->sweep_value = out->sweep_value;
		warmup_out->duration_s = (double)ph->warmup_ns / 1e9;
		warmup_out->interrupted = out->interrupted;
		warmup_out->engine = out->engine;
		merge_stats(warmup_out, workers, nworkers, STATS_WARMUP);
	}
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
	free(clients);
	free(workers);
	return rc;
}
