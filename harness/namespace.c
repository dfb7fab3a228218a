/*
 * namespace.c - the data safety steps of `bench run` around one target
 * (namespace.h), over the driver's ns_count, ns_clean and ns_flush hooks.
 * Each step opens a connection of its own: the phases' connections are
 * the runner's, and these steps run before and after them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "namespace.h"
#include "runner.h"
#include "util.h"

static void note(const struct namespace_opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(const struct namespace_opts *o, const char *fmt, ...)
{
	va_list ap;

	if (o->quiet)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
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
	fprintf(stderr, "bench: --flush: emptying %s at %s: every key there that bench can reach, not only "
			"those under prefix '%s'\n", d->name, t->uri, c->target->prefix);
	if (d->ns_flush(c, what, sizeof(what)) < 0) {
		t->skipped = xasprintf("--flush of %s at %s failed: %s", d->name, t->uri, c->errstr);
		return -1;
	}
	fprintf(stderr, "bench: --flush: %s at %s: %s\n", d->name, t->uri, what);
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

void namespace_after(const struct namespace_opts *o, struct results *r, struct target_result *t,
		     const struct bench_target *bt, struct namespace_guard *g)
{
	const struct bench_driver *d = t->driver;
	struct bench_target st = *bt;
	struct bench_conn c = {.driver = d, .target = &st};
	struct bench_ns_state left = {0};
	uint64_t removed = 0, more = 0;
	const char *noun = g->before.noun;
	char *what;

	if (!g->active || !g->clean)
		return;
	stopped_before_cleanup = runner_stop_requested();
	st.should_stop = cleanup_should_stop;
	note(o, "%s: removing the run's %s under prefix '%s'%s\n", t->target->name, noun, bt->prefix,
	     stopped_before_cleanup ? " (Ctrl-C again to quit at once and leave them)" : "");
	if (d->open(&c) < 0 || d->ns_clean(&c, &g->before, &removed) < 0 ||
	    d->ns_count(&c, NAMESPACE_COUNT_LIMIT, &left) < 0)
		goto fail;
	/* Once more if something is left: memcached's crawler may pass over an
	 * item the server moved between LRUs while it walked them. */
	if (left.keys) {
		if (d->ns_clean(&c, &g->before, &more) < 0 || d->ns_count(&c, NAMESPACE_COUNT_LIMIT, &left) < 0)
			goto fail;
		removed += more;
	}
	what = how_many(removed, noun, false);
	if (left.keys) {
		t->cleanup = xasprintf("removed %s under prefix '%s'; %llu are still there", what, bt->prefix,
				       (unsigned long long)left.keys);
		results_warn(r, "%s: cleanup: %s (is another client writing under the prefix?)", t->target->name, t->cleanup);
	} else {
		t->cleanup = xasprintf("removed %s under prefix '%s'", what, bt->prefix);
	}
	free(what);
	note(o, "%s: %s\n", t->target->name, t->cleanup);
	d->close(&c);
	return;
fail:
	what = how_many(removed + more, noun, false);
	t->cleanup = xasprintf("failed after removing %s under prefix '%s': %s", what, bt->prefix, c.errstr);
	free(what);
	results_warn(r, "%s: cleanup of %s at %s %s; what is left stays there", t->target->name, d->name, t->uri, t->cleanup);
	fprintf(stderr, "bench: %s: cleanup %s\n", t->target->name, t->cleanup);
	d->close(&c);
}
