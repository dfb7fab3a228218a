/*
 * run_phases.c - `bench run`, one target: its sweep points, repeats and
 * phases (run, load, crash, replication), the line each phase prints, and
 * the checks on its outcome (error limit, client-bound).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run_phases.h"
#include "aside.h"
#include "crash.h"
#include "escape.h"
#include "idle.h"
#include "replication.h"
#include "run_trace.h"
#include "runner.h"
#include "secret.h"
#include "shard.h"
#include "util.h"

void run_say(const struct run_args *a, const char *fmt, ...)
{
	va_list ap;

	if (a->quiet)
		return;
	va_start(ap, fmt);
	secret_vfprintf(stderr, fmt, ap); /* lines quote addresses, prefixes, drivers' messages */
	va_end(ap);
	fflush(stderr);
}

static void report_phase(const struct run_args *a, const struct target_result *t, const struct phase_result *p,
			 double max_error_rate)
{
	uint64_t ops = 0, errors = results_phase_failed(p);
	char over[128] = "", unsent[96] = "";

	for (int op = 0; op < BENCH_OP__COUNT; op++)
		ops += op_stats_answered(&p->ops[op]);
	if (p->crash.ran) {
		run_say(a, "  %s: %s (repeat %llu): killed -9 at %.2f s after %llu acknowledged writes; %llu of them "
		    "lost, %llu read back; restart took %.3f s\n", t->target->name, p->phase->name,
		    (unsigned long long)p->repeat, p->crash.killed_at_s,
		    (unsigned long long)p->ops[BENCH_OP_SET].status[BENCH_OK],
		    (unsigned long long)p->ops[BENCH_OP_GET].status[BENCH_MISS],
		    (unsigned long long)p->ops[BENCH_OP_GET].status[BENCH_OK], p->crash.restart_s);
		return;
	}
	if (p->repl.ran) {
		const struct op_stats *rd = &p->ops[BENCH_OP_GET];

		run_say(a, "  %s: %s (repeat %llu): %llu writes acknowledged; replica lag p50 %.3f ms, p99 %.3f ms; "
		    "%llu of %llu replica reads stale\n", t->target->name, p->phase->name, (unsigned long long)p->repeat,
		    (unsigned long long)p->ops[BENCH_OP_SET].status[BENCH_OK],
		    (double)hist_percentile(p->repl.lag, 50) / 1e6, (double)hist_percentile(p->repl.lag, 99) / 1e6,
		    (unsigned long long)rd->status[BENCH_MISS], (unsigned long long)op_stats_answered(rd));
		return;
	}
	if (p->aside.ran) {
		const struct op_stats *rd = &p->ops[BENCH_OP_GET];
		uint64_t reads = op_stats_answered(rd);

		struct sbuf store = {0};

		/* The store's identity is a server's reply: escaped. */
		escape_terminal(&store, p->aside.store_server[0] ? p->aside.store_server : "simulated");
		run_say(a, "  %s: %s (repeat %llu): %llu reads, hit ratio %.4f; %llu writes; the store (%s) served %llu "
		    "reads and %llu writes; %llu stale reads; %llu errors\n", t->target->name, p->phase->name,
		    (unsigned long long)p->repeat, (unsigned long long)reads,
		    reads ? (double)rd->status[BENCH_OK] / (double)reads : 0.0,
		    (unsigned long long)op_stats_answered(&p->ops[BENCH_OP_SET]), store.buf,
		    (unsigned long long)p->aside.store_reads, (unsigned long long)p->aside.store_writes,
		    (unsigned long long)p->aside.stale_reads, (unsigned long long)errors);
		free(store.buf);
		return;
	}
	if (p->over_error_limit)
		snprintf(over, sizeof(over), " (%.4g%% failed, over max_error_rate %.4g%%)",
			 100 * results_phase_error_rate(p), 100 * max_error_rate);
	if (p->unsent)
		snprintf(unsent, sizeof(unsent), ", %llu never sent (behind rate %g)", (unsigned long long)p->unsent,
			 p->phase->rate);
	run_say(a, "  %s: %s (repeat %llu): %llu %s in %.2f s, %.0f/s, %llu errors%s%s%s\n", t->target->name,
	    p->phase->name, (unsigned long long)p->repeat, (unsigned long long)ops,
	    p->phase->type == WL_PHASE_LOAD ? "records" : "ops", p->duration_s,
	    p->duration_s > 0 ? (double)ops / p->duration_s : 0.0, (unsigned long long)errors, unsent, over,
	    p->interrupted ? " (interrupted)" : "");
}

/*
 * Warns when the harness, not the server, was the likely ceiling of a
 * closed-loop phase: bench's threads were busy all the time while the
 * server did not use the cores left to it.
 */
static void check_client_bound(struct results *r, const struct target_result *t, const struct phase_result *p)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	double wall = p->cpu_wall_s, client, server, threads;
	char srv[32] = "unknown";
	uint64_t first, local;

	shard_split(p->phase->clients, r->w->shard.index, r->w->shard.count, &first, &local);
	threads = (double)local;

	if (p->warmup || p->phase->rate > 0 || wall < 0.5 || !(t->driver->caps & BENCH_CAP_NETWORK))
		return;
	client = p->client_cpu_s / wall;
	server = p->server_cpu_s / wall;
	if (p->engine && strcmp(p->engine, "event") == 0) {
		double workers = cores > 2 ? (double)cores - 1 : 1;

		threads = threads < workers ? threads : workers;
	}
	if (threads > (double)cores)
		threads = (double)cores;
	if (p->server_cpu_s >= 0)
		snprintf(srv, sizeof(srv), "%.2f", server);
	/* Bench's threads were busy all along while the server had CPU to
	 * spare: a faster client would have got more out of the server. */
	if (client >= 0.9 * threads && (p->server_cpu_s < 0 || server < 0.9 * ((double)cores - client)))
		results_warn(r, "%s: %s (repeat %llu): client-bound: bench used %.2f cores (the server %s) of %ld; "
			     "the throughput may be bench's limit, not the server's",
			     t->target->name, p->phase->name, (unsigned long long)p->repeat, client, srv, cores);
}

/* A phase's idle_connections (idle.h), opened once its clients are
 * connected: the silent users come on top of the active ones. */
struct idle_ctx {
	const struct run_args *a;
	struct results *r;
	const struct target_result *t;
	const struct bench_target *bt;
	const struct wl_phase *ph;
	struct idle_set *idle;     /* NULL: none, or they could not be set up */
};

/* The phase runs blocking: says why as it starts (escaped: the reason may
 * quote a server's reply). */
static void say_blocking(void *arg, const char *why)
{
	struct idle_ctx *c = arg;
	struct sbuf sb = {0};

	char *text;

	escape_terminal(&sb, why);
	text = sbuf_take(&sb);
	run_say(c->a, "%s: %s: blocking engine: %s\n", c->t->target->name, c->ph->name, text);
	free(text);
}

static void open_idle(void *arg)
{
	struct idle_ctx *c = arg;
	char host[256], err[300];
	int port;

	if (!(c->t->driver->caps & BENCH_CAP_NETWORK) ||
	    idle_parse_address(c->bt->uri, host, sizeof(host), &port) < 0) {
		results_warn(c->r, "%s: %s: no server address to hold idle connections to", c->t->target->name,
			     c->ph->name);
		return;
	}
	if (idle_open(host, port, c->ph->idle_connections, &c->idle, err, sizeof(err)) != 0) {
		results_warn(c->r, "%s: %s: idle connections not opened: %s", c->t->target->name, c->ph->name, err);
		return;
	}
	run_say(c->a, "%s: %s: opened %llu idle connections (%llu refused at connect)\n", c->t->target->name,
	    c->ph->name, (unsigned long long)idle_held(c->idle), (unsigned long long)idle_refused(c->idle));
}

/* The configuration the server reports, on one line: under a sweep over
 * server.*, the proof that each point's server got its setting
 * (maxmemory=, limit_maxbytes=). A reply is untrusted: through
 * escape_terminal. */
static void say_config(const struct run_args *a, const struct target_result *t, const struct bench_target *bt)
{
	struct bench_conn conn = {.driver = t->driver, .target = bt};
	struct bench_server_info info = {0};
	struct sbuf sb = {0};

	if (!t->driver->server_info || t->driver->open(&conn) < 0 || t->driver->server_info(&conn, &info) < 0) {
		t->driver->close(&conn);
		run_say(a, "%s: the server's configuration could not be read\n", t->target->name);
		return;
	}
	t->driver->close(&conn);
	for (char *nl; (nl = strchr(info.config, '\n'));)
		*nl = ' ';
	escape_terminal(&sb, info.config);
	run_say(a, "%s: server configuration: %s\n", t->target->name, sb.buf ? sb.buf : "");
	free(sb.buf);
}

/* Under a sweep over server.memory or server.eviction, a block whose
 * point's server: differs from the running server's gets the server
 * restarted with it (nothing the last point stored survives: *intact
 * false, and the block's load runs). Returns 0, or -1 with t->skipped. */
static int size_server(const struct run_args *a, struct target_result *t, const struct workload *w,
		       const struct bench_target *bt, struct watch *wt, struct server_size *cur, bool *intact)
{
	char err[1024];
	struct server_size want = {w->server.memory, w->server.eviction};

	if (!t->server || strncmp(w->sweep.key ? w->sweep.key : "", "server.", 7) != 0)
		return 0;
	if (want.memory != cur->memory || strcmp(want.eviction ? want.eviction : "", cur->eviction ? cur->eviction : "")) {
		if (servers_resize(t->server, t->driver, (const char *const *)t->target->spawn_args, &want, err,
				   sizeof(err)) != 0) {
			t->skipped = xasprintf("restarting the server for sweep %s: %s", w->sweep.key, err);
			return -1;
		}
		*cur = want;
		*intact = false; /* a new server holds nothing: the next load runs */
		wt->pid = t->server->pid;
		run_say(a, "%s: restarted %s (pid %d) on 127.0.0.1:%d\n", t->target->name, t->server->program,
			(int)t->server->pid, t->server->port);
	}
	say_config(a, t, bt);
	return 0;
}

/* Whether phase ph leaves the data a load wrote as it was (keys, kinds and
 * value sizes): reads, and sets that rewrite a record with a value of the
 * same size distribution. Deletes, inserts, counters, structures, a crash
 * (the restart may keep nothing) and a replication phase (new records) do
 * not. */
bool run_phase_keeps_data(const struct wl_phase *ph)
{
	static const enum bench_op keeps[] = {
		BENCH_OP_GET, BENCH_OP_SET, BENCH_OP_RANGE, BENCH_OP_QUERY, BENCH_OP_FUZZY, BENCH_OP_HGET,
		BENCH_OP_LRANGE, BENCH_OP_SMEMBERS, BENCH_OP_ZRANGEBYSCORE, BENCH_OP_RMW,
	};

	if (ph->type == WL_PHASE_LOAD)
		return true;
	if (ph->type != WL_PHASE_RUN)
		return false;
	for (int op = 0; op < BENCH_OP__COUNT; op++) {
		bool kept = false;

		for (size_t k = 0; k < sizeof(keeps) / sizeof(keeps[0]); k++)
			kept |= keeps[k] == (enum bench_op)op;
		if (ph->mix[op] > 0 && !kept)
			return false;
	}
	return true;
}

/* Whether the load phase i of block b runs, and whether what it measures is
 * a row of its own (docs/workload-format.md, "order"). */
static bool load_runs(struct run_block *b, bool *recorded)
{
	*recorded = true;
	if (!b->keeps_data)
		return true; /* every block loads, as the workload says */
	if (b->data->any && b->data->intact && b->data->group == b->group) {
		b->load = "reused";
		return false;
	}
	*recorded = !b->data->recorded[b->group];
	b->load = *recorded ? "loaded" : "reloaded";
	return true;
}

/* Before a load of block b: the keys another sweep point's load left (a
 * keyspace of another size or shape) are removed, so that each point runs
 * on its own data only, whatever the order. */
static void clear_data(const struct run_args *a, struct results *r, const struct target_result *t,
		       const struct bench_target *bt, const struct run_block *b)
{
	const char *value = r->w->sweep.key ? r->w->sweep.values[b->data->group] : "";
	struct bench_target st = *bt;
	struct bench_conn c = {.driver = t->driver, .target = &st};
	struct bench_ns_state none = {0};
	uint64_t removed = 0, left = 0;

	if (!t->driver->ns_clean)
		return; /* no server, or a driver without the data safety hooks */
	if (b->data->keep_keys) {
		results_warn(r, "%s: %s=%s is loaded over the keys of %s=%s: with --reuse, bench cannot tell its keys "
			     "under the prefix from others, and removes none", t->target->name, r->w->sweep.key,
			     r->w->sweep.values[b->point], r->w->sweep.key, value);
		return;
	}
	st.prefix = b->points[b->data->group]->keyspace.prefix;
	if (t->driver->open(&c) < 0 || namespace_remove(&c, b->data->before ? b->data->before : &none, &removed,
							&left) < 0 || left)
		results_warn(r, "%s: the keys of %s=%s under prefix '%s' were not all removed before loading %s=%s: %s",
			     t->target->name, r->w->sweep.key, value, st.prefix, r->w->sweep.key,
			     r->w->sweep.values[b->point], c.errstr[0] ? c.errstr : "some are still there");
	else
		run_say(a, "%s: removed the %llu keys of %s=%s before loading %s=%s\n", t->target->name,
			(unsigned long long)removed, r->w->sweep.key, value, r->w->sweep.key, r->w->sweep.values[b->point]);
	t->driver->close(&c);
}

int run_block(const struct run_args *a, struct results *r, struct target_result *t, struct run_block *b,
	      const struct bench_target *bt, struct watch *wt, struct server_set *set)
{
	const struct workload *w = b->points[b->point];
	const char *value = r->w->sweep.key ? r->w->sweep.values[b->point] : NULL;
	struct runner_probe probe;
	uint64_t rep = b->repeat;

	watch_probe(wt, &probe);
	if (value)
		run_say(a, "%s: sweep %s = %s (repeat %llu)\n", t->target->name, r->w->sweep.key, value,
			(unsigned long long)rep);
	if (!b->data->sized) { /* what begin_target started the server with: the first point's */
		b->data->size = (struct server_size){b->points[0]->server.memory, b->points[0]->server.eviction};
		b->data->sized = true;
	}
	if (size_server(a, t, w, bt, wt, &b->data->size, &b->data->intact) < 0) {
		fprintf(stderr, "bench: %s: %s\n", t->target->name, t->skipped);
		return -1;
	}
	for (size_t i = 0; i < w->n_phases && !runner_stop_requested(); i++) {
		struct phase_result *p, warm = {0}, *wr;
		bool recorded = true;
		int prc;

		bool needs_server = w->phases[i].type == WL_PHASE_CRASH || w->phases[i].type == WL_PHASE_REPLICATION;

		if (!workload_phase_on(&w->phases[i], (size_t)(t->target - r->w->targets)))
			continue; /* its targets key leaves this one out: no row */
		if (w->phases[i].type == WL_PHASE_LOAD) {
			if (!load_runs(b, &recorded))
				continue;
			if (!b->load)
				b->load = "loaded";
			if (b->data->any && b->data->group != b->group)
				clear_data(a, r, t, bt, b);
			if (!recorded)
				run_say(a, "%s: %s: the data of %s=%s again (another point's had replaced it): not a "
					"summary.csv row\n", t->target->name, w->phases[i].name,
					r->w->sweep.key ? r->w->sweep.key : "the workload", value ? value : "");
		}
		p = results_add_run(t);
		p->sweep_value = value;
		p->point = b->point;
		warm.sweep_value = value;
		warm.point = b->point;
		if (needs_server && !t->server) {
			p->phase = &w->phases[i];
			snprintf(p->error, sizeof(p->error), "phase '%s' needs the target's server, and "
				 "%s has none bench started", w->phases[i].name, t->target->name);
			prc = -1;
		} else if (w->phases[i].type == WL_PHASE_REPLICATION) {
			prc = replication_run_phase(w, &w->phases[i], i, rep, t->driver, bt, set, t->server, p);
		} else if (w->phases[i].type == WL_PHASE_CACHE_ASIDE) {
			prc = aside_run_phase(w, &w->phases[i], i, rep, t->driver, bt, set, strcmp(a->servers, "spawn") == 0,
					      p, &warm);
		} else if (w->phases[i].type == WL_PHASE_CRASH) {
			prc = crash_run_phase(w, &w->phases[i], i, rep, t->driver, bt, t->server, p);
			wt->pid = t->server->pid; /* restarted: a new process */
		} else {
			struct idle_ctx ic = {a, r, t, bt, &w->phases[i], NULL};
			struct runner_probe pr = probe;

			pr.trace = a->trace;
			pr.blocking = say_blocking;
			pr.blocking_arg = &ic;
			if (a->trace)
				run_trace_phase(a->trace, t->target->name, t->driver->name, w->phases[i].name, rep, value);
			if (w->phases[i].idle_connections) {
				pr.connected = open_idle;
				pr.connected_arg = &ic;
			}
			prc = runner_run_phase(w, &w->phases[i], rep, t->driver, bt, &pr, p, &warm);
			if (ic.idle) {
				idle_check(ic.idle);
				p->idle_held = idle_held(ic.idle);
				p->idle_refused = idle_refused(ic.idle);
			}
			/* With the idle connections still open. */
			p->server_rss_bytes = watch_proc_rss_bytes(wt->pid);
			idle_close(ic.idle);
		}

		if (!p->server_rss_bytes)
			p->server_rss_bytes = watch_proc_rss_bytes(wt->pid);
		secret_scrub_buf(p->error, sizeof(p->error));
		secret_scrub_buf(warm.error, sizeof(warm.error));
		watch_end_line(wt);
		if (prc < 0) {
			fprintf(stderr, "bench: %s: %s\n", t->target->name, p->error);
			t->skipped = xstrdup(p->error);
			t->n_runs--; /* nothing was measured */
			return -1;
		}
		if (w->phases[i].type == WL_PHASE_LOAD) {
			b->data->any = true;
			b->data->group = b->group;
			b->data->intact = !p->interrupted;
		} else if (!run_phase_keeps_data(&w->phases[i])) {
			b->data->intact = false;
		}
		if (w->phases[i].type == WL_PHASE_LOAD && b->keeps_data) {
			/* One row per data group, whichever block of it loaded
			 * first: the group's first point, repeat 1, so that the
			 * rows do not depend on the order. */
			p->point = b->group;
			p->sweep_value = value ? r->w->sweep.values[b->group] : NULL;
			p->phase = &b->points[b->group]->phases[i];
			p->repeat = 1;
			warm.point = p->point;
			warm.sweep_value = p->sweep_value;
			warm.phase = p->phase;
			warm.repeat = 1;
			b->data->recorded[b->group] = true;
		}
		if (warm.warmup) {
			/* Keep the order phase by phase: warmup, then its run. */
			struct phase_result measured = *p;

			*p = warm;
			wr = results_add_run(t);
			*wr = measured;
			p = wr;
		}
		/* Failures over the limit: exit status 1 (README.md, "Exit status").
		 * A crash phase's failures are the crash itself. */
		p->over_error_limit = w->phases[i].type != WL_PHASE_CRASH &&
				      results_phase_error_rate(p) > w->max_error_rate;
		r->n_over_error_limit += p->over_error_limit; /* a reload's too: later blocks run on its data */
		if (p->over_error_limit)
			results_warn(r, "%s: %s (repeat %llu%s%s): %.4g%% of requests failed, over max_error_rate %.4g%%",
				     t->target->name, p->phase->name, (unsigned long long)rep, value ? ", " : "",
				     value ? value : "", 100 * results_phase_error_rate(p), 100 * w->max_error_rate);
		report_phase(a, t, p, w->max_error_rate);
		if (p->unsent)
			results_warn(r, "%s: %s (repeat %llu%s%s): %llu requests due before the end were never "
				     "sent: the clients were still behind rate %g one request timeout after "
				     "the end", t->target->name, p->phase->name, (unsigned long long)rep,
				     value ? ", " : "", value ? value : "", (unsigned long long)p->unsent,
				     p->phase->rate);
		check_client_bound(r, t, p);
		if (p->error[0])
			results_warn(r, "%s: %s (repeat %llu%s%s): %s", t->target->name, p->phase->name,
				     (unsigned long long)rep, value ? ", " : "", value ? value : "", p->error);
		if (!recorded) {
			/* A reload the order made necessary: said above, not a row. */
			if (warm.warmup)
				results_drop_last_run(t);
			results_drop_last_run(t);
		}
	}
	return 0;
}
