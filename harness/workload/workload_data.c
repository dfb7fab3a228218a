/*
 * workload_data.c - the keyspace and values sections of a workload: which
 * keys a run touches (struct dist_params, checked against the ranges in
 * dist.h) and how big the values it writes are (fixed, uniform or a
 * weighted list). Part of the workload parser; see workload.c.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "registry.h"
#include "util.h"
#include "workload.h"
#include "workload_tree.h"

#define WL_MAX_PREFIX 64
#define WL_MAX_VALUE (64u << 20)
#define WL_MAX_FIELDS 1000
#define WL_MAX_CATEGORIES 1000000000

/* ---- keyspace ---- */

enum { KK_RECORDS, KK_PREFIX, KK_DISTRIBUTION, KK_ZIPF_THETA, KK_ZIPF_SCRAMBLED, KK_HOT_FRACTION,
       KK_HOT_OP_FRACTION, KK_EXP_PERCENTILE, KK_EXP_FRACTION, KK_SHARD_KEY, KK__COUNT };
const char *const wl_keyspace_keys[] = {
	"records", "prefix", "distribution", "zipf_theta", "zipf_scrambled", "hot_fraction", "hot_op_fraction",
	"exponential_percentile", "exponential_fraction", "shard_key", NULL,
};

/* Which distributions use each parameter key, as a bit per enum dist_kind
 * and as messages name them. */
#define KIND(k) (1u << (k))
static const struct {
	unsigned kinds;
	const char *names;
} param_kinds[KK__COUNT] = {
	[KK_ZIPF_THETA] = {KIND(DIST_ZIPFIAN) | KIND(DIST_LATEST), "zipfian and latest"},
	[KK_ZIPF_SCRAMBLED] = {KIND(DIST_ZIPFIAN), "zipfian"},
	[KK_HOT_FRACTION] = {KIND(DIST_HOTSPOT), "hotspot"},
	[KK_HOT_OP_FRACTION] = {KIND(DIST_HOTSPOT), "hotspot"},
	[KK_EXP_PERCENTILE] = {KIND(DIST_EXPONENTIAL), "exponential"},
	[KK_EXP_FRACTION] = {KIND(DIST_EXPONENTIAL), "exponential"},
};

static void parse_prefix(struct wt_ctx *c, struct workload *w, yaml_node_t *n)
{
	const char *p;
	size_t len;

	if (wt_get_str(c, n, "keyspace.prefix", &w->keyspace.prefix) < 0)
		return;
	p = wt_sval(n);
	len = n->data.scalar.length;
	if (!len)
		wt_report(c, n, "keyspace.prefix must not be empty");
	else if (len > WL_MAX_PREFIX)
		wt_report(c, n, "keyspace.prefix is %zu bytes long; at most %d", len, WL_MAX_PREFIX);
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)p[i] <= ' ' || p[i] == 0x7f) {
			wt_report(c, n, "keyspace.prefix '%s' holds a space or control character, which memcached keys "
			          "cannot", p);
			break;
		}
	}
}

/*
 * A shard_key mapping, {_id: hashed} or {_id: 1} (docs/workload-format.md),
 * at path (keyspace.shard_key or targets.NAME.shard_key); *out gets
 * "hashed" or "1". _id, the record's key, is the one field every record
 * has; the claim it serves compares hashed and ranged sharding of the key.
 */
void wl_parse_shard_key(struct wt_ctx *c, yaml_node_t *n, const char *path, char **out)
{
	yaml_node_pair_t *pair;
	yaml_node_t *k, *v;
	char *what;

	if (wt_want_kind(c, n, path, YAML_MAPPING_NODE) < 0)
		return;
	if (n->data.mapping.pairs.top - n->data.mapping.pairs.start != 1) {
		wt_report(c, n, "%s holds one field: {_id: hashed} or {_id: 1}", path);
		return;
	}
	pair = n->data.mapping.pairs.start;
	k = yaml_document_get_node(&c->doc, pair->key);
	v = yaml_document_get_node(&c->doc, pair->value);
	what = xasprintf("%s's field", path);
	if (wt_want_scalar(c, k, what, "a field name") < 0) {
		free(what);
		return;
	}
	free(what);
	what = xasprintf("%s._id", path);
	if (wt_want_scalar(c, v, what, "hashed or 1") < 0) {
		free(what);
		return;
	}
	if (strcmp(wt_sval(k), "_id") != 0)
		wt_report(c, k, "%s: bench shards on the record's key, _id, not '%s': use {_id: hashed} or {_id: 1}", path,
		          wt_sval(k));
	else if (strcmp(wt_sval(v), "hashed") != 0 && strcmp(wt_sval(v), "1") != 0)
		wt_report(c, v, "%s must be hashed (hashed sharding) or 1 (ranged), not '%s'", what, wt_sval(v));
	else {
		free(*out);
		*out = xstrdup(wt_sval(v));
	}
	free(what);
}

/* Returns the kind named by n, or -1 after reporting. */
static int parse_kind(struct wt_ctx *c, yaml_node_t *n)
{
	const char *names[DIST_EXPONENTIAL + 2];
	struct sbuf sb = {0};
	int kind;

	if (wt_want_scalar(c, n, "keyspace.distribution", "a string") < 0)
		return -1;
	if ((kind = dist_kind_from_name(wt_sval(n))) >= 0)
		return kind;
	for (int k = 0; k <= DIST_EXPONENTIAL; k++)
		names[k] = dist_kind_name((enum dist_kind)k);
	names[DIST_EXPONENTIAL + 1] = NULL;
	wt_add_hint(&sb, wt_sval(n), names, "known");
	wt_report(c, n, "unknown distribution '%s'%s", wt_sval(n), sb.buf);
	free(sb.buf);
	return -1;
}

void wl_parse_keyspace(struct wt_ctx *c, struct workload *w, yaml_node_t *n)
{
	yaml_node_t *v[KK__COUNT], *kn[KK__COUNT];
	struct dist_params *d = &w->keyspace.dist;
	int kind = DIST_UNIFORM, unknown = 0, bad = 0;

	if (wt_want_kind(c, n, "keyspace", YAML_MAPPING_NODE) < 0)
		return;
	wt_map_fields(c, n, "keyspace", wl_keyspace_keys, v, kn);
	if (wt_present(v[KK_RECORDS]))
		wt_get_u64(c, v[KK_RECORDS], "keyspace.records", 1, UINT64_MAX, &w->keyspace.records);
	if (wt_present(v[KK_PREFIX]))
		parse_prefix(c, w, v[KK_PREFIX]);
	if (wt_present(v[KK_SHARD_KEY]))
		wl_parse_shard_key(c, v[KK_SHARD_KEY], "keyspace.shard_key", &w->keyspace.shard_key);
	if (wt_present(v[KK_DISTRIBUTION]) && (kind = parse_kind(c, v[KK_DISTRIBUTION])) < 0)
		unknown = bad = 1;
	dist_params_default(d, unknown ? DIST_UNIFORM : (enum dist_kind)kind, w->keyspace.records);

	for (int i = KK_ZIPF_THETA; i <= KK_EXP_FRACTION; i++) {
		char *path;
		int r = 0;

		if (!wt_present(v[i]))
			continue;
		/* Under an unknown distribution, still check the value itself. */
		if (!unknown && !(param_kinds[i].kinds & KIND(kind))) {
			wt_report(c, kn[i], "keyspace.%s applies to %s, not %s%s", wl_keyspace_keys[i],
			          param_kinds[i].names, dist_kind_name((enum dist_kind)kind),
			          wt_present(v[KK_DISTRIBUTION]) ? "" : " (the default distribution)");
			continue;
		}
		path = xasprintf("keyspace.%s", wl_keyspace_keys[i]);
		switch (i) {
		case KK_ZIPF_THETA:
			r = wt_get_double_open(c, v[i], path, 0, 1, &d->zipf_theta);
			break;
		case KK_ZIPF_SCRAMBLED:
			r = wt_get_bool(c, v[i], path, &d->zipf_scrambled);
			break;
		case KK_HOT_FRACTION:
			r = wt_get_double_open(c, v[i], path, 0, 1, &d->hot_fraction);
			break;
		case KK_HOT_OP_FRACTION:
			r = wt_get_double(c, v[i], path, 0, 1, &d->hot_op_fraction);
			break;
		case KK_EXP_PERCENTILE:
			r = wt_get_double_open(c, v[i], path, 0, 100, &d->exp_percentile);
			break;
		case KK_EXP_FRACTION:
			r = wt_get_double_open(c, v[i], path, 0, INFINITY, &d->exp_fraction);
			break;
		}
		free(path);
		bad |= r < 0;
	}
	/* Each exponential parameter can be in range while the decay rate
	 * they give, -ln(1 - percentile/100) / (records * fraction), is not a
	 * usable number: let dist_init, which is O(1) for this kind, decide. */
	if (!bad && kind == DIST_EXPONENTIAL) {
		struct dist *dd = NULL;

		if (dist_init(d, &dd) != 0)
			wt_report(c, v[KK_DISTRIBUTION], "exponential_percentile %g and exponential_fraction %g give no "
			          "usable decay rate over %" PRIu64 " records", d->exp_percentile, d->exp_fraction,
			          d->records);
		dist_free(dd);
	}
}

/* ---- values ---- */

const char *const wl_values_keys[] = {"size", "fields", "categories", NULL};

static int get_size(struct wt_ctx *c, const yaml_node_t *n, const char *path, uint64_t *out)
{
	if (wt_want_scalar(c, n, path, "a size") < 0)
		return -1;
	if (util_parse_size(wt_sval(n), out) < 0) {
		wt_report(c, n, "invalid size '%s' for %s; use a whole number of bytes with an optional unit "
		          "B, KB, KiB, MB, MiB, GB or GiB (e.g. 100, 4KiB)", wt_sval(n), path);
		return -1;
	}
	if (*out > WL_MAX_VALUE) {
		wt_report(c, n, "%s '%s' is too large; values are at most 64 MiB", path, wt_sval(n));
		return -1;
	}
	return 0;
}

/* size: {min, max} */
static void parse_range(struct wt_ctx *c, struct workload *w, yaml_node_t *n)
{
	static const char *const keys[] = {"min", "max", NULL};
	yaml_node_t *r[2], *rk[2];
	uint64_t lo, hi;
	int bad;

	wt_map_fields(c, n, "values.size", keys, r, rk);
	if (!r[0] || !r[1]) {
		wt_report(c, n, "values.size needs both min and max, e.g. {min: 32, max: 1024}");
		return;
	}
	/* Both, so that both are reported when both are wrong. */
	bad = get_size(c, r[0], "values.size.min", &lo) < 0;
	bad |= get_size(c, r[1], "values.size.max", &hi) < 0;
	if (bad)
		return;
	if (lo > hi) {
		wt_report(c, n, "values.size min (%s) is greater than max (%s)", wt_sval(r[0]), wt_sval(r[1]));
		return;
	}
	w->values.size_min = lo;
	w->values.size_max = hi;
}

/* size: [{size: SIZE, weight: N}, ...] */
static void parse_weighted(struct wt_ctx *c, struct workload *w, yaml_node_t *n)
{
	static const char *const keys[] = {"size", "weight", NULL};
	size_t count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	uint64_t *sizes, lo = UINT64_MAX, hi = 0;
	double *weights, total = 0;
	int ok = 1;

	if (!count) {
		wt_report(c, n, "values.size is an empty list; give at least one {size: SIZE, weight: N}");
		return;
	}
	sizes = xcalloc(count, sizeof(*sizes));
	weights = xcalloc(count, sizeof(*weights));
	for (size_t i = 0; i < count; i++) {
		yaml_node_t *it = yaml_document_get_node(&c->doc, n->data.sequence.items.start[i]), *r[2], *rk[2];
		char *path = xasprintf("values.size[%zu]", i), *p, buf[64];

		if (it->type != YAML_MAPPING_NODE) {
			wt_report(c, it, "expected a mapping {size: SIZE, weight: N} for %s, got %s", path,
			          wt_describe(it, buf, sizeof(buf)));
			ok = 0;
			free(path);
			continue;
		}
		wt_map_fields(c, it, path, keys, r, rk);
		for (int k = 0; k < 2; k++) {
			if (wt_present(r[k]))
				continue;
			wt_report(c, it, "missing required key '%s' in %s", keys[k], path);
			ok = 0;
		}
		p = xasprintf("%s.size", path);
		if (wt_present(r[0]) && get_size(c, r[0], p, &sizes[i]) < 0)
			ok = 0;
		free(p);
		p = xasprintf("%s.weight", path);
		if (wt_present(r[1]) && wt_get_double_open(c, r[1], p, 0, INFINITY, &weights[i]) < 0)
			ok = 0;
		free(p);
		free(path);
		total += weights[i];
		lo = sizes[i] < lo ? sizes[i] : lo;
		hi = sizes[i] > hi ? sizes[i] : hi;
	}
	if (ok && !isfinite(total)) {
		wt_report(c, n, "values.size weights sum to more than a double holds; scale them down");
		ok = 0;
	}
	if (!ok) {
		free(sizes);
		free(weights);
		return;
	}
	w->values.sizes = sizes;
	w->values.weights = weights;
	w->values.n_sizes = count;
	w->values.size_min = lo;
	w->values.size_max = hi;
}

void wl_parse_values(struct wt_ctx *c, struct workload *w, yaml_node_t *n)
{
	yaml_node_t *v[3], *kn[3];
	uint64_t size;

	if (wt_want_kind(c, n, "values", YAML_MAPPING_NODE) < 0)
		return;
	wt_map_fields(c, n, "values", wl_values_keys, v, kn);
	if (wt_present(v[1]))
		wt_get_u64(c, v[1], "values.fields", 1, WL_MAX_FIELDS, &w->values.fields);
	if (wt_present(v[2]))
		wt_get_u64(c, v[2], "values.categories", 1, WL_MAX_CATEGORIES, &w->values.categories);
	if (!wt_present(v[0]))
		return;
	if (v[0]->type == YAML_SCALAR_NODE) {
		if (get_size(c, v[0], "values.size", &size) == 0)
			w->values.size_min = w->values.size_max = size;
	} else if (v[0]->type == YAML_MAPPING_NODE) {
		parse_range(c, w, v[0]);
	} else {
		parse_weighted(c, w, v[0]);
	}
}

/* ---- server ---- */

const char *const wl_server_keys[] = {"memory", "eviction", NULL};

/* The eviction words of d's first spawnable program that has any, as
 * "a, b, c" into buf; "" when none. */
static void eviction_words(const struct bench_driver *d, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (const struct bench_server_recipe *r = d->servers; r && r->program && !used; r++)
		for (size_t i = 0; i < sizeof(r->eviction) / sizeof(r->eviction[0]) && r->eviction[i].name; i++)
			if (used < len)
				used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
							 r->eviction[i].name);
}

static int knows_eviction(const struct bench_driver *d, const char *word)
{
	for (const struct bench_server_recipe *r = d->servers; r && r->program; r++)
		for (size_t i = 0; i < sizeof(r->eviction) / sizeof(r->eviction[0]) && r->eviction[i].name; i++)
			if (!strcmp(r->eviction[i].name, word))
				return 1;
	return 0;
}

static int has_memory(const struct bench_driver *d)
{
	for (const struct bench_server_recipe *r = d->servers; r && r->program; r++)
		if (r->memory_argv[0])
			return 1;
	return 0;
}

void wl_parse_server(struct wt_ctx *c, struct workload *w, yaml_node_t *n)
{
	yaml_node_t *v[2], *kn[2];

	if (wt_want_kind(c, n, "server", YAML_MAPPING_NODE) < 0)
		return;
	wt_map_fields(c, n, "server", wl_server_keys, v, kn);
	if (wt_present(v[0]) && wt_want_scalar(c, v[0], "server.memory", "a size") == 0) {
		if (util_parse_size(wt_sval(v[0]), &w->server.memory) < 0 || w->server.memory < (1u << 20)) {
			wt_report(c, v[0], "invalid size '%s' for server.memory; give at least 1MiB, with a unit B, KB, "
				  "KiB, MB, MiB, GB or GiB (e.g. 64MiB)", wt_sval(v[0]));
			w->server.memory = 0;
		}
	}
	if (wt_present(v[1]))
		wt_get_str(c, v[1], "server.eviction", &w->server.eviction);
	/* Per target: a driver without the setting ignores it (a warning); an
	 * eviction word its server does not know is an error. */
	for (size_t t = 0; t < w->n_targets; t++) {
		const struct wl_target *tg = &w->targets[t];
		const struct bench_driver *d = tg->driver ? bench_driver_find(tg->driver, NULL, 0) : NULL;
		char words[256];

		if (!d || tg->uri)
			continue;
		if (w->server.memory && !has_memory(d))
			wt_warn_target(c, v[0], (int)t, "server.memory has no effect on target %s: bench cannot set the "
				       "memory of a %s server", tg->name, d->name);
		if (!w->server.eviction)
			continue;
		eviction_words(d, words, sizeof(words));
		if (!words[0])
			wt_warn_target(c, v[1], (int)t, "server.eviction has no effect on target %s: bench cannot set "
				       "the eviction of a %s server", tg->name, d->name);
		else if (!knows_eviction(d, w->server.eviction))
			wt_report(c, v[1], "server.eviction '%s' is not a policy of target %s's %s server; it knows %s",
				  w->server.eviction, tg->name, d->name, words);
	}
}
