/*
 * workload.c - the workload YAML file, read into struct workload.
 *
 * libyaml's loader gives a node tree that keeps every node's position.
 * `--set` overrides rewrite that tree, then one validation pass walks it.
 * The pass never stops at the first problem: a user fixing a file wants the
 * whole list at once, so every check reports and carries on, and the
 * messages are sorted by position at the end.
 *
 * The tree itself (node helpers, messages, applying --set) is in
 * workload_tree.c; this file turns the tree into struct workload, except
 * for keyspace and values (workload_data.c) and sweep (workload_sweep.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "evd.h"
#include "registry.h"
#include "util.h"
#include "workload.h"
#include "workload_tree.h"

#define WL_MAX_CLIENTS 10000
#define WL_MAX_IDLE 100000
#define WL_MAX_PIPELINE 10000
#define WL_MAX_BATCH 100000
/* An open-loop client's interval between two requests (parse_rate). */
#define WL_MIN_RATE_GAP_NS 1.0
#define WL_MAX_RATE_GAP_NS 86400e9

/* Used when a workload has no `targets` key (docs/workload-format.md). */
static const char *const default_targets[] = {"redis", "memcached", "mongodb", NULL};

/* In `targets: [null]` and `driver: null`, a plain null means the driver
 * called "null": nothing else would make sense there, and users would not
 * expect to have to quote it. */
static int is_null_driver(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE && !strcmp(wt_sval(n), "null");
}

/* Names end up in directory names, file names and CSV fields, hence the
 * small alphabet. Target and phase names also may not hold '.', which
 * separates the elements of a --set path. */
static int check_name(struct wt_ctx *c, const yaml_node_t *n, const char *what, const char *s, int allow_dot)
{
	const char *p;

	if (!*s) {
		wt_report(c, n, "%s must not be empty", what);
		return -1;
	}
	if (strlen(s) > WL_MAX_NAME) {
		wt_report(c, n, "%s '%.20s...' is too long (at most %d bytes)", what, s, WL_MAX_NAME);
		return -1;
	}
	for (p = s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '_' || (*p == '.' && allow_dot))
			continue;
		wt_report(c, n, "%s '%s' may only hold letters, digits, '-', '_'%s (it names result files and CSV fields)",
		          what, s, allow_dot ? " and '.'" : "");
		return -1;
	}
	return 0;
}

/* "phases.run" when the item has a usable name (the same path --set takes),
 * else "phases[1]". */
static char *item_path(struct wt_ctx *c, const yaml_node_t *m, const char *list, size_t idx)
{
	const char *name = m->type == YAML_MAPPING_NODE ? wt_map_get(c, m, "name") : NULL;

	if (name && *name && !strchr(name, '.') && strlen(name) <= WL_MAX_NAME)
		return xasprintf("%s.%s", list, name);
	return xasprintf("%s[%zu]", list, idx);
}

/* ---- validation ---- */

static void parse_options(struct wt_ctx *c, struct wl_target *t, yaml_node_t *m, const char *path,
			  const struct bench_driver *d)
{
	char err[512];

	if (wt_want_kind(c, m, path, YAML_MAPPING_NODE) < 0)
		return;
	t->options = xcalloc((size_t)(m->data.mapping.pairs.top - m->data.mapping.pairs.start) + 1, sizeof(*t->options));
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&c->doc, p->key), *v = yaml_document_get_node(&c->doc, p->value);
		struct bench_option *o = &t->options[t->n_options];
		char *opath;
		size_t i;

		if (wt_want_scalar(c, k, path, "a string key") < 0)
			continue;
		for (i = 0; i < t->n_options && strcmp(t->options[i].key, wt_sval(k)) != 0; i++)
			;
		if (i < t->n_options) {
			wt_report(c, k, "duplicate option '%s' in %s", wt_sval(k), path);
			continue;
		}
		/* A sharding driver's shard_key option is set from the target's
		 * or the keyspace's shard_key (cli/cmd_run.c): one way to say it. */
		if (d && (d->caps & BENCH_CAP_SHARD_KEY) && strcmp(wt_sval(k), "shard_key") == 0) {
			wt_report(c, k, "%s.shard_key: give the target a shard_key: {_id: hashed} or {_id: 1} (or the "
				  "keyspace one), not an option", path);
			continue;
		}
		opath = xasprintf("%s.%s", path, wt_sval(k));
		if (wt_want_scalar(c, v, opath, "a string") == 0) {
			const char *value = wt_sval(v);
			int rc = d ? bench_driver_check_option(d, wt_sval(k), value, opath, &value, err, sizeof(err)) : 0;

			/* The driver gets the value its table names (a YAML
			 * boolean as true/false or on/off), never a surprise at
			 * connect time. */
			if (rc == -1)
				wt_report(c, k, "%s", err);
			else if (rc < 0)
				wt_report(c, v, "%s", err);
			o->key = xstrdup(wt_sval(k));
			o->value = xstrdup(value ? value : wt_sval(v));
			t->n_options++;
		}
		free(opath);
	}
}

/* Joins `servers: [host:port, ...]` into the uri form memcached takes. */
static void parse_servers(struct wt_ctx *c, struct wl_target *t, yaml_node_t *n, const char *path)
{
	struct sbuf sb = {0};

	if (n->type == YAML_SCALAR_NODE) {
		wt_get_str(c, n, path, &t->uri);
		return;
	}
	if (wt_want_kind(c, n, path, YAML_SEQUENCE_NODE) < 0)
		return;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *s = yaml_document_get_node(&c->doc, *it);

		if (wt_want_scalar(c, s, path, "a host:port string") == 0)
			sbuf_addf(&sb, "%s%s", sb.buf ? "," : "", wt_sval(s));
	}
	if (!sb.buf)
		wt_report(c, n, "%s is empty", path);
	free(t->uri);
	t->uri = sb.buf;
}

/* spawn: {program: mongod, args: [--appendonly, "yes"]}: the server program
 * (one of the driver's `servers`; default: the first the host has), and
 * arguments added after the ones bench gives it, so a later one wins where
 * the server takes the last of a repeated option. */
static void parse_spawn(struct wt_ctx *c, struct wl_target *t, yaml_node_t *n, const char *path)
{
	static const char *const keys[] = {"args", "program", NULL};
	yaml_node_t *v[2], *kn[2];
	char *apath;
	size_t count;

	if (wt_want_kind(c, n, path, YAML_MAPPING_NODE) < 0)
		return;
	wt_map_fields(c, n, path, keys, v, kn);
	if (wt_present(v[1])) {
		char known[128], *ppath = xasprintf("%s.program", path);

		if (wt_want_scalar(c, v[1], ppath, "a server program") == 0) {
			const struct bench_driver *d = t->driver ? bench_driver_find(t->driver, NULL, 0) : NULL;

			if (d && !bench_driver_knows_program(d, wt_sval(v[1]), known, sizeof(known)))
				wt_report(c, v[1], "%s: bench cannot spawn '%s' for driver %s; it knows %s", ppath,
					  wt_sval(v[1]), t->driver, known[0] ? known : "no server program for it");
			else
				t->spawn_program = xstrdup(wt_sval(v[1]));
		}
		free(ppath);
	}
	if (!wt_present(v[0]))
		return;
	apath = xasprintf("%s.args", path);
	if (wt_want_kind(c, v[0], apath, YAML_SEQUENCE_NODE) == 0) {
		count = (size_t)(v[0]->data.sequence.items.top - v[0]->data.sequence.items.start);
		t->spawn_args = xcalloc(count + 1, sizeof(*t->spawn_args));
		for (size_t i = 0; i < count; i++) {
			yaml_node_t *a = yaml_document_get_node(&c->doc, v[0]->data.sequence.items.start[i]);

			if (wt_want_scalar(c, a, apath, "a string") == 0)
				t->spawn_args[t->n_spawn_args++] = xstrdup(wt_sval(a));
		}
	}
	free(apath);
}

enum { TK_NAME, TK_DRIVER, TK_URI, TK_SERVERS, TK_OPTIONS, TK_SPAWN, TK_TIMEOUT, TK_AUTH, TK_SHARD_KEY, TK__COUNT };
static const char *const wl_target_keys[] = {"name", "driver", "uri", "servers", "options", "spawn", "timeout", "auth",
				      "shard_key", NULL};

/* timeout: milliseconds, at least one (0 would mean the driver's default). */
static void parse_timeout(struct wt_ctx *c, struct wl_target *t, yaml_node_t *n, const char *path)
{
	uint64_t ns = 0;

	if (wt_get_duration(c, n, path, &ns) < 0)
		return;
	if (ns < 1000000u || ns > (uint64_t)UINT32_MAX * 1000000u)
		wt_report(c, n, "%s must be between 1ms and %ums, got %s", path, UINT32_MAX, wt_sval(n));
	else
		t->timeout_ms = (unsigned)(ns / 1000000u);
}

/* The keys of a target's mapping after its name and driver (d: NULL when
 * unknown): where its server is, options, timeout, spawn, auth, shard key.
 * ti is the target's index (its warnings are printed only when it runs). */
static void parse_target_keys(struct wt_ctx *c, struct wl_target *t, int ti, yaml_node_t *const *v,
			      yaml_node_t *const *kn, const char *path, const struct bench_driver *d)
{
	char *p;

	if (wt_present(v[TK_URI])) {
		p = xasprintf("%s.uri", path);
		if (wt_get_str(c, v[TK_URI], p, &t->uri) == 0)
			wl_check_uri_secret(c, t, v[TK_URI], p, d);
		free(p);
	}
	if (wt_present(v[TK_SERVERS])) {
		p = xasprintf("%s.servers", path);
		if (wt_present(v[TK_URI])) {
			wt_report(c, kn[TK_SERVERS], "%s has both uri and servers; give one", path);
		} else {
			parse_servers(c, t, v[TK_SERVERS], p);
			if (t->uri) /* [user:password@h1:p1, h2:p2] */
				wl_check_uri_secret(c, t, v[TK_SERVERS], p, d);
		}
		free(p);
	}
	if (wt_present(v[TK_OPTIONS])) {
		p = xasprintf("%s.options", path);
		parse_options(c, t, v[TK_OPTIONS], p, d);
		free(p);
	}
	if (wt_present(v[TK_TIMEOUT])) {
		p = xasprintf("%s.timeout", path);
		parse_timeout(c, t, v[TK_TIMEOUT], p);
		free(p);
	}
	if (wt_present(v[TK_SPAWN])) {
		p = xasprintf("%s.spawn", path);
		parse_spawn(c, t, v[TK_SPAWN], p);
		if (t->uri)
			wt_warn_target(c, kn[TK_SPAWN], ti, "%s has no effect: the target has a uri, so bench never spawns its "
				       "server", p);
		free(p);
	}
	if (wt_present(v[TK_AUTH])) {
		p = xasprintf("%s.auth", path);
		wl_parse_auth(c, t, v[TK_AUTH], p);
		free(p);
	}
	if (wt_present(v[TK_SHARD_KEY])) {
		p = xasprintf("%s.shard_key", path);
		/* Only a driver with BENCH_CAP_SHARD_KEY shards (mongodb, on a
		 * mongos); elsewhere the key would be silently meaningless. */
		if (d && !(d->caps & BENCH_CAP_SHARD_KEY))
			wt_report(c, kn[TK_SHARD_KEY], "%s: only the mongodb driver shards on a key; target %s uses %s",
			          p, t->name, d->name);
		else
			wl_parse_shard_key(c, v[TK_SHARD_KEY], p, &t->shard_key);
		free(p);
	}
}

/* The name and driver of a target given as a mapping, and the nodes a
 * message about each points at. */
static void parse_target_ident(struct wt_ctx *c, struct wl_target *t, yaml_node_t *n, const char *path,
			       yaml_node_t *const *v, yaml_node_t **name_node, yaml_node_t **driver_node)
{
	char *p;

	if (!v[TK_NAME])
		wt_report(c, n, "missing required key 'name' in %s", path);
	else if (is_null_driver(v[TK_NAME]))
		t->name = xstrdup("null");
	else
		wt_get_str(c, v[TK_NAME], "a target's name", &t->name);
	*driver_node = *name_node = v[TK_NAME] ? v[TK_NAME] : n;
	if (is_null_driver(v[TK_DRIVER])) {
		t->driver = xstrdup("null");
		*driver_node = v[TK_DRIVER];
	} else if (wt_present(v[TK_DRIVER])) {
		p = xasprintf("%s.driver", path);
		wt_get_str(c, *driver_node = v[TK_DRIVER], p, &t->driver);
		free(p);
	}
}

/* Item idx of targets: a name (the driver's, or null) or a mapping. */
static void parse_target(struct wt_ctx *c, struct workload *w, yaml_node_t *n, size_t idx)
{
	struct wl_target *t = &w->targets[w->n_targets];
	yaml_node_t *v[TK__COUNT], *kn[TK__COUNT], *name_node = n, *driver_node = n;
	char err[512], *path = NULL;
	const struct bench_driver *d;

	t->line = (int)n->start_mark.line + 1;
	t->col = (int)n->start_mark.column + 1;
	if (is_null_driver(n)) {
		t->name = xstrdup("null");
	} else if (n->type == YAML_SCALAR_NODE) {
		if (wt_get_str(c, n, "a target", &t->name) < 0)
			return;
	} else if (n->type == YAML_MAPPING_NODE) {
		path = item_path(c, n, "targets", idx);
		wt_map_fields(c, n, path, wl_target_keys, v, kn);
		parse_target_ident(c, t, n, path, v, &name_node, &driver_node);
	} else {
		char buf[64];

		wt_report(c, n, "expected a target name or a mapping for targets[%zu], got %s", idx,
		          wt_describe(n, buf, sizeof(buf)));
		return;
	}
	if (name_node != n && (int)(n - c->doc.nodes.start) >= c->n_file_nodes) {
		/* The item was rewritten by --set; its name still has a place in the file. */
		t->line = (int)name_node->start_mark.line + 1;
		t->col = (int)name_node->start_mark.column + 1;
	}
	if (!t->name) {
		free(t->driver);
		t->driver = NULL;
		goto out;
	}
	w->n_targets++;
	if (check_name(c, name_node, "target name", t->name, 0) < 0)
		goto out;
	for (size_t i = 0; i + 1 < w->n_targets; i++) {
		if (!strcmp(w->targets[i].name, t->name)) {
			wt_report(c, name_node, "duplicate target name '%s' (first at line %d)", t->name, w->targets[i].line);
			goto out;
		}
	}
	if (!t->driver)
		t->driver = xstrdup(t->name);
	if (!(d = bench_driver_find(t->driver, err, sizeof(err))))
		wt_report(c, driver_node, "%s", err);
	c->drivers[w->n_targets - 1] = d;
	if (n->type == YAML_MAPPING_NODE)
		parse_target_keys(c, t, (int)(t - w->targets), v, kn, path, d);
out:
	free(path);
}

static void parse_targets(struct wt_ctx *c, struct workload *w, yaml_node_t *n, yaml_node_t *root)
{
	size_t count;

	if (!wt_present(n)) {
		char err[512];

		w->targets = xcalloc(3, sizeof(*w->targets));
		c->drivers = xcalloc(3, sizeof(*c->drivers));
		for (const char *const *s = default_targets; *s; s++) {
			struct wl_target *t = &w->targets[w->n_targets];

			t->name = xstrdup(*s);
			t->driver = xstrdup(*s);
			t->line = (int)root->start_mark.line + 1;
			t->col = (int)root->start_mark.column + 1;
			if (!(c->drivers[w->n_targets++] = bench_driver_find(*s, err, sizeof(err))))
				wt_report(c, root, "%s (the workload has no targets, so it defaults to redis, memcached, "
				          "mongodb; list the targets to use under 'targets')", err);
		}
		return;
	}
	if (wt_want_kind(c, n, "targets", YAML_SEQUENCE_NODE) < 0)
		return;
	count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (!count) {
		wt_report(c, n, "targets is empty; list at least one target, e.g. [redis]");
		return;
	}
	w->targets = xcalloc(count, sizeof(*w->targets));
	c->drivers = xcalloc(count, sizeof(*c->drivers));
	for (size_t i = 0; i < count; i++)
		parse_target(c, w, yaml_document_get_node(&c->doc, n->data.sequence.items.start[i]), i);
}

static void parse_mix(struct wt_ctx *c, struct workload *w, struct wl_phase *ph, yaml_node_t *n, const char *path)
{
	const char *ops[BENCH_OP__COUNT + 1];
	yaml_node_t *seen[BENCH_OP__COUNT] = {0};
	double sum = 0;
	int ok = 1;

	if (wt_want_kind(c, n, path, YAML_MAPPING_NODE) < 0)
		return;
	for (int i = 0; i < BENCH_OP__COUNT; i++)
		ops[i] = bench_op_name((enum bench_op)i);
	ops[BENCH_OP__COUNT] = NULL;
	if (n->data.mapping.pairs.top == n->data.mapping.pairs.start) {
		wt_report(c, n, "%s is empty; give each op its share, e.g. {get: 0.9, set: 0.1}", path);
		return;
	}
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&c->doc, p->key), *v = yaml_document_get_node(&c->doc, p->value);
		char *spath;
		double share = 0;
		int op;

		if (wt_want_scalar(c, k, path, "an op name") < 0) {
			ok = 0;
			continue;
		}
		spath = xasprintf("%s.%s", path, wt_sval(k));
		if (wt_get_double(c, v, spath, 0, 1, &share) < 0)
			ok = 0;
		free(spath);
		sum += share;
		op = bench_op_from_name(wt_sval(k));
		if (op < 0) {
			struct sbuf sb = {0};

			wt_add_hint(&sb, wt_sval(k), ops, "known ops");
			wt_report(c, k, "unknown op '%s' in %s%s", wt_sval(k), path, sb.buf);
			free(sb.buf);
			continue;
		}
		if (seen[op]) {
			wt_report(c, k, "duplicate op '%s' in %s", wt_sval(k), path);
			continue;
		}
		seen[op] = k;
		ph->mix[op] = share;
	}
	if (ok && fabs(sum - 1.0) > 1e-9)
		wt_report(c, n, "%s shares sum to %.10g, not 1", path, sum);

	/* An op that no target can run would measure nothing at all. */
	for (int op = 0; op < BENCH_OP__COUNT; op++) {
		size_t able = 0, known = 0;

		if (!seen[op] || ph->mix[op] <= 0)
			continue;
		for (size_t t = 0; t < w->n_targets; t++) {
			if (!c->drivers[t] || !workload_phase_on(ph, t))
				continue;
			known++;
			if ((c->drivers[t]->caps & bench_op_caps((enum bench_op)op)) == bench_op_caps((enum bench_op)op))
				able++;
			else
				wt_warn_target(c, seen[op], (int)t, "op '%s' is not supported by target '%s'; it will be "
					       "reported as unsupported there", bench_op_name((enum bench_op)op),
					       w->targets[t].name);
		}
		if (known && !able)
			wt_report(c, seen[op], "op '%s' cannot run on any target of this workload",
			          bench_op_name((enum bench_op)op));
	}
}

enum { PK_NAME, PK_TYPE, PK_BATCH, PK_CLIENTS, PK_WARMUP, PK_DURATION, PK_OPS, PK_PIPELINE, PK_RATE, PK_MIX,
       PK_RANGE, PK_QUERY, PK_FUZZY, PK_STRUCTURES, PK_KILL_AFTER, PK_IDLE, PK_ARRIVAL, PK_STORE_LATENCY,
       PK_ON_WRITE, PK_STORE, PK_TARGETS, PK_PATTERN, PK__COUNT };

/* The phase types a key is for: one bit per enum wl_phase_type. */
#define PT_LOAD (1u << WL_PHASE_LOAD)
#define PT_RUN (1u << WL_PHASE_RUN)
#define PT_CRASH (1u << WL_PHASE_CRASH)
#define PT_REPLICATION (1u << WL_PHASE_REPLICATION)
#define PT_ASIDE (1u << WL_PHASE_CACHE_ASIDE)
#define PT_ANY (PT_LOAD | PT_RUN | PT_CRASH | PT_REPLICATION | PT_ASIDE)

/* Each key of a phase and the phase types that take it. */
static const struct phase_key {
	const char *name;
	unsigned types;
} phase_keys[PK__COUNT] = {
	[PK_NAME] = {"name", PT_ANY},
	[PK_TYPE] = {"type", PT_ANY},
	[PK_BATCH] = {"batch", PT_LOAD},
	[PK_CLIENTS] = {"clients", PT_ANY},
	[PK_WARMUP] = {"warmup", PT_RUN | PT_ASIDE},
	[PK_DURATION] = {"duration", PT_RUN | PT_REPLICATION | PT_ASIDE},
	[PK_OPS] = {"ops", PT_RUN | PT_ASIDE},
	[PK_PIPELINE] = {"pipeline", PT_RUN | PT_CRASH},
	[PK_RATE] = {"rate", PT_RUN | PT_REPLICATION},
	[PK_MIX] = {"mix", PT_RUN | PT_ASIDE},
	[PK_RANGE] = {"range", PT_RUN},
	[PK_QUERY] = {"query", PT_RUN},
	[PK_FUZZY] = {"fuzzy", PT_RUN},
	[PK_STRUCTURES] = {"structures", PT_RUN},
	[PK_KILL_AFTER] = {"kill_after", PT_CRASH},
	[PK_IDLE] = {"idle_connections", PT_RUN},
	[PK_ARRIVAL] = {"arrival", PT_RUN},
	[PK_STORE_LATENCY] = {"store_latency", PT_ASIDE},
	[PK_ON_WRITE] = {"on_write", PT_ASIDE},
	[PK_STORE] = {"store", PT_ASIDE},
	[PK_TARGETS] = {"targets", PT_ANY},
	[PK_PATTERN] = {"pattern", PT_ANY}, /* it makes the phase cache-aside */
};

/* The names of phase_keys, NULL-terminated, into names[PK__COUNT + 1]
 * (wt_map_fields and the sweep's key check take such a list). */
static void phase_key_names(const char **names)
{
	for (int k = 0; k < PK__COUNT; k++)
		names[k] = phase_keys[k].name;
	names[PK__COUNT] = NULL;
}

/* The phase types whose bits are in mask, for a message: "load or run". */
static char *phase_types_of(unsigned mask)
{
	struct sbuf sb = {0};

	for (int t = WL_PHASE_LOAD; t <= WL_PHASE_CACHE_ASIDE; t++)
		if (mask & (1u << t))
			sbuf_addf(&sb, "%s%s", sb.len ? " or " : "", workload_phase_type_name((enum wl_phase_type)t));
	return sbuf_take(&sb);
}

/* rate: 0 (closed loop) or requests/s over the phase's clients (parsed
 * before it). Each client's schedule has one request every clients / rate
 * seconds: under a nanosecond no host can keep it (and 1e308 made the
 * pacer's interval 0, so a phase never ended), over a day it is no
 * benchmark (and 1e-300 made it infinite). */
static void parse_rate(struct wt_ctx *c, struct wl_phase *ph, yaml_node_t *n, const char *path)
{
	double gap_ns;

	if (wt_get_double(c, n, path, 0, INFINITY, &ph->rate) < 0 || ph->rate == 0)
		return;
	gap_ns = 1e9 * (double)ph->clients / ph->rate;
	if (gap_ns < WL_MIN_RATE_GAP_NS)
		wt_report(c, n, "%s %s asks each of the phase's %" PRIu64 " clients for a request more often than every "
			  "nanosecond; at most %g", path, wt_sval(n), ph->clients, 1e9 * (double)ph->clients);
	else if (gap_ns > WL_MAX_RATE_GAP_NS)
		wt_report(c, n, "%s %s leaves more than a day between two requests of each of the phase's %" PRIu64
			  " clients; at least %g (one a day per client), or 0 for a closed loop", path, wt_sval(n),
			  ph->clients, (double)ph->clients / 86400);
	else if (ph->rate < (double)ph->clients)
		wt_warn(c, n, "%s %s is less than the phase's %" PRIu64 " clients: each client would send less than "
			"1 op/s", path, wt_sval(n), ph->clients);
}

/*
 * arrival: fixed (one interval, the default) or fb_etc: open-loop gaps
 * drawn from Facebook ETC's generalized Pareto (gen/evd.h), scaled to the
 * phase's rate; without a rate, the measured one (1 / the mean gap of
 * sigma 16.0292 us, xi 0.154971: about 52,700 requests/s over the phase).
 * Parsed after rate.
 */
static void parse_arrival(struct wt_ctx *c, struct wl_phase *ph, yaml_node_t *n, const char *path)
{
	static const char *const kinds[] = {"fixed", "fb_etc", NULL};
	struct sbuf sb = {0};

	if (wt_want_scalar(c, n, path, "fixed or fb_etc") < 0)
		return;
	for (int k = 0; kinds[k]; k++) {
		if (strcmp(wt_sval(n), kinds[k]) == 0) {
			ph->arrival = k;
			if (ph->arrival == WL_ARRIVAL_FB_ETC && ph->rate == 0)
				ph->rate = 1e6 / evd_gpareto_mean(0, EVD_ETC_GAP_SIGMA_US, EVD_ETC_GAP_XI);
			return;
		}
	}
	wt_add_hint(&sb, wt_sval(n), kinds, "known");
	wt_report(c, n, "unknown arrival '%s' for %s%s", wt_sval(n), path, sb.buf);
	free(sb.buf);
}

/* kill_after, store_latency: 2s | {min: 1s, max: 3s}, into [*lo, *hi]. */
static void parse_time_range(struct wt_ctx *c, yaml_node_t *n, const char *path, uint64_t *lo, uint64_t *hi)
{
	static const char *const keys[] = {"min", "max", NULL};
	yaml_node_t *v[2], *kn[2];

	if (n->type != YAML_MAPPING_NODE) {
		if (wt_get_duration(c, n, path, lo) == 0)
			*hi = *lo;
		return;
	}
	wt_map_fields(c, n, path, keys, v, kn);
	if (!v[0] || !v[1]) {
		wt_report(c, n, "%s needs both min and max, e.g. {min: 1s, max: 3s}", path);
		return;
	}
	if (wt_get_duration(c, v[0], path, lo) == 0 && wt_get_duration(c, v[1], path, hi) == 0 && *lo > *hi)
		wt_report(c, n, "%s min (%s) is greater than max (%s)", path, wt_sval(v[0]), wt_sval(v[1]));
}

/* duration: more than 0. */
static void parse_duration(struct wt_ctx *c, struct wl_phase *ph, yaml_node_t *n, const char *path)
{
	if (wt_get_duration(c, n, path, &ph->duration_ns) == 0 && !ph->duration_ns)
		wt_report(c, n, "%s must be more than 0", path);
}

/* The value n of key k of phase ph, at path ("phases[1].clients"). */
static void parse_phase_value(struct wt_ctx *c, struct wl_phase *ph, int k, yaml_node_t *n, const char *path)
{
	switch (k) {
	case PK_CLIENTS:
		wt_get_u64(c, n, path, 1, WL_MAX_CLIENTS, &ph->clients);
		break;
	case PK_BATCH:
		wt_get_u64(c, n, path, 1, WL_MAX_BATCH, &ph->batch);
		break;
	case PK_PIPELINE:
		wt_get_u64(c, n, path, 1, WL_MAX_PIPELINE, &ph->pipeline);
		break;
	case PK_KILL_AFTER:
		parse_time_range(c, n, path, &ph->kill_min_ns, &ph->kill_max_ns);
		break;
	case PK_STORE_LATENCY:
		parse_time_range(c, n, path, &ph->store_lat_min_ns, &ph->store_lat_max_ns);
		break;
	case PK_ON_WRITE: {
		static const char *const words[] = {"invalidate", "update", NULL};
		struct sbuf sb = {0};

		if (wt_want_scalar(c, n, path, "invalidate or update") < 0)
			break;
		if (!strcmp(wt_sval(n), "update"))
			ph->on_write_update = 1;
		else if (strcmp(wt_sval(n), "invalidate") != 0) {
			wt_add_hint(&sb, wt_sval(n), words, "choices");
			wt_report(c, n, "%s must be invalidate or update, got '%s'%s", path, wt_sval(n), sb.buf ? sb.buf : "");
		}
		free(sb.buf);
		break;
	}
	case PK_WARMUP:
		wt_get_duration(c, n, path, &ph->warmup_ns);
		break;
	case PK_IDLE:
		wt_get_u64(c, n, path, 0, WL_MAX_IDLE, &ph->idle_connections);
		break;
	case PK_OPS:
		wt_get_u64(c, n, path, 1, UINT64_MAX, &ph->ops);
		break;
	case PK_DURATION:
		parse_duration(c, ph, n, path);
		break;
	case PK_RATE:
		parse_rate(c, ph, n, path);
		break;
	case PK_ARRIVAL:
		parse_arrival(c, ph, n, path);
		break;
	default:
		break;
	}
}

/* Parses key k of the phase at path when it is there and the phase's type
 * takes it (a key its type does not take is reported once, by
 * parse_phase). Returns whether it did. */
static bool parse_phase_key(struct wt_ctx *c, struct wl_phase *ph, yaml_node_t *const *v, int k, const char *path)
{
	char *p;

	if (!wt_present(v[k]) || !(phase_keys[k].types & (1u << ph->type)))
		return false;
	p = xasprintf("%s.%s", path, phase_keys[k].name);
	parse_phase_value(c, ph, k, v[k], p);
	free(p);
	return true;
}

/* targets: [NAME, ...]: the workload's target names the phase runs on
 * (into ph->on_target); each one known, none twice, the list not empty. */
static void parse_phase_targets(struct wt_ctx *c, const struct workload *w, struct wl_phase *ph, yaml_node_t *n,
				const char *path)
{
	const char **names = xcalloc(w->n_targets + 1, sizeof(*names));
	char *p = xasprintf("%s.targets", path);
	size_t count;

	if (wt_want_kind(c, n, p, YAML_SEQUENCE_NODE) < 0)
		goto out;
	count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (!count) {
		wt_report(c, n, "%s is empty; name at least one target, or leave the key out to run the phase on every "
			  "target", p);
		goto out;
	}
	for (size_t t = 0; t < w->n_targets; t++)
		names[t] = w->targets[t].name ? w->targets[t].name : "";
	ph->on_target = xcalloc(w->n_targets ? w->n_targets : 1, sizeof(*ph->on_target));
	for (size_t i = 0; i < count; i++) {
		yaml_node_t *e = yaml_document_get_node(&c->doc, n->data.sequence.items.start[i]);
		struct sbuf sb = {0};
		size_t t;

		if (wt_want_scalar(c, e, p, "a target name") < 0)
			continue;
		for (t = 0; t < w->n_targets && strcmp(names[t], wt_sval(e)); t++)
			;
		if (t < w->n_targets && ph->on_target[t]) {
			wt_report(c, e, "%s names target '%s' twice", p, wt_sval(e));
		} else if (t < w->n_targets) {
			ph->on_target[t] = true;
		} else {
			wt_add_hint(&sb, wt_sval(e), names, "the workload's targets");
			wt_report(c, e, "%s: unknown target '%s'%s", p, wt_sval(e), sb.buf);
			free(sb.buf);
		}
	}
out:
	free(p);
	free(names);
}

bool workload_phase_on(const struct wl_phase *ph, size_t t)
{
	return !ph->on_target || ph->on_target[t];
}

bool workload_phases_restricted(const struct workload *w)
{
	for (size_t i = 0; i < w->n_phases; i++)
		if (w->phases[i].on_target)
			return true;
	return false;
}

/* A phase's type: "load" by name, else run, unless `type` says, or
 * `pattern: cache-aside` (the spelling of `type: cache-aside`). */
static void parse_phase_type(struct wt_ctx *c, struct wl_phase *ph, yaml_node_t *n, yaml_node_t *pattern,
			     const char *path)
{
	static const char *const types[] = {"load", "run", "crash", "replication", "cache-aside", NULL};
	static const char *const patterns[] = {"cache-aside", NULL};
	const char *s;
	struct sbuf sb = {0};

	ph->type = ph->name && !strcmp(ph->name, "load") ? WL_PHASE_LOAD : WL_PHASE_RUN;
	if (wt_present(pattern) && wt_want_scalar(c, pattern, "a phase pattern", "a string") == 0) {
		s = wt_sval(pattern);
		if (strcmp(s, "cache-aside") != 0) {
			wt_add_hint(&sb, s, patterns, "known patterns");
			wt_report(c, pattern, "unknown pattern '%s' for %s%s", s, path, sb.buf);
			free(sb.buf);
		} else if (wt_present(n) && wt_want_scalar(c, n, "a phase type", "a string") == 0 &&
			   strcmp(wt_sval(n), "cache-aside") != 0) {
			wt_report(c, n, "%s has type '%s' and pattern 'cache-aside'; a cache-aside phase has type "
				  "cache-aside (or only the pattern)", path, wt_sval(n));
		}
		/* Even when wrong: the other keys are checked as a cache-aside
		 * phase's, which the pattern says the phase is meant to be. */
		ph->type = WL_PHASE_CACHE_ASIDE;
		return;
	}
	if (!wt_present(n) || wt_want_scalar(c, n, "a phase type", "a string") < 0)
		return;
	s = wt_sval(n);
	for (int k = 0; types[k]; k++) {
		if (!strcmp(s, types[k])) {
			ph->type = (enum wl_phase_type)k;
			return;
		}
	}
	wt_add_hint(&sb, s, types, "types");
	wt_report(c, n, "unknown phase type '%s' for %s%s", s, path, sb.buf);
	free(sb.buf);
}

/* Whether phase mapping n has an unknown key that is a typo of one of
 * `keys` (NULL-terminated): `duraton` is reported as unknown, and "needs a
 * duration" on top of it would be a second error for one cause. */
static bool phase_has_typo_of(struct wt_ctx *c, const yaml_node_t *n, const char *const *keys)
{
	const char *names[PK__COUNT + 1];

	phase_key_names(names);
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&c->doc, p->key);
		const char *hint;
		size_t i;

		if (k->type != YAML_SCALAR_NODE)
			continue;
		for (i = 0; names[i] && strcmp(names[i], wt_sval(k)); i++)
			;
		if (names[i] || !(hint = util_suggest(wt_sval(k), names)))
			continue;
		for (i = 0; keys[i]; i++)
			if (!strcmp(hint, keys[i]))
				return true;
	}
	return false;
}
static void parse_length_mix(struct wt_ctx *c, struct workload *w, struct wl_phase *ph, yaml_node_t *n,
			     yaml_node_t *const *v, yaml_node_t *const *kn, const char *path);

/* What only a run phase has: its length (duration or ops), warmup, rate,
 * idle connections, op parameters and mix. */
static void parse_run_phase(struct wt_ctx *c, struct workload *w, struct wl_phase *ph, yaml_node_t *n,
			    yaml_node_t *const *v, yaml_node_t *const *kn, const char *path)
{
	parse_phase_key(c, ph, v, PK_WARMUP, path);
	parse_phase_key(c, ph, v, PK_IDLE, path);
	parse_length_mix(c, w, ph, n, v, kn, path);
}

/* A cache-aside phase: a run phase's warmup, length and mix (gets and sets
 * only), the store's latency and what a write does to the cache. */
static void parse_aside_phase(struct wt_ctx *c, struct workload *w, struct wl_phase *ph, yaml_node_t *n,
			      yaml_node_t *const *v, yaml_node_t *const *kn, const char *path)
{
	parse_phase_key(c, ph, v, PK_WARMUP, path);
	parse_length_mix(c, w, ph, n, v, kn, path);
	for (int op = 0; op < BENCH_OP__COUNT; op++)
		if (ph->mix[op] > 0 && op != BENCH_OP_GET && op != BENCH_OP_SET)
			wt_report(c, v[PK_MIX], "%s.mix: a cache-aside phase reads (get) and writes (set); '%s' is neither",
				  path, bench_op_name((enum bench_op)op));
	if (wt_present(v[PK_STORE])) {
		const struct bench_driver *d;
		char err[256];

		if (wt_get_str(c, v[PK_STORE], "store", &ph->store_driver) == 0 &&
		    (!(d = bench_driver_find(ph->store_driver, err, sizeof(err))) ||
		     !(d->caps & BENCH_CAP_KV) || !(d->caps & BENCH_CAP_NETWORK)))
			wt_report(c, v[PK_STORE], "%s.store '%s' is no store: give a driver with a server and get/set "
				  "(redis, memcached, mongodb)", path, ph->store_driver);
		if (wt_present(v[PK_STORE_LATENCY]))
			wt_report(c, kn[PK_STORE_LATENCY], "%s has both store and store_latency; a real store has its "
				  "own latency", path);
	} else if (!parse_phase_key(c, ph, v, PK_STORE_LATENCY, path)) {
		wt_report(c, n, "%s needs store_latency, the simulated store's latency, e.g. store_latency: 1ms or "
			  "{min: 500us, max: 2ms}, or a store, e.g. store: mongodb", path);
	}
	parse_phase_key(c, ph, v, PK_ON_WRITE, path);
}

/* Exactly one of duration and ops, and a mix. */
static void parse_length_mix(struct wt_ctx *c, struct workload *w, struct wl_phase *ph, yaml_node_t *n,
			     yaml_node_t *const *v, yaml_node_t *const *kn, const char *path)
{
	char *p;

	parse_phase_key(c, ph, v, PK_OPS, path);
	parse_phase_key(c, ph, v, PK_DURATION, path);
	parse_phase_key(c, ph, v, PK_RATE, path); /* after clients: a rate is per client */
	if (w->keyspace.trace) {
		/* The trace gives the ops, the keys and the pace. */
		static const int not_with_trace[] = {PK_OPS, PK_MIX, PK_RATE, PK_ARRIVAL};

		for (size_t i = 0; i < sizeof(not_with_trace) / sizeof(not_with_trace[0]); i++)
			if (kn[not_with_trace[i]])
				wt_report(c, kn[not_with_trace[i]], "%s: %s does not apply under keyspace.trace: the trace "
				          "gives the ops and keys (keyspace.speed its pace; duration may cut it short)",
				          path, wt_sval(kn[not_with_trace[i]]));
		if (w->keyspace.trace_speed > 0 && ph->pipeline > 1)
			wt_report(c, v[PK_PIPELINE] ? v[PK_PIPELINE] : n, "%s: a trace replayed at its timestamps "
			          "(keyspace.speed) sends one request at a time: pipeline must be 1", path);
		return;
	}
	parse_phase_key(c, ph, v, PK_ARRIVAL, path); /* after rate: fb_etc without one sets it */
	if (wt_present(v[PK_DURATION]) && wt_present(v[PK_OPS])) {
		yaml_node_t *later = kn[PK_OPS]->start_mark.index > kn[PK_DURATION]->start_mark.index ?
			kn[PK_OPS] : kn[PK_DURATION];

		/* A null value is no value (wt_present), so --set KEY=null takes
		 * a key away: the fix for a timed phase given ops on the command
		 * line. */
		wt_report(c, later, "%s has both duration and ops; give exactly one: remove one of them, e.g. "
			  "--set %s.duration=null to keep ops, or --set %s.ops=null to keep the duration",
			  path, path, path);
	} else if (!wt_present(v[PK_DURATION]) && !wt_present(v[PK_OPS]) &&
		   !phase_has_typo_of(c, n, (const char *const[]){"duration", "ops", NULL})) {
		wt_report(c, n, "%s needs a duration (e.g. duration: 30s) or an ops count (e.g. ops: 1000000)", path);
	}
	if (ph->type == WL_PHASE_RUN)
		wl_parse_op_params(c, ph, path, v[PK_RANGE], v[PK_QUERY], v[PK_FUZZY], v[PK_STRUCTURES]);
	if (!wt_present(v[PK_MIX])) {
		/* A typo of mix is reported as an unknown key, with its fix. */
		if (!phase_has_typo_of(c, n, (const char *const[]){"mix", NULL}))
			wt_report(c, v[PK_MIX] ? v[PK_MIX] : n, "%s needs a mix, e.g. mix: {get: 0.9, set: 0.1}",
				  path);
	} else {
		p = xasprintf("%s.mix", path);
		parse_mix(c, w, ph, v[PK_MIX], p);
		free(p);
	}
}

static void parse_phase(struct wt_ctx *c, struct workload *w, yaml_node_t *n, size_t idx)
{
	struct wl_phase *ph = &w->phases[w->n_phases];
	yaml_node_t *v[PK__COUNT], *kn[PK__COUNT];
	const char *names[PK__COUNT + 1];
	char *path = item_path(c, n, "phases", idx);

	if (wt_want_kind(c, n, path, YAML_MAPPING_NODE) < 0)
		goto out;
	w->n_phases++;
	phase_key_names(names);
	wt_map_fields(c, n, path, names, v, kn);
	if (!v[PK_NAME]) {
		wt_report(c, n, "missing required key 'name' in %s", path);
	} else if (wt_get_str(c, v[PK_NAME], "a phase's name", &ph->name) == 0 &&
		   check_name(c, v[PK_NAME], "phase name", ph->name, 0) == 0) {
		for (size_t i = 0; i + 1 < w->n_phases; i++)
			if (w->phases[i].name && !strcmp(w->phases[i].name, ph->name))
				wt_report(c, v[PK_NAME], "duplicate phase name '%s'", ph->name);
	}
	parse_phase_type(c, ph, v[PK_TYPE], v[PK_PATTERN], path);
	for (int k = 0; k < PK__COUNT; k++) {
		if (kn[k] && !(phase_keys[k].types & (1u << ph->type))) {
			char *takes = phase_types_of(phase_keys[k].types);

			wt_report(c, kn[k], "key '%s' is only for %s phases; %s is a %s phase", phase_keys[k].name,
			          takes, path, workload_phase_type_name(ph->type));
			free(takes);
		}
	}
	if (wt_present(v[PK_TARGETS]))
		parse_phase_targets(c, w, ph, v[PK_TARGETS], path); /* before the mix: its ops' check */
	ph->batch = 100;
	ph->pipeline = 1;
	ph->clients = ph->type == WL_PHASE_LOAD ? 4 : 1;
	parse_phase_key(c, ph, v, PK_CLIENTS, path);
	parse_phase_key(c, ph, v, PK_BATCH, path);
	parse_phase_key(c, ph, v, PK_PIPELINE, path);
	switch (ph->type) {
	case WL_PHASE_LOAD:
		break;
	case WL_PHASE_CRASH:
		if (!parse_phase_key(c, ph, v, PK_KILL_AFTER, path))
			wt_report(c, n, "%s needs kill_after, the moment the server is killed, e.g. kill_after: "
				  "{min: 1s, max: 3s}", path);
		break;
	case WL_PHASE_REPLICATION:
		if (!parse_phase_key(c, ph, v, PK_DURATION, path))
			wt_report(c, n, "%s needs a duration, e.g. duration: 10s", path);
		parse_phase_key(c, ph, v, PK_RATE, path);
		break;
	case WL_PHASE_RUN:
		parse_run_phase(c, w, ph, n, v, kn, path);
		break;
	case WL_PHASE_CACHE_ASIDE:
		parse_aside_phase(c, w, ph, n, v, kn, path);
		break;
	}
out:
	free(path);
}

static void parse_phases(struct wt_ctx *c, struct workload *w, yaml_node_t *n)
{
	size_t count;

	if (wt_want_kind(c, n, "phases", YAML_SEQUENCE_NODE) < 0)
		return;
	count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (!count) {
		wt_report(c, n, "phases is empty; give at least one phase, e.g. [{name: load}, {name: run, ...}]");
		return;
	}
	w->phases = xcalloc(count, sizeof(*w->phases));
	for (size_t i = 0; i < count; i++)
		parse_phase(c, w, yaml_document_get_node(&c->doc, n->data.sequence.items.start[i]), i);
}

enum { TOP_NAME, TOP_DESCRIPTION, TOP_SEED, TOP_TARGETS, TOP_KEYSPACE, TOP_VALUES, TOP_PHASES, TOP_REPEAT,
       TOP_SWEEP, TOP_MAX_ERROR_RATE, TOP_CLAIM, TOP_ORDER, TOP_SERVER, TOP__COUNT };
/* `claim` is a claim file's (claims.c reads it); a workload skips it. */
static const char *const wl_top_keys[] = {
	"name", "description", "seed", "targets", "keyspace", "values", "phases", "repeat", "sweep",
	"max_error_rate", "claim", "order", "server", NULL,
};

static const char *const wl_order_names[] = {"random", "sequential", NULL};

const char *workload_order_name(enum wl_order o)
{
	return wl_order_names[o == WL_ORDER_SEQUENTIAL ? 1 : 0];
}

/* `order: random | sequential`. */
static void parse_order(struct wt_ctx *c, struct workload *w, yaml_node_t *n)
{
	struct sbuf sb = {0};

	if (wt_want_scalar(c, n, "order", "a string") < 0)
		return;
	for (int i = 0; wl_order_names[i]; i++)
		if (strcmp(wt_sval(n), wl_order_names[i]) == 0) {
			w->order = (enum wl_order)i;
			return;
		}
	wt_add_hint(&sb, wt_sval(n), wl_order_names, "known");
	wt_report(c, n, "unknown order '%s'%s", wt_sval(n), sb.buf);
	free(sb.buf);
}

/* Parses the text again for every point and keeps what is new. */
static void check_points(struct wt_ctx *c, const struct workload *w, yaml_node_t *const *items)
{
	for (size_t i = 0; i < w->sweep.n_values; i++) {
		struct wl_override *ov = xcalloc(c->n_ov + 1, sizeof(*ov));
		struct wt_ctx pc = {.file = c->file, .text = c->text, .len = c->len, .ov = ov, .n_ov = c->n_ov};
		char *prefix = xasprintf("sweep %s=%s: ", w->sweep.key, w->sweep.values[i]);

		if (c->n_ov)
			memcpy(ov, c->ov, c->n_ov * sizeof(*ov));
		workload_sweep_overrides(w, i, &ov, &pc.n_ov);
		pc.ov = ov;
		workload_free(wl_parse(&pc));
		wt_adopt_msgs(c, &pc, items[i], prefix);
		free(prefix);
		free(ov);
	}
}

static struct workload *validate(struct wt_ctx *c, yaml_node_t *root)
{
	struct workload *w = xcalloc(1, sizeof(*w));
	yaml_node_t *v[TOP__COUNT], *kn[TOP__COUNT];

	w->file = xstrdup(c->file);
	w->description = xstrdup("");
	w->seed = 42;
	w->keyspace.records = 10000;
	w->keyspace.prefix = xstrdup("bench:");
	dist_params_default(&w->keyspace.dist, DIST_UNIFORM, w->keyspace.records);
	w->values.size_min = w->values.size_max = 100;
	w->repeat = 1;

	wt_map_fields(c, root, "", wl_top_keys, v, kn);
	if (!v[TOP_NAME])
		wt_report(c, root, "missing required key 'name' at the top level");
	else if (wt_get_str(c, v[TOP_NAME], "name", &w->name) == 0)
		check_name(c, v[TOP_NAME], "name", w->name, 1);
	if (wt_present(v[TOP_DESCRIPTION]))
		wt_get_str(c, v[TOP_DESCRIPTION], "description", &w->description);
	if (wt_present(v[TOP_SEED]))
		wt_get_u64(c, v[TOP_SEED], "seed", 0, UINT64_MAX, &w->seed);
	parse_targets(c, w, v[TOP_TARGETS], root);
	if (wt_present(v[TOP_KEYSPACE]))
		wl_parse_keyspace(c, w, v[TOP_KEYSPACE]);
	if (wt_present(v[TOP_VALUES]))
		wl_parse_values(c, w, v[TOP_VALUES]);
	if (wt_present(v[TOP_SERVER]))
		wl_parse_server(c, w, v[TOP_SERVER]);
	if (!wt_present(v[TOP_PHASES]))
		wt_report(c, v[TOP_PHASES] ? v[TOP_PHASES] : root, "missing required key 'phases' at the top level");
	else
		parse_phases(c, w, v[TOP_PHASES]);
	if (wt_present(v[TOP_REPEAT]))
		wt_get_u64(c, v[TOP_REPEAT], "repeat", 1, UINT64_MAX, &w->repeat);
	if (wt_present(v[TOP_MAX_ERROR_RATE]))
		wt_get_double(c, v[TOP_MAX_ERROR_RATE], "max_error_rate", 0, 1, &w->max_error_rate);
	if (wt_present(v[TOP_ORDER]))
		parse_order(c, w, v[TOP_ORDER]);
	/* A record is `fields` fields of values.size each. */
	if (w->values.fields && w->values.size_max > (64u << 20) / w->values.fields)
		wt_report(c, v[TOP_VALUES], "values: %" PRIu64 " fields of up to %" PRIu64 " bytes make records over "
			  "64 MiB; use fewer or smaller fields", w->values.fields, w->values.size_max);
	/* A Redis record of fields is a hash, whose expiry would take a second
	 * command and a second reply per write (docs/workload-format.md). */
	if (w->values.fields && w->values.ttl.max)
		wt_report(c, v[TOP_VALUES], "values: ttl with fields is not supported; records of fields are hashes on "
			  "Redis, which SET cannot expire: drop one of them");
	/* Queries need records that carry a category. */
	for (size_t i = 0; i < w->n_phases && !w->values.categories; i++)
		if (w->phases[i].mix[BENCH_OP_QUERY] > 0)
			w->values.categories = 100;
	/* Last: it re-validates the workload for every sweep point and keeps
	 * only the messages the workload does not have already. */
	if (wt_present(v[TOP_SWEEP])) {
		const char *phase_names[PK__COUNT + 1];
		struct wl_keys keys = {wl_top_keys, wl_target_keys, phase_names};
		yaml_node_t **items;

		phase_key_names(phase_names);
		items = wl_parse_sweep(c, w, v[TOP_SWEEP], root, &keys);

		if (items && c->check_points)
			check_points(c, w, items);
		free(items);
	}
	return w;
}

struct workload *wl_parse(struct wt_ctx *c)
{
	struct workload *w = NULL;
	yaml_parser_t p;
	yaml_node_t *root;
	int have_doc = 0, line, col, at;
	char why[128];

	/* Before libyaml loads it: its time is quadratic in some shapes. */
	if (wt_check_text(c->text, c->len, &line, &col, why, sizeof(why)) < 0) {
		wt_add_msg(c, line, col, 0, xasprintf("%s:%d:%d: %s (docs/workload-format.md, \"Limits\")\n", c->file, line, col, why));
		return NULL;
	}
	if (!yaml_parser_initialize(&p)) {
		wt_add_msg(c, 0, 0, 0, xasprintf("%s: cannot start the YAML parser (out of memory)\n", c->file));
		goto done;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)c->text, c->len);
	if (!yaml_parser_load(&p, &c->doc)) {
		wt_report_syntax(c, &p, c->text, c->len);
		goto done;
	}
	have_doc = 1;
	c->n_file_nodes = (int)(c->doc.nodes.top - c->doc.nodes.start);
	/* Nothing below may walk a tree that stands for billions of nodes. */
	if (wt_check_expansion(&c->doc, &at, why, sizeof(why)) < 0) {
		wt_report(c, yaml_document_get_node(&c->doc, at), "%s (docs/workload-format.md, \"Limits\")", why);
		goto done;
	}
	root = yaml_document_get_root_node(&c->doc);
	if (!root) {
		wt_add_msg(c, 1, 1, 0, xasprintf("%s:1:1: the workload is empty; it needs at least name and phases\n",
						 c->file));
		goto done;
	} else {
		yaml_document_t more;

		if (!yaml_parser_load(&p, &more)) {
			wt_report_syntax(c, &p, c->text, c->len);
		} else {
			if (yaml_document_get_root_node(&more))
				wt_add_msg(c, (int)more.start_mark.line + 1, (int)more.start_mark.column + 1, 0,
					   xasprintf("%s:%d:%d: a workload file holds one YAML document; found a second one\n",
						     c->file, (int)more.start_mark.line + 1, (int)more.start_mark.column + 1));
			yaml_document_delete(&more);
		}
	}
	if (root->type != YAML_MAPPING_NODE) {
		char buf[64];

		wt_report(c, root, "expected a mapping at the top level (name, phases, ...), got %s",
		          wt_describe(root, buf, sizeof(buf)));
		goto done;
	}
	wt_apply_overrides(c);
	w = validate(c, yaml_document_get_root_node(&c->doc));
done:
	free(c->drivers);
	c->drivers = NULL;
	if (have_doc)
		yaml_document_delete(&c->doc);
	yaml_parser_delete(&p);
	return w;
}

int workload_parse(const char *name, const char *text, size_t len,
		   const struct wl_override *ov, size_t n_ov,
		   struct workload **out, char **errors)
{
	struct wt_ctx c = {.file = name, .text = text, .len = len, .ov = ov, .n_ov = n_ov, .check_points = 1};
	struct workload *w;

	*out = NULL;
	w = wl_parse(&c);
	wt_finish(&c, errors, w);
	if (c.n_errors) {
		workload_free(w);
		return -1;
	}
	*out = w;
	return 0;
}

int workload_load(const char *path, const struct wl_override *ov, size_t n_ov,
		  struct workload **out, char **errors)
{
	char *text, err[PATH_MAX + 128];
	size_t len;
	int rc;

	*out = NULL;
	if (util_read_file(path, WL_MAX_FILE, "the workload", &text, &len, err, sizeof(err)) < 0) {
		char *msg = xasprintf("%s%s\n", *errors ? *errors : "", err);

		free(*errors);
		*errors = msg;
		return -1;
	}
	rc = workload_parse(path, text, len, ov, n_ov, out, errors);
	free(text);
	return rc;
}

void workload_free(struct workload *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n_targets; i++) {
		struct wl_target *t = &w->targets[i];

		for (size_t j = 0; j < t->n_options; j++) {
			free((char *)t->options[j].key);
			free((char *)t->options[j].value);
		}
		free(t->options);
		for (size_t j = 0; j < t->n_spawn_args; j++)
			free(t->spawn_args[j]);
		free(t->spawn_args);
		free(t->spawn_program);
		free(t->shard_key);
		free(t->name);
		free(t->driver);
		free(t->uri);
		free(t->auth.user);
		free(t->auth.password_env);
		free(t->auth.password_file);
	}
	for (size_t i = 0; i < w->n_phases; i++) {
		free(w->phases[i].name);
		free(w->phases[i].store_driver);
		free(w->phases[i].on_target);
	}
	for (size_t i = 0; i < w->n_warnings; i++)
		free(w->warnings[i].text);
	free(w->warnings);
	for (size_t i = 0; i < w->sweep.n_values; i++)
		free(w->sweep.values[i]);
	for (size_t i = 0; i < w->sweep.n_paths; i++)
		free(w->sweep.paths[i]);
	free(w->sweep.values);
	free(w->sweep.paths);
	free(w->sweep.key);
	free(w->values.sizes);
	free(w->values.weights);
	free(w->values.ttl.vals);
	free(w->values.ttl.weights);
	free(w->keyspace.key_size.vals);
	free(w->keyspace.key_size.weights);
	free(w->targets);
	free(w->phases);
	free(w->keyspace.prefix);
	free(w->server.eviction);
	free(w->keyspace.shard_key);
	free(w->keyspace.trace);
	free(w->description);
	free(w->name);
	free(w->file);
	free(w);
}

const char *workload_phase_type_name(enum wl_phase_type t)
{
	return t == WL_PHASE_LOAD ? "load" : t == WL_PHASE_RUN ? "run" : t == WL_PHASE_CRASH ? "crash"
	       : t == WL_PHASE_REPLICATION ? "replication" : t == WL_PHASE_CACHE_ASIDE ? "cache-aside" : "?";
}
