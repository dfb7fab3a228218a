/* json.c - run.json: harness, host, workload as resolved, servers, warnings. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "json.h"
#include "secret.h"
#include "util.h"

#ifndef BENCH_VERSION
#define BENCH_VERSION "unknown"
#endif
#ifndef BENCH_GIT_REV
#define BENCH_GIT_REV "unknown"
#endif

/* A minimal streaming writer: tracks nesting for commas and indentation. */
struct jw {
	FILE *f;
	int depth;
	bool first[16];
};

void json_put_string(FILE *f, const char *str)
{
	char *s = secret_scrub(str); /* no secret in run.json, whatever quoted it */

	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
	free(s);
}

static void jw_string(struct jw *j, const char *s)
{
	json_put_string(j->f, s);
}

/* Starts a member (key != NULL) or an array element. */
static void jw_item(struct jw *j, const char *key)
{
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = false;
	fprintf(j->f, "\n%*s", 2 * j->depth, "");
	if (key) {
		jw_string(j, key);
		fputs(": ", j->f);
	}
}

static void jw_open(struct jw *j, const char *key, char bracket)
{
	if (j->depth > 0 || key)
		jw_item(j, key);
	fputc(bracket, j->f);
	j->first[++j->depth] = true;
}

static void jw_close(struct jw *j, char bracket)
{
	bool empty = j->first[j->depth];

	j->depth--;
	if (!empty)
		fprintf(j->f, "\n%*s", 2 * j->depth, "");
	fputc(bracket, j->f);
}

static void jw_str(struct jw *j, const char *key, const char *v)
{
	jw_item(j, key);
	if (v)
		jw_string(j, v);
	else
		fputs("null", j->f);
}

static void jw_u64(struct jw *j, const char *key, uint64_t v)
{
	jw_item(j, key);
	fprintf(j->f, "%llu", (unsigned long long)v);
}

static void jw_num(struct jw *j, const char *key, double v)
{
	jw_item(j, key);
	fprintf(j->f, "%.17g", v);
}

static void jw_bool(struct jw *j, const char *key, bool v)
{
	jw_item(j, key);
	fputs(v ? "true" : "false", j->f);
}

static void write_host(struct jw *j)
{
	struct utsname u;
	char line[512], model[256] = "unknown";
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) == 0 && colon) {
			snprintf(model, sizeof(model), "%s", colon + 2);
			model[strcspn(model, "\n")] = '\0';
			break;
		}
	}
	if (f)
		fclose(f);
	jw_open(j, "host", '{');
	jw_str(j, "cpu_model", model);
	jw_u64(j, "cores", (uint64_t)sysconf(_SC_NPROCESSORS_ONLN));
	if (uname(&u) == 0) {
		jw_str(j, "kernel", u.release);
		jw_str(j, "machine", u.machine);
	}
	jw_close(j, '}');
}

/* The distribution and only the parameters it uses. */
static void write_dist(struct jw *j, const struct dist_params *d)
{
	jw_str(j, "distribution", dist_kind_name(d->kind));
	switch (d->kind) {
	case DIST_ZIPFIAN:
		jw_num(j, "zipf_theta", d->zipf_theta);
		jw_bool(j, "zipf_scrambled", d->zipf_scrambled != 0);
		break;
	case DIST_LATEST:
		jw_num(j, "zipf_theta", d->zipf_theta);
		break;
	case DIST_HOTSPOT:
		jw_num(j, "hot_fraction", d->hot_fraction);
		jw_num(j, "hot_op_fraction", d->hot_op_fraction);
		break;
	case DIST_EXPONENTIAL:
		jw_num(j, "exponential_percentile", d->exp_percentile);
		jw_num(j, "exponential_fraction", d->exp_fraction);
		break;
	default:
		break;
	}
}

static void write_workload(struct jw *j, const struct workload *w)
{
	jw_open(j, "workload", '{');
	jw_str(j, "file", w->file);
	jw_str(j, "name", w->name);
	jw_str(j, "description", w->description);
	jw_u64(j, "seed", w->seed);
	jw_open(j, "keyspace", '{');
	jw_u64(j, "records", w->keyspace.records);
	jw_str(j, "prefix", w->keyspace.prefix);
	if (w->keyspace.shard_key) {
		jw_open(j, "shard_key", '{');
		jw_str(j, "_id", w->keyspace.shard_key);
		jw_close(j, '}');
	}
	write_dist(j, &w->keyspace.dist);
	jw_close(j, '}');
	jw_open(j, "values", '{');
	if (w->values.n_sizes) {
		jw_open(j, "sizes", '[');
		for (size_t i = 0; i < w->values.n_sizes; i++) {
			jw_open(j, NULL, '{');
			jw_u64(j, "size", w->values.sizes[i]);
			jw_num(j, "weight", w->values.weights[i]);
			jw_close(j, '}');
		}
		jw_close(j, ']');
	} else {
		jw_u64(j, "size_min", w->values.size_min);
		jw_u64(j, "size_max", w->values.size_max);
	}
	jw_close(j, '}');
	if (w->sweep.key) {
		jw_open(j, "sweep", '{');
		jw_str(j, "key", w->sweep.key);
		jw_open(j, "values", '[');
		for (size_t i = 0; i < w->sweep.n_values; i++)
			jw_str(j, NULL, w->sweep.values[i]);
		jw_close(j, ']');
		jw_close(j, '}');
	}
	jw_open(j, "phases", '[');
	for (size_t i = 0; i < w->n_phases; i++) {
		const struct wl_phase *p = &w->phases[i];

		jw_open(j, NULL, '{');
		jw_str(j, "name", p->name);
		jw_str(j, "type", workload_phase_type_name(p->type));
		jw_u64(j, "clients", p->clients);
		if (p->type == WL_PHASE_LOAD) {
			jw_u64(j, "batch", p->batch);
		} else if (p->type == WL_PHASE_REPLICATION) {
			jw_num(j, "duration_s", (double)p->duration_ns / 1e9);
			jw_num(j, "rate", p->rate);
		} else if (p->type == WL_PHASE_CRASH) {
			jw_u64(j, "pipeline", p->pipeline);
			jw_num(j, "kill_after_min_s", (double)p->kill_min_ns / 1e9);
			jw_num(j, "kill_after_max_s", (double)p->kill_max_ns / 1e9);
		} else {
			jw_num(j, "warmup_s", (double)p->warmup_ns / 1e9);
			if (p->duration_ns)
				jw_num(j, "duration_s", (double)p->duration_ns / 1e9);
			else
				jw_u64(j, "ops", p->ops);
			jw_u64(j, "pipeline", p->pipeline);
			jw_num(j, "rate", p->rate);
			jw_u64(j, "idle_connections", p->idle_connections);
			jw_open(j, "mix", '{');
			for (int op = 0; op < BENCH_OP__COUNT; op++)
				if (p->mix[op] > 0)
					jw_num(j, bench_op_name((enum bench_op)op), p->mix[op]);
			jw_close(j, '}');
		}
		jw_close(j, '}');
	}
	jw_close(j, ']');
	jw_u64(j, "repeat", w->repeat);
	jw_num(j, "max_error_rate", w->max_error_rate);
	jw_close(j, '}');
}

/* "key=value\n" lines → a JSON object. */
static void write_config(struct jw *j, const char *lines)
{
	jw_open(j, "config", '{');
	while (lines && *lines) {
		const char *nl = strchr(lines, '\n');
		size_t len = nl ? (size_t)(nl - lines) : strlen(lines);
		const char *eq = memchr(lines, '=', len);

		if (eq) {
			char *k = xstrndup(lines, (size_t)(eq - lines));
			char *v = xstrndup(eq + 1, len - (size_t)(eq - lines) - 1);

			jw_str(j, k, v);
			free(k);
			free(v);
		}
		lines = nl ? nl + 1 : NULL;
	}
	jw_close(j, '}');
}

static void jw_num_or_null(struct jw *j, const char *key, double v)
{
	if (v >= 0) {
		jw_num(j, key, v);
	} else {
		jw_item(j, key);
		fputs("null", j->f);
	}
}

/* One phase run: where it stood in the plan, its engine, CPU and error. */
static void write_run(struct jw *j, const struct phase_result *p)
{
	double cli_us, srv_us;

	results_cpu_per_op(p, &cli_us, &srv_us);
	jw_open(j, NULL, '{');
	jw_str(j, "phase", p->phase->name);
	jw_bool(j, "warmup", p->warmup);
	jw_str(j, "sweep_value", p->sweep_value);
	jw_u64(j, "repeat", p->repeat);
	jw_str(j, "engine", p->engine);
	jw_num(j, "duration_s", p->duration_s);
	jw_u64(j, "requests", results_phase_requests(p));
	jw_num(j, "cpu_wall_s", p->cpu_wall_s);
	jw_num(j, "client_cpu_s", p->client_cpu_s);
	jw_num_or_null(j, "server_cpu_s", p->server_cpu_s);
	jw_num_or_null(j, "client_cpu_us_per_op", cli_us);
	jw_num_or_null(j, "server_cpu_us_per_op", srv_us);
	jw_u64(j, "reconnects", p->reconnects);
	jw_u64(j, "unsent", p->unsent);
	jw_u64(j, "redirects_moved", p->redirects_moved);
	jw_u64(j, "redirects_ask", p->redirects_ask);
	if (p->phase->idle_connections) {
		jw_u64(j, "idle_connections", p->idle_held);
		jw_u64(j, "idle_refused", p->idle_refused);
	}
	if (p->server_rss_bytes > 0)
		jw_u64(j, "server_rss_bytes", (uint64_t)p->server_rss_bytes);
	jw_bool(j, "interrupted", p->interrupted);
	jw_u64(j, "failed", results_phase_failed(p));
	jw_num(j, "error_rate", results_phase_error_rate(p));
	jw_bool(j, "over_error_limit", p->over_error_limit);
	jw_str(j, "error", p->error[0] ? p->error : NULL);
	if (p->repl.ran) {
		const struct hist *lag = p->repl.lag;

		jw_open(j, "replication", '{');
		jw_u64(j, "writes_acknowledged", p->ops[BENCH_OP_SET].status[BENCH_OK]);
		jw_u64(j, "replica_reads", op_stats_answered(&p->ops[BENCH_OP_GET]));
		jw_u64(j, "stale_reads", p->ops[BENCH_OP_GET].status[BENCH_MISS]);
		jw_u64(j, "lag_samples", hist_count(lag));
		if (hist_count(lag)) {
			jw_num(j, "lag_mean_us", hist_mean(lag) / 1e3);
			jw_num(j, "lag_p50_us", (double)hist_percentile(lag, 50) / 1e3);
			jw_num(j, "lag_p99_us", (double)hist_percentile(lag, 99) / 1e3);
			jw_num(j, "lag_max_us", (double)hist_max(lag) / 1e3);
		}
		jw_close(j, '}');
	}
	if (p->crash.ran) {
		jw_open(j, "crash", '{');
		jw_num(j, "killed_at_s", p->crash.killed_at_s);
		jw_u64(j, "acknowledged", p->ops[BENCH_OP_SET].status[BENCH_OK]);
		jw_u64(j, "survived", p->ops[BENCH_OP_GET].status[BENCH_OK]);
		jw_u64(j, "lost", p->ops[BENCH_OP_GET].status[BENCH_MISS]);
		jw_u64(j, "data_bytes", p->crash.data_bytes);
		jw_num(j, "restart_s", p->crash.restart_s);
		jw_close(j, '}');
	}
	jw_close(j, '}');
}

/* "server_after_run": {"config": {...}} with the lines of after that are
 * not in before (new or changed); nothing when there are none. */
static void write_config_after(struct jw *j, const char *before, const char *after)
{
	char *wrapped = xasprintf("\n%s%s", before, *before && before[strlen(before) - 1] != '\n' ? "\n" : "");
	struct sbuf changed = {0};

	for (const char *l = after; l && *l;) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);
		char *needle = xasprintf("\n%.*s\n", (int)len, l);

		if (len && !strstr(wrapped, needle))
			sbuf_addf(&changed, "%.*s\n", (int)len, l);
		free(needle);
		l = nl ? nl + 1 : NULL;
	}
	if (changed.buf) {
		jw_open(j, "server_after_run", '{');
		write_config(j, changed.buf);
		jw_close(j, '}');
	}
	free(changed.buf);
	free(wrapped);
}

static void write_target(struct jw *j, const struct target_result *t)
{
	jw_open(j, NULL, '{');
	jw_str(j, "name", t->target->name);
	jw_str(j, "driver", t->driver ? t->driver->name : t->target->driver);
	jw_str(j, "uri", t->uri);
	jw_str(j, "spawned", t->spawned);
	if (t->target->n_spawn_args) {
		jw_open(j, "spawn_args", '[');
		for (size_t i = 0; i < t->target->n_spawn_args; i++)
			jw_str(j, NULL, t->target->spawn_args[i]);
		jw_close(j, ']');
	}
	if (t->target->shard_key) { /* the target's own, over keyspace.shard_key */
		jw_open(j, "shard_key", '{');
		jw_str(j, "_id", t->target->shard_key);
		jw_close(j, '}');
	}
	/* The request timeout in force: every driver's default is 5 s. */
	jw_u64(j, "timeout_ms", t->target->timeout_ms ? t->target->timeout_ms : 5000);
	jw_str(j, "engine", t->n_runs ? t->runs[0].engine : NULL);
	jw_str(j, "skipped", t->skipped);
	jw_str(j, "cleanup", t->cleanup);
	if (t->have_info) {
		jw_open(j, "server", '{');
		jw_str(j, "product", t->info.product);
		jw_str(j, "version", t->info.version);
		jw_str(j, "detail", t->info.detail);
		jw_str(j, "variant", t->info.variant[0] ? t->info.variant : NULL);
		jw_str(j, "stands_in_for", t->info.stands_in_for[0] ? t->info.stands_in_for : NULL);
		write_config(j, t->info.config);
		jw_close(j, '}');
	}
	if (t->have_info && t->have_info_after)
		write_config_after(j, t->info.config, t->info_after.config);
	jw_str(j, "server_cpu_source", t->cpu_source[0] ? t->cpu_source : NULL);
	jw_open(j, "runs", '[');
	for (size_t i = 0; i < t->n_runs; i++)
		write_run(j, &t->runs[i]);
	jw_close(j, ']');
	jw_close(j, '}');
}

int json_write_run(const struct results *r, FILE *f)
{
	struct jw j = {.f = f, .first = {true}};

	jw_open(&j, NULL, '{');
	jw_open(&j, "bench", '{');
	jw_str(&j, "version", BENCH_VERSION);
	jw_str(&j, "git_revision", BENCH_GIT_REV);
	jw_close(&j, '}');
	jw_str(&j, "command", r->command);
	jw_bool(&j, "complete", r->complete);
	jw_num(&j, "max_error_rate", r->w->max_error_rate);
	jw_u64(&j, "runs_over_error_limit", r->n_over_error_limit);
	jw_str(&j, "started_utc", r->started_utc);
	jw_str(&j, "finished_utc", r->finished_utc);
	jw_str(&j, "servers", r->servers_mode);
	/* bench run --shard: which share this machine ran (bench merge reads it). */
	if (r->w->shard.count) {
		jw_open(&j, "shard", '{');
		jw_u64(&j, "index", r->w->shard.index);
		jw_u64(&j, "count", r->w->shard.count);
		jw_close(&j, '}');
	} else {
		jw_str(&j, "shard", NULL);
	}
	write_host(&j);
	write_workload(&j, r->w);
	jw_open(&j, "targets", '[');
	for (size_t i = 0; i < r->n_targets; i++)
		write_target(&j, &r->targets[i]);
	jw_close(&j, ']');
	jw_open(&j, "warnings", '[');
	for (size_t i = 0; i < r->n_warnings; i++)
		jw_str(&j, NULL, r->warnings[i]);
	jw_close(&j, ']');
	jw_close(&j, '}');
	fputc('\n', f);
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}
