/* json.c - run.json: harness, host, workload as resolved, servers, warnings;
 * and the JSON helpers every writer shares. jansson builds and writes the
 * text (escaping, numbers, layout); what is written here is only what
 * jansson leaves to its caller: bytes that are not UTF-8 and the scrubber. */
#include <math.h>
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

/* jansson returns NULL when it cannot allocate; bench aborts, as xmalloc. */
static json_t *must(json_t *v)
{
	if (!v) {
		fputs("bench: out of memory (jansson)\n", stderr);
		abort();
	}
	return v;
}

/* The length of the well-formed UTF-8 sequence at p (RFC 3629: no overlong
 * forms, no surrogates, nothing past U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *p)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		lo = p[0] == 0xe0 ? 0xa0 : lo;
		hi = p[0] == 0xed ? 0x9f : hi;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		lo = p[0] == 0xf0 ? 0x90 : lo;
		hi = p[0] == 0xf4 ? 0x8f : hi;
	} else {
		return 0;
	}
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++) /* stops at a NUL: it is no continuation byte */
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

/* s as well-formed UTF-8, each byte that starts no sequence replaced by
 * U+FFFD (caller frees), or NULL when s is well-formed already. A server's
 * reply, a file name or a command line may hold any bytes, and jansson
 * refuses a string or a key that is not UTF-8. */
static char *utf8_valid(const char *s)
{
	struct sbuf sb = {0};
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	while (*p && (n = utf8_len(p)) > 0)
		p += n;
	if (!*p)
		return NULL;
	sbuf_add(&sb, s, (size_t)((const char *)p - s));
	while (*p) {
		n = utf8_len(p);
		if (n) {
			sbuf_add(&sb, (const char *)p, n);
			p += n;
		} else {
			sbuf_add(&sb, "\xef\xbf\xbd", 3);
			p++;
		}
	}
	return sbuf_take(&sb);
}

json_t *jsonw_str(const char *s)
{
	char *fixed;
	json_t *v;

	if (!s)
		return must(json_null());
	fixed = utf8_valid(s);
	v = must(json_string_nocheck(fixed ? fixed : s));
	free(fixed);
	return v;
}

json_t *jsonw_num(double v)
{
	return must(isfinite(v) ? json_real(v) : json_null());
}

json_t *jsonw_u64(uint64_t v)
{
	char digits[24];

	_Static_assert(sizeof(json_int_t) == sizeof(int64_t), "jansson's integers are 64 bits");
	if (v <= (uint64_t)INT64_MAX)
		return must(json_integer((json_int_t)v));
	snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v);
	return must(json_string(digits));
}

void jsonw_set(json_t *o, const char *key, json_t *v)
{
	char *fixed = utf8_valid(key);
	int rc = json_object_set_new_nocheck(o, fixed ? fixed : key, v);

	free(fixed);
	if (rc < 0)
		must(NULL);
}

void jsonw_append(json_t *a, json_t *v)
{
	if (json_array_append_new(a, v) < 0)
		must(NULL);
}

/* A copy of v with every string and key through secret_scrub: no secret in
 * a JSON file, whatever quoted it (a server's reply, an error, a shard's
 * run.json read back by bench merge). */
static json_t *scrubbed(const json_t *v)
{
	json_t *c, *m;
	const char *k;
	char *s;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		c = must(json_object());
		json_object_foreach ((json_t *)v, k, m) {
			s = secret_scrub(k);
			jsonw_set(c, s, scrubbed(m));
			free(s);
		}
		return c;
	case JSON_ARRAY:
		c = must(json_array());
		json_array_foreach (v, i, m)
			jsonw_append(c, scrubbed(m));
		return c;
	case JSON_STRING:
		s = secret_scrub(json_string_value(v));
		c = jsonw_str(s);
		free(s);
		return c;
	default: /* numbers, true, false, null: nothing to hide */
		return json_incref((json_t *)v);
	}
}

int jsonw_dump(const json_t *root, FILE *f)
{
	json_t *out = scrubbed(root);
	/* JSON_PRESERVE_ORDER is what jansson >= 2.8 does anyway (members in
	 * the order they were set); said so for older ones. %.17g reals read
	 * back to the same double. */
	int rc = json_dumpf(out, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));

	json_decref(out);
	if (rc == 0)
		fputc('\n', f);
	return rc == 0 && fflush(f) == 0 && !ferror(f) ? 0 : -1;
}

/* ---- run.json ---- */

static json_t *put_obj(json_t *o, const char *key)
{
	json_t *c = must(json_object());

	jsonw_set(o, key, c);
	return c; /* o holds it */
}

static json_t *put_arr(json_t *o, const char *key)
{
	json_t *c = must(json_array());

	jsonw_set(o, key, c);
	return c;
}

static json_t *append_obj(json_t *a)
{
	json_t *c = must(json_object());

	jsonw_append(a, c);
	return c;
}

static void put_str(json_t *o, const char *key, const char *v)
{
	jsonw_set(o, key, jsonw_str(v));
}

static void put_u64(json_t *o, const char *key, uint64_t v)
{
	jsonw_set(o, key, jsonw_u64(v));
}

static void put_num(json_t *o, const char *key, double v)
{
	jsonw_set(o, key, jsonw_num(v));
}

static void put_bool(json_t *o, const char *key, bool v)
{
	jsonw_set(o, key, must(json_boolean(v)));
}

/* A figure that is negative when unknown: null then. */
static void put_num_or_null(json_t *o, const char *key, double v)
{
	jsonw_set(o, key, v >= 0 ? jsonw_num(v) : must(json_null()));
}

static void write_host(json_t *run)
{
	struct utsname u;
	char line[512], model[256] = "unknown";
	FILE *f = fopen("/proc/cpuinfo", "r");
	json_t *h;

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
	h = put_obj(run, "host");
	put_str(h, "cpu_model", model);
	put_u64(h, "cores", (uint64_t)sysconf(_SC_NPROCESSORS_ONLN));
	if (uname(&u) == 0) {
		put_str(h, "kernel", u.release);
		put_str(h, "machine", u.machine);
	}
}

/* The distribution and only the parameters it uses. */
static void write_dist(json_t *o, const struct dist_params *d)
{
	put_str(o, "distribution", dist_kind_name(d->kind));
	switch (d->kind) {
	case DIST_ZIPFIAN:
		put_num(o, "zipf_theta", d->zipf_theta);
		put_bool(o, "zipf_scrambled", d->zipf_scrambled != 0);
		break;
	case DIST_LATEST:
		put_num(o, "zipf_theta", d->zipf_theta);
		break;
	case DIST_HOTSPOT:
		put_num(o, "hot_fraction", d->hot_fraction);
		put_num(o, "hot_op_fraction", d->hot_op_fraction);
		break;
	case DIST_EXPONENTIAL:
		put_num(o, "exponential_percentile", d->exp_percentile);
		put_num(o, "exponential_fraction", d->exp_fraction);
		break;
	default:
		break;
	}
}

static void write_phase(json_t *o, const struct workload *w, const struct wl_phase *p)
{
	put_str(o, "name", p->name);
	put_str(o, "type", workload_phase_type_name(p->type));
	if (p->on_target) { /* targets: [...]; none: every target */
		json_t *a = put_arr(o, "targets");

		for (size_t t = 0; t < w->n_targets; t++)
			if (p->on_target[t])
				jsonw_append(a, jsonw_str(w->targets[t].name));
	}
	put_u64(o, "clients", p->clients);
	if (p->type == WL_PHASE_LOAD) {
		put_u64(o, "batch", p->batch);
	} else if (p->type == WL_PHASE_REPLICATION) {
		put_num(o, "duration_s", (double)p->duration_ns / 1e9);
		put_num(o, "rate", p->rate);
	} else if (p->type == WL_PHASE_CACHE_ASIDE) {
		json_t *mix = put_obj(o, "mix");

		if (p->duration_ns)
			put_num(o, "duration_s", (double)p->duration_ns / 1e9);
		else
			put_u64(o, "ops", p->ops);
		put_num(mix, "get", p->mix[BENCH_OP_GET]);
		put_num(mix, "set", p->mix[BENCH_OP_SET]);
		put_str(o, "store", p->store_driver ? p->store_driver : "simulated");
		if (!p->store_driver) {
			put_num(o, "store_latency_min_s", (double)p->store_lat_min_ns / 1e9);
			put_num(o, "store_latency_max_s", (double)p->store_lat_max_ns / 1e9);
		}
		put_str(o, "on_write", p->on_write_update ? "update" : "invalidate");
	} else if (p->type == WL_PHASE_CRASH) {
		put_u64(o, "pipeline", p->pipeline);
		put_num(o, "kill_after_min_s", (double)p->kill_min_ns / 1e9);
		put_num(o, "kill_after_max_s", (double)p->kill_max_ns / 1e9);
	} else {
		json_t *mix;

		put_num(o, "warmup_s", (double)p->warmup_ns / 1e9);
		if (p->duration_ns)
			put_num(o, "duration_s", (double)p->duration_ns / 1e9);
		else
			put_u64(o, "ops", p->ops);
		put_u64(o, "pipeline", p->pipeline);
		put_num(o, "rate", p->rate);
		if (p->arrival == WL_ARRIVAL_FB_ETC)
			put_str(o, "arrival", "fb_etc");
		put_u64(o, "idle_connections", p->idle_connections);
		mix = put_obj(o, "mix");
		for (int op = 0; op < BENCH_OP__COUNT; op++)
			if (p->mix[op] > 0)
				put_num(mix, bench_op_name((enum bench_op)op), p->mix[op]);
	}
}

/* A drawn size's distribution (values.size, keyspace.key_size) as the
 * workload named it: "distribution" and its three parameters. */
static void write_shape(json_t *o, const struct wl_shape *sh)
{
	static const char *const names[] = {"", "fb_etc", "gev", "gpareto"};
	static const char *const params[][3] = {{0}, {0}, {"mu", "sigma", "xi"}, {"theta", "sigma", "xi"}};

	put_str(o, "distribution", names[sh->kind]);
	for (int i = 0; i < 3 && params[sh->kind][0]; i++)
		put_num(o, params[sh->kind][i], sh->p[i]);
}

/* values.ttl in milliseconds: ttl_min_ms and ttl_max_ms, or the list. */
static void write_ttl(json_t *vals, const struct wl_spread *t)
{
	json_t *a;

	if (!t->n) {
		put_u64(vals, "ttl_min_ms", t->min);
		put_u64(vals, "ttl_max_ms", t->max);
		return;
	}
	a = put_arr(vals, "ttls");
	for (size_t i = 0; i < t->n; i++) {
		json_t *e = append_obj(a);

		put_u64(e, "ttl_ms", t->vals[i]);
		put_num(e, "weight", t->weights[i]);
	}
}

static void write_workload(json_t *run, const struct workload *w)
{
	json_t *o = put_obj(run, "workload"), *ks, *vals, *a;

	put_str(o, "file", w->file);
	put_str(o, "name", w->name);
	put_str(o, "description", w->description);
	put_u64(o, "seed", w->seed);
	ks = put_obj(o, "keyspace");
	put_u64(ks, "records", w->keyspace.records);
	put_str(ks, "prefix", w->keyspace.prefix);
	if (w->keyspace.shard_key)
		put_str(put_obj(ks, "shard_key"), "_id", w->keyspace.shard_key);
	if (w->keyspace.trace) { /* what the run phases replayed (docs/workload-format.md) */
		put_str(ks, "trace", w->keyspace.trace);
		put_str(ks, "format", trace_format_name(w->keyspace.trace_format));
		if (w->keyspace.trace_speed > 0)
			put_num(ks, "speed", w->keyspace.trace_speed);
	}
	write_dist(ks, &w->keyspace.dist);
	if (w->keyspace.key_size.max) {
		json_t *k = put_obj(ks, "key_size");

		if (w->keyspace.key_shape.kind)
			write_shape(k, &w->keyspace.key_shape);
		if (w->keyspace.key_size.n) {
			a = put_arr(k, "sizes");
			for (size_t i = 0; i < w->keyspace.key_size.n; i++) {
				json_t *e = append_obj(a);

				put_u64(e, "size", w->keyspace.key_size.vals[i]);
				put_num(e, "weight", w->keyspace.key_size.weights[i]);
			}
		} else {
			put_u64(k, "min", w->keyspace.key_size.min);
			put_u64(k, "max", w->keyspace.key_size.max);
		}
	}
	vals = put_obj(o, "values");
	if (w->values.size_shape.kind)
		write_shape(vals, &w->values.size_shape);
	if (w->values.n_sizes) {
		a = put_arr(vals, "sizes");
		for (size_t i = 0; i < w->values.n_sizes; i++) {
			json_t *s = append_obj(a);

			put_u64(s, "size", w->values.sizes[i]);
			put_num(s, "weight", w->values.weights[i]);
		}
	} else {
		put_u64(vals, "size_min", w->values.size_min);
		put_u64(vals, "size_max", w->values.size_max);
	}
	if (w->values.ttl.max)
		write_ttl(vals, &w->values.ttl);
	if (w->sweep.key) {
		json_t *sw = put_obj(o, "sweep");

		put_str(sw, "key", w->sweep.key);
		a = put_arr(sw, "values");
		for (size_t i = 0; i < w->sweep.n_values; i++)
			jsonw_append(a, jsonw_str(w->sweep.values[i]));
	}
	a = put_arr(o, "phases");
	for (size_t i = 0; i < w->n_phases; i++)
		write_phase(append_obj(a), w, &w->phases[i]);
	if (w->server.memory || w->server.eviction) {
		json_t *sv = put_obj(o, "server");

		if (w->server.memory)
			put_u64(sv, "memory_bytes", w->server.memory);
		if (w->server.eviction)
			put_str(sv, "eviction", w->server.eviction);
	}
	put_u64(o, "repeat", w->repeat);
	put_str(o, "order", workload_order_name(w->order));
	put_num(o, "max_error_rate", w->max_error_rate);
}

/* "order": the order the blocks were run in (docs/csv-schema.md, run.json). */
static void write_order(json_t *run, const struct results *r)
{
	json_t *o = put_obj(run, "order"), *a;

	put_str(o, "kind", r->order);
	put_u64(o, "seed", r->order_seed);
	a = put_arr(o, "blocks");
	for (size_t i = 0; i < r->n_blocks; i++) {
		const struct results_block *b = &r->blocks[i];
		json_t *e = append_obj(a);

		put_str(e, "target", r->targets[b->target].target->name);
		put_str(e, "sweep_value", b->sweep_value);
		put_u64(e, "repeat", b->repeat);
		put_str(e, "started_utc", b->started_utc);
		put_num(e, "start_s", b->start_s);
		put_num(e, "duration_s", b->duration_s);
		put_str(e, "load", b->load);
	}
}

/* "key=value\n" lines → o's "config" object. */
static void write_config(json_t *o, const char *lines)
{
	json_t *cfg = put_obj(o, "config");

	while (lines && *lines) {
		const char *nl = strchr(lines, '\n');
		size_t len = nl ? (size_t)(nl - lines) : strlen(lines);
		const char *eq = memchr(lines, '=', len);

		if (eq) {
			char *k = xstrndup(lines, (size_t)(eq - lines));
			char *v = xstrndup(eq + 1, len - (size_t)(eq - lines) - 1);

			put_str(cfg, k, v);
			free(k);
			free(v);
		}
		lines = nl ? nl + 1 : NULL;
	}
}

/* One phase run: where it stood in the plan, its engine, CPU and error. */
static void write_run(json_t *o, const struct phase_result *p)
{
	double cli_us, srv_us;

	results_cpu_per_op(p, &cli_us, &srv_us);
	put_str(o, "phase", p->phase->name);
	put_bool(o, "warmup", p->warmup);
	put_str(o, "sweep_value", p->sweep_value);
	put_u64(o, "repeat", p->repeat);
	put_str(o, "engine", p->engine);
	if (p->engine_reason[0])
		put_str(o, "engine_reason", p->engine_reason);
	put_num(o, "duration_s", p->duration_s);
	put_u64(o, "requests", results_phase_requests(p));
	put_num(o, "cpu_wall_s", p->cpu_wall_s);
	put_num(o, "client_cpu_s", p->client_cpu_s);
	put_num_or_null(o, "server_cpu_s", p->server_cpu_s);
	put_num_or_null(o, "client_cpu_us_per_op", cli_us);
	put_num_or_null(o, "server_cpu_us_per_op", srv_us);
	put_u64(o, "reconnects", p->reconnects);
	put_u64(o, "unsent", p->unsent);
	put_u64(o, "redirects_moved", p->redirects_moved);
	put_u64(o, "redirects_ask", p->redirects_ask);
	if (p->phase->idle_connections) {
		put_u64(o, "idle_connections", p->idle_held);
		put_u64(o, "idle_refused", p->idle_refused);
	}
	if (p->server_rss_bytes > 0)
		put_u64(o, "server_rss_bytes", (uint64_t)p->server_rss_bytes);
	put_bool(o, "interrupted", p->interrupted);
	put_u64(o, "failed", results_phase_failed(p));
	put_num(o, "error_rate", results_phase_error_rate(p));
	put_bool(o, "over_error_limit", p->over_error_limit);
	put_str(o, "error", p->error[0] ? p->error : NULL);
	if (p->repl.ran) {
		const struct hist *lag = p->repl.lag;
		json_t *r = put_obj(o, "replication");

		put_u64(r, "writes_acknowledged", p->ops[BENCH_OP_SET].status[BENCH_OK]);
		put_u64(r, "replica_reads", op_stats_answered(&p->ops[BENCH_OP_GET]));
		put_u64(r, "stale_reads", p->ops[BENCH_OP_GET].status[BENCH_MISS]);
		put_u64(r, "lag_samples", hist_count(lag));
		if (hist_count(lag)) {
			put_num(r, "lag_mean_us", hist_mean(lag) / 1e3);
			put_num(r, "lag_p50_us", (double)hist_percentile(lag, 50) / 1e3);
			put_num(r, "lag_p99_us", (double)hist_percentile(lag, 99) / 1e3);
			put_num(r, "lag_max_us", (double)hist_max(lag) / 1e3);
		}
	}
	if (p->aside.ran) {
		const struct op_stats *rd = &p->ops[BENCH_OP_GET];
		json_t *a = put_obj(o, "cache_aside");
		uint64_t reads = op_stats_answered(rd);

		put_u64(a, "reads", reads);
		put_u64(a, "cache_hits", rd->status[BENCH_OK]);
		put_u64(a, "cache_misses", rd->status[BENCH_MISS]);
		put_num(a, "hit_ratio", reads ? (double)rd->status[BENCH_OK] / (double)reads : NAN);
		put_u64(a, "writes", op_stats_answered(&p->ops[BENCH_OP_SET]));
		put_u64(a, "store_reads", p->aside.store_reads);
		put_u64(a, "store_writes", p->aside.store_writes);
		put_u64(a, "fills", p->aside.fills);
		put_u64(a, "stale_reads", p->aside.stale_reads);
		put_str(a, "store_server", p->aside.store_server[0] ? p->aside.store_server : "simulated");
		/* Whose figures these are: claims_standin.c reads it. */
		put_str(a, "store_stands_in_for", p->aside.store_stands_in_for[0] ? p->aside.store_stands_in_for : NULL);
	}
	if (p->crash.ran) {
		json_t *c = put_obj(o, "crash");

		put_num(c, "killed_at_s", p->crash.killed_at_s);
		put_u64(c, "acknowledged", p->ops[BENCH_OP_SET].status[BENCH_OK]);
		put_u64(c, "survived", p->ops[BENCH_OP_GET].status[BENCH_OK]);
		put_u64(c, "lost", p->ops[BENCH_OP_GET].status[BENCH_MISS]);
		put_u64(c, "data_bytes", p->crash.data_bytes);
		put_num(c, "restart_s", p->crash.restart_s);
	}
}

/* "server_after_run": {"config": {...}} with the lines of after that are
 * not in before (new or changed); nothing when there are none. */
static void write_config_after(json_t *o, const char *before, const char *after)
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
	if (changed.buf)
		write_config(put_obj(o, "server_after_run"), changed.buf);
	free(changed.buf);
	free(wrapped);
}

static void write_target(json_t *o, const struct target_result *t)
{
	json_t *a;

	put_str(o, "name", t->target->name);
	put_str(o, "driver", t->driver ? t->driver->name : t->target->driver);
	put_str(o, "uri", t->uri);
	put_str(o, "spawned", t->spawned);
	if (t->target->n_spawn_args) {
		a = put_arr(o, "spawn_args");
		for (size_t i = 0; i < t->target->n_spawn_args; i++)
			jsonw_append(a, jsonw_str(t->target->spawn_args[i]));
	}
	if (t->target->shard_key) /* the target's own, over keyspace.shard_key */
		put_str(put_obj(o, "shard_key"), "_id", t->target->shard_key);
	/* The request timeout in force: every driver's default is 5 s. */
	put_u64(o, "timeout_ms", t->target->timeout_ms ? t->target->timeout_ms : 5000);
	put_str(o, "engine", t->n_runs ? t->runs[0].engine : NULL);
	put_str(o, "skipped", t->skipped);
	put_str(o, "cleanup", t->cleanup);
	if (t->have_info) {
		json_t *srv = put_obj(o, "server");

		put_str(srv, "product", t->info.product);
		put_str(srv, "version", t->info.version);
		put_str(srv, "detail", t->info.detail);
		put_str(srv, "variant", t->info.variant[0] ? t->info.variant : NULL);
		put_str(srv, "stands_in_for", t->info.stands_in_for[0] ? t->info.stands_in_for : NULL);
		write_config(srv, t->info.config);
	}
	if (t->have_info && t->have_info_after)
		write_config_after(o, t->info.config, t->info_after.config);
	put_str(o, "server_cpu_source", t->cpu_source[0] ? t->cpu_source : NULL);
	a = put_arr(o, "runs");
	for (size_t i = 0; i < t->n_runs; i++)
		write_run(append_obj(a), &t->runs[i]);
}

int jsonw_run(const struct results *r, FILE *f)
{
	json_t *run = must(json_object()), *b, *a;
	int rc;

	b = put_obj(run, "bench");
	put_str(b, "version", BENCH_VERSION);
	put_str(b, "git_revision", BENCH_GIT_REV);
	put_str(run, "command", r->command);
	put_bool(run, "complete", r->complete);
	put_num(run, "max_error_rate", r->w->max_error_rate);
	put_u64(run, "runs_over_error_limit", r->n_over_error_limit);
	put_str(run, "started_utc", r->started_utc);
	put_str(run, "finished_utc", r->finished_utc);
	put_str(run, "servers", r->servers_mode);
	/* bench run --shard: which share this machine ran (bench merge reads it). */
	if (r->w->shard.count) {
		json_t *s = put_obj(run, "shard");

		put_u64(s, "index", r->w->shard.index);
		put_u64(s, "count", r->w->shard.count);
	} else {
		put_str(run, "shard", NULL);
	}
	write_host(run);
	write_workload(run, r->w);
	if (r->order)
		write_order(run, r);
	a = put_arr(run, "targets");
	for (size_t i = 0; i < r->n_targets; i++)
		write_target(append_obj(a), &r->targets[i]);
	a = put_arr(run, "warnings");
	for (size_t i = 0; i < r->n_warnings; i++)
		jsonw_append(a, jsonw_str(r->warnings[i]));
	rc = jsonw_dump(run, f);
	json_decref(run);
	return rc;
}
