/* runner_event.c - the event-driven engine: many clients per thread over
 * epoll, through the drivers' non-blocking hooks (driver.h). */
#include <errno.h>
#include <stdatomic.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <time.h>

#include "runner.h"
#include "runner_int.h"
#include "util.h"

#define EV_MAX_EVENTS 256

static void ev_watch(struct worker *wk, struct client *c, uint32_t events)
{
	struct epoll_event e = {.events = events, .data.ptr = c};

	if (c->watching == events || c->fd < 0)
		return;
	epoll_ctl(wk->epfd, EPOLL_CTL_MOD, c->fd, &e);
	c->watching = events;
}

/* Takes the client's socket out of the epoll set. Done before the driver
 * closes it: its number may come back for another client's socket. */
static void ev_unwatch(struct worker *wk, struct client *c)
{
	if (c->fd < 0)
		return;
	epoll_ctl(wk->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	c->fd = -1;
	c->watching = 0;
}

static void ev_done(struct worker *wk, struct client *c)
{
	c->state = EV_DONE;
	ev_unwatch(wk, c);
	wk->active--;
}

/*
 * The client's connection is lost (no batch in flight): reconnects when
 * the backoff allows (runner_reconnect) and watches the new socket.
 * Returns 0 when connected, 1 when still down, -1 when the client gave up.
 */
static int ev_reconnect(struct worker *wk, struct client *c, uint64_t now)
{
	struct epoll_event e = {.events = EPOLLIN, .data.ptr = c};
	int rc, fd;

	ev_unwatch(wk, c);
	rc = runner_reconnect(wk, c, now);
	if (rc != 0)
		return rc;
	fd = wk->ctx->drv->event_fd(&c->conn);
	if (fd < 0 || epoll_ctl(wk->epfd, EPOLL_CTL_ADD, fd, &e) < 0) {
		if (!c->conn.err)
			bench_conn_lost(&c->conn, "cannot watch the new connection");
		/* Down again: the next attempt waits for the backoff. */
		return runner_reconnect(wk, c, util_now_ns()) < 0 ? -1 : 1;
	}
	c->fd = fd;
	c->watching = EPOLLIN;
	return 0;
}

/* After submit/flush: wait for the socket to take the rest, or for
 * replies. (A failed write, rc < 0, is completed by the caller.) */
static void ev_after_write(struct worker *wk, struct client *c, int rc)
{
	if (rc >= 0)
		ev_watch(wk, c, rc == 0 ? EPOLLIN | EPOLLOUT : EPOLLIN);
}

/* The batch in flight has every status: record it, or send its rmw writes
 * first. The caller starts the next batch (no recursion). */
static void ev_complete(struct worker *wk, struct client *c, uint64_t now)
{
	struct phase_ctx *ctx = wk->ctx;

	if (c->state == EV_FIRST) {
		c->first_done = now;
		c->m = ctx->has_rmw ? runner_prepare_rmw_writes(c, c->n) : 0;
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
		runner_finish_rmw_writes(c, c->m);
	}
	runner_record_batch(wk, c, c->measured, c->intended, c->sent, c->first_done, now, c->n);
	if (c->measured && ctx->ph->ops && !ctx->load)
		c->quota -= c->drawn;
	if (!c->conn.err)
		c->backoff_ns = 0; /* the connection works: next loss, retry at once */
	c->state = EV_READY;
	ev_watch(wk, c, EPOLLIN);
}

/* Fills and submits the client's next batch (it is due). */
static void ev_send(struct worker *wk, struct client *c)
{
	struct phase_ctx *ctx = wk->ctx;
	int rc;

	/* Open loop: the schedule goes on while the connection is down;
	 * what falls due then is counted as disconnected, not sent. */
	if (c->conn.err && ev_reconnect(wk, c, util_now_ns()) < 0) {
		ev_done(wk, c);
		return;
	}
	c->sent = util_now_ns();
	if (ctx->client_rate == 0)
		c->intended = c->sent;
	c->measured = c->intended >= ctx->measure_ns;
	c->n = runner_fill_batch(wk, c, c->measured, &c->drawn);
	if (c->drawn == 0) {
		ev_done(wk, c); /* quota or records exhausted */
		return;
	}
	c->state = EV_FIRST;
	c->deadline = c->sent + ctx->timeout_ns;
	if (c->n == 0 || c->conn.err) {
		/* All unsupported, or the connection is down: nothing to send. */
		runner_mark_disconnected(c, c->conn.err ? c->n : 0);
		ev_complete(wk, c, c->sent);
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

	/* Open loop ends at the first request due after the end (see
	 * worker_main); closed loop at the end itself. */
	if (ctx->end_ns && now >= ctx->end_ns && ctx->client_rate == 0) {
		ev_done(wk, c);
		return;
	}
	if (c->conn.err) {
		int rc;

		/* Out of the epoll set at once: a dead socket stays readable
		 * (EPOLLHUP) and would wake the loop in a spin. */
		ev_unwatch(wk, c);
		/* Closed loop: nothing is sent while down; a timer (retry_at,
		 * in ev_tick) ends the wait. Open loop: ev_send. */
		if (ctx->client_rate == 0 && (rc = ev_reconnect(wk, c, now)) != 0) {
			if (rc < 0)
				ev_done(wk, c);
			else
				c->state = EV_BACKOFF;
			return;
		}
	}
	if (ctx->client_rate > 0) {
		/* Behind schedule past late_end_ns: stop (worker_main). */
		if (ctx->late_end_ns && now >= ctx->late_end_ns) {
			wk->unsent += runner_unsent(ctx, c);
			ev_done(wk, c);
			return;
		}
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
		if (rc == 2) {
			/* A chain's follow-up commands wait for the socket
			 * (driver.h): flush them when it takes more. */
			ev_watch(wk, c, EPOLLIN | EPOLLOUT);
		} else if (rc != 0) {
			uint64_t now = util_now_ns();

			ev_complete(wk, c, now);
			/* Send the next batch now rather than after every ready
			 * socket is read: a server with several threads gets its
			 * requests as they come, not in bursts. */
			if (c->state == EV_READY)
				ev_start_next(wk, c, now);
		}
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

		if (c->state == EV_BACKOFF && (c->retry_at <= now || (wk->ctx->end_ns && now >= wk->ctx->end_ns)))
			c->state = EV_READY;
		if ((c->state == EV_FIRST || c->state == EV_SECOND) && util_now_ns() >= c->deadline) {
			wk->ctx->drv->expire(&c->conn);
			ev_complete(wk, c, util_now_ns());
		}
		/* Until the client waits for something: a batch that was not
		 * sent (the connection is down, open loop) is complete at
		 * once, and the next one may be due already. At most 64 in a
		 * row, so the other clients and the sockets are not starved;
		 * a client still READY makes the loop come back at once. */
		for (int k = 0; k < 64; k++) {
			if (c->state == EV_WAITING && c->intended <= util_now_ns())
				ev_send(wk, c);
			else if (c->state == EV_READY)
				ev_start_next(wk, c, util_now_ns());
			else
				break;
		}
		if (c->state == EV_READY)
			wake = 0;
		if (c->state == EV_WAITING && c->intended < wake)
			wake = c->intended;
		if (c->state == EV_BACKOFF && c->retry_at < wake)
			wake = c->retry_at;
		if (c->state == EV_BACKOFF && wk->ctx->end_ns && wk->ctx->end_ns < wake)
			wake = wk->ctx->end_ns;
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

void *runner_event_worker_main(void *arg)
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
			runner_pacer_init(ctx, c);
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
	runner_worker_finished(wk);
	return NULL;
}

/* Registers the worker's clients with a new epoll set. Returns 0 or -1. */
int runner_ev_setup(struct worker *wk)
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
