/*
 * cmd_run.c - `bench run`: validate the workload, bring up or find each
 * target around its blocks (run/run_order.c runs them one at a time, so
 * servers never compete for the CPU), and write the result directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aggregate.h"
#include "chart.h"
#include "cmd.h"
#include "cmd_run.h"
#include "csv.h"
#include "escape.h"
#include "json.h"
#include "namespace.h"
#include "outdir.h"
#include "report.h"
#include "registry.h"
#include "results.h"
#include "run_flags.h"
#include "run_dry.h"
#include "run_trace.h"
#include "run_order.h"
#include "runner.h"
#include "secret.h"
#include "servers.h"
#include "shard.h"
#include "util.h"
#include "watch.h"
#include "workload.h"

const char cmd_run_usage[] =
	"usage: bench run WORKLOAD.yaml [options] [flags]\n"
	"       bench run --target URI|DRIVER... [flags] [options]\n"
	"\n"
	"Runs the workload's phases against each target, one block (target x sweep\n"
	"point x repeat) at a time in the workload's order (random by default), and writes\n"
	"<out>/<UTC time>-<workload name>/ with summary.csv, run.json, comparison.csv\n"
	"and results.json (docs/csv-schema.md); the terminal ends with the comparison of\n"
	"the targets: per op, ops/s and p99 (mean ± 95% interval over the repeats), the\n"
	"ratio to the best target and whether the difference is a tie.\n"
	"\n"
	"  --servers spawn|external  spawn: start private redis-server, memcached and a\n"
	"                            MongoDB-compatible server on free 127.0.0.1 ports (default);\n"
	"                            external: use running servers (a target's uri, else\n"
	"                            BENCH_REDIS_URI, BENCH_MEMCACHED_SERVERS, BENCH_MONGODB_URI,\n"
	"                            else the standard local ports); default: $BENCH_SERVERS,\n"
	"                            else spawn (the docker image sets BENCH_SERVERS=external)\n"
	"  --target NAME[,NAME...]   run only these targets of the workload (repeatable)\n"
	"  --set KEY.PATH=VALUE      override a workload key (repeatable), e.g.\n"
	"                            --set keyspace.records=1000 --set phases.run.clients=8\n"
	"  --out DIR                 where result directories go (default: results)\n"
	"  --quiet                   print nothing but errors and the last line, results: DIR/\n"
	"  --no-charts               do not draw charts at the end (redraw any time: bench chart DIR)\n"
	"  --dry-run                 print the plan and each op's commands (from its driver); check\n"
	"                            the input, contact, spawn and write nothing; exit 0\n"
	"  --trace N                 trace.log: every phase run's first N commands and replies\n"
	"  --shard I/N               one of N load machines: run the I-th share (0 <= I < N) of every\n"
	"                            phase's clients, load records, ops and rate; default: BENCH_SHARD\n"
	"                            from the environment; combine the N results with bench merge\n"
	"                            (docs/scale.md); implies --reuse --keep (the shards share the\n"
	"                            prefix), and refuses --flush\n"
	"\n"
	"Servers bench did not start (docs/architecture.md, \"Data safety\"): bench writes\n"
	"only keys under keyspace.prefix. Before a target's first load it checks that\n"
	"nothing is there and refuses the target otherwise (exit 3, run.json `skipped`\n"
	"says why); after the target's run, also an interrupted one, it removes every\n"
	"key under the prefix again (run.json `cleanup` says how many).\n"
	"  --reuse                   run on keys already under the prefix; they are all\n"
	"                            kept after the run (bench cannot tell its own apart)\n"
	"  --keep                    leave the run's keys in place, to inspect them\n"
	"  --flush                   first empty the server: Redis FLUSHDB of the uri's\n"
	"                            database, memcached flush_all, MongoDB dropDatabase of\n"
	"                            the target's database; every key there, not only the prefix's\n"
	"\n"
	"Passwords come from a target's auth key (password_env: VAR, password_file: PATH),\n"
	"else, for servers bench did not spawn, from BENCH_<DRIVER>_PASSWORD (user:\n"
	"BENCH_<DRIVER>_USER), e.g. BENCH_REDIS_PASSWORD; never from the workload itself.\n"
	"They are shown as *** everywhere (docs/security.md).\n"
	"\n"
	"Ctrl-C or SIGTERM stops the run: partial results are written, the run's keys\n"
	"removed. Another within a second is the same stop (`timeout` sends two); one\n"
	"later quits at once: nothing is written, and bench says what it leaves under the\n"
	"prefix and the `bench clean` command that removes it.\n"
	"\n"
	"Exit status: 0 ok; 1 a run's failed requests over the workload's max_error_rate\n"
	"(default 0: any failure), or interrupted; 2 usage, invalid workload, or --out not\n"
	"a writable directory (checked before any server starts); 3 a target could not\n"
	"be reached, or was refused (its prefix already holds keys; see above).\n"
	"\n"
	"Workload flags (below) build a workload without a file, or override a file's.\n";

/*
 * The first SIGINT or SIGTERM stops the run cleanly; another within
 * RUN_SAME_STOP_NS of it is the same stop (`timeout` sends two at once);
 * one after that quits at once (run_quit.c).
 */
static void on_signal(int sig)
{
	static const char msg[] = "\nbench: stopping (again, a second later, to quit at once)\n";
	uint64_t first = runner_stop_requested_at();

	(void)sig;
	if (!first) {
		runner_request_stop();
		servers_cancel_start();
		if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
			/* nothing to do */
		}
		return;
	}
	if (util_now_ns() - first < RUN_SAME_STOP_NS)
		return;
	run_quit_now();
}

bool run_common_option(const char *cmd, int argc, char **argv, int *i, struct run_args *a, int *rc)
{
	const char *v;
	int ok;

	*rc = 0;
	if ((v = cmd_opt_value(argc, argv, i, "--servers", &ok)) && ok) {
		a->servers = v;
	} else if (ok && (v = cmd_opt_value(argc, argv, i, "--set", &ok)) && ok) {
		const char *eq = strchr(v, '=');

		if (!eq || eq == v) {
			*rc = cmd_usage_error(cmd, "--set wants KEY.PATH=VALUE, got '%s'", v);
			return true;
		}
		a->ov[a->n_ov].path = xstrndup(v, (size_t)(eq - v));
		a->ov[a->n_ov++].value = eq + 1;
	} else if (!ok) {
		*rc = BENCH_EXIT_USAGE;
	} else if (strcmp(argv[*i], "--quiet") == 0 || strcmp(argv[*i], "-q") == 0) {
		a->quiet = true;
	} else {
		return false;
	}
	return true;
}

static int parse_args(int argc, char **argv, struct run_args *a, struct run_flags *f)
{
	int rc;

	a->servers = getenv("BENCH_SERVERS") && *getenv("BENCH_SERVERS") ? getenv("BENCH_SERVERS") : "spawn";
	a->out = "results";
	a->ov = xcalloc((size_t)argc, sizeof(*a->ov));
	for (int i = 1; i < argc; i++) {
		const char *v;
		int ok;

		if (run_flags_option("run", argc, argv, &i, f, &rc) || run_common_option("run", argc, argv, &i, a, &rc)) {
			if (rc)
				return rc;
		} else if ((v = cmd_opt_value(argc, argv, &i, "--out", &ok)) && ok) {
			a->out = v;
		} else if (ok && (v = cmd_opt_value(argc, argv, &i, "--shard", &ok)) && ok) {
			a->shard = v;
			a->shard_from = "--shard";
		} else if (!ok) {
			return BENCH_EXIT_USAGE;
		} else if (ok && (v = cmd_opt_value(argc, argv, &i, "--trace", &ok)) && ok) {
			if (util_parse_u64(v, &a->trace_n) < 0 || a->trace_n < 1 || a->trace_n > RUN_TRACE_N_MAX)
				return cmd_usage_error("run", "--trace wants a number of commands from 1 to %d, not '%s'",
						       RUN_TRACE_N_MAX, v);
		} else if (!ok) {
			return BENCH_EXIT_USAGE;
		} else if (strcmp(argv[i], "--dry-run") == 0) {
			a->dry_run = true;
		} else if (strcmp(argv[i], "--no-charts") == 0) {
			a->no_charts = true;
		} else if (strcmp(argv[i], "--reuse") == 0) {
			a->ns.reuse = true;
		} else if (strcmp(argv[i], "--keep") == 0) {
			a->ns.keep = true;
		} else if (strcmp(argv[i], "--flush") == 0) {
			a->ns.flush = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return cmd_usage_error("run", "unknown option '%s'", argv[i]);
		} else if (a->workload) {
			return cmd_usage_error("run", "one workload per run (got '%s' and '%s')", a->workload, argv[i]);
		} else {
			a->workload = argv[i];
		}
	}
	if ((rc = run_flags_finish("run", f, a)) != 0)
		return rc;
	a->ns.quiet = a->quiet;
	if (!a->shard && getenv("BENCH_SHARD") && *getenv("BENCH_SHARD")) {
		a->shard = getenv("BENCH_SHARD");
		a->shard_from = "BENCH_SHARD";
	}
	if (strcmp(a->servers, "spawn") != 0 && strcmp(a->servers, "external") != 0)
		return cmd_usage_error("run", "--servers (or BENCH_SERVERS) is spawn or external, not '%s'", a->servers);
	/* The shards share one prefix and run at once: none may refuse the
	 * others' keys, remove them while they run, or flush them. */
	if (a->shard && a->ns.flush)
		return cmd_usage_error("run", "--flush with %s: one shard would empty the server under the others; "
				       "flush once before starting the shards", a->shard_from);
	if (a->shard)
		a->ns.reuse = a->ns.keep = true;
	if (a->dry_run && a->trace_n)
		return cmd_usage_error("run", "--trace with --dry-run: a dry run sends nothing to trace");
	return 0;
}

bool run_selected(const char *list, const char *name)
{
	size_t len = strlen(name);

	if (!list)
		return true;
	for (const char *p = list; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);

		if (n == len && strncmp(p, name, n) == 0)
			return true;
		p = comma ? comma + 1 : NULL;
	}
	return false;
}

/* A warning of the workload concerns this run: it is about the workload,
 * or about a target that runs. */
static bool warning_applies(const struct run_args *a, const struct workload *w, const struct wl_warning *x)
{
	return x->target < 0 || (size_t)x->target >= w->n_targets || run_selected(a->targets, w->targets[x->target].name);
}

/* Crash and replication phases kill or copy the server: only one bench
 * started itself. */
static int check_spawn_phases(const struct run_args *a, const struct workload *w)
{
	const struct wl_phase *ph = NULL;
	const char *what;

	for (size_t i = 0; i < w->n_phases && !ph; i++)
		if (w->phases[i].type == WL_PHASE_CRASH || w->phases[i].type == WL_PHASE_REPLICATION)
			ph = &w->phases[i];
	if (!ph)
		return 0;
	what = ph->type == WL_PHASE_CRASH ? "kills the server with SIGKILL" : "starts a replica of the server";
	if (strcmp(a->servers, "spawn") != 0) {
		fprintf(stderr, "bench: %s: phase '%s' %s; it needs servers bench starts itself (--servers "
			"spawn): bench never kills or copies a server it did not start\n", w->file, ph->name, what);
		return BENCH_EXIT_USAGE;
	}
	for (size_t i = 0; i < w->n_targets; i++)
		if (w->targets[i].uri && run_selected(a->targets, w->targets[i].name)) {
			fprintf(stderr, "bench: %s: target %s has a uri, and phase '%s' %s: bench never kills or "
				"copies a server it did not start (drop the uri to spawn one, or --target the "
				"others)\n", w->file, w->targets[i].name, ph->name, what);
			return BENCH_EXIT_USAGE;
		}
	return 0;
}

int run_check_target_list(const char *cmd, const char *list, const struct workload *w)
{
	for (const char *p = list; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		bool found = false;

		for (size_t i = 0; i < w->n_targets && !found; i++)
			found = strlen(w->targets[i].name) == n && strncmp(w->targets[i].name, p, n) == 0;
		if (!found)
			return cmd_usage_error(cmd, "--target '%.*s' is not a target of %s", (int)n, p, w->file);
		p = comma ? comma + 1 : NULL;
	}
	return 0;
}

/*
 * The credentials of every selected target, before anything starts: a
 * missing password is a usage error (exit 2), like a bad workload. The
 * passwords of uris from the environment are registered for scrubbing.
 */
int run_resolve_credentials(struct run_args *a, const struct workload *w)
{
	char *dir = xstrdup(w->file), *slash = strrchr(dir, '/'), err[512];
	int rc = 0;

	if (slash)
		*slash = '\0';
	a->creds = xcalloc(w->n_targets, sizeof(*a->creds));
	for (size_t i = 0; i < w->n_targets && rc == 0; i++) {
		const struct wl_target *t = &w->targets[i];
		const struct bench_driver *d = bench_driver_find(t->driver, err, sizeof(err));
		bool external = t->uri || strcmp(a->servers, "external") == 0;

		if (!run_selected(a->targets, t->name) || !d || !(d->caps & BENCH_CAP_NETWORK))
			continue; /* no server, no login */
		if (strcmp(a->servers, "external") == 0 && !t->uri)
			secret_add_uri(servers_external_uri(d));
		if (t->auth.given && !external) {
			fprintf(stderr, "bench: %s:%d:%d: target %s has auth, but its server is spawned by bench and has no "
				"users; give the target a uri, or run with --servers external\n", w->file, t->line, t->col,
				t->name);
			rc = BENCH_EXIT_USAGE;
		} else if (secret_credentials(&t->auth, t->name, t->driver, slash ? dir : ".", external, &a->creds[i], err,
					      sizeof(err)) < 0) {
			fprintf(stderr, "bench: %s: %s\n", w->file, err);
			rc = BENCH_EXIT_USAGE;
		}
	}
	free(dir);
	return rc;
}

/* The server's request threads from its configuration lines (memcached
 * "threads=4", Redis "io-threads=1"); 0 when it does not say. */
static unsigned server_threads(const char *config)
{
	static const char *const keys[] = {"\nthreads=", "\nio-threads="};
	char *lines = xasprintf("\n%s", config);
	unsigned n = 0;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]) && !n; i++) {
		const char *p = strstr(lines, keys[i]);

		if (p)
			n = (unsigned)strtoul(p + strlen(keys[i]), NULL, 10);
	}
	free(lines);
	return n;
}

struct bench_option *run_fill_target(const struct run_args *a, const struct workload *w, const struct wl_target *wt,
				     const struct bench_driver *d, struct bench_target *bt)
{
	const char *shard_key = wt->shard_key ? wt->shard_key : w->keyspace.shard_key;
	struct bench_option *owned = NULL;

	bt->name = wt->name;
	bt->prefix = w->keyspace.prefix;
	bt->options = wt->options;
	bt->n_options = wt->n_options;
	/* The key to shard on is the driver's shard_key option (driver.h,
	 * ABI 7), given in the workload as a target's or the keyspace's
	 * shard_key: {_id: hashed}. A driver that does not shard has no such
	 * option (the workload refuses a target's shard_key for it). */
	if (shard_key && d && (d->caps & BENCH_CAP_SHARD_KEY)) {
		owned = xcalloc(wt->n_options + 1, sizeof(*owned));
		if (wt->n_options) /* options is NULL without any */
			memcpy(owned, wt->options, wt->n_options * sizeof(*owned));
		owned[wt->n_options] = (struct bench_option){"shard_key", shard_key};
		bt->options = owned;
		bt->n_options = wt->n_options + 1;
	}
	bt->timeout_ms = wt->timeout_ms;
	bt->user = a->creds[wt - w->targets].user;
	bt->password = a->creds[wt - w->targets].password;
	bt->fields = (unsigned)w->values.fields;
	bt->categories = w->values.categories;
	bt->records = w->keyspace.records;
	for (size_t i = 0; i < w->n_phases; i++) {
		if (!workload_phase_on(&w->phases[i], (size_t)(wt - w->targets)))
			continue; /* another target's phase */
		bt->index_range |= w->phases[i].mix[BENCH_OP_RANGE] > 0;
		bt->index_query |= w->phases[i].mix[BENCH_OP_QUERY] > 0;
	}
	return owned;
}

/* Brings up (or finds) the target's server and reads its identity. Returns
 * 0, or -1 with t->skipped set. *opts_owned: bt's options when
 * run_fill_target made them (caller frees). */
static int bring_up(const struct run_args *a, struct results *r, struct target_result *t,
		    struct server_set **servers, const struct workload *first, struct bench_target *bt,
		    char **uri_owned, pid_t *pid, struct bench_option **opts_owned)
{
	/* Sized as the first sweep point asks (run_phases.c resizes it for the others). */
	struct server_size size = {first->server.memory, first->server.eviction};
	const struct wl_target *wt = t->target;
	char err[1024];
	struct bench_conn conn = {.driver = t->driver, .target = bt};

	*opts_owned = run_fill_target(a, r->w, wt, t->driver, bt);
	/* A cache-aside phase spawns its store into the set whatever the
	 * target is (a null cache, or one at a uri, spawns nothing itself). */
	for (size_t i = 0; i < r->w->n_phases && !*servers && strcmp(a->servers, "spawn") == 0; i++)
		if (r->w->phases[i].store_driver && servers_init(servers, err, sizeof(err)) < 0) {
			t->skipped = xstrdup(err);
			return -1;
		}
	if (wt->uri) {
		bt->uri = wt->uri;
	} else if (!(t->driver->caps & BENCH_CAP_NETWORK)) {
		bt->uri = NULL;
	} else if (strcmp(a->servers, "spawn") == 0) {
		struct server *srv;

		if (!*servers && servers_init(servers, err, sizeof(err)) < 0) {
			t->skipped = xstrdup(err);
			return -1;
		}
		run_say(a, "%s: starting a private server ...\n", wt->name);
		if (servers_spawn_sized(*servers, t->driver, wt->spawn_program, (const char *const *)wt->spawn_args,
					&size, &srv, err, sizeof(err)) < 0) {
			t->skipped = xstrdup(err);
			return -1;
		}
		t->spawned = xstrdup(srv->program);
		t->server = srv;
		run_say(a, "%s: started %s (pid %d) on 127.0.0.1:%d\n", wt->name, srv->program, (int)srv->pid, srv->port);
		*pid = srv->pid;
		*uri_owned = xstrdup(srv->uri);
		bt->uri = *uri_owned;
	} else {
		if (wt->n_spawn_args || wt->spawn_program)
			results_warn(r, "%s: spawn ignored with --servers external: the server runs as it was "
				     "configured (run.json's server.config says how)", wt->name);
		if (first->server.memory || first->server.eviction)
			results_warn(r, "%s: server.memory and server.eviction ignored with --servers external: the "
				     "server runs as it was configured (run.json's server.config says how)", wt->name);
		bt->uri = servers_external_uri(t->driver);
		if (!bt->uri) {
			t->skipped = xasprintf("driver %s has no default address: give target %s a uri", t->driver->name, wt->name);
			return -1;
		}
	}
	t->uri = bt->uri ? results_redact_uri(bt->uri) : xstrdup("");

	if (t->driver->open(&conn) < 0) {
		/* A refused login names where the password came from. */
		const char *src = a->creds[wt - r->w->targets].source;
		bool auth = strcasestr(conn.errstr, "auth failed") || strcasestr(conn.errstr, "authentication failed");
		char *msg;

		if (!conn.err) /* it answered, but cannot serve this workload (driver.h) */
			msg = xstrdup(conn.errstr);
		else
			msg = xasprintf("cannot reach %s at %s: %s%s%s%s", wt->name, t->uri, conn.errstr,
					strcmp(a->servers, "external") == 0 && !wt->uri && !auth
						? " (start it, e.g. `docker compose up -d`, or set its BENCH_*_URI)" : "",
					auth ? "; check " : "", auth ? (src ? src : "the user and password in the uri") : "");
		t->skipped = secret_scrub(msg);
		free(msg);
		t->driver->close(&conn);
		return -1;
	}
	if (t->driver->server_info) {
		if (t->driver->server_info(&conn, &t->info) == 0) {
			t->have_info = true;
			bt->server_threads = server_threads(t->info.config);
			results_warn_stand_in(r, t);
			if (bt->ttl_max_ms && t->info.ttl_note[0])
				results_warn(r, "%s: values.ttl: %s", wt->name, t->info.ttl_note);
		}
		else
			results_warn(r, "%s: could not read the server's identity: %s", wt->name, conn.errstr);
	}
	t->driver->close(&conn);
	return 0;
}

/* The server's identity again once the runs are done: what they changed
 * shows in run.json's server_after_run (mongodb: the shards a get and a
 * range query target, which explain can only say once records exist). */
static void reread_info(struct target_result *t, const struct bench_target *bt)
{
	struct bench_conn conn = {.driver = t->driver, .target = bt};

	if (t->driver->open(&conn) == 0 && t->driver->server_info(&conn, &t->info_after) == 0)
		t->have_info_after = true;
	t->driver->close(&conn);
}

/* The `bench clean` command that removes what this run leaves under the
 * prefix of target `name`: the same workload and --set overrides. */
static char *clean_hint(const struct run_args *a, const struct wl_target *t)
{
	struct sbuf sb = {0};

	sbuf_addf(&sb, "bench clean ");
	if (a->workload_text) {
		/* From flags: the target's --target, then the flags as --set. */
		char *spec = run_flags_target_spec(t);

		sbuf_addf(&sb, "--target ");
		escape_shell(&sb, spec);
		free(spec);
	} else {
		escape_shell(&sb, a->workload);
	}
	for (size_t i = 0; i < a->n_ov; i++) {
		char *set = xasprintf("%s=%s", a->ov[i].path, a->ov[i].value);

		sbuf_addf(&sb, " --set ");
		escape_shell(&sb, set);
		free(set);
	}
	sbuf_addf(&sb, " --servers external");
	if (!a->workload_text) {
		sbuf_addf(&sb, " --target ");
		escape_shell(&sb, t->name);
	}
	return sbuf_take(&sb);
}

/*
 * The check before the run and the cleanup after it know one prefix: on a
 * server bench did not start, a sweep over keyspace.prefix (which writes
 * under one prefix per point) runs only with --reuse, which checks and
 * removes nothing. Returns 0, or -1 with t->skipped set.
 */
static int refuse_other_prefixes(const struct run_args *a, struct target_result *t, struct workload *const *points,
				 size_t n_points, const struct bench_target *bt)
{
	if (t->spawned || !(t->driver->caps & BENCH_CAP_NETWORK) || a->ns.reuse)
		return 0;
	for (size_t i = 0; i < n_points; i++) {
		if (strcmp(points[i]->keyspace.prefix, bt->prefix) != 0) {
			t->skipped = xasprintf("the sweep writes under prefix '%s' as well as '%s', and on a server bench "
					       "did not start it checks and cleans one prefix per target: run one prefix "
					       "per run, or use --reuse (bench then leaves every key under them)",
					       points[i]->keyspace.prefix, bt->prefix);
			return -1;
		}
	}
	return 0;
}

/* The target's server stopped, and what begin_target allocated for it freed. */
static void release_target(struct target_result *t, struct run_slot *s)
{
	servers_stop(t->server);
	t->server = NULL;
	free(s->uri_owned);
	s->uri_owned = NULL;
	free(s->opts_owned);
	s->opts_owned = NULL;
}

/* Before a target's first block (run_order.h): its server up, the
 * namespace checked, the server watched. */
static int begin_target(const struct run_args *a, struct results *r, struct target_result *t, struct run_slot *s,
			struct workload *const *points, size_t n_points, struct server_set **servers)
{
	char label[RESULTS_SERVER_LABEL_MAX];

	/* The longest value any sweep point writes (driver.h, value_max). */
	for (size_t i = 0; i < n_points; i++) {
		uint64_t v = points[i]->values.size_max * (points[i]->values.fields ? points[i]->values.fields : 1);

		s->bt.value_max = v > s->bt.value_max ? v : s->bt.value_max;
		if (points[i]->values.ttl.max > s->bt.ttl_max_ms)
			s->bt.ttl_max_ms = points[i]->values.ttl.max;
		if (points[i]->keyspace.trace && s->bt.value_max < TRACE_VALUE_MAX)
			s->bt.value_max = TRACE_VALUE_MAX; /* sizes come from the trace */
	}
	if (bring_up(a, r, t, servers, points[0], &s->bt, &s->uri_owned, &s->pid, &s->opts_owned) < 0 ||
	    refuse_other_prefixes(a, t, points, n_points, &s->bt) < 0 || namespace_before(&a->ns, r, t, &s->bt, &s->ns) < 0) {
		secret_fprintf(stderr, "bench: %s: not run: %s\n", t->target->name, t->skipped);
		release_target(t, s);
		return -1;
	}
	if (t->driver->caps & BENCH_CAP_NETWORK)
		run_say(a, "%s: %s at %s%s%s\n", t->target->name, results_server_label(t, label, sizeof(label)), t->uri,
			t->info.stands_in_for[0] ? ", a stand-in for " : "", t->info.stands_in_for);
	watch_init(&s->wt, &s->bt, t->driver, s->pid, a->quiet ? WATCH_QUIET : isatty(STDERR_FILENO) ? WATCH_TTY : WATCH_PLAIN);
	snprintf(t->cpu_source, sizeof(t->cpu_source), "%s", s->wt.cpu_source);
	if (s->ns.clean) {
		char *hint = clean_hint(a, t->target);

		run_quit_watch(t->driver, &s->bt, t->uri, hint);
		free(hint);
	}
	return 0;
}

/* After a target's last block, or when it failed or the run stopped. */
static void end_target(const struct run_args *a, struct results *r, struct target_result *t, struct run_slot *s)
{
	if (t->n_runs && t->have_info && !runner_stop_requested())
		reread_info(t, &s->bt);
	watch_free(&s->wt);
	run_quit_checkpoint(); /* quitting: the keys stay, and the quitter says so */
	namespace_after(&a->ns, r, t, &s->bt, &s->ns);
	if (s->ns.clean)
		run_quit_unwatch(&s->bt);
	/* Its server is idle from now on: stopped, not left to compete. */
	release_target(t, s);
}

/* The workload from its file, or from the text the flags built. */
static int load_text_or_file(const struct run_args *a, const struct wl_override *ov, size_t n_ov,
			     struct workload **w, char **msgs)
{
	if (a->workload_text)
		return workload_parse(a->workload, a->workload_text, strlen(a->workload_text), ov, n_ov, w, msgs) < 0
			? BENCH_EXIT_USAGE : 0;
	return workload_load(a->workload, ov, n_ov, w, msgs) < 0 ? BENCH_EXIT_USAGE : 0;
}

int run_load_workload(struct run_args *a, const struct run_flags *f, struct workload **w, char **msgs)
{
	int rc = load_text_or_file(a, a->ov, a->n_ov, w, msgs);

	if (rc || !run_flags_any(f))
		return rc;
	/* The flags' phase keys go to the run phases this load found. */
	run_flags_overrides(f, *w, a);
	workload_free(*w);
	*w = NULL;
	free(*msgs);
	*msgs = NULL;
	return load_text_or_file(a, a->ov, a->n_ov, w, msgs);
}

/*
 * The workload of each sweep point: the file reloaded with the point's
 * overrides after the user's. Without a sweep, the one point is w itself.
 * Returns the array (caller frees it and every entry but w), or NULL after
 * printing why (cannot happen for a workload that validated).
 */
struct workload **run_load_points(const struct run_args *a, struct workload *w, size_t *n_points)
{
	size_t n = w->sweep.key ? w->sweep.n_values : 1;
	struct workload **points = xcalloc(n, sizeof(*points));

	*n_points = n;
	if (!w->sweep.key) {
		points[0] = w;
		return points;
	}
	for (size_t i = 0; i < n; i++) {
		struct wl_override *ov = xcalloc(a->n_ov + 1, sizeof(*ov));
		size_t n_ov = a->n_ov;
		char *msgs = NULL;
		int rc;

		memcpy(ov, a->ov, a->n_ov * sizeof(*ov));
		workload_sweep_overrides(w, i, &ov, &n_ov);
		rc = load_text_or_file(a, ov, n_ov, &points[i], &msgs);
		free(ov);
		if (rc != 0) {
			fprintf(stderr, "%s", msgs ? msgs : "");
			free(msgs);
			for (size_t j = 0; j < i; j++)
				workload_free(points[j]);
			free(points);
			return NULL;
		}
		free(msgs);
	}
	return points;
}

/*
 * --shard I/N (or BENCH_SHARD): checked, then set on every point's
 * workload. Every phase needs a client per shard, or a machine would have
 * nothing to do. Returns 0 or BENCH_EXIT_USAGE after saying why.
 */
static int apply_shard(const struct run_args *a, struct workload *const *points, size_t n_points)
{
	uint64_t index, count;
	char err[160];

	if (!a->shard)
		return 0;
	if (shard_parse(a->shard, &index, &count, err, sizeof(err)) < 0)
		return cmd_usage_error("run", "%s '%s': %s", a->shard_from, a->shard, err);
	for (size_t pt = 0; pt < n_points; pt++) {
		for (size_t i = 0; i < points[pt]->n_phases; i++) {
			const struct wl_phase *ph = &points[pt]->phases[i];

			if (ph->clients < count)
				return cmd_usage_error("run", "%s '%s': phase %s has %llu client%s, fewer than %llu shards: "
						       "each shard runs at least one (raise clients, or use fewer shards)",
						       a->shard_from, a->shard, ph->name, (unsigned long long)ph->clients,
						       ph->clients == 1 ? "" : "s", (unsigned long long)count);
		}
		points[pt]->shard.index = index;
		points[pt]->shard.count = count;
	}
	return 0;
}

static void free_points(struct workload **points, size_t n, const struct workload *w)
{
	for (size_t i = 0; points && i < n; i++)
		if (points[i] != w)
			workload_free(points[i]);
	free(points);
}

void run_args_free(struct run_args *a, struct workload *w, struct workload **points, size_t n_points)
{
	free_points(points, n_points, w);
	for (size_t i = 0; a->creds && i < w->n_targets; i++)
		secret_cred_free(&a->creds[i]);
	free(a->creds);
	secret_clear();
	workload_free(w);
	for (size_t i = 0; i < a->n_ov; i++)
		free((char *)a->ov[i].path);
	free(a->ov);
}

static int put_comparison(const char *dir, FILE *f, const void *agg, char *err, size_t errlen)
{
	(void)dir;
	(void)err;
	(void)errlen;
	return agg_write_comparison_csv(agg, f);
}

static int put_results_json(const char *dir, FILE *f, const void *agg, char *err, size_t errlen)
{
	return agg_write_results_json(dir, agg, f, err, errlen);
}

static int put_text(const char *dir, FILE *f, const void *text, char *err, size_t errlen)
{
	(void)dir;
	(void)err;
	(void)errlen;
	return fputs(text, f) < 0 ? -1 : 0;
}

static int put_trace(const char *dir, FILE *f, const void *trace, char *err, size_t errlen)
{
	(void)dir;
	(void)err;
	(void)errlen;
	return run_trace_copy((struct run_trace *)trace, f);
}

/*
 * --dry-run: each selected target as a run would fill it (its uri: the
 * workload's, or with --servers external the driver's address; none for
 * a server bench would spawn), then the plan (run_dry.c). Nothing is
 * contacted or spawned.
 */
static int dry_run(const struct run_args *a, const struct workload *w, struct workload *const *points,
		   size_t n_points)
{
	struct bench_target *bts = xcalloc(w->n_targets, sizeof(*bts));
	struct bench_option **opts = xcalloc(w->n_targets, sizeof(*opts));

	for (size_t i = 0; i < w->n_targets; i++) {
		/* The first point's target (the same target, reloaded: run_fill_target
		 * indexes the credentials by its place in the workload it is given). */
		const struct wl_target *wt = &points[0]->targets[i];
		char err[256];
		const struct bench_driver *d = bench_driver_find(wt->driver, err, sizeof(err));

		if (!run_selected(a->targets, wt->name))
			continue;
		opts[i] = run_fill_target(a, points[0], wt, d, &bts[i]);
		if (wt->uri)
			bts[i].uri = wt->uri;
		else if (d && (d->caps & BENCH_CAP_NETWORK) && strcmp(a->servers, "external") == 0)
			bts[i].uri = servers_external_uri(d);
	}
	run_dry_print(w, points, n_points, bts, stdout);
	for (size_t i = 0; i < w->n_targets; i++)
		free(opts[i]);
	free(opts);
	free(bts);
	return BENCH_EXIT_OK;
}

/* The result directory: the results model's files, the comparison of its
 * targets (analysis/aggregate.h) and, for a run from flags, the workload
 * it ran (yaml, NULL: none) in the same temporary directory. */
static char *write_results(const struct run_args *a, const struct results *r, const struct aggregate *agg,
			   const char *yaml)
{
	struct outdir_file extra[4] = {
		{"comparison.csv", put_comparison, agg},
		{"results.json", put_results_json, agg},
	};
	size_t n_extra = 2;
	char err[PATH_MAX + 512], *dir;

	if (yaml)
		extra[n_extra++] = (struct outdir_file){"workload.yaml", put_text, yaml};
	if (a->trace)
		extra[n_extra++] = (struct outdir_file){"trace.log", put_trace, a->trace};
	dir = outdir_write(a->out, r, extra, n_extra, err, sizeof(err));

	if (!dir)
		secret_fprintf(stderr, "bench: %s\n", err);
	return dir;
}

/*
 * The workload a run from flags (with or without a file) ran, as YAML,
 * for its result directory: `bench run DIR/workload.yaml` repeats it.
 * Made before the run, so a failure is bad input (exit 2), and the file
 * is not read twice far apart. NULL in *out for a run without flags.
 */
static int saved_workload(const struct run_args *a, const struct run_flags *f, char **out)
{
	char err[1024], *text = NULL;
	size_t len;
	int rc;

	*out = NULL;
	if (!a->workload_text && !run_flags_any(f))
		return 0;
	if (a->workload_text) {
		text = xstrdup(a->workload_text);
		len = strlen(text);
	} else if (util_read_file(a->workload, WL_MAX_FILE, "the workload", &text, &len, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench: %s\n", err);
		return BENCH_EXIT_USAGE;
	}
	rc = workload_emit(a->workload, text, len, a->ov, a->n_ov, out, err, sizeof(err));
	free(text);
	if (rc < 0) {
		fprintf(stderr, "bench: cannot save the workload as workload.yaml: %s\n", err);
		return BENCH_EXIT_USAGE;
	}
	return 0;
}

/*
 * Charts and report.html, drawn from the files of the finished result
 * directory: derived outputs, so a failure here is reported but changes
 * neither the results nor the exit status (`bench chart DIR` and `bench
 * report DIR` redo them).
 */
static void draw_outputs(const struct run_args *a, const char *dir)
{
	char err[1024];

	if (!a->no_charts) {
		int c = chart_draw(dir, err, sizeof(err));

		if (c != CHART_OK && !a->quiet)
			fprintf(stderr, "bench: %s%s\n", c == CHART_NO_GNUPLOT ? "" : "charts not drawn: ", err);
	}
	if (report_write(dir, err, sizeof(err)) < 0 && !a->quiet)
		fprintf(stderr, "bench: report.html not written: %s\n", err);
}

/*
 * The workload and its sweep points, checked as far as can be without a
 * server: the --target list, credentials, phases that need spawned
 * servers, --shard. Its warnings that concern this run are printed here
 * (not under --quiet). Returns 0, or the exit code after saying why.
 */
static int load_and_validate(struct run_args *a, const struct run_flags *f, struct workload **w,
			     struct workload ***points, size_t *n_points)
{
	char *msgs = NULL;
	int rc = run_load_workload(a, f, w, &msgs);

	if (rc) {
		fputs(msgs ? msgs : "", stderr);
		free(msgs);
		return rc;
	}
	free(msgs); /* only the warnings, which w->warnings holds too */
	if ((rc = run_check_target_list("run", a->targets, *w)) != 0 || (rc = run_resolve_credentials(a, *w)) != 0)
		return rc;
	for (size_t i = 0; i < (*w)->n_warnings && !a->quiet; i++)
		if (warning_applies(a, *w, &(*w)->warnings[i]))
			fprintf(stderr, "%s\n", (*w)->warnings[i].text);
	if ((rc = check_spawn_phases(a, *w)) != 0)
		return rc;
	*points = run_load_points(a, *w, n_points);
	if (!*points)
		return BENCH_EXIT_USAGE;
	if ((rc = apply_shard(a, *points, *n_points)) != 0)
		return rc;
	(*w)->shard = (*points)[0]->shard; /* run.json's, when the points are reloads */
	return 0;
}

/* --trace N's log, opened before any server starts. Returns 0 or exit 2. */
static int open_trace(struct run_args *a)
{
	char err[256];

	if (a->trace_n && !(a->trace = run_trace_new(a->trace_n, err, sizeof(err)))) {
		fprintf(stderr, "bench run: %s\n", err);
		return BENCH_EXIT_USAGE; /* as an --out bench cannot write to */
	}
	return 0;
}

/* The quitter thread and the stop signals' handler. */
static void install_stop_handlers(void)
{
	struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESTART};

	if (run_quit_init() != 0)
		fprintf(stderr, "bench: no thread for quitting at once: a second Ctrl-C will not say what it leaves\n");
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* The results model before any target runs: the workload, the command,
 * the workload's warnings for run.json, the start time. Returns how many
 * warnings are the workload's (already said on the terminal). */
static size_t begin_results(const struct run_args *a, struct workload *w, int argc, char **argv, struct results *r)
{
	r->w = w;
	r->servers_mode = a->servers;
	r->command = cmd_join_args(argc, argv);
	r->targets = xcalloc(w->n_targets, sizeof(*r->targets));
	for (size_t i = 0; i < w->n_warnings; i++)
		if (warning_applies(a, w, &w->warnings[i]))
			results_warn(r, "%s", w->warnings[i].text);
	util_utc_stamp(r->started_utc, sizeof(r->started_utc));
	run_say(a, "bench: %s (%s), servers: %s\n", w->name, w->file, a->servers);
	if (w->shard.count)
		run_say(a, "bench: shard %llu of %llu (0-based): its share of every phase's clients\n",
			(unsigned long long)w->shard.index, (unsigned long long)w->shard.count);
	return r->n_warnings;
}

/*
 * Every block of the selected targets in the workload's order, one at a
 * time (run_order.h). Returns how many targets have results; *skipped
 * counts those not run or stopped.
 */
static size_t run_targets(const struct run_args *a, struct results *r, struct workload *const *points,
			  size_t n_points, struct server_set **servers, size_t *skipped)
{
	const struct workload *w = r->w;
	const struct run_order_hooks hooks = {begin_target, end_target};
	size_t ran = 0;

	servers_sweep_stale(a->quiet);
	for (size_t i = 0; i < w->n_targets; i++) {
		struct target_result *t = &r->targets[r->n_targets];
		char err[512];

		if (!run_selected(a->targets, w->targets[i].name))
			continue;
		r->n_targets++;
		t->target = &w->targets[i];
		/* The workload loader has checked the driver; this cannot fail. */
		t->driver = bench_driver_find(w->targets[i].driver, err, sizeof(err));
		if (!t->driver)
			t->skipped = xstrdup(err);
	}
	run_order_run(a, r, points, n_points, servers, &hooks);
	for (size_t i = 0; i < r->n_targets; i++) {
		struct target_result *t = &r->targets[i];

		if (w->shard.count > 1 && t->spawned)
			results_warn(r, "%s: a shard ran against a server it spawned itself, which no other shard "
				     "reached: a merge of such shards adds up separate servers (use --servers external)",
				     t->target->name);
		/* Stopped before or while its server was starting: nothing was measured. */
		if (!t->skipped && t->n_runs == 0 && runner_stop_requested())
			t->skipped = xstrdup("interrupted before it ran");
		if (t->skipped) {
			results_warn(r, "%s %s: %s", t->target->name, t->n_runs ? "stopped" : "not run", t->skipped);
			(*skipped)++;
			if (t->n_runs == 0)
				continue;
		}
		ran++;
	}
	return ran;
}

/*
 * The end of a run that measured something: the result directory, charts
 * and report, the comparison on the terminal, the exit status.
 */
static int write_and_print(const struct run_args *a, struct results *r, const char *yaml, size_t skipped,
			   size_t n_workload_warnings)
{
	struct aggregate *agg;
	char *dir;
	int rc;

	run_quit_checkpoint();
	agg = agg_from_results(r);
	dir = write_results(a, r, agg, yaml);
	if (!dir) {
		agg_free(agg);
		return BENCH_EXIT_ERRORS;
	}
	draw_outputs(a, dir);
	if (!a->quiet) {
		putchar('\n');
		agg_print(agg, r, stdout);
		/* The workload's own were said before the run. */
		for (size_t i = n_workload_warnings; i < r->n_warnings; i++)
			printf("%swarning: %s\n", i == n_workload_warnings ? "\n" : "", r->warnings[i]);
		putchar('\n');
	}
	/* Also under --quiet: where the results went is the run's answer. */
	printf("results: %s/\n", dir);
	if (r->n_over_error_limit)
		fprintf(stderr, "bench: %zu run%s failed more requests than max_error_rate %g allows: exit status 1\n",
			r->n_over_error_limit, r->n_over_error_limit == 1 ? "" : "s", r->w->max_error_rate);
	if (!r->complete)
		rc = BENCH_EXIT_ERRORS; /* interrupted: targets it never reached were not unreachable */
	else if (skipped)
		rc = BENCH_EXIT_UNREACHABLE;
	else if (r->n_over_error_limit)
		rc = BENCH_EXIT_ERRORS;
	else
		rc = BENCH_EXIT_OK;
	agg_free(agg);
	free(dir);
	return rc;
}

/*
 * bench run: options, then the workload (everything checked before any
 * server starts, --out included), then the targets, then the results.
 */
int cmd_run(int argc, char **argv)
{
	struct run_args a = {0};
	struct run_flags f = {0};
	struct workload *w = NULL;
	struct results r = {0};
	struct server_set *servers = NULL;
	struct workload **points = NULL;
	size_t n_points = 0, ran, skipped = 0, n_workload_warnings;
	char *yaml = NULL;
	int rc;

	if ((rc = parse_args(argc, argv, &a, &f)) != 0 || (rc = load_and_validate(&a, &f, &w, &points, &n_points)) != 0 ||
	    (rc = saved_workload(&a, &f, &yaml)) != 0)
		goto out;
	if (a.dry_run) { /* before --out is checked: that check makes a probe directory */
		rc = dry_run(&a, w, points, n_points);
		goto out;
	}
	/* A run whose results cannot be written is not started. */
	if ((rc = cmd_check_outdir("run", "--out", a.out, true)) != 0 || (rc = open_trace(&a)) != 0)
		goto out;
	install_stop_handlers();
	n_workload_warnings = begin_results(&a, w, argc, argv, &r);
	ran = run_targets(&a, &r, points, n_points, &servers, &skipped);
	run_quit_checkpoint();
	util_utc_stamp(r.finished_utc, sizeof(r.finished_utc));
	r.complete = !runner_stop_requested();
	if (ran == 0) {
		fprintf(stderr, "bench: %s, so no results were written\n",
			runner_stop_requested() ? "interrupted before any target ran" : "no target ran");
		rc = runner_stop_requested() ? BENCH_EXIT_ERRORS : BENCH_EXIT_UNREACHABLE;
		goto out;
	}
	rc = write_and_print(&a, &r, yaml, skipped, n_workload_warnings);
out:
	servers_free(servers);
	run_trace_free(a.trace);
	results_free(&r);
	run_args_free(&a, w, points, n_points);
	run_flags_free(&f);
	free(yaml);
	return rc;
}
