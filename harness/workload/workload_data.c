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

#include "keygen.h"
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
       KK_HOT_OP_FRACTION, KK_EXP_PERCENTILE, KK_EXP_FRACTION, KK_SHARD_KEY, KK_KEY_SIZE, KK_TRACE, KK_FORMAT,
       KK_SPEED, KK__COUNT };
const char *const wl_keyspace_keys[] = {
	"records", "prefix", "distribution", "zipf_theta", "zipf_scrambled", "hot_fraction", "hot_op_fraction",
	"exponential_percentile", "exponential_fraction", "shard_key", "key_size", "trace", "format", "speed", NULL,
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

static void parse_key_size(struct wt_ctx *c, struct workload *w, yaml_node_t *n);
/*
 * keyspace.trace, format and speed. The trace's first TRACE_CHECK_LINES
 * lines are read now, so a malformed one is an error before anything
 * runs (a later one is counted as an error when the run reaches it).
 */
static void parse_trace(struct wt_ctx *c, struct workload *w, yaml_node_t *const *v, yaml_node_t *const *kn)
{
	char err[512];
	int f = TRACE_TWITTER;

	if (!wt_present(v[KK_TRACE])) {
		for (int k = KK_FORMAT; k <= KK_SPEED; k++)
			if (kn[k])
				wt_report(c, kn[k], "keyspace.%s applies to a trace; give keyspace.trace too",
				          wl_keyspace_keys[k]);
		return;
	}
	if (kn[KK_KEY_SIZE])
		wt_report(c, kn[KK_KEY_SIZE], "keyspace.key_size does not apply under keyspace.trace: the trace gives the keys");
	if (wt_present(v[KK_FORMAT])) {
		if (wt_want_scalar(c, v[KK_FORMAT], "keyspace.format", "twitter or csv") < 0)
			return;
		if ((f = trace_format_from_name(wt_sval(v[KK_FORMAT]))) < 0) {
			wt_report(c, v[KK_FORMAT], "keyspace.format must be twitter or csv, not '%s'",
			          wt_sval(v[KK_FORMAT]));
			return;
		}
	}
	w->keyspace.trace_format = (enum trace_format)f;
	if (wt_present(v[KK_SPEED]) &&
	    wt_get_double_open(c, v[KK_SPEED], "keyspace.speed", 0, 1e9, &w->keyspace.trace_speed) < 0)
		return;
	if (wt_get_str(c, v[KK_TRACE], "keyspace.trace", &w->keyspace.trace) < 0)
		return;
	if (trace_check(w->keyspace.trace, (enum trace_format)f, TRACE_CHECK_LINES, err, sizeof(err)) < 0)
		wt_report(c, v[KK_TRACE], "keyspace.trace: %s", err);
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
	if (wt_present(v[KK_KEY_SIZE]))
		parse_key_size(c, w, v[KK_KEY_SIZE]);
	parse_trace(c, w, v, kn);
	if (wt_present(v[KK_DISTRIBUTION]) && (kind = parse_kind(c, v[KK_DISTRIBUTION])) < 0)
		unknown = bad = 1;
	dist_params_default(d, unknown ? DIST_UNIFORM : (enum dist_kind)kind, w->keyspace.records);

	for (int i = KK_ZIPF_THETA; i <= KK_EXP_FRACTION; i++) {
		struct dist_params scratch = *d;
		struct dist_params *into = d;
		char *path;
		int r = 0;

		if (!wt_present(v[i]))
			continue;
		/* A parameter of another distribution is an error, and its value
		 * is still checked (into a scratch copy): zipf_theta: 1.5 under
		 * uniform gets both, the range too, not one now and one later. */
		if (!unknown && !(param_kinds[i].kinds & KIND(kind))) {
			wt_report(c, kn[i], "keyspace.%s applies to %s, not %s%s", wl_keyspace_keys[i],
			          param_kinds[i].names, dist_kind_name((enum dist_kind)kind),
			          wt_present(v[KK_DISTRIBUTION]) ? "" : " (the default distribution)");
			into = &scratch;
			bad = 1;
		}
		path = xasprintf("keyspace.%s", wl_keyspace_keys[i]);
		switch (i) {
		case KK_ZIPF_THETA:
			r = wt_get_double_open(c, v[i], path, 0, 1, &into->zipf_theta);
			break;
		case KK_ZIPF_SCRAMBLED:
			r = wt_get_bool(c, v[i], path, &into->zipf_scrambled);
			break;
		case KK_HOT_FRACTION:
			r = wt_get_double_open(c, v[i], path, 0, 1, &into->hot_fraction);
			break;
		case KK_HOT_OP_FRACTION:
			r = wt_get_double(c, v[i], path, 0, 1, &into->hot_op_fraction);
			break;
		case KK_EXP_PERCENTILE:
			r = wt_get_double_open(c, v[i], path, 0, 100, &into->exp_percentile);
			break;
		case KK_EXP_FRACTION:
			r = wt_get_double_open(c, v[i], path, 0, INFINITY, &into->exp_fraction);
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
		char why[160];

		if (dist_init(d, &dd, why, sizeof(why)) < 0)
			wt_report(c, v[KK_DISTRIBUTION], "exponential_percentile %g and exponential_fraction %g give no "
			          "usable decay rate over %" PRIu64 " records", d->exp_percentile, d->exp_fraction,
			          d->records);
		dist_free(dd);
	}
}

/* ---- values ---- */

const char *const wl_values_keys[] = {"size", "fields", "categories", "ttl", NULL};

/* The default clamp of a drawn value size (values.size: fb_etc, gev,
 * gpareto): under memcached's 1 MiB item, which also holds the key and the
 * item's header (docs/workload-format.md). */
#define WL_SHAPE_VALUE_MAX 1000000
/* The longest key: memcached's limit (the other servers take longer). */
#define WL_MAX_KEY 250
/* memcached reads an exptime over 30 days as a date (docs/drivers.md). */
#define WL_MAX_TTL_MS (30ull * 24 * 3600 * 1000)

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

/* A TTL in whole milliseconds, 1 ms .. 30 days. */
static int get_ttl(struct wt_ctx *c, const yaml_node_t *n, const char *path, uint64_t *out)
{
	uint64_t ns;

	if (wt_get_duration(c, n, path, &ns) < 0)
		return -1;
	if (ns % 1000000 || ns == 0 || ns / 1000000 > WL_MAX_TTL_MS) {
		wt_report(c, n, "%s '%s' must be a whole number of milliseconds from 1ms to 30 days (memcached "
		          "reads a longer exptime as a date)", path, wt_sval(n));
		return -1;
	}
	*out = ns / 1000000;
	return 0;
}

/* A key's length in bytes, 1 .. 250. */
static int get_key_size(struct wt_ctx *c, const yaml_node_t *n, const char *path, uint64_t *out)
{
	return wt_get_u64(c, n, path, 1, WL_MAX_KEY, out);
}

/* What values.size, values.ttl and keyspace.key_size share: a fixed value,
 * {min, max} or a weighted list, each value read by `get`; sizes also a
 * drawn distribution, clamped to [0, shape_max] unless min/max say. */
struct spread_key {
	const char *path;  /* "values.size" */
	const char *item;  /* "size": the key of a weighted entry */
	const char *what;  /* "SIZE" */
	const char *eg;    /* an example range */
	int (*get)(struct wt_ctx *, const yaml_node_t *, const char *, uint64_t *);
	uint64_t shape_max;
};

static const struct spread_key size_key = {"values.size", "size", "SIZE", "{min: 32, max: 1024}", get_size,
					   WL_SHAPE_VALUE_MAX};
static const struct spread_key ttl_key = {"values.ttl", "ttl", "TTL", "{min: 1s, max: 10s}", get_ttl, 0};
static const struct spread_key key_size_key = {"keyspace.key_size", "size", "SIZE", "{min: 20, max: 64}",
					       get_key_size, WL_MAX_KEY};

/* {min, max}, the fields already mapped into r (min, max). */
static void parse_range(struct wt_ctx *c, const struct spread_key *sk, yaml_node_t *n, yaml_node_t **r,
			struct wl_spread *out)
{
	char *pmin, *pmax;
	uint64_t lo, hi;
	int bad;

	if (!r[0] || !r[1]) {
		wt_report(c, n, "%s needs both min and max, e.g. %s", sk->path, sk->eg);
		return;
	}
	pmin = xasprintf("%s.min", sk->path);
	pmax = xasprintf("%s.max", sk->path);
	/* Both, so that both are reported when both are wrong. */
	bad = sk->get(c, r[0], pmin, &lo) < 0;
	bad |= sk->get(c, r[1], pmax, &hi) < 0;
	free(pmin);
	free(pmax);
	if (bad)
		return;
	if (lo > hi) {
		wt_report(c, n, "%s min (%s) is greater than max (%s)", sk->path, wt_sval(r[0]), wt_sval(r[1]));
		return;
	}
	out->min = lo;
	out->max = hi;
}

/* [{ITEM: V, weight: N}, ...] */
static void parse_weighted(struct wt_ctx *c, const struct spread_key *sk, yaml_node_t *n, struct wl_spread *out)
{
	const char *const keys[] = {sk->item, "weight", NULL};
	size_t count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	uint64_t *vals, lo = UINT64_MAX, hi = 0;
	double *weights, total = 0;
	int ok = 1;

	if (!count) {
		wt_report(c, n, "%s is an empty list; give at least one {%s: %s, weight: N}", sk->path, sk->item,
		          sk->what);
		return;
	}
	vals = xcalloc(count, sizeof(*vals));
	weights = xcalloc(count, sizeof(*weights));
	for (size_t i = 0; i < count; i++) {
		yaml_node_t *it = yaml_document_get_node(&c->doc, n->data.sequence.items.start[i]), *r[2], *rk[2];
		char *path = xasprintf("%s[%zu]", sk->path, i), *p, buf[64];

		if (it->type != YAML_MAPPING_NODE) {
			wt_report(c, it, "expected a mapping {%s: %s, weight: N} for %s, got %s", sk->item, sk->what, path,
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
		p = xasprintf("%s.%s", path, sk->item);
		if (wt_present(r[0]) && sk->get(c, r[0], p, &vals[i]) < 0)
			ok = 0;
		free(p);
		p = xasprintf("%s.weight", path);
		if (wt_present(r[1]) && wt_get_double_open(c, r[1], p, 0, INFINITY, &weights[i]) < 0)
			ok = 0;
		free(p);
		free(path);
		total += weights[i];
		lo = vals[i] < lo ? vals[i] : lo;
		hi = vals[i] > hi ? vals[i] : hi;
	}
	if (ok && !isfinite(total)) {
		wt_report(c, n, "%s weights sum to more than a double holds; scale them down", sk->path);
		ok = 0;
	}
	if (!ok) {
		free(vals);
		free(weights);
		return;
	}
	out->vals = vals;
	out->weights = weights;
	out->n = count;
	out->min = lo;
	out->max = hi;
}

/*
 * {gev: {mu, sigma, xi}} or {gpareto: {theta, sigma, xi}} (node m, at
 * path), into out->kind and out->p; the caller has checked that m holds one
 * of them (and only one). Returns 0 or -1 after reporting.
 */
static int parse_shape_params(struct wt_ctx *c, yaml_node_t *m, const char *path, int kind, struct wl_shape *out)
{
	static const char *const gev_keys[] = {"mu", "sigma", "xi", NULL};
	static const char *const gp_keys[] = {"theta", "sigma", "xi", NULL};
	const char *const *keys = kind == WL_SHAPE_GEV ? gev_keys : gp_keys;
	yaml_node_t *v[3], *kn[3];
	int bad = 0;

	if (wt_want_kind(c, m, path, YAML_MAPPING_NODE) < 0)
		return -1;
	wt_map_fields(c, m, path, keys, v, kn);
	for (int i = 0; i < 3; i++) {
		char *p = xasprintf("%s.%s", path, keys[i]);

		if (!wt_present(v[i])) {
			wt_report(c, m, "missing required key '%s' in %s", keys[i], path);
			bad = 1;
		} else if (i == 1) {
			bad |= wt_get_double_open(c, v[i], p, 0, INFINITY, &out->p[i]) < 0;
		} else {
			bad |= wt_get_double(c, v[i], p, -1e12, 1e12, &out->p[i]) < 0;
		}
		free(p);
	}
	out->kind = kind;
	return bad ? -1 : 0;
}

/*
 * A drawn size: `fb_etc` (scalar), or a mapping {gev: {...}} /
 * {gpareto: {...}} with an optional min and max (the clamp, each read by
 * get). r[] holds the mapping's min, max, gev, gpareto. *lo and *hi keep
 * their defaults when not given. Returns 0 or -1 after reporting.
 */
static int parse_shape_map(struct wt_ctx *c, const char *path, yaml_node_t *n, yaml_node_t **r,
			   int (*get)(struct wt_ctx *, const yaml_node_t *, const char *, uint64_t *),
			   struct wl_shape *out, uint64_t *lo, uint64_t *hi)
{
	char *p;
	int bad;

	if (wt_present(r[2]) && wt_present(r[3])) {
		wt_report(c, n, "%s gives both gev and gpareto; give one", path);
		return -1;
	}
	p = xasprintf("%s.%s", path, wt_present(r[2]) ? "gev" : "gpareto");
	bad = parse_shape_params(c, wt_present(r[2]) ? r[2] : r[3], p, wt_present(r[2]) ? WL_SHAPE_GEV : WL_SHAPE_GPARETO,
				 out) < 0;
	free(p);
	for (int k = 0; k < 2; k++) {
		if (!wt_present(r[k]))
			continue;
		p = xasprintf("%s.%s", path, k ? "max" : "min");
		bad |= get(c, r[k], p, k ? hi : lo) < 0;
		free(p);
	}
	if (!bad && *lo > *hi) {
		wt_report(c, n, "%s min (%" PRIu64 ") is greater than max (%" PRIu64 ")", path, *lo, *hi);
		bad = 1;
	}
	return bad ? -1 : 0;
}

/* values.size or values.ttl: the scalar forms, a mapping or a list. */
static void parse_spread(struct wt_ctx *c, const struct spread_key *sk, yaml_node_t *n, struct wl_spread *out,
			 struct wl_shape *shape)
{
	static const char *const range_keys[] = {"min", "max", NULL};
	static const char *const shape_keys[] = {"min", "max", "gev", "gpareto", NULL};
	yaml_node_t *r[4] = {0}, *rk[4];
	uint64_t v;

	if (n->type == YAML_SCALAR_NODE) {
		if (shape && strcmp(wt_sval(n), "fb_etc") == 0) {
			shape->kind = WL_SHAPE_FB_ETC;
			out->min = 0;
			out->max = sk->shape_max;
		} else if (sk->get(c, n, sk->path, &v) == 0) {
			out->min = out->max = v;
		}
		return;
	}
	if (n->type != YAML_MAPPING_NODE) {
		parse_weighted(c, sk, n, out);
		return;
	}
	wt_map_fields(c, n, sk->path, shape ? shape_keys : range_keys, r, rk);
	if (shape && (wt_present(r[2]) || wt_present(r[3]))) {
		uint64_t lo = 0, hi = sk->shape_max;

		if (parse_shape_map(c, sk->path, n, r, sk->get, shape, &lo, &hi) == 0) {
			out->min = lo;
			out->max = hi;
		}
		return;
	}
	parse_range(c, sk, n, r, out);
}

void wl_parse_values(struct wt_ctx *c, struct workload *w, yaml_node_t *n)
{
	yaml_node_t *v[4], *kn[4];
	struct wl_spread size = {.min = w->values.size_min, .max = w->values.size_max};

	if (wt_want_kind(c, n, "values", YAML_MAPPING_NODE) < 0)
		return;
	wt_map_fields(c, n, "values", wl_values_keys, v, kn);
	if (wt_present(v[1]))
		wt_get_u64(c, v[1], "values.fields", 1, WL_MAX_FIELDS, &w->values.fields);
	if (wt_present(v[2]))
		wt_get_u64(c, v[2], "values.categories", 1, WL_MAX_CATEGORIES, &w->values.categories);
	if (wt_present(v[3]))
		parse_spread(c, &ttl_key, v[3], &w->values.ttl, NULL);
	if (!wt_present(v[0]))
		return;
	parse_spread(c, &size_key, v[0], &size, &w->values.size_shape);
	w->values.size_min = size.min;
	w->values.size_max = size.max;
	w->values.sizes = size.vals;
	w->values.weights = size.weights;
	w->values.n_sizes = size.n;
}

/* keyspace.key_size: every key's length, as values.size is written (or
 * fb_etc: the Facebook ETC keys' GEV). A key is the prefix, the record's
 * 12 digits, then padding (keygen.h): a fixed size must leave room for the
 * first two; a drawn one below it is raised to it (docs/workload-format.md). */
static void parse_key_size(struct wt_ctx *c, struct workload *w, yaml_node_t *n)
{
	struct wl_spread *ks = &w->keyspace.key_size;
	size_t base = strlen(w->keyspace.prefix) + KEYGEN_DIGITS;

	parse_spread(c, &key_size_key, n, ks, &w->keyspace.key_shape);
	if (ks->max && ks->max < base && (ks->n || ks->min == ks->max))
		wt_report(c, n, "keyspace.key_size %" PRIu64 " is shorter than the prefix '%s' and the %d digits of the "
		          "record number (%zu bytes), which every key holds", ks->max, w->keyspace.prefix, KEYGEN_DIGITS,
		          base);
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
