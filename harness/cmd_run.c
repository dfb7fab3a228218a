/*
 * cmd_run.c - `bench run`: validate the workload, bring up or find each
 * target, run its phases one target at a time (so servers never compete for
 * the CPU), and write the result directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "csv.h"
#include "json.h"
#include "registry.h"
#include "results.h"
#include "runner.h"
#include "servers.h"
#include "util.h"
#include "workload.h"

const char cmd_run_usage[] =
	"usage: bench run WORKLOAD.yaml [options]\n"
	"\n"
	"Runs the workload's phases against each target in turn and writes\n"
	"<out>/<UTC time>-<workload name>/ with summary.csv and run.json.\n"
	"\n"
	"  --servers spawn|external  spawn: start private redis-server, memcached and a\n"
	"                            MongoDB-compatible server on free 127.0.0.1 ports (default);\n"
	"                            external: use running servers (a target's uri, else\n"
	"                            BENCH_REDIS_URI, BENCH_MEMCACHED_SERVERS, BENCH_MONGODB_URI,\n"
	"                            else the standard local ports)\n"
	"  --target NAME[,NAME...]   run only these targets of the workload\n"
	"  --set KEY.PATH=VALUE      override a workload key (repeatable), e.g.\n"
	"                            --set keyspace.records=1000 --set phases.run.clients=8\n"
	"  --out DIR                 where result directories go (default: results)\n"
	"  --quiet                   print nothing but errors\n"
	"\n"
	"Exit status: 0 ok; 1 finished with errors, or interrupted (partial results\n"
	"are still written); 2 usage or invalid workload; 3 a target could not be reached.\n";

struct run_args {
	const char *workload;
	const char *servers;
	const char *targets;
	const char *out;
	bool quiet;
	struct wl_override *ov;
	size_t n_ov;
};

static volatile sig_atomic_t interrupts;

static void on_signal(int sig)
{
	static const char msg[] = "\nbench: stopping (again to quit at once)\n";

	(void)sig;
	if (interrupts++ == 0) {
		runner_request_stop();
		if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
			/* nothing to do */
		}
		return;
	}
	servers_kill_all_now();
	_exit(BENCH_EXIT_ERRORS);
}

static int parse_args(int argc, char **argv, struct run_args *a)
{
	a->servers = "spawn";
	a->out = "results";
	a->ov = xcalloc((size_t)argc, sizeof(*a->ov));
	for (int i = 1; i < argc; i++) {
		const char *v;
		int ok;

		if ((v = cmd_opt_value(argc, argv, &i, "--servers", &ok)) && ok) {
			a->servers = v;
		} else if (ok && (v = cmd_opt_value(argc, argv, &i, "--target", &ok)) && ok) {
			a->targets = v;
		} else if (ok && (v = cmd_opt_value(argc, argv, &i, "--out", &ok)) && ok) {
			a->out = v;
		} else if (ok && (v = cmd_opt_value(argc, argv, &i, "--set", &ok)) && ok) {
			const char *eq = strchr(v, '=');

			if (!eq || eq == v)
				return cmd_usage_error("run", "--set wants KEY.PATH=VALUE, got '%s'", v);
			a->ov[a->n_ov].path = xstrndup(v, (size_t)(eq - v));
			a->ov[a->n_ov++].value = eq + 1;
		} else if (!ok) {
			return BENCH_EXIT_USAGE;
		} else if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0) {
			a->quiet = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return cmd_usage_error("run", "unknown option '%s'", argv[i]);
		} else if (a->workload) {
			return cmd_usage_error("run", "one workload per run (got '%s' and '%s')", a->workload, argv[i]);
		} else {
			a->workload = argv[i];
		}
	}
	if (!a->workload)
		return cmd_usage_error("run", "which workload? e.g. bench run workloads/quick.yaml");
	if (strcmp(a->servers, "spawn") != 0 && strcmp(a->servers, "external") != 0)
		return cmd_usage_error("run", "--servers is spawn or external, not '%s'", a->servers);
	return 0;
}

/* Is target `name` selected by --target a,b,c? */
static bool selected(const char *list, const char *name)
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

static int check_target_list(const char *list, const struct workload *w)
{
	for (const char *p = list; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		bool found = false;

		for (size_t i = 0; i < w->n_targets && !found; i++)
			found = strlen(w->targets[i].name) == n && strncmp(w->targets[i].name, p, n) == 0;
		if (!found)
			return cmd_usage_error("run", "--target '%.*s' is not a target of %s", (int)n, p, w->file);
		p = comma ? comma + 1 : NULL;
	}
	return 0;
}

static void say(const struct run_args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const struct run_args *a, const char *fmt, ...)
{
	va_list ap;

	if (a->quiet)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
}

static void report_phase(const struct run_args *a, const struct target_result *t, const struct phase_result *p)
{
	uint64_t ops = 0, errors = 0;

	for (int op = 0; op < BENCH_OP__COUNT; op++) {
		ops += op_stats_answered(&p->ops[op]);
		errors += op_stats_errors(&p->ops[op]) + p->ops[op].status[BENCH_TIMEOUT];
	}
	say(a, "  %s: %s (repeat %llu): %llu %s in %.2f s, %.0f/s, %llu errors%s\n", t->target->name,
	    p->phase->name, (unsigned long long)p->repeat, (unsigned long long)ops,
	    p->phase->type == WL_PHASE_LOAD ? "records" : "ops", p->duration_s,
	    p->duration_s > 0 ? (double)ops / p->duration_s : 0.0, (unsigned long long)errors,
	    p->interrupted ? " (interrupted)" : "");
}

/* Brings up (or finds) the target's server and reads its identity. Returns
 * 0, or -1 with t->skipped set. */
static int bring_up(const struct run_args *a, struct results *r, struct target_result *t,
		    struct server_set **servers, struct bench_target *bt, char **uri_owned)
{
	const struct wl_target *wt = t->target;
	char err[1024];
	struct bench_conn conn = {.driver = t->driver, .target = bt};

	bt->name = wt->name;
	bt->prefix = r->w->keyspace.prefix;
	bt->options = wt->options;
	bt->n_options = wt->n_options;
	if (wt->uri) {
		bt->uri = wt->uri;
	} else if (!(t->driver->caps & BENCH_CAP_NETWORK)) {
		bt->uri = NULL;
	} else if (strcmp(a->servers, "spawn") == 0) {
		struct server *srv;
		int rc;

		if (!*servers && (rc = servers_init(servers)) != 0) {
			t->skipped = xasprintf("cannot create a directory for servers: %s", strerror(rc));
			return -1;
		}
		say(a, "%s: starting a private server ...\n", wt->name);
		rc = servers_spawn(*servers, t->driver, NULL, &srv, err, sizeof(err));
		if (rc != 0) {
			t->skipped = xstrdup(err);
			return -1;
		}
		t->spawned = xstrdup(srv->program);
		*uri_owned = xstrdup(srv->uri);
		bt->uri = *uri_owned;
	} else {
		bt->uri = servers_external_uri(t->driver->name);
		if (!bt->uri) {
			t->skipped = xasprintf("driver %s has no default address: give target %s a uri", t->driver->name, wt->name);
			return -1;
		}
	}
	t->uri = bt->uri ? results_redact_uri(bt->uri) : xstrdup("");

	if (t->driver->open(&conn) < 0) {
		t->skipped = xasprintf("cannot reach %s at %s: %s%s", wt->name, t->uri, conn.errstr,
				       strcmp(a->servers, "external") == 0 && !wt->uri
					       ? " (start it, e.g. `docker compose up -d`, or set its BENCH_*_URI)" : "");
		t->driver->close(&conn);
		return -1;
	}
	if (t->driver->server_info) {
		if (t->driver->server_info(&conn, &t->info) == 0)
			t->have_info = true;
		else
			results_warn(r, "%s: could not read the server's identity: %s", wt->name, conn.errstr);
	}
	t->driver->close(&conn);
	return 0;
}

/* Runs every sweep point, repeat and phase of one target. Returns -1 when
 * the target could not be brought up or its clients could not connect. */
static int run_points(const struct run_args *a, struct results *r, struct target_result *t,
		      struct workload *const *points, size_t n_points, const struct bench_target *bt)
{
	for (size_t pt = 0; pt < n_points && !runner_stop_requested(); pt++) {
		const struct workload *w = points[pt];
		const char *value = r->w->sweep.key ? r->w->sweep.values[pt] : NULL;

		if (value)
			say(a, "%s: sweep %s = %s\n", t->target->name, r->w->sweep.key, value);
		for (uint64_t rep = 1; rep <= w->repeat && !runner_stop_requested(); rep++) {
			for (size_t i = 0; i < w->n_phases && !runner_stop_requested(); i++) {
				struct phase_result *p = results_add_run(t), warm = {0}, *wr;

				p->sweep_value = value;
				warm.sweep_value = value;
				if (runner_run_phase(w, &w->phases[i], rep, t->driver, bt, p, &warm) < 0) {
					fprintf(stderr, "bench: %s: %s\n", t->target->name, p->error);
					t->skipped = xstrdup(p->error);
					t->n_runs--; /* nothing was measured */
					return -1;
				}
				if (warm.warmup) {
					/* Keep the order phase by phase: warmup, then its run. */
					struct phase_result measured = *p;

					*p = warm;
					wr = results_add_run(t);
					*wr = measured;
					p = wr;
				}
				report_phase(a, t, p);
				if (p->error[0])
					results_warn(r, "%s: %s (repeat %llu%s%s): %s", t->target->name, p->phase->name,
						     (unsigned long long)rep, value ? ", " : "", value ? value : "", p->error);
			}
		}
	}
	return 0;
}

static void run_target(const struct run_args *a, struct results *r, struct target_result *t,
		       struct workload *const *points, size_t n_points, struct server_set **servers)
{
	struct bench_target bt = {0};
	char *uri_owned = NULL;
	char label[160];

	if (bring_up(a, r, t, servers, &bt, &uri_owned) < 0) {
		fprintf(stderr, "bench: %s: not run: %s\n", t->target->name, t->skipped);
		goto done;
	}
	if (t->driver->caps & BENCH_CAP_NETWORK)
		say(a, "%s: %s at %s\n", t->target->name, results_server_label(t, label, sizeof(label)), t->uri);
	run_points(a, r, t, points, n_points, &bt);
done:
	/* Stop a spawned server before the next target starts: one at a time. */
	if (*servers) {
		servers_free(*servers);
		*servers = NULL;
	}
	free(uri_owned);
}

/*
 * The workload of each sweep point: the file reloaded with the point's
 * overrides after the user's. Without a sweep, the one point is w itself.
 * Returns the array (caller frees it and every entry but w), or NULL after
 * printing why (cannot happen for a workload that validated).
 */
static struct workload **load_points(const struct run_args *a, struct workload *w, size_t *n_points)
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
		rc = workload_load(a->workload, ov, n_ov, &points[i], &msgs);
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

static void free_points(struct workload **points, size_t n, const struct workload *w)
{
	for (size_t i = 0; points && i < n; i++)
		if (points[i] != w)
			workload_free(points[i]);
	free(points);
}

/* "kv-90/10" → "kv-90_10": a safe directory name. */
static char *dir_safe(const char *name)
{
	char *s = xstrdup(name);

	for (char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '_' || *p == '.'))
			*p = '_';
	return s;
}

static int mkdir_p(const char *path)
{
	char *p = xstrdup(path);
	int rc = 0;

	for (char *s = p + 1; *s && rc == 0; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			rc = -1;
		*s = '/';
	}
	if (rc == 0 && mkdir(p, 0755) < 0 && errno != EEXIST)
		rc = -1;
	free(p);
	return rc;
}

static int write_one(const char *dir, const char *name, int (*fn)(const struct results *, FILE *),
		     const struct results *r)
{
	char *path = xasprintf("%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	int rc = -1;

	if (f) {
		rc = fn(r, f);
		if (fclose(f) != 0)
			rc = -1;
	} else if (fd >= 0) {
		close(fd);
	}
	if (rc < 0)
		fprintf(stderr, "bench: cannot write %s: %s\n", path, strerror(errno));
	free(path);
	return rc;
}

/*
 * Writes everything into a temporary directory beside the final one and
 * renames it into place: a result directory is complete or absent. Never
 * replaces an existing directory (RENAME_NOREPLACE); adds -2, -3 ... instead.
 * Returns the final path (caller frees) or NULL.
 */
static char *write_results(const struct run_args *a, const struct results *r)
{
	char *safe = dir_safe(r->w->name);
	char *tmp = xasprintf("%s/.tmp-%s-%s-XXXXXX", a->out, r->started_utc, safe);
	char *final = NULL;

	if (mkdir_p(a->out) < 0 || !mkdtemp(tmp)) {
		fprintf(stderr, "bench: cannot create a result directory under %s: %s\n", a->out, strerror(errno));
		goto fail;
	}
	if (write_one(tmp, "summary.csv", csv_write_summary, r) < 0 || write_one(tmp, "run.json", json_write_run, r) < 0 ||
	    (csv_has_warmup(r) && write_one(tmp, "warmup.csv", csv_write_warmup, r) < 0))
		goto fail_tmp;
	for (int n = 1; n < 1000; n++) {
		final = n == 1 ? xasprintf("%s/%s-%s", a->out, r->started_utc, safe)
			       : xasprintf("%s/%s-%s-%d", a->out, r->started_utc, safe, n);
		if (renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_NOREPLACE) == 0)
			goto done;
		free(final);
		final = NULL;
		if (errno != EEXIST && errno != ENOTEMPTY) {
			fprintf(stderr, "bench: cannot move results into place: %s\n", strerror(errno));
			break;
		}
	}
fail_tmp:
	util_remove_tree(tmp);
fail:
	free(final);
	final = NULL;
done:
	free(tmp);
	free(safe);
	return final;
}

static char *join_args(int argc, char **argv)
{
	struct sbuf sb = {0};

	sbuf_addf(&sb, "bench");
	for (int i = 0; i < argc; i++)
		sbuf_addf(&sb, " %s", argv[i]);
	return sbuf_take(&sb);
}

int cmd_run(int argc, char **argv)
{
	struct run_args a = {0};
	struct workload *w = NULL;
	struct results r = {0};
	struct server_set *servers = NULL;
	struct workload **points = NULL;
	size_t n_points = 0;
	struct sigaction sa = {.sa_handler = on_signal};
	char *msgs = NULL, *dir = NULL;
	size_t ran = 0, skipped = 0;
	uint64_t errors = 0;
	int rc;

	rc = parse_args(argc, argv, &a);
	if (rc)
		goto out;
	rc = workload_load(a.workload, a.ov, a.n_ov, &w, &msgs);
	fputs(msgs ? msgs : "", stderr);
	if (rc)
		goto out;
	if ((rc = check_target_list(a.targets, w)) != 0)
		goto out;
	points = load_points(&a, w, &n_points);
	if (!points) {
		rc = BENCH_EXIT_USAGE;
		goto out;
	}

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	r.w = w;
	r.servers_mode = a.servers;
	r.command = join_args(argc, argv);
	r.targets = xcalloc(w->n_targets, sizeof(*r.targets));
	util_utc_stamp(r.started_utc, sizeof(r.started_utc));
	say(&a, "bench: %s (%s), servers: %s\n", w->name, w->file, a.servers);

	for (size_t i = 0; i < w->n_targets; i++) {
		struct target_result *t = &r.targets[r.n_targets];
		char err[512];

		if (!selected(a.targets, w->targets[i].name))
			continue;
		r.n_targets++;
		t->target = &w->targets[i];
		/* The workload loader has checked the driver; this cannot fail. */
		t->driver = bench_driver_find(w->targets[i].driver, err, sizeof(err));
		if (!t->driver) {
			t->skipped = xstrdup(err);
			skipped++;
			continue;
		}
		if (runner_stop_requested()) {
			t->skipped = xstrdup("interrupted before it ran");
			skipped++;
			continue;
		}
		run_target(&a, &r, t, points, n_points, &servers);
		if (t->skipped) {
			results_warn(&r, "%s %s: %s", t->target->name, t->n_runs ? "stopped" : "not run", t->skipped);
			skipped++;
			if (t->n_runs == 0)
				continue;
		}
		ran++;
		for (size_t j = 0; j < t->n_runs; j++)
			for (int op = 0; op < BENCH_OP__COUNT && !t->runs[j].warmup; op++)
				errors += op_stats_errors(&t->runs[j].ops[op]) + t->runs[j].ops[op].status[BENCH_TIMEOUT];
	}
	util_utc_stamp(r.finished_utc, sizeof(r.finished_utc));
	r.complete = !runner_stop_requested();

	if (ran == 0) {
		fprintf(stderr, "bench: no target ran, so no results were written\n");
		rc = runner_stop_requested() ? BENCH_EXIT_ERRORS : BENCH_EXIT_UNREACHABLE;
		goto out;
	}
	dir = write_results(&a, &r);
	if (!dir) {
		rc = BENCH_EXIT_ERRORS;
		goto out;
	}
	if (!a.quiet) {
		putchar('\n');
		results_print_table(&r, stdout);
		for (size_t i = 0; i < r.n_warnings; i++)
			printf("warning: %s\n", r.warnings[i]);
		printf("\nresults: %s/\n", dir);
	}
	if (!r.complete)
		rc = BENCH_EXIT_ERRORS; /* interrupted: targets it never reached were not unreachable */
	else if (skipped)
		rc = BENCH_EXIT_UNREACHABLE;
	else if (errors)
		rc = BENCH_EXIT_ERRORS;
	else
		rc = BENCH_EXIT_OK;
out:
	servers_free(servers);
	results_free(&r);
	free_points(points, n_points, w);
	workload_free(w);
	free(msgs);
	free(dir);
	for (size_t i = 0; i < a.n_ov; i++)
		free((char *)a.ov[i].path);
	free(a.ov);
	return rc;
}
