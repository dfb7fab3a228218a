/*
 * namespace.c - the data safety steps of `bench run` around one target
 * (namespace.h), over the driver's ns_count, ns_clean and ns_flush hooks.
 * Each step opens a connection of its own: the phases' connections are
 * the runner's, and these steps run before and after them.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "namespace.h"
#include "runner.h"
#include "secret.h"
#include "util.h"

static void note(const struct namespace_opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(const struct namespace_opts *o, const char *fmt, ...)
{
	va_list ap;

	if (o->quiet)
		return;
	va_start(ap, fmt);
	secret_vfprintf(stderr, fmt, ap); /* lines quote addresses and prefixes */
	va_end(ap);
	fflush(stderr);
}

/* Whether bench was asked to stop (Ctrl-C, SIGTERM) before the cleanup
 * began: that stop is what the cleanup is part of, so only a later one
 * ends it early. */
static int stopped_before_cleanup;

/* The drivers' should_stop during the cleanup: a first stop signal that
 * came while it ran (one before it is why it runs). */
static int cleanup_should_stop(void)
{
	return !stopped_before_cleanup && runner_stop_requested();
}

/* "1234 keys", "1 key", "1 document in bench.kv", or with `more` "1000000
 * or more keys" (the count stopped at the limit). Caller frees. */
static char *how_many(uint64_t n, const char *noun, bool more)
{
	size_t word = strcspn(noun, " ");
	size_t cut = n == 1 && word > 1 && noun[word - 1] == 's';

	return xasprintf("%llu%s %.*s%s", (unsigned long long)n, more ? " or more" : "", (int)(word - cut), noun,
			 noun + word);
}

/* --flush: empties the namespace, loudly (even with --quiet: it deletes
 * data bench did not write). 0, or -1 with t->skipped set. */
static int flush(struct results *r, struct target_result *t, struct bench_conn *c)
{
	const struct bench_driver *d = t->driver;
	char what[256] = "";

	if (!d->ns_flush) {
		t->skipped = xasprintf("driver %s cannot empty its server: run without --flush", d->name);
		return -1;
	}
	secret_fprintf(stderr, "bench: --flush: emptying %s at %s: every key there that bench can reach, not only "
		       "those under prefix '%s'\n", d->name, t->uri, c->target->prefix);
	if (d->ns_flush(c, what, sizeof(what)) < 0) {
		t->skipped = xasprintf("--flush of %s at %s failed: %s", d->name, t->uri, c->errstr);
		return -1;
	}
	secret_fprintf(stderr, "bench: --flush: %s at %s: %s\n", d->name, t->uri, what);
	results_warn(r, "%s: --flush emptied %s at %s before the run (%s)", t->target->name, d->name, t->uri, what);
	return 0;
}

/* The target runs without the check: allowed only with --reuse, and then
 * nothing is removed after the run. 0, or -1 with t->skipped set. */
static int unchecked(const struct namespace_opts *o, struct target_result *t, const char *why)
{
	if (!o->reuse) {
		t->skipped = xasprintf("%s; run with --reuse to run without the check (bench then leaves every key under "
				       "the prefix in place)", why);
		return -1;
	}
	t->cleanup = xasprintf("kept: %s (--reuse)", why);
	return 0;
}

int namespace_before(const struct namespace_opts *o, struct results *r, struct target_result *t,
		     const struct bench_target *bt, struct namespace_guard *g)
{
	const struct bench_driver *d = t->driver;
	/* The check ends at the first stop signal: a server whose listing
	 * never ends must not hold bench up. */
	struct bench_target st = *bt;
	struct bench_conn c = {.driver = d, .target = &st};
	char *why, *count;
	int ret = -1, counted;

	st.should_stop = runner_stop_requested;

	memset(g, 0, sizeof(*g));
	if (!(d->caps & BENCH_CAP_NETWORK))
		return 0;
	if (t->spawned) {
		t->cleanup = xstrdup("none needed: a private server, stopped with the run");
		return 0;
	}
	g->active = true;
	if (!d->ns_count) {
		if (o->flush) {
			t->skipped = xasprintf("driver %s cannot empty its server: run without --flush", d->name);
			return -1;
		}
		why = xasprintf("driver %s cannot list the keys under a prefix, so bench cannot check that prefix '%s' "
				"is empty on %s", d->name, bt->prefix, t->uri);
		ret = unchecked(o, t, why);
		free(why);
		return ret;
	}
	if (d->open(&c) < 0) {
		t->skipped = xasprintf("cannot reach %s at %s to check prefix '%s': %s", d->name, t->uri, bt->prefix, c.errstr);
		goto out;
	}
	if (o->flush && flush(r, t, &c) < 0)
		goto out;
	counted = d->ns_count(&c, NAMESPACE_COUNT_LIMIT, &g->before);
	if (counted < 0 && runner_stop_requested()) {
		t->skipped = xasprintf("interrupted while checking that prefix '%s' is empty on %s at %s", bt->prefix,
				       d->name, t->uri);
		goto out;
	}
	if (counted < 0) {
		why = xasprintf("cannot check that prefix '%s' is empty on %s at %s: %s", bt->prefix, d->name, t->uri, c.errstr);
		ret = unchecked(o, t, why);
		free(why);
		goto out;
	}
	count = how_many(g->before.keys, g->before.noun, g->before.keys >= NAMESPACE_COUNT_LIMIT);
	if (g->before.keys && !o->reuse) {
		t->skipped = xasprintf("%s at %s already holds %s under prefix '%s'; use another keyspace.prefix, --reuse "
				       "to run on them, or --flush to empty the server first",
				       d->name, t->uri, count, bt->prefix);
	} else if (g->before.keys) {
		note(o, "%s: --reuse: running on the %s already under prefix '%s'; they stay after the run\n",
		     t->target->name, count, bt->prefix);
		t->cleanup = xasprintf("kept: --reuse, and prefix '%s' held %s before the run: bench cannot tell its "
				       "keys from those", bt->prefix, count);
		ret = 0;
	} else {
		g->clean = !o->keep;
		if (o->keep)
			t->cleanup = xasprintf("kept: --keep (the run's %s stay under prefix '%s')", g->before.noun, bt->prefix);
		ret = 0;
	}
	free(count);
out:
	d->close(&c);
	return ret;
}

int namespace_remove(struct bench_conn *c, const struct bench_ns_state *before, uint64_t *removed, uint64_t *left)
{
	const struct bench_driver *d = c->driver;
	struct bench_ns_state now = {0};
	uint64_t more = 0;

	*removed = *left = 0;
	if (d->ns_clean(c, before, removed) < 0 || d->ns_count(c, NAMESPACE_COUNT_LIMIT, &now) < 0)
		return -1;
	/* Once more if something is left: memcached's crawler may pass over an
	 * item the server moved between LRUs while it walked them. */
	if (now.keys) {
		int rc = d->ns_clean(c, before, &more);

		*removed += more;
		if (rc < 0 || d->ns_count(c, NAMESPACE_COUNT_LIMIT, &now) < 0)
			return -1;
	}
	*left = now.keys;
	return 0;
}

void namespace_after(const struct namespace_opts *o, struct results *r, struct target_result *t,
		     const struct bench_target *bt, struct namespace_guard *g)
{
	const struct bench_driver *d = t->driver;
	struct bench_target st = *bt;
	struct bench_conn c = {.driver = d, .target = &st};
	uint64_t removed = 0, left = 0;
	const char *noun = g->before.noun;
	char *what;

	if (!g->active || !g->clean)
		return;
	stopped_before_cleanup = runner_stop_requested();
	st.should_stop = cleanup_should_stop;
	note(o, "%s: removing the run's %s under prefix '%s'%s\n", t->target->name, noun, bt->prefix,
	     stopped_before_cleanup ? " (Ctrl-C again, a second later, to quit at once and leave them)" : "");
	if (d->open(&c) < 0 || namespace_remove(&c, &g->before, &removed, &left) < 0)
		goto fail;
	what = how_many(removed, noun, false);
	if (left) {
		t->cleanup = xasprintf("removed %s under prefix '%s'; %llu are still there", what, bt->prefix,
				       (unsigned long long)left);
		results_warn(r, "%s: cleanup: %s (is another client writing under the prefix?)", t->target->name, t->cleanup);
	} else {
		t->cleanup = xasprintf("removed %s under prefix '%s'", what, bt->prefix);
	}
	free(what);
	note(o, "%s: %s\n", t->target->name, t->cleanup);
	d->close(&c);
	return;
fail:
	what = how_many(removed, noun, false);
	t->cleanup = xasprintf("failed after removing %s under prefix '%s': %s", what, bt->prefix, c.errstr);
	free(what);
	results_warn(r, "%s: cleanup of %s at %s %s; what is left stays there", t->target->name, d->name, t->uri, t->cleanup);
	secret_fprintf(stderr, "bench: %s: cleanup %s\n", t->target->name, t->cleanup);
	d->close(&c);
}

char *namespace_describe(uint64_t n, const char *noun, bool more)
{
	return how_many(n, noun, more);
}

/* A count on a thread of its own, so that its caller can stop waiting. */
struct count_job {
	pthread_mutex_t mu;
	pthread_cond_t done_cv;
	bool done, abandoned;
	int rc;
	struct bench_conn conn;
	struct bench_ns_state state;
};

static void count_job_free(struct count_job *j)
{
	pthread_mutex_destroy(&j->mu);
	pthread_cond_destroy(&j->done_cv);
	free(j);
}

static void *count_thread(void *arg)
{
	struct count_job *j = arg;
	bool abandoned;
	int rc = -1;

	if (j->conn.driver->open(&j->conn) == 0)
		rc = j->conn.driver->ns_count(&j->conn, NAMESPACE_COUNT_LIMIT, &j->state);
	j->conn.driver->close(&j->conn);
	pthread_mutex_lock(&j->mu);
	j->rc = rc;
	j->done = true;
	abandoned = j->abandoned;
	pthread_cond_signal(&j->done_cv);
	pthread_mutex_unlock(&j->mu);
	if (abandoned)
		count_job_free(j);
	return NULL;
}

char *namespace_left(const struct bench_driver *d, const struct bench_target *bt, const char *uri, uint64_t timeout_ns,
		     bool *any)
{
	struct count_job *j = xcalloc(1, sizeof(*j));
	pthread_condattr_t ca;
	struct timespec until;
	pthread_t th;
	uint64_t end = util_now_ns() + timeout_ns;
	char *msg;
	sigset_t all, old;
	int wait_rc = 0, started;

	pthread_mutex_init(&j->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&j->done_cv, &ca);
	pthread_condattr_destroy(&ca);
	j->conn.driver = d;
	j->conn.target = bt;
	until.tv_sec = (time_t)(end / 1000000000u);
	until.tv_nsec = (long)(end % 1000000000u);
	/* The signals stay with the thread that handles them. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	started = pthread_create(&th, NULL, count_thread, j) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (started) {
		pthread_detach(th);
		pthread_mutex_lock(&j->mu);
		while (!j->done && wait_rc != ETIMEDOUT)
			wait_rc = pthread_cond_timedwait(&j->done_cv, &j->mu, &until);
	}
	*any = true;
	if (started && j->done && j->rc == 0 && j->state.keys == 0) {
		msg = xasprintf("nothing left under prefix '%s' on %s", bt->prefix, uri);
		*any = false;
	} else if (started && j->done && j->rc == 0) {
		char *what = how_many(j->state.keys, j->state.noun, j->state.keys >= NAMESPACE_COUNT_LIMIT);

		msg = xasprintf("left %s under prefix '%s' on %s", what, bt->prefix, uri);
		free(what);
	} else {
		msg = xasprintf("keys may be left under prefix '%s' on %s (%s)", bt->prefix, uri,
				!started ? "no thread to count them"
				: !j->done ? "they could not be counted in time"
				: j->conn.errstr[0] ? j->conn.errstr : "they could not be counted");
	}
	if (!started) {
		count_job_free(j);
		return msg;
	}
	/* A count still running keeps its job: the thread frees it. */
	j->abandoned = !j->done;
	pthread_mutex_unlock(&j->mu);
	if (!j->abandoned)
		count_job_free(j);
	return msg;
}
